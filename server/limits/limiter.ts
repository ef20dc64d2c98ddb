/**
 * Per-key limits over a sliding 60-second window: no key has more than `limit` requests accepted in
 * ANY 60-second span (a sliding log, not fixed windows, which allow 2x at a window edge).
 * The in-memory implementation serves one process; a shared store (Redis) implements the same
 * interface for several replicas.
 */
export const WINDOW_MS = 60_000;

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix time (seconds) when the oldest counted request leaves the window. */
  reset: number;
  /** Seconds until a request would be accepted again (0 when allowed). */
  retryAfter: number;
}

export interface TokenReservation {
  result: RateLimitResult;
  settle(actual: number): void;
}

export interface Limiter {
  /** Counts one request for `key` if it fits under `limit`. */
  hit(key: string, limit: number, now?: number): RateLimitResult | Promise<RateLimitResult>;
  /**
   * Admits a request under a budget of `limit` tokens per minute if the tokens counted in the window
   * are below it, and counts `estimate` for it at once, so that concurrent requests see each other;
   * `settle` replaces the estimate with what the request really used.
   */
  reserveTokens(key: string, limit: number, estimate: number, now?: number): TokenReservation | Promise<TokenReservation>;
  close?(): Promise<void>;
}

interface Entry {
  t: number;
  amount: number;
}

/** A queue of timestamped amounts kept in order; expired ones are dropped from the front. */
class Log {
  entries: Entry[] = [];
  head = 0;
  total = 0;

  expire(now: number) {
    while (this.head < this.entries.length && this.entries[this.head].t <= now - WINDOW_MS) {
      this.total -= this.entries[this.head].amount;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
  get count() {
    return this.entries.length - this.head;
  }
  at(i: number) {
    return this.entries[this.head + i].t;
  }
  push(now: number, amount: number): Entry {
    const entry = { t: now, amount };
    this.entries.push(entry);
    this.total += amount;
    return entry;
  }
}

export function createMemoryLimiter(): Limiter {
  const requests = new Map<string, Log>();
  const tokens = new Map<string, Log>();
  const logFor = (m: Map<string, Log>, key: string) => {
    let log = m.get(key);
    if (!log) m.set(key, (log = new Log()));
    return log;
  };

  // Forget idle keys so memory follows the active set, not every key ever seen.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const m of [requests, tokens]) {
      for (const [k, log] of m) {
        log.expire(now);
        if (log.count === 0) m.delete(k);
      }
    }
  }, WINDOW_MS);
  sweep.unref();

  return {
    hit(key, limit, now = Date.now()) {
      const log = logFor(requests, key);
      log.expire(now);
      if (log.count >= limit) {
        // The request that frees a slot is the (count - limit + 1)-th oldest.
        const freeAt = log.at(log.count - limit) + WINDOW_MS;
        return { allowed: false, limit, remaining: 0, reset: Math.ceil(freeAt / 1000), retryAfter: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
      }
      log.push(now, 1);
      return { allowed: true, limit, remaining: limit - log.count, reset: Math.ceil((log.at(0) + WINDOW_MS) / 1000), retryAfter: 0 };
    },
    reserveTokens(key, limit, estimate, now = Date.now()) {
      const log = logFor(tokens, key);
      log.expire(now);
      const reset = Math.ceil(((log.count ? log.at(0) : now) + WINDOW_MS) / 1000);
      if (log.total >= limit) {
        return { result: { allowed: false, limit, remaining: 0, reset, retryAfter: Math.max(1, reset - Math.floor(now / 1000)) }, settle() {} };
      }
      const entry = log.push(now, estimate);
      return {
        result: { allowed: true, limit, remaining: Math.max(0, limit - log.total), reset, retryAfter: 0 },
        settle(actual) {
          // Only while the entry still counts: once expired it has left the total already.
          if (entry.t > Date.now() - WINDOW_MS) {
            log.total += actual - entry.amount;
            entry.amount = actual;
          }
        },
      };
    },
    async close() {
      clearInterval(sweep);
    },
  };
}
