/**
 * Per-key limits over a sliding 60-second window: no key has more than `limit` requests accepted in
 * ANY 60-second span (a sliding log, not fixed windows, which allow 2x at a window edge).
 * Tokens are reserved before a request runs (its worst case) and settled to the real count after;
 * a shared store must grant a reservation in one atomic step (in Redis, one Lua script per call).
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
  /** Tokens reserved (between `min` and `max`; 0 when refused). */
  granted: number;
  settle(actual: number): void;
}

export interface ReserveTokensInput {
  key: string;
  /** Tokens per minute. */
  limit: number;
  /** The least the request can run with; refused unless this fits in what is left of the window. */
  min: number;
  /** The most it may use; it gets as much of it as fits. */
  max: number;
  now?: number;
}

export interface Limiter {
  /** Counts one request for `key` if it fits under `limit`. */
  hit(key: string, limit: number, now?: number): RateLimitResult | Promise<RateLimitResult>;
  /**
   * Reserves a request's worst case under a budget of `limit` tokens per minute, atomically with
   * respect to concurrent requests: between `min` and `max` tokens, as many as fit in what is left of
   * the window, or nothing (refused) if not even `min` fits; `settle` replaces the reservation with
   * what the request really used.
   */
  reserveTokens(input: ReserveTokensInput): TokenReservation | Promise<TokenReservation>;
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
    reserveTokens({ key, limit, min, max, now = Date.now() }) {
      const log = logFor(tokens, key);
      log.expire(now);
      const left = limit - log.total;
      if (min > left) {
        // Free from the oldest reservation on until `min` fits; never, if it exceeds the whole budget.
        let freed = 0;
        let freeAt = now + WINDOW_MS;
        for (let i = log.head; i < log.entries.length; i++) {
          freed += log.entries[i].amount;
          if (left + freed >= min) {
            freeAt = log.entries[i].t + WINDOW_MS;
            break;
          }
        }
        const reset = Math.ceil(((log.count ? log.at(0) : now) + WINDOW_MS) / 1000);
        return { result: { allowed: false, limit, remaining: Math.max(0, left), reset, retryAfter: Math.max(1, Math.ceil((freeAt - now) / 1000)) }, granted: 0, settle() {} };
      }
      const granted = Math.min(max, left);
      const entry = log.push(now, granted);
      return {
        result: { allowed: true, limit, remaining: Math.max(0, limit - log.total), reset: Math.ceil((log.at(0) + WINDOW_MS) / 1000), retryAfter: 0 },
        granted,
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
