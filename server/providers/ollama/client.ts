/**
 * The Ollama HTTP client: undici `request` over a keep-alive Agent, NDJSON streams parsed as they
 * arrive, answers capped in size. Every failure is mapped to a GatewayError from server/errors.ts whose
 * message names no address (the detail goes to the log), except an abort by the caller's own signal,
 * which surfaces as an AbortError.
 *
 * @example
 * const ollama = createOllamaClient({ baseUrl: 'http://127.0.0.1:11434', headersTimeoutMs: 60_000 });
 * const { models } = await ollama.tags({ signal });
 */
import { Agent, type Dispatcher } from 'undici';
import { errors, isGatewayError } from '../../errors.ts';
import { NdjsonLineTooLongError, NdjsonParseError, parseNdjson } from '../ndjson.ts';
import type {
  OllamaChatBody,
  OllamaGenerateBody,
  OllamaChatChunk,
  OllamaGenerateChunk,
  OllamaTagsResponse,
  OllamaPsResponse,
  OllamaShowResponse,
  OllamaVersionResponse,
  OllamaEmbedBody,
  OllamaEmbedResponse,
} from './wire.ts';
import type { Log } from '../../log.ts';
import { abortError } from '../../inference/abort.ts';

/** Where the client writes the detail of a failure (error code, address, raw text) that clients never see. */
export type FailureLog = Pick<Log, 'warn'>;

export interface OllamaClientOptions {
  /** Ollama's base URL, e.g. `http://127.0.0.1:11434` (a path prefix is kept). */
  baseUrl: string;
  /** Time to establish the TCP connection. Default 5 s. */
  connectTimeoutMs?: number;
  /** Time from sending the request to the response headers; generous because Ollama loads the model first. Default 5 min. */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks. Default 5 min. */
  bodyTimeoutMs?: number;
  /** Largest answer accepted: a whole JSON body, or one line of a stream. Past it the call fails with a 502 and the upstream request is closed. Default 64 MiB. */
  maxResponseBytes?: number;
  /** Gets each upstream failure once, with the upstream's URL, its error code and address. */
  log?: FailureLog;
}

