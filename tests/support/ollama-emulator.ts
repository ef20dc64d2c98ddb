/**
 * An emulator of Ollama's HTTP API (docs/api.md) over real HTTP, for tests of anything that talks to
 * Ollama. Answers are deterministic, nothing is delayed unless a test asks for it, every request is
 * recorded, and client aborts are observed.
 *
 * @example
 * const ollama = await startOllamaEmulator();
 * ollama.setBehavior({ tokenDelayMs: 20 }, { model: 'llama3.2' });
 * // ... point the code under test at ollama.url, then:
 * const aborted = await ollama.waitForAbort({ path: '/api/chat' });
 * expect(ollama.lastRequest('/api/chat')?.body).toMatchObject({ stream: true });
 * await ollama.close();
 *
 * // Ollama's capacity: 2 at once, 4 queued, then 503 "server busy"; a model not loaded takes 300 ms first.
 * const gpu = await startOllamaEmulator({ capacity: { parallel: 2, maxQueue: 4, loadDelayMs: 300 } });
 * gpu.preload(['llama3.2:latest']);                  // warm, as /api/ps reports
 * expect(gpu.running().peak).toBeLessThanOrEqual(2);
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** `details` as /api/tags, /api/ps and /api/show return it. */
interface EmulatedModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
}

/** A model the emulator knows. Only `name` is required; the rest gets plausible defaults. */
export interface EmulatedModel {
  /** Full name with tag, e.g. `llama3.2:latest`; requests may omit `:latest`. */
  name: string;
  size?: number;
  digest?: string;
  modified_at?: string;
  details?: Partial<EmulatedModelDetails>;
  /** What /api/show reports; chat and generate need `completion`. Default `['completion']`. */
  capabilities?: string[];
  /** Words an /api/embed input may have when `truncate: false`. Default 4096. */
  contextLength?: number;
  /** Length of the vectors /api/embed returns when the request sets no `dimensions`. Default 16. */
  embeddingLength?: number;
}

/** A chat message as Ollama takes it (docs/api.md): tool calls on assistant messages, `tool_name` on tool results. */
interface EmulatedMessage {
  role: string;
  content: string;
  thinking?: string;
  images?: string[];
  tool_calls?: EmulatedToolCall[];
  tool_name?: string;
}

