import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../server/auth/api-keys.ts';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let gw: TestGateway;
let ollama: OllamaEmulator;
beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});
beforeEach(() => {
  ollama.reset();
  // 200 tokens at 100 ms: a 20-second answer, far longer than any test waits.
  ollama.setBehavior({ tokenDelayMs: 100, reply: () => Array.from({ length: 200 }, (_, i) => ` w${i}`) });
});

const MODEL = 'qwen2.5:0.5b';

interface Surface {
  name: string;
  path: string;
  upstreamPath: string;
  body: (stream: boolean) => object;
  /** The surface's own last frame for a key that stopped working. */
  errorFrame: (message: string) => unknown;
  /** Parses the frames of a streamed answer. */
  frames: (text: string) => unknown[];
  /** A non-streamed error body. */
  errorBody: (message: string) => unknown;
}

const sse = (text: string) =>
  text
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice('data: '.length))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));

const SURFACES: Surface[] = [
  {
    name: '/api SSE',
    path: '/api/chat',
    upstreamPath: '/api/chat',
    body: (stream) => ({ model: MODEL, messages: [{ role: 'user', content: 'talk' }], stream }),
    frames: sse,
    errorFrame: (message) => ({ error: { message, type: 'authentication_error', code: 'invalid_api_key' } }),
    errorBody: (message) => ({ error: { message, type: 'authentication_error', code: 'invalid_api_key' } }),
  },
  {
    name: '/v1 SSE',
    path: '/v1/chat/completions',
    upstreamPath: '/api/chat',
    body: (stream) => ({ model: MODEL, messages: [{ role: 'user', content: 'talk' }], stream }),
    frames: sse,
    errorFrame: (message) => ({ error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
    errorBody: (message) => ({ error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
  },
  {
    name: '/ollama NDJSON',
    path: '/ollama/api/generate',
    upstreamPath: '/api/generate',
    body: (stream) => ({ model: MODEL, prompt: 'talk', stream }),
    frames: (text) =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    errorFrame: (message) => ({ error: message }),
    errorBody: (message) => ({ error: message }),
  },
];

interface Streamed {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Resolves once the first body bytes arrived. */
  firstBytes: Promise<void>;
  /** Resolves with the whole body and when it ended (Date.now()). */
  ended: Promise<{ text: string; endedAt: number }>;
}

/** A request read as it arrives, so a test can act mid-stream and time the end. */
function open(path: string, key: string, body: object): Promise<Streamed> {
  const url = new URL(gw.url + path);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        let first: () => void;
        const firstBytes = new Promise<void>((r) => (first = r));
        const ended = new Promise<{ text: string; endedAt: number }>((r, j) => {
          res.on('data', (d) => {
            text += d;
            first();
          });
          res.on('end', () => r({ text, endedAt: Date.now() }));
          res.on('error', j);
        });
        resolve({ status: res.statusCode!, headers: res.headers, firstBytes, ended });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function usageRow(id: string) {
  for (let i = 0; i < 100; i++) {
    await gw.app.services.usage.flush();
    const rows = await prisma.usageRecord.findMany({ where: { id } });
    if (rows.length) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no usage record ${id}`);
}

describe('revocation ends running REST requests', () => {
  for (const s of SURFACES) {
    it(`ends a ${s.name} stream of a revoked key within a second, with the surface's error frame, and aborts the upstream`, async () => {
      const k = await gw.createKey({ name: `revoked ${s.name}` });
      const res = await open(s.path, k.secret, s.body(true));
      expect(res.status).toBe(200);
      await res.firstBytes;
      const upstream = await ollama.waitFor((r) => r.path === s.upstreamPath);
      const revokedAt = Date.now();
      await revokeApiKey({ id: k.id }); // through the database and LISTEN/NOTIFY, as an admin's revocation goes
      const { text, endedAt } = await res.ended;
      expect(endedAt - revokedAt).toBeLessThan(1000);
      const frames = s.frames(text);
      expect(frames.at(-1)).toEqual(s.errorFrame('This API key has been revoked'));
      expect(frames.length).toBeLessThan(30); // ended early, not after the 200 tokens
      const aborted = await ollama.waitForAbort({ request: upstream, timeoutMs: 1000 });
      expect(aborted.abortedAt! - revokedAt).toBeLessThan(1000);
      const [row] = await usageRow(res.headers['x-request-id'] as string);
      expect(row).toMatchObject({ apiKeyId: k.id, status: 401, error: 'This API key has been revoked', stream: true });
    });

    it(`ends a non-streamed ${s.name.split(' ')[0]} request of a revoked key within a second with a 401 in the surface's shape`, async () => {
      const k = await gw.createKey({ name: `revoked whole ${s.name}` });
      const pending = open(s.path, k.secret, s.body(false));
      const upstream = await ollama.waitFor((r) => r.path === s.upstreamPath);
      const revokedAt = Date.now();
      await revokeApiKey({ id: k.id });
      const res = await pending;
      const { text, endedAt } = await res.ended;
      expect(endedAt - revokedAt).toBeLessThan(1000);
      expect(res.status).toBe(401);
      expect(JSON.parse(text)).toEqual(s.errorBody('This API key has been revoked'));
      await ollama.waitForAbort({ request: upstream, timeoutMs: 1000 });
      const rows = await usageRow(res.headers['x-request-id'] as string);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 401, promptTokens: 0 });
    });

    it(`ends a ${s.name} stream within a second of its key's expiry`, async () => {
      const expiresAt = new Date(Date.now() + 2000); // time enough to start the stream on a busy machine
      const k = await gw.createKey({ name: `expiring ${s.name}`, expiresAt });
      const res = await open(s.path, k.secret, s.body(true));
      expect(res.status).toBe(200);
      await res.firstBytes;
      const upstream = await ollama.waitFor((r) => r.path === s.upstreamPath);
      const { text, endedAt } = await res.ended;
      expect(endedAt).toBeGreaterThanOrEqual(expiresAt.getTime());
      expect(endedAt - expiresAt.getTime()).toBeLessThan(1000);
      expect(s.frames(text).at(-1)).toEqual(s.errorFrame('This API key has expired'));
      const aborted = await ollama.waitForAbort({ request: upstream, timeoutMs: 1000 });
      expect(aborted.abortedAt! - expiresAt.getTime()).toBeLessThan(1000);
    });
  }

  it('leaves the streams of other keys running', async () => {
    const doomed = await gw.createKey({ name: 'doomed' });
    const other = await gw.createKey({ name: 'bystander' });
    ollama.setBehavior({ tokenDelayMs: 20, reply: () => Array.from({ length: 60 }, (_, i) => ` w${i}`) });
    const a = await open('/api/chat', doomed.secret, SURFACES[0].body(true));
    const b = await open('/api/chat', other.secret, SURFACES[0].body(true));
    await Promise.all([a.firstBytes, b.firstBytes]);
    await revokeApiKey({ id: doomed.id });
    const [ea, eb] = await Promise.all([a.ended, b.ended]);
    expect(sse(ea.text).at(-1)).toEqual(SURFACES[0].errorFrame('This API key has been revoked'));
    const framesB = sse(eb.text);
    expect(framesB.at(-1)).toBe('[DONE]');
    expect(framesB).toHaveLength(60 + 2); // every token, the final chunk, [DONE]
  });
});
