/**
 * Inference over GraphQL: chat and generate as mutations (the complete answer) and as subscriptions
 * (token by token). A thin adapter over the inference service, like the REST routes: same admission
 * (rate limit), validation, model rules and usage records.
 */
import type { InferenceRun } from '../inference/service.ts';
import {
  type ChatMessage,
  type FinishReason as Finish,
  type InferenceRequest,
  MAX_MESSAGES,
  type ProviderEvent,
  type SamplingOptions,
  type ToolCall as Call,
  type ToolDefinition,
  type Usage,
} from '../inference/types.ts';
import { errors, isGatewayError } from '../errors.ts';
import type { Lifeline } from '../realtime/lifeline.ts';
import type { QueueObserver } from '../scheduler/scheduler.ts';
import { newId } from '../ids.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';

const Role = builder.enumType('Role', {
  description: 'Who wrote a chat message.',
  values: {
    SYSTEM: { description: 'Instructions for the model.' },
    USER: { description: 'The person talking to the model.' },
    ASSISTANT: { description: 'The model’s earlier answers.' },
    TOOL: { description: 'The result of a tool call, sent back to the model (with toolName).' },
  } as const,
});

const FinishReason = builder.enumType('FinishReason', {
  description: 'Why the model stopped.',
  values: {
    STOP: { value: 'stop', description: 'It finished its answer.' },
    LENGTH: { value: 'length', description: 'It reached maxTokens.' },
    TOOL_CALLS: { value: 'tool_calls', description: 'It asked for tool calls.' },
  } as const,
});

const ToolCallInput = builder.inputType('ToolCallInput', {
  description: 'A tool call the model made earlier, sent back with its assistant message.',
  fields: (t) => ({
    id: t.string({ description: 'The call’s id, as the model’s answer gave it.' }),
    name: t.string({ required: true, description: 'The function called.' }),
    arguments: t.string({ required: true, description: 'Its arguments: a JSON object, as text.' }),
  }),
});

const MessageInput = builder.inputType('MessageInput', {
  description: 'One chat message.',
  fields: (t) => ({
    role: t.field({ type: Role, required: true, description: 'Who wrote it.' }),
    content: t.string({ required: true, description: 'The text.' }),
    images: t.stringList({ description: 'Base64-encoded images (no data: prefix), for models that see images.' }),
    toolCalls: t.field({ type: [ToolCallInput], description: 'On an assistant message: the tool calls it made.' }),
    toolName: t.string({ description: 'On a tool message: the function whose result this is.' }),
  }),
});

const ToolInput = builder.inputType('ToolInput', {
  description: 'A function the model may call.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The function’s name.' }),
    description: t.string({ description: 'What it does, for the model.' }),
    parameters: t.string({ description: 'A JSON schema of its arguments, as text.' }),
  }),
});

const ToolCall = builder.objectRef<Call>('ToolCall').implement({
  description: 'A call of one of the request’s tools, for the client to run.',
  fields: (t) => ({
    id: t.string({ nullable: true, description: 'The upstream’s id for the call, when it gave one.', resolve: (c) => c.id ?? null }),
    name: t.exposeString('name', { description: 'The function to call.' }),
    arguments: t.string({ description: 'Its arguments: a JSON object, as text.', resolve: (c) => JSON.stringify(c.arguments) }),
  }),
});

const ChatInput = builder.inputType('ChatInput', {
  description: 'A chat completion request.',
  fields: (t) => ({
    model: t.string({ required: true, description: 'The model id, e.g. "llama2:7b" (see `models`).' }),
    messages: t.field({ type: [MessageInput], required: true, description: 'The conversation so far, oldest first (1 to 1000 messages).' }),
    temperature: t.float({ description: 'Sampling temperature, 0 to 2; the model’s default when omitted.' }),
    topP: t.float({ description: 'Nucleus sampling, above 0 and at most 1; the model’s default when omitted.' }),
    topK: t.int({ description: 'Top-k sampling, at least 1; the model’s default when omitted.' }),
    maxTokens: t.int({ description: 'Most tokens to generate, at least 1; 1024 (or the gateway cap) when omitted.' }),
    think: t.boolean({ description: 'Ask a reasoning model to think first (its reasoning streams as `thinking`); the model’s default when omitted.' }),
    tools: t.field({ type: [ToolInput], description: 'Functions the model may call; its answer then carries toolCalls.' }),
  }),
});

