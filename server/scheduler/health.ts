/**
 * A server's circuit breaker. Closed: traffic flows. After FAILURES_TO_OPEN consecutive failures
 * (probes or requests) it opens: no traffic. After `cooldownMs` the next probe runs half-open: its
 * success closes the circuit, its failure opens it again for another cooldown.
 */

export const FAILURES_TO_OPEN = 3;

type CircuitState = 'closed' | 'open' | 'half-open';

export interface Breaker {
  state: CircuitState;
  failures: number;
  openedAt: number;
  lastError: { message: string; at: number } | null;
}

export function createBreaker(): Breaker {
  return { state: 'closed', failures: 0, openedAt: 0, lastError: null };
}

/** Whether the server may take requests. */
export const admits = (b: Breaker) => b.state === 'closed';

/** A probe or request succeeded; returns true when this closed an open circuit (the server is back). */
export function recordSuccess(b: Breaker): boolean {
  const reopened = b.state !== 'closed';
  b.state = 'closed';
  b.failures = 0;
  return reopened;
}

/** A probe or request failed; returns true when this opened the circuit. */
export function recordFailure(b: Breaker, message: string, at: number): boolean {
  b.failures++;
  b.lastError = { message, at };
  if (b.state === 'half-open' || (b.state === 'closed' && b.failures >= FAILURES_TO_OPEN)) {
    b.state = 'open';
    b.openedAt = at;
    return true;
  }
  return false;
}

/** Before a probe: an open circuit whose cooldown is over goes half-open (the probe is its trial). False: skip the probe. */
export function shouldProbe(b: Breaker, now: number, cooldownMs: number): boolean {
  if (b.state !== 'open') return true;
  if (now - b.openedAt < cooldownMs) return false;
  b.state = 'half-open';
  return true;
}
