/**
 * Inference over GraphQL: chat and generate as mutations (the complete answer) and as subscriptions
 * (token by token). A thin adapter over the inference service, like the REST routes: same admission
 * (rate limit), validation, model rules and usage records.
 */
import type { InferenceRun } from '../inference/service.ts';
import { MAX_MESSAGES, type FinishReason as Finish, type InferenceRequest, type SamplingOptions, type Usage } from '../inference/types.ts';
import { errors, isGatewayError } from '../errors.ts';
import type { Lifeline } from '../realtime/lifeline.ts';
import { newCompletionId } from '../rest/api.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';

const Role = builder.enumType('Role', {
  description: 'Who wrote a chat message.',
  values: {
    SYSTEM: { description: 'Instructions for the model.' },
    USER: { description: 'The person talking to the model.' },
    ASSISTANT: { description: 'The model’s earlier answers.' },
  } as const,
});

const FinishReason = builder.enumType('FinishReason', {
  description: 'Why the model stopped.',
  values: {
    STOP: { value: 'stop', description: 'It finished its answer.' },
    LENGTH: { value: 'length', description: 'It reached maxTokens.' },
  } as const,
});

const MessageInput = builder.inputType('MessageInput', {
  description: 'One chat message.',
  fields: (t) => ({
    role: t.field({ type: Role, required: true, description: 'Who wrote it.' }),
    content: t.string({ required: true, description: 'The text.' }),
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
  finishReason: Finish;
  usage: Usage;
}

const Completion = builder.objectRef<CompletionShape>('Completion').implement({
  description: 'A complete answer.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The request id (also the usage record id).' }),
    model: t.exposeString('model', { description: 'The model that answered.' }),
    text: t.exposeString('text', { description: 'The answer (for chat, the assistant message’s content).' }),
    finishReason: t.expose('finishReason', { type: FinishReason, description: 'Why the model stopped.' }),
    usage: t.expose('usage', { type: TokenUsage, description: 'Tokens used.' }),
  }),
});

type EventShape =
  | { kind: 'delta'; id: string; model: string; text: string }
  | { kind: 'done'; id: string; model: string; finishReason: Finish; usage: Usage }
  | { kind: 'error'; error: unknown };

const CompletionEvent = builder.objectRef<Exclude<EventShape, { kind: 'error' }>>('CompletionEvent').implement({
  description: 'One step of a streamed answer: new text, then a final event with done: true, the finish reason and usage.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The request id (also the usage record id).' }),
    model: t.exposeString('model', { description: 'The model answering.' }),
    delta: t.string({ description: 'New text since the previous event; empty on the final event.', resolve: (e) => (e.kind === 'delta' ? e.text : '') }),
    done: t.boolean({ description: 'True on the final event, which is the last one.', resolve: (e) => e.kind === 'done' }),
    finishReason: t.field({ type: FinishReason, nullable: true, description: 'Why the model stopped; on the final event only.', resolve: (e) => (e.kind === 'done' ? e.finishReason : null) }),
    usage: t.field({ type: TokenUsage, nullable: true, description: 'Tokens used; on the final event only.', resolve: (e) => (e.kind === 'done' ? e.usage : null) }),
  }),
});

type SamplingArgs = { temperature?: number | null; topP?: number | null; topK?: number | null; maxTokens?: number | null };
type ChatArgs = SamplingArgs & { model: string; messages: Array<{ role: 'SYSTEM' | 'USER' | 'ASSISTANT'; content: string }> };
type GenerateArgs = SamplingArgs & { model: string; prompt: string };

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
  if (!input.model) throw errors.invalidRequest('model is required', 'missing_model');
  if (input.messages.length < 1 || input.messages.length > MAX_MESSAGES) throw errors.invalidRequest(`messages must have between 1 and ${MAX_MESSAGES} entries`);
  const messages = input.messages.map((m) => ({ role: m.role.toLowerCase() as 'system' | 'user' | 'assistant', content: m.content }));
  return { kind: 'chat', model: input.model, messages, options: options(input) };
}

function generateRequest(input: GenerateArgs): InferenceRequest {
  if (!input.model) throw errors.invalidRequest('model is required', 'missing_model');
  return { kind: 'generate', model: input.model, prompt: input.prompt, options: options(input) };
}

/** Keeps what a rate limit said about this operation, for the HTTP response's X-RateLimit-* and Retry-After headers. */
function noteLimit(ctx: GraphQLContext, err: unknown): void {
  if (!isGatewayError(err)) return;
  if (err.rateLimit) ctx.rateLimit.result = err.rateLimit;
  if (err.retryAfter !== undefined) ctx.rateLimit.retryAfter = err.retryAfter;
}

async function admit(ctx: GraphQLContext): Promise<void> {
  try {
    ctx.rateLimit.result = await ctx.services.service.admit(ctx.principal);
  } catch (err) {
    noteLimit(ctx, err);
    throw err;
  }
}

async function complete(ctx: GraphQLContext, request: InferenceRequest, endpoint: string): Promise<CompletionShape> {
  const { service } = ctx.services;
  await admit(ctx);
  try {
    const run = service.run({ principal: ctx.principal, request, surface: 'graphql', endpoint, requestId: newCompletionId(), signal: ctx.signal ?? new AbortController().signal, stream: false });
    const { text, done } = await run.complete();
    return { id: run.id, model: run.model.id, text, finishReason: done.finishReason, usage: done.usage };
  } catch (err) {
    noteLimit(ctx, err); // the tokens-per-minute limit
    throw err;
  }
}

/**
 * The events of a run as a subscription source. return() (client completed, socket closed) aborts
 * the upstream request at once rather than waiting for the next token; a failure mid-stream, or the
 * key no longer working (the lifeline), becomes one error result, then the stream ends.
 */
function events(run: InferenceRun, controller: AbortController, line: Lifeline): AsyncIterableIterator<EventShape> {
  const it = run[Symbol.asyncIterator]();
  let finished = false;
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
        const r = await it.next();
        if (r.done) {
          finished = true;
          line.close();
          return { value: undefined, done: true };
        }
        if (!line.check()) return ended();
        const ev = r.value;
        return {
          value: ev.type === 'delta' ? { kind: 'delta', id: run.id, model: run.model.id, text: ev.text } : { kind: 'done', id: run.id, model: run.model.id, finishReason: ev.finishReason, usage: ev.usage },
          done: false,
        };
      } catch (error) {
        if (finished) return { value: undefined, done: true };
        if (line.signal.aborted) return ended();
        if (controller.signal.aborted) return stop();
        finished = true;
        line.close();
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

async function stream(ctx: GraphQLContext, request: InferenceRequest, endpoint: string) {
  const { service } = ctx.services;
  await admit(ctx);
  // Ends the stream when the client goes away or the key stops working; a token stream drains at shutdown.
  const line = ctx.lifeline({ endsOnGoAway: false });
  const controller = new AbortController();
  const onEnd = () => controller.abort(new DOMException('the subscription ended', 'AbortError'));
  if (line.signal.aborted) onEnd();
  else line.signal.addEventListener('abort', onEnd, { once: true });
  try {
    const run = service.run({ principal: ctx.principal, request, surface: 'graphql', endpoint, requestId: newCompletionId(), signal: controller.signal, stream: true });
    return events(run, controller, line);
  } catch (err) {
    line.close();
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
