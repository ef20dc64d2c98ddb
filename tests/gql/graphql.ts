/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** A new upstream server. */
export type AddUpstreamInput = {
  /** A human name (unique). */
  name: string;
  /** Its slot count (1 to 256); OLLAMA_PARALLEL when omitted. */
  parallel?: number | null | undefined;
  /** Its base URL, e.g. "http://gpu-2:11434" (unique). */
  url: string;
};

/** Narrows the list of keys; every field is optional and they combine with AND. */
export type ApiKeyFilter = {
  /** Only keys with this role. */
  role?: KeyRole | null | undefined;
  /** Part of the name or the prefix, case-insensitive. */
  search?: string | null | undefined;
  /** Only keys in this state. */
  status?: KeyStatus | null | undefined;
  /** Only keys of this team. */
  teamId?: string | number | null | undefined;
  /** Only keys of this tier. */
  tier?: KeyTier | null | undefined;
};

/** Where a key may be used, for a parameter policy’s allow-list. */
export type ApiSurface =
  /** The Anthropic-compatible API (/v1/messages). */
  | 'ANTHROPIC'
  /** The documented REST API (/api/models, /api/chat, /api/generate). */
  | 'API'
  /** Embeddings on any surface (/v1/embeddings, /ollama/api/embed, /ollama/api/embeddings); needed in addition to the surface. */
  | 'EMBEDDINGS'
  /** GraphQL (/graphql over HTTP, SSE and graphql-ws). */
  | 'GRAPHQL'
  /** The Ollama-native API under /ollama. */
  | 'OLLAMA'
  /** The OpenAI-compatible API (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models). */
  | 'OPENAI'
  /** The OpenAI Responses API (/v1/responses). */
  | 'RESPONSES';

/** A chat completion request. */
export type ChatInput = {
  /** Most tokens to generate, at least 1; 1024 (or the gateway cap) when omitted. */
  maxTokens?: number | null | undefined;
  /** The conversation so far, oldest first (1 to 1000 messages). */
  messages: Array<MessageInput>;
  /** The model id, e.g. "llama2:7b" (see `models`). */
  model: string;
  /** Sampling temperature, 0 to 2; the model’s default when omitted. */
  temperature?: number | null | undefined;
  /** Ask a reasoning model to think first (its reasoning streams as `thinking`); the model’s default when omitted. */
  think?: boolean | null | undefined;
  /** Functions the model may call; its answer then carries toolCalls. */
  tools?: Array<ToolInput> | null | undefined;
  /** Top-k sampling, at least 1; the model’s default when omitted. */
  topK?: number | null | undefined;
  /** Nucleus sampling, above 0 and at most 1; the model’s default when omitted. */
  topP?: number | null | undefined;
};

/** A new API key. */
export type CreateApiKeyInput = {
  /** Model ids the key may use; every active model when omitted or empty. */
  allowedModels?: Array<string> | null | undefined;
  /** Quota of requests per calendar day (1 to 2000000000); none when omitted. */
  dailyRequests?: number | null | undefined;
  /** Quota of tokens per calendar day (1 to 2000000000); none when omitted. */
  dailyTokens?: number | null | undefined;
  /** When the key stops working; never when omitted. */
  expiresAt?: string | null | undefined;
  /** Most requests running at once (1 to 1000; extra ones wait); no cap when omitted. */
  maxConcurrent?: number | null | undefined;
  /** Quota of tokens per calendar month (1 to 2000000000); none when omitted. */
  monthlyTokens?: number | null | undefined;
  /** A human name for the key. */
  name: string;
  /** The key’s own parameter policy; none when omitted. */
  policy?: ParameterPolicyInput | null | undefined;
  /** The role; USER when omitted (a team admin may not create ADMIN keys). */
  role?: KeyRole | null | undefined;
  /** Own requests-per-minute limit (1 to 1000000) instead of the tier default. */
  rpmLimit?: number | null | undefined;
  /** The team the key belongs to (admin); a team admin’s keys always go to its own team. */
  teamId?: string | number | null | undefined;
  /** The tier; STANDARD when omitted. */
  tier?: KeyTier | null | undefined;
  /** Tokens-per-minute limit (1 to 1000000); no token limit when omitted. */
  tpmLimit?: number | null | undefined;
  /** Share of the GPU slots when keys wait (1 to 1000); the tier default when omitted. */
  weight?: number | null | undefined;
};

