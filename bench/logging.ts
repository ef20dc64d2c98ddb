/**
 * What the access log and metrics cost on the hot path: the same gateway process (built-in echo model,
 * external PostgreSQL) with ACCESS_LOG=true (JSON lines to /dev/null) and ACCESS_LOG=false, under the
 * same closed-loop load from undici. Usage: npx tsx bench/logging.ts [-- --seconds 5 --connections 32]
 * Needs a PostgreSQL at BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { execFile, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { applyMigrations } from '../server/db/migrate.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '32' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = `ogw_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
await applyMigrations({ connectionString: url.toString() });
const adminKey = `ogw_bench_admin_key_${process.pid}_abcdef`;
// A key with a limit high enough not to be the bottleneck, made as an operator would.
const created = await new Promise<string>((resolve, reject) =>
  execFile(
    process.execPath,
    ['--import', 'tsx', 'server/cli/keys.ts', 'create', '--name', 'bench', '--rpm', '1000000', '--json'],
    { env: { ...process.env, DATABASE_URL: url.toString() } },
    (err, stdout) => (err ? reject(err) : resolve(stdout)),
  ),
);
const key: string = JSON.parse(created).key;

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

async function measure(accessLog: boolean) {
  const port = await freePort();
  const out = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url.toString(),
      ADMIN_KEY: adminKey,
      PORT: String(port),
      OLLAMA_URL: 'http://127.0.0.1:1',
      LOG_FORMAT: 'json',
      ACCESS_LOG: String(accessLog),
      DATA_DIR: `/tmp/${name}`,
    },
    stdio: ['ignore', out, 'pipe'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections });
  const body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'a short benchmark message of ten words or so' }] });
  const one = async () => {
    const r = await pool.request({ path: '/api/chat', method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    await r.body.text();
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
  };
  // Warm up, then count completed requests for `seconds`.
  const warm = Date.now() + 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < warm) await one();
    }),
  );
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        await one();
        done++;
      }
    }),
  );
  await pool.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return done / seconds;
}

try {
  const results: Record<string, number[]> = { off: [], on: [] };
  for (let round = 0; round < 3; round++) {
    results.off.push(await measure(false));
    results.on.push(await measure(true));
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`requests/s, ${connections} connections, ${seconds} s per run`);
  console.log(`ACCESS_LOG=false: ${fmt(results.off)}`);
  console.log(`ACCESS_LOG=true:  ${fmt(results.on)}`);
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