/** A tool call as Ollama sends and takes it: arguments are an object, not a JSON string. */
interface EmulatedToolCall {
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

/** What a reply function gets to decide the answer of /api/chat or /api/generate. */
interface ReplyContext {
  kind: 'chat' | 'generate';
  /** The model name as the request spelled it. */
  model: string;
  /** Chat messages (empty for generate). */
  messages: EmulatedMessage[];
  /** The generate prompt, or the content of the last user message for chat. */
  prompt: string;
  system?: string;
  /** The request's `options` object (Ollama's names: temperature, num_predict, ...). */
  options: Record<string, unknown>;
  /** The whole parsed request body. */
  body: Record<string, unknown>;
  /** The request's `tools` (chat only; empty when none). */
  tools: Array<{ type: string; function: { name: string; description?: string; parameters?: any } }>;
  /** The request's `think`, when set. */
  think?: boolean | 'low' | 'medium' | 'high';
}

/** Knobs that change how the emulator answers. */
interface EmulatorBehavior {
  /**
   * The answer: a string (split into word tokens with {@link splitIntoTokens}, one chunk each) or
   * the exact tokens. Default: `You said: <last user message | prompt>`.
   */
  reply: (ctx: ReplyContext) => string | string[];
  /**
   * Reasoning streamed as `thinking` before the answer, when the request asks for it (`think` true or
   * a level) and the model has the `thinking` capability. Default: `Thinking about: <prompt>`.
   */
  thinking: (ctx: ReplyContext) => string | string[];
  /**
   * Tool calls to answer with instead of text (chat with `tools` on a model with the `tools`
   * capability). Default: when the last message is the user's, one call of the first tool, its
   * required (or else all) parameters filled from the prompt; after a tool result, none.
   */
  toolCalls: (ctx: ReplyContext) => EmulatedToolCall['function'][] | null;
  /** Wait before each token chunk (slow tokens). Default 0. */
  tokenDelayMs: number;
  /** Wait after reading the request and before sending the status line (a model loading). Default 0. */
  headersDelayMs: number;
  /**
   * Answer with this status instead: `{"error": error}` (JSON), or `body` verbatim (text/plain).
   * `times` limits it to the next N matching requests. Default null.
   */
  fail: { status: number; error?: string; body?: string; times?: number } | null;
  /**
   * Streams only: destroy the socket after this many token chunks reached the wire (at the latest
   * instead of the final chunk, when the answer is shorter). Default null.
   */
  dieAfterChunks: number | null;
  /**
   * Streams only: after this many token chunks (at the latest instead of the final chunk), send
   * `{"error": error}` and end the response, as Ollama does for a failure mid-stream. Default null.
   */
  errorAfterChunks: { after: number; error: string } | null;
  /**
   * Streams only: after this many token chunks (at the latest instead of the final chunk), send
   * nothing more and keep the connection open until the client gives up (a hung model). Default null.
   */
  stallAfterChunks: number | null;
  /** Streams only: wait this long between the final (`done: true`) line and the end of the response. Default 0. */
  endDelayMs: number;
  /** Overrides of the reported durations (ns); otherwise derived from the token counts, see {@link durationsFor}. */
  durations: Partial<{ total_duration: number; load_duration: number; prompt_eval_duration: number; eval_duration: number }>;
}

/** One request the emulator received, updated as its response progresses. */
export interface RecordedRequest {
  /** 1-based, in arrival order. */
  id: number;
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body; undefined when empty or not JSON. */
  body: any;
  /** `body.model` when it is a string. */
  model?: string;
  /** Same number = same TCP connection (keep-alive reuse). */
  socketId: number;
  /** Date.now() when the body was read. */
  receivedAt: number;
  /** Status sent, once the headers went out. */
  status?: number;
  /** Whether the answer is NDJSON. */
  streamed: boolean;
  /** Token chunks written (not counting the final `done` chunk). */
  chunksSent: number;
  /** Date.now() when the response was completely written. */
  finishedAt?: number;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  abortedAt?: number;
  /** The emulator destroyed the socket on purpose (`dieAfterChunks`). */
  destroyedByEmulator: boolean;
}

export interface OllamaEmulatorOptions {
  /** Installed models. Default {@link DEFAULT_EMULATED_MODELS}. */
  models?: EmulatedModel[];
  /** What GET /api/version answers. Default `0.12.6`. */
  version?: string;
  /** Initial global behaviour (same as calling setBehavior right after start). */
  behavior?: Partial<EmulatorBehavior>;
  /** Port to listen on. Default 0 (a free one). */
  port?: number;
  /** Model Ollama's capacity (see {@link EmulatedCapacity}); unset: unlimited, as before. */
  capacity?: Partial<EmulatedCapacity>;
}

/**
 * Ollama's capacity: `parallel` generations/embeddings at once (OLLAMA_NUM_PARALLEL), then a FIFO of
 * `maxQueue` (OLLAMA_MAX_QUEUE), then 503 "server busy". A model not loaded takes `loadDelayMs` first.
 */
interface EmulatedCapacity {
  parallel: number;
  maxQueue: number;
  loadDelayMs: number;
}

export interface OllamaEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  port: number;
  /** Every request received, in order (a live array; `reset()` empties it). */
  requests: RecordedRequest[];
  /** The latest request, optionally only among those to `path`. */
  lastRequest(path?: string): RecordedRequest | undefined;
  /**
   * Merges knobs into the global behaviour, or into one model's when `model` is given (a model's
   * knobs win over the global ones for requests naming that model).
   */
  setBehavior(patch: Partial<EmulatorBehavior>, opts?: { model?: string }): void;
  /** Replaces the installed models. */
  setModels(models: EmulatedModel[]): void;
  /** Back to the start: behaviours, models, loaded models and recorded requests. */
  reset(): void;
  /** Responses started but neither finished nor closed. */
  inFlight(): number;
  /** Generations and embeddings running now, and the most ever at once (with `capacity`). */
  running(): { now: number; peak: number; queued: number };
  /** Marks models as loaded (as /api/ps will report), e.g. to prepare a warm server. */
  preload(names: string[]): void;
  /** Resolves with the first recorded request matching `predicate` (now or later); rejects after `timeoutMs` (default 2000). */
  waitFor(predicate: (req: RecordedRequest) => boolean, opts?: { timeoutMs?: number }): Promise<RecordedRequest>;
  /** Resolves with the first request (to `path`, or `request` itself) whose client aborted; rejects after `timeoutMs` (default 1000). */
  waitForAbort(opts?: { path?: string; request?: RecordedRequest; timeoutMs?: number }): Promise<RecordedRequest>;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** The models installed by default: two chat models and an embedding model. */
export const DEFAULT_EMULATED_MODELS: readonly EmulatedModel[] = Object.freeze([
  {
    name: 'llama3.2:latest',
    size: 2_019_393_189,
    details: { family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
    contextLength: 131_072,
    embeddingLength: 3072,
  },
  {
    name: 'qwen2.5:0.5b',
    size: 397_821_319,
    details: { family: 'qwen2', families: ['qwen2'], parameter_size: '494.03M', quantization_level: 'Q4_K_M' },
    contextLength: 32_768,
    embeddingLength: 896,
  },
  {
    name: 'nomic-embed-text:latest',
    size: 274_302_450,
    details: { family: 'nomic-bert', families: ['nomic-bert'], parameter_size: '137M', quantization_level: 'F16' },
    capabilities: ['embedding'],
    contextLength: 2048,
    embeddingLength: 768,
  },
]);

/** A model with every capability the compatible surfaces use (tools, thinking, images); not installed by default. */
export const CAPABLE_MODEL: EmulatedModel = Object.freeze({
  name: 'qwen3-vl:8b',
  size: 6_135_454_208,
  details: { family: 'qwen3vl', families: ['qwen3vl'], parameter_size: '8.8B', quantization_level: 'Q4_K_M' },
  capabilities: ['completion', 'vision', 'tools', 'thinking'],
  contextLength: 262_144,
  embeddingLength: 4096,
});

const DEFAULT_BEHAVIOR: EmulatorBehavior = {
  // After a tool result, the answer reports it: a tool round trip ends in text.
  reply: ({ prompt, messages }) => (messages.at(-1)?.role === 'tool' ? `The tool said: ${messages.at(-1)!.content}` : `You said: ${prompt}`),
  thinking: ({ prompt }) => `Thinking about: ${prompt}`,
  toolCalls: defaultToolCalls,
  tokenDelayMs: 0,
  headersDelayMs: 0,
  fail: null,
  dieAfterChunks: null,
  errorAfterChunks: null,
  stallAfterChunks: null,
  endDelayMs: 0,
  durations: {},
};

const FIXED_MODIFIED_AT = '2025-01-15T10:20:30.123456789Z';

/** Splits text into word tokens that concatenate back to it: `"a b  c"` -> `["a", " b", "  c"]`. */
export function splitIntoTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** Whitespace-separated words, the emulator's token count for prompts. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * The durations (ns) reported when no override is set: load 1 ms, prompt eval 0.1 ms per prompt
 * token, eval 1 ms per generated token, total their sum.
 */
export function durationsFor({ promptTokens, evalTokens }: { promptTokens: number; evalTokens: number }) {
  const load_duration = 1_000_000;
  const prompt_eval_duration = promptTokens * 100_000;
  const eval_duration = evalTokens * 1_000_000;
  return { total_duration: load_duration + prompt_eval_duration + eval_duration, load_duration, prompt_eval_duration, eval_duration };
}

/** Starts the emulator on 127.0.0.1, on a free port. */
export async function startOllamaEmulator(opts: OllamaEmulatorOptions = {}): Promise<OllamaEmulator> {
  const initialModels = opts.models ?? DEFAULT_EMULATED_MODELS;
  const version = opts.version ?? '0.12.6';
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const requests: RecordedRequest[] = [];
  let models = new Map<string, EmulatedModel>();
  let globalBehavior: Partial<EmulatorBehavior> = {};
  let modelBehavior = new Map<string, Partial<EmulatorBehavior>>();
  const loaded = new Map<string, number>();
  let nextRequestId = 1;
  let nextSocketId = 1;
  let open = 0;
  let closing = false;
  const socketIds = new WeakMap<Socket, number>();
  const capacity: EmulatedCapacity | undefined = opts.capacity ? { parallel: 1, maxQueue: 512, loadDelayMs: 0, ...opts.capacity } : undefined;
  const CAPACITY_ROUTES = new Set(['POST /api/chat', 'POST /api/generate', 'POST /api/embed']);
  const running = { now: 0, peak: 0 };
  const slotQueue: Array<() => void> = [];
  // Resolves true with a slot, false when the queue is full or the client left while queued.
  const takeSlot = (signal: AbortSignal): Promise<boolean> => {
    if (running.now < capacity!.parallel) {
      running.now++;
      running.peak = Math.max(running.peak, running.now);
      return Promise.resolve(true);
    }
    if (slotQueue.length >= capacity!.maxQueue) return Promise.resolve(false);
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', leave);
        running.now++;
        running.peak = Math.max(running.peak, running.now);
        resolve(true);
      };
      const leave = () => {
        slotQueue.splice(slotQueue.indexOf(grant), 1);
        resolve(false);
      };
      slotQueue.push(grant);
      signal.addEventListener('abort', leave, { once: true });
    });
  };
  const releaseSlot = () => {
    running.now--;
    slotQueue.shift()?.();
  };
  const sockets = new Set<Socket>();

  const setModels = (list: readonly EmulatedModel[]) => {
    models = new Map(list.map((m) => [normalizeName(m.name), m]));
  };
  const reset = () => {
    setModels(initialModels);
    globalBehavior = { ...opts.behavior };
    modelBehavior = new Map();
    loaded.clear();
    requests.length = 0;
  };
  reset();

  const behaviorFor = (model: string | undefined): EmulatorBehavior => ({
    ...DEFAULT_BEHAVIOR,
    ...globalBehavior,
    ...(model === undefined ? {} : modelBehavior.get(normalizeName(model))),
  });

  // Consumes one use of a `times`-limited failure from the scope it came from.
  const takeFailure = (model: string | undefined): EmulatorBehavior['fail'] => {
    const scoped = model === undefined ? undefined : modelBehavior.get(normalizeName(model));
    const owner = scoped?.fail ? scoped : globalBehavior.fail ? globalBehavior : undefined;
    const fail = owner?.fail;
    if (!owner || !fail) return null;
    if (fail.times !== undefined) owner.fail = fail.times <= 1 ? null : { ...fail, times: fail.times - 1 };
    return fail;
  };

  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: `emulator bug: ${String(err)}` });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    socketIds.set(socket, nextSocketId++);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: any;
    let bodyError: string | undefined;
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch (err) {
        bodyError = (err as Error).message;
      }
    }
    const record: RecordedRequest = {
      id: nextRequestId++,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      rawBody,
      body,
      model: typeof body?.model === 'string' ? body.model : undefined,
      socketId: socketIds.get(req.socket) ?? 0,
      receivedAt: Date.now(),
      streamed: false,
      chunksSent: 0,
      aborted: false,
      destroyedByEmulator: false,
    };
    requests.push(record);
    if (res.closed) {
      // The client gave up while its request body was still arriving.
      record.aborted = true;
      record.abortedAt = Date.now();
      events.emit('change');
      return;
    }
    open += 1;
    const stop = new AbortController();
    res.on('close', () => {
      open -= 1;
      stop.abort();
      if (!res.writableFinished && !record.destroyedByEmulator && !closing) {
        record.aborted = true;
        record.abortedAt = Date.now();
      }
      events.emit('change');
    });
    res.on('finish', () => {
      record.finishedAt = Date.now();
      events.emit('change');
    });
    events.emit('change');

    const route = `${record.method} ${path}`;
    if (route === 'GET /' || route === 'HEAD /') return sendText(res, 200, 'Ollama is running', record);
    const handler = ROUTES[route];
    if (!handler) return sendText(res, 404, '404 page not found', record);

    const behavior = behaviorFor(record.model);
    if (capacity && CAPACITY_ROUTES.has(route)) {
      if (!(await takeSlot(stop.signal))) {
        if (!stop.signal.aborted) sendJson(res, 503, { error: 'server busy, please try again.  maximum pending requests exceeded' }, record);
        return;
      }
      res.once('close', releaseSlot);
      const name = record.model && findModel(record.model)?.name;
      if (name && !((loaded.get(normalizeName(name)) ?? 0) > Date.now()) && capacity.loadDelayMs > 0 && !(await pause(capacity.loadDelayMs, stop.signal)))
        return;
    }
    if (behavior.headersDelayMs > 0 && !(await pause(behavior.headersDelayMs, stop.signal))) return;
    const fail = takeFailure(record.model);
    if (fail) {
      return fail.body !== undefined
        ? sendText(res, fail.status, fail.body, record)
        : sendJson(res, fail.status, { error: fail.error ?? 'emulated failure' }, record);
    }
    if (record.method === 'POST') {
      if (bodyError !== undefined) return sendJson(res, 400, { error: `invalid JSON: ${bodyError}` }, record);
      if (body === undefined) return sendJson(res, 400, { error: 'missing request body' }, record);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return sendJson(res, 400, { error: 'request body must be a JSON object' }, record);
      }
    }
    await handler({ req, res, record, body, behavior, signal: stop.signal });
  }

  interface RouteArgs {
    req: IncomingMessage;
    res: ServerResponse;
    record: RecordedRequest;
    body: any;
    behavior: EmulatorBehavior;
    signal: AbortSignal;
  }

  const findModel = (name: string) => models.get(normalizeName(name));
  const notFound = (res: ServerResponse, record: RecordedRequest, name: string) =>
    sendJson(res, 404, { error: `model "${name}" not found, try pulling it first` }, record);

  const ROUTES: Record<string, (args: RouteArgs) => Promise<void> | void> = {
    'GET /api/version': ({ res, record }) => sendJson(res, 200, { version }, record),

    'GET /api/tags': ({ res, record }) => sendJson(res, 200, { models: [...models.values()].map((m) => describeModel(m)) }, record),

    'GET /api/ps': ({ res, record }) => {
      const now = Date.now();
      const running = [...loaded.entries()]
        .filter(([, expiresAt]) => expiresAt > now)
        .flatMap(([name, expiresAt]) => {
          const model = models.get(name);
          if (!model) return [];
          const { modified_at: _omitted, ...rest } = describeModel(model);
          return [{ ...rest, expires_at: new Date(expiresAt).toISOString(), size_vram: rest.size }];
        });
      sendJson(res, 200, { models: running }, record);
    },

    'POST /api/show': ({ res, record, body }) => {
      const name = body.model ?? body.name;
      if (typeof name !== 'string' || name === '') return sendJson(res, 400, { error: 'model is required' }, record);
      const model = findModel(name);
      if (!model) return sendJson(res, 404, { error: `model '${name}' not found` }, record);
      const info = describeModel(model);
      const family = info.details.family;
      sendJson(
        res,
        200,
        {
          license: 'Emulated model: no license.',
          modelfile: `# Modelfile generated by "ollama show"\nFROM ${info.name}\nTEMPLATE """{{ .Prompt }}"""\nPARAMETER stop "<|eot_id|>"`,
          parameters: 'stop                           "<|eot_id|>"',
          template: '{{ if .System }}{{ .System }}\n{{ end }}{{ .Prompt }}',
          details: info.details,
          model_info: {
            'general.architecture': family,
            'general.file_type': 15,
            'general.parameter_count': parameterCount(info.details.parameter_size),
            [`${family}.context_length`]: model.contextLength ?? 4096,
            [`${family}.embedding_length`]: model.embeddingLength ?? 16,
          },
          capabilities: model.capabilities ?? ['completion'],
          modified_at: info.modified_at,
        },
        record,
      );
    },

    'POST /api/chat': (args) => generateAnswer({ ...args, kind: 'chat' }),
    'POST /api/generate': (args) => generateAnswer({ ...args, kind: 'generate' }),

    'POST /api/embed': ({ res, record, body }) => {
      if (typeof body.model !== 'string' || body.model === '') return sendJson(res, 400, { error: 'model is required' }, record);
      const inputs: unknown = typeof body.input === 'string' ? [body.input] : (body.input ?? []);
      if (!Array.isArray(inputs) || !inputs.every((s) => typeof s === 'string')) {
        return sendJson(res, 400, { error: 'invalid input type' }, record);
      }
      const model = findModel(body.model);
      if (!model) return notFound(res, record, body.model);
      if (body.dimensions !== undefined && (!Number.isInteger(body.dimensions) || body.dimensions <= 0)) {
        return sendJson(res, 400, { error: 'dimensions must be a positive integer' }, record);
      }
      const limit = model.contextLength ?? 4096;
      if (body.truncate === false && inputs.some((text) => countWords(text) > limit)) {
        return sendJson(res, 400, { error: 'input length exceeds maximum context length' }, record);
      }
      const length: number = body.dimensions ?? model.embeddingLength ?? 16;
      const promptTokens = inputs.reduce((sum, text) => sum + Math.min(countWords(text), limit), 0);
      markLoaded(model.name, body.keep_alive);
      const { total_duration, load_duration } = durationsFor({ promptTokens, evalTokens: 0 });
      sendJson(
        res,
        200,
        {
          model: body.model,
          embeddings: inputs.map((text) => embeddingOf({ model: model.name, text, length })),
          total_duration,
          load_duration,
          prompt_eval_count: promptTokens,
        },
        record,
      );
    },
  };

  async function generateAnswer({ res, record, body, behavior, signal, kind }: RouteArgs & { kind: 'chat' | 'generate' }): Promise<void> {
    if (typeof body.model !== 'string' || body.model === '') return sendJson(res, 400, { error: 'model is required' }, record);
    const invalid = validateGenerationBody(kind, body);
    if (invalid) return sendJson(res, 400, { error: invalid }, record);
    const model = findModel(body.model);
    if (!model) return notFound(res, record, body.model);
    const capabilities = model.capabilities ?? ['completion'];
    if (!capabilities.includes('completion')) {
      return sendJson(res, 400, { error: `"${body.model}" does not support ${kind}` }, record);
    }
    // As Ollama: a model without the capability refuses tools and thinking instead of ignoring them.
    const tools: ReplyContext['tools'] = kind === 'chat' && Array.isArray(body.tools) ? body.tools : [];
    if (tools.length > 0 && !capabilities.includes('tools')) {
      return sendJson(res, 400, { error: `registry.ollama.ai/library/${model.name} does not support tools` }, record);
    }
    const thinks = body.think === true || typeof body.think === 'string';
    if (thinks && !capabilities.includes('thinking')) {
      return sendJson(res, 400, { error: `"${body.model}" does not support thinking` }, record);
    }
    const messages: ReplyContext['messages'] = body.messages ?? [];
    const prompt: string = kind === 'chat' ? ([...messages].reverse().find((m) => m.role === 'user')?.content ?? '') : (body.prompt ?? '');
    const base = { model: body.model, created_at: new Date().toISOString() };

    // Empty messages / prompt only load (or, with keep_alive 0, unload) the model, answered in one object.
    const isLoad = kind === 'chat' ? messages.length === 0 : prompt === '';
    if (isLoad) {
      const unload = body.keep_alive === 0 || body.keep_alive === '0';
      if (unload) loaded.delete(normalizeName(model.name));
      else markLoaded(model.name, body.keep_alive);
      const answer =
        kind === 'chat'
          ? { ...base, message: { role: 'assistant', content: '' }, done_reason: unload ? 'unload' : 'load', done: true }
          : { ...base, response: '', done: true, ...(unload ? { done_reason: 'unload' } : {}) };
      return sendJson(res, 200, answer, record);
    }
    markLoaded(model.name, body.keep_alive);

    const options: Record<string, unknown> = body.options ?? {};
    const system: string | undefined = typeof body.system === 'string' ? body.system : undefined;
    const ctx: ReplyContext = {
      kind,
      model: body.model,
      messages,
      prompt,
      system,
      options,
      body,
      tools,
      ...(body.think !== undefined ? { think: body.think } : {}),
    };
    const calls = tools.length > 0 ? (behavior.toolCalls(ctx) ?? []) : [];
    const toolCalls: EmulatedToolCall[] = calls.map((fn, index) => ({ function: { index, ...fn } }));
    const thought = thinks ? behavior.thinking(ctx) : [];
    const thinkingTokens = typeof thought === 'string' ? splitIntoTokens(thought) : thought;
    // A model that calls tools says nothing else; a JSON schema format gets an answer that fits it.
    const reply =
      toolCalls.length > 0
        ? []
        : isSchema(body.format) && behavior.reply === DEFAULT_BEHAVIOR.reply
          ? JSON.stringify(valueFor(body.format, prompt))
          : behavior.reply(ctx);
    const planned = typeof reply === 'string' ? splitIntoTokens(reply) : reply;
    const { tokens, doneReason } = limitTokens({ tokens: planned, options });
    const extraTokens = thinkingTokens.length + toolCalls.length * TOOL_CALL_TOKENS;
    const promptText = kind === 'chat' ? messages.map((m) => m.content ?? '').join(' ') : `${system ?? ''} ${prompt}`;
    const promptTokens = countWords(promptText);
    const stats = (contentTokens: number) => ({
      ...durationsFor({ promptTokens, evalTokens: contentTokens + extraTokens }),
      ...behavior.durations,
      prompt_eval_count: promptTokens,
      eval_count: contentTokens + extraTokens,
    });
    const context =
      kind === 'generate' && body.raw !== true ? (n: number) => ({ context: Array.from({ length: promptTokens + n }, (_, i) => i + 1) }) : () => ({});
    const piece = (text: string, extra: { thinking?: string; tool_calls?: EmulatedToolCall[] } = {}) => {
      const more = { ...(extra.thinking ? { thinking: extra.thinking } : {}), ...(extra.tool_calls?.length ? { tool_calls: extra.tool_calls } : {}) };
      return kind === 'chat' ? { message: { role: 'assistant', content: text, ...more } } : { response: text, ...more };
    };

    if (body.stream === false) {
      for (let i = 0; i < tokens.length + thinkingTokens.length && behavior.tokenDelayMs > 0; i += 1) {
        if (!(await pause(behavior.tokenDelayMs, signal))) return;
      }
      const whole = piece(tokens.join(''), { thinking: thinkingTokens.join(''), tool_calls: toolCalls });
      return sendJson(res, 200, { ...base, ...whole, done: true, done_reason: doneReason, ...context(tokens.length), ...stats(tokens.length) }, record);
    }

    record.streamed = true;
    // Like Ollama, the headers go out with the first line (Node sends them on the first write).
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let flushed: Promise<void> = Promise.resolve();
    const write = (line: string): boolean => {
      record.status = 200;
      let ok = true;
      flushed = new Promise<void>((resolve) => {
        ok = res.write(line, () => resolve());
      });
      return ok;
    };
    // Returns true when a failure knob fired (the response is then over).
    const failNow = async (atEnd: boolean): Promise<boolean> => {
      const { errorAfterChunks, dieAfterChunks, stallAfterChunks } = behavior;
      const reached = (n: number) => atEnd || record.chunksSent === n;
      if (errorAfterChunks && reached(errorAfterChunks.after)) {
        res.end(`${JSON.stringify({ error: errorAfterChunks.error })}\n`);
        return true;
      }
      if (dieAfterChunks !== null && reached(dieAfterChunks)) {
        // Let the chunks already written reach the client first, so it sees exactly N chunks then a dead socket.
        await Promise.race([flushed, pause(1_000, signal)]);
        record.destroyedByEmulator = true;
        res.socket?.destroy();
        return true;
      }
      if (stallAfterChunks !== null && reached(stallAfterChunks)) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return true;
      }
      return false;
    };
    // Like Ollama: the reasoning streams first, then the answer, then the calls in one chunk.
    const pieces = [
      ...thinkingTokens.map((t) => piece('', { thinking: t })),
      ...tokens.map((t) => piece(t)),
      ...(toolCalls.length ? [piece('', { tool_calls: toolCalls })] : []),
    ];
    for (const p of pieces) {
      if (behavior.tokenDelayMs > 0 && !(await pause(behavior.tokenDelayMs, signal))) return;
      if (signal.aborted || (await failNow(false))) return;
      const chunk = { ...base, created_at: new Date().toISOString(), ...p, done: false };
      record.chunksSent += 1;
      if (!write(`${JSON.stringify(chunk)}\n`) && !(await drained(res, signal))) return;
    }
    if (signal.aborted || (await failNow(true))) return;
    const final = {
      ...base,
      created_at: new Date().toISOString(),
      ...piece(''),
      done: true,
      done_reason: doneReason,
      ...context(tokens.length),
      ...stats(tokens.length),
    };
    // Like Ollama (Go flushes each line, then ends the chunked body), the end arrives after the final line.
    write(`${JSON.stringify(final)}\n`);
    await Promise.race([flushed, pause(1_000, signal)]);
    if (behavior.endDelayMs > 0 && !(await pause(behavior.endDelayMs, signal))) return;
    res.end();
  }

  function markLoaded(name: string, keepAlive: unknown): void {
    loaded.set(normalizeName(name), Date.now() + keepAliveMs(keepAlive));
  }

  function waitFor(predicate: (req: RecordedRequest) => boolean, { timeoutMs = 2_000 }: { timeoutMs?: number } = {}): Promise<RecordedRequest> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = requests.find(predicate);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `Ollama emulator: no matching request within ${timeoutMs} ms (received: ${requests.map((r) => `${r.method} ${r.path}${r.aborted ? ' [aborted]' : ''}`).join(', ') || 'none'})`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        events.off('change', check);
      };
      if (!check()) events.on('change', check);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    lastRequest: (path) => [...requests].reverse().find((r) => path === undefined || r.path === path),
    setBehavior: (patch, { model } = {}) => {
      if (model === undefined) globalBehavior = { ...globalBehavior, ...patch };
      else modelBehavior.set(normalizeName(model), { ...modelBehavior.get(normalizeName(model)), ...patch });
    },
    setModels,
    reset,
    inFlight: () => open,
    running: () => ({ ...running, queued: slotQueue.length }),
    preload: (names) => {
      for (const name of names) markLoaded(name, undefined);
    },
    waitFor,
    waitForAbort: ({ path, request, timeoutMs = 1_000 } = {}) =>
      waitFor((r) => r.aborted && (request === undefined || r.id === request.id) && (path === undefined || r.path === path), { timeoutMs }),
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function normalizeName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function describeModel(model: EmulatedModel) {
  const family = model.details?.family ?? 'llama';
  return {
    name: model.name,
    model: model.name,
    modified_at: model.modified_at ?? FIXED_MODIFIED_AT,
    size: model.size ?? 1_000_000_000,
    digest: model.digest ?? createHash('sha256').update(model.name).digest('hex'),
    details: {
      parent_model: model.details?.parent_model ?? '',
      format: model.details?.format ?? 'gguf',
      family,
      families: model.details?.families === undefined ? [family] : model.details.families,
      parameter_size: model.details?.parameter_size ?? '1B',
      quantization_level: model.details?.quantization_level ?? 'Q4_K_M',
    },
  };
}

