/**
 * The Ollama-native surface under /ollama: /api/tags, /api/show, /api/chat, /api/generate,
 * /api/embed (and the older /api/embeddings), /api/ps and /api/version in Ollama's own formats
 * (docs/api.md), so an Ollama client with `host = <gateway>/ollama` and an `Authorization: Bearer`
 * header works. Only models the key may use are listed or served; model management (pull, push,
 * create, copy, delete, blobs) is refused and never reaches Ollama. Errors are {"error": "..."}.
 *
 * @example
 *   const ollama = createOllamaNativeApi({ keys, service, maxBodyBytes, log });
 *   surfaces.push(ollama); // answers /ollama/*, returns false for every other path
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import type { InferenceRun, InferenceService } from '../inference/service.ts';
import {
  MAX_MESSAGES,
  type ChatMessage,
  type InferenceRequest,
  type NativeCalls,
  type ProviderEvent,
  type SamplingOptions,
  type ToolCall,
} from '../inference/types.ts';
import { newId } from '../ids.ts';
import {
  clientSignal,
  methodNotAllowed,
  noteModel,
  pipeRun,
  queueFeedback,
  quotaFeedback,
  readJson,
  sendJson,
  serve,
  visibleModel,
  type Logger,
} from './http.ts';
import { parseBody } from './validation.ts';

const options = z
  .object({
    temperature: z.number().optional(),
    top_p: z.number().optional(),
    top_k: z.number().int().optional(),
    num_predict: z.number().int().optional(),
    stop: z.array(z.string()).optional(),
    seed: z.number().int().optional(),
  })
  .loose();

const common = {
  model: z.string().min(1),
  options: options.nullish(),
  format: z.unknown().optional(),
  stream: z.boolean().nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
  think: z.union([z.boolean(), z.enum(['low', 'medium', 'high'])]).nullish(),
};

const toolCall = z.object({
  id: z.string().optional(),
  function: z.object({ index: z.number().int().optional(), name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).optional() }),
});

const chatBody = z.object({
  ...common,
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'user', 'assistant', 'tool']),
        content: z.string().nullish(),
        images: z.array(z.string()).nullish(),
        thinking: z.string().nullish(),
        tool_calls: z.array(toolCall).nullish(),
        tool_name: z.string().nullish(),
      }),
    )
    .max(MAX_MESSAGES)
    .nullish(),
  tools: z
    .array(
      z.object({
        type: z.string().optional(),
        function: z.object({ name: z.string().min(1), description: z.string().nullish(), parameters: z.record(z.string(), z.unknown()).nullish() }).loose(),
      }),
    )
    .max(128)
    .nullish(),
});

const generateBody = z.object({
  ...common,
  prompt: z.string().nullish(),
  system: z.string().nullish(),
  raw: z.boolean().nullish(),
  suffix: z.string().nullish(),
  template: z.string().nullish(),
  images: z.array(z.string()).nullish(),
});

const embedBody = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  truncate: z.boolean().optional(),
  dimensions: z.number().int().min(1).optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
});

const legacyEmbedBody = z.object({ model: z.string().min(1), prompt: z.string() });

const showBody = z.object({ model: z.string().min(1).optional(), name: z.string().min(1).optional(), verbose: z.boolean().optional() });

const MANAGEMENT = new Set(['/api/pull', '/api/push', '/api/create', '/api/copy', '/api/delete']);

const CHECKED = new Set(['temperature', 'top_p', 'top_k', 'num_predict', 'stop', 'seed']);

/** The options the gateway checks, in its own names; the rest go to Ollama untouched. */
function toOptions(o: z.infer<typeof options> | null | undefined): { options: SamplingOptions; upstreamOptions?: Record<string, unknown> } {
  if (!o) return { options: {} };
  // Ollama's num_predict -1 (unbounded) and -2 (fill the context) mean "no limit of the caller's own": passed as sent.
  const maxTokens = o.num_predict !== undefined && o.num_predict > 0 ? o.num_predict : undefined;
  const rest = Object.fromEntries(
    Object.entries(o).filter(([k, v]) => (!CHECKED.has(k) || (k === 'num_predict' && maxTokens === undefined)) && v !== undefined),
  );
  const options = { temperature: o.temperature, topP: o.top_p, topK: o.top_k, maxTokens, stop: o.stop?.length ? o.stop : undefined, seed: o.seed };
  // Unset fields stay absent, so the request says only what the client said.
  for (const k of Object.keys(options) as Array<keyof typeof options>) if (options[k] === undefined) delete options[k];
  return Object.keys(rest).length ? { options, upstreamOptions: rest } : { options };
}

