/** CPU cost of one access-log line (track, match the usage record, JSON line to /dev/null), in-process. Usage: npx tsx bench/access-log-cost.ts */
import { EventEmitter } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createAccessLog } from '../server/access-log.ts';
import { createLogger } from '../server/log.ts';
const log = createLogger({ level: 'info', format: 'json', destination: createWriteStream('/dev/null') });
// A stand-in for the usage recorder: only its onRecord feed is used.
const listeners: Array<(r: any) => void> = [];
const usage = {
  onRecord: (fn: any) => {
    listeners.push(fn);
    return () => {};
  },
} as any;
const access = createAccessLog({ log, usage });
const N = 200_000;
const t0 = process.cpuUsage();
const w0 = performance.now();
for (let i = 0; i < N; i++) {
  const req: any = { method: 'POST', url: '/api/chat', headers: { authorization: 'Bearer ogw_abcdefghijklmnopqrstuvwxyz0123456789ABCD' } };
  const res: any = new EventEmitter();
  res.statusCode = 200;
  res.writableFinished = true;
  const id = `chatcmpl-${i}`;
  res.getHeader = () => id;
  access.track(req, res);
  for (const fn of listeners) fn({ id, surface: 'rest', model: 'echo', status: 200, promptTokens: 10, completionTokens: 5 });
  res.emit('close');
}
const cpu = process.cpuUsage(t0);
console.log(
  `${N} requests: ${((cpu.user + cpu.system) / N).toFixed(2)} µs CPU per access line (wall ${(((performance.now() - w0) * 1000) / N).toFixed(2)} µs)`,
);
access.close();
