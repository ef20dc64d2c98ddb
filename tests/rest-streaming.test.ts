import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let emulator: OllamaEmulator;
let gw: TestGateway;
let key: string;

beforeAll(async () => {
  emulator = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: emulator.url } });
  key = (await gw.createKey({ rpmLimit: 1000 })).secret;
});

afterAll(async () => {
  await gw?.stop();
  await emulator?.close();
});

beforeEach(() => emulator.reset());

/** The `data:` payloads of a server-sent event stream, in order. */
async function events(res: Response): Promise<string[]> {
  const text = await res.text();
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true);
      return e.slice('data: '.length);
    });
}

const post = (path: string, json: unknown) => gw.request(path, { key, method: 'POST', json });

describe('rest streaming', () => {
  it('streams /api/chat as chunks with the role first, one finish_reason with usage, then [DONE]', async () => {
    const res = await post('/api/chat', { model: 'llama3.2:latest', messages: [{ role: 'user', content: 'tell me more' }], stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(1000);
    expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^cmpl-/);

    const data = await events(res);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === requestId && c.model === 'llama3.2:latest')).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('You said: tell me more');
    const finished = chunks.filter((c) => c.choices[0].finish_reason !== null);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toBe(chunks.at(-1));
    expect(finished[0].choices[0].finish_reason).toBe('stop');
    expect(finished[0].usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
  });

  it('streams /api/generate as text chunks with a final finish_reason and usage', async () => {
    const res = await post('/api/generate', { model: 'qwen2.5:0.5b', prompt: 'a poem', max_tokens: 2, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    const data = await events(res);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === 'text.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0].text).join('')).toBe('You said:');
    expect(chunks.filter((c) => c.choices[0].finish_reason !== null)).toHaveLength(1);
    expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: 'length' }], usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } });
    expect(emulator.lastRequest('/api/generate')!.body.options).toMatchObject({ num_predict: 2 });
  });

  it('answers with one JSON envelope when stream is absent or false', async () => {
    for (const stream of [undefined, false]) {
      const res = await post('/api/chat', { model: 'echo', messages: [{ role: 'user', content: 'plain answer' }], stream });
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toMatchObject({
        object: 'chat.completion',
        choices: [{ message: { role: 'assistant', content: 'plain answer' }, finish_reason: 'stop' }],
      });
    }
  });

  it('fails before the stream starts with a status code and the documented error envelope', async () => {
    const res = await post('/api/chat', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(await res.json()).toEqual({ error: { message: expect.any(String), type: 'not_found_error', code: 'model_not_found' } });
  });

  it('ends a stream that fails midway with an error event instead of [DONE]', async () => {
    emulator.setBehavior({ errorAfterChunks: { after: 1, error: 'gpu fell off' } });
    const res = await post('/api/chat', { model: 'llama3.2:latest', messages: [{ role: 'user', content: 'one two' }], stream: true });
    const data = await events(res);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: { message: expect.stringContaining('gpu fell off'), type: 'upstream_error', code: 'upstream_error' } });
  });

  it('cancels the Ollama request within a second when the client disconnects', async () => {
    emulator.setBehavior({ tokenDelayMs: 50, reply: () => 'word '.repeat(200) });
    const controller = new AbortController();
    const res = await gw.request('/api/generate', {
      key,
      method: 'POST',
      json: { model: 'llama3.2:latest', prompt: 'go', stream: true },
      signal: controller.signal,
    });
    const requestId = res.headers.get('x-request-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const aborted = await emulator.waitForAbort({ path: '/api/generate', timeoutMs: 1000 });
    expect(aborted.chunksSent).toBeLessThan(200);
    let rec = null;
    for (let i = 0; i < 50 && !rec; i++) {
      await gw.app.services.usage.flush();
      rec = await prisma.usageRecord.findUnique({ where: { id: requestId } });
      if (!rec) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rec).toMatchObject({ surface: 'rest', endpoint: '/api/generate', status: 499, stream: true });
  });
});
