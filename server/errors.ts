/**
 * The closed catalogue of expected failures: every error code the gateway answers with, its HTTP
 * status and its type, in one table, and a factory per failure. Call sites never invent a code; a
 * new one is added here. Every surface maps a GatewayError to its own wire shape in one place (REST:
 * {"error":{message,type,code}}, /v1: OpenAI's, /v1/messages: Anthropic's, /ollama: {"error": "..."},
 * GraphQL: extensions.code). Anything that is not a GatewayError is unexpected and masked.
 */
export type ErrorType =
  | 'authentication_error'
  | 'permission_error'
  | 'invalid_request_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'upstream_error'
  | 'server_error';

const bad = [400, 'invalid_request_error'] as const;

/** Every code, with its status and type. */
const CATALOGUE = {
  invalid_api_key: [401, 'authentication_error'],
  forbidden: [403, 'permission_error'],
  model_not_allowed: [403, 'permission_error'],
  surface_not_allowed: [403, 'permission_error'],
  ip_not_allowed: [403, 'permission_error'],
  invalid_request: bad,
  invalid_body: bad,
  empty_body: bad,
  invalid_json: bad,
  too_deeply_nested: bad,
  missing_field: bad,
  invalid_field: bad,
  invalid_value: bad,
  missing_model: bad,
  invalid_temperature: bad,
  invalid_top_p: bad,
  invalid_top_k: bad,
  invalid_max_tokens: bad,
  invalid_seed: bad,
  unsupported_parameter: bad,
  embeddings_not_supported: bad,
  upstream_rejected: bad,
  request_exceeds_token_limit: bad,
  request_exceeds_quota: bad,
  policy_violation: bad,
  invalid_policy: bad,
  key_revoked: bad,
  last_admin: bad,
  batching_not_supported: bad,
  missing_query: bad,
  variables_too_large: bad,
  too_many_messages: bad,
  list_too_long: bad,
  malformed_request: bad,
  request_timeout: [408, 'invalid_request_error'],
  request_too_large: [413, 'invalid_request_error'],
  unsupported_media_type: [415, 'invalid_request_error'],
  headers_too_large: [431, 'invalid_request_error'],
  method_not_allowed: [405, 'invalid_request_error'],
  not_found: [404, 'not_found_error'],
  model_not_found: [404, 'not_found_error'],
  rate_limit_exceeded: [429, 'rate_limit_error'],
  token_limit_exceeded: [429, 'rate_limit_error'],
  quota_exceeded: [429, 'rate_limit_error'],
  upstream_error: [502, 'upstream_error'],
  upstream_too_large: [502, 'upstream_error'],
  upstream_unavailable: [503, 'upstream_error'],
  upstream_timeout: [504, 'upstream_error'],
  quota_unavailable: [503, 'server_error'],
  queue_full: [503, 'server_error'],
  queue_timeout: [503, 'server_error'],
  shutting_down: [503, 'server_error'],
  internal_error: [500, 'server_error'],
} as const satisfies Record<string, readonly [number, ErrorType]>;

export type ErrorCode = keyof typeof CATALOGUE;

/** The sampling options the engine checks, each with its own code (`invalid_<option>`). */
export type CheckedOption = 'temperature' | 'top_p' | 'top_k' | 'max_tokens' | 'seed';

/** A calendar quota as the X-Quota-* headers report it. */
export interface QuotaHeader {
  scope: 'key' | 'team';
  metric: 'daily_tokens' | 'monthly_tokens' | 'daily_requests';
  limit: number;
  remaining: number;
  /** Unix seconds: the end of the quota's period. */
  reset: number;
}

/** How a quota is named in messages: "daily token quota", "daily request quota". */
const QUOTA_WORDS: Record<QuotaHeader['metric'], [string, string]> = {
  daily_tokens: ['daily token quota', 'tokens'],
  monthly_tokens: ['monthly token quota', 'tokens'],
  daily_requests: ['daily request quota', 'requests'],
};

const quotaOwner = (scope: QuotaHeader['scope'], name: string) => (scope === 'key' ? 'this key' : `team '${name}'`);

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: ErrorCode;
  /** Seconds until a retry may succeed (429, 503). */
  readonly retryAfter?: number;
  /** The rate-limit state to report in headers along with this error. */
  rateLimit?: { limit: number; remaining: number; reset: number };
  /** The calendar quota that refused the request, for the X-Quota-* headers. */
  quota?: QuotaHeader;

  constructor(code: ErrorCode, message: string, opts: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'GatewayError';
    [this.status, this.type] = CATALOGUE[code];
    this.code = code;
    this.retryAfter = opts.retryAfter;
  }
}

const fail = (code: ErrorCode, message: string, opts?: { retryAfter?: number; cause?: unknown }) => new GatewayError(code, message, opts);

