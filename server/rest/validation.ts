/** Turns zod issues into one client-facing sentence that names the offending field. */
import type { z } from 'zod';
import { errors, type GatewayError } from '../errors.ts';

function fieldName(path: PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/**
 * The 400 for a zod issue: `missing_field` when a required field is absent, `invalid_field` otherwise,
 * with a sentence naming the field (prefixed by `where`, e.g. "messages[0].content[1]").
 */
export function issueError(issue: z.core.$ZodIssue, where?: string): GatewayError {
  const own = fieldName(issue.path);
  const field = where ? (own ? `${where}.${own}` : where) : own || 'body';
  const invalid = (message: string) => errors.invalidField(message);
  switch (issue.code) {
    case 'invalid_type':
      if ((issue as { input?: unknown }).input === undefined) return errors.missingField(field);
      return invalid(`${field} must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`);
    case 'invalid_value':
      return invalid(`${field} must be one of: ${issue.values.map(String).join(', ')}`);
    case 'too_small':
      if (issue.origin === 'array') return invalid(`${field} must contain at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`);
      if (issue.origin === 'string') return invalid(`${field} must not be empty`);
      return invalid(`${field} must be at least ${issue.minimum}`);
    case 'too_big':
      return invalid(`${field} must be at most ${issue.maximum}${issue.origin === 'array' ? ' items' : ''}`);
    default:
      return invalid(`${field}: ${issue.message}`);
  }
}

/** Parses `body` with `schema` or throws a 400 GatewayError naming the first problem. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.invalidBody();
  }
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  throw issueError(result.error.issues[0]);
}
