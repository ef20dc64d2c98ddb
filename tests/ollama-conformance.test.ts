import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { CAPABLE_MODEL, DEFAULT_EMULATED_MODELS, TOOL_CALL_TOKENS, startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let emulator: OllamaEmulator;
let gw: TestGateway;
let key: string;
let ollama: Ollama;

const client = (secret: string) => new Ollama({ host: `${gw.url}/ollama`, headers: { Authorization: `Bearer ${secret}` } });

beforeAll(async () => {
  emulator = await startOllamaEmulator({ models: [...DEFAULT_EMULATED_MODELS, CAPABLE_MODEL] });
  gw = await startGateway({ env: { OLLAMA_URL: emulator.url } });
  key = (await gw.createKey({ rpmLimit: 1000 })).secret;
  ollama = client(key);
});

afterAll(async () => {
  await gw?.stop();
  await emulator?.close();
});

beforeEach(() => emulator.reset());

async function failure(promise: Promise<unknown>): Promise<{ status_code?: number; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: { status_code?: number; message: string }) => e,
  );
}

async function usageRecords(where: { endpoint: string; surface: string }) {
  await gw.app.services.usage.flush();
  return prisma.usageRecord.findMany({ where, orderBy: { createdAt: 'desc' } });
}

/** Parses an NDJSON body into its lines. */
async function lines(res: Response): Promise<Array<Record<string, any>>> {
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('ollama surface', () => {
  describe('models', () => {
    it('lists only the active models the key may use (GET /api/tags)', async () => {
      const { models } = await ollama.list();
      expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(['echo', 'llama3.2:latest', 'qwen2.5:0.5b', 'nomic-embed-text:latest']));
      expect(models.find((m) => m.name === 'llama3.2:latest')).toMatchObject({
        model: 'llama3.2:latest',
        size: 2_019_393_189,
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
        details: { family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
      });

      const restricted = client((await gw.createKey({ allowedModels: ['qwen2.5:0.5b'] })).secret);
      expect((await restricted.list()).models.map((m) => m.name)).toEqual(['qwen2.5:0.5b']);

      await gw.app.services.catalogue.update({ id: 'qwen2.5:0.5b', isActive: false });
      try {
        expect((await ollama.list()).models.map((m) => m.name)).not.toContain('qwen2.5:0.5b');
        const err = await failure(ollama.generate({ model: 'qwen2.5:0.5b', prompt: 'hi' }));
        expect(err.status_code).toBe(404);
      } finally {
        await gw.app.services.catalogue.update({ id: 'qwen2.5:0.5b', isActive: true });
      }
    });

    it('shows a model, accepting a name without its tag (POST /api/show)', async () => {
      const info = await ollama.show({ model: 'llama3.2' });
      expect(info.details).toMatchObject({ family: 'llama' });
      expect(info.capabilities).toContain('completion');
      expect(emulator.lastRequest('/api/show')!.body).toMatchObject({ model: 'llama3.2:latest' });

      const restricted = client((await gw.createKey({ allowedModels: ['echo'] })).secret);
      expect((await failure(restricted.show({ model: 'llama3.2' }))).status_code).toBe(404);
      expect((await restricted.show({ model: 'echo' })).capabilities).toContain('completion');
    });

    it('lists the loaded models the key may see (GET /api/ps)', async () => {
      await ollama.generate({ model: 'llama3.2', prompt: 'warm up' });
      const { models } = await ollama.ps();
      expect(models.map((m) => m.name)).toEqual(['llama3.2:latest']);
      const restricted = client((await gw.createKey({ allowedModels: ['qwen2.5:0.5b'] })).secret);
      expect((await restricted.ps()).models).toEqual([]);
    });

    it("reports Ollama's version (GET /api/version) to any key, and answers the root probe", async () => {
      expect(await ollama.version()).toEqual({ version: '0.12.6' });
      const echoOnly = client((await gw.createKey({ allowedModels: ['echo'] })).secret);
      expect(await echoOnly.version()).toEqual({ version: '0.12.6' });
      const root = await fetch(`${gw.url}/ollama/`);
      expect(root.status).toBe(200);
      expect(await root.text()).toBe('Ollama is running');
    });
  });

  describe('chat', () => {
    it('answers a chat in one object with the counts and durations', async () => {
      const res = await ollama.chat({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hi there' }],
        options: { temperature: 0.1, num_predict: 10, top_k: 5, seed: 3, stop: ['qq'] },
      });
      expect(res).toMatchObject({
        model: 'llama3.2',
        message: { role: 'assistant', content: 'You said: hi there' },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 2,
        eval_count: 4,
      });
      for (const d of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) expect(res[d]).toEqual(expect.any(Number));
      const sent = emulator.lastRequest('/api/chat')!;
      expect(sent.body.options).toMatchObject({ temperature: 0.1, num_predict: 10, top_k: 5, seed: 3, stop: ['qq'] });
      expect(sent.headers.authorization).toBeUndefined();
    });

    it('streams a chat as NDJSON chunks ending with a done line', async () => {
      const stream = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'stream it' }], stream: true });
      const parts = [];
      for await (const part of stream) parts.push(part);
      expect(parts.length).toBeGreaterThan(2);
      expect(parts.slice(0, -1).every((p) => p.done === false)).toBe(true);
      expect(parts.map((p) => p.message.content).join('')).toBe('You said: stream it');
      expect(parts.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 2, eval_count: 4 });
    });

    it('streams when stream is absent, with rate-limit headers', async () => {
      const res = await gw.request('/ollama/api/chat', { key, method: 'POST', json: { model: 'echo', messages: [{ role: 'user', content: 'a b c' }] } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
      expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
      const body = await lines(res);
      expect(body.map((l) => l.message.content).join('')).toBe('a b c');
      expect(body.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 3, prompt_eval_count: 3 });
      expect(body.filter((l) => l.done)).toHaveLength(1);
    });

    it('ends a stream that fails midway with an error line', async () => {
      emulator.setBehavior({ errorAfterChunks: { after: 2, error: 'out of memory' } });
      const res = await gw.request('/ollama/api/chat', {
        key,
        method: 'POST',
        json: { model: 'llama3.2', messages: [{ role: 'user', content: 'one two three' }] },
      });
      const body = await lines(res);
      expect(
        body
          .slice(0, 2)
          .map((l) => l.message.content)
          .join(''),
      ).toBe('You said:');
      expect(body.at(-1)).toEqual({ error: expect.stringContaining('out of memory') });
      expect(body.some((l) => l.done === true)).toBe(false);

      emulator.setBehavior({ errorAfterChunks: null, dieAfterChunks: 1 });
      const stream = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'one two three' }], stream: true });
      const err = await failure(
        (async () => {
          for await (const _ of stream);
        })(),
      );
      expect(err.message).toMatch(/model server failed/);
    });

    it('stops the Ollama generation within a second when the client aborts', async () => {
      emulator.setBehavior({ tokenDelayMs: 50, reply: () => 'word '.repeat(200) });
      const stream = await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'go' }], stream: true });
      let n = 0;
      await failure(
        (async () => {
          for await (const _ of stream) if (++n === 2) stream.abort();
        })(),
      );
      const aborted = await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1000 });
      expect(aborted.chunksSent).toBeLessThan(200);
      let recs: Awaited<ReturnType<typeof usageRecords>> = [];
      for (let i = 0; i < 50 && !recs.some((r) => r.status === 499); i++) {
        recs = await usageRecords({ endpoint: '/api/chat', surface: 'ollama' });
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(recs.find((r) => r.status === 499)).toMatchObject({ surface: 'ollama', stream: true, model: 'llama3.2:latest' });
    });
  });

  describe('tools, thinking, images and format', () => {
    const model = CAPABLE_MODEL.name;
    const weather = {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The weather in a city',
        parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string', description: 'The city' } } },
      },
    };

    /** The usage row of the latest request to `endpoint` on this surface. */
    async function lastUsage(endpoint: string) {
      for (let i = 0; i < 50; i++) {
        const [rec] = await usageRecords({ endpoint, surface: 'ollama' });
        if (rec && rec.id === emulatorRequestId) return rec;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no usage record for the last request');
    }
    let emulatorRequestId = '';
    const chatRaw = async (json: object) => {
      const res = await gw.request('/ollama/api/chat', { key, method: 'POST', json });
      emulatorRequestId = res.headers.get('x-request-id')!;
      return res;
    };

    it('passes tools through and answers with tool calls; a tool message with tool_name goes back as sent', async () => {
      const res = await ollama.chat({ model, messages: [{ role: 'user', content: 'Lima' }], tools: [weather] });
      expect(emulator.lastRequest('/api/chat')!.body.tools).toEqual([weather]);
      expect(res.message.tool_calls).toEqual([{ function: { index: 0, name: 'get_weather', arguments: { city: 'Lima' } } }]);
      expect(res).toMatchObject({ done: true, done_reason: 'stop', eval_count: TOOL_CALL_TOKENS });

      const messages = [
        { role: 'user', content: 'Lima' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Lima' } } }] },
        { role: 'tool', content: 'foggy', tool_name: 'get_weather' },
      ];
      const second = await chatRaw({ model, messages, tools: [weather], stream: false });
      expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual(messages);
      expect((await second.json()).message).toEqual({ role: 'assistant', content: 'The tool said: foggy' });
      expect(await lastUsage('/api/chat')).toMatchObject({ surface: 'ollama', status: 200, promptTokens: 2, completionTokens: 4 });
    });

    it('streams tool calls in their own chunk before the done line', async () => {
      const stream = await ollama.chat({ model, messages: [{ role: 'user', content: 'Quito' }], tools: [weather], stream: true });
      const parts = [];
      for await (const part of stream) parts.push(part);
      const withCalls = parts.filter((p) => p.message.tool_calls?.length);
      expect(withCalls).toHaveLength(1);
      expect(withCalls[0]).toMatchObject({
        done: false,
        message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Quito' } } }] },
      });
      expect(parts.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: TOOL_CALL_TOKENS });
    });

    it('passes think through and returns the thinking, plain and streamed, counting its tokens', async () => {
      const res = await chatRaw({ model, messages: [{ role: 'user', content: 'ponder this' }], think: true, stream: false });
      expect(emulator.lastRequest('/api/chat')!.body.think).toBe(true);
      expect((await res.json()).message).toEqual({ role: 'assistant', content: 'You said: ponder this', thinking: 'Thinking about: ponder this' });
      expect(await lastUsage('/api/chat')).toMatchObject({ promptTokens: 2, completionTokens: 4 + 4 });

      const stream = await ollama.chat({ model, messages: [{ role: 'user', content: 'and this' }], think: 'medium', stream: true });
      let thinking = '';
      let content = '';
      for await (const part of stream) {
        thinking += part.message.thinking ?? '';
        content += part.message.content;
      }
      expect(emulator.lastRequest('/api/chat')!.body.think).toBe('medium');
      expect(thinking).toBe('Thinking about: and this');
      expect(content).toBe('You said: and this');

      const gen = await ollama.generate({ model, prompt: 'deep', think: true });
      expect(gen).toMatchObject({ response: 'You said: deep', thinking: 'Thinking about: deep' });
    });

    it("relays Ollama's refusal of thinking for a model that cannot think as a 400", async () => {
      const err = await failure(ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }], think: true }));
      expect(err.status_code).toBe(400);
      expect(err.message).toContain('does not support thinking');
    });

    it('passes images, format, keep_alive and every option as sent, and injects none the client did not send', async () => {
      const format = { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] };
      const res = await ollama.chat({
        model,
        messages: [{ role: 'user', content: 'what colour', images: ['aGVsbG8='] }],
        format,
        keep_alive: '10m',
        options: { num_ctx: 8192, repeat_penalty: 1.1, temperature: 0.3 },
      });
      expect(emulator.lastRequest('/api/chat')!.body).toEqual({
        model,
        messages: [{ role: 'user', content: 'what colour', images: ['aGVsbG8='] }],
        format,
        keep_alive: '10m',
        options: { num_ctx: 8192, repeat_penalty: 1.1, temperature: 0.3 },
        stream: false,
      });
      expect(JSON.parse(res.message.content)).toEqual({ colour: 'what colour' });

      await ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'no options' }] });
      const plain = emulator.lastRequest('/api/chat')!.body;
      expect(plain).toEqual({ model: 'llama3.2:latest', messages: [{ role: 'user', content: 'no options' }], stream: false });

      await ollama.generate({ model, prompt: 'look', images: ['aGVsbG8='], options: { num_predict: -1 } });
      expect(emulator.lastRequest('/api/generate')!.body).toEqual({ model, prompt: 'look', images: ['aGVsbG8='], options: { num_predict: -1 }, stream: false });
    });
  });

  describe('generate', () => {
    it('answers a generation in one object', async () => {
      const res = await ollama.generate({ model: 'qwen2.5:0.5b', prompt: 'why is the sky blue', system: 'be short' });
      expect(res).toMatchObject({ model: 'qwen2.5:0.5b', response: 'You said: why is the sky blue', done: true, done_reason: 'stop', eval_count: 7 });
      expect(emulator.lastRequest('/api/generate')!.body).toMatchObject({ prompt: 'why is the sky blue', system: 'be short' });
    });

    it('streams a generation', async () => {
      const stream = await ollama.generate({ model: 'qwen2.5:0.5b', prompt: 'go on', stream: true });
      const parts = [];
      for await (const part of stream) parts.push(part);
      expect(parts.map((p) => p.response).join('')).toBe('You said: go on');
      expect(parts.at(-1)).toMatchObject({ done: true, eval_count: 4, prompt_eval_count: 2 });
      const recs = await usageRecords({ endpoint: '/api/generate', surface: 'ollama' });
      expect(recs[0]).toMatchObject({ status: 200, stream: true, completionTokens: 4 });
    });

    it('answers an empty prompt (a model load) without generating', async () => {
      const res = await ollama.generate({ model: 'llama3.2', prompt: '' });
      expect(res).toMatchObject({ done: true, response: '' });
      expect(emulator.lastRequest('/api/generate')).toBeUndefined();
    });
  });

  describe('embeddings', () => {
    it('embeds one or several inputs (POST /api/embed)', async () => {
      const res = await ollama.embed({ model: 'nomic-embed-text', input: ['a b', 'c'] });
      expect(res.model).toBe('nomic-embed-text');
      expect(res.embeddings).toHaveLength(2);
      expect(res.embeddings[0]).toHaveLength(768);
      expect(res.prompt_eval_count).toBe(3);
      const legacy = await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'a b' });
      expect(legacy.embedding).toEqual(res.embeddings[0]);
    });
  });

  describe('errors and refusals', () => {
    it('answers an unknown model with 404 and {"error"}', async () => {
      const err = await failure(ollama.chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }));
      expect(err.status_code).toBe(404);
      expect(err.message).toContain('no-such-model');
    });

    it('answers a bad key with 401', async () => {
      const err = await failure(client('ogw_wrong').list());
      expect(err.status_code).toBe(401);
      expect(err.message).toMatch(/API key/);
      const res = await fetch(`${gw.url}/ollama/api/tags`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: expect.any(String) });
    });

    it('answers 429 past the rate limit, with Retry-After', async () => {
      const secret = (await gw.createKey({ rpmLimit: 2 })).secret;
      const limited = client(secret);
      await limited.list();
      await limited.chat({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] });
      const err = await failure(limited.chat({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }));
      expect(err.status_code).toBe(429);
      const res = await gw.request('/ollama/api/tags', { key: secret });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    });

    it('answers a wrong method with a 405 that names the allowed ones in Allow', async () => {
      for (const [method, path, allow] of [
        ['GET', '/ollama/api/chat', 'POST'],
        ['POST', '/ollama/api/tags', 'GET, HEAD'],
      ]) {
        const res = await gw.request(path, { key, method });
        expect(res.status, path).toBe(405);
        expect(res.headers.get('allow'), path).toBe(allow);
        expect(await res.json()).toEqual({ error: expect.stringContaining('not allowed') });
      }
      expect((await gw.request('/ollama/api/tags', { key, method: 'HEAD' })).status).toBe(200);
    });

    it('refuses model management with 403 and never forwards it', async () => {
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['pull', () => ollama.pull({ model: 'llama3.2' })],
        ['push', () => ollama.push({ model: 'llama3.2' })],
        ['create', () => ollama.create({ model: 'mine', from: 'llama3.2' })],
        ['copy', () => ollama.copy({ source: 'llama3.2', destination: 'mine' })],
        ['delete', () => ollama.delete({ model: 'llama3.2' })],
      ];
      for (const [name, call] of calls) {
        const err = await failure(call());
        expect(err.status_code, name).toBe(403);
        expect(err.message, name).toMatch(new RegExp(`Model management \\(${name}\\) is not available`));
      }
      expect(emulator.requests.filter((r) => /pull|push|create|copy|delete|blobs/.test(r.path))).toEqual([]);
    });
  });
});
