/**
 * Anthropic's Messages API at POST /v1/messages and POST /anthropic/v1/messages, so the Anthropic SDK
 * (and Claude Code) work with `baseURL` set to the gateway's root (or `<gateway>/anthropic`). The key
 * comes from `x-api-key` or `Authorization: Bearer`; `anthropic-version` and `anthropic-beta` are
 * accepted and need no particular value. Content blocks (text, image, tool_use, tool_result,
 * thinking) map to Ollama's messages; answers come back as blocks with `stop_reason` and `usage`, or
 * as Anthropic's event stream. Errors are `{"type":"error","error":{"type","message"}}` with the
 * status the SDK turns into its typed errors. Usage rows carry the surface `anthropic`.
 *
 * @example
 *   const anthropic = createAnthropicApi({ keys, service, maxBodyBytes, log });
 *   surfaces.unshift(anthropic); // before /v1, which would otherwise answer /v1/messages
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import { errors, type GatewayError } from '../errors.ts';
import type { InferenceRun, InferenceService } from '../inference/service.ts';
import {
  MAX_MESSAGES,
  type ChatMessage,
  type ChatRequest,
  type Completion,
  type FinishReason,
  type ToolCall,
  type ToolDefinition,
  type Usage,
} from '../inference/types.ts';
import { clientSignal, methodNotAllowed, pipeRun, quotaFeedback, readJson, sendJson, serve, sseEvent, startSse, type Logger } from './http.ts';
import { newId } from '../ids.ts';
import { issueError, parseBody } from './validation.ts';

const nullish = <T extends z.ZodType>(t: T) => t.nullable().optional();

const imageSource = z.discriminatedUnion('type', [
  z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.object({ type: z.literal('url'), url: z.string() }),
]);
const textBlock = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imageBlock = z.object({ type: z.literal('image'), source: imageSource }).loose();
const block = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) }).loose(),
  z
    .object({
      type: z.literal('tool_result'),
      tool_use_id: z.string().min(1),
      content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
      is_error: z.boolean().optional(),
    })
    .loose(),
  z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() }).loose(),
  z.object({ type: z.literal('redacted_thinking') }).loose(),
  z.object({ type: z.literal('document') }).loose(),
]);

const messagesBody = z.object({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z
    // Blocks are checked one by one (blockOf), so an error can name the block at fault.
    .array(z.object({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]) }))
    .min(1)
    .max(MAX_MESSAGES),
  system: nullish(z.union([z.string(), z.array(textBlock)])),
  stop_sequences: nullish(z.array(z.string()).max(16)),
  temperature: nullish(z.number()),
  top_p: nullish(z.number()),
  top_k: nullish(z.number().int()),
  stream: nullish(z.boolean()),
  tools: nullish(
    z
      .array(
        z
          .object({
            type: nullish(z.string()),
            name: z.string().min(1),
            description: nullish(z.string()),
            input_schema: nullish(z.record(z.string(), z.unknown())),
          })
          .loose(),
      )
      .max(128),
  ),
  tool_choice: nullish(
    z.object({ type: z.enum(['auto', 'any', 'tool', 'none']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() }),
  ),
  thinking: nullish(z.object({ type: z.enum(['enabled', 'disabled', 'adaptive', 'between_tools']), budget_tokens: z.number().int().optional() }).loose()),
  output_config: nullish(
    z.object({
      effort: nullish(z.enum(['low', 'medium', 'high', 'xhigh', 'max'])),
      format: nullish(z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) })),
    }),
  ),
  metadata: nullish(z.record(z.string(), z.unknown())),
});

type Body = z.infer<typeof messagesBody>;
type Block = z.infer<typeof block>;

/** Anthropic's error types, by status: the SDK picks its error class from the status, tools read the type. */
function anthropicType(e: GatewayError): string {
  switch (e.status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
  }
  return e.status >= 500 ? 'api_error' : 'invalid_request_error';
}

function anthropicErrorBody(e: GatewayError) {
  return { type: 'error', error: { type: anthropicType(e), message: e.message } };
}