function parameterCount(size: string): number {
  const match = /^([\d.]+)\s*([KMB])?$/i.exec(size);
  if (!match) return 0;
  const scale = { K: 1e3, M: 1e6, B: 1e9 }[(match[2] ?? '').toUpperCase() as 'K' | 'M' | 'B'] ?? 1;
  return Math.round(Number(match[1]) * scale);
}

function validateGenerationBody(kind: 'chat' | 'generate', body: any): string | undefined {
  if (body.options !== undefined && (typeof body.options !== 'object' || body.options === null || Array.isArray(body.options))) {
    return 'options must be an object';
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return 'stream must be a boolean';
  if (body.think !== undefined && body.think !== null && typeof body.think !== 'boolean' && !['low', 'medium', 'high'].includes(body.think)) {
    return `invalid think value: ${JSON.stringify(body.think)} (must be "high", "medium", "low", true, or false)`;
  }
  if (body.format !== undefined && body.format !== null && body.format !== '' && body.format !== 'json' && !isSchema(body.format)) {
    return 'invalid format: expected "json" or a valid JSON schema';
  }
  const badImages = invalidImages(body.images);
  if (badImages) return badImages;
  if (kind === 'generate') {
    if (body.prompt !== undefined && typeof body.prompt !== 'string') return 'prompt must be a string';
    if (body.system !== undefined && typeof body.system !== 'string') return 'system must be a string';
    return undefined;
  }
  if (body.messages === undefined) return undefined;
  if (!Array.isArray(body.messages)) return 'messages must be an array';
  for (const message of body.messages) {
    if (typeof message !== 'object' || message === null) return 'each message must be an object';
    if (!['system', 'user', 'assistant', 'tool'].includes(message.role)) return `invalid role: ${JSON.stringify(message.role)}`;
    if (message.content !== undefined && typeof message.content !== 'string') return 'message content must be a string';
    const bad = invalidImages(message.images);
    if (bad) return bad;
    if (message.thinking !== undefined && typeof message.thinking !== 'string') return 'message thinking must be a string';
    if (message.tool_name !== undefined && typeof message.tool_name !== 'string') return 'message tool_name must be a string';
    if (message.tool_calls !== undefined && message.tool_calls !== null) {
      if (!Array.isArray(message.tool_calls)) return 'message tool_calls must be an array';
      for (const call of message.tool_calls) {
        if (typeof call?.function?.name !== 'string') return 'tool call function name must be a string';
        const args = call.function.arguments;
        // Go unmarshals arguments into a map: a JSON string (OpenAI's form) is refused.
        if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
          return `json: cannot unmarshal ${Array.isArray(args) ? 'array' : typeof args} into Go struct field ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments`;
        }
      }
    }
  }
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) return 'tools must be an array';
    for (const tool of body.tools) {
      if (typeof tool?.function?.name !== 'string' || tool.function.name === '') return 'each tool needs a function with a name';
    }
  }
  return undefined;
}