/** The server to disable. */
export type DisableUpstreamInput = {
  /** The server to disable. */
  id: string | number;
};

/** The server to drain. */
export type DrainUpstreamInput = {
  /** The server to drain. */
  id: string | number;
};

/** The server to enable. */
export type EnableUpstreamInput = {
  /** The server to enable. */
  id: string | number;
};

/** Why the model stopped. */
export type FinishReason =
  /** It reached maxTokens. */
  | 'LENGTH'
  /** It finished its answer. */
  | 'STOP'
  /** It asked for tool calls. */
  | 'TOOL_CALLS';

/** A text completion request. */
export type GenerateInput = {
  /** Most tokens to generate, at least 1; 1024 (or the gateway cap) when omitted. */
  maxTokens?: number | null | undefined;
  /** The model id, e.g. "llama2:7b" (see `models`). */
  model: string;
  /** The prompt to complete. */
  prompt: string;
  /** Sampling temperature, 0 to 2; the model’s default when omitted. */
  temperature?: number | null | undefined;
  /** Top-k sampling, at least 1; the model’s default when omitted. */
  topK?: number | null | undefined;
  /** Nucleus sampling, above 0 and at most 1; the model’s default when omitted. */
  topP?: number | null | undefined;
};

/** What a key may do. */
export type KeyRole =
  /** Manages keys and models, sees all usage, may introspect the schema. */
  | 'ADMIN'
  /** Manages its own team’s keys and sees its team’s usage; nothing else. */
  | 'TEAM_ADMIN'
  /** Runs models and sees its own usage. */
  | 'USER';

/** Whether a key works now. */
export type KeyStatus =
  /** Not revoked and not expired. */
  | 'ACTIVE'
  /** Past its expiry time. */
  | 'EXPIRED'
  /** Revoked by an admin; it never works again. */
  | 'REVOKED';

/** The default rate limit of a key, unless it has its own. */
export type KeyTier =
  /** 300 requests per minute. */
  | 'PREMIUM'
  /** 60 requests per minute. */
  | 'STANDARD';

/** One chat message. */
export type MessageInput = {
  /** The text. */
  content: string;
  /** Base64-encoded images (no data: prefix), for models that see images. */
  images?: Array<string> | null | undefined;
  /** Who wrote it. */
  role: Role;
  /** On an assistant message: the tool calls it made. */
  toolCalls?: Array<ToolCallInput> | null | undefined;
  /** On a tool message: the function whose result this is. */
  toolName?: string | null | undefined;
};

/** A parameter policy; omitted or null fields set no rule. See ParameterPolicy for what each field does. */
export type ParameterPolicyInput = {
  /** IPv4/IPv6 addresses or CIDRs the key may be used from; omitted or null: any. */
  allowedCidrs?: Array<string> | null | undefined;
  /** Where the key may be used; omitted or null: everywhere. */
  allowedSurfaces?: Array<ApiSurface> | null | undefined;
  /** An object of Ollama options (and keep_alive) to force. */
  forcedOptions?: unknown;
  /** Longest keep_alive in seconds (0 or more; forever cannot be a cap). */
  maxKeepAlive?: number | null | undefined;
  /** Over maxKeepAlive: CLAMP (default) or REJECT. */
  maxKeepAliveMode?: PolicyCapMode | null | undefined;
  /** Largest num_ctx a request may ask for (1 or more). */
  maxNumCtx?: number | null | undefined;
  /** Over maxNumCtx: REJECT (default) or CLAMP. */
  maxNumCtxMode?: PolicyCapMode | null | undefined;
  /** Most tokens a request may generate (1 or more). */
  maxTokens?: number | null | undefined;
  /** Over maxTokens: CLAMP (default) or REJECT. */
  maxTokensMode?: PolicyCapMode | null | undefined;
};

