/**
 * The gate in front of Yoga for GraphQL over HTTP and SSE: what REST does before a handler runs, in
 * the same order and with the same limits, so that no request does heavy work before it is known
 * to be allowed. A POST is checked key -> declared size -> content type, then its body is read with
 * the limit (cut as soon as it passes it), parsed once and handed to Yoga already parsed; variables
 * are bounded (checkVariables) before Yoga coerces them. Refusals are GraphQL-shaped:
 * {"errors":[{"message","extensions":{"code","reason"}}]}.
 *
 * @example
 *   if (!(await gateGraphQLPost({ req, res, keys, maxBodyBytes }))) return; // refused and answered
 *   await yoga.handle(req, res, { req, res });
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { KeyStore, Principal } from './auth/key-store.ts';
import { errors, isGatewayError, type GatewayError } from './errors.ts';
import { MAX_MESSAGES } from './inference/types.ts';
import { isAbort } from './inference/abort.ts';
import { errorHeaders, readJson, sendJson } from './rest/http.ts';
import { errorExtensions } from './schema/context.ts';

/** Content types Yoga parses as JSON; multipart and form bodies are refused (no uploads in this schema). */
const JSON_TYPES = new Set(['application/json', 'application/graphql+json']);

/** How long a refused upload's connection stays open for the client to read the answer. */
const LINGER_MS = 1000;

/** Most values (objects, lists and scalars together) in one operation's variables. */
const MAX_VARIABLE_VALUES = 10_000;

/** The GraphQL body of a refusal; `http` (Yoga's private extension) is left out. */
function graphQLErrorBody(e: GatewayError): { errors: Array<{ message: string; extensions: Record<string, unknown> }> } {
  const { http: _http, ...extensions } = errorExtensions(e);
  return { errors: [{ message: e.message, extensions }] };
}

/**
 * A lingering close for an answer sent before the body was read: the answer says `connection: close`,
 * the rest of the upload stays unread (TCP holds the client back; nothing is buffered here), and the
 * socket is half-closed, then closed `lingerMs` later. Node would close it at once, and closing with
 * unread bytes resets the connection, often before the client has read the answer; letting Node
 * drain it instead would read the whole upload.
 */
function lingerUnread(req: IncomingMessage, res: ServerResponse, lingerMs: number): void {
  if (req.complete) return;
  res.setHeader('connection', 'close');
  req.removeAllListeners('data');
  req.pause();
  // Drops what is buffered, which also marks the request as consumed: Node then leaves the rest unread.
  req.read();
  const socket = req.socket as Socket & { destroySoon?: () => void };
  // What Node calls once a `connection: close` answer is written out.
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), lingerMs).unref();
  };
}

/** Answers a refusal in GraphQL's shape; the unread rest of the body is left unread (lingerUnread). */
export function refuse({ req, res, err }: { req: IncomingMessage; res: ServerResponse; err: GatewayError }): void {
  const headers = errorHeaders(err);
  delete headers.connection; // lingerUnread decides, from whether the body was read
  if (err.status === 401) headers['www-authenticate'] = 'Bearer';
  lingerUnread(req, res, LINGER_MS);
  sendJson(res, err.status, graphQLErrorBody(err), headers);
}

/** The media type of a Content-Type header, lowercased, without parameters. */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0].trim().toLowerCase() || undefined;
}

/**
 * Throws a 400 GatewayError when variables hold a list longer than the message cap (the largest list
 * the schema takes) or more than MAX_VARIABLE_VALUES values in all; a cheap walk, before coercion.
 */
export function checkVariables(variables: unknown): void {
  if (variables === null || typeof variables !== 'object') return;
  let count = 0;
  const walk = (value: unknown, path: string) => {
    if (++count > MAX_VARIABLE_VALUES) throw errors.variablesTooLarge(MAX_VARIABLE_VALUES);
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      if (value.length > MAX_MESSAGES) {
        throw errors.listTooLong({ path, length: value.length, max: MAX_MESSAGES, messages: path.endsWith('.messages') });
      }
      for (let i = 0; i < value.length; i++) walk(value[i], `${path}[${i}]`);
      return;
    }
    for (const key of Object.keys(value)) walk((value as Record<string, unknown>)[key], `${path}.${key}`);
  };
  for (const key of Object.keys(variables)) walk((variables as Record<string, unknown>)[key], key);
}

/**
 * Runs the checks of a GraphQL POST and leaves the parsed body on `req.body`, where Yoga's Node
 * adapter takes it instead of reading the stream (as behind a body parser). Returns false when it
 * refused the request (and answered it), true when Yoga should handle it.
 */
export async function gateGraphQLPost({
  req,
  res,
  keys,
  maxBodyBytes,
  access,
}: {
  req: IncomingMessage;
  res: ServerResponse;
  keys: KeyStore;
  maxBodyBytes: number;
  /** Throws when the key may not use GraphQL from here (its parameter policy). */
  access?: (principal: Principal) => void;
}): Promise<boolean> {
  try {
    // The key first, from the header: a caller without one gets nothing read or parsed.
    const principal = keys.authenticate(req.headers.authorization);
    access?.(principal);
    const type = mediaType(req.headers['content-type']);
    if (Number(req.headers['content-length']) > maxBodyBytes) throw errors.bodyTooLarge(maxBodyBytes);
    if (!type || !JSON_TYPES.has(type)) throw errors.unsupportedMediaType(req.headers['content-type'], 'application/json');
    const body = await readJson(req, maxBodyBytes);
    if (Array.isArray(body)) throw errors.batchingNotSupported();
    if (body === null || typeof body !== 'object') throw errors.invalidBody();
    if (Object.keys(body).length === 0) throw errors.missingQuery();
    checkVariables((body as { variables?: unknown }).variables);
    (req as IncomingMessage & { body?: unknown }).body = body;
    return true;
  } catch (err) {
    if (isAbort(err)) {
      req.socket.destroy();
      return false;
    }
    if (!isGatewayError(err)) throw err;
    refuse({ req, res, err });
    return false;
  }
}
