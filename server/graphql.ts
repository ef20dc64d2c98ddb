/**
 * GraphQL on the gateway's node:http server at /graphql: graphql-yoga for HTTP, GraphQL over SSE
 * and GraphiQL, and graphql-ws on the same path for WebSocket clients. All three share one schema,
 * one context function (schema/context.ts) and the same protections, which run in Yoga's envelop
 * pipeline and so over graphql-ws too. Subscriptions on any transport end when their key stops
 * working; at shutdown goAway() closes the sockets and ends the endless feeds (usageEvents) over SSE.
 * A POST passes graphql-http.ts's gate before Yoga reads it (key, MAX_BODY_BYTES, content type,
 * variable bounds); graphql-ws gets the same bounds per message. CORS is rest/cors.ts's, in app.ts.
 *
 * @example
 *   const graphql = createGraphQL({ services });
 *   surfaces.push(graphql.handle);              // HTTP, SSE, GraphiQL
 *   server.on('upgrade', graphql.upgrade);      // graphql-ws
 *   beforeClose.push(graphql.goAway); onStop.push(graphql.close);
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, NoSchemaIntrospectionCustomRule, validate, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services, Surface } from './services.ts';
import type { Principal } from './auth/key-store.ts';
import { errors, isGatewayError } from './errors.ts';
import { renderGatewayGraphiQL } from './graphiql.ts';
import { checkVariables, gateGraphQLPost, refuse } from './graphql-http.ts';
import { createLifelines } from './realtime/lifeline.ts';
import { quotaHeaders, rateLimitHeaders } from './rest/http.ts';
import {
  createContextFactory,
  limitExtensions,
  reauthenticate,
  toGraphQLError,
  type ContextFactory,
  type GraphQLContext,
  type InitialContext,
  type QueryLimit,
} from './schema/context.ts';
import { schema } from './schema/index.ts';
import { isAbort } from './inference/abort.ts';

const GRAPHQL_PATH = '/graphql';

/** Close codes of graphql-ws: 4401 before a connection_init arrived in time, 4403 for a key that is bad or no longer valid. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;

export interface GraphQLSurface {
  /** The HTTP surface for /graphql (queries, mutations, SSE subscriptions, GraphiQL). */
  handle: Surface;
  /** The server's 'upgrade' listener: takes WebSocket upgrades for /graphql, leaves the rest. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Closes every socket (1001) and refuses new ones, and ends the endless feeds over SSE. Upgraded
   * sockets are invisible to server.closeAllConnections() and an open feed would keep its request in
   * flight until the shutdown deadline, so stop() calls this first.
   */
  goAway(): void;
  close(): Promise<void>;
}

export interface GraphQLLimits {
  /** Deepest selection allowed. */
  maxDepth: number;
  /** Most aliases in one operation. */
  maxAliases: number;
  /** Highest estimated cost of one operation. */
  maxCost: number;
  /** Most tokens in one document. */
  maxTokens: number;
}

const DEFAULT_LIMITS: GraphQLLimits = { maxDepth: 10, maxAliases: 15, maxCost: 1000, maxTokens: 2000 };

/**
 * Authenticates before parsing (so a missing key is a 401, not a validation error) and, for
 * non-admin keys, forbids introspection and strips "Did you mean …?" field suggestions. GraphiQL
 * works with an admin key.
 */
function useKeyAwareValidation(context: ContextFactory): Plugin {
  return {
    onParse({ context: initial }) {
      context(initial as InitialContext);
    },
    onValidate({ context: initial, params }) {
      if (context(initial as InitialContext).principal.isAdmin) return;
      const { schema: s, documentAST } = params;
      return ({ result, setResult }) => {
        const introspection = validate(s, documentAST, [NoSchemaIntrospectionCustomRule]);
        setResult([...result, ...introspection].map(hideSuggestions));
      };
    },
  };
}

/** Sets X-RateLimit-* (and Retry-After) on HTTP and SSE responses of operations that went through admission. */
function useRateLimitHeaders(contextOf: (request: Request) => GraphQLContext | undefined): Plugin {
  return {
    onResponse({ request, response }) {
      const limit = contextOf(request)?.rateLimit;
      if (!limit) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(limit.result))) response.headers.set(name, String(value));
      for (const [name, value] of Object.entries(quotaHeaders(limit.quota))) response.headers.set(name, String(value));
      if (limit.retryAfter !== undefined) response.headers.set('retry-after', String(limit.retryAfter));
    },
  };
}

/** Typed gateway errors (bad input, unknown model, rate limits, upstream failures) and cancellations are expected. */
function isExpected(err: unknown): boolean {
  const e = err instanceof GraphQLError && err.originalError ? err.originalError : err;
  return isGatewayError(e) || isAbort(e);
}

