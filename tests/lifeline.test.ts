import { describe, expect, it } from 'vitest';
import { errors } from '../server/errors.ts';
import { createLifelines } from '../server/realtime/lifeline.ts';

/** A key store stand-in with only what lifelines use: change notifications. */
function fakeKeys() {
  const listeners: Array<(id: string) => void> = [];
  return { onChange: (fn: (id: string) => void) => void listeners.push(fn), change: (id: string) => listeners.forEach((fn) => fn(id)) };
}

describe('lifelines', () => {
  it('ends the lines of a changed key that no longer works, with its reason, and leaves the others', () => {
    const keys = fakeKeys();
    const lifelines = createLifelines({ keys });
    let revoked = false;
    const ends: unknown[] = [];
    const a = lifelines.open({
      keyId: 'a',
      recheck: () => {
        if (revoked) throw errors.revokedKey();
      },
      endsOnGoAway: false,
      onEnd: (r) => ends.push(r),
    });
    const b = lifelines.open({
      keyId: 'b',
      recheck: () => {
        throw errors.revokedKey();
      },
      endsOnGoAway: false,
    });
    keys.change('a');
    expect(a.ended).toBe(false);
    revoked = true;
    keys.change('a');
    expect(a.ended).toBe(true);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toMatchObject({ status: 401, message: 'This API key has been revoked' });
    // The signal, made only when asked for, is already aborted with the same reason.
    expect(a.signal.aborted).toBe(true);
    expect(a.signal.reason).toBe(ends[0]);
    expect(b.ended).toBe(false); // key b did not change
    expect(lifelines.size()).toBe(1);
    b.close();
    expect(lifelines.size()).toBe(0);
  });

  it('re-checks open lines every recheckMs, so an expiry (which fires no key change) ends them', async () => {
    const lifelines = createLifelines({ keys: fakeKeys(), recheckMs: 20 });
    const expiresAt = Date.now() + 60;
    const line = lifelines.open({
      keyId: 'k',
      recheck: () => {
        if (Date.now() >= expiresAt) throw errors.expiredKey();
      },
      endsOnGoAway: false,
    });
    const ended = new Promise<unknown>((resolve) => line.signal.addEventListener('abort', () => resolve(line.signal.reason)));
    const reason = await ended;
    expect(reason).toMatchObject({ status: 401, message: 'This API key has expired' });
    expect(lifelines.size()).toBe(0);
  });

  it('calls onEnd once however often the line is ended or checked', () => {
    const lifelines = createLifelines({ keys: fakeKeys() });
    let calls = 0;
    const line = lifelines.open({
      keyId: 'k',
      recheck: () => {
        throw errors.expiredKey();
      },
      endsOnGoAway: false,
      onEnd: () => calls++,
    });
    expect(line.check()).toBe(false);
    expect(line.check()).toBe(false);
    lifelines.recheck();
    expect(calls).toBe(1);
  });
});
