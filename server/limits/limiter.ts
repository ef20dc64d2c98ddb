/**
 * The limiter interface every implementation serves: per-key limits over a sliding 60-second window: no key has more than `limit` requests accepted in
 * ANY 60-second span (a sliding log, not fixed windows, which allow 2x at a window edge).
 * Tokens are reserved before a request runs (its worst case) and settled to the real count after;
 * a shared store must grant a reservation in one atomic step (in Redis, one Lua script per call).
 * Implementations: limits/memory.ts serves one process; a shared store (Redis, for several replicas)
 * implements the same interface, which is why every method, settlement included, may be asynchronous.
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
  settle(actual: number): void | Promise<void>;
}

interface ReserveTokensInput {
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
