/**
 * Prometheus metrics at GET /metrics (prom-client). Request, token, latency and refusal metrics are
 * derived from the usage recorder's feed (one record per request that reached a model), so the hot
 * path does no extra work; gauges (in flight, usage backlog, spool) are read when scraped. Readable
 * with an admin key or METRICS_TOKEN, and without authentication on METRICS_PORT when it is set.
 *
 * @example
 *   const metrics = createMetrics({ usage, keys, inFlight: () => n, activeRuns: service.active, metricsToken });
 *   if (p === '/metrics') return metrics.serve(req, res);
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { KeyStore } from './auth/key-store.ts';
import { errors } from './errors.ts';
import type { Logger } from './log.ts';
import { sendError } from './rest/api.ts';
import type { UsageInput, UsageRecorder } from './usage/recorder.ts';

/** What the upstream scheduler reports per server when scraped (the hook for per-upstream metrics). */
interface UpstreamSnapshot {
  upstream: string;
  healthy: boolean;
  inFlight: number;
  queueDepth: number;
}

export interface Metrics {
  registry: Registry;
  /** Answers GET /metrics on the main port: admin key or METRICS_TOKEN required. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Per-upstream gauges: the scheduler calls this once with a function read at every scrape, and
   * observeQueueWait() when a request leaves its queue.
   */
  watchUpstreams(snapshot: () => UpstreamSnapshot[]): void;
  observeQueueWait(upstream: string, seconds: number): void;
  /** Starts the unauthenticated listener on METRICS_PORT; returns its URL. */
  listen(opts: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const sha = (s: string) => createHash('sha256').update(s).digest();

/** Which limit refused a 429, from the error catalogue's messages. */
function refusalReason(error: string | null | undefined): string {
  if (error?.startsWith('Rate limit')) return 'requests_per_minute';
  if (error?.startsWith('Token limit')) return 'tokens_per_minute';
  return 'quota';
}

export function createMetrics({
  usage,
  keys,
  log,
  inFlight,
  activeRuns,
  metricsToken,
}: {
  usage: UsageRecorder;
  keys: KeyStore;
  log: Logger;
  inFlight: () => number;
  activeRuns: () => number;
  metricsToken?: string;
}): Metrics {
  const registry = new Registry();
  // The standard names (process_*, nodejs_*), so stock dashboards and alerts work.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Counter({
    name: 'ogw_requests_total',
    help: 'Requests that reached a model, by surface, HTTP status and model.',
    labelNames: ['surface', 'status', 'model'],
    registers,
  });
  const tokens = new Counter({
    name: 'ogw_tokens_total',
    help: 'Tokens counted by the upstream, by surface, model and type (prompt or completion).',
    labelNames: ['surface', 'model', 'type'],
    registers,
  });
  const latency = new Histogram({
    name: 'ogw_request_duration_seconds',
    help: 'Time from admission to the last byte of a model request.',
    labelNames: ['surface', 'model'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const ttft = new Histogram({
    name: 'ogw_time_to_first_token_seconds',
    help: 'Time from admission to the first token.',
    labelNames: ['surface', 'model'],
    buckets: TTFT_BUCKETS,
    registers,
  });
  const refusals = new Counter({
    name: 'ogw_refusals_total',
    help: 'Requests refused with 429 by the rate limiter or a quota, by surface and the limit that refused them.',
    labelNames: ['surface', 'reason'],
    registers,
  });
  const queueWait = new Histogram({
    name: 'ogw_queue_wait_seconds',
    help: 'Time a request waited for an upstream slot.',
    labelNames: ['upstream'],
    buckets: TTFT_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'ogw_http_requests_in_flight',
    help: 'HTTP requests being answered now (streams included).',
    registers,
    collect() {
      this.set(inFlight());
    },
  });
  new Gauge({
    name: 'ogw_inference_runs_active',
    help: 'Model runs in progress now.',
    registers,
    collect() {
      this.set(activeRuns());
    },
  });
  new Gauge({
    name: 'ogw_usage_pending_records',
    help: 'Usage records accepted but not yet written to the database.',
    registers,
    collect() {
      this.set(usage.stats().pending);
    },
  });
  new Gauge({
    name: 'ogw_usage_write_lag_seconds',
    help: 'Age of the oldest usage record not yet written (0 when none is waiting).',
    registers,
    collect() {
      const oldest = usage.stats().oldestPendingAt;
      this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    },
  });
  new Gauge({
    name: 'ogw_usage_spool_bytes',
    help: 'Bytes of the usage spool the database has not confirmed yet (every record passes through it; it grows while the database is unavailable).',
    registers,
    collect() {
      this.set(usage.stats().spoolBytes);
    },
  });

  // Per upstream: filled by the scheduler through watchUpstreams().
  let upstreams: () => UpstreamSnapshot[] = () => [];
  const upstreamGauge = (name: string, help: string, value: (u: UpstreamSnapshot) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['upstream'],
      registers,
      collect() {
        this.reset();
        for (const u of upstreams()) this.set({ upstream: u.upstream }, value(u));
      },
    });
  upstreamGauge('ogw_upstream_healthy', 'Whether an upstream Ollama server is healthy (1) or not (0).', (u) => (u.healthy ? 1 : 0));
  upstreamGauge('ogw_upstream_in_flight', 'Requests an upstream server is running now.', (u) => u.inFlight);
  upstreamGauge('ogw_upstream_queue_depth', 'Requests waiting for a slot on an upstream server.', (u) => u.queueDepth);

  // Labelled children by surface, model and status: prom-client hashes a labels object on every call,
  // which was most of this listener's cost per request. Bounded: model names come from clients.
  type Children = {
    requests: { inc(): void };
    prompt: { inc(n: number): void };
    completion: { inc(n: number): void };
    latency: { observe(v: number): void };
    ttft: { observe(v: number): void };
  };
  const children = new Map<string, Children>();
  const childrenOf = (surface: string, model: string, status: string): Children => {
    const id = `${surface}\u0000${model}\u0000${status}`;
    let c = children.get(id);
    if (!c) {
      if (children.size >= 1000) children.clear();
      c = {
        requests: requests.labels({ surface, status, model }),
        prompt: tokens.labels({ surface, model, type: 'prompt' }),
        completion: tokens.labels({ surface, model, type: 'completion' }),
        latency: latency.labels({ surface, model }),
        ttft: ttft.labels({ surface, model }),
      };
      children.set(id, c);
    }
    return c;
  };
  const unsubscribe = usage.onRecord((rec: UsageInput) => {
    const status = String(rec.status);
    const c = childrenOf(rec.surface, rec.model, status);
    c.requests.inc();
    if (rec.status === 429) {
      refusals.inc({ surface: rec.surface, reason: refusalReason(rec.error) });
      return;
    }
    if (rec.promptTokens) c.prompt.inc(rec.promptTokens);
    if (rec.completionTokens) c.completion.inc(rec.completionTokens);
    c.latency.observe(rec.latencyMs / 1000);
    if (typeof rec.ttftMs === 'number') c.ttft.observe(rec.ttftMs / 1000);
  });

  const expose = async (res: ServerResponse) => {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  };

  const tokenHash = metricsToken ? sha(metricsToken) : undefined;
  const allowed = (authorization: string | undefined) => {
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (tokenHash && secret && timingSafeEqual(sha(secret), tokenHash)) return true;
    const principal = keys.authenticate(authorization); // throws the 401 for a missing or bad key
    if (!principal.isAdmin) throw errors.forbidden('Reading /metrics needs an admin key or METRICS_TOKEN');
    return true;
  };

  let server: http.Server | undefined;
  return {
    registry,
    async serve(req, res) {
      try {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed(req.method ?? '', '/metrics');
        allowed(req.headers.authorization);
      } catch (err) {
        return sendError(res, err, log);
      }
      await expose(res);
    },
    watchUpstreams(snapshot) {
      upstreams = snapshot;
    },
    observeQueueWait(upstream, seconds) {
      queueWait.observe({ upstream }, seconds);
    },
    async listen({ port, host }) {
      server = http.createServer((req, res) => {
        const p = (req.url ?? '/').split('?')[0];
        if (p !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Only /metrics is served here\n');
          return;
        }
        expose(res).catch((err) => {
          log.error({ err }, 'metrics scrape failed');
          res.destroy();
        });
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      const addr = server.address() as AddressInfo;
      return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
    },
    async close() {
      unsubscribe();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
