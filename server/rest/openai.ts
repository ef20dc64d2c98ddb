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
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { errors, isGatewayError, type GatewayError } from '../errors.ts';
import type { InferenceRun, InferenceService } from '../inference/service.ts';
import type { ChatMessage, InferenceRequest, SamplingOptions, Usage } from '../inference/types.ts';
import { clientSignal, methodNotAllowed, pipeRun, readJson, sendJson, serve, sseData, startSse, visibleModel, type Logger } from './http.ts';
import { queueFeedback } from './http.ts';
import { parseBody } from './validation.ts';

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

const chatBody = z.object({
  ...sampling,
  max_completion_tokens: nullish(z.number().int()),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
        content: nullish(z.union([z.string(), z.array(contentPart)])),
      }),
    )
    .min(1)
    .max(1000),
  response_format: nullish(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: z.string().optional(), schema: z.unknown().optional() }) }),
    ]),
  ),
  tools: nullish(z.array(z.unknown())),
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

// OpenAI names the field at fault in `param`; the gateway's option checks say it in their code.
const PARAM_OF_CODE: Record<string, string> = {
  missing_model: 'model',
  model_not_found: 'model',
  model_not_allowed: 'model',
  invalid_temperature: 'temperature',
  invalid_top_p: 'top_p',
  invalid_max_tokens: 'max_tokens',
  invalid_seed: 'seed',
};
const params = new WeakMap<GatewayError, string>();

/** An error with the request field it is about, reported as OpenAI's `param`. */
function badParam(param: string, message: string, code = 'invalid_value'): GatewayError {
  const err = errors.invalidRequest(message, code);
  params.set(err, param);
  return err;
}

/** parseBody, remembering the offending field for `param`. */
function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  try {
    return parseBody(schema, body);
  } catch (err) {
    const issue = schema.safeParse(body).error?.issues[0];
    if (issue && isGatewayError(err)) params.set(err, issue.path.map(String).join('.'));
    throw err;
  }
}

