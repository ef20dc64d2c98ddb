/**
 * GraphQL bounded like REST, over real HTTP and graphql-ws against the in-process gateway: the key
 * before the body, MAX_BODY_BYTES with a GraphQL-shaped 413 (declared and chunked), the message cap
 * on variables, 415 for other content types, codes on query-limit errors, and one CORS rule on
 * every surface.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { codeOf, gqlHttp, wsClient } from './support/graphql.ts';

const LISTED = 'https://console.example.com';
const UNLISTED = 'https://evil.example.net';
const CHAT = 'mutation Chat($input: ChatInput!) { chat(input: $input) { text } }';

let gw: TestGateway;
// Every connection the gateway accepted, to see how much of each upload it actually read.
const sockets: Socket[] = [];

beforeAll(async () => {
  gw = await startGateway({ env: { CORS_ORIGINS: `${LISTED},https://other.example.org` } });
  gw.app.server.on('connection', (s: Socket) => sockets.push(s));
  // A first operation, so that the timed tests do not pay for code loaded on first use.
  await gqlHttp(gw, '{ viewer { id } }');
});

afterAll(async () => {
  await gw?.stop();
});

/** The most bytes the gateway read on any connection accepted since `from`. */
const mostRead = (from: number) => Math.max(0, ...sockets.slice(from).map((s) => s.bytesRead));

/** A chat mutation of about `bytes` bytes, as JSON (built as text: no garbage for the collector to pause on). */
function chatBody(bytes: number, messages = Math.ceil(bytes / 30)): Buffer {
  const content = 'x'.repeat(Math.max(1, Math.floor(bytes / messages) - 30));
  const list = `{"role":"USER","content":"${content}"},`.repeat(messages).slice(0, -1);
  return Buffer.from(`{"query":${JSON.stringify(CHAT)},"variables":{"input":{"model":"echo","messages":[${list}]}}}`);
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  /** Whether the whole upload had been handed to the kernel when the answer arrived. */
  uploadFinished: boolean;
}

/**
 * POSTs `body` to /graphql with node:http, which reads the answer while it is still uploading: with a
 * Content-Length, or chunked in 64 KB writes. A connection cut after the answer is ignored.
 */
