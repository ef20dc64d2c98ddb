import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { revokeApiKey, updateApiKey } from '../server/auth/api-keys.ts';
import { prisma } from '../server/db/client.ts';
import { DEFAULT_EMULATED_MODELS, startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';

const run = promisify(execFile);
let ollama: OllamaEmulator;
let gw: TestGateway;
const models = [...DEFAULT_EMULATED_MODELS, { name: 'llama2:7b' }, { name: 'codellama:7b' }];

beforeAll(async () => {
  ollama = await startOllamaEmulator({ models });
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url, OLLAMA_TIMEOUT_MS: '1500', MAX_TOKENS_CAP: '4096' } });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close().catch(() => {});
});
beforeEach(() => {
  ollama.reset();
  ollama.setModels(models);
});

const chat = (body: unknown, key?: string | null) => gw.request('/api/chat', { method: 'POST', json: body, key });
const waitForUsage = async (id: string) => {
  for (let i = 0; i < 100; i++) {
    const rec = await prisma.usageRecord.findUnique({ where: { id } });
    if (rec) return rec;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no usage record ${id}`);
};

/** Opens a raw connection and sends `head` (a request line and headers, plus any start of a body). */
function rawRequest(head: string): { socket: net.Socket; received: () => string } {
  const { hostname, port } = new URL(gw.url);
  const socket = net.connect(Number(port), hostname);
  let text = '';
  socket.setEncoding('utf8').on('data', (d: string) => (text += d));
  socket.on('error', () => {});
  socket.write(head.replaceAll('\n', '\r\n'));
  return { socket, received: () => text };
}

const postHead = (path: string, length: number) =>
  `POST ${path} HTTP/1.1\nHost: gateway\nAuthorization: Bearer ${gw.adminKey}\nContent-Type: application/json\nContent-Length: ${length}\n\n`;

describe('GET /api/models', () => {
  it('lists the synced Ollama models and the built-in echo model in the documented shape', async () => {
    const res = await gw.request('/api/models');
    expect(res.status).toBe(200);
    const body = await res.json();
    const ids = body.models.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['echo', 'llama2:7b', 'llama3.2:latest', 'qwen2.5:0.5b']));
    const llama = body.models.find((m: { id: string }) => m.id === 'llama2:7b');
    expect(llama).toEqual({
      id: 'llama2:7b',
      name: expect.any(String),
      description: expect.any(String),
      is_active: true,
      parameters: { temperature: 0.7, top_p: 0.9, top_k: 40 },
    });
    const echo = body.models.find((m: { id: string }) => m.id === 'echo');
    expect(echo.description).toMatch(/test model, not a language model/);
  });

  it('carries the documented rate-limit headers', async () => {
    const res = await gw.request('/api/models');
    expect(Number(res.headers.get('x-ratelimit-limit'))).toBe(60);
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(60);
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
  });
});

describe('POST /api/chat', () => {
  it('answers in the documented envelope with usage from Ollama counts', async () => {
    const res = await chat({
      model: 'llama2:7b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^cmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'llama2:7b',
      choices: [{ message: { role: 'assistant', content: 'You said: Hello there' }, finish_reason: 'stop', index: 0 }],
      usage: { prompt_tokens: 4, completion_tokens: 4, total_tokens: 8 },
    });
    expect(Math.abs(body.created - Date.now() / 1000)).toBeLessThan(5);
    expect(res.headers.get('x-request-id')).toBe(body.id);
  });

  it('applies the documented defaults (temperature 0.7, max_tokens 1024) and maps options for Ollama', async () => {
    await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'hi' }] });
    // A client that does not stream gets a non-streamed upstream call: one JSON answer to parse.
    expect(ollama.lastRequest('/api/chat')!.body).toMatchObject({
      model: 'llama2:7b',
      stream: false,
      options: { temperature: 0.7, num_predict: 1024, top_p: 0.9, top_k: 40 },
    });
    await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2, max_tokens: 50, top_p: 0.5, top_k: 7 });
    expect(ollama.lastRequest('/api/chat')!.body.options).toMatchObject({ temperature: 0.2, num_predict: 50, top_p: 0.5, top_k: 7 });
  });

  it('never forwards the client key upstream', async () => {
    await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'hi' }] });
    const sent = ollama.lastRequest('/api/chat')!;
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.rawBody).not.toContain(gw.adminKey);
  });

  it('truncates at max_tokens with finish_reason "length"', async () => {
    const body = await (await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'one two three four five' }], max_tokens: 3 })).json();
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(3);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 3);
  });

  it('serves the built-in echo model word by word with word counts', async () => {
    const body = await (
      await chat({
        model: 'echo',
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'alpha beta gamma delta' },
        ],
        max_tokens: 3,
      })
    ).json();
    expect(body.choices[0]).toEqual({ message: { role: 'assistant', content: 'alpha beta gamma' }, finish_reason: 'length', index: 0 });
    expect(body.usage).toEqual({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
  });
});

describe('POST /api/generate', () => {
  it('answers in the documented text.completion envelope', async () => {
    const res = await gw.request('/api/generate', { method: 'POST', json: { model: 'llama2:7b', prompt: 'Write a poem', temperature: 0.7, max_tokens: 1000 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: expect.stringMatching(/^cmpl-/),
      object: 'text.completion',
      created: expect.any(Number),
      model: 'llama2:7b',
      choices: [{ text: 'You said: Write a poem', finish_reason: 'stop', index: 0 }],
      usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    });
    expect(ollama.lastRequest('/api/generate')!.body).toMatchObject({ prompt: 'Write a poem', options: { num_predict: 1000, temperature: 0.7 } });
  });
});

describe('the API document', () => {
  it('its cURL example works verbatim against a local gateway', async () => {
    const doc = readFileSync(new URL('../docs/api-document.md', import.meta.url), 'utf8');
    const block = /## Using with cURL[\s\S]*?```bash\n([\s\S]*?)```/.exec(doc)![1];
    const command = block.replace('https://your-domain.com/api', `${gw.url}/api`).replace('your_api_key_here', gw.adminKey);
    const { stdout } = await run('bash', ['-c', command.replace(/^curl /, 'curl -sS ')]);
    const body = JSON.parse(stdout);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'llama2:7b',
      choices: [{ message: { role: 'assistant' }, finish_reason: 'stop', index: 0 }],
    });
    expect(body.choices[0].message.content).toBe('You said: Write me a short story about a robot who discovers emotions.');
  });
});

describe('errors', () => {
  const user = [{ role: 'user', content: 'hi' }];
  const cases: Array<[string, unknown, number, string | RegExp]> = [
    ['missing model', { messages: user }, 400, 'model is required'],
    ['model of the wrong type', { model: 7, messages: user }, 400, 'model must be a string'],
    ['missing messages', { model: 'echo' }, 400, 'messages is required'],
    ['empty messages', { model: 'echo', messages: [] }, 400, /messages must contain at least 1/],
    ['unknown role', { model: 'echo', messages: [{ role: 'wizard', content: 'x' }] }, 400, /messages\[0\]\.role must be one of: system, user, assistant/],
    ['content not a string', { model: 'echo', messages: [{ role: 'user', content: 5 }] }, 400, 'messages[0].content must be a string'],
    ['temperature above 2', { model: 'echo', messages: user, temperature: 2.5 }, 400, 'temperature must be a number between 0 and 2'],
    ['temperature below 0', { model: 'echo', messages: user, temperature: -0.1 }, 400, 'temperature must be a number between 0 and 2'],
    ['temperature as a string', { model: 'echo', messages: user, temperature: 'hot' }, 400, 'temperature must be a number'],
    ['top_p of 0', { model: 'echo', messages: user, top_p: 0 }, 400, /top_p must be a number greater than 0/],
    ['top_p above 1', { model: 'echo', messages: user, top_p: 1.5 }, 400, /top_p/],
    ['max_tokens of 0', { model: 'echo', messages: user, max_tokens: 0 }, 400, /max_tokens must be a whole number of at least 1/],
    ['fractional max_tokens', { model: 'echo', messages: user, max_tokens: 1.5 }, 400, /max_tokens must be a whole number/],
    ['max_tokens above the cap', { model: 'echo', messages: user, max_tokens: 5000 }, 400, 'max_tokens must be at most 4096'],
    ['an array body', [1, 2], 400, 'Request body must be a JSON object'],
    ['an unknown model', { model: 'nope:1b', messages: user }, 404, "The model 'nope:1b' does not exist or is not active"],
  ];
  it.each(cases)('%s -> %i with the envelope naming the problem', async (_name, body, status, message) => {
    const res = await chat(body);
    expect(res.status).toBe(status);
    const err = (await res.json()).error;
    expect(err).toEqual({ message: expect.any(String), type: expect.any(String), code: expect.any(String) });
    if (typeof message === 'string') expect(err.message).toContain(message);
    else expect(err.message).toMatch(message);
    expect(err.type).toBe(status === 404 ? 'not_found_error' : 'invalid_request_error');
  });

  it('malformed JSON -> 400 invalid_json', async () => {
    const res = await gw.request('/api/chat', { method: 'POST', body: '{"model": "echo", "messages": [', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('a body over 1 MB -> 413, without reading it all into a model', async () => {
    const res = await chat({ model: 'echo', messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024 + 10) }] });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'request_too_large' });
  });

  it('deeply nested JSON -> 400 naming the nesting', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const res = await gw.request('/api/chat', { method: 'POST', body: `{"model":"echo","messages":${deep}}`, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/nested deeper than/);
  });

  it('401 without a key, with a wrong key, and for a key outside the Authorization header', async () => {
    for (const [key, path] of [
      [null, '/api/models'],
      ['ogw_wrong', '/api/models'],
      [null, `/api/models?api_key=${gw.adminKey}`],
    ] as const) {
      const res = await gw.request(path, { key });
      expect(res.status).toBe(401);
      const err = (await res.json()).error;
      expect(err.type).toBe('authentication_error');
      expect(err.code).toBe('invalid_api_key');
    }
    const wrong = await (await gw.request('/api/models', { key: 'ogw_wrong' })).json();
    expect(wrong).toEqual({ error: { message: 'Invalid API key provided', type: 'authentication_error', code: 'invalid_api_key' } });
  });

  it('a revoked or expired key is refused at once', async () => {
    const k = await gw.createKey();
    expect((await gw.request('/api/models', { key: k.secret })).status).toBe(200);
    await revokeApiKey({ id: k.id });
    await gw.app.services.keys.reloadKey(k.id);
    const res = await gw.request('/api/models', { key: k.secret });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('invalid_api_key');

    const e = await gw.createKey({ expiresAt: new Date(Date.now() + 300) });
    expect((await gw.request('/api/models', { key: e.secret })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect((await gw.request('/api/models', { key: e.secret })).status).toBe(401);
  });

  it('a revocation reaches the key cache through the change feed without a manual reload', async () => {
    const k = await gw.createKey();
    expect((await gw.request('/api/models', { key: k.secret })).status).toBe(200);
    await revokeApiKey({ id: k.id });
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await gw.request('/api/models', { key: k.secret })).status;
    }
    expect(status).toBe(401);
  });

  it('an inactive model is refused with 404 and hidden from the list', async () => {
    await gw.app.services.catalogue.update({ id: 'codellama:7b', isActive: false });
    const res = await chat({ model: 'codellama:7b', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('model_not_found');
    const list = await (await gw.request('/api/models')).json();
    expect(list.models.map((m: { id: string }) => m.id)).not.toContain('codellama:7b');
    await gw.app.services.catalogue.update({ id: 'codellama:7b', isActive: true });
  });

  it('a key limited to some models gets 403 for others', async () => {
    const k = await gw.createKey({ allowedModels: ['echo'] });
    const list = await (await gw.request('/api/models', { key: k.secret })).json();
    expect(list.models.map((m: { id: string }) => m.id)).toEqual(['echo']);
    const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'x' }] }, k.secret);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('model_not_allowed');
  });

  it('an unknown path or a wrong method gets the envelope too', async () => {
    const res = await gw.request('/api/nothing');
    expect(res.status).toBe(404);
    expect((await res.json()).error.type).toBe('not_found_error');
    expect(res.headers.get('x-ratelimit-limit')).toBe('60'); // an authenticated request: it carries them too
    const m = await gw.request('/api/chat');
    expect(m.status).toBe(405);
    expect(m.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(m.headers.get('allow')).toBe('POST');
    expect((await m.json()).error.code).toBe('method_not_allowed');
    const g = await gw.request('/api/models', { method: 'POST', json: {} });
    expect(g.status).toBe(405);
    expect(g.headers.get('allow')).toBe('GET');
  });

  it('every error answer to an authenticated request carries the rate-limit headers, and completion errors their request id', async () => {
    const answers = [
      await chat({ model: 'echo' }),
      await chat({ model: 'nope:1b', messages: [{ role: 'user', content: 'x' }] }),
      await gw.request('/api/chat', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } }),
      await chat({ model: 'echo', messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024 + 10) }] }),
    ];
    expect(answers.map((r) => r.status)).toEqual([400, 404, 400, 413]);
    for (const res of answers) {
      expect(Number(res.headers.get('x-ratelimit-limit'))).toBe(60);
      expect(res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
      expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    }
    expect(answers[1].headers.get('x-request-id')).toMatch(/^cmpl-/);
  });

  it('a declared Content-Length over the limit -> 413 at once, without the body being sent, and the connection closed', async () => {
    const started = Date.now();
    const { socket, received } = rawRequest(postHead('/api/chat', 100 * 1024 * 1024));
    // The server ends the connection itself: it neither waits for nor reads the 100 MB it was promised.
    await Promise.race([once(socket, 'end'), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer; got ${received()}`)), 2000))]);
    expect(Date.now() - started).toBeLessThan(2000);
    const [head, body] = received().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(body).error).toMatchObject({ code: 'request_too_large', type: 'invalid_request_error' });
    socket.destroy();
  });

  it('an upload the client abandons midway gets no answer and no error log, and the gateway keeps serving', async () => {
    const logError = vi.spyOn(gw.app.services.log, 'error');
    try {
      const { socket, received } = rawRequest(`${postHead('/api/chat', 1000)}{"model":"echo",`);
      await new Promise((r) => setTimeout(r, 150)); // the gateway is now waiting for the rest of the body
      socket.destroy();
      await new Promise((r) => setTimeout(r, 150));
      expect(received()).toBe('');
      expect(logError).not.toHaveBeenCalled();
      const next = await chat({ model: 'echo', messages: [{ role: 'user', content: 'still here' }] });
      expect(next.status).toBe(200);
      expect((await next.json()).choices[0].message.content).toBe('still here');
    } finally {
      logError.mockRestore();
    }
  });
});

