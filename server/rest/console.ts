/**
 * Serves the built admin console (web/dist, from `npm run build:web`) at /admin. Hashed assets are
 * cached for a year; index.html is revalidated every time, and every other /admin path gets it too
 * so deep links such as /admin/playground load directly. Without a build it answers 503 with a page
 * that says how to build it, rather than a blank screen.
 *
 * @example
 *   surfaces.push(createConsoleSurface({ log }));
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Logger } from '../log.ts';
import { packageRoot } from '../package-root.ts';

const CONSOLE_PREFIX = '/admin';
const DEFAULT_DIR = path.join(packageRoot, 'web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt']);
// Vite names built assets like index-BdX3k9aZ.js: content-hashed, so they never change under a name.
const HASHED = /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

interface Cached {
  mtimeMs: number;
  body: Buffer;
  gzip?: Buffer;
}

export function createConsoleSurface({ dir = DEFAULT_DIR, log }: { dir?: string; log?: Logger } = {}) {
  const root = path.resolve(dir);
  const cache = new Map<string, Cached>();
  let warned = false;

  async function load(file: string): Promise<Cached | null> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(file);
    } catch {
      return null;
    }
    if (!st.isFile()) return null;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit;
    const body = await readFile(file);
    const ext = path.extname(file);
    const entry: Cached = { mtimeMs: st.mtimeMs, body, gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : undefined };
    cache.set(file, entry);
    return entry;
  }

  function send(req: IncomingMessage, res: ServerResponse, file: string, entry: Cached, cacheControl: string) {
    const ext = path.extname(file);
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = entry.gzip && acceptsGzip ? entry.gzip : entry.body;
    const headers: Record<string, string | number> = {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
    };
    if (entry.gzip) headers.vary = 'accept-encoding';
    if (body === entry.gzip) headers['content-encoding'] = 'gzip';
    if (ext === '.html') {
      headers['x-frame-options'] = 'DENY';
      headers['referrer-policy'] = 'no-referrer';
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function notBuilt(res: ServerResponse) {
    if (!warned) {
      warned = true;
      log?.warn({ dir: root }, 'admin console requested but not built; run `npm run build:web`');
    }
    const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Admin console not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>The admin console has not been built</h1>
<p>The gateway is running, but <code>web/dist</code> is missing. Build the console with <code>npm run build:web</code>
(<code>npm install</code> does this too) and reload this page. The API at <code>/api</code> and <code>/graphql</code> works without it.</p></body></html>`;
    res.writeHead(503, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(page),
      'cache-control': 'no-store',
      'retry-after': '60',
    });
    res.end(page);
  }

  return async function consoleSurface(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    if (p !== CONSOLE_PREFIX && !p.startsWith(`${CONSOLE_PREFIX}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed');
      return true;
    }
    // The app's base is /admin/: relative asset URLs resolve against it only with the slash.
    if (p === CONSOLE_PREFIX) {
      res.writeHead(308, { location: `${CONSOLE_PREFIX}/${url.search}` });
      res.end();
      return true;
    }

    let rel: string;
    try {
      rel = decodeURIComponent(p.slice(CONSOLE_PREFIX.length + 1));
    } catch {
      rel = '';
    }
    const file = path.resolve(root, rel);
    const inside = file.startsWith(root + path.sep);
    if (inside && rel && !rel.endsWith('/')) {
      const entry = await load(file);
      if (entry) {
        send(req, res, file, entry, HASHED.test(rel.split(path.sep).join('/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
        return true;
      }
      // A missing asset is a 404, not the app: a stale index.html must not get HTML for its script.
      if (rel.startsWith('assets/') || path.extname(rel)) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('Not found');
        return true;
      }
    }

    const indexFile = path.join(root, 'index.html');
    const index = await load(indexFile);
    if (!index) {
      notBuilt(res);
      return true;
    }
    send(req, res, indexFile, index, 'no-cache');
    return true;
  };
}
