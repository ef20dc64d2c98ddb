/**
 * One access-log line per HTTP request, written when the response closes: method, path, status,
 * the key's readable prefix (never the secret), duration, and, for inference requests, the model,
 * tokens and queue wait from the request's usage record (matched by x-request-id). Nothing is
 * computed while the request runs: one 'close' listener per request, the rest after it ended.
 *
 * @example
 *   const access = createAccessLog({ log, usage });
 *   server.on('request', (req, res) => access.track(req, res));
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { displayPrefix, KEY_PREFIX } from './auth/api-keys.ts';
import type { Logger } from './log.ts';
import type { UsageInput, UsageRecorder } from './usage/recorder.ts';

export interface AccessLog {
  track(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

interface Line {
  method: string;
  path: string;
  status: number;
  key?: string;
  ms: number;
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  queueMs?: number;
  aborted?: true;
}

/** How long a cut response waits for its usage record (a cancelled run records as it unwinds). */
const RECORD_WAIT_MS = 2000;
/** Records nobody asked for (no matching response) are dropped after one or two of these. */
const GENERATION_MS = 30_000;

/** The readable prefix of the presented key, only for gateway-format keys (a pasted foreign secret is never logged). */
function keyPrefix(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (!auth) return undefined;
  const secret = /^Bearer\s+(\S+)/i.exec(auth)?.[1];
  return secret?.startsWith(KEY_PREFIX) ? displayPrefix(secret) : undefined;
}

export function createAccessLog({ log, usage }: { log: Logger; usage: UsageRecorder }): AccessLog {
  let recent = new Map<string, UsageInput>();
  let older = new Map<string, UsageInput>();
  const waiting = new Map<string, { line: Line; timer: NodeJS.Timeout }>();

  const write = (line: Line, rec?: UsageInput) => {
    if (rec) {
      line.model = rec.model;
      line.status = rec.status === 499 ? line.status : rec.status;
      line.promptTokens = rec.promptTokens;
      line.completionTokens = rec.completionTokens;
      // Set by the scheduler once requests queue for an upstream slot.
      const { queueMs, queueWaitMs } = rec as UsageInput & { queueMs?: number | null; queueWaitMs?: number | null };
      const wait = queueMs ?? queueWaitMs;
      if (typeof wait === 'number') line.queueMs = wait;
    }
    log.info({ access: line }, `${line.method} ${line.path} ${line.status} ${line.ms}ms`);
  };

  const unsubscribe = usage.onRecord((rec) => {
    const wait = waiting.get(rec.id);
    if (wait) {
      waiting.delete(rec.id);
      clearTimeout(wait.timer);
      write(wait.line, rec);
    } else if (rec.surface !== 'graphql') recent.set(rec.id, rec);
  });
  const rotate = setInterval(() => {
    older = recent;
    recent = new Map();
  }, GENERATION_MS);
  rotate.unref();

  return {
    track(req, res) {
      const started = performance.now();
      res.once('close', () => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const line: Line = {
          method: req.method ?? 'GET',
          path: q === -1 ? url : url.slice(0, q),
          status: res.statusCode,
          key: keyPrefix(req),
          ms: Math.round(performance.now() - started),
        };
        if (!res.writableFinished) line.aborted = true;
        const id = res.getHeader('x-request-id');
        if (typeof id !== 'string') return write(line);
        const rec = recent.get(id) ?? older.get(id);
        if (rec) {
          recent.delete(id);
          older.delete(id);
          return write(line, rec);
        }
        // A finished response's run recorded before the end; a cut one records as it unwinds: wait briefly.
        if (!line.aborted) return write(line);
        const timer = setTimeout(() => {
          waiting.delete(id);
          write(line);
        }, RECORD_WAIT_MS);
        timer.unref();
        waiting.set(id, { line, timer });
      });
    },
    close() {
      unsubscribe();
      clearInterval(rotate);
      for (const { line, timer } of waiting.values()) {
        clearTimeout(timer);
        write(line);
      }
      waiting.clear();
    },
  };
}
