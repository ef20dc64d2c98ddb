/**
 * The Redis Limiter: the same rules as limits/memory.ts, shared by every replica on one Redis. Each
 * call is one Lua script, so a check and its count are one atomic step across replicas. Times are
 * Redis's clock (TIME) unless a caller passes `now`, so replicas with skewed clocks agree on the window.
 *
 * @example
 *   const limiter = createRedisLimiter({ redis });  // redis: an ioredis client with commandTimeout
 *   await limiter.hit(keyId, 60);                   // rejects when Redis fails: see limits/resilient.ts
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Limiter, type RateLimitResult, WINDOW_MS } from './limiter.ts';

// Both scripts take `now` 0 to mean Redis's own clock, in ms.
const CLOCK = `
local now = tonumber(ARGV[1])
if now == 0 then local t = redis.call('TIME'); now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local window = tonumber(ARGV[2])
`;

/** KEYS: the request log (a sorted set of member -> time). ARGV: now, window, limit, member. */
const HIT = `${CLOCK}
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  -- The request that frees a slot is the (count - limit + 1)-th oldest.
  local e = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  local freeAt = now + window
  if e[2] then freeAt = tonumber(e[2]) + window end
  return {0, count, freeAt, now}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {1, count + 1, tonumber(oldest[2]) + window, now}
`;

// Drops what left the window from the reservation log (times) and its amounts (a hash).
const EXPIRE_TOKENS = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
for i = 1, #expired, 1000 do
  redis.call('HDEL', KEYS[2], unpack(expired, i, math.min(i + 999, #expired)))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
`;

/** KEYS: reservation times, reservation amounts. ARGV: now, window, limit, min, max, id. Returns {allowed, granted, total, reset, freeAt, now}. */
const RESERVE = `${CLOCK}
local limit, min, max = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
${EXPIRE_TOKENS}
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do total = total + tonumber(v) end
local left = limit - total
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = now + window
if oldest[2] then reset = tonumber(oldest[2]) + window end
if min > left then
  -- Free from the oldest reservation on until min fits; never, if it exceeds the whole budget.
  local freeAt = now + window
  local freed = 0
  local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #entries, 2 do
    freed = freed + tonumber(redis.call('HGET', KEYS[2], entries[i]) or '0')
    if left + freed >= min then freeAt = tonumber(entries[i + 1]) + window; break end
  end
  return {0, 0, total, reset, freeAt, now}
end
local granted = math.min(max, left)
redis.call('ZADD', KEYS[1], now, ARGV[6])
redis.call('HSET', KEYS[2], ARGV[6], granted)
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
if not oldest[2] then reset = now + window end
return {1, granted, total + granted, reset, 0, now}
`;

/** KEYS: reservation times, amounts. ARGV: now (0), window, id, actual. Only while the reservation still counts. */
const SETTLE = `${CLOCK}
local t = redis.call('ZSCORE', KEYS[1], ARGV[3])
if t and tonumber(t) > now - window then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]); return 1 end
return 0
`;

type Reply = number[];
interface ScriptedRedis {
  gwHit(key: string, now: number, window: number, limit: number, member: string): Promise<Reply>;
  gwReserve(times: string, amounts: string, now: number, window: number, limit: number, min: number, max: number, id: string): Promise<Reply>;
  gwSettle(times: string, amounts: string, now: number, window: number, id: string, actual: number): Promise<Reply>;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

export function createRedisLimiter({ redis, prefix = 'ogw:' }: { redis: Redis; prefix?: string }): Limiter {
  redis.defineCommand('gwHit', { numberOfKeys: 1, lua: HIT });
  redis.defineCommand('gwReserve', { numberOfKeys: 2, lua: RESERVE });
  redis.defineCommand('gwSettle', { numberOfKeys: 2, lua: SETTLE });
  const r = redis as unknown as ScriptedRedis;
  // Members must be unique across replicas: a random process tag and a counter.
  const tag = randomBytes(6).toString('hex');
  let seq = 0;
  const member = () => `${tag}:${(seq++).toString(36)}`;
  // One hash tag per API key, so a key's logs live on one cluster slot.
  const keysOf = (key: string) => ({ requests: `${prefix}rpm:{${key}}`, times: `${prefix}tpm:{${key}}:t`, amounts: `${prefix}tpm:{${key}}:a` });

  return {
    async hit(key, limit, now = 0) {
      const [allowed, count, freeAt, at] = await r.gwHit(keysOf(key).requests, now, WINDOW_MS, limit, member());
      if (!allowed) return { allowed: false, limit, remaining: 0, reset: seconds(freeAt), retryAfter: Math.max(1, seconds(freeAt - at)) };
      return { allowed: true, limit, remaining: limit - count, reset: seconds(freeAt), retryAfter: 0 };
    },
    async reserveTokens({ key, limit, min, max, now = 0 }) {
      const { times, amounts } = keysOf(key);
      const id = member();
      const [allowed, granted, total, reset, freeAt, at] = await r.gwReserve(times, amounts, now, WINDOW_MS, limit, min, max, id);
      const remaining = Math.max(0, limit - total);
      if (!allowed) {
        const result: RateLimitResult = { allowed: false, limit, remaining, reset: seconds(reset), retryAfter: Math.max(1, seconds(freeAt - at)) };
        return { result, granted: 0, settle() {} };
      }
      return {
        result: { allowed: true, limit, remaining, reset: seconds(reset), retryAfter: 0 },
        granted,
        async settle(actual) {
          await r.gwSettle(times, amounts, 0, WINDOW_MS, id, actual);
        },
      };
    },
  };
}
