import { describe, expect, it } from 'vitest';
import { WINDOW_MS, type TokenReservation } from '../server/limits/limiter.ts';
import { createMemoryLimiter } from '../server/limits/memory.ts';

describe('memory limiter', () => {
  it('accepts exactly the limit within a window and reports remaining', () => {
    const l = createMemoryLimiter();
    const t = 1_000_000;
    const results = Array.from({ length: 7 }, (_, i) => l.hit('k', 5, t + i) as ReturnType<typeof l.hit> & { allowed: boolean; remaining: number });
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
  });

  it('never allows more than the limit in ANY 60-second span (no fixed-window edge burst)', () => {
    const l = createMemoryLimiter();
    const accepted: number[] = [];
    // One attempt every 100 ms for 5 minutes against a limit of 10/min.
    for (let t = 0; t < 5 * WINDOW_MS; t += 100) if ((l.hit('k', 10, t) as { allowed: boolean }).allowed) accepted.push(t);
    for (let i = 0; i < accepted.length; i++) {
      const inWindow = accepted.filter((a) => a > accepted[i] - WINDOW_MS && a <= accepted[i]).length;
      expect(inWindow).toBeLessThanOrEqual(10);
    }
    // And it is not stingy: 10 per minute over 5 minutes.
    expect(accepted.length).toBe(50);
  });

  it('gives retry-after and reset from the request that frees a slot', () => {
    const l = createMemoryLimiter();
    l.hit('k', 2, 10_000);
    l.hit('k', 2, 20_000);
    const denied = l.hit('k', 2, 30_000) as { allowed: boolean; retryAfter: number; reset: number };
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfter).toBe(40); // the 10 s request leaves the window at 70 s
    expect(denied.reset).toBe(70);
    expect((l.hit('k', 2, 70_001) as { allowed: boolean }).allowed).toBe(true);
  });

  it('keeps keys independent', () => {
    const l = createMemoryLimiter();
    expect((l.hit('a', 1, 0) as { allowed: boolean }).allowed).toBe(true);
    expect((l.hit('a', 1, 1) as { allowed: boolean }).allowed).toBe(false);
    expect((l.hit('b', 1, 1) as { allowed: boolean }).allowed).toBe(true);
  });

  it('admits a token reservation only if it fits in what is left of the window', () => {
    const l = createMemoryLimiter();
    const first = l.reserveTokens({ key: 'k', limit: 100, min: 60, max: 60, now: 0 }) as TokenReservation;
    expect(first.result.allowed).toBe(true);
    expect(first.result.remaining).toBe(40);
    // 60 + 50 would be 110: refused, although only 60 were counted when it asked.
    const second = l.reserveTokens({ key: 'k', limit: 100, min: 50, max: 50, now: 1 }) as TokenReservation;
    expect(second.result.allowed).toBe(false);
    expect(second.granted).toBe(0);
    expect(second.result.remaining).toBe(40);
    expect(second.result.retryAfter).toBe(60); // the 60-token reservation leaves at 60 s
    expect((l.reserveTokens({ key: 'k', limit: 100, min: 40, max: 40, now: 2 }) as TokenReservation).result.allowed).toBe(true);
    expect((l.reserveTokens({ key: 'k', limit: 100, min: 1, max: 1, now: 3 }) as TokenReservation).result.allowed).toBe(false);
    expect((l.reserveTokens({ key: 'k', limit: 100, min: 50, max: 50, now: WINDOW_MS + 1 }) as TokenReservation).result.allowed).toBe(true);
  });

  it('grants as much of a flexible reservation as fits, never more than the budget', () => {
    const l = createMemoryLimiter();
    const t = Date.now(); // settle applies to reservations still in the real window
    const a = l.reserveTokens({ key: 'k', limit: 100, min: 10, max: 1034, now: t }) as TokenReservation;
    expect(a.result.allowed).toBe(true);
    expect(a.granted).toBe(100);
    expect(a.result.remaining).toBe(0);
    a.settle(30);
    const b = l.reserveTokens({ key: 'k', limit: 100, min: 10, max: 1034, now: t + 1 }) as TokenReservation;
    expect(b.granted).toBe(70);
    const c = l.reserveTokens({ key: 'k', limit: 100, min: 1, max: 5, now: t + 2 }) as TokenReservation;
    expect(c.result.allowed).toBe(false);
  });

  it('never lets concurrent reservations exceed the budget in any window', () => {
    const l = createMemoryLimiter();
    const granted: Array<[number, number]> = [];
    // A request every 50 ms for 3 minutes, each wanting 5 to 40 tokens.
    for (let t = 0, i = 0; t < 3 * WINDOW_MS; t += 50, i++) {
      const r = l.reserveTokens({ key: 'k', limit: 500, min: 5 + (i % 7), max: 40, now: t }) as TokenReservation;
      if (r.result.allowed) granted.push([t, r.granted]);
    }
    for (const [t] of granted) {
      const inWindow = granted.filter(([u]) => u > t - WINDOW_MS && u <= t).reduce((n, [, g]) => n + g, 0);
      expect(inWindow).toBeLessThanOrEqual(500);
    }
    expect(granted.reduce((n, [, g]) => n + g, 0)).toBeGreaterThanOrEqual(1500 - 40);
  });

  it('counts a reservation at once, so concurrent requests see each other, and settles it to the real use', () => {
    const l = createMemoryLimiter();
    const now = Date.now();
    const reserve = (n: number) => l.reserveTokens({ key: 'k', limit: 100, min: n, max: n, now }) as TokenReservation;
    const [a, b, c] = [reserve(45), reserve(45), reserve(45)];
    expect([a.result.allowed, b.result.allowed, c.result.allowed]).toEqual([true, true, false]);
    a.settle(5); // 5 + 45 = 50: 50 left
    expect(reserve(50).result.allowed).toBe(true);
    expect(reserve(1).result.allowed).toBe(false);
  });
});
