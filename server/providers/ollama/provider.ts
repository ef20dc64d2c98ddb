/**
 * The Provider backed by Ollama: maps an InferenceRequest to /api/chat or /api/generate (tools,
 * thinking, images and format included) and Ollama's chunks to thinking, delta and tool-call events
 * and one done event.
 *
 * @example
 * const provider = createOllamaProvider({ client: createOllamaClient({ baseUrl }) });
 * for await (const event of provider.stream({ kind: 'chat', model: 'llama3.2', options: {}, messages }, signal)) {
 *   if (event.type === 'delta') process.stdout.write(event.text);
 * }
 */
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
  ToolCall,
} from '../../inference/types.ts';
import type { OllamaClient } from './client.ts';
import type { OllamaOptions, OllamaToolCall, OllamaMessage, OllamaChatBody, OllamaGenerateBody, OllamaFinalStats } from './wire.ts';

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
function toOllamaOptions(options: SamplingOptions): OllamaOptions | undefined {
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

function toChatBody(req: ChatRequest): OllamaChatBody {
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

function toGenerateBody(req: GenerateRequest): OllamaGenerateBody {
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
