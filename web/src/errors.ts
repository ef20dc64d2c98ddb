/** Turns what urql, fetch and graphql-ws report into one sentence a person can act on. */
import type { CombinedError } from '@urql/core';

type ErrorKind = 'auth' | 'forbidden' | 'rate-limit' | 'network' | 'invalid' | 'other';

export interface Problem {
  kind: ErrorKind;
  message: string;
}

interface CloseLike {
  code: number;
  reason: string;
}

const isClose = (e: unknown): e is CloseLike => typeof e === 'object' && e !== null && typeof (e as CloseLike).code === 'number' && 'reason' in e;

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'INVALID_API_KEY', 'MISSING_API_KEY']);
const RATE_CODES = new Set(['RATE_LIMITED', 'RATE_LIMIT_EXCEEDED', 'TOKEN_LIMIT_EXCEEDED']);

function codeOf(error: CombinedError): string | undefined {
  for (const e of error.graphQLErrors) {
    const code = e.extensions?.code;
    if (typeof code === 'string') return code.toUpperCase();
  }
  return undefined;
}

function httpStatus(error: CombinedError): number | undefined {
  const res = error.response as { status?: number } | undefined;
  return typeof res?.status === 'number' ? res.status : undefined;
}

export function isAuthError(error: CombinedError): boolean {
  const code = codeOf(error);
  if (code && AUTH_CODES.has(code)) return true;
  if (httpStatus(error) === 401) return true;
  const net = error.networkError as unknown;
  return isClose(net) && (net.code === 4401 || net.code === 4403);
}

export function describeError(error: CombinedError | Error | unknown): Problem {
  if (error && typeof error === 'object' && 'graphQLErrors' in error) {
    const e = error as CombinedError;
    const code = codeOf(e);
    const first = e.graphQLErrors[0]?.message;
    if (isAuthError(e)) return { kind: 'auth', message: 'The gateway refused the admin key (revoked, expired or wrong). Sign in again.' };
    if ((code && RATE_CODES.has(code)) || httpStatus(e) === 429) {
      const ext = e.graphQLErrors[0]?.extensions ?? {};
      const retry = ext.retryAfter ?? ext.retry_after;
      return { kind: 'rate-limit', message: `Rate limited${typeof retry === 'number' ? `: try again in ${retry} s` : ''}. ${first ?? ''}`.trim() };
    }
    if (code === 'FORBIDDEN' || code === 'MODEL_NOT_ALLOWED') return { kind: 'forbidden', message: first ?? 'This key may not do that.' };
    if (code === 'BAD_USER_INPUT' || code === 'INVALID_REQUEST' || code === 'INVALID_FIELD' || code === 'GRAPHQL_VALIDATION_FAILED')
      return { kind: 'invalid', message: first ?? 'The request was invalid.' };
    if (first) return { kind: 'other', message: first };
    const net = e.networkError as unknown;
    if (isClose(net)) return { kind: 'network', message: `The live connection closed (${net.code}${net.reason ? `: ${net.reason}` : ''}).` };
    if (net) return { kind: 'network', message: `Cannot reach the gateway: ${(net as Error).message || 'network error'}.` };
    return { kind: 'other', message: e.message };
  }
  if (isClose(error)) return { kind: 'network', message: `The live connection closed (${error.code}${error.reason ? `: ${error.reason}` : ''}).` };
  if (error instanceof Error) return { kind: 'other', message: error.message };
  return { kind: 'other', message: String(error) };
}
