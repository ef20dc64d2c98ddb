/**
 * Start-up time and memory, the TypeScript sources under tsx against the compiled build (dist/, what
 * `npm start` runs): milliseconds from spawn to the first 200 from /healthz, and the gateway process's
 * RSS once ready (the embedded PostgreSQL is separate processes, not counted). The data folder is
 * initialised once first, so every measured start is a restart. Usage: npx tsx bench/startup.ts [-- --runs 5]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, baseline: { type: 'string' } } });
const runs = Number(values.runs);
const PORT = 11790;
const modes: Record<string, { args: string[]; cwd?: string; env?: Record<string, string>; label: string }> = {
  tsx: { args: ['--import', 'tsx', 'server/main.ts'], label: 'tsx (`npm run dev`)' },
  compiled: { args: ['dist/main.js'], env: { MALLOC_ARENA_MAX: '2' }, label: 'compiled (`npm start`)' },
};
// --baseline DIR: a checkout of an older commit (with node_modules), started the way it was, under tsx.
if (values.baseline) modes.baseline = { args: ['--import', 'tsx', 'server/main.ts'], cwd: values.baseline, label: `baseline ${values.baseline} (tsx)` };

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function once({ args, cwd, env: own }: { args: string[]; cwd?: string; env?: Record<string, string> }, env: Record<string, string>) {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, ...own }, stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', r));
  let ms = 0;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 5));
    if (performance.now() - t0 > 60_000) throw new Error('gateway did not start in 60 s');
  }
  ms = performance.now() - t0;
  const rssReady = rssMb(child.pid!);
  await new Promise((r) => setTimeout(r, 2000));
  const rssIdle = rssMb(child.pid!);
  child.kill('SIGTERM');
  await exited;
  return { ms, rssReady, rssIdle };
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-startup-'));
await chmod(dataDir, 0o755);
const env = {
  DATA_DIR: dataDir,
  PORT: String(PORT),
  EMBEDDED_PG_PORT: '',
  OLLAMA_URL: 'http://127.0.0.1:1',
  ADMIN_KEY: 'startup-bench-admin-key-0123456789',
  LOG_FORMAT: 'json',
};
try {
  await once(modes.compiled, env); // initdb and migrations, not measured
  const results: Record<string, { ms: number; rssReady: number; rssIdle: number }[]> = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  for (let i = 0; i < runs; i++) for (const [mode, how] of Object.entries(modes)) results[mode].push(await once(how, env));
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\nStart-up to the first /healthz 200 (restart, embedded PostgreSQL), median of ${runs}; load average ${os.loadavg()[0].toFixed(2)}\n`);
  console.log('| | start-up (ms) | RSS when ready (MB) | RSS idle 2 s later (MB) |\n|---|---|---|---|');
  for (const [mode, rs] of Object.entries(results)) {
    console.log(
      `| ${modes[mode].label} | ${median(rs.map((r) => r.ms)).toFixed(0)} | ${median(rs.map((r) => r.rssReady)).toFixed(0)} | ${median(rs.map((r) => r.rssIdle)).toFixed(0)} |`,
    );
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