/** What a request over a cap gets. */
export type PolicyCapMode =
  /** The value is lowered to the cap and the request runs. */
  | 'CLAMP'
  /** The request is refused with a 400 (code policy_violation) naming the cap. */
  | 'REJECT';

/** The server to remove. */
export type RemoveUpstreamInput = {
  /** The server to remove. */
  id: string | number;
};

/** The key to revoke. */
export type RevokeApiKeyInput = {
  /** The key to revoke. */
  id: string | number;
};

/** Who wrote a chat message. */
export type Role =
  /** The model’s earlier answers. */
  | 'ASSISTANT'
  /** Instructions for the model. */
  | 'SYSTEM'
  /** The result of a tool call, sent back to the model (with toolName). */
  | 'TOOL'
  /** The person talking to the model. */
  | 'USER';

/** The key to give a new secret. */
export type RotateApiKeyInput = {
  /** How long the old secret keeps working, in seconds (0 to 2592000); 0 stops it at once. */
  graceSeconds?: number | null | undefined;
  /** The key to rotate. */
  id: string | number;
};

/** A tool call the model made earlier, sent back with its assistant message. */
export type ToolCallInput = {
  /** Its arguments: a JSON object, as text. */
  arguments: string;
  /** The call’s id, as the model’s answer gave it. */
  id?: string | null | undefined;
  /** The function called. */
  name: string;
};

/** A function the model may call. */
export type ToolInput = {
  /** What it does, for the model. */
  description?: string | null | undefined;
  /** The function’s name. */
  name: string;
  /** A JSON schema of its arguments, as text. */
  parameters?: string | null | undefined;
};

/** Changes to a key. Omitted fields stay as they are; null clears a limit, the model list or the expiry. */
export type UpdateApiKeyInput = {
  /** Model ids the key may use; null or empty allows every active model. */
  allowedModels?: Array<string> | null | undefined;
  /** Quota of requests per calendar day; null removes it. */
  dailyRequests?: number | null | undefined;
  /** Quota of tokens per calendar day; null removes it. */
  dailyTokens?: number | null | undefined;
  /** New expiry; null means never. */
  expiresAt?: string | null | undefined;
  /** The key to change. */
  id: string | number;
  /** Most requests running at once; null removes the cap. */
  maxConcurrent?: number | null | undefined;
  /** Quota of tokens per calendar month; null removes it. */
  monthlyTokens?: number | null | undefined;
  /** A new name. */
  name?: string | null | undefined;
  /** The key’s own parameter policy, replaced whole; null removes it. */
  policy?: ParameterPolicyInput | null | undefined;
  /** A new role; the last working admin key cannot become a user key. */
  role?: KeyRole | null | undefined;
  /** Own requests-per-minute limit; null returns to the tier default. */
  rpmLimit?: number | null | undefined;
  /** Moves the key to this team; null takes it out of its team (admin only). */
  teamId?: string | number | null | undefined;
  /** A new tier. */
  tier?: KeyTier | null | undefined;
  /** Tokens-per-minute limit; null removes it. */
  tpmLimit?: number | null | undefined;
  /** Share of the GPU slots when keys wait; null returns to the tier default. */
  weight?: number | null | undefined;
};

/** Changes to a model. Omitted fields stay as they are; null clears a default parameter. */
export type UpdateModelInput = {
  /** Price per million completion tokens (0 or more, in PRICE_CURRENCY); null removes the price. */
  completionPricePerMTok?: number | null | undefined;
  /** A new description. */
  description?: string | null | undefined;
  /** The model to change. */
  id: string | number;
  /** Activate (true) or deactivate (false). */
  isActive?: boolean | null | undefined;
  /** A new display name. */
  name?: string | null | undefined;
  /** Price per million prompt tokens (0 or more, in PRICE_CURRENCY); null removes the price. */
  promptPricePerMTok?: number | null | undefined;
  /** Default temperature, 0 to 2; null for the gateway default. */
  temperature?: number | null | undefined;
  /** Default top-k, at least 1; null for none. */
  topK?: number | null | undefined;
  /** Default top-p, above 0 and at most 1; null for none. */
  topP?: number | null | undefined;
};

