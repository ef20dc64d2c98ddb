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

/** Narrows the audit log; every field is optional and they combine with AND. */
export type AuditFilter = {
  /** An action ("key.revoke") or a family of them ("key"). */
  action?: string | null | undefined;
  /** Only actions by this key. */
  actorKeyId?: string | number | null | undefined;
  /** Only entries at or after this time. */
  since?: string | null | undefined;
  /** Only actions from this surface. */
  surface?: AuditSurface | null | undefined;
  /** Only actions on this key or model. */
  targetId?: string | number | null | undefined;
  /** Only entries before this time. */
  until?: string | null | undefined;
};

/** Where an admin action came from. */
export type AuditSurface =
  /** The keys CLI on the gateway’s machine. */
  | 'CLI'
  /** The admin console. */
  | 'CONSOLE'
  /** The GraphQL API (GraphiQL, scripts). */
  | 'GRAPHQL';

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

/** A new team. */
export type CreateTeamInput = {
  /** An http(s) URL that receives the team’s quota alerts; none when omitted. */
  alertWebhookUrl?: string | null | undefined;
  /** Requests per calendar day for the whole team; none when omitted. */
  dailyRequests?: number | null | undefined;
  /** Tokens per calendar day for the whole team; none when omitted. */
  dailyTokens?: number | null | undefined;
  /** What the team is, for people. */
  description?: string | null | undefined;
  /** Tokens per calendar month for the whole team; none when omitted. */
  monthlyTokens?: number | null | undefined;
  /** A unique name. */
  name: string;
  /** The team’s parameter policy; none when omitted. */
  policy?: ParameterPolicyInput | null | undefined;
  /** Requests per minute for the whole team (1 to 1000000); none when omitted. */
  rpmLimit?: number | null | undefined;
  /** Tokens per minute for the whole team (1 to 100000000); none when omitted. */
  tpmLimit?: number | null | undefined;
};

