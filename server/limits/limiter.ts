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

export interface Limiter {
  /** Counts one request for `key` if it fits under `limit`. */
  hit(key: string, limit: number, now?: number): RateLimitResult | Promise<RateLimitResult>;
  /** Would a request for `key` fit under a token budget of `limit` tokens per minute? */
  checkTokens(key: string, limit: number, now?: number): RateLimitResult | Promise<RateLimitResult>;
  /** Counts tokens actually used. */
  addTokens(key: string, tokens: number, now?: number): void | Promise<void>;
  close?(): Promise<void>;
}

/** A queue of timestamps kept in order; expired ones are dropped from the front. */
class Log {
  times: number[] = [];
  amounts: number[] = [];
  head = 0;
  total = 0;

  expire(now: number) {
    while (this.head < this.times.length && this.times[this.head] <= now - WINDOW_MS) {
      this.total -= this.amounts[this.head];
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.amounts = this.amounts.slice(this.head);
      this.head = 0;
    }
  }
  get count() {
    return this.times.length - this.head;
  }
  oldest() {
    return this.times[this.head];
  }
  push(now: number, amount: number) {
    this.times.push(now);
    this.amounts.push(amount);
    this.total += amount;
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
        const freeAt = log.times[log.head + log.count - limit] + WINDOW_MS;
        return { allowed: false, limit, remaining: 0, reset: Math.ceil(freeAt / 1000), retryAfter: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
      }
      log.push(now, 1);
      return { allowed: true, limit, remaining: limit - log.count, reset: Math.ceil((log.oldest() + WINDOW_MS) / 1000), retryAfter: 0 };
    },
    checkTokens(key, limit, now = Date.now()) {
      const log = logFor(tokens, key);
      log.expire(now);
      const reset = Math.ceil(((log.count ? log.oldest() : now) + WINDOW_MS) / 1000);
      if (log.total >= limit) {
        return { allowed: false, limit, remaining: 0, reset, retryAfter: Math.max(1, reset - Math.floor(now / 1000)) };
      }
      return { allowed: true, limit, remaining: limit - log.total, reset, retryAfter: 0 };
    },
    addTokens(key, amount, now = Date.now()) {
      if (amount > 0) logFor(tokens, key).push(now, amount);
    },
    async close() {
      clearInterval(sweep);
    },
  };
}
