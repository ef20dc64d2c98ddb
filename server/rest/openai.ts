/**
 * The OpenAI-compatible surface under /v1: GET /v1/models, GET /v1/models/{id},
 * POST /v1/chat/completions, POST /v1/completions, POST /v1/embeddings, in OpenAI's wire format
 * (streamed chunks ending with `data: [DONE]`, errors as {"error":{message,type,param,code}}), so
 * the official `openai` SDK and tools built on it work with `baseURL = <gateway>/v1` and a gateway key.
 *
 * @example
 *   const openai = createOpenAiApi({ keys, service, maxBodyBytes, log });
 *   surfaces.push(openai); // answers /v1/*, returns false for every other path
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { newId } from '../ids.ts';
import { errors } from '../errors.ts';
import type { InferenceRun, InferenceService } from '../inference/service.ts';
import {
  MAX_MESSAGES,
  type ChatMessage,
  type Completion,
  type InferenceRequest,
  type SamplingOptions,
  type ThinkSetting,
  type ToolCall,
} from '../inference/types.ts';
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
  sseData,
  startSse,
  visibleModel,
  usageView,
  type Logger,
} from './http.ts';
import { badParam, imageData, newCallId, openAiErrorBody, parse, parseArguments, unsupportedParam } from './openai-wire.ts';
import { createResponsesHandler } from './responses.ts';

const nullish = <T extends z.ZodType>(t: T) => t.nullable().optional();

const sampling = {
  model: z.string().min(1),
  temperature: nullish(z.number()),
  top_p: nullish(z.number()),
  seed: nullish(z.number().int()),
  max_tokens: nullish(z.number().int()),
  stop: nullish(z.union([z.string(), z.array(z.string()).max(4)])),
  n: nullish(z.number().int()),
  stream: nullish(z.boolean()),
  stream_options: nullish(z.object({ include_usage: nullish(z.boolean()) })),
};

const contentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) }),
]);

const toolCallPart = z.object({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: nullish(z.string()),
    parameters: nullish(z.record(z.string(), z.unknown())),
    strict: nullish(z.boolean()),
  }),
});

const chatBody = z.object({
  ...sampling,
  max_completion_tokens: nullish(z.number().int()),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
        content: nullish(z.union([z.string(), z.array(contentPart)])),
        name: nullish(z.string()),
        tool_calls: nullish(z.array(toolCallPart)),
        tool_call_id: nullish(z.string()),
      }),
    )
    .min(1)
    .max(MAX_MESSAGES),
  tool_choice: nullish(z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])),
  parallel_tool_calls: nullish(z.boolean()),
  reasoning_effort: nullish(z.enum(['none', 'minimal', 'low', 'medium', 'high'])),
  response_format: nullish(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: z.string().optional(), schema: z.unknown().optional() }) }),
    ]),
  ),
  tools: nullish(z.array(functionTool).max(128)),
});

const completionBody = z.object({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string())]),
});

const embeddingBody = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).optional(),
});

type ChatBody = z.infer<typeof chatBody>;
type CompletionBody = z.infer<typeof completionBody>;

function modelView(m: Model) {
  return { id: m.id, object: 'model', created: Math.floor(m.createdAt.getTime() / 1000), owned_by: m.provider === 'builtin' ? 'gateway' : 'ollama' };
}

function samplingOptions(body: ChatBody | CompletionBody, maxTokens: number | null | undefined): SamplingOptions {
  if (body.n != null && body.n !== 1) throw badParam('n', 'n must be 1: the gateway returns one choice per request');
  const stop = body.stop == null ? undefined : typeof body.stop === 'string' ? [body.stop] : body.stop;
  return {
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    seed: body.seed ?? undefined,
    maxTokens: maxTokens ?? undefined,
    stop: stop?.length ? stop : undefined,
  };
}

/** OpenAI content (a string or text and image parts) as the engine's text plus base64 images; tool calls and results as Ollama's. */
function toMessage(m: ChatBody['messages'][number], index: number, callNames: Map<string, string>): ChatMessage {
  const role = m.role === 'developer' ? 'system' : m.role === 'function' ? 'tool' : m.role;
  const out: ChatMessage = { role, content: '' };
  if (typeof m.content === 'string') out.content = m.content;
  else if (m.content) {
    const texts: string[] = [];
    const images: string[] = [];
    for (const part of m.content) {
      if (part.type === 'text') texts.push(part.text);
      else {
        const data = imageData(part.image_url.url);
        if (!data) throw badParam(`messages.${index}.content`, 'image_url must be a data: URL with base64 image data (remote image URLs are not fetched)');
        images.push(data);
      }
    }
    out.content = texts.join('\n');
    if (images.length) out.images = images;
  }
  if (role === 'assistant' && m.tool_calls?.length) {
    out.toolCalls = m.tool_calls.map((c, j) => {
      callNames.set(c.id, c.function.name);
      return { id: c.id, name: c.function.name, arguments: parseArguments(c.function.arguments, `messages.${index}.tool_calls.${j}.function.arguments`) };
    });
  }
  // Ollama matches a result to its call by the function's name, not by an id.
  if (role === 'tool') {
    const name = (m.tool_call_id ? callNames.get(m.tool_call_id) : undefined) ?? m.name ?? undefined;
    if (name) out.toolName = name;
  }
  return out;
}

