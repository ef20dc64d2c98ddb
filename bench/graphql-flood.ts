/**
 * GraphQL flood: how long oversized /graphql requests stall everyone else. Starts the gateway as a
 * real process (external PostgreSQL on 127.0.0.1:5432), pings /healthz every 5 ms and reports its
 * worst latency and the gateway's peak RSS while it sends: one 23.5 MB chat mutation with 850,000
 * messages and a valid key, the same chunked (no Content-Length), then 40 of them without a key.
 * Usage: npx tsx bench/graphql-flood.ts [-- --count 40]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm, chmod } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({ options: { count: { type: 'string', default: '40' }, admin: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' } } });
const PORT = 20000 + Math.floor(Math.random() * 12000);
const adminKey = `bench-graphql-admin-${process.pid}`;
const dbName = `ogw_bench_${process.pid}`;

function startGateway(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d;
      if (/gateway ready/.test(out)) resolve(child);
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}:\n${out}`)));
  });
}

async function rssMb(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Pings /healthz back to back (5 ms apart) until stopped; returns the worst latency seen. */
function pingLoop() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let worst = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      await new Promise<void>((resolve) => {
        http.get({ host: '127.0.0.1', port: PORT, path: '/healthz', agent }, (res) => res.resume().on('end', resolve)).on('error', () => resolve());
      });
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      agent.destroy();
      return worst;
    },
  };
}

/** POSTs a body to /graphql; chunked sends it in 64 KB writes without a Content-Length. */
function post(body: Buffer, { key, chunked = false }: { key?: string; chunked?: boolean }): Promise<{ status: number; ms: number }> {
  const t = performance.now();
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    if (!chunked) headers['content-length'] = body.length;
    const req = http.request({ host: '127.0.0.1', port: PORT, path: '/graphql', method: 'POST', headers }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t }));
    });
    req.on('error', () => resolve({ status: -1, ms: performance.now() - t }));
    if (!chunked) req.end(body);
    else {
      let off = 0;
      const write = () => {
        while (off < body.length) {
          const ok = req.write(body.subarray(off, off + 65536));
          off += 65536;
          if (!ok) return void req.once('drain', write);
        }
        req.end();
      };
      write();
    }
  });
}

const admin = new pg.Client({ connectionString: values.admin });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(values.admin);
dbUrl.pathname = `/${dbName}`;
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-bench-gql-'));
await chmod(dataDir, 0o755);
let gateway: ChildProcess | undefined;
try {
  gateway = await startGateway({ PORT: String(PORT), HOST: '127.0.0.1', DATABASE_URL: dbUrl.toString(), DATA_DIR: dataDir, ADMIN_KEY: adminKey, OLLAMA_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'info' });
  const messages = Array.from({ length: 780_000 }, () => ({ role: 'USER', content: 'x' }));
  const body = Buffer.from(JSON.stringify({ query: 'mutation C($input: ChatInput!) { chat(input: $input) { text } }', variables: { input: { model: 'echo', messages } } }));
  console.log(`body: ${(body.length / 1e6).toFixed(1)} MB, ${messages.length} messages; gateway pid ${gateway.pid}`);
  const base = await rssMb(gateway.pid!);
  console.log(`idle RSS ${base.rss.toFixed(0)} MB`);

  for (const [name, run] of [
    ['1 request, admin key, Content-Length', () => post(body, { key: adminKey })],
    ['1 request, admin key, chunked', () => post(body, { key: adminKey, chunked: true })],
    ['1 request, no key, Content-Length', () => post(body, {})],
    [`${values.count} requests at once, no key`, async () => {
      const all = await Promise.all(Array.from({ length: Number(values.count) }, () => post(body, {})));
      return { status: [...new Set(all.map((r) => r.status))].join('/'), ms: Math.max(...all.map((r) => r.ms)) };
    }],
  ] as const) {
    const ping = pingLoop();
    await new Promise((r) => setTimeout(r, 50));
    const r = await run();
    const worst = await ping.stop();
    const mem = await rssMb(gateway.pid!);
    console.log(`${name}: status ${r.status} in ${r.ms.toFixed(0)} ms; /healthz worst ${worst.toFixed(0)} ms; RSS now ${mem.rss.toFixed(0)} MB, peak ${mem.hwm.toFixed(0)} MB`);
  }
} finally {
  gateway?.kill('SIGTERM');
  await new Promise((r) => gateway?.once('exit', r) ?? r(undefined));
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}