function rawPost(
  body: Buffer,
  { key, chunked = false, contentType = 'application/json' }: { key?: string; chunked?: boolean; contentType?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': contentType };
    if (key) headers.authorization = `Bearer ${key}`;
    if (!chunked) headers['content-length'] = body.length;
    const url = new URL(gw.url);
    const req = http.request({ host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers, agent: false }, (res) => {
      const uploadFinished = req.writableFinished;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text), uploadFinished }));
    });
    req.on('error', (err) => reject(err));
    req.on('socket', (s) => s.on('error', () => {}));
    let offset = 0;
    const write = () => {
      while (offset < body.length) {
        const more = req.write(body.subarray(offset, offset + 65536));
        offset += 65536;
        if (!more) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

/**
 * Pings /healthz back to back from a worker thread (its own event loop, so only the gateway's stalls
 * count); started() resolves once a few pings went through, stop() with the slowest answer since, in ms.
 */
function pingHealth() {
  const worker = new Worker(
    `const http = require('node:http');
    const { parentPort, workerData } = require('node:worker_threads');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let worst = 0, pings = 0, running = true;
    parentPort.on('message', () => { running = false; });
    (async () => {
      while (running) {
        const start = performance.now();
        await new Promise((resolve, reject) => http.get(workerData + '/healthz', { agent }, (res) => res.resume().on('end', resolve)).on('error', reject));
        if (++pings > 5) worst = Math.max(worst, performance.now() - start);
        if (pings === 5) parentPort.postMessage('warm');
        await new Promise((r) => setTimeout(r, 5));
      }
      agent.destroy();
      parentPort.postMessage(worst);
    })();`,
    { eval: true, workerData: gw.url },
  );
  const warm = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return {
    started: () => warm,
    stop: () =>
      new Promise<number>((resolve) => {
        worker.on('message', (m) => typeof m === 'number' && void worker.terminate().then(() => resolve(m)));
        worker.postMessage('stop');
      }),
  };
}

/**
 * rawPost from a worker thread, so that the upload's own work does not run on the gateway's event
 * loop: the worker starts and takes its copy of the body first (ready), and sends it on go().
 */
async function uploader(body: Buffer, { key, chunked = false }: { key?: string; chunked?: boolean }): Promise<{ go(): Promise<RawAnswer> }> {
  const worker = new Worker(
    `const http = require('node:http');
    const { parentPort, workerData: { url, body, key, chunked } } = require('node:worker_threads');
    const data = Buffer.from(body);
    parentPort.postMessage('ready');
    parentPort.once('message', () => {
    const headers = { 'content-type': 'application/json' };
    if (key) headers.authorization = 'Bearer ' + key;
    if (!chunked) headers['content-length'] = data.length;
    const req = http.request(url + '/graphql', { method: 'POST', headers, agent: false }, (res) => {
      const uploadFinished = req.writableFinished;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => parentPort.postMessage({ status: res.statusCode, headers: res.headers, body: JSON.parse(text), uploadFinished }));
    });
    req.on('error', (err) => parentPort.postMessage({ error: String(err) }));
    req.on('socket', (s) => s.on('error', () => {}));
    let offset = 0;
    const write = () => {
      while (offset < data.length) {
        const more = req.write(data.subarray(offset, offset + 65536));
        offset += 65536;
        if (!more) return void req.once('drain', write);
      }
      req.end();
    };
    write();
    });`,
    { eval: true, workerData: { url: gw.url, body, key, chunked } },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  return {
    go: () =>
      new Promise((resolve, reject) => {
        worker.once('message', (m: RawAnswer & { error?: string }) => {
          void worker.terminate();
          if (m.error) reject(new Error(m.error));
          else resolve(m);
        });
        worker.postMessage('go');
      }),
  };
}

const graphqlShaped = (r: RawAnswer, code: string) => {
  expect(r.headers['content-type']).toMatch(/json/);
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors![0].extensions?.code).toBe(code);
};

/**
 * Sends the upload while /healthz is pinged; each attempt's answer is checked by `check`. Best of
 * three for the latency: a gateway that stalls on the upload stalls every time, while this shared
 * machine's own scheduling pauses come and go.
 */
async function attackWhilePinging(body: Buffer, opts: { key?: string; chunked?: boolean }, check: (r: RawAnswer, read: number) => void): Promise<number> {
  let best = Infinity;
  for (let attempt = 0; attempt < 3 && best >= 100; attempt++) {
    const from = sockets.length;
    const upload = await uploader(body, opts);
    const ping = pingHealth();
    await ping.started();
    const r = await upload.go();
    best = Math.min(best, await ping.stop());
    check(r, mostRead(from));
  }
  return best;
}

describe('GraphQL body size', () => {
  const huge = chatBody(20 * 1024 * 1024);

  it('refuses a 20 MB body with a declared length with 413 in GraphQL’s shape, unread, while /healthz stays quick', async () => {
    const worst = await attackWhilePinging(huge, { key: gw.adminKey }, (r, read) => {
      expect(r.status).toBe(413);
      graphqlShaped(r, 'BAD_USER_INPUT');
      expect(r.body.errors![0].message).toMatch(new RegExp(`larger than the limit of ${gw.config.maxBodyBytes} bytes`));
      expect(r.body.errors![0].extensions?.reason).toBe('request_too_large');
      expect(r.uploadFinished).toBe(false);
      expect(read).toBeLessThan(1024 * 1024);
    });
    expect(worst).toBeLessThan(100);
  });

  it('cuts a chunked 20 MB body as soon as it passes the limit, with 413, while /healthz stays quick', async () => {
    const worst = await attackWhilePinging(huge, { key: gw.adminKey, chunked: true }, (r, read) => {
      expect(r.status).toBe(413);
      graphqlShaped(r, 'BAD_USER_INPUT');
      expect(r.uploadFinished).toBe(false);
      // The limit, plus what was in flight when it passed.
      expect(read).toBeLessThan(gw.config.maxBodyBytes + 1024 * 1024);
    });
    expect(worst).toBeLessThan(100);
  });

  it('answers a 2 MB chat mutation with 413, as REST does', async () => {
    const body = chatBody(2 * 1024 * 1024, 500);
    const rest = await gw.request('/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'echo',
        messages: JSON.parse(body.toString()).variables.input.messages.map((m: { content: string }) => ({ role: 'user', content: m.content })),
      }),
    });
    expect(rest.status).toBe(413);
    const res = await gw.request('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.toString() });
    expect(res.status).toBe(413);
    const json = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(json.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'request_too_large' } });
    expect(json).not.toHaveProperty('data');
    // The refused connection is not reused for the next request, which is answered.
    expect((await gqlHttp(gw, '{ viewer { id } }')).status).toBe(200);
  });

  it('closes a connection whose body it refused unread, so that a keep-alive client’s next request is answered', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string) =>
      new Promise<{ status: number; connection?: string }>((resolve, reject) => {
        const req = http.request(
          `${gw.url}/graphql`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.adminKey}` } },
          (res) => {
            res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const refused = await post(chatBody(2 * 1024 * 1024, 500).toString());
      expect(refused).toEqual({ status: 413, connection: 'close' });
      expect((await post(JSON.stringify({ query: '{ viewer { id } }' }))).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('still answers a body just under the limit', async () => {
    const body = chatBody(gw.config.maxBodyBytes - 4096, 900);
    expect(body.length).toBeLessThan(gw.config.maxBodyBytes);
    const r = await rawPost(body, { key: gw.adminKey });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });
});

describe('graphql-ws message size', () => {
  it('closes a socket that sends a message over MAX_BODY_BYTES (1009), after the key was checked at connection_init', async () => {
    const socket = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: string[] = [];
    socket.on('message', (m) => messages.push(String(m)));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${gw.adminKey}` } }));
    await new Promise((resolve) => socket.once('message', resolve));
    expect(JSON.parse(messages[0])).toEqual({ type: 'connection_ack' });
    const payload = JSON.parse(chatBody(2 * 1024 * 1024, 500).toString());
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { ...payload, query: payload.query.replace('mutation', 'subscription').replace('{ text }', '{ delta }') },
      }),
    );
    expect(await closed).toBe(1009);
    expect(messages).toHaveLength(1);
  });
});

