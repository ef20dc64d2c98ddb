/**
 * Server slots shared by every replica (REDIS_URL): a generation holds a lease in Redis, one sorted
 * set per server of lease -> expiry, claimed atomically (one Lua script) only while fewer than the
 * server's slots are held. Leases are renewed every TTL/3 while their request runs, so a replica that
 * dies (SIGKILL) frees its slots within the TTL. A release publishes on a channel, so replicas waiting
 * for that server try again at once. While Redis is down, claims grant nothing and each replica counts
 * its own slots only (the scheduler's local limit).
 */
import { randomBytes } from 'node:crypto';
import type { RedisLink } from '../replicas/redis.ts';
import type { SlotGate } from './scheduler.ts';

const LEASE_TTL_MS = 5000;
/** Retry for a freed slot at least this often, in case a release's message was missed. */
const POLL_MS = 250;
const FREED = 'ogw:slots:freed';

const CLOCK = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
/** KEYS: the server's leases. ARGV: ttl, slots, lease. */
const CLAIM = `${CLOCK}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;
/** KEYS: the server's leases. ARGV: ttl, leases... (only those still held). */
const RENEW = `${CLOCK}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;

interface ScriptedRedis {
  gwSlotClaim(key: string, ttl: number, slots: number, lease: string): Promise<number>;
  gwSlotRenew(key: string, ttl: number, ...leases: string[]): Promise<number>;
}

export function createSharedSlots({
  link,
  ttlMs = LEASE_TTL_MS,
  prefix = 'ogw:',
}: {
  link: RedisLink;
  ttlMs?: number;
  prefix?: string;
}): SlotGate & { close(): void } {
  link.client.defineCommand('gwSlotClaim', { numberOfKeys: 1, lua: CLAIM });
  link.client.defineCommand('gwSlotRenew', { numberOfKeys: 1, lua: RENEW });
  const redis = link.client as unknown as ScriptedRedis;
  const keyOf = (server: string) => `${prefix}slots:{${server}}`;
  const tag = randomBytes(6).toString('hex');
  let seq = 0;
  // Leases this replica holds, by server.
  const held = new Map<string, Set<string>>();
  const wakers = new Set<() => void>();

  const sub = link.subscriber();
  void sub.subscribe(FREED).catch(() => {});
  sub.on('message', () => {
    for (const wake of [...wakers]) wake();
  });

  const renew = setInterval(() => {
    if (link.state !== 'up') return;
    for (const [server, leases] of held) {
      if (leases.size) redis.gwSlotRenew(keyOf(server), ttlMs, ...leases).catch((err) => link.failed(err));
    }
  }, ttlMs / 3);
  renew.unref();

  /** Resolves on a release anywhere, after POLL_MS, or when the signal aborts. */
  const nap = (signal: AbortSignal, ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });

  return {
    async claim({ server, slots, signal, deadline, timedOut, aborted }) {
      for (;;) {
        if (signal.aborted) throw aborted();
        if (link.state !== 'up') return undefined;
        const lease = `${tag}:${(seq++).toString(36)}`;
        try {
          if (await redis.gwSlotClaim(keyOf(server), ttlMs, slots, lease)) {
            let leases = held.get(server);
            if (!leases) held.set(server, (leases = new Set()));
            leases.add(lease);
            return lease;
          }
        } catch (err) {
          link.failed(err);
          return undefined;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw timedOut();
        await nap(signal, Math.min(POLL_MS, left));
      }
    },
    release(server, lease) {
      const leases = held.get(server);
      leases?.delete(lease);
      if (leases?.size === 0) held.delete(server);
      if (link.state !== 'up') return; // its TTL frees it
      link.client
        .multi()
        .zrem(keyOf(server), lease)
        .publish(FREED, server)
        .exec()
        .catch(() => {});
    },
    close() {
      clearInterval(renew);
      sub.disconnect();
    },
  };
}