/** OpenAI's error taxonomy: its SDK picks the exception class from the status, tools read `type` and `code`. */
function openAiType(e: GatewayError): string {
  if (e.status === 429) return e.code === 'token_limit_exceeded' ? 'tokens' : 'requests';
  if (e.status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function openAiErrorBody(e: GatewayError) {
  return { error: { message: e.message, type: openAiType(e), param: params.get(e) ?? PARAM_OF_CODE[e.code] ?? null, code: e.code } };
}

function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

function usageView(u: Usage) {
  return { prompt_tokens: u.promptTokens, completion_tokens: u.completionTokens, total_tokens: u.promptTokens + u.completionTokens };
}

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

/** OpenAI content (a string or text and image parts) as the engine's text plus base64 images. */
function toMessage(m: ChatBody['messages'][number], index: number): ChatMessage {
  const role = m.role === 'developer' ? 'system' : m.role === 'function' ? 'tool' : m.role;
  if (m.content == null || typeof m.content === 'string') return { role, content: m.content ?? '' };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of m.content) {
    if (part.type === 'text') texts.push(part.text);
    else {
      // Ollama takes images inline; fetching remote URLs on the client's behalf is not the gateway's job.
      const match = /^data:image\/[\w.+-]+;base64,(.+)$/s.exec(part.image_url.url);
      if (!match) throw badParam(`messages.${index}.content`, 'image_url must be a data: URL with base64 image data (remote image URLs are not fetched)');
      images.push(match[1]);
    }
  }
  return images.length ? { role, content: texts.join('\n'), images } : { role, content: texts.join('\n') };
}

function toChatRequest(body: ChatBody): InferenceRequest {
  if (body.tools?.length) throw badParam('tools', 'tools (function calling) are not supported by this gateway', 'unsupported_parameter');
  const format =
    body.response_format?.type === 'json_object' ? 'json' : body.response_format?.type === 'json_schema' ? (body.response_format.json_schema.schema ?? 'json') : undefined;
  return {
    kind: 'chat',
    model: body.model,
    messages: body.messages.map(toMessage),
    options: samplingOptions(body, body.max_completion_tokens ?? body.max_tokens),
    ...(format !== undefined ? { format } : {}),
  };
}

function toCompletionRequest(body: CompletionBody): InferenceRequest {
  if (Array.isArray(body.prompt) && body.prompt.length !== 1) throw badParam('prompt', 'prompt must be a string or an array of exactly one string');
  const prompt = Array.isArray(body.prompt) ? body.prompt[0] : body.prompt;
  return { kind: 'generate', model: body.model, prompt, options: samplingOptions(body, body.max_tokens) };
}

/** Little-endian float32 bytes, base64: what OpenAI sends (and its SDK decodes) for encoding_format=base64. */
function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

export function createOpenAiApi({ keys, service, maxBodyBytes, log }: { keys: KeyStore; service: InferenceService; maxBodyBytes: number; log: Logger }) {
  type Ctx = { req: IncomingMessage; res: ServerResponse; principal: Principal; requestId: string; rest: string };

  const completion = async ({ req, res, principal, requestId }: Ctx, kind: 'chat' | 'generate') => {
    const raw = await readJson(req, maxBodyBytes);
    const body = kind === 'chat' ? parse(chatBody, raw) : parse(completionBody, raw);
    const request = kind === 'chat' ? toChatRequest(body as ChatBody) : toCompletionRequest(body as CompletionBody);
    const stream = body.stream === true;
    const endpoint = kind === 'chat' ? '/v1/chat/completions' : '/v1/completions';
    const run = service.run({ principal, request, surface: 'openai', endpoint, requestId, signal: clientSignal(req, res), stream, queue: queueFeedback(res, stream) });
    if (stream) await streamRun({ res, run, kind, includeUsage: body.stream_options?.include_usage === true });
    else await completeRun({ res, run, kind });
  };

  const embeddings = async ({ req, res, principal, requestId }: Ctx) => {
    const body = parse(embeddingBody, await readJson(req, maxBodyBytes));
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const result = await service.embed({
      principal,
      request: { model: body.model, input, dimensions: body.dimensions },
      surface: 'openai',
      endpoint: '/v1/embeddings',
      requestId,
      signal: clientSignal(req, res),
      queue: queueFeedback(res, false),
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
    sendJson(res, 200, modelView(visibleModel(service, principal, name)));
  };

  const routes: Array<[string, string, (ctx: Ctx) => unknown]> = [
    ['GET', '/v1/models', listModels],
    ['POST', '/v1/chat/completions', (ctx) => completion(ctx, 'chat')],
    ['POST', '/v1/completions', (ctx) => completion(ctx, 'generate')],
    ['POST', '/v1/embeddings', embeddings],
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
    throw errors.notFound(`Invalid URL (${method} ${p}); see /v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings`);
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    if (p !== '/v1' && !p.startsWith('/v1/')) return false;
    const requestId = newId(p === '/v1/chat/completions' ? 'chatcmpl-' : p === '/v1/completions' ? 'cmpl-' : 'req_');
    // Set before anything can fail, so every answer (errors and streams included) names its request.
    res.setHeader('x-request-id', requestId);
    await serve({ req, res, keys, service, log, shape: openAiErrorBody, route: () => route({ req, res, requestId }, req.method ?? 'GET', p) });
    return true;
  };
}

async function completeRun({ res, run, kind }: { res: ServerResponse; run: InferenceRun; kind: 'chat' | 'generate' }) {
  const { text, done } = await run.complete();
  const choice =
    kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: done.finishReason }
      : { index: 0, text, logprobs: null, finish_reason: done.finishReason };
  const object = kind === 'chat' ? 'chat.completion' : 'text_completion';
  sendJson(res, 200, { id: run.id, object, created: run.created, model: run.model.id, system_fingerprint: null, choices: [choice], usage: usageView(done.usage) });
}

function streamRun({ res, run, kind, includeUsage }: { res: ServerResponse; run: InferenceRun; kind: 'chat' | 'generate'; includeUsage: boolean }) {
  const base = { id: run.id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: run.created, model: run.model.id, system_fingerprint: null };
  // With include_usage, OpenAI sends usage: null on every chunk but the extra last one.
  const usageNull = includeUsage ? { usage: null } : {};
  const chunk = (piece: { content?: string; role?: string } | null, finishReason: string | null) =>
    kind === 'chat'
      ? { ...base, choices: [{ index: 0, delta: piece ?? {}, logprobs: null, finish_reason: finishReason }], ...usageNull }
      : { ...base, choices: [{ index: 0, text: piece?.content ?? '', logprobs: null, finish_reason: finishReason }], ...usageNull };
  return pipeRun(res, run, {
    start: () => {
      startSse(res, {});
      if (kind === 'chat') sseData(res, chunk({ role: 'assistant', content: '' }, null));
    },
    onDelta: (text) => sseData(res, chunk({ content: text }, null)),
    onDone: (ev) => {
      sseData(res, chunk(null, ev.finishReason));
      if (includeUsage) sseData(res, { ...base, choices: [], usage: usageView(ev.usage) });
      sseData(res, '[DONE]');
    },
    // The status line is gone: report the failure in the stream, where the SDK raises it as an APIError.
    onError: (e) => sseData(res, openAiErrorBody(e)),
  });
}
