/**
 * Builds the gateway from a config and a database: services, then one node:http server that mounts
 * every surface. Returns { server, start, stop } and does not listen until start(): tests build it
 * on port 0, main.ts on the configured port.
 *
 * @example
 *   const app = await createApp({ config, connectionString, log });
 *   await app.start();            // listens, starts model sync
 *   await app.stop();             // drains requests, flushes usage, closes connections
 */
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAccessLog } from './access-log.ts';
import { ensureBootstrapAdmin } from './auth/api-keys.ts';
import { createKeyStore } from './auth/key-store.ts';
import { createCatalogue } from './catalogue/catalogue.ts';
import type { Config } from './config.ts';
import { createChangeFeed } from './db/change-feed.ts';
import { guardConnections, serverOptions } from './connections.ts';
import { closeDatabase, openDatabase, prisma } from './db/client.ts';
import { errors } from './errors.ts';
import { createInferenceService } from './inference/service.ts';
import { cidrList } from './policy/policy.ts';
import { createPolicyStore } from './policy/store.ts';
import type { Limiter } from './limits/limiter.ts';
import { createMemoryLimiter } from './limits/memory.ts';
import { createRedisLimiter } from './limits/redis.ts';
import { createResilientLimiter } from './limits/resilient.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { createUpstreams } from './providers/upstreams.ts';
import { createSharedSlots } from './scheduler/shared-slots.ts';
import { createSharedUsageFeed } from './realtime/usage-feed.ts';
import { createReplicaRegistry } from './replicas/registry.ts';
import { createRedisLink } from './replicas/redis.ts';
import { createGraphQL } from './graphql.ts';
import { createAnthropicApi } from './rest/anthropic.ts';
import { createRestApi, sendError } from './rest/api.ts';
import { createConsoleSurface } from './rest/console.ts';
import { createCors } from './rest/cors.ts';
import { createOllamaNativeApi } from './rest/ollama-native.ts';
import { createOpenAiApi } from './rest/openai.ts';
import { sendJson } from './rest/http.ts';
import type { Services, Surface } from './services.ts';
import { createUsageRecorder } from './usage/recorder.ts';
import { createAlerts } from './alerts/alerts.ts';
import { createQuotas, setProcessQuotas } from './quotas/quotas.ts';
import { accountOf } from './quotas/account.ts';
import { createRedisQuotaStore } from './quotas/redis.ts';
import { createResilientQuotaStore } from './quotas/resilient.ts';
import { createMemoryQuotaStore } from './quotas/store.ts';
import { startUsageRetention } from './usage/retention.ts';