const BLOCK_TYPES = ['text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'document'];

/** One content block, or a 400 naming it (`messages[0].content[1].type ...`). */
function blockOf(raw: Record<string, unknown>, where: string): Block {
  const result = block.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  if (!BLOCK_TYPES.includes(raw.type as string)) throw errors.invalidField(`${where}.type must be one of: ${BLOCK_TYPES.join(', ')}`);
  throw issueError(result.error.issues[0], where);
}

const refuse = (field: string, message: string) => errors.unsupported(`${field}: ${message}`);

function imageOf(b: Extract<Block, { type: 'image' }>, where: string): string {
  // Ollama takes images inline; fetching a URL on the client's behalf is not the gateway's job.
  if (b.source.type !== 'base64') throw refuse(where, 'images must be base64 sources (URL sources are not fetched)');
  return b.source.data;
}

/** Anthropic messages as Ollama's: tool results become tool messages, an assistant turn's blocks one message. */
function toMessages(b: Body): ChatMessage[] {
  const out: ChatMessage[] = [];
  const system = typeof b.system === 'string' ? b.system : (b.system ?? []).map((s) => s.text).join('\n');
  if (system) out.push({ role: 'system', content: system });
  const names = new Map<string, string>();
  b.messages.forEach((m, i) => {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      return;
    }
    const texts: string[] = [];
    const images: string[] = [];
    const calls: ToolCall[] = [];
    let thinking = '';
    m.content.forEach((rawPart, j) => {
      const where = `messages[${i}].content[${j}]`;
      const part = blockOf(rawPart, where);
      switch (part.type) {
        case 'text':
          texts.push(part.text);
          break;
        case 'image':
          images.push(imageOf(part, where));
          break;
        case 'tool_use':
          names.set(part.id, part.name);
          calls.push({ id: part.id, name: part.name, arguments: part.input });
          break;
        case 'tool_result': {
          const content = typeof part.content === 'string' ? part.content : (part.content ?? []).flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n');
          const resultImages =
            typeof part.content === 'string' ? [] : (part.content ?? []).flatMap((c, k) => (c.type === 'image' ? [imageOf(c, `${where}.content.${k}`)] : []));
          const name = names.get(part.tool_use_id);
          // Ollama matches a result to its call by the function's name.
          out.push({
            role: 'tool',
            content: part.is_error ? `Error: ${content}` : content,
            ...(name ? { toolName: name } : {}),
            ...(resultImages.length ? { images: resultImages } : {}),
          });
          break;
        }
        case 'thinking':
          thinking += part.thinking;
          break;
        case 'redacted_thinking':
          break; // encrypted reasoning from another provider: nothing Ollama can use
        case 'document':
          throw refuse(where, 'document blocks are not supported; send the text as a text block');
      }
    });
    if (!texts.length && !images.length && !calls.length && !thinking) return;
    const msg: ChatMessage = { role: m.role, content: texts.join('\n') };
    if (images.length) msg.images = images;
    if (calls.length) msg.toolCalls = calls;
    if (thinking && m.role === 'assistant') msg.thinking = thinking;
    out.push(msg);
  });
  return out;
}

function toRequest(b: Body): ChatRequest {
  const choice = b.tool_choice?.type;
  if (choice === 'any' || choice === 'tool')
    throw refuse('tool_choice', `type "${choice}" is not supported: Ollama cannot force a tool call; use "auto" or "none"`);
  const tools: ToolDefinition[] = (b.tools ?? []).map((t, i) => {
    // Anthropic's server tools (web search, code execution, ...) run on Anthropic's side.
    if (t.type != null && t.type !== 'custom')
      throw refuse(`tools.${i}.type`, `server tools ("${t.type}") are not available; only client tools with an input_schema`);
    return { name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.input_schema ? { parameters: t.input_schema } : {}) };
  });
  // Thinking on or off; an effort level refines "on" into Ollama's levels (xhigh and max are its "high").
  const effort = b.output_config?.effort;
  const level = effort ? (effort === 'low' || effort === 'medium' ? effort : 'high') : undefined;
  const think = b.thinking?.type === 'disabled' ? false : b.thinking ? (level ?? true) : level;
  const format = b.output_config?.format?.schema;
  return {
    kind: 'chat',
    model: b.model,
    messages: toMessages(b),
    options: {
      maxTokens: b.max_tokens,
      temperature: b.temperature ?? undefined,
      topP: b.top_p ?? undefined,
      topK: b.top_k ?? undefined,
      stop: b.stop_sequences?.length ? b.stop_sequences : undefined,
    },
    defaults: 'none',
    ...(tools.length && choice !== 'none' ? { tools } : {}),
    ...(think !== undefined ? { think } : {}),
    ...(format ? { format } : {}),
  };
}

/** Ollama does not say whether a stop sequence ended the answer, so "stop" is reported as end_turn. */
function stopReason(f: FinishReason): string {
  return f === 'length' ? 'max_tokens' : f === 'tool_calls' ? 'tool_use' : 'end_turn';
}