/** graphql-armor's rejections carry no extensions.code: give them one (they are thrown as they are). */
function withCode(limit: QueryLimit) {
  return (_ctx: unknown, err: GraphQLError) => void Object.assign(err.extensions, limitExtensions(limit));
}

/** Bounds the variables of GET requests too (a POST's were checked before Yoga read them). */
function useBoundedVariables(): Plugin {
  return {
    onParams({ params, request }) {
      if (request.method !== 'GET') return;
      try {
        checkVariables(params.variables);
      } catch (err) {
        const e = toGraphQLError(err);
        if (!e) throw err;
        throw new GraphQLError(e.message, { extensions: { ...e.extensions, http: { status: 400 } } });
      }
    },
  };
}

function hideSuggestions(err: GraphQLError): GraphQLError {
  const message = err.message.replace(/\s*Did you mean .*\?$/s, '');
  if (message === err.message) return err;
  return new GraphQLError(message, { nodes: err.nodes, source: err.source, positions: err.positions, path: err.path, extensions: err.extensions });
}

const GRAPHIQL_QUERY = `# Your admin key is in the Headers tab below ({"Authorization": "Bearer ogw_…"}); change it there.
query Overview {
  viewer { name role }
  models { id name isActive }
  usage { totals { requests promptTokens completionTokens totalTokens avgLatencyMs } }
}

# Streams over SSE from here; over graphql-ws from your own client.
subscription Stream {
  chat(input: { model: "echo", messages: [{ role: USER, content: "hello from GraphiQL" }] }) {
    delta done finishReason usage { totalTokens }
  }
}
`;

