import { describe, expect, it } from 'vitest';
import { createFairQueue, type Waiter } from '../server/scheduler/fair-queue.ts';
import { admits, createBreaker, FAILURES_TO_OPEN, recordFailure, recordSuccess, shouldProbe } from '../server/scheduler/health.ts';

const fill = (q: ReturnType<typeof createFairQueue<string>>, keyId: string, weight: number, n: number, cap: number | null = null) => {
  const key = q.key(keyId, weight, cap);
  for (let i = 0; i < n; i++) q.push({ key, item: `${keyId}-${i}`, enqueuedAt: 0, done: false } as Waiter<string>);
  return key;
};

/** Dispatches `n` waiters, running each to completion at once (so caps never bind unless a test holds them). */
const drain = (q: ReturnType<typeof createFairQueue<string>>, n: number, canRun: (item: string) => boolean = () => true) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = q.next(canRun);
    if (!w) break;
    out.push(w.item);
  }
  return out;
};

describe('fair queue', () => {
  it('shares dispatches in proportion to weight and keeps each key FIFO', () => {
    const q = createFairQueue<string>();
    fill(q, 'standard', 1, 50);
    fill(q, 'premium', 4, 50);
    const first = drain(q, 50);
    const premium = first.filter((x) => x.startsWith('premium'));
    const standard = first.filter((x) => x.startsWith('standard'));
    expect(premium).toHaveLength(40);
    expect(standard).toHaveLength(10);
    expect(premium).toEqual(Array.from({ length: 40 }, (_, i) => `premium-${i}`));
    expect(standard).toEqual(Array.from({ length: 10 }, (_, i) => `standard-${i}`));
  });

  it('alternates equal keys, and a key arriving late gets no credit for the time it was idle', () => {
    const q = createFairQueue<string>();
    fill(q, 'a', 1, 10);
    fill(q, 'b', 1, 10);
    expect(drain(q, 4)).toEqual(['a-0', 'b-0', 'a-1', 'b-1']);
    fill(q, 'late', 1, 10);
    const next = drain(q, 6);
    // The late key joins the rotation instead of being served six times in a row.
    expect(next.filter((x) => x.startsWith('late'))).toHaveLength(2);
  });

  it('passes over a key at its cap and a waiter whose model cannot run, without reordering them', () => {
    const q = createFairQueue<string>();
    const capped = fill(q, 'capped', 1, 3, 1);
    fill(q, 'other', 1, 3);
    capped.running = 1;
    expect(drain(q, 3)).toEqual(['other-0', 'other-1', 'other-2']);
    capped.running = 0;
    expect(drain(q, 1, (item) => item !== 'capped-0')).toEqual([]);
    expect(drain(q, 1)).toEqual(['capped-0']);
  });

  it('removes a cancelled waiter and reports positions', () => {
    const q = createFairQueue<string>();
    const key = q.key('k', 1, null);
    const ws = [0, 1, 2].map((i) => ({ key, item: `k-${i}`, enqueuedAt: 0, done: false }) as Waiter<string>);
    for (const w of ws) q.push(w);
    expect(ws.map((w) => q.position(w))).toEqual([1, 2, 3]);
    expect(q.remove(ws[1])).toBe(true);
    expect(q.remove(ws[1])).toBe(false);
    expect(q.size).toBe(2);
    expect(q.position(ws[2])).toBe(2);
    expect(drain(q, 5)).toEqual(['k-0', 'k-2']);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, goes half-open after the cooldown, and closes on a success', () => {
    const b = createBreaker();
    for (let i = 0; i < FAILURES_TO_OPEN - 1; i++) expect(recordFailure(b, 'refused', 0)).toBe(false);
    expect(admits(b)).toBe(true);
    expect(recordFailure(b, 'refused', 100)).toBe(true);
    expect(admits(b)).toBe(false);
    expect(shouldProbe(b, 500, 1000)).toBe(false); // still cooling down
    expect(shouldProbe(b, 1100, 1000)).toBe(true);
    expect(b.state).toBe('half-open');
    expect(admits(b)).toBe(false);
    expect(recordSuccess(b)).toBe(true);
    expect(b).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('a failed half-open probe opens the circuit again for another cooldown', () => {
    const b = createBreaker();
    for (let i = 0; i < FAILURES_TO_OPEN; i++) recordFailure(b, 'refused', 0);
    expect(shouldProbe(b, 1000, 1000)).toBe(true);
    expect(recordFailure(b, 'still refused', 1000)).toBe(true);
    expect(b.state).toBe('open');
    expect(shouldProbe(b, 1500, 1000)).toBe(false);
    expect(b.lastError?.message).toBe('still refused');
  });

  it('a success resets the count of consecutive failures', () => {
    const b = createBreaker();
    recordFailure(b, 'x', 0);
    recordFailure(b, 'x', 0);
    recordSuccess(b);
    recordFailure(b, 'x', 0);
    expect(admits(b)).toBe(true);
  });
});
