import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Limiter, WINDOW_MS } from '../server/limits/limiter.ts';
import { createMemoryLimiter } from '../server/limits/memory.ts';
import { createRedisLimiter } from '../server/limits/redis.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';

let server: TestRedis;
const clients: Redis[] = [];
let n = 0;
/** A limiter on its own client (as a replica has) and a fresh key prefix per test. */
const limiter = (prefix = `t${n++}:`) => {
  const redis = new Redis(server.url, { commandTimeout: 2000, lazyConnect: false });
  clients.push(redis);
  return createRedisLimiter({ redis, prefix });
};

beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

describe('redis limiter', () => {
  it('accepts exactly the limit within a window and reports remaining', async () => {
    const l = limiter();
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await l.hit('k', 5, 1_000_000 + i));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
  });

  it('never allows more than the limit in ANY 60-second span', async () => {
    const l = limiter();
    const accepted: number[] = [];
    for (let t = 1; t < 5 * WINDOW_MS; t += 100) if ((await l.hit('k', 10, t)).allowed) accepted.push(t);
    for (const a of accepted) expect(accepted.filter((b) => b > a - WINDOW_MS && b <= a).length).toBeLessThanOrEqual(10);
    expect(accepted.length).toBe(50);
  });

  it('gives retry-after and reset from the request that frees a slot', async () => {
    const l = limiter();
    await l.hit('k', 2, 10_000);
    await l.hit('k', 2, 20_000);
    const denied = await l.hit('k', 2, 30_000);
    expect(denied).toMatchObject({ allowed: false, retryAfter: 40, reset: 70 });
    expect((await l.hit('k', 2, 70_001)).allowed).toBe(true);
  });

  it('answers like the memory limiter for the same token reservations', async () => {
    const redis = limiter();
    const memory = createMemoryLimiter();
    const steps = [
      { min: 60, max: 60, now: 1 },
      { min: 50, max: 50, now: 2 },
      { min: 40, max: 40, now: 3 },
      { min: 1, max: 1, now: 4 },
      { min: 10, max: 500, now: 30_000 },
      { min: 50, max: 50, now: WINDOW_MS + 2 },
      { min: 5, max: 1000, now: WINDOW_MS + 3 },
      { min: 101, max: 101, now: WINDOW_MS + 4 },
    ];
    for (const s of steps) {
      const a = await memory.reserveTokens({ key: 'k', limit: 100, ...s });
      const b = await redis.reserveTokens({ key: 'k', limit: 100, ...s });
      expect({ result: b.result, granted: b.granted }).toEqual({ result: a.result, granted: a.granted });
    }
    await memory.close?.();
  });

  it('settles a reservation to the real use, atomically with concurrent reservations', async () => {
    const l = limiter();
    const reserve = (n: number) => l.reserveTokens({ key: 'k', limit: 100, min: n, max: n });
    const [a, b, c] = await Promise.all([reserve(45), reserve(45), reserve(45)]);
    expect([a, b, c].filter((r) => r.result.allowed).length).toBe(2);
    const kept = [a, b, c].find((r) => r.result.allowed)!;
    await kept.settle(5); // 5 + 45 = 50: 50 left
    expect((await reserve(50)).result.allowed).toBe(true);
    expect((await reserve(1)).result.allowed).toBe(false);
  });

  it('grants as much of a flexible reservation as fits', async () => {
    const l = limiter();
    const a = await l.reserveTokens({ key: 'k', limit: 100, min: 10, max: 1034 });
    expect([a.result.allowed, a.granted, a.result.remaining]).toEqual([true, 100, 0]);
    await a.settle(30);
    expect((await l.reserveTokens({ key: 'k', limit: 100, min: 10, max: 1034 })).granted).toBe(70);
    expect((await l.reserveTokens({ key: 'k', limit: 100, min: 1, max: 5 })).result.allowed).toBe(false);
  });

  it('shares one window between limiters on separate connections (replicas): 90 concurrent hits, 60 pass', async () => {
    const prefix = `shared${n++}:`;
    const replicas: Limiter[] = [limiter(prefix), limiter(prefix), limiter(prefix)];
    const results = await Promise.all(Array.from({ length: 90 }, (_, i) => replicas[i % 3].hit('k', 60)));
    expect(results.filter((r) => r.allowed).length).toBe(60);
  });

  it('rejects (rather than answering) when Redis does not answer in time', async () => {
    const redis = new Redis(server.url, { commandTimeout: 100 });
    clients.push(redis);
    const l = createRedisLimiter({ redis, prefix: `slow${n++}:` });
    await l.hit('k', 5);
    const blocker = new Redis(server.url);
    clients.push(blocker);
    // Every client's commands wait, as with a stalled Redis; in force once it answers.
    await blocker.call('CLIENT', 'PAUSE', '500', 'ALL');
    await expect(l.hit('k', 5)).rejects.toThrow(/timed out/i);
  });
});