/** The team to delete. */
export type DeleteTeamInput = {
  /** The team to delete; its keys stay, in no team. */
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

/** What a quota counts, and over which calendar period (QUOTA_TIMEZONE, UTC by default). */
export type QuotaMetric =
  /** Requests that ran (were admitted by their quotas) per calendar day. */
  | 'DAILY_REQUESTS'
  /** Prompt plus completion tokens per calendar day. */
  | 'DAILY_TOKENS'
  /** Prompt plus completion tokens per calendar month. */
  | 'MONTHLY_TOKENS';

/** Whose quota it is. */
export type QuotaScope =
  /** The key’s own quota. */
  | 'KEY'
  /** The key’s team’s quota, shared by all its keys. */
  | 'TEAM';

/** How close a key (or team) is to its quotas. */
export type QuotaState =
  /** At 100% of some quota: requests that do not fit get 429 quota_exceeded. */
  | 'EXCEEDED'
  /** Below 80% of every quota. */
  | 'OK'
  /** At 80% or more of some quota. */
  | 'WARNING';

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

/** Changes to a team. Omitted fields stay as they are; null clears a limit, a quota or the webhook. */
export type UpdateTeamInput = {
  /** The team’s alert webhook; null removes it. */
  alertWebhookUrl?: string | null | undefined;
  /** Requests per calendar day; null removes it. */
  dailyRequests?: number | null | undefined;
  /** Tokens per calendar day; null removes it. */
  dailyTokens?: number | null | undefined;
  /** A new description. */
  description?: string | null | undefined;
  /** The team to change. */
  id: string | number;
  /** Tokens per calendar month; null removes it. */
  monthlyTokens?: number | null | undefined;
  /** A new unique name. */
  name?: string | null | undefined;
  /** The team’s parameter policy, replaced whole; null removes it. */
  policy?: ParameterPolicyInput | null | undefined;
  /** Requests per minute for the whole team; null removes it. */
  rpmLimit?: number | null | undefined;
  /** Tokens per minute for the whole team; null removes it. */
  tpmLimit?: number | null | undefined;
};

/** Changes to a server; omitted fields stay as they are. */
export type UpdateUpstreamInput = {
  /** The server to change. */
  id: string | number;
  /** A new name. */
  name?: string | null | undefined;
  /** A new slot count; null returns to OLLAMA_PARALLEL. */
  parallel?: number | null | undefined;
  /** Enable, drain or disable it. */
  state?: UpstreamState | null | undefined;
  /** A new URL (requests running on the old one finish there). */
  url?: string | null | undefined;
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

export type KeysNearQuotaQueryVariables = Exact<{ [key: string]: never; }>;


export type KeysNearQuotaQuery = { keysNearQuota: Array<{ id: string, name: string, quotaState: QuotaState, quota: Array<{ scope: QuotaScope, metric: QuotaMetric, limit: number, used: number, remaining: number, resetsAt: string }> }> };

export type ReplicasPanelQueryVariables = Exact<{ [key: string]: never; }>;


export type ReplicasPanelQuery = { replicas: Array<{ id: string, version: string, startedAt: string, lastHeartbeat: string, live: boolean, inFlight: number, redisState: string, redisReason: string | null, current: boolean }> };

export type ApiKeysPageQueryVariables = Exact<{
  filter?: ApiKeyFilter | null | undefined;
  monthStart: string;
  limit: number;
  after?: string | number | null | undefined;
  admin: boolean;
}>;


export type ApiKeysPageQuery = { apiKeys: { totalCount: number, hasNextPage: boolean, endCursor: string | null, nodes: Array<{ id: string, name: string, prefix: string, role: KeyRole, tier: KeyTier, rpmLimit: number | null, tpmLimit: number | null, weight: number | null, effectiveWeight: number, maxConcurrent: number | null, requestsPerMinute: number, allowedModels: Array<string>, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null, status: KeyStatus, previousSecretExpiresAt: string | null, createdAt: string, dailyTokens: number | null, monthlyTokens: number | null, dailyRequests: number | null, quotaState: QuotaState, team: { id: string, name: string } | null, policy: { maxTokens: number | null, maxTokensMode: PolicyCapMode | null, maxNumCtx: number | null, maxNumCtxMode: PolicyCapMode | null, maxKeepAlive: number | null, maxKeepAliveMode: PolicyCapMode | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null } | null }> }, teams: Array<{ id: string, name: string }>, usage: { byKey: Array<{ apiKeyId: string, totals: { requests: number, totalTokens: number } }> }, models: Array<{ id: string, isActive: boolean }> };

export type CreateApiKeyMutationVariables = Exact<{
  input: CreateApiKeyInput;
}>;


export type CreateApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string } } };

export type UpdateApiKeyMutationVariables = Exact<{
  input: UpdateApiKeyInput;
}>;


export type UpdateApiKeyMutation = { updateApiKey: { id: string, name: string, role: KeyRole, tier: KeyTier, rpmLimit: number | null, tpmLimit: number | null, weight: number | null, effectiveWeight: number, maxConcurrent: number | null, requestsPerMinute: number, allowedModels: Array<string>, expiresAt: string | null, dailyTokens: number | null, monthlyTokens: number | null, dailyRequests: number | null, quotaState: QuotaState, team: { id: string, name: string } | null, policy: { maxTokens: number | null, maxTokensMode: PolicyCapMode | null, maxNumCtx: number | null, maxNumCtxMode: PolicyCapMode | null, maxKeepAlive: number | null, maxKeepAliveMode: PolicyCapMode | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null } | null, effectivePolicy: { maxTokens: number | null, maxNumCtx: number | null, maxKeepAlive: number | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null }, quota: Array<{ scope: QuotaScope, metric: QuotaMetric, limit: number, used: number, remaining: number, resetsAt: string }> } };

export type RevokeApiKeyMutationVariables = Exact<{
  input: RevokeApiKeyInput;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null, status: KeyStatus } };

export type RotateApiKeyMutationVariables = Exact<{
  input: RotateApiKeyInput;
}>;


