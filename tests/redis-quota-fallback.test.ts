/**
 * Quotas with REDIS_URL when Redis fails: counters in Redis while it answers; when it dies, the
 * replica goes on from the usage table (its share of what was left), with no 5xx and no quota
 * opened; a Redis that comes back empty is seeded again from the usage table.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';

let gw: TestGateway;
let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
  gw = await startGateway({ env: { REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '200' } });
});
afterAll(async () => {
  await gw?.stop();
  await redis?.stop();
});

const chat = async (key: string) => {
  const r = await gw.request('/api/chat', { method: 'POST', key, json: { model: 'echo', messages: [{ role: 'user', content: 'a b c d' }], max_tokens: 4 } });
  return { status: r.status, body: await r.json() };
};
const readiness = async () => ((await (await fetch(`${gw.url}/readyz`)).json()) as { status: string }).status;

async function until(ms: number, check: () => Promise<boolean>) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('quotas when Redis fails', () => {
  it('adds what was counted while Redis stalled to its counters once it answers again', async () => {
    expect(await until(3000, async () => (await readiness()) === 'ready')).toBe(true);
    const k = await gw.createKey({ rpmLimit: 1000, dailyRequests: 10 });
    for (let i = 0; i < 4; i++) expect((await chat(k.secret)).status).toBe(200);
    const client = new Redis(redis.url);
    const counter = `ogw:quota:{${k.id}}:key:${k.id}:daily_requests:${gw.app.services.quotas.periodOf('day').id}`;
    try {
      expect(await client.get(counter)).toBe('4');
      const blocker = new Redis(redis.url);
      await blocker.call('CLIENT', 'PAUSE', '2000', 'ALL');
      blocker.disconnect();
      for (let i = 0; i < 3; i++) expect((await chat(k.secret)).status).toBe(200);
      expect(await readiness()).toBe('degraded');
      expect(await until(5000, async () => (await readiness()) === 'ready')).toBe(true);
      expect(await until(2000, async () => (await client.get(counter)) === '7')).toBe(true);
    } finally {
      client.disconnect();
    }
    const rest = [];
    for (let i = 0; i < 4; i++) rest.push((await chat(k.secret)).status);
    expect(rest).toEqual([200, 200, 200, 429]);
  });

  it('counts in Redis, goes on from the usage table while Redis is down, and seeds an empty Redis again', async () => {
    expect(await until(3000, async () => (await readiness()) === 'ready')).toBe(true);
    const k = await gw.createKey({ rpmLimit: 1000, dailyRequests: 10 });
    for (let i = 0; i < 4; i++) expect((await chat(k.secret)).status).toBe(200);
    const client = new Redis(redis.url);
    const day = gw.app.services.quotas.periodOf('day');
    expect(await client.get(`ogw:quota:{${k.id}}:key:${k.id}:daily_requests:${day.id}`)).toBe('4');
    client.disconnect();

    await redis.kill();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await chat(k.secret));
    expect(during.filter((r) => r.status >= 500)).toEqual([]);
    // One replica: all of what was left (6 of 10) and not one more.
    expect(during.filter((r) => r.status === 200)).toHaveLength(6);
    expect(during.filter((r) => r.status === 429).map((r) => r.body.error.code)).toEqual(Array(4).fill('quota_exceeded'));

    await redis.restart();
    expect(await until(5000, async () => (await readiness()) === 'ready')).toBe(true);
    // Redis lost its counters: they start again from the usage table, where all 10 are.
    const after = await chat(k.secret);
    expect(after.status).toBe(429);
    expect(after.body.error.code).toBe('quota_exceeded');
  });
});
