/** The typed request every surface turns its input into, and the events the engine streams back. */

type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

/** A function the model may call: its name, what it does, and a JSON schema of its arguments. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** A call the model made. `id` is the upstream's when it sent one; surfaces invent one otherwise. */
export interface ToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** Ollama's `think`: on, off, or an effort level for models that take one. */
export type ThinkSetting = boolean | 'low' | 'medium' | 'high';

export interface ChatMessage {
  role: MessageRole;
  content: string;
  /** Base64 images, passed through to multimodal Ollama models. */
  images?: string[];
  /** An assistant message's reasoning, when a client sends it back. */
  thinking?: string;
  /** The calls an assistant message made. */
  toolCalls?: ToolCall[];
  /** On a tool message: the function whose result this is (Ollama's `tool_name`). */
  toolName?: string;
}

/** Sampling options in the gateway's own names; providers map them to their wire names. */
export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
}

interface BaseRequest {
  model: string;
  options: SamplingOptions;
  /** Passed to Ollama as `keep_alive` when given. */
  keepAlive?: string | number;
  /** Ollama `format` ("json" or a JSON schema). */
  format?: unknown;
  /** Ollama options the gateway does not interpret, sent as the client sent them (under the mapped ones). */
  upstreamOptions?: Record<string, unknown>;
  /** Ollama `think`; absent leaves it to the model. */
  think?: ThinkSetting;
  /**
   * 'documented' (the default) fills unset sampling options with the documented defaults (the model's
   * catalogue values, temperature 0.7, max_tokens 1024); 'none' sends only what the client set, for
   * the compatible surfaces, whose clients expect the model's own defaults.
   */
  defaults?: 'documented' | 'none';
}

/** Most messages one chat request may carry, on every surface. */
export const MAX_MESSAGES = 1000;

export interface ChatRequest extends BaseRequest {
  kind: 'chat';
  messages: ChatMessage[];
  /** Functions the model may call; absent or empty for none. */
  tools?: ToolDefinition[];
}

export interface GenerateRequest extends BaseRequest {
  kind: 'generate';
  prompt: string;
  system?: string;
  /** Ollama `raw` mode: the prompt is sent without the model's template. */
  raw?: boolean;
  /** Base64 images for multimodal models. */
  images?: string[];
}

export type InferenceRequest = ChatRequest | GenerateRequest;

/** `tool_calls` when the answer ends with calls for the client to run. */
export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Timings reported by Ollama's final chunk, in nanoseconds (Ollama's units); absent for built-in models. */
interface UpstreamMetrics {
  totalDuration?: number;
  loadDuration?: number;
  promptEvalDuration?: number;
  evalDuration?: number;
}

export type ProviderEvent =
  | { type: 'delta'; text: string }
  /** Reasoning text, streamed before (or between) the answer's deltas. */
  | { type: 'thinking'; text: string }
  /** One complete call (Ollama sends calls whole, never in fragments). */
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'done'; finishReason: FinishReason; usage: Usage; metrics?: UpstreamMetrics };

/** A whole answer: its text, reasoning and calls, and the final event. */
export interface Completion {
  text: string;
  thinking?: string;
  toolCalls?: ToolCall[];
  done: Extract<ProviderEvent, { type: 'done' }>;
}

export interface EmbedRequest {
  model: string;
  input: string[];
  truncate?: boolean;
  dimensions?: number;
  keepAlive?: string | number;
}

export interface EmbedResult {
  embeddings: number[][];
  promptTokens: number;
}

/**
 * A source of completions. `stream` yields deltas then exactly one `done` event; it throws a
 * GatewayError (from server/errors.ts) for upstream failures, and stops the upstream work when
 * `signal` aborts.
 */
/**
 * Calls only Ollama's own API has (the Ollama-native surface passes them through): /api/show,
 * /api/ps and /api/version of a server, in Ollama's wire format.
 */
export interface NativeCalls {
  show(args: { model: string; verbose?: boolean; signal?: AbortSignal }): Promise<unknown>;
  ps(opts?: { signal?: AbortSignal }): Promise<{ models: Array<{ name: string }> }>;
  version(opts?: { signal?: AbortSignal }): Promise<{ version: string }>;
}

export interface Provider {
  stream(req: InferenceRequest, signal: AbortSignal): AsyncIterable<ProviderEvent>;
  /**
   * The whole answer in one piece, for clients that do not stream: one upstream response to parse
   * instead of a chunk per token (several times cheaper on the hot path). Optional: without it the
   * engine aggregates `stream`.
   */
  complete?(req: InferenceRequest, signal: AbortSignal): Promise<Completion>;
  embed?(req: EmbedRequest, signal: AbortSignal): Promise<EmbedResult>;
}