type ChatBodyMessage = NonNullable<z.infer<typeof chatBody>['messages']>[number];

function toMessage({ role, content, images, thinking, tool_calls, tool_name }: ChatBodyMessage): ChatMessage {
  const m: ChatMessage = { role, content: content ?? '' };
  if (images?.length) m.images = images;
  if (thinking) m.thinking = thinking;
  if (tool_calls?.length)
    m.toolCalls = tool_calls.map((c) => ({ ...(c.id ? { id: c.id } : {}), name: c.function.name, arguments: c.function.arguments ?? {} }));
  if (tool_name) m.toolName = tool_name;
  return m;
}

/** A call in Ollama's own shape: arguments as an object, the position in `index`. */
function toolCallView(call: ToolCall, index: number) {
  return { ...(call.id ? { id: call.id } : {}), function: { index, name: call.name, arguments: call.arguments } };
}

/** One answer line's payload: text, plus reasoning and calls where there are any. */
type Piece = (text: string, more?: { thinking?: string; toolCalls?: ToolCall[]; firstIndex?: number }) => object;

function unsupported(field: string, message: string) {
  return errors.unsupported(`${field} is not supported through the gateway: ${message}`);
}

function tagView(m: Model) {
  const { size, digest, modified_at, ...details } = (m.details ?? {}) as Record<string, unknown>;
  const builtin = m.provider === 'builtin';
  return {
    name: m.id,
    model: m.id,
    modified_at: typeof modified_at === 'string' ? modified_at : m.updatedAt.toISOString(),
    size: typeof size === 'number' ? size : 0,
    digest: typeof digest === 'string' ? digest : createHash('sha256').update(m.id).digest('hex'),
    details: {
      parent_model: '',
      format: builtin ? 'builtin' : 'gguf',
      family: builtin ? m.id : '',
      families: builtin ? [m.id] : null,
      parameter_size: '',
      quantization_level: '',
      ...details,
    },
  };
}

function ndjson(res: ServerResponse, line: unknown): void {
  res.write(`${JSON.stringify(line)}\n`);
}

/** The final line's statistics: Ollama's own when it reported them, else the gateway's measurements. */
function finalStats({ ev, started, firstToken }: { ev: Extract<ProviderEvent, { type: 'done' }>; started: bigint; firstToken?: bigint }) {
  const now = process.hrtime.bigint();
  const m = ev.metrics ?? {};
  return {
    // Ollama says "stop" for an answer that ends in tool calls.
    done_reason: ev.finishReason === 'tool_calls' ? 'stop' : ev.finishReason,
    total_duration: m.totalDuration ?? Number(now - started),
    load_duration: m.loadDuration ?? 0,
    prompt_eval_count: ev.usage.promptTokens,
    prompt_eval_duration: m.promptEvalDuration ?? Number((firstToken ?? now) - started),
    eval_count: ev.usage.completionTokens,
    eval_duration: m.evalDuration ?? Number(now - (firstToken ?? now)),
  };
}

