/**
 * One CORS rule for every surface (/api, /v1, /ollama, /graphql): only the origins in CORS_ORIGINS
 * may call the gateway from a browser; with none listed, only the gateway's own pages can. A listed
 * origin gets its own name back, never `*`, and no Access-Control-Allow-Credentials: keys travel in
 * the Authorization header, which needs no cookies, so a page can never ride a user's session.
 *
 * @example
 *   const cors = createCors({ origins: config.corsOrigins });
 *   if (cors(req, res)) return; // a preflight, answered
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const METHODS = 'GET, HEAD, POST, DELETE';
const DEFAULT_HEADERS = 'authorization, content-type, accept';
// What a browser client reads back: the rate-limit state and the retry time.
const EXPOSED = 'x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after';
const HEADER_LIST = /^[\w-]+(\s*,\s*[\w-]+)*$/;

/**
 * Sets the CORS headers of a response for the request's Origin, and answers a preflight (OPTIONS with
 * Access-Control-Request-Method) with 204; returns true when it answered.
 */
export function createCors({ origins }: { origins: string[] }): (req: IncomingMessage, res: ServerResponse) => boolean {
  const allowed = new Set(origins.map((o) => o.toLowerCase()));
  return (req, res) => {
    const origin = req.headers.origin;
    if (!origin) return false;
    // The answer depends on Origin: shared caches must not hand one origin's answer to another.
    res.setHeader('vary', 'Origin');
    const listed = allowed.has(origin.toLowerCase());
    if (listed) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED);
    }
    if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
    if (listed) {
      const asked = req.headers['access-control-request-headers'];
      res.setHeader('access-control-allow-methods', METHODS);
      res.setHeader('access-control-allow-headers', asked && HEADER_LIST.test(asked) ? asked : DEFAULT_HEADERS);
      res.setHeader('access-control-max-age', 600);
    }
    // An unlisted origin's preflight gets no grant, so the browser never sends the request.
    res.writeHead(204, { 'content-length': 0 });
    res.end();
    return true;
  };
}