/** What the probes and recent requests say about a server (its circuit breaker). */
export type UpstreamHealth =
  /** Failed several times in a row: the circuit is open and it gets no traffic. */
  | 'DOWN'
  /** Answering: the circuit is closed. */
  | 'HEALTHY'
  /** Half-open: a probe decides whether it gets traffic again. */
  | 'PROBING'
  /** Not probed yet (or disabled). */
  | 'UNKNOWN';

/** Whether a server takes new requests. */
export type UpstreamState =
  /** Takes nothing new, and is neither probed nor synced. */
  | 'DISABLED'
  /** Finishes what it runs and takes nothing new. */
  | 'DRAINING'
  /** Takes new requests. */
  | 'ENABLED';

/** Which requests a report covers; every field is optional and they combine with AND. */
export type UsageFilter = {
  /** Only this key’s requests (a user key may only give its own). */
  apiKeyId?: string | number | null | undefined;
  /** Requests that started at or after this time. */
  from?: string | null | undefined;
  /** Only requests for this model. */
  model?: string | null | undefined;
  /** Only requests by this team’s keys (admin; a team admin’s reports are always its team’s). */
  teamId?: string | number | null | undefined;
  /** Requests that started before this time. */
  to?: string | null | undefined;
};

/** The size of a time-series bucket (UTC). */
export type UsageInterval =
  /** One bucket per day. */
  | 'DAY'
  /** One bucket per hour. */
  | 'HOUR';

export type ThinkingChatMutationVariables = Exact<{
  input: ChatInput;
}>;


export type ThinkingChatMutation = { chat: { id: string, text: string, thinking: string | null, finishReason: FinishReason, toolCalls: Array<{ id: string | null, name: string, arguments: string }>, usage: { completionTokens: number } } };

export type ThinkingStreamSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type ThinkingStreamSubscription = { chat: { id: string, delta: string, thinking: string, done: boolean, finishReason: FinishReason | null, toolCalls: Array<{ name: string, arguments: string }> } };

export type UsageEventsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type UsageEventsSubscription = { usageEvents: { id: string, apiKeyId: string, model: string, surface: string, endpoint: string, status: number, totalTokens: number } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, name: string, role: KeyRole, tier: KeyTier, requestsPerMinute: number, status: KeyStatus } };

export type ApiKeysQueryVariables = Exact<{
  filter?: ApiKeyFilter | null | undefined;
  limit?: number | null | undefined;
  offset?: number | null | undefined;
}>;


export type ApiKeysQuery = { apiKeys: { totalCount: number, hasNextPage: boolean, nodes: Array<{ id: string, name: string, prefix: string, status: KeyStatus }> } };

export type ApiKeyByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type ApiKeyByIdQuery = { apiKey: { id: string, name: string } | null };

export type CreateKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string, role: KeyRole, tier: KeyTier, rpmLimit: number | null, requestsPerMinute: number, allowedModels: Array<string>, status: KeyStatus } } };

export type UpdateKeyMutationVariables = Exact<{
  input: UpdateApiKeyInput;
}>;


export type UpdateKeyMutation = { updateApiKey: { id: string, name: string, tier: KeyTier, rpmLimit: number | null, tpmLimit: number | null, requestsPerMinute: number, expiresAt: string | null } };

export type RevokeKeyMutationVariables = Exact<{
  input: RevokeApiKeyInput;
}>;


export type RevokeKeyMutation = { revokeApiKey: { id: string, status: KeyStatus, revokedAt: string | null } };

export type RotateKeyMutationVariables = Exact<{
  input: RotateApiKeyInput;
}>;


