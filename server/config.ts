/**
 * The gateway's configuration: read from the environment once, validated, typed. No other module
 * reads process.env. Each bad variable produces one line naming it and what is expected.
 *
 * @example
 *   const config = loadConfig(process.env); // throws ConfigError listing every bad variable
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { isTimeZone } from './quotas/periods.ts';
import { cidrList } from './policy/policy.ts';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const port = z.coerce.number({ error: 'expected a port number' }).int('expected a whole number').min(0).max(65535);
const positiveInt = z.coerce.number({ error: 'expected a number' }).int('expected a whole number').min(1, 'expected at least 1');

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'expected an http(s) URL');

/** Whether a value is an IPv4/IPv6 address or CIDR (the parameter policy's own parser). */
const validCidr = (v: string) => {
  try {
    cidrList([v]);
    return true;
  } catch {
    return false;
  }
};

const schema = z.object({
  PORT: port.default(8080),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'expected a postgresql:// URL')
    .optional(),
  EMBEDDED_PG_PORT: port.min(1).optional(),
  OLLAMA_URL: z
    .string()
    .default('http://127.0.0.1:11434')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(httpUrl).min(1, 'expected at least one URL')),
  ADMIN_KEY: z.string().trim().min(16, 'expected at least 16 characters').optional(),
  BUILTIN_MODELS: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_TOKENS_CAP: positiveInt.default(32768),
  MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  MODEL_SYNC_INTERVAL_S: positiveInt.default(60),
  OLLAMA_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  OLLAMA_TIMEOUT_MS: positiveInt.default(300_000),
  USAGE_FLUSH_MS: positiveInt.default(250),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(15_000),
  // Database and usage durability.
  DB_CONNECT_TIMEOUT_MS: positiveInt.default(5000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(10_000),
  USAGE_MAX_PENDING: positiveInt.default(100_000),
  // Usage at volume: raw records older than this many days are deleted (rollups are kept); unset keeps them all.
  USAGE_RETENTION_DAYS: positiveInt.optional(),
  // The label of every cost in usage reports (model prices are per million tokens in it).
  PRICE_CURRENCY: z.string().trim().min(1).max(32, 'expected at most 32 characters').default('credits'),
  // Connection hygiene.
  HEADERS_TIMEOUT_MS: positiveInt.default(10_000),
  BODY_TIMEOUT_MS: positiveInt.default(30_000),
  KEEP_ALIVE_TIMEOUT_MS: positiveInt.default(5000),
  IDLE_SOCKET_TIMEOUT_MS: positiveInt.default(60_000),
  MAX_HEADER_BYTES: positiveInt.default(16 * 1024),
  MAX_UPSTREAM_BYTES: positiveInt.default(64 * 1024 * 1024),
  // Browsers: origins allowed to call the API cross-origin (comma-separated); none by default.
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .pipe(z.array(httpUrl)),
  // Behind a load balancer: the proxies whose X-Forwarded-For names the client (for CIDR allow-lists).
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().refine(validCidr, 'expected IPv4/IPv6 addresses or CIDRs, comma-separated (e.g. 10.0.0.0/8,::1)'))),
  // Operations: log format, access log, metrics.
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  ACCESS_LOG: bool.default(true),
  METRICS_TOKEN: z.string().trim().min(16, 'expected at least 16 characters').optional(),
  METRICS_PORT: port.optional(),
  // Scheduling: slots per upstream server and the gateway's queue.
  OLLAMA_PARALLEL: positiveInt.default(4),
  OLLAMA_HEALTH_INTERVAL_S: positiveInt.default(5),
  QUEUE_MAX: positiveInt.default(1000),
  QUEUE_TIMEOUT_S: positiveInt.default(120),
  // Replicas: a shared Redis for limits, slots and the live feed; without it all of that is per process.
  REDIS_URL: z
    .string()
    .trim()
    .refine((v) => /^rediss?:\/\//.test(v), 'expected a redis:// or rediss:// URL')
    .optional(),
  REDIS_TIMEOUT_MS: positiveInt.default(500),
  // Quotas and their alerts.
  QUOTA_TIMEZONE: z.string().trim().refine(isTimeZone, 'expected an IANA time zone name such as UTC or Europe/Paris').default('UTC'),
  ALERT_WEBHOOK_URL: httpUrl.optional(),
  ALERT_MAX_ATTEMPTS: positiveInt.max(20, 'expected at most 20').default(6),
  ALERT_RETRY_MS: positiveInt.default(1000),
  ALERT_TIMEOUT_MS: positiveInt.default(5000),
});

