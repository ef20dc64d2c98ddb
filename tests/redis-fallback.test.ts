/**
 * The resilient limiter on a real, private redis-server: a stalled Redis costs a request at most the
 * timeout, then the replica enforces its share of the limit locally; it returns to Redis by itself.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLimiter } from '../server/limits/redis.ts';
import { createResilientLimiter } from '../server/limits/resilient.ts';
import { createRedisLink, type RedisLink } from '../server/replicas/redis.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';

let server: TestRedis;
let link: RedisLink;
const lines: Array<{ level: string; msg: string }> = [];
const line = (level: string) => (obj: object | string, msg?: string) => lines.push({ level, msg: typeof obj === 'string' ? obj : (msg ?? '') });
const log = { info: line('info'), warn: line('warn') };

beforeAll(async () => {
  server = await startTestRedis();
  link = await createRedisLink({ url: server.url, timeoutMs: 150, log });
});
afterAll(async () => {
  await link?.close();
  await server?.stop();
});

async function until(ms: number, check: () => boolean) {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('resilient limiter', () => {
  it('falls back to limit / live replicas when Redis stalls, within the timeout, and returns to exact shared limits', async () => {
    expect(link.state).toBe('up');
    const limiter = createResilientLimiter({ shared: createRedisLimiter({ redis: link.client, prefix: 'fb:' }), link, replicas: () => 3 });
    // Shared while Redis answers: the whole limit of 9.
    expect((await limiter.hit('a', 9)).remaining).toBe(8);

    const blocker = new Redis(server.url);
    // Every client's commands wait for a second, as with a stalled Redis; in force once it answers.
    await blocker.call('CLIENT', 'PAUSE', '1000', 'ALL');
    const started = Date.now();
    const first = await limiter.hit('b', 9);
    expect(Date.now() - started).toBeLessThan(600);
    expect(first).toMatchObject({ allowed: true, limit: 3 });
    expect(link.state).toBe('down');
    expect(link.reason).toMatch(/redis did not answer in time/);
    // This replica's share of 9 over 3 replicas: 3 in all, the first included.
    const rest = await Promise.all(Array.from({ length: 5 }, () => limiter.hit('b', 9)));
    expect(rest.filter((r) => r.allowed).length).toBe(2);

    blocker.disconnect();
    expect(await until(2000, () => link.state === 'up')).toBe(true);
    const back = await limiter.hit('c', 9);
    expect(back).toMatchObject({ allowed: true, limit: 9, remaining: 8 });
    expect(lines.filter((l) => l.level === 'warn' && /redis down/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => /redis answering again/.test(l.msg))).toHaveLength(1);
    await limiter.close?.();
  });
});
