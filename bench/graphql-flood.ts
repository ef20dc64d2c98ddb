/**
 * GraphQL flood: how long oversized /graphql requests stall everyone else. Starts the gateway as a
 * real process (external PostgreSQL on 127.0.0.1:5432), pings /healthz every 5 ms and reports its
 * worst latency and the gateway's peak RSS while it sends: one 23.4 MB chat mutation with 780,000
 * messages and a valid key, the same chunked (no Content-Length), one without a key, the largest
 * bodies under MAX_BODY_BYTES, then 40 of the 23.4 MB ones at once without a key.
 * The event-loop block is measured inside the gateway (bench/loop-monitor.mjs, perf_hooks), /healthz
 * from a worker thread. Usage: npx tsx bench/graphql-flood.ts [--count 40]; PROF=1 also writes the
 * gateway's CPU profile to /tmp/prof.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm, chmod } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import pg from 'pg';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '40' }, admin: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' } },
});
const PORT = 20000 + Math.floor(Math.random() * 12000);
const adminKey = `bench-graphql-admin-${process.pid}`;
const dbName = `ogw_bench_${process.pid}`;

function startGateway(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), '--import', './bench/loop-monitor.mjs', 'server/main.ts'],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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

/** The gateway's longest event-loop delay since the previous call (bench/loop-monitor.mjs). */
function loopMax(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const on = (d: Buffer) => {
      const m = /loop-max ([\d.]+)/.exec(String(d));
      if (!m) return;
      child.stderr!.off('data', on);
      resolve(Number(m[1]));
    };
    child.stderr!.on('data', on);
    child.kill('SIGUSR2');
  });
}

async function rssMb(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** CPU time the process has used, user and system, in ms. */
async function cpuMs(pid: number): Promise<{ user: number; system: number }> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 }; // clock ticks of 10 ms
}

/** Bytes the process has read (files and sockets), in MB. */
async function readMb(pid: number): Promise<number> {
  return Number(/rchar: (\d+)/.exec(await readFile(`/proc/${pid}/io`, 'utf8'))![1]) / 1e6;
}

/**
 * Pings /healthz back to back (5 ms apart) from a worker thread, so that the sender's own work does
 * not count; stop() returns the worst latency seen.
 */
function pingLoop() {
  const worker = new Worker(
    `const http = require('node:http');
    const { parentPort, workerData } = require('node:worker_threads');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let worst = 0, running = true;
    parentPort.on('message', () => { running = false; });
    (async () => {
      while (running) {
        const t = performance.now();
        await new Promise((resolve) => http.get({ host: '127.0.0.1', port: workerData, path: '/healthz', agent }, (res) => res.resume().on('end', resolve)).on('error', resolve));
        worst = Math.max(worst, performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
      agent.destroy();
      parentPort.postMessage(worst);
    })();`,
    { eval: true, workerData: PORT },
  );
  return {
    stop: () =>
      new Promise<number>((resolve) => {
        worker.once('message', (worst: number) => void worker.terminate().then(() => resolve(worst)));
        worker.postMessage('stop');
      }),
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
    // A refused upload may be cut while it is still being written.
    req.on('socket', (socket) => socket.on('error', () => {}));
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
  gateway = await startGateway({
    PORT: String(PORT),
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl.toString(),
    DATA_DIR: dataDir,
    ADMIN_KEY: adminKey,
    OLLAMA_URL: 'http://127.0.0.1:1',
    LOG_LEVEL: 'info',
  });
  const messages = Array.from({ length: 780_000 }, () => ({ role: 'USER', content: 'x' }));
  const body = Buffer.from(
    JSON.stringify({ query: 'mutation C($input: ChatInput!) { chat(input: $input) { text } }', variables: { input: { model: 'echo', messages } } }),
  );
  console.log(`body: ${(body.length / 1e6).toFixed(1)} MB, ${messages.length} messages; gateway pid ${gateway.pid}`);
  const base = await rssMb(gateway.pid!);
  console.log(`load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  console.log(`idle RSS ${base.rss.toFixed(0)} MB`);

  const chat = (messages: number, content: string) =>
    Buffer.from(
      JSON.stringify({
        query: 'mutation C($input: ChatInput!) { chat(input: $input) { text } }',
        variables: { input: { model: 'echo', messages: Array.from({ length: messages }, () => ({ role: 'USER', content })) } },
      }),
    );
  const manyUnderLimit = chat(33_000, 'x'); // just under 1 MB, refused by the message cap after parsing
  const fullUnderLimit = chat(1000, 'y'.repeat(1000)); // the largest chat the gateway runs
  console.log(`under-limit bodies: ${manyUnderLimit.length} and ${fullUnderLimit.length} bytes`);
  for (const [name, run] of [
    ['idle for 1 s (machine noise)', async () => (await new Promise((r) => setTimeout(r, 1000)), { status: '-', ms: 1000 })],
    ['1 request, admin key, Content-Length', () => post(body, { key: adminKey })],
    ['1 request, admin key, chunked', () => post(body, { key: adminKey, chunked: true })],
    ['1 request, no key, Content-Length', () => post(body, {})],
    ['1 MB, 33,000 messages, admin key', () => post(manyUnderLimit, { key: adminKey })],
    ['1 MB, 1000 messages of 1 KB, admin key (runs)', () => post(fullUnderLimit, { key: adminKey })],
    ['the same again (warm)', () => post(fullUnderLimit, { key: adminKey })],
    [
      `${values.count} requests at once, no key`,
      async () => {
        const all = await Promise.all(Array.from({ length: Number(values.count) }, () => post(body, {})));
        return { status: [...new Set(all.map((r) => r.status))].join('/'), ms: Math.max(...all.map((r) => r.ms)) };
      },
    ],
  ] as const) {
    const ping = pingLoop();
    await new Promise((r) => setTimeout(r, 50));
    await loopMax(gateway);
    const cpu0 = await cpuMs(gateway.pid!);
    const read0 = await readMb(gateway.pid!);
    const r = await run();
    const blocked = await loopMax(gateway);
    const cpu1 = await cpuMs(gateway.pid!);
    const read = (await readMb(gateway.pid!)) - read0;
    const worst = await ping.stop();
    const mem = await rssMb(gateway.pid!);
    console.log(
      `${name}: status ${r.status} in ${r.ms.toFixed(0)} ms; event loop blocked up to ${blocked.toFixed(0)} ms; gateway CPU ${cpu1.user - cpu0.user} ms user + ${cpu1.system - cpu0.system} ms system, read ${read.toFixed(1)} MB; /healthz worst ${worst.toFixed(0)} ms; RSS now ${mem.rss.toFixed(0)} MB, peak ${mem.hwm.toFixed(0)} MB`,
    );
  }
} finally {
  gateway?.kill('SIGTERM');
  await new Promise((r) => gateway?.once('exit', r) ?? r(undefined));
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}