export type RotateApiKeyMutation = { rotateApiKey: { secret: string, apiKey: { id: string, prefix: string, previousSecretExpiresAt: string | null } } };

export type AuditPageQueryVariables = Exact<{
  filter?: AuditFilter | null | undefined;
  first: number;
  after?: string | number | null | undefined;
}>;


export type AuditPageQuery = { auditLog: { hasNextPage: boolean, endCursor: string | null, nodes: Array<{ id: string, createdAt: string, actorKeyId: string | null, actorName: string, surface: AuditSurface, ip: string | null, action: string, targetType: string, targetId: string | null, before: string | null, after: string | null }> } };

export type KeyPageQueryVariables = Exact<{
  id: string | number;
  from: string;
  to: string;
  admin: boolean;
}>;


export type KeyPageQuery = { apiKey: { id: string, name: string, prefix: string, role: KeyRole, tier: KeyTier, rpmLimit: number | null, tpmLimit: number | null, requestsPerMinute: number, weight: number | null, effectiveWeight: number, maxConcurrent: number | null, allowedModels: Array<string>, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null, status: KeyStatus, previousSecretExpiresAt: string | null, createdAt: string, dailyTokens: number | null, monthlyTokens: number | null, dailyRequests: number | null, quotaState: QuotaState, team: { id: string, name: string } | null, policy: { maxTokens: number | null, maxTokensMode: PolicyCapMode | null, maxNumCtx: number | null, maxNumCtxMode: PolicyCapMode | null, maxKeepAlive: number | null, maxKeepAliveMode: PolicyCapMode | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null } | null, effectivePolicy: { maxTokens: number | null, maxNumCtx: number | null, maxKeepAlive: number | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null }, quota: Array<{ scope: QuotaScope, metric: QuotaMetric, limit: number, used: number, remaining: number, resetsAt: string }> } | null, teams: Array<{ id: string, name: string }>, usage: { totals: { requests: number, errors: number, totalTokens: number, avgLatencyMs: number | null }, series: Array<{ start: string, totals: { requests: number, totalTokens: number } }>, recent: Array<{ id: string, model: string, surface: string, endpoint: string, status: number, totalTokens: number, latencyMs: number, createdAt: string }> }, models: Array<{ id: string }> };

export type ModelsPageQueryVariables = Exact<{ [key: string]: never; }>;


export type ModelsPageQuery = { models: Array<{ id: string, name: string, description: string, isActive: boolean, available: boolean, provider: string, temperature: number | null, topP: number | null, topK: number | null, upstream: string | null, lastSeenAt: string | null, details: { family: string | null, parameterSize: string | null, quantizationLevel: string | null } | null }> };

export type UpdateModelMutationVariables = Exact<{
  input: UpdateModelInput;
}>;


export type UpdateModelMutation = { updateModel: { id: string, name: string, description: string, isActive: boolean, temperature: number | null, topP: number | null, topK: number | null } };

export type SyncModelsMutationVariables = Exact<{ [key: string]: never; }>;


export type SyncModelsMutation = { syncModels: { upstreams: Array<{ upstream: string, ok: boolean, error: string | null, seen: number, added: Array<string>, missing: Array<string> }>, models: Array<{ id: string, isActive: boolean, available: boolean }> } };

export type OverviewQueryVariables = Exact<{
  monthStart: string;
  dayStart: string;
}>;


export type OverviewQuery = { month: { totals: { requests: number, errors: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null } }, day: { totals: { requests: number, totalTokens: number }, recent: Array<{ id: string, model: string, surface: string, status: number, totalTokens: number, latencyMs: number, createdAt: string, apiKey: { id: string, name: string } | null }> }, activeKeys: { totalCount: number }, models: Array<{ id: string, isActive: boolean, available: boolean }> };

export type PlaygroundModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type PlaygroundModelsQuery = { models: Array<{ id: string, name: string, provider: string, temperature: number | null, topP: number | null, topK: number | null, capabilities: Array<string> | null }> };

export type ChatStreamSubscriptionVariables = Exact<{
  input: ChatInput;
}>;


