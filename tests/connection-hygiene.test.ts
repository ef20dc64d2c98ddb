import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gqlHttp, wsClient } from './support/graphql.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

// Short limits, spaced so that each close can be told apart: a silent socket goes at the idle timeout,
// long before the headers timeout would take it.
const HEADERS_TIMEOUT_MS = 2500;
const BODY_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 300;
const IDLE_SOCKET_TIMEOUT_MS = 700;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_UPSTREAM_BYTES = 256 * 1024;

let gw: TestGateway;
// A key whose rate limit never gets in the way of the many requests here.
let key: string;
let ollama: OllamaEmulator;
// A second Ollama whose model stays in the catalogue after it went away: every request for it fails to connect.
let gone: OllamaEmulator;

beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gone = await startOllamaEmulator({ models: [{ name: 'far-away:latest' }] });
  gw = await startGateway({
    env: {
      OLLAMA_URL: `${ollama.url},${gone.url}`,
      HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
      KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      IDLE_SOCKET_TIMEOUT_MS: String(IDLE_SOCKET_TIMEOUT_MS),
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      MAX_UPSTREAM_BYTES: String(MAX_UPSTREAM_BYTES),
      // Once the unreachable server's circuit opens, a request waits for the next probe before its 503.
      OLLAMA_HEALTH_INTERVAL_S: '1',
    },
  });
  await gone.close();
  key = (await gw.createKey({ name: 'hygiene', rpmLimit: 1_000_000 })).secret;
});

afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});

beforeEach(() => ollama.reset());

interface Watched {
  socket: net.Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the ms from connect until the server closed the connection (or reset it). */
  closed: Promise<number>;
  /** Whether the connection ended with a reset instead of a clean close. */
  reset(): boolean;
}