/** Images are base64 strings; anything else is refused as Go's decoder would. */
function invalidImages(images: unknown): string | undefined {
  if (images === undefined || images === null) return undefined;
  if (!Array.isArray(images)) return 'images must be an array';
  for (const image of images) {
    if (typeof image !== 'string' || image.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(image)) return 'illegal base64 data at input byte 0';
  }
  return undefined;
}

function isSchema(format: unknown): format is Record<string, unknown> {
  return typeof format === 'object' && format !== null && !Array.isArray(format);
}

/** A value that fits a JSON schema, with strings filled from the prompt: what a model under `format` would produce. */
function valueFor(schema: any, prompt: string): unknown {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  if (Array.isArray(schema?.enum) && schema.enum.length) return schema.enum[0];
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries((schema.properties ?? {}) as Record<string, unknown>).map(([k, v]) => [k, valueFor(v, prompt)]));
    case 'array':
      return [valueFor(schema.items ?? {}, prompt)];
    case 'integer':
    case 'number':
      return countWords(prompt);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return prompt;
  }
}

/** Tokens a tool call counts for in `eval_count`. */
export const TOOL_CALL_TOKENS = 8;

function defaultToolCalls({ tools, messages, prompt }: ReplyContext): EmulatedToolCall['function'][] | null {
  if (messages.at(-1)?.role !== 'user' || tools.length === 0) return null;
  const tool = tools[0]!.function;
  const properties: Record<string, unknown> = tool.parameters?.properties ?? {};
  const required: string[] = Array.isArray(tool.parameters?.required) && tool.parameters.required.length ? tool.parameters.required : Object.keys(properties);
  return [{ name: tool.name, arguments: Object.fromEntries(required.map((name) => [name, valueFor(properties[name] ?? { type: 'string' }, prompt)])) }];
}

