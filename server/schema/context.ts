/**
 * The GraphQL context, built once per operation for every transport by one function: HTTP and SSE
 * read the `Authorization` header, graphql-ws the `authorization` field of its connection_init
 * payload. Nothing else reads credentials. Errors become GraphQL errors with extensions.code here.
 *
 * @example
 *   const context = createContextFactory({ services, lifelines });
 *   const ctx = context({ request });                              // HTTP / SSE
 *   const ctx = context({ connectionParams: { authorization } });  // graphql-ws
 */
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { ResolverServices, Services } from '../services.ts';
import type { Actor } from '../audit/audit.ts';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import { bearerSecret } from '../auth/key-rules.ts';
import { isGatewayError, type GatewayError, type QuotaHeader } from '../errors.ts';
import type { RateLimitResult } from '../limits/limiter.ts';
import type { PolicyStore } from '../policy/store.ts';
import type { Lifeline, Lifelines } from '../realtime/lifeline.ts';

export interface GraphQLContext extends ResolverServices {
  /** The calling key. */
  principal: Principal;
  /** The caller as the audit log records it: key, surface (graphql, or console for the admin console) and address. */
  actor: Actor;
  /** Aborts when the client goes away (HTTP request closed, socket closed). */
  signal?: AbortSignal;
  /** The Node request behind the operation (HTTP, or the graphql-ws upgrade), for where the client is. */
  req?: IncomingMessage;
  /** What the operation's admission said, for the HTTP response's X-RateLimit-* and Retry-After headers. */
  rateLimit: { result?: Pick<RateLimitResult, 'limit' | 'remaining' | 'reset'>; retryAfter?: number; quota?: QuotaHeader };
  /** Watches a subscription: ends it when the key stops working (or, for endless feeds, at shutdown). */
  lifeline(opts: { endsOnGoAway: boolean }): Lifeline;
}

/** What a transport knows about an operation before the context exists. */
export interface InitialContext {
  /** HTTP and SSE: the Fetch request Yoga received. */
  request?: Request;
  /** graphql-ws: the connection_init payload. */
  connectionParams?: Readonly<Record<string, unknown>>;
  /** graphql-ws: aborts when the socket closes. */
  signal?: AbortSignal;
}

export type ContextFactory = (initial: InitialContext) => GraphQLContext;

/** The credential a transport carries: the header (HTTP, SSE) or the connection_init payload (graphql-ws). */
function credential(initial: InitialContext): string | undefined {
  if (initial.connectionParams !== undefined) {
    const p = initial.connectionParams ?? {};
    const value = p.authorization ?? p.Authorization;
    return typeof value === 'string' ? value : undefined;
  }
  return initial.request?.headers.get('authorization') ?? undefined;
}

/**
 * Authenticates the transport's credential again without counting it as use of the key (re-checks of
 * long-lived connections); throws the 401 GatewayError when it no longer works.
 */
export function reauthenticate(keys: KeyStore, initial: InitialContext): Principal {
  return keys.authenticateSecret(bearerSecret(credential(initial)), { touch: false });
}

/**
 * Returns the one context function. It is memoised per initial context, so the protection plugin
 * (which needs the principal before validation) and Yoga's context share one authentication.
 */
export function createContextFactory({ services, lifelines }: { services: Services; lifelines: Lifelines }): ContextFactory {
  const built = new WeakMap<object, GraphQLContext>();
  return (initial) => {
    const cached = built.get(initial);
    if (cached) return cached;
    let principal: Principal;
    try {
      principal = services.keys.authenticate(credential(initial));
      // The key's parameter policy: GraphQL allowed, from this address (HTTP, SSE and graphql-ws alike).
      services.inference.policies.checkAccess(principal, { surface: 'graphql', req: requestOf(initial) });
    } catch (err) {
      throw toGraphQLError(err) ?? err;
    }
    const signal = initial.request?.signal ?? initial.signal;
    const ctx: GraphQLContext = {
      principal,
      actor: actorOf(initial, principal, services.inference.policies),
      inference: services.inference,
      keys: services.keys,
      catalogue: services.catalogue,
      usage: services.usage,
      upstreams: services.upstreams,
      replicas: services.replicas,
      log: services.log,
      config: services.config,
      signal,
      req: requestOf(initial),
      rateLimit: {},
      lifeline: ({ endsOnGoAway }) =>
        lifelines.open({ keyId: principal.keyId, recheck: () => void reauthenticate(services.keys, initial), signal, endsOnGoAway }),
    };
    built.set(initial, ctx);
    return ctx;
  };
}