interface CallOptions {
  /** Aborting closes the upstream request; the call then rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface OllamaClient {
  /** GET /api/tags: the models installed on the server. */
  tags(opts?: CallOptions): Promise<OllamaTagsResponse>;
  /** GET /api/version. */
  version(opts?: CallOptions): Promise<OllamaVersionResponse>;
  /** GET /api/ps: the models loaded in memory. */
  ps(opts?: CallOptions): Promise<OllamaPsResponse>;
  /** POST /api/show. A missing model rejects with `errors.modelNotFound`. */
  show(args: { model: string; verbose?: boolean } & CallOptions): Promise<OllamaShowResponse>;
  /** POST /api/chat, streamed: Ollama's raw chunks, the last one `done: true`. */
  chat(body: OllamaChatBody, opts?: CallOptions): AsyncIterable<OllamaChatChunk>;
  /** POST /api/generate, streamed: Ollama's raw chunks, the last one `done: true`. */
  generate(body: OllamaGenerateBody, opts?: CallOptions): AsyncIterable<OllamaGenerateChunk>;
  /** POST /api/chat with `stream: false`: the final chunk, carrying the whole message. */
  chatOnce(body: OllamaChatBody, opts?: CallOptions): Promise<OllamaChatChunk>;
  /** POST /api/generate with `stream: false`: the final chunk, carrying the whole response. */
  generateOnce(body: OllamaGenerateBody, opts?: CallOptions): Promise<OllamaGenerateChunk>;
  /** POST /api/embed. */
  embed(body: OllamaEmbedBody, opts?: CallOptions): Promise<OllamaEmbedResponse>;
  /** Closes the keep-alive connections; in-flight requests finish first. */
  close(): Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_BODY_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const MAX_ERROR_TEXT = 1_000;
// An error page is read this far at most; the rest is not worth the wait.
const MAX_ERROR_BODY_BYTES = 64 * 1024;

type Phase = 'request' | 'body';

interface Timeouts {
  connect: number;
  headers: number;
  body: number;
}

/**
 * Creates the Ollama HTTP client. Streams are requested with `stream: true` and parsed line by line
 * as they arrive; the caller aggregates.
 *
 * @example
 * const ollama = createOllamaClient({ baseUrl: 'http://127.0.0.1:11434', headersTimeoutMs: 60_000, log });
 * const { models } = await ollama.tags({ signal });
 */
export function createOllamaClient({
  baseUrl,
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  headersTimeoutMs = DEFAULT_HEADERS_TIMEOUT_MS,
  bodyTimeoutMs = DEFAULT_BODY_TIMEOUT_MS,
  maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  log,
}: OllamaClientOptions): OllamaClient {
  const url = new URL(baseUrl);
  const origin = url.origin;
  const prefix = url.pathname.replace(/\/+$/, '');
  // The upstream as logged: no credentials, which a base URL may carry.
  const upstream = origin + prefix;
  const clean = (text: string) => withoutAddresses(text, url.hostname);
  const timeouts: Timeouts = { connect: connectTimeoutMs, headers: headersTimeoutMs, body: bodyTimeoutMs };
  const agent = new Agent({
    connectTimeout: connectTimeoutMs,
    headersTimeout: headersTimeoutMs,
    bodyTimeout: bodyTimeoutMs,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
  });
  const reported = new WeakSet<object>();

  /** Maps a failure to what the caller may show a client, and logs its detail once. */
  function fail({ err, signal, phase, path }: { err: unknown; signal?: AbortSignal; phase: Phase; path: string }): unknown {
    const mapped = mapFailure({ err, signal, phase, timeouts, clean });
    if (log && isGatewayError(mapped) && mapped.type === 'upstream_error' && !reported.has(mapped)) {
      reported.add(mapped);
      const cause = mapped.cause ?? mapped;
      const code = errorCodeOf(cause);
      log.warn({ upstream, path, status: mapped.status, code, detail: describeError(cause, code) }, 'Ollama request failed');
    }
    return mapped;
  }

  async function send({
    method,
    path,
    body,
    signal,
    accept,
  }: {
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    signal?: AbortSignal;
    accept: string;
  }): Promise<Dispatcher.ResponseData> {
    // Only what Ollama needs: nothing from the gateway's own client (above all no Authorization) is forwarded.
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await agent.request({
        origin,
        path: prefix + path,
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      throw fail({ err, signal, phase: 'request', path });
    }
  }

  async function ensureOk({ res, model }: { res: Dispatcher.ResponseData; model?: string }): Promise<void> {
    if (res.statusCode >= 200 && res.statusCode < 300) return;
    const text = await readBody({ res, limit: MAX_ERROR_BODY_BYTES, truncate: true });
    const raw = errorTextOf(text) || `HTTP ${res.statusCode}`;
    const message = clean(raw);
    if (res.statusCode === 404 && model !== undefined && /model\b.*\bnot found/i.test(message)) {
      throw errors.modelNotFound(model);
    }
    // Ollama's 400s are about the request (a model that cannot chat, a bad image): the client's to fix.
    if (res.statusCode === 400 || res.statusCode === 422) throw errors.upstreamRejected(message);
    throw errors.upstreamFailed(message, new Error(`Ollama answered HTTP ${res.statusCode}: ${raw}`));
  }

  async function json<T>({
    method,
    path,
    body,
    model,
    signal,
  }: {
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    model?: string;
    signal?: AbortSignal;
  }): Promise<T> {
    const res = await send({ method, path, body, signal, accept: 'application/json' });
    try {
      await ensureOk({ res, model });
      return JSON.parse(await readBody({ res, limit: maxResponseBytes })) as T;
    } catch (err) {
      throw fail({ err, signal, phase: 'body', path });
    } finally {
      destroyUnlessEnded(res);
    }
  }

  async function* stream<T extends OllamaChatChunk | OllamaGenerateChunk>({
    path,
    body,
    model,
    signal,
  }: {
    path: string;
    body: object;
    model: string;
    signal?: AbortSignal;
  }): AsyncGenerator<T, void, undefined> {
    const res = await send({ method: 'POST', path, body: { ...body, stream: true }, signal, accept: 'application/x-ndjson' });
    try {
      await ensureOk({ res, model });
      let final: T | undefined;
      try {
        for await (const line of parseNdjson<unknown>(res.body, { maxLineBytes: maxResponseBytes })) {
          // Keep reading past the final chunk so the body ends cleanly and the socket goes back to the pool.
          if (final !== undefined) continue;
          const chunk = asChunk<T>(line, clean);
          if (chunk.done === true) final = chunk;
          else yield chunk;
        }
      } catch (err) {
        if (final === undefined || signal?.aborted) throw err;
      }
      if (final === undefined) throw errors.upstreamFailed('the response stream ended before the final chunk');
      yield final;
    } catch (err) {
      throw fail({ err, signal, phase: 'body', path });
    } finally {
      // A consumer that stops early (break, return, throw) closes the upstream request here.
      destroyUnlessEnded(res);
    }
  }

  return {
    tags: ({ signal } = {}) => json<OllamaTagsResponse>({ method: 'GET', path: '/api/tags', signal }),
    version: ({ signal } = {}) => json<OllamaVersionResponse>({ method: 'GET', path: '/api/version', signal }),
    ps: ({ signal } = {}) => json<OllamaPsResponse>({ method: 'GET', path: '/api/ps', signal }),
    show: ({ model, verbose, signal }) => json<OllamaShowResponse>({ method: 'POST', path: '/api/show', body: { model, verbose }, model, signal }),
    chat: (body, { signal } = {}) => stream<OllamaChatChunk>({ path: '/api/chat', body, model: body.model, signal }),
    generate: (body, { signal } = {}) => stream<OllamaGenerateChunk>({ path: '/api/generate', body, model: body.model, signal }),
    chatOnce: (body, { signal } = {}) =>
      json<unknown>({ method: 'POST', path: '/api/chat', body: { ...body, stream: false }, model: body.model, signal }).then((r) =>
        once<OllamaChatChunk>(r, '/api/chat'),
      ),
    generateOnce: (body, { signal } = {}) =>
      json<unknown>({ method: 'POST', path: '/api/generate', body: { ...body, stream: false }, model: body.model, signal }).then((r) =>
        once<OllamaGenerateChunk>(r, '/api/generate'),
      ),
    embed: (body, { signal } = {}) => json<OllamaEmbedResponse>({ method: 'POST', path: '/api/embed', body, model: body.model, signal }),
    close: () => agent.close(),
  };

  function once<T>(answer: unknown, path: string): T {
    try {
      return asChunk<T>(answer, clean);
    } catch (err) {
      throw fail({ err, phase: 'body', path });
    }
  }
}

function asChunk<T>(line: unknown, clean: (text: string) => string): T {
  if (line === null || typeof line !== 'object' || Array.isArray(line)) {
    throw errors.upstreamFailed(clean(`unexpected line in the response stream: ${JSON.stringify(line)?.slice(0, 100)}`));
  }
  const { error } = line as { error?: unknown };
  // Ollama reports a failure after the headers were sent as a line with only an `error` field.
  if (error !== undefined && error !== null) {
    const raw = typeof error === 'string' ? error : JSON.stringify(error);
    throw errors.upstreamFailed(clean(raw), new Error(`Ollama sent an error line: ${raw}`));
  }
  return line as T;
}

/**
 * Reads a response body up to `limit` bytes: a declared or actual size over it fails at once (and the
 * caller's `finally` closes the request), or with `truncate` the text so far is kept.
 */
function readBody({ res, limit, truncate = false }: { res: Dispatcher.ResponseData; limit: number; truncate?: boolean }): Promise<string> {
  const declared = Number(res.headers['content-length']);
  if (!truncate && declared > limit) return Promise.reject(errors.upstreamTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks, size).toString('utf8'));
    res.body.on('data', (chunk: Buffer) => {
      if (size + chunk.length <= limit) {
        chunks.push(chunk);
        size += chunk.length;
        return;
      }
      res.body.removeAllListeners('data').destroy();
      if (!truncate) return reject(errors.upstreamTooLarge(limit));
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      done();
    });
    res.body.once('end', done);
    res.body.once('error', reject);
  });
}