export type RotateKeyMutation = { rotateApiKey: { secret: string, apiKey: { id: string, prefix: string, previousSecretExpiresAt: string | null } } };

export type ModelsQueryVariables = Exact<{
  includeInactive?: boolean | null | undefined;
}>;


export type ModelsQuery = { models: Array<{ id: string, name: string, isActive: boolean, provider: string, temperature: number | null, details: { family: string | null, parameterSize: string | null } | null }> };

export type ModelsWithUpstreamQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsWithUpstreamQuery = { models: Array<{ id: string, upstream: string | null }> };

export type ModelByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type ModelByIdQuery = { model: { id: string, isActive: boolean } | null };

export type UpdateModelMutationVariables = Exact<{
  input: UpdateModelInput;
}>;


export type UpdateModelMutation = { updateModel: { id: string, name: string, isActive: boolean, temperature: number | null } };

export type SyncModelsMutationVariables = Exact<{ [key: string]: never; }>;


export type SyncModelsMutation = { syncModels: { upstreams: Array<{ upstream: string, ok: boolean, seen: number, added: Array<string> }>, models: Array<{ id: string }> } };

export type ChatOnceMutationVariables = Exact<{
  input: ChatInput;
}>;


export type ChatOnceMutation = { chat: { id: string, model: string, text: string, finishReason: FinishReason, usage: { promptTokens: number, completionTokens: number, totalTokens: number } } };

export type GenerateOnceMutationVariables = Exact<{
  input: GenerateInput;
}>;


export type GenerateOnceMutation = { generate: { id: string, model: string, text: string, finishReason: FinishReason, usage: { promptTokens: number, completionTokens: number, totalTokens: number } } };

