/** Small node:http helpers shared by the REST surfaces: bounded JSON bodies, JSON replies, SSE. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../errors.ts';
import type { RateLimitResult } from '../limits/limiter.ts';

export const MAX_JSON_DEPTH = 32;

/** Rejects JSON nested deeper than `max` without parsing it (a cheap scan that skips strings). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Reads and parses a JSON body; 413 over `limit` bytes, 400 for malformed or too deeply nested JSON. */
export function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      return reject(errors.bodyTooLarge(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(errors.bodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
    req.on('end', () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return reject(errors.invalidRequest('Request body is empty; send a JSON object', 'empty_body'));
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return reject(errors.invalidRequest(`Request body is nested deeper than ${MAX_JSON_DEPTH} levels`, 'too_deeply_nested'));
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(errors.invalidJson((err as Error).message));
      }
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function rateLimitHeaders(rl: Pick<RateLimitResult, 'limit' | 'remaining' | 'reset'> | undefined): Record<string, number> {
  if (!rl) return {};
  return { 'x-ratelimit-limit': rl.limit, 'x-ratelimit-remaining': rl.remaining, 'x-ratelimit-reset': rl.reset };
}

export function startSse(res: ServerResponse, headers: Record<string, string | number>): void {
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
}

export function sseData(res: ServerResponse, data: unknown): void {
  res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** An AbortSignal that fires when the client closes the connection before the response is done. */
export function clientSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new DOMException('client closed the connection', 'AbortError'));
  });
  req.on('aborted', () => controller.abort(new DOMException('client closed the connection', 'AbortError')));
  return controller.signal;
}