describe('when Ollama fails', () => {
  it('an Ollama error -> 502 with the envelope, and the failure is recorded in usage', async () => {
    ollama.setBehavior({ fail: { status: 500, error: 'CUDA out of memory' } });
    const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(502);
    const err = (await res.json()).error;
    expect(err).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
    expect(err.message).toContain('CUDA out of memory');
    const rec = await waitForUsage(res.headers.get('x-request-id')!);
    expect(rec).toMatchObject({ status: 502, model: 'llama2:7b', completionTokens: 0 });
  });

  it('a stream that dies midway ends with an error event, never a clean [DONE]', async () => {
    ollama.setBehavior({ dieAfterChunks: 2 });
    const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'a b c d e f' }], stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('[DONE]');
    const last = JSON.parse(
      text
        .trim()
        .split('\n\n')
        .at(-1)!
        .replace(/^data: /, ''),
    );
    expect(last.error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
    const rec = await waitForUsage(res.headers.get('x-request-id')!);
    expect(rec.status).toBe(502);
  });

  it('a connection reset before the answer -> 503', async () => {
    ollama.setBehavior({ dieAfterChunks: 0 });
    const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'a b c' }], stream: true });
    expect(res.status).toBe(503);
    expect((await res.json()).error.type).toBe('upstream_error');
  });

  it("Ollama refusing the request itself (an embedding model asked to chat) -> 400, the client's mistake", async () => {
    const res = await chat({ model: 'nomic-embed-text:latest', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(400);
    const err = (await res.json()).error;
    expect(err).toMatchObject({ type: 'invalid_request_error', code: 'upstream_rejected' });
    expect(err.message).toMatch(/does not support/);
  });

  it('Ollama too slow to answer -> 504', async () => {
    ollama.setBehavior({ headersDelayMs: 4000 });
    const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(504);
    expect((await res.json()).error.code).toBe('upstream_timeout');
  });
});