/** The Node request behind an operation: Yoga's server context over HTTP, the upgrade request over graphql-ws. */
const requestOf = (initial: InitialContext) => (initial as { req?: IncomingMessage }).req;

/**
 * The console says who it is (x-ogw-client header, or `client` in connection_init); the address is the
 * client's as the policy reads it (the socket's, or X-Forwarded-For from a trusted proxy).
 */
function actorOf(initial: InitialContext, principal: Principal, policies: Pick<PolicyStore, 'address'>): Actor {
  const client = initial.connectionParams ? initial.connectionParams.client : initial.request?.headers.get('x-ogw-client');
  const req = requestOf(initial);
  const ip = req ? policies.address(req) : null;
  return { keyId: principal.keyId, name: principal.name, surface: client === 'console' ? 'console' : 'graphql', ip };
}

const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BAD_USER_INPUT',
  415: 'BAD_USER_INPUT',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'UPSTREAM_ERROR',
  503: 'UPSTREAM_UNAVAILABLE',
  504: 'UPSTREAM_TIMEOUT',
};

/** The GraphQL `extensions` of a gateway error: a stable code, the REST error code as `reason`, and retry time. */
export function errorExtensions(err: GatewayError): Record<string, unknown> {
  const code = err.code === 'shutting_down' ? 'SERVICE_UNAVAILABLE' : (CODES[err.status] ?? 'INTERNAL_SERVER_ERROR');
  const ext: Record<string, unknown> = { code, reason: err.code };
  if (err.retryAfter !== undefined) ext.retryAfter = err.retryAfter;
  // Which quota refused it: scope (key, team), metric, limit, remaining, reset (Unix seconds).
  if (err.quota) ext.quota = { ...err.quota };
  if (err.status === 401) ext.http = { status: 401, headers: { 'www-authenticate': 'Bearer' } };
  // A key its policy keeps off GraphQL (or this address) is refused with the status REST gives it.
  else if (err.code === 'surface_not_allowed' || err.code === 'ip_not_allowed') ext.http = { status: 403 };
  return ext;
}

export type QueryLimit = 'depth' | 'aliases' | 'cost' | 'tokens';

const LIMIT_REASONS: Record<QueryLimit, string> = { depth: 'query_too_deep', aliases: 'too_many_aliases', cost: 'query_too_costly', tokens: 'too_many_tokens' };

/** The `extensions` of an operation refused by a query limit (depth, aliases, cost, tokens). */
export function limitExtensions(limit: QueryLimit): Record<string, unknown> {
  return { code: 'GRAPHQL_VALIDATION_FAILED', reason: LIMIT_REASONS[limit] };
}

/**
 * Maps a GatewayError (bare or wrapped by graphql-js) to a GraphQLError with extensions.code;
 * returns undefined for anything else, which the caller masks.
 */
export function toGraphQLError(err: unknown): GraphQLError | undefined {
  if (isGatewayError(err)) return new GraphQLError(err.message, { extensions: errorExtensions(err) });
  if (err instanceof GraphQLError && isGatewayError(err.originalError)) {
    const ge = err.originalError;
    return new GraphQLError(ge.message, { nodes: err.nodes, source: err.source, positions: err.positions, path: err.path, extensions: errorExtensions(ge) });
  }
  return undefined;
}
