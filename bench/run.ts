/**
 * REST throughput benchmark: the gateway (auth, per-key limits, usage accounting all on) against a
 * bare node:http reverse proxy, both in front of the same fast Ollama stand-in answering 100 tokens.
 * Needs `wrk` (Debian: apt-get install wrk). Usage: npm run bench [-- --duration 10 --connections 64]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '64' } } });
const run = promisify(execFile);
const node = [process.execPath, '--import', 'tsx'];
const children: ChildProcess[] = [];

function start(script: string, env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(node[0], [...node.slice(1), script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d;
      if (ready.test(out)) resolve({ child, out: () => out });
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}:\n${out}`)));
  });
}

async function wrk({ url, key, connections, duration }: { url: string; key?: string; connections: number; duration: number }) {
  const script = path.join(os.tmpdir(), `ogw-bench-${process.pid}.lua`);
  await writeFile(
    script,
    `wrk.method = "POST"\nwrk.body = '{"model":"bench:1b","messages":[{"role":"user","content":"Say something long"}]}'\nwrk.headers["Content-Type"] = "application/json"\n${key ? `wrk.headers["Authorization"] = "Bearer ${key}"\n` : ''}`,
  );
  const { stdout } = await run('wrk', [`-t${Math.min(2, connections)}`, `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)![1]);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(stdout)!;
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(stdout)!;
  const ms = (m: RegExpExecArray) => Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2]];
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { rps, p50: ms(p50), p99: ms(p99), non2xx };
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-bench-'));
await chmod(dataDir, 0o755);
try {
  await start('bench/upstream.ts', { PORT: '11500' }, /bench upstream/);
  await start('bench/bare-proxy.ts', { PORT: '11600', UPSTREAM: 'http://127.0.0.1:11500' }, /bare proxy/);
  const adminKey = `bench-admin-key-${process.pid}`;
  const env = {
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: '55990',
    PORT: '11700',
    OLLAMA_URL: 'http://127.0.0.1:11500',
    ADMIN_KEY: adminKey,
    LOG_LEVEL: 'info',
    OLLAMA_PARALLEL: '256',
  };
  // Slots enough for every connection: this run measures the gateway's overhead, not its queue (bench/scheduler.ts does that).
  await start('server/main.ts', env, /gateway ready/);
  // A user key with a limit high enough that the limiter counts every request but refuses none.
  const { stdout } = await run(node[0], [...node.slice(1), 'server/cli/keys.ts', 'create', '--name', 'bench', '--rpm', '1000000', '--json'], {
    env: { ...process.env, ...env },
  });
  const key = JSON.parse(stdout).key as string;
  const duration = Number(values.duration);
  const connections = Number(values.connections);

  const rows = [];
  for (const c of [1, connections]) {
    const bare = await wrk({ url: 'http://127.0.0.1:11600/api/chat', connections: c, duration });
    const gateway = await wrk({ url: 'http://127.0.0.1:11700/api/chat', key, connections: c, duration });
    rows.push({ connections: c, bare, gateway, ratio: gateway.rps / bare.rps });
  }
  console.log(`\nREST /api/chat, 100-token answers, ${duration} s per run, ${os.cpus().length} cores (load generator on the same machine)\n`);
  console.log('connections | bare proxy req/s | gateway req/s | ratio | p50 bare / gateway (ms) | p99 bare / gateway (ms) | gateway non-2xx');
  for (const r of rows) {
    console.log(
      `${String(r.connections).padStart(11)} | ${r.bare.rps.toFixed(0).padStart(16)} | ${r.gateway.rps.toFixed(0).padStart(13)} | ${r.ratio.toFixed(2).padStart(5)} | ${r.bare.p50.toFixed(2)} / ${r.gateway.p50.toFixed(2)} | ${r.bare.p99.toFixed(2)} / ${r.gateway.p99.toFixed(2)} | ${r.gateway.non2xx}`,
    );
  }
} finally {
  for (const c of children.reverse()) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 3000));
  await rm(dataDir, { recursive: true, force: true });
}
