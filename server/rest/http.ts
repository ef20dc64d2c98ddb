/**
 * The node:http skeleton shared by the REST surfaces (/api, /v1, /ollama): bounded JSON bodies, JSON
 * replies, SSE, one request's route -> key -> rate limit -> handler, and a run piped to the client.
 * Each surface keeps only its wire format and error shape.
 */
import { newId } from '../ids.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { errors, isGatewayError, type GatewayError, type QuotaHeader } from '../errors.ts';
import { createAbortable, isAbort } from '../inference/abort.ts';
import type { DoneEvent, InferenceService, Surface } from '../inference/service.ts';
import type { ProviderEvent, ToolCall, Usage } from '../inference/types.ts';
import type { RateLimitResult } from '../limits/limiter.ts';
import type { QueueObserver } from '../scheduler/scheduler.ts';
import type { Log } from '../log.ts';

export type Logger = Pick<Log, 'error'>;

/** Where and how a surface answers: its response, its logger and its error shape. */
type Reply = { res: ServerResponse; log: Logger; shape: (e: GatewayError) => unknown };

const MAX_JSON_DEPTH = 32;

/** Rejects JSON nested deeper than `max` without parsing it (a cheap scan that skips strings). */
function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

// After an early 413 the rest of the upload is read and dropped this far at most, then the connection is
// closed; also once the client has sent nothing for a while (it read the answer, or never sends the body).
const DISCARD_MAX_BYTES = 32 * 1024 * 1024;
const DISCARD_MAX_MS = 5_000;
const DISCARD_IDLE_MS = 500;

/**
 * Reads and parses a JSON body; 413 over `limit` bytes (a declared Content-Length over it is refused
 * unread), 400 for malformed or too deeply nested JSON, an AbortError when the client gives up mid-upload.
 * After a 413 the upload goes on being read and dropped (bounded), so the answer is not lost to a reset.
 */
export function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      discardUpload(req);
      reject(errors.bodyTooLarge(limit));
    };
    if (Number(req.headers['content-length']) > limit) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      tooLarge();
    };
    const aborted = () => {
      req.off('data', onData).pause();
      reject(new DOMException('the client closed the connection during the upload', 'AbortError'));
    };
    req.on('data', onData);
    req.once('aborted', aborted).once('error', aborted);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return reject(errors.emptyBody());
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return reject(errors.tooDeeplyNested(MAX_JSON_DEPTH));
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(errors.invalidJson((err as Error).message));
      }
    });
  });
}

/**
 * Reads and drops the rest of an upload answered early. Closing a socket with unread data resets it,
 * and a client still sending (curl, Python) then loses the answer. An upload read to its end leaves the
 * connection usable; past the bounds, or when the client goes quiet, the connection is closed.
 */
function discardUpload(req: IncomingMessage): void {
  if (req.complete) return;
  const socket = req.socket;
  let dropped = 0;
  let closing = false;
  const stop = () => {
    clearTimeout(deadline);
    clearTimeout(idle);
  };
  const close = () => {
    stop();
    if (closing) return;
    closing = true;
    socket.end(() => socket.destroy());
  };
  const deadline = setTimeout(close, DISCARD_MAX_MS);
  const idle = setTimeout(close, DISCARD_IDLE_MS);
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_MAX_BYTES) close();
    else idle.refresh();
  });
  req.once('end', stop).once('close', stop);
  req.resume();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function rateLimitHeaders(rl: Pick<RateLimitResult, 'limit' | 'remaining' | 'reset'> | undefined): Record<string, number> {
  if (!rl) return {};
  return { 'x-ratelimit-limit': rl.limit, 'x-ratelimit-remaining': rl.remaining, 'x-ratelimit-reset': rl.reset };
}

/** A calendar quota in force: X-Quota-Limit, X-Quota-Remaining, X-Quota-Reset (Unix seconds, the period's end) and which one it is. */
export function quotaHeaders(q: QuotaHeader | undefined): Record<string, string | number> {
  if (!q) return {};
  return { 'x-quota-limit': q.limit, 'x-quota-remaining': q.remaining, 'x-quota-reset': q.reset, 'x-quota-metric': `${q.scope}:${q.metric}` };
}