function errorTextOf(text: string): string {
  const trimmed = text.trim();
  try {
    const parsed = JSON.parse(trimmed) as { error?: unknown };
    if (typeof parsed?.error === 'string') return parsed.error;
  } catch {
    // Not JSON (a proxy's page, Go's "404 page not found"): use the text itself.
  }
  return trimmed.length > MAX_ERROR_TEXT ? `${trimmed.slice(0, MAX_ERROR_TEXT)}…` : trimmed;
}

function destroyUnlessEnded(res: Dispatcher.ResponseData): void {
  // Destroying an unfinished undici body aborts the request and closes its socket.
  if (!res.body.destroyed && !res.body.readableEnded) res.body.destroy();
}

const ADDRESS_PATTERNS = [
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, // URLs
  /\[[0-9a-f:.%]*:[0-9a-f:.%]*\](?::\d{1,5})?/gi, // [IPv6]:port
  /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, // IPv4[:port]
  /\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{1,5}\b/gi, // host.name:port
];

/** Text from or about the upstream without its addresses (Ollama's own errors name its runner's, e.g. `Post "http://127.0.0.1:39617/completion": EOF`). */
export function withoutAddresses(text: string, hostname?: string): string {
  let out = text;
  for (const pattern of ADDRESS_PATTERNS) out = out.replace(pattern, '<address>');
  const host = hostname?.replace(/^\[|\]$/g, '');
  if (host && host.length > 2) out = out.split(host).join('<address>');
  return out;
}