export type ChatStreamSubscription = { chat: { id: string, delta: string, thinking: string, done: boolean, queuePosition: number | null, finishReason: FinishReason | null, usage: { promptTokens: number, completionTokens: number, totalTokens: number } | null } };

export type ServersPageQueryVariables = Exact<{ [key: string]: never; }>;


export type ServersPageQuery = { upstreams: Array<{ id: string, name: string, url: string, state: UpstreamState, health: UpstreamHealth, parallel: number | null, slots: number, inFlight: number, queueLength: number, version: string | null, listedModels: Array<string>, recentLatencyMs: number | null, consecutiveFailures: number, loadedModels: Array<{ name: string, sizeVram: number, expiresAt: string | null }>, lastError: { message: string, at: string } | null }> };

export type AddServerMutationVariables = Exact<{
  input: AddUpstreamInput;
}>;


export type AddServerMutation = { addUpstream: { id: string } };

export type SetServerStateMutationVariables = Exact<{
  input: UpdateUpstreamInput;
}>;


export type SetServerStateMutation = { updateUpstream: { id: string, state: UpstreamState } };

export type RemoveServerMutationVariables = Exact<{
  input: RemoveUpstreamInput;
}>;


export type RemoveServerMutation = { removeUpstream: string };

export type RecordConsoleSignInMutationVariables = Exact<{ [key: string]: never; }>;


export type RecordConsoleSignInMutation = { recordConsoleSignIn: boolean };

export type SignInViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type SignInViewerQuery = { viewer: { id: string, name: string, prefix: string, role: KeyRole, team: { id: string, name: string } | null } };

export type TeamsPageQueryVariables = Exact<{ [key: string]: never; }>;


export type TeamsPageQuery = { teams: Array<{ id: string, name: string, description: string, rpmLimit: number | null, tpmLimit: number | null, dailyTokens: number | null, monthlyTokens: number | null, dailyRequests: number | null, alertWebhookUrl: string | null, keyCount: number, createdAt: string, policy: { maxTokens: number | null, maxTokensMode: PolicyCapMode | null, maxNumCtx: number | null, maxNumCtxMode: PolicyCapMode | null, maxKeepAlive: number | null, maxKeepAliveMode: PolicyCapMode | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null } | null }> };

export type TeamPageQueryVariables = Exact<{
  id: string | number;
}>;


export type TeamPageQuery = { team: { id: string, name: string, description: string, rpmLimit: number | null, tpmLimit: number | null, dailyTokens: number | null, monthlyTokens: number | null, dailyRequests: number | null, alertWebhookUrl: string | null, keyCount: number, createdAt: string, quotaState: QuotaState, policy: { maxTokens: number | null, maxTokensMode: PolicyCapMode | null, maxNumCtx: number | null, maxNumCtxMode: PolicyCapMode | null, maxKeepAlive: number | null, maxKeepAliveMode: PolicyCapMode | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null } | null, quota: Array<{ scope: QuotaScope, metric: QuotaMetric, limit: number, used: number, remaining: number, resetsAt: string }>, keys: Array<{ id: string, name: string, prefix: string, role: KeyRole, tier: KeyTier, status: KeyStatus, lastUsedAt: string | null }> } | null };

export type CreateTeamMutationVariables = Exact<{
  input: CreateTeamInput;
}>;


export type CreateTeamMutation = { createTeam: { id: string, name: string } };

export type UpdateTeamMutationVariables = Exact<{
  input: UpdateTeamInput;
}>;


export type UpdateTeamMutation = { updateTeam: { id: string, name: string, description: string, rpmLimit: number | null, tpmLimit: number | null, dailyTokens: number | null, monthlyTokens: number | null, dailyRequests: number | null, alertWebhookUrl: string | null, policy: { maxTokens: number | null, maxTokensMode: PolicyCapMode | null, maxNumCtx: number | null, maxNumCtxMode: PolicyCapMode | null, maxKeepAlive: number | null, maxKeepAliveMode: PolicyCapMode | null, forcedOptions: unknown, allowedSurfaces: Array<ApiSurface> | null, allowedCidrs: Array<string> | null } | null } };

