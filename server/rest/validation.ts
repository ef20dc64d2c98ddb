/** Turns zod issues into one client-facing sentence that names the offending field. */
import { z } from 'zod';
import { errors } from '../errors.ts';

function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

export function describeIssue(issue: z.core.$ZodIssue): { message: string; code: string } {
  const field = fieldName(issue.path) || 'body';
  switch (issue.code) {
    case 'invalid_type':
      if ((issue as { input?: unknown }).input === undefined) return { message: `${field} is required`, code: 'missing_field' };
      return { message: `${field} must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`, code: 'invalid_field' };
    case 'invalid_value':
      return { message: `${field} must be one of: ${issue.values.map(String).join(', ')}`, code: 'invalid_field' };
    case 'too_small':
      if (issue.origin === 'array') return { message: `${field} must contain at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`, code: 'invalid_field' };
      if (issue.origin === 'string') return { message: `${field} must not be empty`, code: 'invalid_field' };
      return { message: `${field} must be at least ${issue.minimum}`, code: 'invalid_field' };
    case 'too_big':
      return { message: `${field} must be at most ${issue.maximum}${issue.origin === 'array' ? ' items' : ''}`, code: 'invalid_field' };
    default:
      return { message: `${field}: ${issue.message}`, code: 'invalid_field' };
  }
}

/** Parses `body` with `schema` or throws a 400 GatewayError naming the first problem. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.invalidRequest('Request body must be a JSON object', 'invalid_body');
  }
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const { message, code } = describeIssue(result.error.issues[0]);
  throw errors.invalidRequest(message, code);
}