const GenerateInput = builder.inputType('GenerateInput', {
  description: 'A text completion request.',
  fields: (t) => ({
    model: t.string({ required: true, description: 'The model id, e.g. "llama2:7b" (see `models`).' }),
    prompt: t.string({ required: true, description: 'The prompt to complete.' }),
    temperature: t.float({ description: 'Sampling temperature, 0 to 2; the model’s default when omitted.' }),
    topP: t.float({ description: 'Nucleus sampling, above 0 and at most 1; the model’s default when omitted.' }),
    topK: t.int({ description: 'Top-k sampling, at least 1; the model’s default when omitted.' }),
    maxTokens: t.int({ description: 'Most tokens to generate, at least 1; 1024 (or the gateway cap) when omitted.' }),
  }),
});

const TokenUsage = builder.objectRef<Usage>('TokenUsage').implement({
  description: 'Tokens used by one request, as the model counted them.',
  fields: (t) => ({
    promptTokens: t.exposeInt('promptTokens', { description: 'Tokens in the prompt.' }),
    completionTokens: t.exposeInt('completionTokens', { description: 'Tokens generated.' }),
    totalTokens: t.int({ description: 'promptTokens + completionTokens.', resolve: (u) => u.promptTokens + u.completionTokens }),
  }),
});

interface CompletionShape {
  id: string;
  model: string;
  text: string;
  thinking?: string;
  toolCalls: Call[];
  finishReason: Finish;
  usage: Usage;
}

const Completion = builder.objectRef<CompletionShape>('Completion').implement({
  description: 'A complete answer.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The request id (also the usage record id).' }),
    model: t.exposeString('model', { description: 'The model that answered.' }),
    text: t.exposeString('text', { description: 'The answer (for chat, the assistant message’s content).' }),
    thinking: t.string({ nullable: true, description: 'The model’s reasoning, when it thought (see ChatInput.think).', resolve: (c) => c.thinking ?? null }),
    toolCalls: t.field({ type: [ToolCall], description: 'The tool calls it asked for (empty unless the request had tools).', resolve: (c) => c.toolCalls }),
    finishReason: t.expose('finishReason', { type: FinishReason, description: 'Why the model stopped.' }),
    usage: t.expose('usage', { type: TokenUsage, description: 'Tokens used.' }),
  }),
});

type EventShape =
  | { kind: 'delta'; id: string; model: string; text: string }
  | { kind: 'thinking'; id: string; model: string; text: string }
  | { kind: 'tool_call'; id: string; model: string; call: Call }
  | { kind: 'done'; id: string; model: string; finishReason: Finish; usage: Usage }
  | { kind: 'queued'; id: string; model: string; position: number }
  | { kind: 'error'; error: unknown };

const CompletionEvent = builder.objectRef<Exclude<EventShape, { kind: 'error' }>>('CompletionEvent').implement({
  description: 'One step of a streamed answer: new text, then a final event with done: true, the finish reason and usage.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The request id (also the usage record id).' }),
    model: t.exposeString('model', { description: 'The model answering.' }),
    delta: t.string({ description: 'New text since the previous event; empty on the final event.', resolve: (e) => (e.kind === 'delta' ? e.text : '') }),
    thinking: t.string({
      description: 'New reasoning since the previous event; empty unless the model is thinking.',
      resolve: (e) => (e.kind === 'thinking' ? e.text : ''),
    }),
    toolCalls: t.field({
      type: [ToolCall],
      description: 'Tool calls the model made in this event; usually empty.',
      resolve: (e) => (e.kind === 'tool_call' ? [e.call] : []),
    }),
    done: t.boolean({ description: 'True on the final event, which is the last one.', resolve: (e) => e.kind === 'done' }),
    finishReason: t.field({
      type: FinishReason,
      nullable: true,
      description: 'Why the model stopped; on the final event only.',
      resolve: (e) => (e.kind === 'done' ? e.finishReason : null),
    }),
    usage: t.field({
      type: TokenUsage,
      nullable: true,
      description: 'Tokens used; on the final event only.',
      resolve: (e) => (e.kind === 'done' ? e.usage : null),
    }),
    queuePosition: t.int({
      nullable: true,
      description: 'While every server is busy, before the first token: about how many requests run first, plus one; null on other events.',
      resolve: (e) => (e.kind === 'queued' ? e.position : null),
    }),
  }),
});