async function connect(): Promise<Watched> {
  const { port } = new URL(gw.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = Date.now();
  let data = '';
  let wasReset = false;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (data += d));
  socket.on('error', (err: NodeJS.ErrnoException) => (wasReset ||= err.code === 'ECONNRESET'));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  return { socket, received: () => data, closed, reset: () => wasReset };
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function dribble(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

/** The status and JSON body of a raw HTTP answer. */
function parseAnswer(raw: string): { status: number; headers: string; body: any } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  const split = raw.indexOf('\r\n\r\n');
  const body = raw.slice(split + 4);
  return { status, headers: raw.slice(0, split).toLowerCase(), body: body ? JSON.parse(body) : undefined };
}

/** The answer once it arrived whole (its content-length of body bytes), else undefined. */
function completeAnswer(raw: string): ReturnType<typeof parseAnswer> | undefined {
  const split = raw.indexOf('\r\n\r\n');
  const length = /content-length: (\d+)/i.exec(raw.slice(0, split))?.[1];
  if (split === -1 || length === undefined || Buffer.byteLength(raw.slice(split + 4)) < Number(length)) return undefined;
  return parseAnswer(raw);
}

describe('connection hygiene', () => {
  describe('timeouts', () => {
    it('closes a connection that dribbles its headers at the headers timeout, with a 408 in the error envelope', async () => {
      const c = await connect();
      dribble(c.socket, `GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ${'a'.repeat(500)}`, 100);
      const ms = await c.closed;
      // Not the idle timeout (the socket is never silent): the headers timeout, which counts from the first byte.
      expect(ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 200);
      expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
      const answer = parseAnswer(c.received());
      expect(answer.status).toBe(408);
      expect(answer.body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'request_timeout' } });
    });

    it('closes a request whose body arrives too slowly at the body timeout, with a 408', async () => {
      const c = await connect();
      c.socket.write(`POST /api/chat HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n`);
      dribble(c.socket, `{"model":"llama3.2:latest","messages":[{"role":"user","content":"${'a'.repeat(4000)}"}]}`, 100);
      const ms = await c.closed;
      expect(ms).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS + BODY_TIMEOUT_MS - 200);
      expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + BODY_TIMEOUT_MS + 3000);
      const answer = parseAnswer(c.received());
      expect(answer.status).toBe(408);
      expect(answer.body.error.code).toBe('request_timeout');
      // Nothing was generated (the scheduler's health probes still reach the server).
      expect(ollama.requests.filter((r) => r.path === '/api/chat')).toHaveLength(0);
    });

    it('closes silent sockets at the idle timeout, without an answer', async () => {
      const sockets = await Promise.all(Array.from({ length: 50 }, () => connect()));
      const closedAfter = await Promise.all(sockets.map((c) => c.closed));
      for (const ms of closedAfter) {
        expect(ms).toBeGreaterThanOrEqual(IDLE_SOCKET_TIMEOUT_MS - 100);
        expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS);
      }
      expect(sockets.map((c) => c.received())).toEqual(sockets.map(() => ''));
    });

    it('keeps a connection alive between requests, and closes it once idle for the keep-alive timeout', async () => {
      const c = await connect();
      c.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
      await expect.poll(() => c.received()).toContain('{"status":"ok"}');
      c.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
      await expect.poll(() => c.received().split('{"status":"ok"}').length).toBe(3);
      const answeredAt = Date.now();
      await c.closed;
      expect(c.received().toLowerCase()).toContain('connection: keep-alive');
      // Node adds a second to the advertised timeout before closing; the idle timeout would not fire before it.
      expect(Date.now() - answeredAt).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + 1000 + 1500);
      expect(c.reset()).toBe(false);
    });

    it('does not cut a slow model load or a slow token stream, though each is silent longer than the idle timeout', async () => {
      // For the model only: the scheduler's health probes (which name no model) must not be slowed past their timeout.
      ollama.setBehavior(
        { headersDelayMs: IDLE_SOCKET_TIMEOUT_MS * 2, tokenDelayMs: IDLE_SOCKET_TIMEOUT_MS + 400, reply: () => ['one', ' two', ' three'] },
        { model: 'llama3.2:latest' },
      );
      const res = await gw.request('/ollama/api/chat', { key, method: 'POST', json: { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] } });
      expect(res.status).toBe(200);
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.message?.content ?? '').join('')).toBe('one two three');
      expect(lines.at(-1)).toMatchObject({ done: true });
    });

    it('does not cut a non-streamed answer that waits on a model load longer than the idle timeout', async () => {
      ollama.setBehavior({ headersDelayMs: IDLE_SOCKET_TIMEOUT_MS * 2 }, { model: 'llama3.2:latest' });
      const res = await gw.request('/api/chat', { key, method: 'POST', json: { model: 'llama3.2:latest', messages: [{ role: 'user', content: 'patience' }] } });
      expect(res.status).toBe(200);
      expect((await res.json()).choices[0].message.content).toBe('You said: patience');
    });
  });

  describe('WebSockets', () => {
    it('leaves a graphql-ws connection open while it is silent longer than the idle and keep-alive timeouts', async () => {
      const ws = wsClient(gw, key);
      try {
        expect((await ws.all('{ __typename }'))[0]).toMatchObject({ data: { __typename: 'Query' } });
        let closed = false;
        void ws.closed.then(() => (closed = true));
        await new Promise((r) => setTimeout(r, IDLE_SOCKET_TIMEOUT_MS * 2 + KEEP_ALIVE_TIMEOUT_MS + 1000));
        expect(closed).toBe(false);
        expect((await ws.all('{ __typename }'))[0]).toMatchObject({ data: { __typename: 'Query' } });
      } finally {
        await ws.dispose();
      }
    });
  });

  describe('header size', () => {
    it('answers a 100 KB header with 431 and a JSON body, every time', async () => {
      for (let i = 0; i < 5; i++) {
        const c = await connect();
        c.socket.write(`GET /api/models HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(100 * 1024)}\r\n\r\n`);
        await c.closed;
        const answer = parseAnswer(c.received());
        expect(answer.status).toBe(431);
        expect(answer.headers).toContain('content-type: application/json');
        expect(answer.body).toEqual({ error: { message: expect.stringContaining('16384'), type: 'invalid_request_error', code: 'headers_too_large' } });
        expect(c.reset()).toBe(false);
      }
    });

    it('answers a malformed request with 400 and a JSON body', async () => {
      const c = await connect();
      c.socket.write('NOT HTTP AT ALL\r\n\r\n');
      await c.closed;
      const answer = parseAnswer(c.received());
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('malformed_request');
    });
  });

  describe('early 413', () => {
    /**
     * Like curl or Python's requests: sends the whole upload first and only then reads the answer. A
     * server that closes right after answering resets the connection under the upload, and the answer is lost.
     */
    async function uploadThenRead({ total, chunked }: { total: number; chunked: boolean }): Promise<{ status?: number; body?: any; reset: boolean }> {
      const c = await connect();
      c.socket.pause();
      const framing = chunked ? 'transfer-encoding: chunked' : `content-length: ${total}`;
      c.socket.write(`POST /api/chat HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`);
      const body = Buffer.alloc(total, 'a');
      const payload = chunked ? Buffer.concat([Buffer.from(`${total.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
      await new Promise<void>((resolve) => c.socket.write(payload, () => resolve()));
      c.socket.resume();
      await expect.poll(() => completeAnswer(c.received()) !== undefined || c.socket.destroyed).toBe(true);
      const answer = completeAnswer(c.received());
      c.socket.destroy();
      return { status: answer?.status, body: answer?.body, reset: c.reset() };
    }

    it('is read as a 413 by a client that sends its whole upload first, for a declared length over the limit', async () => {
      for (let i = 0; i < 6; i++) {
        const result = await uploadThenRead({ total: 8 * 1024 * 1024, chunked: false });
        expect(result).toMatchObject({ status: 413, body: { error: { code: 'request_too_large' } } });
      }
    });

    it('is read as a 413 by a client that sends its whole upload first, for a chunked upload passing the limit', async () => {
      for (let i = 0; i < 6; i++) {
        const result = await uploadThenRead({ total: 8 * 1024 * 1024, chunked: true });
        expect(result).toMatchObject({ status: 413, body: { error: { code: 'request_too_large' } } });
      }
    });

    it('is read as a 413 by a Node client that reads while it uploads', async () => {
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${gw.url}/api/chat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
          body: Buffer.alloc(8 * 1024 * 1024, 'a'),
        });
        expect(res.status).toBe(413);
        expect((await res.json()).error.code).toBe('request_too_large');
      }
    });

    it('keeps the connection usable after a 413 whose upload was read to its end', async () => {
      const c = await connect();
      const total = 2 * MAX_BODY_BYTES;
      c.socket.write(`POST /api/chat HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-length: ${total}\r\n\r\n`);
      c.socket.write(Buffer.alloc(total, 'a'));
      await expect.poll(() => c.received()).toContain('request_too_large');
      c.socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
      await expect.poll(() => c.received()).toContain('{"status":"ok"}');
      c.socket.destroy();
    });
  });

  describe('upstream answers', () => {
    it('fails a streamed line over MAX_UPSTREAM_BYTES with 502 and closes the upstream request', async () => {
      ollama.setBehavior({ reply: () => ['x'.repeat(16 * 1024 * 1024)] });
      const started = Date.now();
      const res = await gw.request('/api/chat', {
        key,
        method: 'POST',
        json: { model: 'llama3.2:latest', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(res.status).toBe(502);
      expect((await res.json()).error).toMatchObject({ type: 'upstream_error', code: 'upstream_too_large' });
      // Before: the whole line was buffered and relayed (a 64 MB line took 46 s).
      expect(Date.now() - started).toBeLessThan(10_000);
      const upstream = await ollama.waitForAbort({ path: '/api/chat', timeoutMs: 2_000 });
      expect(upstream.finishedAt).toBeUndefined();
    });

    it('fails a JSON answer over MAX_UPSTREAM_BYTES with 502 on /ollama', async () => {
      ollama.setBehavior({ reply: () => ['x'.repeat(2 * MAX_UPSTREAM_BYTES)] });
      const res = await gw.request('/ollama/api/chat', {
        key,
        method: 'POST',
        json: { model: 'llama3.2', stream: false, messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(res.status).toBe(502);
      expect((await res.json()).error).toMatch(/larger than the limit/);
    });
  });

  describe('an unreachable upstream', () => {
    const port = () => new URL(gone.url).port;
    const leaks = (text: string) => text.includes(port()) || /127\.0\.0\.1|localhost|ECONNREFUSED/.test(text);
    const messages = { model: 'far-away:latest', messages: [{ role: 'user', content: 'hello?' }] };

    it.each([
      ['/api/chat', { ...messages }],
      ['/api/chat', { ...messages, stream: true }],
      ['/api/generate', { model: 'far-away:latest', prompt: 'hello?' }],
      ['/v1/chat/completions', { ...messages }],
      ['/v1/chat/completions', { ...messages, stream: true }],
      ['/ollama/api/chat', { ...messages, model: 'far-away' }],
      ['/ollama/api/generate', { model: 'far-away', prompt: 'hello?', stream: false }],
      ['/ollama/api/show', { model: 'far-away' }],
    ])('%s %j -> 503 naming no address or port', async (path, json) => {
      const res = await gw.request(path, { key, method: 'POST', json });
      const text = await res.text();
      expect(res.status).toBe(503);
      expect(text).toContain('connection refused');
      expect(leaks(text)).toBe(false);
    });

    it('GraphQL chat -> an upstream_unavailable error naming no address or port', async () => {
      const { body } = await gqlHttp(
        gw,
        'mutation { chat(input: { model: "far-away:latest", messages: [{ role: USER, content: "hello?" }] }) { text } }',
        undefined,
        { key },
      );
      expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(body.errors?.[0]?.message).toContain('connection refused');
      expect(leaks(JSON.stringify(body))).toBe(false);
    });
  });
});
