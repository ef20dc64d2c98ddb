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
  invalidJson: (detail: string) => new GatewayError(400, 'invalid_request_error', 'invalid_json', `Request body is not valid JSON: ${detail}`),
  bodyTooLarge: (limit: number) =>
    new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body is larger than the limit of ${limit} bytes`),
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
  tokenLimited: (limit: number, retryAfter: number) =>
    new GatewayError(429, 'rate_limit_error', 'token_limit_exceeded', `Token limit of ${limit} tokens per minute exceeded; retry in ${retryAfter} s`, {
      retryAfter,
    }),
  upstreamUnavailable: (detail: string, cause?: unknown) =>
    new GatewayError(503, 'upstream_error', 'upstream_unavailable', `The model server is unavailable: ${detail}`, { cause }),
  upstreamTimeout: (detail: string, cause?: unknown) =>
    new GatewayError(504, 'upstream_error', 'upstream_timeout', `The model server did not answer in time: ${detail}`, { cause }),
  upstreamFailed: (detail: string, cause?: unknown) =>
    new GatewayError(502, 'upstream_error', 'upstream_error', `The model server failed: ${detail}`, { cause }),
  shuttingDown: () => new GatewayError(503, 'server_error', 'shutting_down', 'The gateway is shutting down; retry shortly'),
  internal: () => new GatewayError(500, 'server_error', 'internal_error', 'Something went wrong on our end'),
};

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