export type ChatStreamSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type ChatStreamSubscription = { chat: { id: string, delta: string, done: boolean, finishReason: FinishReason | null, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

export type GenerateStreamSubscriptionVariables = Exact<{
  input: GenerateInput;
}>;


export type GenerateStreamSubscription = { generate: { delta: string, done: boolean, finishReason: FinishReason | null, usage: { totalTokens: number } | null } };

export type UsageReportQueryVariables = Exact<{
  filter?: UsageFilter | null | undefined;
  interval?: UsageInterval | null | undefined;
}>;


export type UsageReportQuery = { usage: { totals: { requests: number, errors: number, promptTokens: number, completionTokens: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null }, byModel: Array<{ model: string, totals: { requests: number } }>, byKey: Array<{ apiKeyId: string, apiKey: { name: string } | null, totals: { requests: number, totalTokens: number } }>, series: Array<{ start: string, totals: { requests: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null }, byModel: Array<{ model: string, totals: { requests: number } }>, byKey: Array<{ apiKeyId: string, totals: { requests: number } }> }>, recent: Array<{ id: string, apiKeyId: string, model: string, surface: string, endpoint: string, status: number, stream: boolean, totalTokens: number, latencyMs: number, ttftMs: number | null }> } };

export type KeyUsageQueryVariables = Exact<{ [key: string]: never; }>;


export type KeyUsageQuery = { viewer: { usage: { totals: { requests: number } } } };

export type ModelLookupQueryVariables = Exact<{
  id: string | number;
}>;


export type ModelLookupQuery = { model: { id: string } | null };

export type SchedulerUpstreamsQueryVariables = Exact<{ [key: string]: never; }>;


export type SchedulerUpstreamsQuery = { upstreams: Array<{ id: string, name: string, url: string, state: UpstreamState, health: UpstreamHealth, slots: number, inFlight: number, consecutiveFailures: number, version: string | null, listedModels: Array<string>, lastProbeAt: string | null, loadedModels: Array<{ name: string }>, lastError: { message: string } | null }> };

export type SchedulerAddUpstreamMutationVariables = Exact<{
  input: AddUpstreamInput;
}>;


export type SchedulerAddUpstreamMutation = { addUpstream: { id: string, name: string, slots: number } };

export type SchedulerDrainUpstreamMutationVariables = Exact<{
  input: DrainUpstreamInput;
}>;


export type SchedulerDrainUpstreamMutation = { drainUpstream: { id: string, state: UpstreamState } };

export type SchedulerDisableUpstreamMutationVariables = Exact<{
  input: DisableUpstreamInput;
}>;


export type SchedulerDisableUpstreamMutation = { disableUpstream: { id: string, state: UpstreamState } };

export type SchedulerEnableUpstreamMutationVariables = Exact<{
  input: EnableUpstreamInput;
}>;


export type SchedulerEnableUpstreamMutation = { enableUpstream: { id: string, state: UpstreamState } };

export type SchedulerRemoveUpstreamMutationVariables = Exact<{
  input: RemoveUpstreamInput;
}>;


export type SchedulerRemoveUpstreamMutation = { removeUpstream: string };

export type SchedulerKeyWeightsQueryVariables = Exact<{
  id: string | number;
}>;


export type SchedulerKeyWeightsQuery = { apiKey: { weight: number | null, effectiveWeight: number, maxConcurrent: number | null } | null };

export type SchedulerQueuedChatSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type SchedulerQueuedChatSubscription = { chat: { queuePosition: number | null, delta: string, done: boolean } };

export type SchedulerUsageByServerQueryVariables = Exact<{ [key: string]: never; }>;


export type SchedulerUsageByServerQuery = { usage: { byServer: Array<{ server: string | null, totals: { requests: number } }>, recent: Array<{ upstream: string | null, queueWaitMs: number | null }> } };


export const ThinkingChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ThinkingChat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"thinking"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}}]}}]}}]} as unknown as DocumentNode<ThinkingChatMutation, ThinkingChatMutationVariables>;
export const ThinkingStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ThinkingStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"thinking"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"toolCalls"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"arguments"}}]}}]}}]}}]} as unknown as DocumentNode<ThinkingStreamSubscription, ThinkingStreamSubscriptionVariables>;
export const UsageEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"UsageEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usageEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"surface"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]} as unknown as DocumentNode<UsageEventsSubscription, UsageEventsSubscriptionVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"requestsPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const ApiKeysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeys"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKeyFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"limit"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"offset"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"Variable","name":{"kind":"Name","value":"limit"}}},{"kind":"Argument","name":{"kind":"Name","value":"offset"},"value":{"kind":"Variable","name":{"kind":"Name","value":"offset"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<ApiKeysQuery, ApiKeysQueryVariables>;
export const ApiKeyByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeyById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<ApiKeyByIdQuery, ApiKeyByIdQueryVariables>;
export const CreateKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"requestsPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"allowedModels"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<CreateKeyMutation, CreateKeyMutationVariables>;
export const UpdateKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"tpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"requestsPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<UpdateKeyMutation, UpdateKeyMutationVariables>;
export const RevokeKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}}]} as unknown as DocumentNode<RevokeKeyMutation, RevokeKeyMutationVariables>;
export const RotateKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RotateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}}]}}]}}]}}]} as unknown as DocumentNode<RotateKeyMutation, RotateKeyMutationVariables>;
export const ModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Models"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"includeInactive"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeInactive"},"value":{"kind":"Variable","name":{"kind":"Name","value":"includeInactive"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"parameterSize"}}]}}]}}]}}]} as unknown as DocumentNode<ModelsQuery, ModelsQueryVariables>;
export const ModelsWithUpstreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ModelsWithUpstream"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"upstream"}}]}}]}}]} as unknown as DocumentNode<ModelsWithUpstreamQuery, ModelsWithUpstreamQueryVariables>;
export const ModelByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ModelById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}}]}}]}}]} as unknown as DocumentNode<ModelByIdQuery, ModelByIdQueryVariables>;
export const UpdateModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}}]}}]}}]} as unknown as DocumentNode<UpdateModelMutation, UpdateModelMutationVariables>;
export const SyncModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SyncModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstream"}},{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"seen"}},{"kind":"Field","name":{"kind":"Name","value":"added"}}]}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<SyncModelsMutation, SyncModelsMutationVariables>;
export const ChatOnceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ChatOnce"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]}}]} as unknown as DocumentNode<ChatOnceMutation, ChatOnceMutationVariables>;
export const GenerateOnceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"GenerateOnce"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"GenerateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"generate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]}}]} as unknown as DocumentNode<GenerateOnceMutation, GenerateOnceMutationVariables>;
export const ChatStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ChatStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]}}]} as unknown as DocumentNode<ChatStreamSubscription, ChatStreamSubscriptionVariables>;
export const GenerateStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"GenerateStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"GenerateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"generate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]}}]} as unknown as DocumentNode<GenerateStreamSubscription, GenerateStreamSubscriptionVariables>;
export const UsageReportDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsageReport"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"interval"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageInterval"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"byModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"byKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"series"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"interval"},"value":{"kind":"Variable","name":{"kind":"Name","value":"interval"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"byModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"byKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"recent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"surface"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"stream"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"ttftMs"}}]}}]}}]}}]} as unknown as DocumentNode<UsageReportQuery, UsageReportQueryVariables>;
export const KeyUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeyUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}}]}}]}}]}}]}}]} as unknown as DocumentNode<KeyUsageQuery, KeyUsageQueryVariables>;
export const ModelLookupDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ModelLookup"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<ModelLookupQuery, ModelLookupQueryVariables>;
export const SchedulerUpstreamsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SchedulerUpstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"slots"}},{"kind":"Field","name":{"kind":"Name","value":"inFlight"}},{"kind":"Field","name":{"kind":"Name","value":"consecutiveFailures"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"listedModels"}},{"kind":"Field","name":{"kind":"Name","value":"loadedModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"lastProbeAt"}}]}}]}}]} as unknown as DocumentNode<SchedulerUpstreamsQuery, SchedulerUpstreamsQueryVariables>;
export const SchedulerAddUpstreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SchedulerAddUpstream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"slots"}}]}}]}}]} as unknown as DocumentNode<SchedulerAddUpstreamMutation, SchedulerAddUpstreamMutationVariables>;
export const SchedulerDrainUpstreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SchedulerDrainUpstream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DrainUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"drainUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]} as unknown as DocumentNode<SchedulerDrainUpstreamMutation, SchedulerDrainUpstreamMutationVariables>;
export const SchedulerDisableUpstreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SchedulerDisableUpstream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DisableUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"disableUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]} as unknown as DocumentNode<SchedulerDisableUpstreamMutation, SchedulerDisableUpstreamMutationVariables>;
export const SchedulerEnableUpstreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SchedulerEnableUpstream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"EnableUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"enableUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]} as unknown as DocumentNode<SchedulerEnableUpstreamMutation, SchedulerEnableUpstreamMutationVariables>;
export const SchedulerRemoveUpstreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SchedulerRemoveUpstream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RemoveUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}]}]}}]} as unknown as DocumentNode<SchedulerRemoveUpstreamMutation, SchedulerRemoveUpstreamMutationVariables>;
export const SchedulerKeyWeightsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SchedulerKeyWeights"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveWeight"}},{"kind":"Field","name":{"kind":"Name","value":"maxConcurrent"}}]}}]}}]} as unknown as DocumentNode<SchedulerKeyWeightsQuery, SchedulerKeyWeightsQueryVariables>;
export const SchedulerQueuedChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"SchedulerQueuedChat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queuePosition"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"done"}}]}}]}}]} as unknown as DocumentNode<SchedulerQueuedChatSubscription, SchedulerQueuedChatSubscriptionVariables>;
export const SchedulerUsageByServerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SchedulerUsageByServer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"byServer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"server"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"recent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstream"}},{"kind":"Field","name":{"kind":"Name","value":"queueWaitMs"}}]}}]}}]}}]} as unknown as DocumentNode<SchedulerUsageByServerQuery, SchedulerUsageByServerQueryVariables>;