export interface App {
  server: http.Server;
  services: Services;
  /** The admin key generated on a first start without ADMIN_KEY (to print once), if any. */
  generatedAdminKey?: string;
  /** The unauthenticated metrics listener's URL once started, when METRICS_PORT is set. */
  readonly metricsUrl?: string;
  /** Listens on config.port (0 for a free one) and returns the base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

const PLAIN_PATH = /^\/(?!\/)[\w\-/]*$/;
const READINESS_TIMEOUT_MS = 2000;
/** Longest each shutdown step waits on the database. */
const STOP_DB_DEADLINE_MS = 2000;

/** Settles when p does or after ms, whichever comes first; never rejects. */
const within = (p: Promise<unknown>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
};

const packageVersion = async () => JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')).version as string;

export async function createApp({
  config,
  connectionString,
  log,
  now = Date.now,
}: {
  config: Config;
  connectionString: string;
  log: Logger;
  /** The clock quota periods and usage rows go by (tests move it across a day or a month). */
  now?: () => number;
}): Promise<App> {
  openDatabase({ connectionString, connectTimeoutMs: config.dbConnectTimeoutMs, statementTimeoutMs: config.dbStatementTimeoutMs });
  // Before the key cache loads, so the bootstrap admin key works from the first request.
  const { generated: generatedAdminKey } = await ensureBootstrapAdmin({ adminKey: config.adminKey, dataDir: config.dataDir });
  const changes = await createChangeFeed({ connectionString, log, connectTimeoutMs: config.dbConnectTimeoutMs });
  const keys = await createKeyStore({ changes });
  // With REDIS_URL the limits are shared by every replica; the heartbeats count them for the fallback.
  const redis = config.redisUrl ? await createRedisLink({ url: config.redisUrl, timeoutMs: config.redisTimeoutMs, log }) : undefined;
  // With Redis, a server's slots are leases shared by every replica.
  const sharedSlots = redis ? createSharedSlots({ link: redis }) : undefined;
  const upstreams = await createUpstreams({
    urls: config.ollamaUrls,
    connectTimeoutMs: config.ollamaConnectTimeoutMs,
    timeoutMs: config.ollamaTimeoutMs,
    maxUpstreamBytes: config.maxUpstreamBytes,
    parallel: config.ollamaParallel,
    queueMax: config.queueMax,
    queueTimeoutMs: config.queueTimeoutMs,
    healthIntervalMs: config.healthIntervalMs,
    changes,
    log,
    gate: sharedSlots,
  });
  const catalogue = await createCatalogue({ sources: upstreams.sources, builtin: config.builtinModels, changes, log });
  upstreams.bind({ serversOf: catalogue.serversOf });
  const replicas = createReplicaRegistry({
    version: await packageVersion(),
    inFlight: () => inFlight,
    redis: () => (redis ? { state: redis.state, reason: redis.reason } : { state: 'none' }),
    log,
  });
  const limiter: Limiter = redis
    ? createResilientLimiter({ shared: createRedisLimiter({ redis: redis.client }), link: redis, replicas: replicas.live })
    : createMemoryLimiter();
  const usage = await createUsageRecorder({
    connectionString,
    flushMs: config.usageFlushMs,
    spoolFile: path.join(config.dataDir, 'usage-spool.ndjson'),
    log,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    maxPending: config.usageMaxPending,
  });
  const alerts = createAlerts({
    globalUrl: config.alertWebhookUrl,
    maxAttempts: config.alertMaxAttempts,
    retryMs: config.alertRetryMs,
    timeoutMs: config.alertTimeoutMs,
    log,
    now,
    timeZone: config.quotaTimeZone,
  });
  // Day and month quotas: in Redis with REDIS_URL (shared by the replicas), else in this process.
  const quotaStore = redis
    ? createResilientQuotaStore({ shared: createRedisQuotaStore({ redis: redis.client, now }), link: redis, replicas: replicas.live, now })
    : createMemoryQuotaStore({ now });
  const quotas = createQuotas({ store: quotaStore, timeZone: config.quotaTimeZone, now, flush: () => usage.flush(), observe: alerts.observe });
  setProcessQuotas(quotas);
  const policies = await createPolicyStore({ changes, trustedProxies: config.trustedProxies.length ? cidrList(config.trustedProxies) : null });
  const service = createInferenceService({ catalogue, providers: upstreams, limiter, usage, maxTokensCap: config.maxTokensCap, keys, quotas, now, policies });
  const metrics = createMetrics({ usage, keys, log, inFlight: () => inFlight, activeRuns: () => service.active(), metricsToken: config.metricsToken });
  // GraphQL's live feed (usageEvents) shows every replica's records when they share Redis.
  const liveUsage = redis ? createSharedUsageFeed({ usage, link: redis, replicaId: replicas.id }) : undefined;
  const services: Services = {
    config,
    log,
    keys,
    catalogue,
    limiter,
    usage: liveUsage ? { ...usage, onRecord: liveUsage.onRecord } : usage,
    inference: service,
    upstreams,
    changes,
    metrics,
    replicas,
    quotas,
    alerts,
  };

  const rest = createRestApi({
    keys,
    service,
    maxBodyBytes: config.maxBodyBytes,
    log,
    account: (principal) => accountOf({ principal, quotas, flush: () => usage.flush() }),
  });
  const graphql = createGraphQL({ services });
  // Every other surface, tried in order after /api. Each returns false for paths it does not own.
  const surfaces: Surface[] = [
    // Before /v1: it owns /v1/messages.
    createAnthropicApi({ keys, service, maxBodyBytes: config.maxBodyBytes, log }),
    createOpenAiApi({ keys, service, maxBodyBytes: config.maxBodyBytes, log }),
    createOllamaNativeApi({ keys, service, maxBodyBytes: config.maxBodyBytes, log }),
    graphql.handle,
    createConsoleSurface({ log }),
  ];

  const cors = createCors({ origins: config.corsOrigins });
  let draining = false;
  let inFlight = 0;
  const idle: Array<() => void> = [];
  const access = config.accessLog ? createAccessLog({ log, usage }) : undefined;
  const retention = config.usageRetentionDays ? startUsageRetention({ days: config.usageRetentionDays, log }) : undefined;
  const lastUsedTimer = setInterval(() => void keys.flushLastUsed().catch(() => {}), 10_000);
  lastUsedTimer.unref();

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/';
    // A plain path is its own pathname: the URL parser is only needed for queries, escapes and dots.
    const url = PLAIN_PATH.test(raw) ? undefined : new URL(raw, 'http://gateway');
    const p = url?.pathname ?? raw;
    if (p === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (p === '/readyz') return readiness(res);
    if (cors(req, res)) return;
    if (p === '/metrics') return metrics.serve(req, res);
    if (draining) {
      res.setHeader('connection', 'close');
      return sendError(res, errors.shuttingDown(), log);
    }
    if (p === '/api' || p.startsWith('/api/')) return rest(req, res, p);
    const full = url ?? new URL(raw, 'http://gateway');
    for (const surface of surfaces) if (await surface(req, res, full)) return;
    sendError(res, errors.notFound(`No endpoint ${p}`), log);
  };

  // One probe query at a time, answered within READINESS_TIMEOUT_MS: a frozen database makes it 503, not a hang.
  let probe: Promise<number> | undefined;
  const readiness = async (res: ServerResponse) => {
    probe ??= prisma.$queryRaw<
      Array<{ pending: number }>
    >`SELECT count(*)::int AS pending FROM "_prisma_migrations" WHERE finished_at IS NULL AND rolled_back_at IS NULL`
      .then(([row]) => row.pending)
      .finally(() => (probe = undefined));
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = await Promise.race([
        probe,
        new Promise<never>(
          (_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), Math.min(READINESS_TIMEOUT_MS, config.dbStatementTimeoutMs))),
        ),
      ]);
      if (pending > 0) return sendJson(res, 503, { status: 'migrating' });
      if (draining) return sendJson(res, 503, { status: 'draining' });
      // Still serving (200, so a load balancer keeps it), with each limit split across the replicas.
      if (redis?.state === 'down') return sendJson(res, 200, { status: 'degraded', reason: redis.reason });
      sendJson(res, 200, { status: 'ready' });
    } catch {
      sendJson(res, 503, { status: 'database unreachable' });
    } finally {
      clearTimeout(timer);
    }
  };

  const server = http.createServer(serverOptions(config), (req, res) => {
    inFlight++;
    access?.track(req, res);
    res.once('close', () => {
      if (--inFlight === 0) for (const fn of idle.splice(0)) fn();
    });
    route(req, res).catch((err) => {
      log.error({ err }, 'unhandled error in request');
      if (!res.headersSent) sendError(res, errors.internal(), log);
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => graphql.upgrade(req, socket, head));
  guardConnections({ server, idleSocketTimeoutMs: config.idleSocketTimeoutMs, maxHeaderBytes: config.maxHeaderBytes });

  let metricsUrl: string | undefined;
  return {
    server,
    services,
    generatedAdminKey,
    get metricsUrl() {
      return metricsUrl;
    },
    async start() {
      await replicas.start();
      await alerts.start().catch((err) => log.warn({ err: (err as Error).message }, 'undelivered quota alerts not read'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      if (config.metricsPort !== undefined) metricsUrl = await metrics.listen({ port: config.metricsPort, host: config.host });
      catalogue.startSync(config.modelSyncIntervalMs);
      upstreams.start();
      const { port } = server.address() as AddressInfo;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async stop() {
      draining = true;
      graphql.goAway(); // WebSockets are not HTTP connections: server.close() would wait for them
      catalogue.close();
      retention?.stop();
      clearInterval(lastUsedTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        // Let requests in progress finish; past the deadline, cut them (their usage is recorded as cancelled).
        const drained = new Promise<void>((resolve) => idle.push(resolve));
        const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
        await Promise.race([drained, deadline]);
      }
      server.closeAllConnections();
      await closed;
      await graphql.close();
      // Cut runs record their usage as they unwind; give them a moment to do so.
      for (let i = 0; i < 100 && service.active() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      access?.close();
      // Usage is on disk whatever the database does; nothing here waits on a dead or frozen one past its deadline.
      await Promise.all([
        metrics.close(),
        usage.close({ timeoutMs: STOP_DB_DEADLINE_MS }),
        within(keys.close(), STOP_DB_DEADLINE_MS),
        changes.close(),
        limiter.close?.(),
        upstreams.close(),
        within(replicas.close(), STOP_DB_DEADLINE_MS),
      ]);
      await alerts.close();
      await quotas.close();
      liveUsage?.close();
      sharedSlots?.close();
      await redis?.close();
      await closeDatabase({ timeoutMs: 1000 });
    },
  };
}
