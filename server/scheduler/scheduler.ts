/**
 * The scheduler: slots per upstream server, the gateway's fair queue, residency-aware routing,
 * health probes with a circuit breaker, and failover before the first byte.
 *
 * - A server never runs more of the gateway's requests (generations and embeddings) than its slots.
 * - Routing among enabled, healthy servers that list the model: one where the model is loaded first
 *   (from /api/ps, and marked when the gateway sends it there), then the lowest in-flight ÷ slots.
 * - No cold load while a warm slot comes soon: a cold server is used only when the requests already
 *   waiting for that model outnumber the warm servers' slots (they would not all start within about
 *   one service time).
 * - A failure before the first byte (refused, reset, 5xx, Ollama's 503 "server busy") moves the
 *   request to another free eligible server, at most MAX_FAILOVERS times, within the queue deadline.
 *
 * @example
 *   const lease = await scheduler.acquire({ principal, model, signal });   // may wait; 503 queue_full / queue_timeout
 *   try { for await (const ev of lease.stream(request, signal)) ... } finally { lease.release(); }
 */
import type { Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { errors, type GatewayError } from '../errors.ts';
import type { EmbedRequest, EmbedResult, InferenceRequest, Provider, ProviderEvent } from '../inference/types.ts';
import { createFairQueue, type KeyState, type Waiter } from './fair-queue.ts';
import { admits, createBreaker, recordFailure, recordSuccess, shouldProbe, type Breaker } from './health.ts';
import type { Log } from '../log.ts';
import { abortError } from '../inference/abort.ts';

const MAX_FAILOVERS = 2;
/** A request that waits this long gets its first "queued" notice, then one every QUEUED_NOTICE_EVERY_MS. */
const QUEUED_NOTICE_AFTER_MS = 1000;
const QUEUED_NOTICE_EVERY_MS = 5000;
const LATENCY_SAMPLES = 32;

type ServerState = 'ENABLED' | 'DRAINING' | 'DISABLED';

export interface LoadedModel {
  name: string;
  sizeVram: number;
  expiresAt: string | null;
}

/** How the scheduler talks to one server; the provider registry builds it for the server's kind. */
export interface ServerConnection {
  provider: Provider;
  /** Version and loaded models (Ollama: /api/version and /api/ps); rejects when the server is down. */
  probe(signal: AbortSignal): Promise<{ version: string; loaded: LoadedModel[] }>;
  /** 'retry': a server fault before the first byte; 'busy': try another server, but it is not a health failure (full, or lacks the model); 'fatal': give up. */
  classify(err: unknown): 'retry' | 'busy' | 'fatal';
  close(): Promise<void>;
}

export interface ServerRow {
  id: string;
  name: string;
  url: string;
  kind: string;
  state: ServerState;
  parallel: number | null;
}

export interface ServerEntry extends ServerRow {
  /** Slots in force: the row's `parallel` or OLLAMA_PARALLEL. */
  slots: number;
  inFlight: number;
  conn: ServerConnection;
  breaker: Breaker;
  loaded: Map<string, LoadedModel & { markedAt?: number }>;
  version: string | null;
  lastProbeAt: number | null;
  /** Recent times to first byte (ms), a ring. */
  latencies: number[];
  latencyNext: number;
  served: number;
}

export interface QueueObserver {
  /** While waiting: about how many requests run first, plus one. */
  queued?(position: number): void;
  /** Once a slot is granted after a wait. */
  admitted?(waitedMs: number): void;
}

/** A slot on a server; the request runs through it (it is the Provider, with failover) and releases it once. */
export interface Lease extends Provider {
  readonly waitedMs: number;
  /** Name of the server that answered (the last one tried). */
  readonly server: string | null;
  release(): void;
}

export interface AcquireInput {
  principal: Principal;
  model: Model;
  signal: AbortSignal;
  observer?: QueueObserver;
}

export interface Scheduler {
  acquire(input: AcquireInput): Promise<Lease>;
  /** Replaces the set of servers (after a change to the rows); in-flight leases keep their server. */
  setServers(entries: ServerEntry[]): void;
  servers(): readonly ServerEntry[];
  /** Requests waiting, all models. */
  queueLength(): number;
  /** Requests waiting for a model. */
  waitingFor(modelId: string): number;
  /** Probes every server now (also runs every healthIntervalMs after start). */
  probeAll(): Promise<void>;
  start(): void;
  close(): void;
}

/**
 * Slots counted across replicas (scheduler/shared-slots.ts): a request that has a local slot also
 * claims one of the server's slots in the shared store before it is sent, and waits while every one
 * is held elsewhere. `claim` resolves to a lease id, or undefined when the store is unavailable (then
 * the local count alone applies); it throws `timedOut()` past the deadline and `aborted()` on abort.
 */
export interface SlotGate {
  claim(input: {
    server: string;
    slots: number;
    signal: AbortSignal;
    deadline: number;
    timedOut: () => Error;
    aborted: () => Error;
  }): Promise<string | undefined>;
  release(server: string, lease: string): void;
}

type Logger = Pick<Log, 'info' | 'warn'>;

const aborted = (signal: AbortSignal) => abortError(signal, 'The request was cancelled while queued');

export function createScheduler({
  serversOf,
  queueMax,
  queueTimeoutMs,
  healthIntervalMs,
  log,
  gate,
}: {
  /** Ids of the servers that list a model (the catalogue's ModelServer rows). */
  serversOf: (modelId: string) => readonly string[];
  queueMax: number;
  queueTimeoutMs: number;
  healthIntervalMs: number;
  log: Logger;
  /** With several replicas: the servers' slots counted across all of them. */
  gate?: SlotGate;
}): Scheduler {
  let list: ServerEntry[] = [];
  let byId = new Map<string, ServerEntry>();
  const queue = createFairQueue<Model>();
  const waitingByModel = new Map<string, number>();
  // Mean service time (ms), for Retry-After estimates.
  let serviceMs = 1000;
  let timer: NodeJS.Timeout | undefined;

  const totalSlots = () => {
    let n = 0;
    for (const s of list) if (s.state === 'ENABLED' && admits(s.breaker)) n += s.slots;
    return n;
  };
  const retryAfter = () => Math.min(60, Math.max(1, Math.ceil((serviceMs * (queue.size + 1)) / Math.max(1, totalSlots()) / 1000)));

  const eligible = (s: ServerEntry | undefined, kind: string): s is ServerEntry => !!s && s.state === 'ENABLED' && s.kind === kind && admits(s.breaker);

  /** The server to run `model` on now, or undefined to wait. `exclude`: servers already tried (failover ignores the warm rule). */
  const route = (model: Model, exclude?: ServerEntry[]): ServerEntry | undefined => {
    const ids = serversOf(model.id);
    let warm: ServerEntry | undefined;
    let cold: ServerEntry | undefined;
    let warmLoad = Infinity;
    let coldLoad = Infinity;
    let warmSlots = 0;
    // A model no sync has tied to a server yet may run on any server of its kind.
    const n = ids.length || list.length;
    for (let i = 0; i < n; i++) {
      const s = ids.length ? byId.get(ids[i]) : list[i];
      if (!eligible(s, model.provider) || exclude?.includes(s)) continue;
      const isWarm = s.loaded.has(model.id);
      if (isWarm) warmSlots += s.slots;
      if (s.inFlight >= s.slots) continue;
      const load = s.inFlight / s.slots;
      if (isWarm) {
        if (load < warmLoad) {
          warm = s;
          warmLoad = load;
        }
      } else if (load < coldLoad) {
        cold = s;
        coldLoad = load;
      }
    }
    if (warm) return warm;
    if (!cold) return undefined;
    if (!exclude && warmSlots > 0 && (waitingByModel.get(model.id) ?? 0) <= warmSlots) return undefined;
    return cold;
  };

  /** Whether some enabled server could ever serve the model (down ones count: they may come back). */
  /**
   * Why `model` cannot be served: no enabled server lists it (`none`, refused at once), or every one
   * that does is down, its circuit open (`down`: a request waits for the next probe, and is refused
   * with the last error when that probe fails too, so a blip is ridden out and a dead server is not waited on).
   */
  const unservable = (model: Model): { kind: 'none' | 'down'; error: GatewayError } | undefined => {
    const ids = serversOf(model.id);
    let enabled = 0;
    let last: { message: string; at: number } | undefined;
    const n = ids.length || list.length;
    for (let i = 0; i < n; i++) {
      const s = ids.length ? byId.get(ids[i]) : list[i];
      if (s?.state !== 'ENABLED' || (!ids.length && s.kind !== model.provider)) continue;
      if (admits(s.breaker)) return undefined;
      enabled++;
      if (s.breaker.lastError && (!last || s.breaker.lastError.at > last.at)) last = s.breaker.lastError;
    }
    if (!enabled) return { kind: 'none', error: errors.noServer(model.id) };
    const reason = (last?.message ?? 'no answer').replace(/^The model server [^:]*: /, '');
    return { kind: 'down', error: errors.serversDown(model.id, reason, Math.max(1, Math.ceil(healthIntervalMs / 1000))) };
  };

  // Every request waiting for a slot, to refuse those whose servers a failed probe found still down.
  const waiters = new Set<Queued>();
  const refuseDown = () => {
    for (const w of waiters) {
      const refusal = unservable(w.item);
      if (refusal && queue.remove(w)) {
        w.cleanup();
        w.reject(refusal.error);
      }
    }
  };

  const countWaiting = (model: Model, delta: number) => waitingByModel.set(model.id, (waitingByModel.get(model.id) ?? 0) + delta);

  const recordLatency = (s: ServerEntry, ms: number) => {
    s.latencies[s.latencyNext] = ms;
    s.latencyNext = (s.latencyNext + 1) % LATENCY_SAMPLES;
  };

  const fail = (s: ServerEntry, err: unknown) => {
    const wasClosed = s.breaker.state === 'closed';
    // Logged when it opens, not on every failed half-open probe of a server that stays down.
    if (recordFailure(s.breaker, (err as Error)?.message ?? String(err), Date.now()) && wasClosed) {
      log.warn({ server: s.name, error: s.breaker.lastError?.message }, 'upstream server failing: circuit open');
    }
  };
  const succeed = (s: ServerEntry) => {
    if (s.breaker.failures === 0 && s.breaker.state === 'closed') return;
    if (recordSuccess(s.breaker)) {
      log.info({ server: s.name }, 'upstream server answers again: circuit closed');
      dispatch();
    }
  };

  const take = (s: ServerEntry, model: Model) => {
    s.inFlight++;
    // The model loads there now; /api/ps will say so too once it has.
    if (!s.loaded.has(model.id)) s.loaded.set(model.id, { name: model.id, sizeVram: 0, expiresAt: null, markedAt: Date.now() });
  };

  class Slot implements Lease {
    released = false;
    tried: ServerEntry[] | undefined;
    /** The shared lease on `leased` (a server this request was sent to), with a gate. */
    lease: string | undefined;
    leased: ServerEntry | undefined;
    constructor(
      public current: ServerEntry,
      readonly key: KeyState,
      readonly model: Model,
      readonly waitedMs: number,
      readonly arrived: number,
    ) {}

    get server() {
      return this.current.name;
    }

    /** With a gate: holds one of the current server's slots across replicas before the request goes there. */
    async shared(signal: AbortSignal) {
      if (!gate || this.leased === this.current) return;
      this.unlease();
      const server = this.current;
      const lease = await gate.claim({
        server: server.id,
        slots: server.slots,
        signal,
        deadline: this.arrived + queueTimeoutMs,
        timedOut: () => errors.queueTimeout(Math.round(queueTimeoutMs / 1000), retryAfter()),
        aborted: () => aborted(signal),
      });
      this.leased = server;
      this.lease = lease;
      if (this.released) this.unlease();
    }

    unlease() {
      if (this.lease && this.leased) gate!.release(this.leased.id, this.lease);
      this.lease = undefined;
      this.leased = undefined;
    }

    release() {
      if (this.released) return;
      this.released = true;
      this.unlease();
      this.current.inFlight--;
      this.key.running--;
      this.current.served++;
      serviceMs += (Date.now() - this.arrived - this.waitedMs - serviceMs) / 16;
      if (queue.size) dispatch();
    }

    /** Before the first byte: moves to another free server when the failure allows it; false to give up. */
    failover(err: unknown, signal: AbortSignal): boolean {
      if (signal.aborted) return false;
      const verdict = this.current.conn.classify(err);
      if (verdict === 'fatal') return false;
      if (verdict === 'retry') fail(this.current, err);
      this.tried ??= [];
      this.tried.push(this.current);
      if (this.tried.length > MAX_FAILOVERS || Date.now() - this.arrived > queueTimeoutMs) return false;
      const next = route(this.model, this.tried);
      if (!next) return false;
      this.current.inFlight--;
      take(next, this.model);
      this.current = next;
      if (queue.size) dispatch();
      return true;
    }

    firstByte(started: number) {
      recordLatency(this.current, Date.now() - started);
      succeed(this.current);
    }

    /**
     * Failover applies to the first event only; after it, next() hands the provider's own iterator on
     * untouched (no generator layer per token). A failure after the first byte is never retried.
     */
    stream(req: InferenceRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
      let inner: AsyncIterator<ProviderEvent> | undefined;
      let started = false;
      const first = async (): Promise<IteratorResult<ProviderEvent>> => {
        for (;;) {
          await this.shared(signal);
          const t0 = Date.now();
          inner = this.current.conn.provider.stream(req, signal)[Symbol.asyncIterator]();
          try {
            const r = await inner.next();
            started = true;
            this.firstByte(t0);
            return r;
          } catch (err) {
            if (!this.failover(err, signal)) throw err;
          }
        }
      };
      const iterator: AsyncIterableIterator<ProviderEvent> = {
        next: () => (started ? inner!.next() : first()),
        return: (value?: unknown) => inner?.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    }

    async complete(req: InferenceRequest, signal: AbortSignal) {
      for (;;) {
        await this.shared(signal);
        const started = Date.now();
        try {
          const answer = await this.current.conn.provider.complete!(req, signal);
          this.firstByte(started);
          return answer;
        } catch (err) {
          if (!this.failover(err, signal)) throw err;
        }
      }
    }

    async embed(req: EmbedRequest, signal: AbortSignal): Promise<EmbedResult> {
      for (;;) {
        await this.shared(signal);
        const started = Date.now();
        try {
          const result = await this.current.conn.provider.embed!(req, signal);
          this.firstByte(started);
          return result;
        } catch (err) {
          if (!this.failover(err, signal)) throw err;
        }
      }
    }
  }

  class Queued implements Waiter<Model> {
    done = false;
    timer: NodeJS.Timeout;
    notice: NodeJS.Timeout | undefined;
    constructor(
      readonly key: KeyState,
      readonly item: Model,
      readonly enqueuedAt: number,
      readonly signal: AbortSignal,
      readonly observer: QueueObserver | undefined,
      readonly resolve: (lease: Lease) => void,
      readonly reject: (err: unknown) => void,
    ) {
      this.timer = setTimeout(this.timeout, queueTimeoutMs);
      signal.addEventListener('abort', this.cancel, { once: true });
      if (observer?.queued) this.notice = setTimeout(this.notify, QUEUED_NOTICE_AFTER_MS);
    }
    cleanup() {
      waiters.delete(this);
      clearTimeout(this.timer);
      clearTimeout(this.notice);
      this.signal.removeEventListener('abort', this.cancel);
      countWaiting(this.item, -1);
    }
    notify = () => {
      if (this.done) return;
      // Waiting on a down server's next probe is not a place in line: keep the answer unstarted, so a refusal is still a 503.
      if (!unservable(this.item)) this.observer?.queued?.(queue.position(this));
      this.notice = setTimeout(this.notify, QUEUED_NOTICE_EVERY_MS);
    };
    timeout = () => {
      if (!queue.remove(this)) return;
      this.cleanup();
      this.reject(errors.queueTimeout(Math.round(queueTimeoutMs / 1000), retryAfter()));
    };
    cancel = () => {
      if (!queue.remove(this)) return;
      this.cleanup();
      this.reject(aborted(this.signal));
    };
  }

  const grant = (w: Queued, s: ServerEntry) => {
    w.cleanup();
    take(s, w.item);
    w.key.running++;
    const now = Date.now();
    const waited = now - w.enqueuedAt;
    w.observer?.admitted?.(waited);
    w.resolve(new Slot(s, w.key, w.item, waited, w.enqueuedAt));
  };

  const canRun = (model: Model) => route(model) !== undefined;
  function dispatch() {
    for (;;) {
      const w = queue.next(canRun) as Queued | undefined;
      if (!w) return;
      grant(w, route(w.item)!);
    }
  }

  const probing = new Set<ServerEntry>();
  const probe = async (s: ServerEntry) => {
    if (s.state === 'DISABLED' || probing.has(s) || !shouldProbe(s.breaker, Date.now(), healthIntervalMs)) return;
    probing.add(s);
    try {
      const { version, loaded } = await s.conn.probe(AbortSignal.timeout(Math.max(1000, Math.min(healthIntervalMs, 10_000))));
      s.version = version;
      s.lastProbeAt = Date.now();
      // Keep what the gateway itself just sent there: Ollama lists a model only once it has loaded.
      const keepAfter = Date.now() - 2 * healthIntervalMs;
      for (const [name, m] of s.loaded) if (!(m.markedAt && m.markedAt > keepAfter)) s.loaded.delete(name);
      for (const m of loaded) s.loaded.set(m.name, m);
      if (recordSuccess(s.breaker)) log.info({ server: s.name }, 'upstream server answers again: circuit closed');
      if (queue.size) dispatch();
    } catch (err) {
      s.lastProbeAt = Date.now();
      fail(s, err);
      if (waiters.size) refuseDown();
    } finally {
      probing.delete(s);
    }
  };

  return {
    acquire({ principal, model, signal, observer }) {
      const key = queue.key(principal.keyId, principal.weight, principal.maxConcurrent);
      // The hot path: nobody waits, the key is under its cap and a server has a free slot.
      if (queue.size === 0 && key.running < key.cap) {
        const s = route(model);
        if (s) {
          take(s, model);
          key.running++;
          return Promise.resolve(new Slot(s, key, model, 0, Date.now()));
        }
      }
      if (signal.aborted) return Promise.reject(aborted(signal));
      const refusal = unservable(model);
      if (refusal?.kind === 'none') return Promise.reject(refusal.error);
      if (queue.size >= queueMax) return Promise.reject(errors.queueFull(queueMax, retryAfter()));
      return new Promise<Lease>((resolve, reject) => {
        const w = new Queued(key, model, Date.now(), signal, observer, resolve, reject);
        waiters.add(w);
        countWaiting(model, 1);
        queue.push(w);
        dispatch();
      });
    },
    setServers(entries) {
      list = entries;
      byId = new Map(entries.map((e) => [e.id, e]));
      if (queue.size) dispatch();
    },
    servers: () => list,
    queueLength: () => queue.size,
    waitingFor: (id) => waitingByModel.get(id) ?? 0,
    async probeAll() {
      await Promise.all(list.map(probe));
    },
    start() {
      void this.probeAll();
      timer = setInterval(() => void Promise.all(list.map(probe)), healthIntervalMs);
      timer.unref();
    },
    close() {
      clearInterval(timer);
    },
  };
}

/** A fresh entry for a server row and its connection. */
export function serverEntry({ row, conn, defaultSlots }: { row: ServerRow; conn: ServerConnection; defaultSlots: number }): ServerEntry {
  return {
    ...row,
    slots: row.parallel ?? defaultSlots,
    inFlight: 0,
    conn,
    breaker: createBreaker(),
    loaded: new Map(),
    version: null,
    lastProbeAt: null,
    latencies: [],
    latencyNext: 0,
    served: 0,
  };
}
