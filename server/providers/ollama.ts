/**
 * The Ollama HTTP client (undici `request` over a keep-alive Agent) and the Provider built on it.
 * Wire names follow Ollama's docs/api.md; every failure is mapped to a GatewayError from
 * server/errors.ts, except an abort by the caller's own signal, which surfaces as an AbortError.
 *
 * @example
 * const client = createOllamaClient({ baseUrl: 'http://127.0.0.1:11434' });
 * const provider = createOllamaProvider({ client });
 * for await (const event of provider.stream({ kind: 'chat', model: 'llama3.2', options: {}, messages }, signal)) {
 *   if (event.type === 'delta') process.stdout.write(event.text);
 * }
 */
import { Agent, type Dispatcher } from 'undici';
import { errors, isGatewayError } from '../errors.ts';
import type {
  ChatMessage,
  ChatRequest,
  Completion,
  EmbedRequest,
  EmbedResult,
  GenerateRequest,
  Provider,
  ProviderEvent,
  SamplingOptions,
  ThinkSetting,
  ToolCall,
} from '../inference/types.ts';
import { NdjsonLineTooLongError, NdjsonParseError, parseNdjson } from './ndjson.ts';

// ---------------------------------------------------------------------------------------------
// Ollama wire types (docs/api.md)
// ---------------------------------------------------------------------------------------------

/** Model parameters (Modelfile names); only the ones the gateway sets are spelled out. */
export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  num_predict?: number;
  stop?: string[];
  seed?: number;
  [name: string]: unknown;
}

export interface OllamaToolCall {
  /** Sent by newer Ollama versions; older ones send only `function`. */
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface OllamaMessage {
  role: string;
  content: string;
  thinking?: string;
  images?: string[] | null;
  tool_calls?: OllamaToolCall[];
  /** On a tool message: the function that produced this result. */
  tool_name?: string;
}

/** POST /api/chat body; `stream` is always sent as true by the client. */
export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  format?: unknown;
  options?: OllamaOptions;
  keep_alive?: string | number;
  tools?: OllamaTool[];
  think?: ThinkSetting;
}

/** POST /api/generate body; `stream` is always sent as true by the client. */
export interface OllamaGenerateBody {
  model: string;
  prompt?: string;
  suffix?: string;
  images?: string[];
  format?: unknown;
  options?: OllamaOptions;
  system?: string;
  template?: string;
  raw?: boolean;
  keep_alive?: string | number;
  context?: number[];
  think?: ThinkSetting;
}

