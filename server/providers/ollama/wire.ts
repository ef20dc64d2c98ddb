/** Ollama's wire types, field by field as its API document (docs/api.md) names them. */
import type { ThinkSetting } from '../../inference/types.ts';

/** Model parameters (Modelfile names); only the ones the gateway sets are spelled out. */
export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  num_predict?: number;
  stop?: string[];
  seed?: number;
  [name: string]: unknown;
}

export interface OllamaToolCall {
  /** Sent by newer Ollama versions; older ones send only `function`. */
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface OllamaMessage {
  role: string;
  content: string;
  thinking?: string;
  images?: string[] | null;
  tool_calls?: OllamaToolCall[];
  /** On a tool message: the function that produced this result. */
  tool_name?: string;
}

/** POST /api/chat body; `stream` is always sent as true by the client. */
export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  format?: unknown;
  options?: OllamaOptions;
  keep_alive?: string | number;
  tools?: OllamaTool[];
  think?: ThinkSetting;
}

/** POST /api/generate body; `stream` is always sent as true by the client. */
export interface OllamaGenerateBody {
  model: string;
  prompt?: string;
  suffix?: string;
  images?: string[];
  format?: unknown;
  options?: OllamaOptions;
  system?: string;
  template?: string;
  raw?: boolean;
  keep_alive?: string | number;
  context?: number[];
  think?: ThinkSetting;
}

/** Statistics carried by the final (`done: true`) chunk; durations in nanoseconds. */
export interface OllamaFinalStats {
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface OllamaChatChunk extends OllamaFinalStats {
  model: string;
  created_at: string;
  message?: OllamaMessage;
  done: boolean;
}

export interface OllamaGenerateChunk extends OllamaFinalStats {
  model: string;
  created_at: string;
  response: string;
  thinking?: string;
  done: boolean;
  context?: number[];
}

interface OllamaModelDetails {
  parent_model?: string;
  format?: string;
  family?: string;
  families?: string[] | null;
  parameter_size?: string;
  quantization_level?: string;
}

interface OllamaModel {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: OllamaModelDetails;
}

export interface OllamaTagsResponse {
  models: OllamaModel[];
}

interface OllamaRunningModel {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: OllamaModelDetails;
  expires_at: string;
  size_vram: number;
}

export interface OllamaPsResponse {
  models: OllamaRunningModel[];
}

export interface OllamaShowResponse {
  modelfile?: string;
  parameters?: string;
  template?: string;
  system?: string;
  license?: string;
  details?: OllamaModelDetails;
  model_info?: Record<string, unknown>;
  capabilities?: string[];
  modified_at?: string;
}

export interface OllamaVersionResponse {
  version: string;
}

export interface OllamaEmbedBody {
  model: string;
  input: string | string[];
  truncate?: boolean;
  dimensions?: number;
  options?: OllamaOptions;
  keep_alive?: string | number;
}

export interface OllamaEmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}