/** Applies `options.stop` (cut before the first stop string) then `options.num_predict`. */
function limitTokens({ tokens, options }: { tokens: string[]; options: Record<string, unknown> }): { tokens: string[]; doneReason: 'stop' | 'length' } {
  const stops = Array.isArray(options.stop) ? options.stop.filter((s): s is string => typeof s === 'string' && s !== '') : [];
  const limit = typeof options.num_predict === 'number' && options.num_predict >= 0 ? options.num_predict : Infinity;
  const out: string[] = [];
  let text = '';
  for (const token of tokens) {
    if (out.length >= limit) return { tokens: out, doneReason: 'length' };
    const next = text + token;
    const cut = Math.min(...stops.map((s) => next.indexOf(s)).filter((i) => i !== -1));
    if (Number.isFinite(cut)) {
      if (cut > text.length) out.push(next.slice(text.length, cut));
      return { tokens: out, doneReason: 'stop' };
    }
    out.push(token);
    text = next;
  }
  return { tokens: out, doneReason: 'stop' };
}

/** Deterministic unit vector derived from the model and text. */
function embeddingOf({ model, text, length }: { model: string; text: string; length: number }): number[] {
  let seed = 0x811c9dc5;
  for (const char of `${model}\n${text}`) seed = Math.imul(seed ^ char.codePointAt(0)!, 0x01000193) >>> 0;
  const raw = Array.from({ length }, () => {
    // xorshift32: cheap, deterministic, good enough to make different texts differ.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 0xffffffff - 0.5;
  });
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => v / norm);
}

function keepAliveMs(value: unknown): number {
  const fiveMinutes = 5 * 60_000;
  if (typeof value === 'number') return value < 0 ? Number.MAX_SAFE_INTEGER : value * 1000;
  if (typeof value !== 'string' || value === '') return fiveMinutes;
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!match) return fiveMinutes;
  const amount = Number(match[1]);
  if (amount < 0) return Number.MAX_SAFE_INTEGER;
  return amount * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves true after `ms`, false as soon as the response closed. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onAbort = () => done(false);
    res.on('drain', onDrain);
    signal.addEventListener('abort', onAbort);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown, record?: RecordedRequest): void {
  if (res.destroyed) return;
  if (record) record.status = status;
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string, record?: RecordedRequest): void {
  if (res.destroyed) return;
  if (record) record.status = status;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
