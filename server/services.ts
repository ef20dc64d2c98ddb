/**
 * The gateway's services and the contract between the app and its faces. app.ts builds the
 * services; the REST surfaces, GraphQL and its context import their types from here (never from
 * app.ts), so nothing imports the app back. GraphQL resolvers get the domain services by name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyStore } from './auth/key-store.ts';
import type { Catalogue } from './catalogue/catalogue.ts';
import type { Config } from './config.ts';
import type { ChangeFeed } from './db/change-feed.ts';
import type { InferenceService } from './inference/service.ts';
import type { Limiter } from './limits/limiter.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Upstreams } from './providers/upstreams.ts';
import type { ReplicaRegistry } from './replicas/registry.ts';
import type { UsageRecorder } from './usage/recorder.ts';
import type { Alerts } from './alerts/alerts.ts';
import type { Quotas } from './quotas/quotas.ts';

export interface Services {
  config: Config;
  log: Logger;
  /** Who a key is (in memory, kept current by the change feed). */
  keys: KeyStore;
  /** The models and which servers list them. */
  catalogue: Catalogue;
  limiter: Limiter;
  /** Usage records: written in batches, spooled, and the live feed (every replica's, with REDIS_URL). */
  usage: UsageRecorder;
  /** The one engine every surface calls: admission, model rules, scheduling, provider, usage. */
  inference: InferenceService;
  /** The upstream servers, the provider registry and the scheduler. */
  upstreams: Upstreams;
  changes: ChangeFeed;
  metrics: Metrics;
  /** The gateway processes sharing the database (heartbeats). */
  replicas: ReplicaRegistry;
  /** Day and month quotas of keys and teams (counters in memory, or Redis with REDIS_URL). */
  quotas: Quotas;
  /** Quota alerts to webhooks. */
  alerts: Alerts;
}

/** The services a GraphQL resolver reaches, by name, on its context. */
export type ResolverServices = Pick<Services, 'inference' | 'keys' | 'catalogue' | 'usage' | 'upstreams' | 'log' | 'replicas' | 'config'>;

/** A surface mounted under a path prefix; returns false to let the next one try. */
export type Surface = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;