describe('GraphQL key before the body', () => {
  it('answers a huge body without a key or with a bad key with 401 before reading it', async () => {
    const huge = chatBody(20 * 1024 * 1024, 1000);
    for (const key of [undefined, 'ogw_not_a_real_key']) {
      const from = sockets.length;
      const started = performance.now();
      const r = await rawPost(huge, { key });
      expect(r.status).toBe(401);
      graphqlShaped(r, 'UNAUTHENTICATED');
      expect(r.headers['www-authenticate']).toBe('Bearer');
      // Answered while the client was still uploading, and the server read next to nothing of it.
      expect(r.uploadFinished).toBe(false);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(mostRead(from)).toBeLessThan(512 * 1024);
    }
  });

  it('keeps GraphiQL reachable for a browser without a key', async () => {
    const res = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/GraphiQL/);
  });
});

describe('GraphQL variables', () => {
  const input = (count: number) => ({ input: { model: 'echo', messages: Array.from({ length: count }, () => ({ role: 'USER', content: 'hi' })) } });

  it('refuses more messages than the cap with 400 BAD_USER_INPUT naming it, before anything runs', async () => {
    const r = await gqlHttp(gw, CHAT, input(1001));
    expect(r.status).toBe(400);
    expect(codeOf(r.body)).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0].message).toMatch(/input\.messages has 1001 entries; at most 1000/);
    expect(r.body.errors?.[0].extensions?.reason).toBe('too_many_messages');
    expect(r.headers.get('x-ratelimit-limit')).toBeNull(); // refused before admission
    const ok = await gqlHttp(gw, CHAT, input(1000));
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
  });

  it('refuses variables with too many values in all', async () => {
    const r = await gqlHttp(gw, CHAT, {
      input: { model: 'echo', messages: [{ role: 'USER', content: 'hi' }], extra: Array.from({ length: 900 }, () => Array.from({ length: 20 }, () => 1)) },
    } as never);
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'variables_too_large' } });
  });

  it('applies the same cap over GET and over graphql-ws', async () => {
    const query = encodeURIComponent('query Q($ids: [ID!]) { viewer { id } }');
    const get = await gw.request(`/graphql?query=${query}&variables=${encodeURIComponent(JSON.stringify({ ids: Array.from({ length: 1001 }, () => 1) }))}`, {
      headers: { accept: 'application/json' },
    });
    expect(get.status).toBe(400);
    const body = (await get.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'list_too_long' });

    const ws = wsClient(gw);
    try {
      const [r] = await ws.all('subscription S($input: ChatInput!) { chat(input: $input) { delta } }', input(1001));
      expect(codeOf(r)).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].message).toMatch(/at most 1000/);
    } finally {
      await ws.dispose();
    }
  });
});