/** OpenAI's reasoning_effort as Ollama's think: "none" turns it off, the levels pass through. */
function thinkFor(effort: ChatBody['reasoning_effort']): ThinkSetting | undefined {
  if (effort == null) return undefined;
  if (effort === 'none') return false;
  return effort === 'minimal' ? 'low' : effort;
}

function toChatRequest(body: ChatBody): InferenceRequest {
  const choice = body.tool_choice;
  if (choice === 'required' || (typeof choice === 'object' && choice !== null)) {
    throw unsupportedParam(
      'tool_choice',
      `tool_choice ${choice === 'required' ? '"required"' : 'naming a function'} is not supported: Ollama cannot force a tool call; use "auto" or "none"`,
    );
  }
  const format =
    body.response_format?.type === 'json_object'
      ? 'json'
      : body.response_format?.type === 'json_schema'
        ? (body.response_format.json_schema.schema ?? 'json')
        : undefined;
  const callNames = new Map<string, string>();
  const tools =
    choice === 'none'
      ? []
      : (body.tools ?? []).map(({ function: f }) => ({
          name: f.name,
          ...(f.description ? { description: f.description } : {}),
          ...(f.parameters ? { parameters: f.parameters } : {}),
        }));
  const think = thinkFor(body.reasoning_effort);
  return {
    kind: 'chat',
    model: body.model,
    messages: body.messages.map((m, i) => toMessage(m, i, callNames)),
    options: samplingOptions(body, body.max_completion_tokens ?? body.max_tokens),
    defaults: 'none',
    ...(tools.length ? { tools } : {}),
    ...(think !== undefined ? { think } : {}),
    ...(format !== undefined ? { format } : {}),
  };
}

/** A call in OpenAI's shape: an id (Ollama's, or a new one) and arguments as a JSON string. */
function toolCallView(call: ToolCall) {
  return { id: call.id ?? newCallId(), type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.arguments) } };
}

function toCompletionRequest(body: CompletionBody): InferenceRequest {
  if (Array.isArray(body.prompt) && body.prompt.length !== 1) throw badParam('prompt', 'prompt must be a string or an array of exactly one string');
  const prompt = Array.isArray(body.prompt) ? body.prompt[0] : body.prompt;
  return { kind: 'generate', model: body.model, prompt, options: samplingOptions(body, body.max_tokens), defaults: 'none' };
}

/** Little-endian float32 bytes, base64: what OpenAI sends (and its SDK decodes) for encoding_format=base64. */
function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
  return bytes.toString('base64');
}

