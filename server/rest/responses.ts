/**
 * OpenAI's Responses API at POST /v1/responses, stateless (as Ollama's own since v0.13.3): `input` as
 * a string or items (messages, function calls and their outputs), `instructions`, function `tools`,
 * `max_output_tokens`, `temperature`, `top_p` and `reasoning`, answered with `reasoning`, `message`
 * and `function_call` items, or streamed as the documented event sequence. Nothing is stored, so
 * `previous_response_id` and `store: true` are refused. Mounted by the /v1 surface (its key check,
 * limits and OpenAI error shape); usage rows carry the surface `responses`.
 *
 * @example
 *   const responses = createResponsesHandler({ service, maxBodyBytes });
 *   await responses({ req, res, principal, requestId }); // requestId becomes the response id
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Principal } from '../auth/key-store.ts';
import type { DoneEvent, InferenceRun, InferenceService } from '../inference/service.ts';
import {
  MAX_MESSAGES,
  type ChatMessage,
  type ChatRequest,
  type Completion,
  type ThinkSetting,
  type ToolCall,
  type ToolDefinition,
  type Usage,
} from '../inference/types.ts';
import { clientSignal, pipeRun, quotaFeedback, readJson, sendJson, sseEvent, startSse } from './http.ts';
import { newId } from '../ids.ts';
import { badParam, imageData, newCallId, openAiErrorBody, parse, parseArguments, unsupportedParam } from './openai-wire.ts';

const nullish = <T extends z.ZodType>(t: T) => t.nullable().optional();

const body = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_MESSAGES)]),
  instructions: nullish(z.string()),
  tools: nullish(
    z
      .array(
        z.object({
          type: z.string(),
          name: z.string().min(1).optional(),
          description: nullish(z.string()),
          parameters: nullish(z.record(z.string(), z.unknown())),
          strict: nullish(z.boolean()),
        }),
      )
      .max(128),
  ),
  tool_choice: nullish(z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.string() }).loose()])),
  parallel_tool_calls: nullish(z.boolean()),
  max_output_tokens: nullish(z.number().int()),
  temperature: nullish(z.number()),
  top_p: nullish(z.number()),
  reasoning: nullish(z.object({ effort: nullish(z.enum(['none', 'minimal', 'low', 'medium', 'high'])), summary: nullish(z.string()) })),
  text: nullish(
    z.object({ format: nullish(z.object({ type: z.enum(['text', 'json_object', 'json_schema']), schema: z.unknown().optional() }).loose()) }).loose(),
  ),
  stream: nullish(z.boolean()),
  store: nullish(z.boolean()),
  previous_response_id: nullish(z.string()),
  conversation: z.unknown().optional(),
  metadata: nullish(z.record(z.string(), z.string())),
  user: nullish(z.string()),
});

type Body = z.infer<typeof body>;

const contentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input_text'), text: z.string() }),
  z.object({ type: z.literal('output_text'), text: z.string() }).loose(),
  z.object({ type: z.literal('refusal'), refusal: z.string() }),
  z.object({ type: z.literal('input_image'), image_url: nullish(z.string()), file_id: nullish(z.string()), detail: nullish(z.string()) }),
]);
const messageItem = z.object({ role: z.enum(['user', 'assistant', 'system', 'developer']), content: z.union([z.string(), z.array(contentPart)]) });
const callItem = z.object({ call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() });
const outputItem = z.object({
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }).loose())]),
});

/** Parses one input item with `schema`, naming its place in the input when it does not fit. */
function item<T extends z.ZodType>(schema: T, value: unknown, index: number): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [`input.${index}`, ...issue.path.map(String)].join('.');
  throw badParam(field, `${field}: ${issue.message}`);
}

function messageFrom(m: z.infer<typeof messageItem>, index: number): ChatMessage {
  const role = m.role === 'developer' ? 'system' : m.role;
  if (typeof m.content === 'string') return { role, content: m.content };
  const texts: string[] = [];
  const images: string[] = [];
  m.content.forEach((part, j) => {
    if (part.type === 'input_image') {
      const data = part.image_url ? imageData(part.image_url) : undefined;
      if (!data)
        throw badParam(
          `input.${index}.content.${j}`,
          'input_image must carry image_url as a data: URL with base64 data (remote URLs and file ids are not fetched)',
        );
      images.push(data);
    } else texts.push(part.type === 'refusal' ? part.refusal : part.text);
  });
  return images.length ? { role, content: texts.join('\n'), images } : { role, content: texts.join('\n') };
}