export function createOllamaNativeApi({ keys, service, maxBodyBytes, log }: { keys: KeyStore; service: InferenceService; maxBodyBytes: number; log: Logger }) {
  type Ctx = { req: IncomingMessage; res: ServerResponse; principal: Principal };

  const generation = async ({ req, res, principal }: Ctx, kind: 'chat' | 'generate') => {
    const raw = await readJson(req, maxBodyBytes);
    noteModel(res, (raw as { model?: unknown } | null)?.model);
    const body = kind === 'chat' ? parseBody(chatBody, raw) : parseBody(generateBody, raw);
    // This surface adds nothing of its own: what the client set, and the model's defaults for the rest.
    const extra = {
      model: body.model,
      ...toOptions(body.options),
      defaults: 'none' as const,
      ...(body.keep_alive != null ? { keepAlive: body.keep_alive } : {}),
      ...(body.format != null && body.format !== '' ? { format: body.format } : {}),
      ...(body.think != null ? { think: body.think } : {}),
    };
    let request: InferenceRequest;
    if (kind === 'chat') {
      const b = body as z.infer<typeof chatBody>;
      const messages = (b.messages ?? []).map(toMessage);
      const tools = (b.tools ?? []).map(({ function: f }) => ({
        name: f.name,
        ...(f.description ? { description: f.description } : {}),
        ...(f.parameters ? { parameters: f.parameters } : {}),
      }));
      request = { kind: 'chat', messages, ...(tools.length ? { tools } : {}), ...extra };
    } else {
      const b = body as z.infer<typeof generateBody>;
      if (b.suffix) throw unsupported('suffix', 'fill-in-the-middle is not available');
      if (b.template) throw unsupported('template', "the model's own template is used");
      request = {
        kind: 'generate',
        prompt: b.prompt ?? '',
        system: b.system ?? undefined,
        raw: b.raw ?? undefined,
        ...(b.images?.length ? { images: b.images } : {}),
        ...extra,
      };
    }
    const echo = body.model;
    const piece: Piece = (text, more = {}) => {
      const calls = more.toolCalls?.map((c, i) => toolCallView(c, (more.firstIndex ?? 0) + i));
      const fields = { ...(more.thinking ? { thinking: more.thinking } : {}), ...(calls?.length ? { tool_calls: calls } : {}) };
      return kind === 'chat'
        ? { message: { role: 'assistant', content: text, ...fields } }
        : { response: text, ...(more.thinking ? { thinking: more.thinking } : {}) };
    };

    if (request.kind === 'chat' ? request.messages.length === 0 : request.prompt === '') {
      // Ollama only loads the model for an empty request; the gateway checks the rules and answers without generating.
      service.prepare(principal, request);
      return sendJson(res, 200, { model: echo, created_at: new Date().toISOString(), ...piece(''), done_reason: 'load', done: true });
    }

    const requestId = newId('cmpl-');
    res.setHeader('x-request-id', requestId);
    const stream = body.stream !== false;
    const run = service.run({
      principal,
      request,
      surface: 'ollama',
      endpoint: `/api/${kind}`,
      requestId,
      signal: clientSignal(req, res),
      stream,
      queue: queueFeedback(res, false),
      onQuota: quotaFeedback(res),
    });
    const out = { res, run, echo, piece, started: process.hrtime.bigint() };
    if (stream) await streamRun(out);
    else await completeRun(out);
  };

  const embed = async ({ req, res, principal }: Ctx, legacy: boolean) => {
    const raw = await readJson(req, maxBodyBytes);
    noteModel(res, (raw as { model?: unknown } | null)?.model);
    const b = legacy
      ? (() => {
          const l = parseBody(legacyEmbedBody, raw);
          return { model: l.model, input: [l.prompt] as string | string[], truncate: undefined, dimensions: undefined, keep_alive: undefined };
        })()
      : parseBody(embedBody, raw);
    const started = process.hrtime.bigint();
    const requestId = newId('cmpl-');
    res.setHeader('x-request-id', requestId);
    const result = await service.embed({
      principal,
      request: {
        model: b.model,
        input: typeof b.input === 'string' ? [b.input] : b.input,
        truncate: b.truncate,
        dimensions: b.dimensions,
        keepAlive: b.keep_alive,
      },
      surface: 'ollama',
      endpoint: legacy ? '/api/embeddings' : '/api/embed',
      requestId,
      signal: clientSignal(req, res),
      queue: queueFeedback(res, false),
      onQuota: quotaFeedback(res),
    });
    if (legacy) return sendJson(res, 200, { embedding: result.embeddings[0] });
    sendJson(res, 200, {
      model: b.model,
      embeddings: result.embeddings,
      total_duration: Number(process.hrtime.bigint() - started),
      load_duration: 0,
      prompt_eval_count: result.promptTokens,
    });
  };

  const show = async ({ req, res, principal }: Ctx) => {
    const b = parseBody(showBody, await readJson(req, maxBodyBytes));
    const name = b.model ?? b.name;
    noteModel(res, name);
    if (!name) throw errors.missingField('model');
    const model = visibleModel(service, principal, name);
    if (model.provider === 'builtin') {
      const view = tagView(model);
      return sendJson(res, 200, {
        license: '',
        modelfile: `# ${model.description}\nFROM ${model.id}`,
        parameters: '',
        template: '{{ .Prompt }}',
        details: view.details,
        model_info: {},
        capabilities: ['completion', 'embedding'],
        modified_at: view.modified_at,
      });
    }
    const native = service.native(model);
    if (!native) throw errors.serversDown(model.id, 'no Ollama server is configured', 5);
    const info = await native.show({ model: model.id, verbose: b.verbose, signal: clientSignal(req, res) });
    sendJson(res, 200, info);
  };

  const ps = async ({ req, res, principal }: Ctx) => {
    // Ask each server that serves one of this key's models, and report only those models.
    const byClient = new Map<NativeCalls, Set<string>>();
    for (const m of service.models(principal)) {
      if (m.provider === 'builtin') continue;
      const client = service.native(m);
      if (client) byClient.set(client, (byClient.get(client) ?? new Set()).add(m.id));
    }
    const signal = clientSignal(req, res);
    const answers = await Promise.all([...byClient].map(async ([client, ids]) => (await client.ps({ signal })).models.filter((r) => ids.has(r.name))));
    sendJson(res, 200, { models: answers.flat() });
  };

  // Clients check the version for feature support; the first configured server speaks for all.
  const version = async ({ req, res }: Ctx) => {
    const native = service.native();
    if (!native) throw errors.serversDown('*', 'no Ollama server is configured', 5);
    sendJson(res, 200, await native.version({ signal: clientSignal(req, res) }));
  };

  const refuse = (path: string) => () => {
    throw errors.forbidden(
      `Model management (${path.slice('/api/'.length).split('/')[0]}) is not available through the gateway; an administrator manages the models on the Ollama servers`,
    );
  };

  const ROUTES: Record<string, [string, (ctx: Ctx) => Promise<void> | void]> = {
    '/api/tags': ['GET', ({ res, principal }) => sendJson(res, 200, { models: service.models(principal).map(tagView) })],
    '/api/show': ['POST', show],
    '/api/chat': ['POST', (ctx) => generation(ctx, 'chat')],
    '/api/generate': ['POST', (ctx) => generation(ctx, 'generate')],
    '/api/embed': ['POST', (ctx) => embed(ctx, false)],
    '/api/embeddings': ['POST', (ctx) => embed(ctx, true)],
    '/api/ps': ['GET', ps],
    '/api/version': ['GET', version],
  };

  const route = (ctx: Omit<Ctx, 'principal'>, method: string, path: string): ((principal: Principal) => unknown) => {
    if (MANAGEMENT.has(path) || path.startsWith('/api/blobs/')) return refuse(path);
    const found = ROUTES[path];
    if (!found) throw errors.notFound(`No endpoint ${method} /ollama${path}`);
    // Ollama answers GET and HEAD alike on its GET endpoints.
    const allow = found[0] === 'GET' ? 'GET, HEAD' : found[0];
    if (!allow.split(', ').includes(method)) throw methodNotAllowed(ctx.res, method, `/ollama${path}`, allow);
    return (principal) => found[1]({ ...ctx, principal });
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    if (p !== '/ollama' && !p.startsWith('/ollama/')) return false;
    const path = p.slice('/ollama'.length);
    const method = req.method ?? 'GET';
    // Tools probe the root to detect an Ollama server; it says nothing about models or keys.
    if ((path === '' || path === '/') && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Ollama is running');
      return true;
    }
    await serve({
      req,
      res,
      keys,
      service,
      log,
      shape: (e) => ({ error: e.message }),
      surface: 'ollama',
      endpoint: path,
      route: () => route({ req, res }, method, path),
    });
    return true;
  };
}

