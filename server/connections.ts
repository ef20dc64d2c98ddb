/**
 * Connection hygiene for the node:http server: how long a client may take to send its headers and its
 * body, how long idle keep-alive and silent sockets stay open, and how large headers may be. A response
 * in progress (a token stream, a model still loading) is never cut for silence, and WebSocket upgrades
 * are no longer HTTP requests. Failures before a request exists are answered in the /api error envelope.
 *
 * @example
 *   const server = http.createServer(serverOptions(config), handler);
 *   guardConnections({ server, idleSocketTimeoutMs: config.idleSocketTimeoutMs, maxHeaderBytes: config.maxHeaderBytes });
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errors, type GatewayError } from './errors.ts';
import { errorBody } from './rest/api.ts';

export interface ConnectionLimits {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
}

// After an error answer, the rest of what the client sends is read and dropped this long at most, so the
// answer is not lost to a reset (closing a socket with unread data sends RST).
const LINGER_MS = 2_000;

/** The createServer options for the limits Node enforces itself. */
export function serverOptions({ headersTimeoutMs, bodyTimeoutMs, keepAliveTimeoutMs, maxHeaderBytes }: ConnectionLimits): http.ServerOptions {
  return {
    // Node counts both from the request's first byte, and wants headersTimeout <= requestTimeout:
    // a client has headersTimeoutMs for its headers and at least bodyTimeoutMs more for its body.
    headersTimeout: headersTimeoutMs,
    requestTimeout: headersTimeoutMs + bodyTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    maxHeaderSize: maxHeaderBytes,
    // Node checks both timeouts on this interval (30 s by default, which would triple a 10 s limit).
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(Math.min(headersTimeoutMs, bodyTimeoutMs) / 4))),
  };
}

/**
 * Closes sockets silent for `idleSocketTimeoutMs` with no response in progress, and answers the
 * parser's errors itself: 431 for headers over the limit, 408 for a request not received in time,
 * 400 for a malformed one, each with a JSON body.
 */
export function guardConnections({
  server,
  idleSocketTimeoutMs,
  maxHeaderBytes,
}: {
  server: http.Server;
  idleSocketTimeoutMs: number;
  maxHeaderBytes: number;
}): void {
  // Responses in progress per socket (more than one when requests are pipelined).
  const inProgress = new WeakMap<Duplex, Set<http.ServerResponse>>();
  const answered = new WeakSet<Duplex>();

  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    let responses = inProgress.get(socket);
    if (!responses) inProgress.set(socket, (responses = new Set()));
    responses.add(res);
    res.once('close', () => responses.delete(res));
  });

  // Node arms this per socket and re-arms it on every read or write; the keep-alive timeout reuses it between requests.
  server.timeout = idleSocketTimeoutMs;
  server.on('timeout', (socket: Socket) => {
    if (inProgress.get(socket)?.size) return; // a slow stream or a model load: its own timeouts apply
    socket.destroy();
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return; // the parser reports the same error again for each later chunk
    answered.add(socket);
    const failure = clientFailure(err.code, maxHeaderBytes);
    const started = [...(inProgress.get(socket) ?? [])].some((res) => res.headersSent);
    // No answer to a reset, to a socket that never sent a byte (a browser's preconnect), or over a response already under way.
    if (!failure || !socket.writable || (socket as Socket).bytesRead === 0 || started) {
      socket.destroy();
      return;
    }
    const answer = rawResponse(failure);
    if (failure.status === 408) socket.end(answer, () => socket.destroy());
    else lingeringEnd(socket, answer);
  });
}

function clientFailure(code: string | undefined, maxHeaderBytes: number): GatewayError | undefined {
  if (code === 'ECONNRESET' || code === 'EPIPE') return undefined;
  if (code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge(maxHeaderBytes);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout();
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return errors.malformedRequest('chunk extensions too large');
  return errors.malformedRequest();
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

function rawResponse(e: GatewayError): string {
  const body = JSON.stringify(errorBody(e));
  return (
    `HTTP/1.1 ${e.status} ${REASONS[e.status] ?? 'Error'}\r\n` +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

/**
 * Sends the answer and half-closes; the failed parser goes on reading and dropping what the client still
 * sends (it reports only errors now), for LINGER_MS at most or until the client closes.
 */
function lingeringEnd(socket: Duplex, answer: string): void {
  socket.end(answer);
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
