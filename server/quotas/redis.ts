/**
 * The Redis quota store: the rules of quotas/store.ts, shared by every replica on one Redis. A
 * reservation is one Lua script over all of a request's counters (its key's and its team's), so the
 * check and the count are atomic across replicas. A counter missing in Redis is seeded once per
 * period with SET NX (the first replica's seed wins) and expires after its period.
 *
 * @example
 *   const store = createRedisQuotaStore({ redis });   // rejects when Redis fails: see quotas/resilient.ts
 */
import type { Redis } from 'ioredis';
import { type Counter, nothing, type QuotaStore } from './store.ts';

/**
 * KEYS: the counters. ARGV: min, max, then per counter: limit, kind (1 requests, 0 tokens), seed (-1: unknown), ttl ms.
 * Returns {-1, missing indexes...} when a counter is missing and its seed unknown, {0, failed index, used...}
 * when refused, {1, granted, used...} when reserved.
 */
const RESERVE = `
local min, max = tonumber(ARGV[1]), tonumber(ARGV[2])
local missing = {}
for i = 1, #KEYS do
  local b = 2 + (i - 1) * 4
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local seed = tonumber(ARGV[b + 3])
    if seed < 0 then missing[#missing + 1] = i else redis.call('SET', KEYS[i], seed, 'PX', ARGV[b + 4], 'NX') end
  end
end
if #missing > 0 then return {-1, unpack(missing)} end
local used = {}
local granted = max
for i = 1, #KEYS do
  local b = 2 + (i - 1) * 4
  local limit = tonumber(ARGV[b + 1])
  local v = tonumber(redis.call('GET', KEYS[i]))
  used[i] = v
  if ARGV[b + 2] == '1' then
    if v + 1 > limit then return {0, i, unpack(used)} end
  else
    local left = limit - v
    if min > left then return {0, i, unpack(used)} end
    if left < granted then granted = left end
  end
end
for i = 1, #KEYS do
  local b = 2 + (i - 1) * 4
  if ARGV[b + 2] == '1' then used[i] = redis.call('INCRBY', KEYS[i], 1) else used[i] = redis.call('INCRBY', KEYS[i], granted) end
end
return {1, granted, unpack(used)}
`;

/** KEYS: token counters. ARGV: delta. Only counters that still exist (in their period) change; -1 for gone ones. */
const SETTLE = `
local out = {}
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then out[i] = redis.call('INCRBY', KEYS[i], ARGV[1]) else out[i] = -1 end
end
return out
`;

/** KEYS: counters. ARGV: an amount per counter, added where the counter exists (a missing one is seeded from the usage table later). */
const ADD = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], ARGV[i]) end
end
return #KEYS
`;

/** KEYS: one counter. ARGV: seed (-1: unknown), ttl ms. Returns the value, or nil when missing and the seed unknown. */
const PEEK = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if tonumber(ARGV[1]) < 0 then return false end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
end
return tonumber(redis.call('GET', KEYS[1]))
`;

interface ScriptedRedis {
  gwQuotaReserve(n: number, ...args: Array<string | number>): Promise<number[]>;
  gwQuotaSettle(n: number, ...args: Array<string | number>): Promise<number[]>;
  gwQuotaPeek(key: string, seed: number, ttl: number): Promise<number | null>;
  gwQuotaAdd(n: number, ...args: Array<string | number>): Promise<number>;
}

/** Counters outlive their period by this much, so a late settlement still lands. */
const GRACE_MS = 3_600_000;

export function createRedisQuotaStore({ redis, prefix = 'ogw:quota:', now = Date.now }: { redis: Redis; prefix?: string; now?: () => number }): QuotaStore {
  redis.defineCommand('gwQuotaReserve', { lua: RESERVE });
  redis.defineCommand('gwQuotaSettle', { lua: SETTLE });
  redis.defineCommand('gwQuotaPeek', { numberOfKeys: 1, lua: PEEK });
  redis.defineCommand('gwQuotaAdd', { lua: ADD });
  const r = redis as unknown as ScriptedRedis;
  const keyOf = (c: Counter) => prefix + c.id;
  const ttl = (c: Counter) => Math.max(1000, c.expiresAt - now() + GRACE_MS);
  // One seed read per counter in this process at a time: a hundred first requests share it. Not kept
  // once read: a counter missing later (Redis restarted empty) needs a fresh one.
  const seeding = new Map<string, Promise<number>>();
  const seedOf = (c: Counter) => {
    let p = seeding.get(c.id);
    if (!p) {
      p = c.seed().finally(() => seeding.delete(c.id));
      seeding.set(c.id, p);
    }
    return p;
  };

  return {
    async reserve({ counters, min, max }) {
      const seeds = counters.map(() => -1);
      for (let attempt = 0; ; attempt++) {
        const args: Array<string | number> = [...counters.map(keyOf), min, max];
        counters.forEach((c, i) => {
          args.push(c.limit, c.kind === 'requests' ? 1 : 0, seeds[i], ttl(c));
        });
        const reply = await r.gwQuotaReserve(counters.length, ...args);
        if (reply[0] === -1 && attempt < 3) {
          // Missing counters: read their seeds (once per period, in practice) and try again.
          await Promise.all(reply.slice(1).map(async (i) => (seeds[i - 1] = await seedOf(counters[i - 1]))));
          continue;
        }
        if (reply[0] === -1) throw new Error('quota counters vanished while being seeded');
        if (reply[0] === 0) return { allowed: false, granted: 0, used: reply.slice(2), failed: reply[1] - 1, settle: nothing };
        const tokens = counters.filter((c) => c.kind === 'tokens');
        return {
          allowed: true,
          granted: reply[1],
          used: reply.slice(2),
          async settle(delta) {
            const values = tokens.length ? await r.gwQuotaSettle(tokens.length, ...tokens.map(keyOf), delta) : [];
            let j = 0;
            return counters.map((c) => {
              if (c.kind !== 'tokens') return undefined;
              const v = values[j++];
              return v === -1 ? undefined : v;
            });
          },
        };
      }
    },
    async add(items) {
      // One script per key: a key's and its team's share a slot, unrelated keys need not.
      await Promise.all(items.map((it) => r.gwQuotaAdd(1, prefix + it.id, it.amount)));
    },
    async peek(counter) {
      const v = await r.gwQuotaPeek(keyOf(counter), -1, ttl(counter));
      if (v !== null) return v;
      return (await r.gwQuotaPeek(keyOf(counter), await seedOf(counter), ttl(counter))) ?? 0;
    },
  };
}