/** Sets the X-Quota-* headers of the tightest quota on the answer, once the run is admitted by its quotas. */
export function quotaFeedback(res: ServerResponse): (q: QuotaHeader) => void {
  return (q) => {
    if (res.headersSent) return;
    for (const [name, value] of Object.entries(quotaHeaders(q))) res.setHeader(name, value);
  };
}

export function startSse(res: ServerResponse, headers: Record<string, string | number>): void {
  if (res.headersSent) return; // already started by a queue notice
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
}

/**
 * Holds a streamed response's writes until the current tick ends, so the tokens of one upstream read
 * leave in one socket write instead of one each (a write per token was most of a stream's CPU). A token
 * that arrives alone still leaves at once: the tick ends right after it.
 */
export function coalesce(res: ServerResponse): void {
  if (res.writableCorked) return;
  res.cork();
  process.nextTick(uncork, res);
}
const uncork = (res: ServerResponse) => res.uncork();

export function sseData(res: ServerResponse, data: unknown): void {
  coalesce(res);
  res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** A named server-sent event, as the Responses and Anthropic streams use: `event:` then `data:`. */
export function sseEvent(res: ServerResponse, event: string, data: unknown): void {
  coalesce(res);
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** An AbortSignal that fires when the client closes the connection before the response is done. */
export function clientSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  // Abortable by the engine too (a key revoked mid-answer), so a run needs no second signal.
  const controller = createAbortable();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new DOMException('client closed the connection', 'AbortError'));
  });
  req.on('aborted', () => controller.abort(new DOMException('client closed the connection', 'AbortError')));
  return controller.signal;
}

/**
 * Tells a client that waited for a slot: `X-Queue-Wait-Ms` on the answer, and on an SSE stream
 * `: queued position=N` comments while it waits (they start the stream and keep proxies from timing out).
 */
export function queueFeedback(res: ServerResponse, sse: boolean): QueueObserver {
  return {
    queued: sse
      ? (position) => {
          startSse(res, {});
          res.write(`: queued position=${position}\n\n`);
        }
      : undefined,
    admitted: (waitedMs) => {
      if (!res.headersSent) res.setHeader('x-queue-wait-ms', waitedMs);
    },
  };
}

/** An error's own headers: its rate-limit state (a 429's) and Retry-After. */
export function errorHeaders(e: GatewayError): Record<string, string | number> {
  const headers: Record<string, string | number> = { ...rateLimitHeaders(e.rateLimit), ...quotaHeaders(e.quota) };
  if (e.retryAfter !== undefined) headers['retry-after'] = e.retryAfter;
  // No `connection: close` on a 413: Node would close as soon as it is flushed, under an upload still arriving (readJson drains it).
  return headers;
}

/** Answers a failure in a surface's error shape; unexpected errors are logged and masked as 500, aborts get no answer. */
export function sendFailure({ res, err, log, shape }: Reply & { err: unknown }): void {
  if (isAbort(err)) return;
  if (!isGatewayError(err)) log.error({ err }, 'unexpected error');
  const e = isGatewayError(err) ? err : errors.internal();
  sendJson(res, e.status, shape(e), errorHeaders(e));
}

/** A 405 with the Allow header that names the methods the path takes. */
export function methodNotAllowed(res: ServerResponse, method: string, path: string, allow: string): GatewayError {
  res.setHeader('allow', allow);
  return errors.methodNotAllowed(method, path);
}

// The model a request named, once its surface has parsed the body: refusals are recorded with it. Kept
// on the response under a private symbol (a WeakMap entry per request costs every scavenge more).
const kModel = Symbol('requested model');
type Noted = ServerResponse & { [kModel]?: string };

/** Notes the model a request names (call it as soon as the body is parsed), for the usage row of a refusal. */
export function noteModel(res: ServerResponse, model: unknown): void {
  if (typeof model === 'string') (res as Noted)[kModel] = model.slice(0, 200);
}

