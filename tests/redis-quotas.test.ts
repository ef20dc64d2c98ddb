/**
 * Quotas across two gateway processes sharing a private Redis and one PostgreSQL: a key's daily
 * requests and tokens are exact under 100 concurrent requests spread over both, set with the CLI.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { runKeys, spawnGateway, type GatewayProcess } from './support/process.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';

let db: TestDatabase;
let redis: TestRedis;
let dataDir: string;
const replicas: GatewayProcess[] = [];

const createKey = async (args: string[]) => {
  const created = await runKeys(['create', '--json', '--name', 'quota', '--rpm', '100000', ...args], { DATABASE_URL: db.url });
  expect(created.code, created.stderr).toBe(0);
  return JSON.parse(created.stdout) as { id: string; key: string; daily_requests: number | null; daily_tokens: number | null };
};

beforeAll(async () => {
  [db, redis] = await Promise.all([createTestDatabase(), startTestRedis()]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-redis-quotas-'));
  await chmod(dataDir, 0o755);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    ADMIN_KEY: 'redis-quota-admin-key-0123456789',
    OLLAMA_URL: 'http://127.0.0.1:1',
    ACCESS_LOG: 'false',
    USAGE_FLUSH_MS: '50',
  };
  for (const name of ['a', 'b']) replicas.push(await spawnGateway({ ...env, DATA_DIR: path.join(dataDir, name) }));
}, 90_000);

afterAll(async () => {
  for (const r of replicas) r.signalGroup('SIGTERM');
  await Promise.all(replicas.map((r) => r.exited));
  await redis?.stop();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const chat = (i: number, key: string) =>
  fetch(`${replicas[i % 2].url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'a b c d' }], max_tokens: 4 }),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

async function rowsOf(keyId: string, expected: number) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    // The replicas write their usage every 50 ms: wait for every request's row.
    for (let i = 0; i < 200; i++) {
      const { rows } = await client.query('SELECT status, "promptTokens" + "completionTokens" AS tokens FROM "UsageRecord" WHERE "apiKeyId" = $1', [keyId]);
      if (rows.length >= expected) return rows as Array<{ status: number; tokens: number }>;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('usage rows missing');
  } finally {
    await client.end();
  }
}

describe('quotas shared by replicas through Redis', () => {
  it('--daily-requests 37: exactly 37 of 100 concurrent requests over two replicas succeed', async () => {
    const k = await createKey(['--daily-requests', '37']);
    expect(k.daily_requests).toBe(37);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => chat(i, k.key)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(37);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(63);
    for (const r of refused) expect(r.body.error.code).toBe('quota_exceeded');
    const rows = await rowsOf(k.id, 100);
    expect(rows.filter((r) => r.status === 200)).toHaveLength(37);
    expect(rows.filter((r) => r.status === 429)).toHaveLength(63);
  });

  it('--daily-tokens 80: exactly 10 requests of 8 tokens over two replicas, and a quota set later with `keys update`', async () => {
    const k = await createKey(['--daily-tokens', '80']);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => chat(i, k.key)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    const rows = await rowsOf(k.id, 100);
    expect(rows.reduce((n, r) => n + Number(r.tokens), 0)).toBe(80);

    const updated = await runKeys(['update', k.id, '--daily-tokens', 'none', '--daily-requests', '2', '--json'], { DATABASE_URL: db.url });
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ daily_tokens: null, daily_requests: 2 });
    // The change reaches both replicas through the change feed; today's 100 requests already passed 2.
    let status = 0;
    for (let i = 0; i < 100 && status !== 429; i++) {
      status = (await chat(i, k.key)).status;
      if (status !== 429) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(429);
  });
});