export function createOpenAiApi({ keys, service, maxBodyBytes, log }: { keys: KeyStore; service: InferenceService; maxBodyBytes: number; log: Logger }) {
  type Ctx = { req: IncomingMessage; res: ServerResponse; principal: Principal; requestId: string; rest: string };

  const completion = async ({ req, res, principal, requestId }: Ctx, kind: 'chat' | 'generate') => {
    const raw = await readJson(req, maxBodyBytes);
    noteModel(res, (raw as { model?: unknown } | null)?.model);
    const body = kind === 'chat' ? parse(chatBody, raw) : parse(completionBody, raw);
    const request = kind === 'chat' ? toChatRequest(body as ChatBody) : toCompletionRequest(body as CompletionBody);
    const stream = body.stream === true;
    const endpoint = kind === 'chat' ? '/v1/chat/completions' : '/v1/completions';
    const run = service.run({
      principal,
      request,
      surface: 'openai',
      endpoint,
      requestId,
      signal: clientSignal(req, res),
      stream,
      queue: queueFeedback(res, stream),
      onQuota: quotaFeedback(res),
    });
    if (stream) await streamRun({ res, run, kind, includeUsage: body.stream_options?.include_usage === true });
    else await completeRun({ res, run, kind });
  };

  const embeddings = async ({ req, res, principal, requestId }: Ctx) => {
    const raw = await readJson(req, maxBodyBytes);
    noteModel(res, (raw as { model?: unknown } | null)?.model);
    const body = parse(embeddingBody, raw);
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const result = await service.embed({
      principal,
      request: { model: body.model, input, dimensions: body.dimensions },
      surface: 'openai',
      endpoint: '/v1/embeddings',
      requestId,
      signal: clientSignal(req, res),
      queue: queueFeedback(res, false),
      onQuota: quotaFeedback(res),
    });
    const base64 = body.encoding_format === 'base64';
    sendJson(res, 200, {
      object: 'list',
      data: result.embeddings.map((e, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(e) : e })),
      model: result.model.id,
      usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    });
  };

  const listModels = ({ res, principal }: Ctx) => sendJson(res, 200, { object: 'list', data: service.models(principal).map(modelView) });

  const retrieveModel = ({ res, principal, rest }: Ctx) => {
    let name: string;
    try {
      name = decodeURIComponent(rest);
    } catch {
      throw errors.invalidRequest('The model id in the URL is not validly percent-encoded');
    }
    noteModel(res, name);
    sendJson(res, 200, modelView(visibleModel(service, principal, name)));
  };

  const routes: Array<[string, string, (ctx: Ctx) => unknown]> = [
    ['GET', '/v1/models', listModels],
    ['POST', '/v1/chat/completions', (ctx) => completion(ctx, 'chat')],
    ['POST', '/v1/completions', (ctx) => completion(ctx, 'generate')],
    ['POST', '/v1/embeddings', embeddings],
    ['POST', '/v1/responses', createResponsesHandler({ service, maxBodyBytes })],
  ];

  const route = (ctx: Omit<Ctx, 'principal' | 'rest'>, method: string, p: string): ((principal: Principal) => unknown) => {
    const exact = routes.filter(([, path]) => path === p);
    if (exact.length) {
      const found = exact.find(([m]) => m === method);
      if (!found) throw methodNotAllowed(ctx.res, method, p, exact.map(([m]) => m).join(', '));
      return (principal) => found[2]({ ...ctx, principal, rest: '' });
    }
    if (p.startsWith('/v1/models/') && p.length > '/v1/models/'.length) {
      if (method !== 'GET') throw methodNotAllowed(ctx.res, method, p, 'GET');
      return (principal) => retrieveModel({ ...ctx, principal, rest: p.slice('/v1/models/'.length) });
    }
    throw errors.notFound(`Invalid URL (${method} ${p}); see /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses`);
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    if (p !== '/v1' && !p.startsWith('/v1/')) return false;
    const requestId = newId(p === '/v1/chat/completions' ? 'chatcmpl-' : p === '/v1/completions' ? 'cmpl-' : p === '/v1/responses' ? 'resp_' : 'req_');
    // Set before anything can fail, so every answer (errors and streams included) names its request.
    res.setHeader('x-request-id', requestId);
    await serve({
      req,
      res,
      keys,
      service,
      log,
      shape: openAiErrorBody,
      surface: p === '/v1/responses' ? 'responses' : 'openai',
      endpoint: p,
      route: () => route({ req, res, requestId }, req.method ?? 'GET', p),
    });
    return true;
  };
}