type SamplingArgs = { temperature?: number | null; topP?: number | null; topK?: number | null; maxTokens?: number | null };
type ChatArgs = SamplingArgs & {
  model: string;
  think?: boolean | null;
  tools?: Array<{ name: string; description?: string | null; parameters?: string | null }> | null;
  messages: Array<{
    role: 'SYSTEM' | 'USER' | 'ASSISTANT' | 'TOOL';
    content: string;
    images?: string[] | null;
    toolCalls?: Array<{ id?: string | null; name: string; arguments: string }> | null;
    toolName?: string | null;
  }>;
};
type GenerateArgs = SamplingArgs & { model: string; prompt: string };

/** JSON text that must hold an object (tool arguments, a parameters schema); else a 400 naming the field. */
function jsonObject(text: string, field: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errors.invalidField(`${field} must be a JSON object`);
  return value as Record<string, unknown>;
}

function options(input: SamplingArgs): SamplingOptions {
  return {
    temperature: input.temperature ?? undefined,
    topP: input.topP ?? undefined,
    topK: input.topK ?? undefined,
    maxTokens: input.maxTokens ?? undefined,
  };
}

/** The same request the REST routes build, with their limits on what the schema cannot express. */
function chatRequest(input: ChatArgs): InferenceRequest {
  if (!input.model) throw errors.missingModel();
  if (input.messages.length < 1 || input.messages.length > MAX_MESSAGES)
    throw errors.invalidRequest(`messages must have between 1 and ${MAX_MESSAGES} entries`);
  const messages = input.messages.map((m, i): ChatMessage => {
    const out: ChatMessage = { role: m.role.toLowerCase() as ChatMessage['role'], content: m.content };
    if (m.images?.length) out.images = m.images;
    if (m.toolCalls?.length)
      out.toolCalls = m.toolCalls.map((c, j) => ({
        ...(c.id ? { id: c.id } : {}),
        name: c.name,
        arguments: jsonObject(c.arguments, `messages[${i}].toolCalls[${j}].arguments`),
      }));
    if (m.toolName) out.toolName = m.toolName;
    return out;
  });
  const tools = (input.tools ?? []).map(
    (t, i): ToolDefinition => ({
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      ...(t.parameters ? { parameters: jsonObject(t.parameters, `tools[${i}].parameters`) } : {}),
    }),
  );
  return {
    kind: 'chat',
    model: input.model,
    messages,
    options: options(input),
    ...(tools.length ? { tools } : {}),
    ...(input.think != null ? { think: input.think } : {}),
  };
}

function generateRequest(input: GenerateArgs): InferenceRequest {
  if (!input.model) throw errors.missingModel();
  return { kind: 'generate', model: input.model, prompt: input.prompt, options: options(input) };
}

/** Keeps what a rate limit said about this operation, for the HTTP response's X-RateLimit-* and Retry-After headers. */
function noteLimit(ctx: GraphQLContext, err: unknown): void {
  if (!isGatewayError(err)) return;
  if (err.rateLimit) ctx.rateLimit.result = err.rateLimit;
  if (err.quota) ctx.rateLimit.quota = err.quota;
  if (err.retryAfter !== undefined) ctx.rateLimit.retryAfter = err.retryAfter;
}