export const errors = {
  missingKey: () => fail('invalid_api_key', 'No API key provided. Send it as "Authorization: Bearer <key>".'),
  invalidRequestAuth: () => fail('invalid_api_key', 'The Authorization header must be "Bearer <key>"'),
  invalidKey: () => fail('invalid_api_key', 'Invalid API key provided'),
  revokedKey: () => fail('invalid_api_key', 'This API key has been revoked'),
  expiredKey: () => fail('invalid_api_key', 'This API key has expired'),
  forbidden: (message = 'This API key is not allowed to do that') => fail('forbidden', message),
  modelNotAllowed: (model: string) => fail('model_not_allowed', `This API key may not use the model '${model}'`),
  invalidRequest: (message: string) => fail('invalid_request', message),
  /** A request over a parameter-policy cap whose mode is `reject` (server/policy): names the setting, the value and the cap. */
  policyViolation: (setting: string, value: string | number, cap: string | number) =>
    fail('policy_violation', `${setting} ${value} is over this key's parameter policy cap of ${cap}; send at most ${cap}`),
  /** A parameter policy (GraphQL input, CLI --policy) that does not have the documented shape. */
  invalidPolicy: (detail: string) => fail('invalid_policy', `Invalid parameter policy: ${detail}`),
  /** A policy change that would refuse the very key making it (from where it is making it). */
  policyLocksOut: (why: string) =>
    fail('invalid_policy', `This policy would lock out the key making this change (${why}); change it with another key, or from the keys CLI`),
  surfaceNotAllowed: (what: string) => fail('surface_not_allowed', `This API key's parameter policy does not allow ${what}`),
  ipNotAllowed: (ip: string) => fail('ip_not_allowed', `This API key may not be used from the address ${ip} (not in its parameter policy's allowed CIDRs)`),
  invalidBody: (message = 'Request body must be a JSON object') => fail('invalid_body', message),
  emptyBody: () => fail('empty_body', 'Request body is empty; send a JSON object'),
  tooDeeplyNested: (max: number) => fail('too_deeply_nested', `Request body is nested deeper than ${max} levels`),
  missingField: (field: string) => fail('missing_field', `${field} is required`),
  /** A value of the wrong type or out of range, as a schema check words it. */
  invalidValue: (message: string) => fail('invalid_value', message),
  missingModel: () => fail('missing_model', 'model is required'),
  invalidOption: (option: CheckedOption, message: string) => fail(`invalid_${option}`, message),
  embeddingsNotSupported: (model: string) => fail('embeddings_not_supported', `The model '${model}' does not support embeddings`),
  /** Ollama itself refused the request (a model that cannot chat, a bad image): the client's to fix. */
  upstreamRejected: (message: string) => fail('upstream_rejected', `Ollama refused the request: ${message}`),
  keyRevoked: () => fail('key_revoked', 'A revoked key cannot be rotated'),
  lastAdmin: () => fail('last_admin', 'This is the last working admin key: create another admin key before making this one a user key'),
  batchingNotSupported: () => fail('batching_not_supported', 'Batched operations are not supported; send one operation per request'),
  missingQuery: () => fail('missing_query', 'Request body must contain a "query"'),
  variablesTooLarge: (max: number) => fail('variables_too_large', `variables hold more than ${max} values`),
  listTooLong: ({ path, length, max, messages }: { path: string; length: number; max: number; messages: boolean }) =>
    fail(messages ? 'too_many_messages' : 'list_too_long', `${path} has ${length} entries; at most ${max} are allowed`),
  /** A field or value the gateway understands but cannot honour (Ollama has no such feature). */
  unsupported: (message: string) => fail('unsupported_parameter', message),
  /** A field whose value does not have the required shape (e.g. JSON text that is not an object). */
  invalidField: (message: string) => fail('invalid_field', message),
  invalidJson: (detail: string) => fail('invalid_json', `Request body is not valid JSON: ${detail}`),
  bodyTooLarge: (limit: number) => fail('request_too_large', `Request body is larger than the limit of ${limit} bytes`),
  headersTooLarge: (limit: number) => fail('headers_too_large', `Request headers are larger than the limit of ${limit} bytes`),
  requestTimeout: () => fail('request_timeout', 'The request was not received in time'),
  malformedRequest: (detail = 'not a valid HTTP request') => fail('malformed_request', `Malformed request: ${detail}`),
  unsupportedMediaType: (got: string | undefined, want: string) =>
    fail('unsupported_media_type', `${got ? `Content-Type '${got}' is not supported` : 'Content-Type is missing'}; send ${want}`),
  notFound: (what = 'The requested resource does not exist') => fail('not_found', what),
  methodNotAllowed: (method: string, path: string) => fail('method_not_allowed', `${method} is not allowed on ${path}`),
  modelNotFound: (model: string) => fail('model_not_found', `The model '${model}' does not exist or is not active`),
  rateLimited: (limit: number, retryAfter: number) =>
    fail('rate_limit_exceeded', `Rate limit of ${limit} requests per minute exceeded; retry in ${retryAfter} s`, {
      retryAfter,
    }),
  tokenLimited: (limit: number, retryAfter: number, need?: { tokens: number; left: number }) =>
    fail(
      'token_limit_exceeded',
      `Token limit of ${limit} tokens per minute exceeded${need ? ` (this request needs about ${need.tokens} tokens, ${need.left} are left in the window)` : ''}; retry in ${retryAfter} s`,
      { retryAfter },
    ),
  /** A request larger than the key's whole tokens-per-minute budget: waiting would not help. */
  overTokenLimit: (limit: number, detail: string) =>
    fail(
      'request_exceeds_token_limit',
      `This request needs about ${detail}, more than this key's limit of ${limit} tokens per minute; send a shorter prompt or a smaller max_tokens`,
    ),
  /** A team's requests-per-minute limit, which holds besides each of its keys' own. */
  teamRateLimited: (team: string, limit: number, retryAfter: number) =>
    fail('rate_limit_exceeded', `Team '${team}' rate limit of ${limit} requests per minute exceeded; retry in ${retryAfter} s`, { retryAfter }),
  teamTokenLimited: (team: string, limit: number, retryAfter: number, need: { tokens: number; left: number }) =>
    fail(
      'token_limit_exceeded',
      `Team '${team}' token limit of ${limit} tokens per minute exceeded (this request needs about ${need.tokens} tokens, ${need.left} are left in the window); retry in ${retryAfter} s`,
      { retryAfter },
    ),
  teamOverTokenLimit: (team: string, limit: number, detail: string) =>
    fail(
      'request_exceeds_token_limit',
      `This request needs about ${detail}, more than team '${team}''s limit of ${limit} tokens per minute; send a shorter prompt or a smaller max_tokens`,
    ),
  /** A calendar quota (per day or month, of a key or its team) has no room for this request until the period ends. */
  quotaExceeded: ({ quota, name, need, used, retryAfter }: { quota: QuotaHeader; name: string; need: number; used: number; retryAfter: number }) => {
    const [what, unit] = QUOTA_WORDS[quota.metric];
    const detail = quota.metric === 'daily_requests' ? `${used} used` : `this request needs about ${need}, ${quota.remaining} are left`;
    const e = fail(
      'quota_exceeded',
      `The ${what} of ${quotaOwner(quota.scope, name)} (${quota.limit} ${unit}) is used up (${detail}); it resets at ${new Date(quota.reset * 1000).toISOString()}`,
      { retryAfter },
    );
    e.quota = quota;
    return e;
  },
  /** A request larger than a whole token quota: it could never run, whatever the time. */
  overQuota: ({ quota, name, detail }: { quota: QuotaHeader; name: string; detail: string }) =>
    fail(
      'request_exceeds_quota',
      `This request needs about ${detail}, more than the whole ${QUOTA_WORDS[quota.metric][0]} of ${quotaOwner(quota.scope, name)} (${quota.limit} tokens); send a shorter prompt or a smaller max_tokens`,
    ),
  /** The usage a quota counts from cannot be read (the database is not answering): refused rather than let through. */
  quotaUnavailable: () => fail('quota_unavailable', 'The quota usage of this key cannot be read right now; retry shortly', { retryAfter: 5 }),
  upstreamUnavailable: (detail: string, cause?: unknown) => fail('upstream_unavailable', `The model server is unavailable: ${detail}`, { cause }),
  upstreamTimeout: (detail: string, cause?: unknown) => fail('upstream_timeout', `The model server did not answer in time: ${detail}`, { cause }),
  upstreamFailed: (detail: string, cause?: unknown) => fail('upstream_error', `The model server failed: ${detail}`, { cause }),
  upstreamTooLarge: (limit: number, cause?: unknown) =>
    fail('upstream_too_large', `The model server's answer is larger than the limit of ${limit} bytes`, { cause }),
  queueFull: (max: number, retryAfter: number) =>
    fail('queue_full', `Every model server is busy and ${max} requests are already waiting; retry in ${retryAfter} s`, { retryAfter }),
  queueTimeout: (waitedS: number, retryAfter: number) =>
    fail('queue_timeout', `No model server had a free slot within ${waitedS} s; retry in ${retryAfter} s`, { retryAfter }),
  serversDown: (model: string, reason: string, retryAfter: number) =>
    fail('upstream_unavailable', `No server for the model '${model}' is answering (${reason}); retry in ${retryAfter} s`, { retryAfter }),
  noServer: (model: string) => fail('upstream_unavailable', `No enabled, healthy server lists the model '${model}'`, { retryAfter: 5 }),
  shuttingDown: () => fail('shutting_down', 'The gateway is shutting down; retry shortly'),
  internal: () => fail('internal_error', 'Something went wrong on our end'),
};

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