describe('GraphQL content types and query limits', () => {
  it('answers text/plain and form bodies with 415 and a body naming the problem', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await rawPost(Buffer.from('{ viewer { id } }'), { key: gw.adminKey, contentType: type });
      expect(r.status).toBe(415);
      graphqlShaped(r, 'BAD_USER_INPUT');
      expect(r.body.errors![0].message).toContain(type.split(';')[0]);
      expect(r.body.errors![0].message).toMatch(/application\/json/);
      expect(r.body.errors![0].extensions?.reason).toBe('unsupported_media_type');
    }
  });

  it('gives depth, alias, cost and token limit errors an extensions.code, over HTTP and graphql-ws', async () => {
    const deep = '{ apiKeys { nodes { usage { byKey { apiKey { usage { byKey { apiKey { usage { totals { requests } } } } } } } } } } }';
    const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    const costly = `{ ${Array.from({ length: 14 }, (_, i) => `k${i}: apiKeys { nodes { usage { series { byKey { apiKey { name prefix } } byModel { model } } } } }`).join(' ')} }`;
    const tokens = `{ viewer { ${Array.from({ length: 2100 }, () => 'id').join(' ')} } }`;
    for (const [query, reason] of [
      [deep, 'query_too_deep'],
      [aliases, 'too_many_aliases'],
      [costly, 'query_too_costly'],
      [tokens, 'too_many_tokens'],
    ] as const) {
      const r = await gqlHttp(gw, query);
      expect(r.body.data ?? undefined).toBeUndefined();
      expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason });
      const ws = wsClient(gw);
      try {
        const [w] = await ws.all(query);
        expect(w.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason });
      } finally {
        await ws.dispose();
      }
    }
  });
});

describe('CORS', () => {
  const surfaces = ['/graphql', '/v1/models', '/api/models', '/ollama/api/tags'];

  it('gives an unlisted origin no grant, and never a credentialed wildcard', async () => {
    for (const p of surfaces) {
      const res =
        p === '/graphql'
          ? await gw.request(p, { method: 'POST', json: { query: '{ viewer { id } }' }, headers: { origin: UNLISTED } })
          : await gw.request(p, { headers: { origin: UNLISTED } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      const pre = await fetch(gw.url + p, {
        method: 'OPTIONS',
        headers: { origin: UNLISTED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
      expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('grants a listed origin by name on every surface, preflight included', async () => {
    for (const p of surfaces) {
      const res =
        p === '/graphql'
          ? await gw.request(p, { method: 'POST', json: { query: '{ viewer { id } }' }, headers: { origin: LISTED } })
          : await gw.request(p, { headers: { origin: LISTED } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('vary')).toMatch(/origin/i);
      expect(res.headers.get('access-control-expose-headers')).toMatch(/x-ratelimit-remaining/);
      const pre = await fetch(gw.url + p, {
        method: 'OPTIONS',
        headers: { origin: LISTED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe(LISTED);
      expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('grants a listed origin its refusals too, so a browser can read why', async () => {
    const res = await gw.request('/v1/chat/completions', { method: 'POST', key: null, json: { model: 'echo', messages: [] }, headers: { origin: LISTED } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
    const gql = await gw.request('/graphql', { method: 'POST', key: null, json: { query: '{ viewer { id } }' }, headers: { origin: LISTED } });
    expect(gql.status).toBe(401);
    expect(gql.headers.get('access-control-allow-origin')).toBe(LISTED);
  });
});
