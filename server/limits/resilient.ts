/**
 * The Limiter for several replicas: the shared one (Redis) while it answers, else this process's
 * memory limiter with each limit divided by the number of live replicas, so the totals still hold
 * approximately and a Redis failure never lets more through (never fails open) nor fails a request.
 * Every request the shared limiter admits is also counted locally, so a replica that falls back
 * mid-window already holds its share of what it admitted.
 */
import type { RedisLink } from '../replicas/redis.ts';
import type { Limiter } from './limiter.ts';
import { createMemoryLimiter } from './memory.ts';

export function createResilientLimiter({
  shared,
  link,
  replicas,
}: {
  shared: Limiter;
  link: Pick<RedisLink, 'state' | 'failed'>;
  replicas: () => number;
}): Limiter {
  const local = createMemoryLimiter();
  // A limit too small to split still lets each replica through once a window: 0 would refuse the key everywhere.
  const share = (limit: number) => Math.max(1, Math.floor(limit / Math.max(1, replicas())));

  return {
    async hit(key, limit, now) {
      if (link.state === 'up') {
        try {
          const result = await shared.hit(key, limit, now);
          if (result.allowed) local.hit(key, Number.POSITIVE_INFINITY, now);
          return result;
        } catch (err) {
          link.failed(err);
        }
      }
      return local.hit(key, share(limit), now);
    },
    async reserveTokens(input) {
      if (link.state === 'up') {
        try {
          const reservation = await shared.reserveTokens(input);
          if (!reservation.result.allowed) return reservation;
          const { granted } = reservation;
          const shadow = await local.reserveTokens({ key: input.key, limit: Number.POSITIVE_INFINITY, min: granted, max: granted, now: input.now });
          return {
            ...reservation,
            async settle(actual) {
              shadow.settle(actual);
              // A failed settlement leaves the reservation standing in Redis: the safe side.
              await Promise.resolve(reservation.settle(actual)).catch((err) => link.failed(err));
            },
          };
        } catch (err) {
          link.failed(err);
        }
      }
      return local.reserveTokens({ ...input, limit: share(input.limit) });
    },
    async close() {
      await local.close?.();
    },
  };
}