const usageView = (u: Usage) => ({
  input_tokens: u.promptTokens,
  output_tokens: u.completionTokens,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
});
const toolId = (call: ToolCall) => (call.id?.startsWith('toolu_') ? call.id : newId('toolu_'));
const toolUse = (call: ToolCall) => ({ type: 'tool_use', id: toolId(call), name: call.name, input: call.arguments });

function contentOf({ text, thinking, toolCalls }: Omit<Completion, 'done'>) {
  const content: object[] = [];
  if (thinking) content.push({ type: 'thinking', thinking, signature: '' });
  if (text || !toolCalls?.length) content.push({ type: 'text', text });
  for (const call of toolCalls ?? []) content.push(toolUse(call));
  return content;
}

export function createAnthropicApi({ keys, service, maxBodyBytes, log }: { keys: KeyStore; service: InferenceService; maxBodyBytes: number; log: Logger }) {
  const messages = async (req: IncomingMessage, res: ServerResponse, principal: Principal, requestId: string, endpoint: string) => {
    const b = parseBody(messagesBody, await readJson(req, maxBodyBytes));
    const stream = b.stream === true;
    const run = service.run({
      principal,
      request: toRequest(b),
      surface: 'anthropic',
      endpoint,
      requestId,
      signal: clientSignal(req, res),
      stream,
      onQuota: quotaFeedback(res),
    });
    const message = { id: run.id, type: 'message', role: 'assistant', model: run.model.id };
    if (!stream) {
      const answer = await run.complete();
      return sendJson(res, 200, {
        ...message,
        content: contentOf(answer),
        stop_reason: stopReason(answer.done.finishReason),
        stop_sequence: null,
        usage: usageView(answer.done.usage),
      });
    }
    await streamRun({ res, run, message });
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    const prefixed = p === '/anthropic' || p.startsWith('/anthropic/');
    if (!prefixed && p !== '/v1/messages' && !p.startsWith('/v1/messages/')) return false;
    const endpoint = prefixed ? p.slice('/anthropic'.length) : p;
    const requestId = newId('msg_');
    // The SDK reports `request-id` on its errors; x-request-id matches the other surfaces.
    res.setHeader('request-id', requestId);
    res.setHeader('x-request-id', requestId);
    const method = req.method ?? 'GET';
    const route = () => {
      if (endpoint !== '/v1/messages') throw errors.notFound(`No endpoint ${method} ${p}; the Anthropic surface serves POST /v1/messages`);
      if (method !== 'POST') throw methodNotAllowed(res, method, p, 'POST');
      return (principal: Principal) => messages(req, res, principal, requestId, p);
    };
    await serve({ req, res, keys, service, log, shape: anthropicErrorBody, surface: 'anthropic', endpoint: p, route, keyHeader: 'x-api-key' });
    return true;
  };
}

/** Anthropic's event sequence: message_start, each block's start/deltas/stop, message_delta with the stop reason and usage, message_stop. */
function streamRun({ res, run, message }: { res: ServerResponse; run: InferenceRun; message: object }) {
  let index = -1;
  let open: 'thinking' | 'text' | undefined;
  const emit = (type: string, data: object = {}) => sseEvent(res, type, { type, ...data });
  const close = () => {
    if (open) emit('content_block_stop', { index });
    open = undefined;
  };
  const begin = (kind: 'thinking' | 'text') => {
    if (open === kind) return;
    close();
    open = kind;
    emit('content_block_start', {
      index: ++index,
      content_block: kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
    });
  };
  return pipeRun(res, run, {
    start: () => {
      startSse(res, {});
      // Ollama counts the prompt only at the end: the real counts come in message_delta.
      emit('message_start', {
        message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: usageView({ promptTokens: 0, completionTokens: 0 }) },
      });
      emit('ping');
    },
    onThinking: (thinking) => {
      begin('thinking');
      emit('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } });
    },
    onDelta: (text) => {
      begin('text');
      emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
    },
    // Ollama sends a call whole: its input arrives as one JSON delta.
    onToolCall: (call) => {
      close();
      const { id, name, input } = toolUse(call);
      emit('content_block_start', { index: ++index, content_block: { type: 'tool_use', id, name, input: {} } });
      emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) } });
      emit('content_block_stop', { index });
    },
    onDone: (ev) => {
      if (index === -1) begin('text');
      close();
      emit('message_delta', { delta: { stop_reason: stopReason(ev.finishReason), stop_sequence: null }, usage: usageView(ev.usage) });
      emit('message_stop');
    },
    // After the status line, a failure is an `error` event, which the SDK raises as an APIError.
    onError: (e) => emit('error', { error: anthropicErrorBody(e).error }),
  });
}
