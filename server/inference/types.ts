/** The typed request every surface turns its input into, and the events the engine streams back. */

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: MessageRole;
  content: string;
  /** Base64 images, passed through to multimodal Ollama models. */
  images?: string[];
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
}

/** Most messages one chat request may carry, on every surface. */
export const MAX_MESSAGES = 1000;

export interface ChatRequest extends BaseRequest {
  kind: 'chat';
  messages: ChatMessage[];
}

export interface GenerateRequest extends BaseRequest {
  kind: 'generate';
  prompt: string;
  system?: string;
  /** Ollama `raw` mode: the prompt is sent without the model's template. */
  raw?: boolean;
}

export type InferenceRequest = ChatRequest | GenerateRequest;

export type FinishReason = 'stop' | 'length';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Timings reported by Ollama's final chunk, in nanoseconds (Ollama's units); absent for built-in models. */
export interface UpstreamMetrics {
  totalDuration?: number;
  loadDuration?: number;
  promptEvalDuration?: number;
  evalDuration?: number;
}

export type ProviderEvent =
  | { type: 'delta'; text: string }
  | { type: 'done'; finishReason: FinishReason; usage: Usage; metrics?: UpstreamMetrics };

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
export interface Provider {
  stream(req: InferenceRequest, signal: AbortSignal): AsyncIterable<ProviderEvent>;
  /**
   * The whole answer in one piece, for clients that do not stream: one upstream response to parse
   * instead of a chunk per token (several times cheaper on the hot path). Optional: without it the
   * engine aggregates `stream`.
   */
  complete?(req: InferenceRequest, signal: AbortSignal): Promise<{ text: string; done: Extract<ProviderEvent, { type: 'done' }> }>;
  embed?(req: EmbedRequest, signal: AbortSignal): Promise<EmbedResult>;
}
