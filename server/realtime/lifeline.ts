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
  /** Re-checks the key (before each event); false, with the signal aborted, once it no longer works. */
  check(): boolean;
  /** Stops watching; idempotent. */
  close(): void;
}

export interface OpenLifelineInput {
  keyId: string;
  /** Throws the 401 GatewayError when the subscription's credential no longer works; must not count as use of the key. */
  recheck: () => void;
  /** The client's signal (request or socket closed). */
  signal?: AbortSignal;
  /** True for endless feeds; token streams end on their own, so they drain at shutdown like any request in progress. */
  endsOnGoAway: boolean;
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

interface Line {
  keyId: string;
  endsOnGoAway: boolean;
  check(): boolean;
  end(reason: unknown): void;
}

export function createLifelines({ keys, recheckMs }: { keys: Pick<KeyStore, 'onChange'>; recheckMs?: number }): Lifelines {
  const lines = new Set<Line>();
  let closing = false;
  // Expiry fires no key change: with recheckMs, look again now and then, but only while lines are open.
  let timer: NodeJS.Timeout | undefined;
  const watch = () => {
    if (recheckMs === undefined) return;
    if (lines.size && !timer) {
      timer = setInterval(() => recheck(), recheckMs);
      timer.unref();
    } else if (!lines.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const recheck = (keyId?: string) => {
    for (const line of lines) if (keyId === undefined || line.keyId === keyId) line.check();
  };
  keys.onChange((keyId) => recheck(keyId));

  return {
    open({ keyId, recheck: authenticate, signal: client, endsOnGoAway }) {
      const controller = new AbortController();
      const onClient = () => line.end(client?.reason);
      const close = () => {
        lines.delete(line);
        watch();
        client?.removeEventListener('abort', onClient);
      };
      const line: Line = {
        keyId,
        endsOnGoAway,
        check() {
          if (controller.signal.aborted) return false;
          try {
            authenticate();
            return true;
          } catch (err) {
            line.end(err);
            return false;
          }
        },
        end(reason) {
          close();
          if (!controller.signal.aborted) controller.abort(reason);
        },
      };
      lines.add(line);
      watch();
      if (client?.aborted) onClient();
      else client?.addEventListener('abort', onClient, { once: true });
      if (closing && endsOnGoAway) line.end(errors.shuttingDown());
      return { signal: controller.signal, check: () => line.check(), close };
    },
    recheck,
    size: () => lines.size,
    goAway() {
      closing = true;
      for (const line of lines) if (line.endsOnGoAway) line.end(errors.shuttingDown());
    },
  };
}