async function admit(ctx: GraphQLContext): Promise<void> {
  try {
    ctx.rateLimit.result = await ctx.inference.admit(ctx.principal);
  } catch (err) {
    noteLimit(ctx, err);
    throw err;
  }
}

/** Records a refusal (4xx before any run began) in usage, as the REST surfaces do; the service skips what a run recorded. */
function recordRefusal(
  ctx: GraphQLContext,
  { err, request, endpoint, requestId, stream }: { err: unknown; request: InferenceRequest; endpoint: string; requestId: string; stream: boolean },
): void {
  if (!isGatewayError(err) || err.status < 400 || err.status >= 500) return;
  ctx.inference.refused({ principal: ctx.principal, surface: 'graphql', endpoint, requestId, model: request.model, error: err, stream });
}

async function complete(ctx: GraphQLContext, request: InferenceRequest, endpoint: string): Promise<CompletionShape> {
  const service = ctx.inference;
  const requestId = newId('cmpl-');
  try {
    await admit(ctx);
    const run = service.run({
      principal: ctx.principal,
      request,
      surface: 'graphql',
      endpoint,
      requestId,
      signal: ctx.signal ?? new AbortController().signal,
      stream: false,
      onQuota: (q) => (ctx.rateLimit.quota = q),
    });
    const { text, thinking, toolCalls, done } = await run.complete();
    return {
      id: run.id,
      model: run.model.id,
      text,
      ...(thinking ? { thinking } : {}),
      toolCalls: toolCalls ?? [],
      finishReason: done.finishReason,
      usage: done.usage,
    };
  } catch (err) {
    noteLimit(ctx, err); // the tokens-per-minute limit
    recordRefusal(ctx, { err, request, endpoint, requestId, stream: false });
    throw err;
  }
}

/**
 * The events of a run as a subscription source. return() (client completed, socket closed) aborts
 * the upstream request at once rather than waiting for the next token; a failure mid-stream, or the
 * key no longer working (the lifeline), becomes one error result, then the stream ends.
 */