const SECRET_VARS = new Set(['ADMIN_KEY', 'DATABASE_URL', 'METRICS_TOKEN', 'REDIS_URL', 'ALERT_WEBHOOK_URL']);

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** Also serve the embedded PostgreSQL on 127.0.0.1:port; unset: its Unix socket in DATA_DIR only. */
  embeddedPgPort?: number;
  ollamaUrls: string[];
  adminKey?: string;
  builtinModels: boolean;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  maxTokensCap: number;
  maxBodyBytes: number;
  modelSyncIntervalMs: number;
  ollamaConnectTimeoutMs: number;
  ollamaTimeoutMs: number;
  usageFlushMs: number;
  shutdownTimeoutMs: number;
  /** Time allowed to open a database connection. */
  dbConnectTimeoutMs: number;
  /** Longest a database statement may run (usage writes, reads). */
  dbStatementTimeoutMs: number;
  /** Most usage records held in memory before they go to the spool file. */
  usageMaxPending: number;
  /** Raw usage records older than this many days are deleted, in batches, every hour; rollups stay. Unset: kept. */
  usageRetentionDays?: number;
  /** Currency label of model prices and report costs. */
  priceCurrency: string;
  /** Time allowed for a client to send the request headers. */
  headersTimeoutMs: number;
  /** Time allowed for a client to send the whole request body. */
  bodyTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** A socket silent for this long is closed (streaming responses excluded). */
  idleSocketTimeoutMs: number;
  /** Larger request headers get 431. */
  maxHeaderBytes: number;
  /** Largest upstream answer relayed (a single line or a whole body). */
  maxUpstreamBytes: number;
  /** Origins allowed to call the gateway from a browser; empty means same-origin only. */
  corsOrigins: string[];
  /** Proxies whose X-Forwarded-For is believed for the client's address; empty: the socket's address. */
  trustedProxies: string[];
  /** pretty (human-readable), json, or auto: pretty when stdout is a terminal. */
  logFormat: 'auto' | 'pretty' | 'json';
  /** One log line per HTTP request. */
  accessLog: boolean;
  /** A bearer token that may read /metrics (besides admin keys). */
  metricsToken?: string;
  /** Serves /metrics without authentication on this port too (for a private scrape network). */
  metricsPort?: number;
  /** Slots of a server whose row sets no `parallel` (match Ollama's OLLAMA_NUM_PARALLEL). */
  ollamaParallel: number;
  /** How often each server is probed (/api/version, /api/ps). */
  healthIntervalMs: number;
  /** Most requests waiting in the gateway's queue; past it, 503 queue_full. */
  queueMax: number;
  /** Longest a request waits for a slot; past it, 503 queue_timeout. */
  queueTimeoutMs: number;
  /** Shared state for several replicas (limits, slots, live feed); in memory when unset. */
  redisUrl?: string;
  /** Longest a Redis command may take before the replica falls back to its local limits. */
  redisTimeoutMs: number;
  /** The IANA time zone whose calendar days and months quotas count in. */
  quotaTimeZone: string;
  /** Receives every quota alert (80% and 100%), besides a team's own webhook. */
  alertWebhookUrl?: string;
  /** Attempts per alert delivery (the first included). */
  alertMaxAttempts: number;
  /** The first retry's delay; each next one doubles it. */
  alertRetryMs: number;
  /** Longest one delivery attempt may take. */
  alertTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env in main, a plain object in tests). Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // Never echo a secret: an admin key, or a URL's password.
        const shown = SECRET_VARS.has(name) ? '' : `=${JSON.stringify(cleaned[name] ?? '')}`;
        return `${name}${shown}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    ollamaUrls: e.OLLAMA_URL.map((u) => u.replace(/\/+$/, '')),
    adminKey: e.ADMIN_KEY,
    builtinModels: e.BUILTIN_MODELS,
    logLevel: e.LOG_LEVEL,
    maxTokensCap: e.MAX_TOKENS_CAP,
    maxBodyBytes: e.MAX_BODY_BYTES,
    modelSyncIntervalMs: e.MODEL_SYNC_INTERVAL_S * 1000,
    ollamaConnectTimeoutMs: e.OLLAMA_CONNECT_TIMEOUT_MS,
    ollamaTimeoutMs: e.OLLAMA_TIMEOUT_MS,
    usageFlushMs: e.USAGE_FLUSH_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    dbConnectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    usageMaxPending: e.USAGE_MAX_PENDING,
    usageRetentionDays: e.USAGE_RETENTION_DAYS,
    priceCurrency: e.PRICE_CURRENCY,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: e.BODY_TIMEOUT_MS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    idleSocketTimeoutMs: e.IDLE_SOCKET_TIMEOUT_MS,
    maxHeaderBytes: e.MAX_HEADER_BYTES,
    maxUpstreamBytes: e.MAX_UPSTREAM_BYTES,
    corsOrigins: e.CORS_ORIGINS,
    trustedProxies: e.TRUSTED_PROXIES,
    logFormat: e.LOG_FORMAT,
    accessLog: e.ACCESS_LOG,
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    ollamaParallel: e.OLLAMA_PARALLEL,
    healthIntervalMs: e.OLLAMA_HEALTH_INTERVAL_S * 1000,
    queueMax: e.QUEUE_MAX,
    queueTimeoutMs: e.QUEUE_TIMEOUT_S * 1000,
    redisUrl: e.REDIS_URL,
    redisTimeoutMs: e.REDIS_TIMEOUT_MS,
    quotaTimeZone: e.QUOTA_TIMEZONE,
    alertWebhookUrl: e.ALERT_WEBHOOK_URL,
    alertMaxAttempts: e.ALERT_MAX_ATTEMPTS,
    alertRetryMs: e.ALERT_RETRY_MS,
    alertTimeoutMs: e.ALERT_TIMEOUT_MS,
  };
}

/** The process environment, over the variables of ./.env when that file exists (the real environment wins). */
export function readEnvironment(file = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
