/**
 * Three gateway processes on one PostgreSQL and a private Redis, as replicas behind a load balancer:
 * limits are exact across them while Redis answers, split between them (never open) while it does not,
 * and exact again when it returns; no request gets a 5xx because of Redis.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { runKeys, spawnGateway, type GatewayProcess } from './support/process.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';

let db: TestDatabase;
let redis: TestRedis;
let dataDir: string;
const replicas: GatewayProcess[] = [];
const adminKey = 'redis-replica-admin-key-0123456789';

const createKey = async (args: string[]) => {
  const created = await runKeys(['create', '--json', ...args], { DATABASE_URL: db.url });
  expect(created.code).toBe(0);
  return JSON.parse(created.stdout) as { id: string; key: string };
};

beforeAll(async () => {
  [db, redis] = await Promise.all([createTestDatabase(), startTestRedis()]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-redis-replicas-'));
  await chmod(dataDir, 0o755);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_TIMEOUT_MS: '300',
    ADMIN_KEY: adminKey,
    OLLAMA_URL: 'http://127.0.0.1:1',
    ACCESS_LOG: 'false',
  };
  // One after the other: each checks the migrations at start-up under the schema engine's lock.
  for (const name of ['a', 'b', 'c']) replicas.push(await spawnGateway({ ...env, DATA_DIR: path.join(dataDir, name) }));
  // Each counts the others through its heartbeats before the limits are split.
  await new Promise((r) => setTimeout(r, 2500));
}, 90_000);

afterAll(async () => {
  for (const r of replicas) r.signalGroup('SIGTERM');
  await Promise.all(replicas.map((r) => r.exited));
  await redis?.stop();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const models = (url: string, key: string) => fetch(`${url}/api/models`, { headers: { authorization: `Bearer ${key}` } });
const readiness = async (url: string) => (await fetch(`${url}/readyz`)).json() as Promise<{ status: string; reason?: string }>;

/** n requests spread round-robin over the replicas, all at once; their statuses. */
const burst = (key: string, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => models(replicas[i % replicas.length].url, key).then((r) => r.status)));
const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('replicas sharing Redis', () => {
  it('lets exactly 60 of 90 concurrent requests on a 60/min key through, spread over three replicas', async () => {
    const { key } = await createKey(['--name', 'burst', '--tier', 'standard']);
    for (const r of replicas) expect(await within(1000, async () => (await readiness(r.url)).status === 'ready')).toBe(true);
    const statuses = await burst(key, 90);
    expect(count(statuses, 200)).toBe(60);
    expect(count(statuses, 429)).toBe(30);
  });

  it('shares a tokens/min budget across replicas: what they admit together stays within it', async () => {
    const { key } = await createKey(['--name', 'tokens', '--tier', 'standard', '--rpm', '1000', '--tpm', '400']);
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const res = await fetch(`${replicas[i % 3].url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: words }], max_tokens: 20 }),
        });
        const body = await res.json();
        return { status: res.status, tokens: res.status === 200 ? (body.usage.total_tokens as number) : 0 };
      }),
    );
    const used = results.reduce((n, r) => n + r.tokens, 0);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.some((r) => r.status === 429)).toBe(true);
    // Each replica alone would admit up to 400: together they stay within one budget.
    expect(used).toBeLessThanOrEqual(400);
    expect(used).toBeGreaterThan(0);
  });

  it('shows a usage event from replica 2 to a usageEvents subscriber on replica 1', async () => {
    const { id, key } = await createKey(['--name', 'feed']);
    const client = createClient({
      url: `${replicas[0].url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${adminKey}` },
      retryAttempts: 0,
    });
    const events = client.iterate<{ usageEvents: { endpoint: string; model: string; apiKeyId: string } }>({
      query: 'subscription { usageEvents { endpoint model apiKeyId } }',
    });
    try {
      // The subscription is live once a record made on replica 1 itself comes through.
      const first = events.next();
      let live = false;
      void first.then(() => (live = true));
      for (let i = 0; i < 50 && !live; i++) {
        await fetch(`${replicas[0].url}/api/generate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'echo', prompt: 'here' }),
        });
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(live).toBe(true);
      const res = await fetch(`${replicas[1].url}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'from replica two' }] }),
      });
      expect(res.status).toBe(200);
      // Skip what replica 1 recorded itself (/api/generate): the next /api/chat record came from replica 2.
      let seen: { endpoint: string; model: string; apiKeyId: string } | undefined;
      while (!seen) {
        const next = await events.next();
        if (next.done) break;
        if (next.value.data?.usageEvents.endpoint === '/api/chat') seen = next.value.data.usageEvents;
      }
      expect(seen).toMatchObject({ endpoint: '/api/chat', model: 'echo', apiKeyId: id });
    } finally {
      await events.return?.();
      await client.dispose();
    }
  });

  it('lists the three live replicas, with their Redis state, to an admin', async () => {
    const res = await fetch(`${replicas[2].url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ replicas { id version live redisState current inFlight startedAt lastHeartbeat } }' }),
    });
    const { data } = await res.json();
    const live = data.replicas.filter((r: { live: boolean }) => r.live);
    expect(live).toHaveLength(3);
    expect(live.every((r: { redisState: string; version: string }) => r.redisState === 'up' && r.version === '0.1.0')).toBe(true);
    expect(live.filter((r: { current: boolean }) => r.current)).toHaveLength(1);
  });

  it('refuses a revoked key on every replica within a second', async () => {
    const { id, key } = await createKey(['--name', 'revoked']);
    for (const r of replicas) expect(await within(1000, async () => (await models(r.url, key)).status === 200)).toBe(true);
    expect((await runKeys(['revoke', id], { DATABASE_URL: db.url })).code).toBe(0);
    const started = Date.now();
    for (const r of replicas) expect(await within(1000, async () => (await models(r.url, key)).status === 401)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('survives Redis dying mid-load: no 5xx, /readyz degraded, each replica held to its share; exact again once Redis returns', async () => {
    const { key } = await createKey(['--name', 'outage', '--tier', 'standard']);
    const { key: after } = await createKey(['--name', 'after-outage', '--tier', 'standard']);
    // Load on the key while Redis is killed underneath it.
    const before = burst(key, 30);
    await new Promise((r) => setTimeout(r, 5));
    await redis.kill();
    const statuses = [...(await before), ...(await burst(key, 60))];
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(count(statuses, 200) + count(statuses, 429)).toBe(90);
    // Never open: within the limit in total (20 per replica of three), and not shut either.
    expect(count(statuses, 200)).toBeLessThanOrEqual(60);
    expect(count(statuses, 200)).toBeGreaterThanOrEqual(30);
    for (const r of replicas) {
      const ready = await fetch(`${r.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'degraded', reason: expect.stringMatching(/redis/) });
    }
    // A fresh key while Redis is down: 20 per replica, 60 in all.
    const { key: fresh } = await createKey(['--name', 'during-outage', '--tier', 'standard']);
    const split = await burst(fresh, 90);
    expect(split.filter((s) => s >= 500)).toEqual([]);
    expect(count(split, 200)).toBe(60);
    for (const r of replicas) expect(await within(2000, async () => /redis down/.test(r.output()))).toBe(true);

    await redis.restart();
    for (const r of replicas) expect(await within(5000, async () => (await readiness(r.url)).status === 'ready')).toBe(true);
    // Uneven on purpose: 80 requests to one replica, 10 to another. Split limits would give 20 + 10.
    const uneven = await Promise.all(Array.from({ length: 90 }, (_, i) => models(replicas[i < 80 ? 0 : 1].url, after).then((r) => r.status)));
    expect(count(uneven, 200)).toBe(60);
    for (const r of replicas) {
      // Log lines reach stdout in batches (up to 100 ms late): wait for the line, then count.
      expect(await within(2000, async () => /redis answering again/.test(r.output()))).toBe(true);
      expect(r.output().match(/redis down/g)?.length).toBe(1);
    }
  }, 30_000);
});
