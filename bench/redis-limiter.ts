/**
 * What the shared (Redis) limiter costs. Part 1, in process: the µs per rate-limit check of the memory
 * limiter and of the Redis limiter (one at a time, and 64 in flight). Part 2, real gateways on one
 * PostgreSQL database: GET /api/models req/s with the memory limiter, and with Redis on 1 and 2
 * replicas. A private redis-server on a free port; the load generator is this process (node:http,
 * keep-alive), on the same machine. Usage: npx tsx bench/redis-limiter.ts [-- --seconds 5 --connections 64]
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { applyMigrations } from '../server/db/migrate.ts';
import { createMemoryLimiter } from '../server/limits/memory.ts';
import { createRedisLimiter } from '../server/limits/redis.ts';
import { runKeys, spawnGateway, type GatewayProcess } from '../tests/support/process.ts';
import { startTestRedis } from '../tests/support/redis.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    pg: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

async function perCall(label: string, n: number, fn: (i: number) => unknown) {
  for (let i = 0; i < 1000; i++) await fn(i); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`${label.padEnd(52)} ${us.toFixed(1).padStart(8)} µs/check`);
}

async function inFlight(label: string, n: number, concurrency: number, fn: (i: number) => unknown) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `${label.padEnd(52)} ${Math.round(n / s)
      .toString()
      .padStart(8)} checks/s`,
  );
}

/** GET /api/models from `connections` keep-alive connections spread over the urls, for `seconds`. */
async function load(urls: string[], key: string): Promise<{ rps: number; other: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let done = 0;
  let other = 0;
  const until = Date.now() + seconds * 1000;
  const one = (url: URL) =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
        if (res.statusCode === 200) done++;
        else other++;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => {
        other++;
        resolve();
      });
    });
  const targets = urls.map((u) => new URL('/api/models', u));
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      while (Date.now() < until) await one(targets[i % targets.length]);
    }),
  );
  agent.destroy();
  return { rps: Math.round(done / seconds), other };
}

const redis = await startTestRedis();
const name = `ogw_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: values.pg });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = new URL(values.pg);
dbUrl.pathname = `/${name}`;
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-bench-redis-'));
await chmod(dataDir, 0o755);
const gateways: GatewayProcess[] = [];

try {
  console.log(`Part 1: one limiter check (hit), in process; Redis ${redis.url} (private redis-server)`);
  const memory = createMemoryLimiter();
  await perCall('memory limiter, one at a time', 200_000, (i) => memory.hit(`k${i % 100}`, 1e9));
  const client = new Redis(redis.url, { commandTimeout: 1000 });
  const shared = createRedisLimiter({ redis: client });
  await perCall('redis limiter, one at a time (round trip + Lua)', 20_000, (i) => shared.hit(`k${i % 100}`, 1e9));
  await inFlight(`redis limiter, ${connections} in flight`, 100_000, connections, (i) => shared.hit(`k${i % 100}`, 1e9));
  await perCall('redis token reservation + settlement, one at a time', 10_000, async (i) => {
    const r = await shared.reserveTokens({ key: `t${i % 100}`, limit: 1e9, min: 10, max: 100 });
    await r.settle(50);
  });
  client.disconnect();
  await memory.close?.();

  console.log(`\nPart 2: real gateways, GET /api/models, ${connections} connections, ${seconds} s each, one PostgreSQL`);
  await applyMigrations({ connectionString: dbUrl.toString() });
  const base = { DATABASE_URL: dbUrl.toString(), OLLAMA_URL: 'http://127.0.0.1:1', ACCESS_LOG: 'false', LOG_LEVEL: 'warn' };
  const created = await runKeys(['create', '--name', 'bench', '--rpm', '1000000', '--json'], { DATABASE_URL: dbUrl.toString() });
  if (created.code !== 0) throw new Error(created.stderr);
  const key = JSON.parse(created.stdout).key as string;
  const spawn = async (env: Record<string, string>, dir: string) => {
    const gw = await spawnGateway({ ...base, ...env, LOG_LEVEL: 'info', DATA_DIR: path.join(dataDir, dir) });
    gateways.push(gw);
    return gw;
  };
  const stopAll = async () => {
    for (const g of gateways.splice(0)) {
      g.signalGroup('SIGTERM');
      await g.exited;
    }
  };
  const report = (label: string, r: { rps: number; other: number }) =>
    console.log(`${label.padEnd(52)} ${r.rps.toString().padStart(8)} req/s${r.other ? ` (${r.other} not 200)` : ''}`);

  const mem = await spawn({}, 'm');
  await load([mem.url], key); // warm-up
  report('1 replica, memory limiter (no REDIS_URL)', await load([mem.url], key));
  await stopAll();

  const a = await spawn({ REDIS_URL: redis.url }, 'a');
  await load([a.url], key);
  report('1 replica, Redis limiter', await load([a.url], key));
  const b = await spawn({ REDIS_URL: redis.url }, 'b');
  await load([b.url], key);
  report('2 replicas, Redis limiter (load split evenly)', await load([a.url, b.url], key));
  await stopAll();
} finally {
  for (const g of gateways) g.signalGroup('SIGTERM');
  await Promise.all(gateways.map((g) => g.exited));
  await redis.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}