function events(
  run: InferenceRun,
  controller: AbortController,
  line: Lifeline,
  queue: QueueNotices,
  onError: (err: unknown) => void,
): AsyncIterableIterator<EventShape> {
  const it = run[Symbol.asyncIterator]();
  let finished = false;
  // The read in progress: a queue notice may come first, and the read is then awaited on the next call.
  let reading: Promise<IteratorResult<ProviderEvent>> | undefined;
  const stop = async (): Promise<IteratorResult<EventShape>> => {
    if (!finished) {
      finished = true;
      line.close();
      controller.abort(new DOMException('the subscription was completed', 'AbortError'));
      // Runs the engine's cleanup (usage record) once the aborted read settles; never blocks the caller.
      void it.return?.(undefined)?.catch(() => {});
    }
    return { value: undefined, done: true };
  };
  /** The lifeline's reason when it ended the stream with an error (key no longer valid), as the last event. */
  const ended = async (): Promise<IteratorResult<EventShape>> => {
    const reason = line.signal.reason;
    await stop();
    return isGatewayError(reason) ? { value: { kind: 'error', error: reason }, done: false } : { value: undefined, done: true };
  };
  return {
    async next() {
      if (finished) return { value: undefined, done: true };
      try {
        reading ??= it.next();
        const r = await queue.race(reading);
        if (r === 'queued') return { value: { kind: 'queued', id: run.id, model: run.model.id, position: queue.positions.shift()! }, done: false };
        reading = undefined;
        if (r.done) {
          finished = true;
          line.close();
          return { value: undefined, done: true };
        }
        if (!line.check()) return ended();
        const ev = r.value;
        const base = { id: run.id, model: run.model.id };
        const value: EventShape =
          ev.type === 'delta' || ev.type === 'thinking'
            ? { kind: ev.type, ...base, text: ev.text }
            : ev.type === 'tool_call'
              ? { kind: 'tool_call', ...base, call: ev.call }
              : { kind: 'done', ...base, finishReason: ev.finishReason, usage: ev.usage };
        return { value, done: false };
      } catch (error) {
        if (finished) return { value: undefined, done: true };
        if (line.signal.aborted) return ended();
        if (controller.signal.aborted) return stop();
        finished = true;
        line.close();
        onError(error);
        return { value: { kind: 'error', error }, done: false };
      }
    },
    return: stop,
    throw: async () => stop(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

interface QueueNotices {
  observer: QueueObserver;
  positions: number[];
  /** The read, or 'queued' when a queue notice arrives first. */
  race<T>(reading: Promise<T>): Promise<T | 'queued'>;
}

/** Queue positions reported by the scheduler while a subscription waits for a slot, as events before the first token. */
function queueNotices(): QueueNotices {
  const positions: number[] = [];
  let wake: (() => void) | undefined;
  return {
    positions,
    observer: {
      queued: (position) => {
        positions.push(position);
        wake?.();
      },
    },
    race(reading) {
      if (positions.length) return Promise.resolve('queued' as const);
      return Promise.race([reading, new Promise<'queued'>((resolve) => (wake = () => resolve('queued')))]).finally(() => (wake = undefined));
    },
  };
}

async function stream(ctx: GraphQLContext, request: InferenceRequest, endpoint: string) {
  const service = ctx.inference;
  const requestId = newId('cmpl-');
  const refused = (err: unknown) => recordRefusal(ctx, { err, request, endpoint, requestId, stream: true });
  try {
    await admit(ctx);
  } catch (err) {
    refused(err);
    throw err;
  }
  // Ends the stream when the client goes away or the key stops working; a token stream drains at shutdown.
  const line = ctx.lifeline({ endsOnGoAway: false });
  const controller = new AbortController();
  const onEnd = () => controller.abort(new DOMException('the subscription ended', 'AbortError'));
  if (line.signal.aborted) onEnd();
  else line.signal.addEventListener('abort', onEnd, { once: true });
  try {
    const queue = queueNotices();
    const run = service.run({
      principal: ctx.principal,
      request,
      surface: 'graphql',
      endpoint,
      requestId,
      signal: controller.signal,
      stream: true,
      queue: queue.observer,
      onQuota: (q) => (ctx.rateLimit.quota = q),
    });
    return events(run, controller, line, queue, refused);
  } catch (err) {
    line.close();
    refused(err);
    throw err;
  }
}

const resolveEvent = (ev: EventShape) => {
  if (ev.kind === 'error') throw ev.error;
  return ev;
};

builder.mutationFields((t) => ({
  chat: t.field({
    type: Completion,
    description: 'A chat completion, answered when the model is done (any key; counts against its rate limit).',
    args: { input: t.arg({ type: ChatInput, required: true, description: 'The model, the messages and sampling options.' }) },
    resolve: (_root, { input }, ctx) => complete(ctx, chatRequest(input), 'Mutation.chat'),
  }),
  generate: t.field({
    type: Completion,
    description: 'A text completion, answered when the model is done (any key; counts against its rate limit).',
    args: { input: t.arg({ type: GenerateInput, required: true, description: 'The model, the prompt and sampling options.' }) },
    resolve: (_root, { input }, ctx) => complete(ctx, generateRequest(input), 'Mutation.generate'),
  }),
}));

builder.subscriptionFields((t) => ({
  chat: t.field({
    type: CompletionEvent,
    description: 'A chat completion streamed token by token. Completing the subscription stops the model at once.',
    args: { input: t.arg({ type: ChatInput, required: true, description: 'The model, the messages and sampling options.' }) },
    subscribe: (_root, { input }, ctx) => stream(ctx, chatRequest(input), 'Subscription.chat'),
    resolve: resolveEvent,
  }),
  generate: t.field({
    type: CompletionEvent,
    description: 'A text completion streamed token by token. Completing the subscription stops the model at once.',
    args: { input: t.arg({ type: GenerateInput, required: true, description: 'The model, the prompt and sampling options.' }) },
    subscribe: (_root, { input }, ctx) => stream(ctx, generateRequest(input), 'Subscription.generate'),
    resolve: resolveEvent,
  }),
}));
