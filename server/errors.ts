/**
 * The catalogue of expected failures. Every surface maps a GatewayError to its own wire shape in one
 * place (REST: {"error":{message,type,code}}, /v1: OpenAI's, /ollama: {"error": "..."},
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

export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string;
  /** Seconds until a retry may succeed (429). */
  readonly retryAfter?: number;
  /** The rate-limit state to report in headers along with this error. */
  rateLimit?: { limit: number; remaining: number; reset: number };

  constructor(status: number, type: ErrorType, code: string, message: string, opts: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = type;
    this.code = code;
    this.retryAfter = opts.retryAfter;
  }
}

export const errors = {
  missingKey: () =>
    new GatewayError(401, 'authentication_error', 'invalid_api_key', 'No API key provided. Send it as "Authorization: Bearer <key>".'),
  invalidRequestAuth: () =>
    new GatewayError(401, 'authentication_error', 'invalid_api_key', 'The Authorization header must be "Bearer <key>"'),
  invalidKey: () => new GatewayError(401, 'authentication_error', 'invalid_api_key', 'Invalid API key provided'),
  revokedKey: () => new GatewayError(401, 'authentication_error', 'invalid_api_key', 'This API key has been revoked'),
  expiredKey: () => new GatewayError(401, 'authentication_error', 'invalid_api_key', 'This API key has expired'),
  forbidden: (message = 'This API key is not allowed to do that') => new GatewayError(403, 'permission_error', 'forbidden', message),
  modelNotAllowed: (model: string) =>
    new GatewayError(403, 'permission_error', 'model_not_allowed', `This API key may not use the model '${model}'`),
  invalidRequest: (message: string, code = 'invalid_request') => new GatewayError(400, 'invalid_request_error', code, message),
  /** A field or value the gateway understands but cannot honour (Ollama has no such feature). */
  unsupported: (message: string) => new GatewayError(400, 'invalid_request_error', 'unsupported_parameter', message),
  /** A field whose value does not have the required shape (e.g. JSON text that is not an object). */
  invalidField: (message: string) => new GatewayError(400, 'invalid_request_error', 'invalid_field', message),
  invalidJson: (detail: string) => new GatewayError(400, 'invalid_request_error', 'invalid_json', `Request body is not valid JSON: ${detail}`),
  bodyTooLarge: (limit: number) =>
    new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body is larger than the limit of ${limit} bytes`),
  headersTooLarge: (limit: number) =>
    new GatewayError(431, 'invalid_request_error', 'headers_too_large', `Request headers are larger than the limit of ${limit} bytes`),
  requestTimeout: () => new GatewayError(408, 'invalid_request_error', 'request_timeout', 'The request was not received in time'),
  malformedRequest: (detail = 'not a valid HTTP request') => new GatewayError(400, 'invalid_request_error', 'malformed_request', `Malformed request: ${detail}`),
  unsupportedMediaType: (got: string | undefined, want: string) =>
    new GatewayError(415, 'invalid_request_error', 'unsupported_media_type', `${got ? `Content-Type '${got}' is not supported` : 'Content-Type is missing'}; send ${want}`),
  notFound: (what = 'The requested resource does not exist') => new GatewayError(404, 'not_found_error', 'not_found', what),
  methodNotAllowed: (method: string, path: string) =>
    new GatewayError(405, 'invalid_request_error', 'method_not_allowed', `${method} is not allowed on ${path}`),
  modelNotFound: (model: string) =>
    new GatewayError(404, 'not_found_error', 'model_not_found', `The model '${model}' does not exist or is not active`),
  rateLimited: (limit: number, retryAfter: number) =>
    new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', `Rate limit of ${limit} requests per minute exceeded; retry in ${retryAfter} s`, {
      retryAfter,
    }),
  tokenLimited: (limit: number, retryAfter: number, need?: { tokens: number; left: number }) =>
    new GatewayError(
      429,
      'rate_limit_error',
      'token_limit_exceeded',
      `Token limit of ${limit} tokens per minute exceeded${need ? ` (this request needs about ${need.tokens} tokens, ${need.left} are left in the window)` : ''}; retry in ${retryAfter} s`,
      { retryAfter },
    ),
  /** A request larger than the key's whole tokens-per-minute budget: waiting would not help. */
  overTokenLimit: (limit: number, detail: string) =>
    new GatewayError(400, 'invalid_request_error', 'request_exceeds_token_limit', `This request needs about ${detail}, more than this key's limit of ${limit} tokens per minute; send a shorter prompt or a smaller max_tokens`),
  upstreamUnavailable: (detail: string, cause?: unknown) =>
    new GatewayError(503, 'upstream_error', 'upstream_unavailable', `The model server is unavailable: ${detail}`, { cause }),
  upstreamTimeout: (detail: string, cause?: unknown) =>
    new GatewayError(504, 'upstream_error', 'upstream_timeout', `The model server did not answer in time: ${detail}`, { cause }),
  upstreamFailed: (detail: string, cause?: unknown) =>
    new GatewayError(502, 'upstream_error', 'upstream_error', `The model server failed: ${detail}`, { cause }),
  upstreamTooLarge: (limit: number, cause?: unknown) =>
    new GatewayError(502, 'upstream_error', 'upstream_too_large', `The model server's answer is larger than the limit of ${limit} bytes`, { cause }),
  queueFull: (max: number, retryAfter: number) =>
    new GatewayError(503, 'server_error', 'queue_full', `Every model server is busy and ${max} requests are already waiting; retry in ${retryAfter} s`, { retryAfter }),
  queueTimeout: (waitedS: number, retryAfter: number) =>
    new GatewayError(503, 'server_error', 'queue_timeout', `No model server had a free slot within ${waitedS} s; retry in ${retryAfter} s`, { retryAfter }),
  serversDown: (model: string, reason: string, retryAfter: number) =>
    new GatewayError(503, 'upstream_error', 'upstream_unavailable', `No server for the model '${model}' is answering (${reason}); retry in ${retryAfter} s`, { retryAfter }),
  noServer: (model: string) =>
    new GatewayError(503, 'upstream_error', 'upstream_unavailable', `No enabled, healthy server lists the model '${model}'`, { retryAfter: 5 }),
  shuttingDown: () => new GatewayError(503, 'server_error', 'shutting_down', 'The gateway is shutting down; retry shortly'),
  internal: () => new GatewayError(500, 'server_error', 'internal_error', 'Something went wrong on our end'),
};

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