/** The assistant message: text (null when it only called tools), its calls, and its reasoning under both names clients read. */
function messageView({ text, thinking, toolCalls }: Omit<Completion, 'done'>) {
  return {
    role: 'assistant',
    content: toolCalls?.length && !text ? null : text,
    refusal: null,
    ...(toolCalls?.length ? { tool_calls: toolCalls.map(toolCallView) } : {}),
    ...(thinking ? { reasoning_content: thinking, reasoning: thinking } : {}),
  };
}

async function completeRun({ res, run, kind }: { res: ServerResponse; run: InferenceRun; kind: 'chat' | 'generate' }) {
  const answer = await run.complete();
  const { text, done } = answer;
  const choice =
    kind === 'chat'
      ? { index: 0, message: messageView(answer), logprobs: null, finish_reason: done.finishReason }
      : { index: 0, text, logprobs: null, finish_reason: done.finishReason === 'tool_calls' ? 'stop' : done.finishReason };
  const object = kind === 'chat' ? 'chat.completion' : 'text_completion';
  sendJson(res, 200, {
    id: run.id,
    object,
    created: run.created,
    model: run.model.id,
    system_fingerprint: null,
    choices: [choice],
    usage: usageView(done.usage),
  });
}

function streamRun({ res, run, kind, includeUsage }: { res: ServerResponse; run: InferenceRun; kind: 'chat' | 'generate'; includeUsage: boolean }) {
  const base = {
    id: run.id,
    object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: run.created,
    model: run.model.id,
    system_fingerprint: null,
  };
  // With include_usage, OpenAI sends usage: null on every chunk but the extra last one.
  const usageNull = includeUsage ? { usage: null } : {};
  let calls = 0;
  const chunk = (
    piece: { content?: string; role?: string; reasoning_content?: string; reasoning?: string; tool_calls?: unknown[] } | null,
    finishReason: string | null,
  ) =>
    kind === 'chat'
      ? { ...base, choices: [{ index: 0, delta: piece ?? {}, logprobs: null, finish_reason: finishReason }], ...usageNull }
      : { ...base, choices: [{ index: 0, text: piece?.content ?? '', logprobs: null, finish_reason: finishReason }], ...usageNull };
  return pipeRun(res, run, {
    start: () => {
      startSse(res, {});
      if (kind === 'chat') sseData(res, chunk({ role: 'assistant', content: '' }, null));
    },
    onDelta: (text) => sseData(res, chunk({ content: text }, null)),
    onThinking: (text) => {
      if (kind === 'chat') sseData(res, chunk({ reasoning_content: text, reasoning: text }, null));
    },
    // Ollama sends each call whole: one indexed delta carries its id, name and all its arguments.
    onToolCall: (call) => {
      if (kind === 'chat') sseData(res, chunk({ tool_calls: [{ index: calls++, ...toolCallView(call) }] }, null));
    },
    onDone: (ev) => {
      sseData(res, chunk(null, ev.finishReason));
      if (includeUsage) sseData(res, { ...base, choices: [], usage: usageView(ev.usage) });
      sseData(res, '[DONE]');
    },
    // The status line is gone: report the failure in the stream, where the SDK raises it as an APIError.
    onError: (e) => sseData(res, openAiErrorBody(e)),
  });
}