export type DeleteTeamMutationVariables = Exact<{
  input: DeleteTeamInput;
}>;


export type DeleteTeamMutation = { deleteTeam: { id: string } };

export type UsagePageQueryVariables = Exact<{
  filter: UsageFilter;
  interval: UsageInterval;
}>;


export type UsagePageQuery = { usage: { currency: string, totals: { requests: number, errors: number, promptTokens: number, completionTokens: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null, cost: number | null }, byModel: Array<{ model: string, totals: { requests: number, errors: number, promptTokens: number, completionTokens: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null, cost: number | null } }>, byKey: Array<{ apiKeyId: string, apiKey: { id: string, name: string, prefix: string } | null, totals: { requests: number, errors: number, promptTokens: number, completionTokens: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null, cost: number | null } }>, byTeam: Array<{ teamId: string | null, name: string | null, totals: { requests: number, errors: number, promptTokens: number, completionTokens: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null, cost: number | null } }>, series: Array<{ start: string, totals: { requests: number, totalTokens: number }, byModel: Array<{ model: string, totals: { requests: number, errors: number, promptTokens: number, completionTokens: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null, cost: number | null } }>, byKey: Array<{ apiKeyId: string, totals: { requests: number, errors: number, promptTokens: number, completionTokens: number, totalTokens: number, avgLatencyMs: number | null, avgTtftMs: number | null, cost: number | null } }> }> } };

export type UsageLiveFeedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type UsageLiveFeedSubscription = { usageEvents: { id: string, model: string, surface: string, endpoint: string, status: number, totalTokens: number, latencyMs: number, ttftMs: number | null, createdAt: string, apiKey: { id: string, name: string } | null } };