describe('cancellation and usage', () => {
  it('a client that goes away closes the Ollama request and is recorded as cancelled', async () => {
    ollama.setBehavior({ tokenDelayMs: 100 });
    const controller = new AbortController();
    const req = gw.request('/api/chat', {
      method: 'POST',
      json: { model: 'llama2:7b', messages: [{ role: 'user', content: 'a b c d e f g h i j' }], stream: true },
      signal: controller.signal,
    });
    const res = await req;
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    const requestId = res.headers.get('x-request-id')!;
    controller.abort();
    const aborted = await ollama.waitForAbort({ path: '/api/chat', timeoutMs: 1000 });
    expect(aborted.aborted).toBe(true);
    const rec = await waitForUsage(requestId);
    expect(rec).toMatchObject({ status: 499, surface: 'rest', endpoint: '/api/chat', stream: true });
    // The tokens streamed before the cancellation are counted (a token a chunk), not dropped.
    expect(rec.completionTokens).toBeGreaterThanOrEqual(1);
    expect(rec.completionTokens).toBeLessThanOrEqual(aborted.chunksSent);
  });

  it('records one usage row per answered request with tokens, latency and time to first token', async () => {
    const k = await gw.createKey({ name: 'usage probe' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'count these words' }] }, k.secret);
      ids.push((await res.json()).id);
    }
    for (const id of ids) {
      const rec = await waitForUsage(id);
      expect(rec).toMatchObject({
        apiKeyId: k.id,
        model: 'llama2:7b',
        surface: 'rest',
        endpoint: '/api/chat',
        status: 200,
        promptTokens: 3,
        completionTokens: 5,
        stream: false,
      });
      expect(rec.latencyMs).toBeGreaterThanOrEqual(0);
      expect(rec.ttftMs).not.toBeNull();
    }
    expect(await prisma.usageRecord.count({ where: { apiKeyId: k.id } })).toBe(3);
  });

  it("a non-streamed answer records Ollama's time to first token, not the whole latency", async () => {
    ollama.setBehavior({ tokenDelayMs: 60, durations: { load_duration: 20_000_000, prompt_eval_duration: 15_000_000 } });
    const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'a b c d e' }] });
    const rec = await waitForUsage((await res.json()).id);
    expect(rec.latencyMs).toBeGreaterThanOrEqual(300);
    expect(rec.ttftMs).toBe(35);
  });

  it('a key given its own requests-per-minute limit gets it in the headers', async () => {
    const k = await gw.createKey({ rpmLimit: 5 });
    const res = await gw.request('/api/models', { key: k.secret });
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    await updateApiKey({ id: k.id, rpmLimit: 7 });
    await gw.app.services.keys.reloadKey(k.id);
    expect((await gw.request('/api/models', { key: k.secret })).headers.get('x-ratelimit-limit')).toBe('7');
  });
});

// Last: it takes Ollama away for good.
describe('when Ollama is unreachable', () => {
  it('a request for its model -> 503 with the envelope, and the gateway keeps serving the rest', async () => {
    await ollama.close();
    const res = await chat({ model: 'llama2:7b', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatchObject({ type: 'upstream_error', code: 'upstream_unavailable' });
    expect((await chat({ model: 'echo', messages: [{ role: 'user', content: 'still here' }] })).status).toBe(200);
  });
});
