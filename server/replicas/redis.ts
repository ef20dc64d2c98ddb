/**
 * The replica's link to Redis (REDIS_URL): one command connection with an explicit timeout, and
 * whether Redis is answering. A failed or slow command takes the link down (one log line); a PING
 * every PROBE_MS brings it back up (one more line). Nothing waits on Redis while it is down: callers
 * check `state` and use their local fallback.
 *
 * @example
 *   const link = await createRedisLink({ url, timeoutMs: 500, log });
 *   if (link.state === 'up') try { await link.client.get('k') } catch (err) { link.failed(err) }
 */
import { Redis } from 'ioredis';
import type { Log } from '../log.ts';

type RedisState = 'up' | 'down';

export interface RedisLink {
  client: Redis;
  readonly state: RedisState;
  /** Why it is down (undefined while up). */
  readonly reason: string | undefined;
  /** A command failed or timed out: down until a probe answers. */
  failed(err: unknown): void;
  /** Called at each change of state. */
  onChange(fn: (state: RedisState) => void): void;
  /** A new connection in subscriber mode (pub/sub needs its own); closed with the link. */
  subscriber(): Redis;
  close(): Promise<void>;
}

const PROBE_MS = 500;
/** How long start-up waits for a first connection before it starts degraded. */
const FIRST_CONNECT_MS = 2000;

const describe = (err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  return /timed out/i.test(msg) ? 'redis did not answer in time' : `redis unreachable: ${msg}`;
};

export async function createRedisLink({ url, timeoutMs, log }: { url: string; timeoutMs: number; log: Pick<Log, 'info' | 'warn'> }): Promise<RedisLink> {
  const options = {
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
    // Fail at once while disconnected: a request must not wait for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  };
  const client = new Redis(url, options);
  const others: Redis[] = [];
  const listeners: Array<(s: RedisState) => void> = [];
  let state: RedisState = 'down';
  let reason: string | undefined = 'redis connecting';
  let closed = false;
  let wasUp = false;

  const change = (next: RedisState, why?: string) => {
    if (closed) return;
    reason = next === 'up' ? undefined : why;
    if (next === state) return;
    state = next;
    if (next === 'down') log.warn({ reason: why }, 'redis down: each replica now enforces its share of every limit (limit / live replicas)');
    else log.info(wasUp ? 'redis answering again: limits are shared and exact' : 'redis connected: limits are shared by the replicas');
    if (next === 'up') wasUp = true;
    for (const fn of listeners) fn(next);
  };

  // ioredis reports every failed reconnect as an 'error' event; the probe decides the state.
  client.on('error', (err) => {
    if (state === 'down') reason = describe(err);
  });
  client.on('close', () => change('down', 'redis connection lost'));

  // One PING at a time; callers share the one in flight.
  let probing: Promise<void> | undefined;
  const probe = () => {
    if (closed || client.status !== 'ready') return Promise.resolve();
    probing ??= client
      .ping()
      .then(
        () => change('up'),
        (err) => change('down', describe(err)),
      )
      .finally(() => (probing = undefined));
    return probing;
  };
  const timer = setInterval(() => {
    if (state === 'down') void probe();
  }, PROBE_MS);
  timer.unref();
  client.on('ready', () => void probe());

  // Start degraded rather than not at all when Redis is not there yet.
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, FIRST_CONNECT_MS);
    client.once('ready', () => {
      clearTimeout(t);
      void probe().then(resolve);
    });
  });
  if (state === 'down') log.warn({ reason }, 'redis not reachable at start-up: each replica enforces its share of every limit until it is');

  return {
    client,
    get state() {
      return state;
    },
    get reason() {
      return reason;
    },
    failed(err) {
      change('down', describe(err));
    },
    onChange(fn) {
      listeners.push(fn);
    },
    subscriber() {
      const sub = new Redis(url, { ...options, enableOfflineQueue: true, commandTimeout: undefined });
      sub.on('error', () => {});
      others.push(sub);
      return sub;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      for (const c of [client, ...others]) c.disconnect();
    },
  };
}