export function createGraphQL({
  services,
  limits = DEFAULT_LIMITS,
  initTimeoutMs = 3000,
  recheckMs = 5000,
}: {
  services: Services;
  limits?: GraphQLLimits;
  /** A socket that sends no connection_init within this time is closed with 4401. */
  initTimeoutMs?: number;
  /** How often open sockets' keys are re-checked (expiry, the end of a rotation's grace period). */
  recheckMs?: number;
}): GraphQLSurface {
  const { log, keys } = services;
  const lifelines = createLifelines({ keys });
  const context = createContextFactory({ services, lifelines });
  // The context of each HTTP request, for the response's rate-limit headers.
  const contexts = new WeakMap<Request, GraphQLContext>();

  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: (initial) => {
      const ctx = context(initial as InitialContext);
      // graphql-ws operations have no request (and no headers to set).
      if ((initial as InitialContext).request) contexts.set(initial.request, ctx);
      return ctx;
    },
    landingPage: false,
    batching: false,
    maskedErrors: { isDev: false, maskError: (error, message, isDev) => toGraphQLError(error) ?? maskError(error, message, isDev) },
    // Validation results depend on the key (introspection, suggestions), so they must not be shared.
    parserAndValidationCache: { validationCache: false },
    // The GraphiQL page with its scripts inlined, so it works on a machine without internet access.
    // It asks for the admin key first and opens with it in the headers (graphiql.ts).
    renderGraphiQL: renderGatewayGraphiQL,
    graphiql: {
      title: 'Ollama gateway · GraphiQL',
      defaultQuery: GRAPHIQL_QUERY,
    },
    logging: {
      debug: () => {},
      info: (...args: unknown[]) => log.info({ args }, 'graphql'),
      warn: (...args: unknown[]) => log.warn({ args }, 'graphql'),
      // Yoga logs every error it masks or maps, expected ones included: only the unexpected are errors.
      error: (...args: unknown[]) =>
        isExpected(args[0]) ? log.debug({ err: args[0] }, 'graphql expected error') : log.error({ err: args[0] }, 'graphql error'),
    },
    // CORS is one rule for every surface (rest/cors.ts), not Yoga's, which reflects any origin.
    cors: false,
    plugins: [
      maxTokensPlugin({ n: limits.maxTokens, onReject: [withCode('tokens')] }),
      maxDepthPlugin({ n: limits.maxDepth, onReject: [withCode('depth')] }),
      maxAliasesPlugin({ n: limits.maxAliases, onReject: [withCode('aliases')] }),
      costLimitPlugin({ maxCost: limits.maxCost, onReject: [withCode('cost')] }),
      useBoundedVariables(),
      useKeyAwareValidation(context),
      useRateLimitHeaders((request) => contexts.get(request)),
    ],
  });

  const { maxBodyBytes } = services.config;
  const handle: Surface = async (req, res, url) => {
    if (url.pathname !== GRAPHQL_PATH) return false;
    if (req.method === 'POST') {
      const access = (p: Principal) => services.inference.policies.checkAccess(p, { surface: 'graphql', req });
      if (!(await gateGraphQLPost({ req, res, keys, maxBodyBytes, access }))) return true;
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, POST');
      refuse({ req, res, err: errors.methodNotAllowed(req.method ?? '', GRAPHQL_PATH) });
      return true;
    }
    await yoga.handle(req, res, { req, res });
    return true;
  };

  // graphql-ws: per socket, what it authenticated with (re-checked when keys change) and a signal for its close.
  interface SocketState {
    connectionParams?: Readonly<Record<string, unknown>>;
    keyId?: string;
    closed: AbortController;
    initTimer?: NodeJS.Timeout;
  }
  const open = new Map<WebSocket, SocketState>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: services.config.maxBodyBytes });

  wss.on('connection', (socket: WebSocket) => {
    const state: SocketState = { closed: new AbortController() };
    state.initTimer = setTimeout(() => {
      if (!state.connectionParams) socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized: no connection_init received in time');
    }, initTimeoutMs);
    open.set(socket, state);
    socket.once('close', () => {
      clearTimeout(state.initTimer);
      state.closed.abort(new DOMException('the socket closed', 'AbortError'));
      open.delete(socket);
    });
  });

  const stateOf = (socket: unknown) => open.get(socket as WebSocket);

  const ws = useServer<Record<string, unknown>, { socket: WebSocket; request: IncomingMessage }>(
    {
      isProd: true,
      // Our own timer closes with 4401 instead of graphql-ws's 4408.
      connectionInitWaitTimeout: 0,
      onConnect(ctx) {
        const state = stateOf(ctx.extra.socket);
        if (!state) return false;
        const connectionParams = ctx.connectionParams ?? {};
        try {
          // With the upgrade request, so the key's policy sees the socket's address.
          state.keyId = context({ connectionParams, req: ctx.extra.request } as InitialContext).principal.keyId;
        } catch {
          return false; // 4403 Forbidden
        }
        state.connectionParams = connectionParams;
        clearTimeout(state.initTimer);
        return true;
      },
      async onSubscribe(ctx, _id, payload) {
        const state = stateOf(ctx.extra.socket);
        const initial = { connectionParams: state?.connectionParams ?? {}, signal: state?.closed.signal, params: payload, req: ctx.extra.request };
        const { schema: s, execute, subscribe, contextFactory, parse, validate: check } = yoga.getEnveloped(initial);
        try {
          // The same bound as over HTTP, before anything is parsed or coerced; the key was checked at connection_init.
          checkVariables(payload.variables);
          const args: ExecutionArgs = {
            schema: s,
            operationName: payload.operationName,
            document: parse(payload.query),
            variableValues: payload.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
          const errors = check(args.schema, args.document);
          return errors.length ? errors : args;
        } catch (err) {
          const known = toGraphQLError(err) ?? (err instanceof GraphQLError ? err : undefined);
          if (!known) log.error({ err }, 'graphql-ws subscribe failed');
          return [known ?? new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
      },
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => ReturnType<typeof yoga.getEnveloped>['execute'] }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    wss,
    10_000,
  );

  /** Closes the sockets whose key no longer authenticates (revoked, expired, rotated past its grace). */
  const recheck = (keyId?: string) => {
    for (const [socket, state] of open) {
      if (!state.connectionParams || (keyId !== undefined && state.keyId !== keyId)) continue;
      try {
        reauthenticate(keys, { connectionParams: state.connectionParams });
      } catch {
        socket.close(CLOSE_FORBIDDEN, 'Forbidden: the API key is no longer valid');
      }
    }
  };
  keys.onChange((keyId) => recheck(keyId));
  // Expiry and the end of a grace period fire no key change: re-check sockets and subscriptions now and then.
  const timer = setInterval(() => {
    recheck();
    lifelines.recheck();
  }, recheckMs);
  timer.unref();
  let closing = false;

  /** Going away: end the feeds, close every socket (1001), and cut the ones whose peer does not answer within a second. */
  const goAway = () => {
    closing = true;
    lifelines.goAway();
    for (const socket of open.keys()) {
      socket.close(1001, 'Going away');
      setTimeout(() => socket.terminate(), 1000).unref();
    }
  };
  return {
    handle,
    upgrade(req, socket, head) {
      const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
      if (pathname !== GRAPHQL_PATH) return;
      if (closing) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
    },
    goAway,
    async close() {
      goAway();
      clearInterval(timer);
      await ws.dispose();
    },
  };
}