/** The input items as chat messages: calls join the assistant turn, outputs become Ollama tool messages. */
function toMessages(b: Body): ChatMessage[] {
  const messages: ChatMessage[] = b.instructions ? [{ role: 'system', content: b.instructions }] : [];
  if (typeof b.input === 'string') return [...messages, { role: 'user', content: b.input }];
  const callNames = new Map<string, string>();
  b.input.forEach((raw, i) => {
    const type = raw.type ?? (raw.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message':
        messages.push(messageFrom(item(messageItem, raw, i), i));
        break;
      case 'function_call': {
        const c = item(callItem, raw, i);
        callNames.set(c.call_id, c.name);
        const call: ToolCall = { id: c.call_id, name: c.name, arguments: parseArguments(c.arguments, `input.${i}.arguments`) };
        const last = messages.at(-1);
        // The text and the calls of one turn are one assistant message with its tool calls.
        if (last?.role === 'assistant') (last.toolCalls ??= []).push(call);
        else messages.push({ role: 'assistant', content: '', toolCalls: [call] });
        break;
      }
      case 'function_call_output': {
        const o = item(outputItem, raw, i);
        const content = typeof o.output === 'string' ? o.output : o.output.map((p) => p.text ?? '').join('');
        const name = callNames.get(o.call_id);
        messages.push(name ? { role: 'tool', content, toolName: name } : { role: 'tool', content });
        break;
      }
      case 'reasoning':
        break; // the model's earlier reasoning: Ollama does not take it back
      default:
        throw unsupportedParam(
          `input.${i}.type`,
          `input.${i}.type ${JSON.stringify(type)} is not supported; send message, function_call, function_call_output or reasoning items`,
        );
    }
  });
  return messages;
}

function thinkFor(effort: NonNullable<Body['reasoning']>['effort']): ThinkSetting | undefined {
  if (effort == null) return undefined;
  if (effort === 'none') return false;
  return effort === 'minimal' ? 'low' : effort;
}

function toRequest(b: Body): ChatRequest {
  if (b.previous_response_id)
    throw unsupportedParam(
      'previous_response_id',
      'previous_response_id is not supported: this Responses API is stateless; send the whole conversation in input',
    );
  if (b.conversation != null)
    throw unsupportedParam('conversation', 'conversation is not supported: this Responses API is stateless; send the whole conversation in input');
  if (b.store === true) throw unsupportedParam('store', 'store: true is not supported: this Responses API keeps nothing; send store: false');
  const choice = b.tool_choice;
  if (choice === 'required' || (typeof choice === 'object' && choice !== null)) {
    throw unsupportedParam('tool_choice', 'tool_choice other than "auto" or "none" is not supported: Ollama cannot force a tool call');
  }
  const tools: ToolDefinition[] = [];
  (b.tools ?? []).forEach((t, i) => {
    if (t.type !== 'function' || !t.name)
      throw unsupportedParam(`tools.${i}.type`, `tools.${i}: only function tools are supported (got ${JSON.stringify(t.type)})`);
    tools.push({ name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.parameters ? { parameters: t.parameters } : {}) });
  });
  const f = b.text?.format;
  const format = f?.type === 'json_object' ? 'json' : f?.type === 'json_schema' ? (f.schema ?? 'json') : undefined;
  const think = thinkFor(b.reasoning?.effort);
  return {
    kind: 'chat',
    model: b.model,
    messages: toMessages(b),
    options: { temperature: b.temperature ?? undefined, topP: b.top_p ?? undefined, maxTokens: b.max_output_tokens ?? undefined },
    defaults: 'none',
    ...(tools.length && choice !== 'none' ? { tools } : {}),
    ...(think !== undefined ? { think } : {}),
    ...(format !== undefined ? { format } : {}),
  };
}

function usageView(u: Usage) {
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.promptTokens + u.completionTokens,
  };
}

const reasoningItem = (id: string, text: string) => ({ id, type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text }] });
const textPart = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
const messageOut = (id: string, text: string, status = 'completed') => ({ id, type: 'message', status, role: 'assistant', content: [textPart(text)] });
const callOut = (id: string, call: ToolCall, status = 'completed') => ({
  id,
  type: 'function_call',
  status,
  call_id: call.id ?? newCallId(),
  name: call.name,
  arguments: JSON.stringify(call.arguments),
});