/** Statistics carried by the final (`done: true`) chunk; durations in nanoseconds. */
export interface OllamaFinalStats {
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface OllamaChatChunk extends OllamaFinalStats {
  model: string;
  created_at: string;
  message?: OllamaMessage;
  done: boolean;
}

export interface OllamaGenerateChunk extends OllamaFinalStats {
  model: string;
  created_at: string;
  response: string;
  thinking?: string;
  done: boolean;
  context?: number[];
}

export interface OllamaModelDetails {
  parent_model?: string;
  format?: string;
  family?: string;
  families?: string[] | null;
  parameter_size?: string;
  quantization_level?: string;
}

export interface OllamaModel {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: OllamaModelDetails;
}

export interface OllamaTagsResponse {
  models: OllamaModel[];
}

export interface OllamaRunningModel {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: OllamaModelDetails;
  expires_at: string;
  size_vram: number;
}

export interface OllamaPsResponse {
  models: OllamaRunningModel[];
}

export interface OllamaShowResponse {
  modelfile?: string;
  parameters?: string;
  template?: string;
  system?: string;
  license?: string;
  details?: OllamaModelDetails;
  model_info?: Record<string, unknown>;
  capabilities?: string[];
  modified_at?: string;
}

export interface OllamaVersionResponse {
  version: string;
}

export interface OllamaEmbedBody {
  model: string;
  input: string | string[];
  truncate?: boolean;
  dimensions?: number;
  options?: OllamaOptions;
  keep_alive?: string | number;
}

export interface OllamaEmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/** Where the client writes the detail of a failure (error code, address, raw text) that clients never see. */
export interface FailureLog {
  warn(obj: object, msg?: string): void;
}

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

export interface CallOptions {
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
    show: ({ model, verbose, signal }) =>
      json<OllamaShowResponse>({ method: 'POST', path: '/api/show', body: { model, verbose }, model, signal }),
    chat: (body, { signal } = {}) => stream<OllamaChatChunk>({ path: '/api/chat', body, model: body.model, signal }),
    generate: (body, { signal } = {}) => stream<OllamaGenerateChunk>({ path: '/api/generate', body, model: body.model, signal }),
    chatOnce: (body, { signal } = {}) =>
      json<unknown>({ method: 'POST', path: '/api/chat', body: { ...body, stream: false }, model: body.model, signal }).then((r) => once<OllamaChatChunk>(r, '/api/chat')),
    generateOnce: (body, { signal } = {}) =>
      json<unknown>({ method: 'POST', path: '/api/generate', body: { ...body, stream: false }, model: body.model, signal }).then((r) => once<OllamaGenerateChunk>(r, '/api/generate')),
    embed: (body, { signal } = {}) =>
      json<OllamaEmbedResponse>({ method: 'POST', path: '/api/embed', body, model: body.model, signal }),
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
function mapFailure({ err, signal, phase, timeouts, clean }: { err: unknown; signal?: AbortSignal; phase: Phase; timeouts: Timeouts; clean: (text: string) => string }): unknown {
  if (signal?.aborted) return abortErrorFrom(signal);
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

function abortErrorFrom(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('The operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
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

// ---------------------------------------------------------------------------------------------
// Provider
// ---------------------------------------------------------------------------------------------

/**
 * The Provider backed by Ollama: maps an InferenceRequest to /api/chat or /api/generate and the
 * raw chunks to thinking, delta and tool-call events and one done event.
 */
export function createOllamaProvider({ client }: { client: OllamaClient }): Provider {
  return {
    async *stream(req, signal): AsyncGenerator<ProviderEvent, void, undefined> {
      if (req.kind === 'chat') {
        let calls = 0;
        for await (const chunk of client.chat(toChatBody(req), { signal })) {
          const m = chunk.message;
          if (m?.thinking) yield { type: 'thinking', text: m.thinking };
          if (m?.content) yield { type: 'delta', text: m.content };
          for (const call of m?.tool_calls ?? []) {
            calls++;
            yield { type: 'tool_call', call: fromOllamaToolCall(call) };
          }
          if (chunk.done) {
            yield toDoneEvent(chunk, calls > 0);
            return;
          }
        }
      } else {
        for await (const chunk of client.generate(toGenerateBody(req), { signal })) {
          if (chunk.thinking) yield { type: 'thinking', text: chunk.thinking };
          if (chunk.response) yield { type: 'delta', text: chunk.response };
          if (chunk.done) {
            yield toDoneEvent(chunk, false);
            return;
          }
        }
      }
    },

    async complete(req, signal): Promise<Completion> {
      if (req.kind === 'chat') {
        const res = await client.chatOnce(toChatBody(req), { signal });
        const toolCalls = (res.message?.tool_calls ?? []).map(fromOllamaToolCall);
        return {
          text: res.message?.content ?? '',
          ...(res.message?.thinking ? { thinking: res.message.thinking } : {}),
          ...(toolCalls.length ? { toolCalls } : {}),
          done: toDoneEvent(res, toolCalls.length > 0),
        };
      }
      const res = await client.generateOnce(toGenerateBody(req), { signal });
      return { text: res.response ?? '', ...(res.thinking ? { thinking: res.thinking } : {}), done: toDoneEvent(res, false) };
    },

    async embed(req: EmbedRequest, signal: AbortSignal): Promise<EmbedResult> {
      const res = await client.embed(
        { model: req.model, input: req.input, truncate: req.truncate, dimensions: req.dimensions, keep_alive: req.keepAlive },
        { signal },
      );
      return { embeddings: res.embeddings, promptTokens: res.prompt_eval_count ?? 0 };
    },
  };
}

/** Maps the gateway's sampling options to Ollama's `options`; undefined when none is set. */
export function toOllamaOptions(options: SamplingOptions): OllamaOptions | undefined {
  const out: OllamaOptions = {};
  if (options.temperature !== undefined) out.temperature = options.temperature;
  if (options.topP !== undefined) out.top_p = options.topP;
  if (options.topK !== undefined) out.top_k = options.topK;
  if (options.maxTokens !== undefined) out.num_predict = options.maxTokens;
  if (options.stop !== undefined) out.stop = options.stop;
  if (options.seed !== undefined) out.seed = options.seed;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The client's own Ollama options, with the ones the gateway checked (and may have filled) on top. */
function withUpstreamOptions(req: ChatRequest | GenerateRequest): OllamaOptions | undefined {
  const mapped = toOllamaOptions(req.options);
  if (!req.upstreamOptions || Object.keys(req.upstreamOptions).length === 0) return mapped;
  return { ...req.upstreamOptions, ...mapped };
}

function toOllamaMessage({ role, content, images, thinking, toolCalls, toolName }: ChatMessage): OllamaMessage {
  const m: OllamaMessage = { role, content };
  if (images?.length) m.images = images;
  if (thinking) m.thinking = thinking;
  // Ollama takes arguments as an object, and has no call ids: a result names its function instead.
  if (toolCalls?.length) m.tool_calls = toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
  if (toolName) m.tool_name = toolName;
  return m;
}

function fromOllamaToolCall(call: OllamaToolCall): ToolCall {
  const args = call.function?.arguments;
  return {
    ...(typeof call.id === 'string' && call.id ? { id: call.id } : {}),
    name: String(call.function?.name ?? ''),
    arguments: args && typeof args === 'object' && !Array.isArray(args) ? args : {},
  };
}

export function toChatBody(req: ChatRequest): OllamaChatBody {
  const body: OllamaChatBody = {
    model: req.model,
    messages: req.messages.map(toOllamaMessage),
    options: withUpstreamOptions(req),
    keep_alive: req.keepAlive,
    format: req.format,
  };
  if (req.tools?.length) body.tools = req.tools.map((t) => ({ type: 'function', function: t }));
  if (req.think !== undefined) body.think = req.think;
  return body;
}

export function toGenerateBody(req: GenerateRequest): OllamaGenerateBody {
  return {
    model: req.model,
    prompt: req.prompt,
    system: req.system,
    raw: req.raw,
    options: withUpstreamOptions(req),
    keep_alive: req.keepAlive,
    format: req.format,
    ...(req.images?.length ? { images: req.images } : {}),
    ...(req.think !== undefined ? { think: req.think } : {}),
  };
}

/** Ollama reports "stop" even when the answer is tool calls: the calls decide the finish reason. */
function toDoneEvent(chunk: OllamaFinalStats, calledTools: boolean): Extract<ProviderEvent, { type: 'done' }> {
  return {
    type: 'done',
    finishReason: chunk.done_reason === 'length' ? 'length' : calledTools ? 'tool_calls' : 'stop',
    usage: { promptTokens: chunk.prompt_eval_count ?? 0, completionTokens: chunk.eval_count ?? 0 },
    metrics: {
      totalDuration: chunk.total_duration,
      loadDuration: chunk.load_duration,
      promptEvalDuration: chunk.prompt_eval_duration,
      evalDuration: chunk.eval_duration,
    },
  };
}
