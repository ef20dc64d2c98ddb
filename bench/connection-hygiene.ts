/**
 * Connection hygiene, measured against a real gateway process: how long a slow-header socket, silent
 * sockets and an idle keep-alive socket stay open, and how long a 64 MB single-line upstream answer
 * takes to fail. Needs a PostgreSQL at DATABASE_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
 * Usage: tsx bench/connection-hygiene.ts [--cap 75] [--silent 500] [-- env overrides as NAME=value ...]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startOllamaEmulator } from '../tests/support/ollama-emulator.ts';

const { values, positionals } = parseArgs({
  options: { cap: { type: 'string', default: '75' }, silent: { type: 'string', default: '500' } },
  allowPositionals: true,
});
const capMs = Number(values.cap) * 1000;
const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Resolves with the ms until the server closed the socket, or undefined if still open at the cap. */
function closedAfter(socket: net.Socket, started: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, capMs);
    const done = () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    };
    socket.on('error', () => {});
    socket.once('close', done);
    socket.once('end', done);
  });
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    // Read (and drop) what the server sends: a socket that is not read never sees the server's close.
    s.resume();
  });
}

async function slowHeaders(port: number): Promise<number | undefined> {
  const s = await connect(port);
  const started = Date.now();
  const text = `GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ${'a'.repeat(1000)}`;
  let i = 0;
  const timer = setInterval(() => (s.writable && i < text.length ? s.write(text[i++]!) : clearInterval(timer)), 2000);
  const ms = await closedAfter(s, started);
  clearInterval(timer);
  return ms;
}

async function silent(port: number, n: number): Promise<{ closed: number; longestMs?: number }> {
  const sockets = await Promise.all(Array.from({ length: n }, () => connect(port)));
  const started = Date.now();
  const results = await Promise.all(sockets.map((s) => closedAfter(s, started)));
  const closed = results.filter((r) => r !== undefined) as number[];
  return { closed: closed.length, longestMs: closed.length === n ? Math.max(...closed) : undefined };
}

async function idleKeepAlive(port: number): Promise<number | undefined> {
  const s = await connect(port);
  const answered = new Promise<void>((resolve) => s.once('data', () => resolve()));
  s.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
  await answered;
  return closedAfter(s, Date.now());
}

async function bigLine(url: string, key: string): Promise<{ ms: number; status: number; bytes: number }> {
  const started = Date.now();
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  return { ms: Date.now() - started, status: res.status, bytes };
}

const ollama = await startOllamaEmulator({ behavior: { reply: () => ['x'.repeat(64 * 1024 * 1024)] } });
const dbName = `ogw_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-hygiene-'));
const adminKey = `bench-admin-${randomBytes(8).toString('hex')}`;
const overrides = Object.fromEntries(positionals.map((p) => p.split('=') as [string, string]));
const env = {
  ...process.env,
  DATABASE_URL: dbUrl.toString(),
  DATA_DIR: dataDir,
  PORT: '0',
  OLLAMA_URL: ollama.url,
  ADMIN_KEY: adminKey,
  LOG_LEVEL: 'info',
  ...overrides,
};
const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const on = (d: Buffer) => {
      out += d;
      const m = /"url":"(http:[^"]+)".*gateway ready/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}:\n${out}`)));
  });
  const port = Number(new URL(url).port);
  // The first model sync runs in the background: wait until the emulator's model is listed.
  for (let listed = false; !listed; await new Promise((r) => setTimeout(r, 100))) {
    const res = await fetch(`${url}/api/models`, { headers: { authorization: `Bearer ${adminKey}` } });
    listed = ((await res.json()) as { models?: Array<{ id: string }> }).models?.some((m) => m.id === 'llama3.2:latest') ?? false;
  }
  const [slow, quiet, idle, line] = await Promise.all([slowHeaders(port), silent(port, Number(values.silent)), idleKeepAlive(port), bigLine(url, adminKey)]);
  const fmt = (ms: number | undefined) => (ms === undefined ? `still open at ${capMs / 1000} s` : `closed after ${(ms / 1000).toFixed(1)} s`);
  console.log(`slow headers (1 byte / 2 s): ${fmt(slow)}`);
  console.log(
    `${values.silent} silent sockets: ${quiet.closed} closed; ${quiet.longestMs === undefined ? `some still open at ${capMs / 1000} s` : `all closed after ${(quiet.longestMs / 1000).toFixed(1)} s`}`,
  );
  console.log(`idle keep-alive socket after one answer: ${fmt(idle)}`);
  console.log(`64 MB single-line answer: HTTP ${line.status}, ${line.bytes} bytes relayed, ended after ${(line.ms / 1000).toFixed(2)} s`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await ollama.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}
