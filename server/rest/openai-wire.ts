/**
 * OpenAI's wire conventions shared by /v1/chat/completions, /v1/completions and /v1/responses: the
 * error body with its `param`, image data URLs, JSON-string tool arguments and call ids.
 */
import type { z } from 'zod';
import { errors, isGatewayError, type GatewayError } from '../errors.ts';
import { newId } from '../ids.ts';
import { parseBody } from './validation.ts';

// OpenAI names the field at fault in `param`; the gateway's option checks say it in their code.
const PARAM_OF_CODE: Record<string, string> = {
  missing_model: 'model',
  model_not_found: 'model',
  model_not_allowed: 'model',
  invalid_temperature: 'temperature',
  invalid_top_p: 'top_p',
  invalid_max_tokens: 'max_tokens',
  invalid_seed: 'seed',
};
const params = new WeakMap<GatewayError, string>();

/** An error with the request field it is about, reported as OpenAI's `param`. */
export function badParam(param: string, message: string): GatewayError {
  const err = errors.invalidValue(message);
  params.set(err, param);
  return err;
}

/** A request field the gateway cannot honour, reported with its `param`. */
export function unsupportedParam(param: string, message: string): GatewayError {
  const err = errors.unsupported(message);
  params.set(err, param);
  return err;
}

/** parseBody, remembering the offending field for `param`. */
export function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  try {
    return parseBody(schema, body);
  } catch (err) {
    const issue = schema.safeParse(body).error?.issues[0];
    if (issue && isGatewayError(err)) params.set(err, issue.path.map(String).join('.'));
    throw err;
  }
}

/** OpenAI's error taxonomy: its SDK picks the exception class from the status, tools read `type` and `code`. */
function openAiType(e: GatewayError): string {
  // OpenAI's own type for a used-up quota (its code stays the gateway's quota_exceeded).
  if (e.code === 'quota_exceeded') return 'insufficient_quota';
  if (e.status === 429) return e.code === 'token_limit_exceeded' ? 'tokens' : 'requests';
  if (e.status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function openAiErrorBody(e: GatewayError) {
  return { error: { message: e.message, type: openAiType(e), param: params.get(e) ?? PARAM_OF_CODE[e.code] ?? null, code: e.code } };
}

/** The base64 data of an image data: URL; Ollama takes images inline, and fetching remote URLs for a client is not the gateway's job. */
export function imageData(url: string): string | undefined {
  return /^data:image\/[\w.+-]+;base64,(.+)$/s.exec(url)?.[1];
}

/** A JSON-string `arguments` (OpenAI's form) as the object Ollama takes; `param` names the field when it is not one. */
export function parseArguments(text: string, param: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw badParam(param, `${param} must be a JSON object encoded as a string`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badParam(param, `${param} must be a JSON object encoded as a string`);
  return value as Record<string, unknown>;
}

export function newCallId(): string {
  return newId('call_');
}
