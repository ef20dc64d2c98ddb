/**
 * Ends long-lived subscriptions (usageEvents, chat and generate streams) when they must stop: their
 * key is revoked, expires or loses its rotation grace period, or the gateway goes away. A graphql-ws
 * socket is also closed as a whole, but a subscription over SSE is a plain HTTP request that nothing
 * else would end. The inference service keeps lines of its own for every run (REST and GraphQL alike),
 * re-checked every `recheckMs` while any is open, so a key that expires mid-stream is noticed too.
 *
 * @example
 *   const lifelines = createLifelines({ keys });
 *   const line = lifelines.open({ keyId, recheck, signal, endsOnGoAway: true });
 *   line.signal.addEventListener('abort', stop);   // reason: a GatewayError, or the client's own
 *   if (!line.check()) ...;                         // before each event
 *   line.close();                                   // when the subscription ends, however it ends
 *   lifelines.goAway();                             // at shutdown
 */
import type { KeyStore } from '../auth/key-store.ts';
import { errors } from '../errors.ts';

export interface Lifeline {
  /** Aborts when the subscription must end: with a GatewayError (401 for the key, 503 going away) or the client's reason. */
  readonly signal: AbortSignal;
  /** Whether the line has ended, and why (the signal's reason), without making the signal. */
  readonly ended: boolean;
  readonly reason: unknown;
  /** Re-checks the key (before each event); false, with the signal aborted, once it no longer works. */
  check(): boolean;
  /** Stops watching; idempotent. */
  close(): void;
}

interface OpenLifelineInput {
  keyId: string;
  /** Throws the 401 GatewayError when the subscription's credential no longer works; must not count as use of the key. */
  recheck: () => void;
  /** The client's signal (request or socket closed). */
  signal?: AbortSignal;
  /** True for endless feeds; token streams end on their own, so they drain at shutdown like any request in progress. */
  endsOnGoAway: boolean;
  /** Called once when the line ends, with the signal's reason (cheaper than a listener on the signal, which costs microseconds a run). */
  onEnd?: (reason: unknown) => void;
}

export interface Lifelines {
  open(input: OpenLifelineInput): Lifeline;
  /** Re-checks the lines of one key, or all of them (expiry and the end of a grace period fire no key change). */
  recheck(keyId?: string): void;
  /** Ends every line that ends on goAway, and any opened afterwards. */
  goAway(): void;
  /** Lines open now. */
  size(): number;
}

/** One watched subscription or run. A class, so that opening one (once per inference run) is cheap. */
class Line implements Lifeline {
  private controller: AbortController | undefined;
  ended = false;
  reason: unknown;

  constructor(
    private readonly lines: Set<Line>,
    readonly keyId: string,
    readonly endsOnGoAway: boolean,
    private readonly authenticate: () => void,
    private readonly client: AbortSignal | undefined,
    private readonly onEnd: ((reason: unknown) => void) | undefined,
  ) {}

  /** Made only if asked for: an AbortSignal costs microseconds, and the engine's line for a run needs only onEnd. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.ended) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  readonly onClient = () => this.end(this.client?.reason);

  check(): boolean {
    if (this.ended) return false;
    try {
      this.authenticate();
      return true;
    } catch (err) {
      this.end(err);
      return false;
    }
  }

  end(reason: unknown): void {
    this.close();
    if (this.ended) return;
    this.ended = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.onEnd?.(reason);
  }

  close = (): void => {
    this.lines.delete(this);
    this.client?.removeEventListener('abort', this.onClient);
  };
}

export function createLifelines({ keys, recheckMs }: { keys: Pick<KeyStore, 'onChange'>; recheckMs?: number }): Lifelines {
  const lines = new Set<Line>();
  let closing = false;
  // Expiry fires no key change: with recheckMs, look again now and then while lines are open
  // (the timer stops itself once it finds none, rather than being reset for every short run).
  let timer: NodeJS.Timeout | undefined;
  const watch = () => {
    if (recheckMs === undefined || timer) return;
    timer = setInterval(() => {
      if (lines.size) return recheck();
      clearInterval(timer);
      timer = undefined;
    }, recheckMs);
    timer.unref();
  };

  const recheck = (keyId?: string) => {
    for (const line of lines) if (keyId === undefined || line.keyId === keyId) line.check();
  };
  keys.onChange((keyId) => recheck(keyId));

  return {
    open({ keyId, recheck: authenticate, signal: client, endsOnGoAway, onEnd }) {
      const line = new Line(lines, keyId, endsOnGoAway, authenticate, client, onEnd);
      lines.add(line);
      watch();
      if (client?.aborted) line.onClient();
      else client?.addEventListener('abort', line.onClient, { once: true });
      if (closing && endsOnGoAway) line.end(errors.shuttingDown());
      return line;
    },
    recheck,
    size: () => lines.size,
    goAway() {
      closing = true;
      for (const line of lines) if (line.endsOnGoAway) line.end(errors.shuttingDown());
    },
  };
}
