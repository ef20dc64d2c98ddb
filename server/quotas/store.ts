/**
 * Quota counters: one per (subject, metric, period), e.g. "key:abc:daily_tokens:2026-12-01". A
 * reservation checks and counts every counter a request is under (its key's and its team's) in one
 * atomic step, all or nothing: request counters take 1, token counters the request's worst case
 * (between `min` and `max`, as much as fits in all of them). Settlement adds the difference to the
 * real count. A counter starts from its seed (the usage table's sum since the period began) the first
 * time it is used in its period.
 * Implementations: this file's memory store (one process); quotas/redis.ts (shared by replicas).
 */
export interface Counter {
  /** Unique per subject, metric and period. */
  id: string;
  kind: 'requests' | 'tokens';
  limit: number;
  /** Unix ms when the counter may be forgotten (after its period ends). */
  expiresAt: number;
  /** What the period has used before this process counted anything (the usage table). */
  seed: () => Promise<number>;
}

interface ReserveResult {
  allowed: boolean;
  /** Tokens reserved on every token counter (`max` when there is none). */
  granted: number;
  /** Each counter's value after the reservation (before it, when refused). */
  used: number[];
  /** When refused: the index of the first counter that had no room. */
  failed?: number;
  /** Adds `delta` to the reservation's token counters still in their period; their values after (undefined where gone). */
  settle(delta: number): Promise<Array<number | undefined>>;
}

export interface QuotaStore {
  reserve(input: { counters: Counter[]; min: number; max: number }): Promise<ReserveResult>;
  /** A counter's value now (seeding it if needed). */
  peek(counter: Counter): Promise<number>;
  /** What this store counted on top of each counter's seed (the fallback's outage spending). */
  spent?(): Spent[];
  /** Adds amounts to counters that exist (a shared store taking back what a fallback counted). */
  add?(items: Spent[]): Promise<void>;
  close?(): Promise<void>;
}

interface Spent {
  id: string;
  amount: number;
}

export const nothing = async () => [];

interface Entry {
  value: number;
  expiresAt: number;
  /** Pending while the seed is read; every reservation waits for it, then counts synchronously. */
  ready?: Promise<void>;
  /** The seed, once read (the fallback store computes its share of what was left from it). */
  seeded?: number;
}

/**
 * The in-memory store: exact for one process. `limitOf` lets a fallback give a counter a smaller
 * effective limit once its seed is known (see quotas/resilient.ts).
 */
export function createMemoryQuotaStore({
  now = Date.now,
  limitOf = (limit) => limit,
}: {
  now?: () => number;
  limitOf?: (limit: number, seeded: number) => number;
} = {}): QuotaStore {
  const entries = new Map<string, Entry>();

  const entryOf = (c: Counter): Entry => {
    let e = entries.get(c.id);
    if (!e) {
      const entry: Entry = { value: 0, expiresAt: c.expiresAt };
      entry.ready = c.seed().then(
        (v) => {
          entry.value += v;
          entry.seeded = v;
          entry.ready = undefined;
        },
        (err) => {
          // Unseeded, it cannot be trusted: forget it so the next request reads the seed again.
          if (entries.get(c.id) === entry) entries.delete(c.id);
          throw err;
        },
      );
      entries.set(c.id, (e = entry));
    }
    return e;
  };

  const sweep = setInterval(() => {
    const t = now();
    for (const [id, e] of entries) if (e.expiresAt <= t && !e.ready) entries.delete(id);
  }, 60_000);
  sweep.unref();

  return {
    async reserve({ counters, min, max }) {
      const list = counters.map(entryOf);
      for (const e of list) if (e.ready) await e.ready;
      // No await from here on: the check and the count are one step for this process.
      let granted = max;
      for (let i = 0; i < counters.length; i++) {
        const c = counters[i];
        const e = list[i];
        const limit = limitOf(c.limit, e.seeded ?? 0);
        if (c.kind === 'requests') {
          if (e.value + 1 > limit) return { allowed: false, granted: 0, used: list.map((x) => x.value), failed: i, settle: nothing };
        } else {
          const left = limit - e.value;
          if (min > left) return { allowed: false, granted: 0, used: list.map((x) => x.value), failed: i, settle: nothing };
          granted = Math.min(granted, left);
        }
      }
      for (let i = 0; i < counters.length; i++) list[i].value += counters[i].kind === 'requests' ? 1 : granted;
      return {
        allowed: true,
        granted,
        used: list.map((x) => x.value),
        async settle(delta) {
          return counters.map((c, i) => {
            if (c.kind === 'requests') return undefined;
            // Only while the counter is the one reserved on (not forgotten after its period).
            if (entries.get(c.id) !== list[i]) return undefined;
            list[i].value += delta;
            return list[i].value;
          });
        },
      };
    },
    async peek(counter) {
      const e = entryOf(counter);
      if (e.ready) await e.ready;
      return e.value;
    },
    spent() {
      const out: Spent[] = [];
      for (const [id, e] of entries) if (!e.ready && e.value > (e.seeded ?? 0)) out.push({ id, amount: e.value - (e.seeded ?? 0) });
      return out;
    },
    async close() {
      clearInterval(sweep);
    },
  };
}