/** What a client is told about a network error: the kind of failure, never the address. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EAI_FAIL: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host down',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_DESTROYED: 'connection closed',
};

/**
 * Every failure becomes a GatewayError whose message names no address, port or host (the detail stays
 * in `cause`, for the log), except an abort by the caller's signal, which stays an AbortError.
 */
function mapFailure({
  err,
  signal,
  phase,
  timeouts,
  clean,
}: {
  err: unknown;
  signal?: AbortSignal;
  phase: Phase;
  timeouts: Timeouts;
  clean: (text: string) => string;
}): unknown {
  if (signal?.aborted) return abortError(signal);
  if (isGatewayError(err)) return err;
  if (err instanceof NdjsonLineTooLongError) return errors.upstreamTooLarge(err.limit, err);
  if (err instanceof NdjsonParseError) return errors.upstreamFailed(clean(`invalid response stream: ${err.message}`), err);
  if (err instanceof SyntaxError) return errors.upstreamFailed(clean(`invalid JSON in the response: ${err.message}`), err);
  const code = errorCodeOf(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return errors.upstreamTimeout(`could not connect within ${timeouts.connect} ms`, err);
    case 'ETIMEDOUT':
      return errors.upstreamTimeout('the connection timed out', err);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return errors.upstreamTimeout(`no response within ${timeouts.headers} ms`, err);
    case 'UND_ERR_BODY_TIMEOUT':
      return errors.upstreamTimeout(`the response stalled for more than ${timeouts.body} ms`, err);
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return errors.upstreamFailed('invalid HTTP response (wrong content-length)', err);
    case 'UND_ERR_HEADERS_OVERFLOW':
      return errors.upstreamFailed('invalid HTTP response (headers too large)', err);
  }
  if (code?.startsWith('HPE_')) return errors.upstreamFailed(`invalid HTTP response (${code})`, err);
  if (code !== undefined && (code in NETWORK_FAILURES || /^E[A-Z0-9_]+$/.test(code))) {
    const what = NETWORK_FAILURES[code] ?? code;
    // Before a response it is unreachable; once a response started, it is a broken answer.
    return phase === 'request' ? errors.upstreamUnavailable(what, err) : errors.upstreamFailed(`the response stream broke (${what})`, err);
  }
  // Anything else (another undici error, a bug) is still reported without its message, which may name the address.
  return errors.upstreamFailed(code ? `the request failed (${code})` : 'the request failed', err);
}

function errorCodeOf(err: unknown): string | undefined {
  // Node wraps dual-stack connect failures in an AggregateError and undici sometimes nests the cause.
  for (let current: unknown = err, depth = 0; current && depth < 5; depth += 1) {
    const { code, errors: inner, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = Array.isArray(inner) && inner.length > 0 ? inner[0] : cause;
  }
  return undefined;
}

function describeError(err: unknown, code: string | undefined): string {
  const message = err instanceof Error && err.message ? err.message : String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
