/** The in-memory Limiter: exact for one process (see limiter.ts for the rules). */
import { type Limiter, WINDOW_MS } from './limiter.ts';

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
        return {
          result: { allowed: false, limit, remaining: Math.max(0, left), reset, retryAfter: Math.max(1, Math.ceil((freeAt - now) / 1000)) },
          granted: 0,
          settle() {},
        };
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