export const KeysNearQuotaDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeysNearQuota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"keysNearQuota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"quotaState"}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"remaining"}},{"kind":"Field","name":{"kind":"Name","value":"resetsAt"}}]}}]}}]}}]} as unknown as DocumentNode<KeysNearQuotaQuery, KeysNearQuotaQueryVariables>;
export const ReplicasPanelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReplicasPanel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"replicas"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastHeartbeat"}},{"kind":"Field","name":{"kind":"Name","value":"live"}},{"kind":"Field","name":{"kind":"Name","value":"inFlight"}},{"kind":"Field","name":{"kind":"Name","value":"redisState"}},{"kind":"Field","name":{"kind":"Name","value":"redisReason"}},{"kind":"Field","name":{"kind":"Name","value":"current"}}]}}]}}]} as unknown as DocumentNode<ReplicasPanelQuery, ReplicasPanelQueryVariables>;
export const ApiKeysPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApiKeysPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKeyFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"monthStart"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"limit"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"admin"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"Variable","name":{"kind":"Name","value":"limit"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"tpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveWeight"}},{"kind":"Field","name":{"kind":"Name","value":"maxConcurrent"}},{"kind":"Field","name":{"kind":"Name","value":"requestsPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"allowedModels"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"team"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dailyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"dailyRequests"}},{"kind":"Field","name":{"kind":"Name","value":"quotaState"}},{"kind":"Field","name":{"kind":"Name","value":"policy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxTokensMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtxMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAliveMode"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"teams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"monthStart"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"byKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeInactive"},"value":{"kind":"Variable","name":{"kind":"Name","value":"admin"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}}]}}]}}]} as unknown as DocumentNode<ApiKeysPageQuery, ApiKeysPageQueryVariables>;
export const CreateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}}]}}]}}]}}]} as unknown as DocumentNode<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const UpdateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"tpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveWeight"}},{"kind":"Field","name":{"kind":"Name","value":"maxConcurrent"}},{"kind":"Field","name":{"kind":"Name","value":"requestsPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"allowedModels"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"team"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dailyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"dailyRequests"}},{"kind":"Field","name":{"kind":"Name","value":"quotaState"}},{"kind":"Field","name":{"kind":"Name","value":"policy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxTokensMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtxMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAliveMode"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"effectivePolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"remaining"}},{"kind":"Field","name":{"kind":"Name","value":"resetsAt"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateApiKeyMutation, UpdateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const RotateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RotateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}}]}}]}}]}}]} as unknown as DocumentNode<RotateApiKeyMutation, RotateApiKeyMutationVariables>;
export const AuditPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AuditPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AuditFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"actorKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"actorName"}},{"kind":"Field","name":{"kind":"Name","value":"surface"}},{"kind":"Field","name":{"kind":"Name","value":"ip"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"targetType"}},{"kind":"Field","name":{"kind":"Name","value":"targetId"}},{"kind":"Field","name":{"kind":"Name","value":"before"}},{"kind":"Field","name":{"kind":"Name","value":"after"}}]}}]}}]}}]} as unknown as DocumentNode<AuditPageQuery, AuditPageQueryVariables>;
export const KeyPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"KeyPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"admin"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"tpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"requestsPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"weight"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveWeight"}},{"kind":"Field","name":{"kind":"Name","value":"maxConcurrent"}},{"kind":"Field","name":{"kind":"Name","value":"allowedModels"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"team"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dailyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"dailyRequests"}},{"kind":"Field","name":{"kind":"Name","value":"quotaState"}},{"kind":"Field","name":{"kind":"Name","value":"policy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxTokensMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtxMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAliveMode"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"effectivePolicy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"remaining"}},{"kind":"Field","name":{"kind":"Name","value":"resetsAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"teams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"apiKeyId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"series"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"interval"},"value":{"kind":"EnumValue","value":"HOUR"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"recent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"surface"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeInactive"},"value":{"kind":"Variable","name":{"kind":"Name","value":"admin"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<KeyPageQuery, KeyPageQueryVariables>;
export const ModelsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ModelsPage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeInactive"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"upstream"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"parameterSize"}},{"kind":"Field","name":{"kind":"Name","value":"quantizationLevel"}}]}}]}}]}}]} as unknown as DocumentNode<ModelsPageQuery, ModelsPageQueryVariables>;
export const UpdateModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}}]}}]}}]} as unknown as DocumentNode<UpdateModelMutation, UpdateModelMutationVariables>;
export const SyncModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SyncModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstream"}},{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"seen"}},{"kind":"Field","name":{"kind":"Name","value":"added"}},{"kind":"Field","name":{"kind":"Name","value":"missing"}}]}},{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]}}]}}]} as unknown as DocumentNode<SyncModelsMutation, SyncModelsMutationVariables>;
export const OverviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Overview"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"monthStart"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"dayStart"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","alias":{"kind":"Name","value":"month"},"name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"monthStart"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"day"},"name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"dayStart"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"8"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"surface"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"Field","alias":{"kind":"Name","value":"activeKeys"},"name":{"kind":"Name","value":"apiKeys"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"ACTIVE"}}]}},{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"1"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeInactive"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"isActive"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]}}]} as unknown as DocumentNode<OverviewQuery, OverviewQueryVariables>;
export const PlaygroundModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PlaygroundModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"temperature"}},{"kind":"Field","name":{"kind":"Name","value":"topP"}},{"kind":"Field","name":{"kind":"Name","value":"topK"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}}]}}]}}]} as unknown as DocumentNode<PlaygroundModelsQuery, PlaygroundModelsQueryVariables>;
export const ChatStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ChatStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ChatInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"thinking"}},{"kind":"Field","name":{"kind":"Name","value":"done"}},{"kind":"Field","name":{"kind":"Name","value":"queuePosition"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}}]}}]}}]} as unknown as DocumentNode<ChatStreamSubscription, ChatStreamSubscriptionVariables>;
export const ServersPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ServersPage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upstreams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"health"}},{"kind":"Field","name":{"kind":"Name","value":"parallel"}},{"kind":"Field","name":{"kind":"Name","value":"slots"}},{"kind":"Field","name":{"kind":"Name","value":"inFlight"}},{"kind":"Field","name":{"kind":"Name","value":"queueLength"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"listedModels"}},{"kind":"Field","name":{"kind":"Name","value":"loadedModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"sizeVram"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recentLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"consecutiveFailures"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]}}]} as unknown as DocumentNode<ServersPageQuery, ServersPageQueryVariables>;
export const AddServerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddServer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AddUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<AddServerMutation, AddServerMutationVariables>;
export const SetServerStateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetServerState"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]} as unknown as DocumentNode<SetServerStateMutation, SetServerStateMutationVariables>;
export const RemoveServerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveServer"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RemoveUpstreamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeUpstream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}]}]}}]} as unknown as DocumentNode<RemoveServerMutation, RemoveServerMutationVariables>;
export const RecordConsoleSignInDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RecordConsoleSignIn"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"recordConsoleSignIn"}}]}}]} as unknown as DocumentNode<RecordConsoleSignInMutation, RecordConsoleSignInMutationVariables>;
export const SignInViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SignInViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"team"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<SignInViewerQuery, SignInViewerQueryVariables>;
export const TeamsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TeamsPage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"teams"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"tpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"dailyRequests"}},{"kind":"Field","name":{"kind":"Name","value":"alertWebhookUrl"}},{"kind":"Field","name":{"kind":"Name","value":"keyCount"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"policy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxTokensMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtxMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAliveMode"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}}]}}]}}]} as unknown as DocumentNode<TeamsPageQuery, TeamsPageQueryVariables>;
export const TeamPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TeamPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"team"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"tpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"dailyRequests"}},{"kind":"Field","name":{"kind":"Name","value":"alertWebhookUrl"}},{"kind":"Field","name":{"kind":"Name","value":"keyCount"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"policy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxTokensMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtxMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAliveMode"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}},{"kind":"Field","name":{"kind":"Name","value":"quotaState"}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"limit"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"remaining"}},{"kind":"Field","name":{"kind":"Name","value":"resetsAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"keys"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}}]}}]}}]}}]} as unknown as DocumentNode<TeamPageQuery, TeamPageQueryVariables>;
export const CreateTeamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateTeam"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateTeamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createTeam"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<CreateTeamMutation, CreateTeamMutationVariables>;
export const UpdateTeamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateTeam"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateTeamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateTeam"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"rpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"tpmLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"monthlyTokens"}},{"kind":"Field","name":{"kind":"Name","value":"dailyRequests"}},{"kind":"Field","name":{"kind":"Name","value":"alertWebhookUrl"}},{"kind":"Field","name":{"kind":"Name","value":"policy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"maxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"maxTokensMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtx"}},{"kind":"Field","name":{"kind":"Name","value":"maxNumCtxMode"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAlive"}},{"kind":"Field","name":{"kind":"Name","value":"maxKeepAliveMode"}},{"kind":"Field","name":{"kind":"Name","value":"forcedOptions"}},{"kind":"Field","name":{"kind":"Name","value":"allowedSurfaces"}},{"kind":"Field","name":{"kind":"Name","value":"allowedCidrs"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateTeamMutation, UpdateTeamMutationVariables>;
export const DeleteTeamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteTeam"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteTeamInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteTeam"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<DeleteTeamMutation, DeleteTeamMutationVariables>;
export const UsagePageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsagePage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"interval"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageInterval"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}},{"kind":"Field","name":{"kind":"Name","value":"currency"}},{"kind":"Field","name":{"kind":"Name","value":"byModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"byKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}}]}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"byTeam"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"teamId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"series"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"interval"},"value":{"kind":"Variable","name":{"kind":"Name","value":"interval"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"byModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"byKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeyId"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"avgLatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"avgTtftMs"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<UsagePageQuery, UsagePageQueryVariables>;
export const UsageLiveFeedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"UsageLiveFeed"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usageEvents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"model"}},{"kind":"Field","name":{"kind":"Name","value":"surface"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"ttftMs"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"apiKey"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<UsageLiveFeedSubscription, UsageLiveFeedSubscriptionVariables>;