interface RunOutput {
  res: ServerResponse;
  run: InferenceRun;
  /** The model name as the client spelled it: Ollama echoes it back. */
  echo: string;
  piece: Piece;
  started: bigint;
}

const createdAt = () => new Date().toISOString();

async function completeRun({ res, run, echo, piece, started }: RunOutput) {
  const { text, thinking, toolCalls, done } = await run.complete();
  sendJson(res, 200, { model: echo, created_at: createdAt(), ...piece(text, { thinking, toolCalls }), done: true, ...finalStats({ ev: done, started }) });
}

function streamRun({ res, run, echo, piece, started }: RunOutput) {
  let firstToken: bigint | undefined;
  let calls = 0;
  return pipeRun(res, run, {
    start: () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.flushHeaders();
    },
    onDelta: (text) => {
      firstToken ??= process.hrtime.bigint();
      ndjson(res, { model: echo, created_at: createdAt(), ...piece(text), done: false });
    },
    onThinking: (thinking) => {
      firstToken ??= process.hrtime.bigint();
      ndjson(res, { model: echo, created_at: createdAt(), ...piece('', { thinking }), done: false });
    },
    // Each call is numbered across the answer, as Ollama numbers the calls of one chunk.
    onToolCall: (call) => ndjson(res, { model: echo, created_at: createdAt(), ...piece('', { toolCalls: [call], firstIndex: calls++ }), done: false }),
    onDone: (ev) => ndjson(res, { model: echo, created_at: createdAt(), ...piece(''), done: true, ...finalStats({ ev, started, firstToken }) }),
    // As Ollama does after the headers went out: a last line with only the error, never a silent end.
    onError: (e) => ndjson(res, { error: e.message }),
  });
}
