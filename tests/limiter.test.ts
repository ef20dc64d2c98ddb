import { describe, expect, it } from 'vitest';
import { createMemoryLimiter, WINDOW_MS } from '../server/limits/limiter.ts';

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

  it('refuses a token budget once the tokens counted in the window reach it', () => {
    const l = createMemoryLimiter();
    const first = l.reserveTokens('k', 100, 60, 0) as { result: { allowed: boolean } };
    expect(first.result.allowed).toBe(true);
    const second = l.reserveTokens('k', 100, 50, 1) as { result: { allowed: boolean; remaining: number } };
    expect(second.result.allowed).toBe(true); // 60 < 100 when it asked
    expect((l.reserveTokens('k', 100, 1, 2) as { result: { allowed: boolean } }).result.allowed).toBe(false);
    expect((l.reserveTokens('k', 100, 1, WINDOW_MS + 2) as { result: { allowed: boolean } }).result.allowed).toBe(true);
  });

  it('counts a reservation at once, so concurrent requests see each other, and settles it to the real use', () => {
    const l = createMemoryLimiter();
    const now = Date.now();
    const a = l.reserveTokens('k', 100, 80, now) as { result: { allowed: boolean }; settle(n: number): void };
    const b = l.reserveTokens('k', 100, 80, now) as { result: { allowed: boolean } };
    const c = l.reserveTokens('k', 100, 80, now) as { result: { allowed: boolean } };
    expect([a.result.allowed, b.result.allowed, c.result.allowed]).toEqual([true, true, false]);
    a.settle(5); // 5 + 80 = 85 < 100
    expect((l.reserveTokens('k', 100, 1, now) as { result: { allowed: boolean } }).result.allowed).toBe(true);
  });
});
