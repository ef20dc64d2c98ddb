/**
 * The quota store for several replicas: the shared one (Redis) while it answers, else a store in this
 * process's memory, as limits/resilient.ts does for rate limits. The fallback seeds each counter from
 * the usage table (every replica's written requests) and lets this replica spend its share of what was
 * left then (what was left ÷ live replicas), so a Redis failure never lets a quota be exceeded by more
 * than the requests not yet written to the usage table (about USAGE_FLUSH_MS of traffic), nor fails a
 * request. When Redis answers again, what the replica counted meanwhile is added to Redis's counters
 * (a counter Redis lost is seeded again from the usage table instead, which has it).
 */
import type { RedisLink } from '../replicas/redis.ts';
import { createMemoryQuotaStore, type QuotaStore } from './store.ts';

export function createResilientQuotaStore({
  shared,
  link,
  replicas,
  now,
}: {
  shared: QuotaStore;
  link: Pick<RedisLink, 'state' | 'failed' | 'onChange'>;
  replicas: () => number;
  now?: () => number;
}): QuotaStore {
  const share = (limit: number, seeded: number) => seeded + Math.floor(Math.max(0, limit - seeded) / Math.max(1, replicas()));
  let local = createMemoryQuotaStore({ now, limitOf: share });
  // Back up: what was counted meanwhile goes to Redis's counters (those that survived; a lost one is
  // seeded from the usage table, which has it), and a next outage starts from the usage table again.
  link.onChange((state) => {
    if (state !== 'up') return;
    const old = local;
    local = createMemoryQuotaStore({ now, limitOf: share });
    const spent = old.spent?.() ?? [];
    void old.close?.();
    if (spent.length) void shared.add?.(spent).catch((err) => link.failed(err));
  });

  const attempt = async <T>(fn: (s: QuotaStore) => Promise<T>): Promise<T> => {
    if (link.state === 'up') {
      try {
        return await fn(shared);
      } catch (err) {
        link.failed(err);
      }
    }
    return fn(local);
  };

  return {
    async reserve(input) {
      if (link.state === 'up') {
        try {
          const result = await shared.reserve(input);
          // A settlement goes where its reservation went; a failed one leaves the reservation standing (the safe side).
          return {
            ...result,
            settle: (delta) =>
              result.settle(delta).catch((err) => {
                link.failed(err);
                return [];
              }),
          };
        } catch (err) {
          link.failed(err);
        }
      }
      return local.reserve(input);
    },
    peek: (counter) => attempt((s) => s.peek(counter)),
    async close() {
      await local.close?.();
    },
  };
}