/** The response object, in progress (no usage yet) or final. */
function responseView({ run, b, output, done }: { run: InferenceRun; b: Body; output: unknown[]; done?: DoneEvent }) {
  const incomplete = done?.finishReason === 'length';
  return {
    id: run.id,
    object: 'response',
    created_at: run.created,
    status: !done ? 'in_progress' : incomplete ? 'incomplete' : 'completed',
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    model: run.model.id,
    output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: b.reasoning?.effort ?? null, summary: null },
    store: false,
    temperature: b.temperature ?? null,
    text: { format: b.text?.format ?? { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: b.tools ?? [],
    top_p: b.top_p ?? null,
    truncation: 'disabled',
    usage: done ? usageView(done.usage) : null,
    user: b.user ?? null,
    metadata: b.metadata ?? {},
  };
}

function outputOf({ text, thinking, toolCalls }: Omit<Completion, 'done'>) {
  const output: unknown[] = [];
  if (thinking) output.push(reasoningItem(newId('rs_'), thinking));
  if (text || !toolCalls?.length) output.push(messageOut(newId('msg_'), text));
  for (const call of toolCalls ?? []) output.push(callOut(newId('fc_'), call));
  return output;
}

export function createResponsesHandler({ service, maxBodyBytes }: { service: InferenceService; maxBodyBytes: number }) {
  return async function responses({
    req,
    res,
    principal,
    requestId,
  }: {
    req: IncomingMessage;
    res: ServerResponse;
    principal: Principal;
    requestId: string;
  }): Promise<void> {
    const b = parse(body, await readJson(req, maxBodyBytes));
    const request = toRequest(b);
    const stream = b.stream === true;
    const run = service.run({
      principal,
      request,
      surface: 'responses',
      endpoint: '/v1/responses',
      requestId,
      signal: clientSignal(req, res),
      stream,
      onQuota: quotaFeedback(res),
    });
    if (!stream) {
      const answer = await run.complete();
      return sendJson(res, 200, responseView({ run, b, output: outputOf(answer), done: answer.done }));
    }
    await streamRun({ res, run, b });
  };
}

/** The documented event sequence: created, in_progress, each item added -> deltas -> done, then completed. */
function streamRun({ res, run, b }: { res: ServerResponse; run: InferenceRun; b: Body }) {
  let seq = 0;
  const emit = (type: string, data: object) => sseEvent(res, type, { type, sequence_number: seq++, ...data });
  const output: unknown[] = [];
  // The item being written: its kind, id, place in `output` and the text so far.
  let open: { kind: 'reasoning' | 'message'; id: string; index: number; text: string } | undefined;

  const close = () => {
    if (!open) return;
    const { kind, id, index, text } = open;
    const base = { item_id: id, output_index: index, content_index: 0 };
    if (kind === 'reasoning') {
      emit('response.reasoning_text.done', { ...base, text });
      emit('response.content_part.done', { ...base, part: { type: 'reasoning_text', text } });
      output[index] = reasoningItem(id, text);
    } else {
      emit('response.output_text.done', { ...base, text, logprobs: [] });
      emit('response.content_part.done', { ...base, part: textPart(text) });
      output[index] = messageOut(id, text);
    }
    emit('response.output_item.done', { output_index: index, item: output[index] });
    open = undefined;
  };

  const begin = (kind: 'reasoning' | 'message') => {
    if (open?.kind === kind) return open;
    close();
    const id = newId(kind === 'reasoning' ? 'rs_' : 'msg_');
    const index = output.length;
    const item =
      kind === 'reasoning'
        ? { id, type: 'reasoning', summary: [], content: [] }
        : { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    output.push(item);
    emit('response.output_item.added', { output_index: index, item });
    const part = kind === 'reasoning' ? { type: 'reasoning_text', text: '' } : textPart('');
    emit('response.content_part.added', { item_id: id, output_index: index, content_index: 0, part });
    return (open = { kind, id, index, text: '' });
  };

  return pipeRun(res, run, {
    start: () => {
      startSse(res, {});
      const response = responseView({ run, b, output: [] });
      emit('response.created', { response });
      emit('response.in_progress', { response });
    },
    onThinking: (delta) => {
      const item = begin('reasoning');
      item.text += delta;
      emit('response.reasoning_text.delta', { item_id: item.id, output_index: item.index, content_index: 0, delta });
    },
    onDelta: (delta) => {
      const item = begin('message');
      item.text += delta;
      emit('response.output_text.delta', { item_id: item.id, output_index: item.index, content_index: 0, delta, logprobs: [] });
    },
    // Ollama sends a call whole: its arguments come as one delta.
    onToolCall: (call) => {
      close();
      const id = newId('fc_');
      const index = output.length;
      const done = callOut(id, call);
      output.push({ ...done, status: 'in_progress', arguments: '' });
      emit('response.output_item.added', { output_index: index, item: output[index] });
      emit('response.function_call_arguments.delta', { item_id: id, output_index: index, delta: done.arguments });
      emit('response.function_call_arguments.done', { item_id: id, output_index: index, name: done.name, arguments: done.arguments });
      output[index] = done;
      emit('response.output_item.done', { output_index: index, item: done });
    },
    onDone: (ev) => {
      // An answer with nothing in it still has its (empty) message.
      if (output.length === 0) begin('message');
      close();
      const response = responseView({ run, b, output, done: ev });
      emit(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
    },
    // The status line is gone: the failure ends the stream as a failed response, with OpenAI's error fields.
    onError: (e) => {
      const { message, code } = openAiErrorBody(e).error;
      emit('response.failed', { response: { ...responseView({ run, b, output }), status: 'failed', error: { code, message } } });
    },
  });
}