/**
 * One request on a surface: the key is authenticated and admitted, the rate-limit headers are set for
 * every later answer (404 and 405 included: every answer to an authenticated request carries them),
 * then `route` picks the handler and it runs. Any failure is answered in the surface's error shape;
 * a refusal of an authenticated request (4xx before any run began) is recorded in usage under the
 * answer's x-request-id, with `surface` and `endpoint`. `keyHeader` names a header that may carry the
 * bare key when there is no Authorization (Anthropic's `x-api-key`).
 */
export async function serve({
  req,
  res,
  keys,
  service,
  log,
  shape,
  route,
  surface,
  endpoint,
  keyHeader,
}: Reply & {
  req: IncomingMessage;
  keys: KeyStore;
  service: InferenceService;
  route: () => (principal: Principal) => unknown;
  surface: Surface;
  endpoint: string;
  keyHeader?: string;
}): Promise<void> {
  let principal: Principal | undefined;
  try {
    const bare = keyHeader && !req.headers.authorization ? req.headers[keyHeader] : undefined;
    principal = typeof bare === 'string' && bare ? keys.authenticateSecret(bare.trim()) : keys.authenticate(req.headers.authorization);
    // The key's parameter policy: this surface, from this address (403 before it counts against any limit).
    service.policies.checkAccess(principal, { surface, req });
    const rl = await service.admit(principal);
    for (const [name, value] of Object.entries(rateLimitHeaders(rl))) res.setHeader(name, value);
    await route()(principal);
  } catch (err) {
    if (principal && isGatewayError(err) && err.status >= 400 && err.status < 500) {
      let requestId = res.getHeader('x-request-id');
      if (typeof requestId !== 'string') {
        requestId = newId('req_');
        if (!res.headersSent) res.setHeader('x-request-id', requestId);
      }
      service.refused({ principal, surface, endpoint: endpoint.slice(0, 200), requestId, model: (res as Noted)[kModel] ?? '', error: err });
    }
    sendFailure({ res, err, log, shape });
  }
}

/** The model a show/retrieve names for this key; one it may not see is "not found", as the listings hide it. */
export function visibleModel(service: InferenceService, principal: Principal, name: string): Model {
  const model = service.findModel(principal, name);
  if (!model) throw errors.modelNotFound(name);
  return model;
}

/**
 * Streams a run: waits for the first event, so that a failure before any output still gets its status
 * code (it is thrown), then `start`s the response and hands on each event. A failure after that becomes
 * `onError`'s last frame, never a silent end; a client that went away ends it without one.
 */
export async function pipeRun(
  res: ServerResponse,
  run: AsyncIterable<ProviderEvent>,
  {
    start,
    onDelta,
    onThinking,
    onToolCall,
    onDone,
    onError,
  }: {
    start(): void;
    onDelta(text: string): void;
    /** Reasoning text; a surface without a place for it leaves this out and it is dropped. */
    onThinking?(text: string): void;
    onToolCall?(call: ToolCall): void;
    onDone(ev: DoneEvent): void;
    onError(e: GatewayError): void;
  },
): Promise<void> {
  const iterator = run[Symbol.asyncIterator]();
  let next: IteratorResult<ProviderEvent>;
  try {
    next = await iterator.next();
  } catch (err) {
    // Queue notices already started the stream: the failure (a queue timeout) becomes its last frame.
    if (!res.headersSent || isAbort(err)) throw err;
    start();
    onError(isGatewayError(err) ? err : errors.internal());
    res.end();
    return;
  }
  start();
  try {
    for (; !next.done; next = await iterator.next()) {
      const ev = next.value;
      if (ev.type === 'delta') onDelta(ev.text);
      else if (ev.type === 'thinking') onThinking?.(ev.text);
      else if (ev.type === 'tool_call') onToolCall?.(ev.call);
      else onDone(ev);
    }
  } catch (err) {
    if (isAbort(err)) return;
    onError(isGatewayError(err) ? err : errors.internal());
  }
  res.end();
}

/** Token usage in the shape /api and /v1 share: prompt_tokens, completion_tokens, total_tokens. */
export function usageView(u: Usage) {
  return { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.promptTokens + u.completionTokens };
}
