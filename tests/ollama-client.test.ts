import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../server/errors.ts';
import type { InferenceRequest, ProviderEvent } from '../server/inference/types.ts';
import { createOllamaClient, type OllamaClient, withoutAddresses } from '../server/providers/ollama/client.ts';
import { createOllamaProvider } from '../server/providers/ollama/provider.ts';
import { countWords, durationsFor, splitIntoTokens, startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let emulator: OllamaEmulator;
let client: OllamaClient;

beforeAll(async () => {
  emulator = await startOllamaEmulator();
  client = createOllamaClient({ baseUrl: emulator.url });
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

beforeEach(() => emulator.reset());

function chat(content: string, overrides: Partial<InferenceRequest> = {}): InferenceRequest {
  return { kind: 'chat', model: 'llama3.2', options: {}, messages: [{ role: 'user', content }], ...overrides } as InferenceRequest;
}

async function run(events: AsyncIterable<ProviderEvent>): Promise<{ events: ProviderEvent[]; deltas: string[]; error?: unknown }> {
  const seen: ProviderEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen, deltas: deltasOf(seen) };
  } catch (error) {
    return { events: seen, deltas: deltasOf(seen), error };
  }
}

function deltasOf(events: ProviderEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'delta' ? [e.text] : []));
}

function expectGatewayError(error: unknown, expected: { status: number; code: string; type?: string }): GatewayError {
  expect(error).toBeInstanceOf(GatewayError);
  expect(error).toMatchObject(expected);
  return error as GatewayError;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const signal = () => new AbortController().signal;

function recordingLog() {
  const lines: Array<Record<string, unknown> & { detail?: string }> = [];
  return { lines, warn: (obj: object) => void lines.push(obj as Record<string, unknown>) };
}

/**
 * An upstream that answers 200 and then writes `x` forever (respecting backpressure) until the client
 * closes the request; `closed` resolves with the bytes it had written by then.
 */
async function endlessUpstream({ type, prefix, declaredLength }: { type: string; prefix: string; declaredLength?: number }) {
  let resolveClosed!: (bytes: number) => void;
  const closed = new Promise<number>((resolve) => (resolveClosed = resolve));
  const filler = Buffer.alloc(64 * 1024, 'x');
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': type, ...(declaredLength ? { 'content-length': declaredLength } : {}) });
    let written = 0;
    let open = true;
    res.on('close', () => {
      open = false;
      resolveClosed(written);
    });
    const pump = () => {
      while (open) {
        written += filler.length;
        if (!res.write(filler)) return void res.once('drain', pump);
      }
    };
    res.write(prefix);
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    closed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
}

describe('ollama client', () => {
  describe('model endpoints', () => {
    it('lists the installed models with the documented fields (GET /api/tags)', async () => {
      const { models } = await client.tags();
      expect(models.map((m) => m.name)).toEqual(['llama3.2:latest', 'qwen2.5:0.5b', 'nomic-embed-text:latest']);
      expect(models[0]).toMatchObject({
        name: 'llama3.2:latest',
        model: 'llama3.2:latest',
        size: 2_019_393_189,
        details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
      });
      expect(models[0]!.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(Number.isNaN(Date.parse(models[0]!.modified_at))).toBe(false);
      expect(emulator.lastRequest()).toMatchObject({ method: 'GET', path: '/api/tags' });
    });

    it('reflects a changed model list', async () => {
      emulator.setModels([{ name: 'mistral:7b' }]);
      const { models } = await client.tags();
      expect(models.map((m) => m.name)).toEqual(['mistral:7b']);
    });

    it('reads the server version (GET /api/version)', async () => {
      expect(await client.version()).toEqual({ version: '0.12.6' });
    });

    it('lists loaded models after one was used (GET /api/ps)', async () => {
      expect((await client.ps()).models).toEqual([]);
      await client.embed({ model: 'nomic-embed-text', input: 'warm up' });
      const { models } = await client.ps();
      expect(models).toHaveLength(1);
      expect(models[0]).toMatchObject({ name: 'nomic-embed-text:latest', model: 'nomic-embed-text:latest', size_vram: 274_302_450 });
      expect(Date.parse(models[0]!.expires_at)).toBeGreaterThan(Date.now());
    });

    it('shows a model (POST /api/show)', async () => {
      const info = await client.show({ model: 'llama3.2' });
      expect(info.details).toMatchObject({ family: 'llama', parameter_size: '3.2B' });
      expect(info.model_info).toMatchObject({ 'general.architecture': 'llama', 'llama.context_length': 131_072 });
      expect(info.capabilities).toEqual(['completion']);
      expect(emulator.lastRequest('/api/show')!.body).toMatchObject({ model: 'llama3.2' });
    });

    it('maps a missing model on /api/show to model_not_found', async () => {
      const error = await client.show({ model: 'nope' }).catch((err: unknown) => err);
      expectGatewayError(error, { status: 404, code: 'model_not_found', type: 'not_found_error' });
      expect(emulator.lastRequest('/api/show')!.status).toBe(404);
    });
  });

  describe('embeddings', () => {
    it('embeds through the provider, passing input, truncate, dimensions and keep_alive (POST /api/embed)', async () => {
      const provider = createOllamaProvider({ client });
      const result = await provider.embed!(
        { model: 'nomic-embed-text', input: ['why is the sky blue', 'grass is green'], truncate: false, dimensions: 32, keepAlive: '10m' },
        signal(),
      );
      expect(result.embeddings).toHaveLength(2);
      expect(result.embeddings.every((v) => v.length === 32)).toBe(true);
      expect(result.embeddings[0]).not.toEqual(result.embeddings[1]);
      expect(result.promptTokens).toBe(8);
      expect(emulator.lastRequest('/api/embed')!.body).toEqual({
        model: 'nomic-embed-text',
        input: ['why is the sky blue', 'grass is green'],
        truncate: false,
        dimensions: 32,
        keep_alive: '10m',
      });
    });

    it('returns the same vector for the same text', async () => {
      const a = await client.embed({ model: 'nomic-embed-text', input: 'same text' });
      const b = await client.embed({ model: 'nomic-embed-text', input: ['same text'] });
      expect(a.embeddings).toEqual(b.embeddings);
      expect(a.embeddings[0]).toHaveLength(768);
    });

    it('maps an unknown embedding model to model_not_found', async () => {
      const error = await client.embed({ model: 'ghost', input: 'x' }).catch((err: unknown) => err);
      expectGatewayError(error, { status: 404, code: 'model_not_found' });
    });
  });

  describe('streaming', () => {
    it('streams chat deltas and ends with one done event carrying usage and metrics', async () => {
      const provider = createOllamaProvider({ client });
      const messages = [
        { role: 'system' as const, content: 'Be brief.' },
        { role: 'user' as const, content: 'hello there, llama' },
      ];
      const { events, deltas, error } = await run(provider.stream({ kind: 'chat', model: 'llama3.2', options: {}, messages }, signal()));
      expect(error).toBeUndefined();
      const expectedTokens = splitIntoTokens('You said: hello there, llama');
      expect(deltas).toEqual(expectedTokens);
      expect(deltas.join('')).toBe('You said: hello there, llama');
      const done = events.filter((e) => e.type === 'done');
      expect(done).toHaveLength(1);
      expect(events.at(-1)).toBe(done[0]);
      const promptTokens = countWords('Be brief. hello there, llama');
      const d = durationsFor({ promptTokens, evalTokens: expectedTokens.length });
      expect(done[0]).toEqual({
        type: 'done',
        finishReason: 'stop',
        usage: { promptTokens, completionTokens: expectedTokens.length },
        metrics: { totalDuration: d.total_duration, loadDuration: d.load_duration, promptEvalDuration: d.prompt_eval_duration, evalDuration: d.eval_duration },
      });
      expect(emulator.lastRequest('/api/chat')!.streamed).toBe(true);
    });

    it('streams generate deltas, passing prompt, system, raw, keep_alive and format', async () => {
      const provider = createOllamaProvider({ client });
      const req: InferenceRequest = {
        kind: 'generate',
        model: 'qwen2.5:0.5b',
        prompt: 'count to three',
        system: 'You count.',
        raw: true,
        keepAlive: 0,
        format: 'json',
        options: {},
      };
      const { events, deltas, error } = await run(provider.stream(req, signal()));
      expect(error).toBeUndefined();
      expect(deltas.join('')).toBe('You said: count to three');
      expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop', usage: { promptTokens: 5, completionTokens: deltas.length } });
      expect(emulator.lastRequest('/api/generate')!.body).toEqual({
        model: 'qwen2.5:0.5b',
        prompt: 'count to three',
        system: 'You count.',
        raw: true,
        keep_alive: 0,
        format: 'json',
        stream: true,
      });
    });

    it('yields the first delta while the upstream is still streaming', async () => {
      emulator.setBehavior({ tokenDelayMs: 100 });
      const provider = createOllamaProvider({ client });
      const iterator = provider.stream(chat('one two three four'), signal())[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value).toEqual({ type: 'delta', text: 'You' });
      const upstream = emulator.lastRequest('/api/chat')!;
      expect(upstream.finishedAt).toBeUndefined();
      expect(upstream.chunksSent).toBeLessThan(3);
      await iterator.return?.();
    });

    it('exposes the raw chunks with done: true last from client.chat', async () => {
      const chunks = [];
      for await (const chunk of client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] })) chunks.push(chunk);
      expect(chunks.map((c) => c.message?.content)).toEqual(['You', ' said:', ' hi', '']);
      expect(chunks.slice(0, -1).every((c) => c.done === false)).toBe(true);
      expect(chunks.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 1, eval_count: 3 });
    });

    it('maps sampling options to Ollama names and sends only the needed headers', async () => {
      const provider = createOllamaProvider({ client });
      const req: InferenceRequest = {
        kind: 'chat',
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'describe this', images: ['aGVsbG8='] }],
        options: { temperature: 0.2, topP: 0.9, topK: 40, maxTokens: 64, stop: ['\n\n', 'User:'], seed: 42 },
        keepAlive: '5m',
        format: { type: 'object' },
      };
      const { error } = await run(provider.stream(req, signal()));
      expect(error).toBeUndefined();
      const received = emulator.lastRequest('/api/chat')!;
      expect(received.body).toEqual({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'describe this', images: ['aGVsbG8='] }],
        options: { temperature: 0.2, top_p: 0.9, top_k: 40, num_predict: 64, stop: ['\n\n', 'User:'], seed: 42 },
        keep_alive: '5m',
        format: { type: 'object' },
        stream: true,
      });
      expect(received.headers.authorization).toBeUndefined();
      expect(received.headers['content-type']).toBe('application/json');
      expect(received.headers.accept).toBe('application/x-ndjson');
      const allowed = ['host', 'connection', 'content-type', 'content-length', 'accept'];
      expect(Object.keys(received.headers).filter((name) => !allowed.includes(name))).toEqual([]);
    });

    it('omits options Ollama should default', async () => {
      const provider = createOllamaProvider({ client });
      await run(provider.stream(chat('hi'), signal()));
      expect(emulator.lastRequest('/api/chat')!.body).toEqual({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true });
    });

    it("reports finishReason 'length' when num_predict cuts the answer", async () => {
      const provider = createOllamaProvider({ client });
      const { events, deltas } = await run(provider.stream(chat('a long answer please', { options: { maxTokens: 2 } }), signal()));
      expect(deltas).toEqual(['You', ' said:']);
      expect(events.at(-1)).toMatchObject({ type: 'done', finishReason: 'length', usage: { completionTokens: 2 } });
      expect(emulator.lastRequest('/api/chat')!.body.options).toEqual({ num_predict: 2 });
    });

    it('returns the connection to the keep-alive pool after a stream completes', async () => {
      // A fresh client, so the pool holds no connection from earlier tests.
      const fresh = createOllamaClient({ baseUrl: emulator.url });
      // The end of the body trails the final line, as it may over a real network.
      emulator.setBehavior({ endDelayMs: 30 });
      const provider = createOllamaProvider({ client: fresh });
      // undici frees the connection just after the body ends; a moment later it must be reusable (not destroyed).
      const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
      try {
        await run(provider.stream(chat('first'), signal()));
        await settle();
        await fresh.tags();
        await settle();
        await run(provider.stream({ kind: 'generate', model: 'llama3.2', prompt: 'second', options: {} }, signal()));
        await settle();
        await run(provider.stream(chat('third'), signal()));
      } finally {
        await fresh.close();
      }
      expect(emulator.requests).toHaveLength(4);
      expect(emulator.requests.some((r) => r.aborted)).toBe(false);
      expect(new Set(emulator.requests.map((r) => r.socketId)).size).toBe(1);
    });
  });

  describe('failures', () => {
    it('maps an upstream 404 for an unknown model to model_not_found (404)', async () => {
      const provider = createOllamaProvider({ client });
      const { events, error } = await run(provider.stream(chat('hi', { model: 'not-installed' }), signal()));
      const gatewayError = expectGatewayError(error, { status: 404, code: 'model_not_found', type: 'not_found_error' });
      expect(gatewayError.message).toContain("'not-installed'");
      expect(events).toEqual([]);
      expect(emulator.lastRequest('/api/chat')!.status).toBe(404);
    });

    it("maps an upstream 500 to 502 upstream_error with Ollama's error text", async () => {
      emulator.setBehavior({ fail: { status: 500, error: 'llama runner process has terminated' } });
      const provider = createOllamaProvider({ client });
      const { error } = await run(provider.stream(chat('hi'), signal()));
      const gatewayError = expectGatewayError(error, { status: 502, code: 'upstream_error', type: 'upstream_error' });
      expect(gatewayError.message).toContain('llama runner process has terminated');
      expect(emulator.lastRequest('/api/chat')!.status).toBe(500);
    });

    it('maps a non-JSON error page to 502 with its text', async () => {
      emulator.setBehavior({ fail: { status: 503, body: 'Service Unavailable (proxy)' } });
      const error = await client.tags().catch((err: unknown) => err);
      const gatewayError = expectGatewayError(error, { status: 502, code: 'upstream_error' });
      expect(gatewayError.message).toContain('Service Unavailable (proxy)');
    });

    it('maps a 404 that is not about a model to 502, not model_not_found', async () => {
      emulator.setBehavior({ fail: { status: 404, body: '404 page not found' } });
      const error = await client.version().catch((err: unknown) => err);
      expectGatewayError(error, { status: 502, code: 'upstream_error' });
    });

    it('maps connection refused to 503 upstream_unavailable naming no address, and logs the detail once with the URL', async () => {
      const port = await closedPort();
      const log = recordingLog();
      const refused = createOllamaClient({ baseUrl: `http://127.0.0.1:${port}`, log });
      try {
        const provider = createOllamaProvider({ client: refused });
        const { error } = await run(provider.stream(chat('hi'), signal()));
        const gatewayError = expectGatewayError(error, { status: 503, code: 'upstream_unavailable', type: 'upstream_error' });
        expect(gatewayError.message).toBe('The model server is unavailable: connection refused');
        expect(gatewayError.message).not.toContain(String(port));
        expect(log.lines).toHaveLength(1);
        expect(log.lines[0]).toMatchObject({ upstream: `http://127.0.0.1:${port}`, path: '/api/chat', status: 503, code: 'ECONNREFUSED' });
        expect(log.lines[0]!.detail).toContain(`127.0.0.1:${port}`);
        const tagsError = expectGatewayError(await refused.tags().catch((err: unknown) => err), { status: 503, code: 'upstream_unavailable' });
        expect(tagsError.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
        expect(log.lines).toHaveLength(2);
      } finally {
        await refused.close();
      }
    });

    it('maps an unknown host name to 503 without naming the host', async () => {
      const log = recordingLog();
      const unknown = createOllamaClient({ baseUrl: 'http://ollama-gpu-7.invalid:11434', log });
      try {
        const error = expectGatewayError(await unknown.tags().catch((err: unknown) => err), { status: 503, code: 'upstream_unavailable' });
        expect(error.message).not.toMatch(/ollama-gpu-7|invalid|11434/);
        expect(log.lines).toEqual([expect.objectContaining({ upstream: 'http://ollama-gpu-7.invalid:11434', path: '/api/tags' })]);
      } finally {
        await unknown.close();
      }
    });

    it("removes addresses from Ollama's own error text but logs it whole", async () => {
      emulator.setBehavior({ fail: { status: 500, error: 'Post "http://127.0.0.1:39617/completion": dial tcp 10.0.0.7:11434: connect: connection refused' } });
      const log = recordingLog();
      const logged = createOllamaClient({ baseUrl: emulator.url, log });
      try {
        const { error } = await run(createOllamaProvider({ client: logged }).stream(chat('hi'), signal()));
        const gatewayError = expectGatewayError(error, { status: 502, code: 'upstream_error' });
        expect(gatewayError.message).toContain('connection refused');
        expect(gatewayError.message).not.toMatch(/127\.0\.0\.1|39617|10\.0\.0\.7|11434/);
        expect(log.lines).toHaveLength(1);
        expect(log.lines[0]!.detail).toContain('10.0.0.7:11434');
        expect(log.lines[0]).toMatchObject({ upstream: emulator.url, path: '/api/chat', status: 502 });
      } finally {
        await logged.close();
      }
    });

    it('maps a connection reset before the response to 503 upstream_unavailable', async () => {
      // Ollama sends the headers with the first chunk, so dying after 0 chunks closes the socket before any response.
      emulator.setBehavior({ dieAfterChunks: 0 });
      const { events, error } = await run(createOllamaProvider({ client }).stream(chat('hi'), signal()));
      expectGatewayError(error, { status: 503, code: 'upstream_unavailable' });
      expect(events).toEqual([]);
      expect(emulator.lastRequest('/api/chat')!.destroyedByEmulator).toBe(true);
    });

    it('maps a headers timeout to 504 upstream_timeout', async () => {
      emulator.setBehavior({ headersDelayMs: 3_000 });
      const impatient = createOllamaClient({ baseUrl: emulator.url, headersTimeoutMs: 200 });
      try {
        const started = Date.now();
        const { error } = await run(createOllamaProvider({ client: impatient }).stream(chat('hi'), signal()));
        expectGatewayError(error, { status: 504, code: 'upstream_timeout', type: 'upstream_error' });
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await impatient.close();
      }
    });

    it('maps a stream that stalls between chunks (body timeout) to 504 upstream_timeout and closes it', async () => {
      const impatient = createOllamaClient({ baseUrl: emulator.url, bodyTimeoutMs: 300 });
      emulator.setBehavior({ stallAfterChunks: 1 });
      try {
        const started = Date.now();
        const { events, error } = await run(createOllamaProvider({ client: impatient }).stream(chat('one two three'), signal()));
        expectGatewayError(error, { status: 504, code: 'upstream_timeout' });
        expect(events).toEqual([{ type: 'delta', text: 'You' }]);
        expect(Date.now() - started).toBeLessThan(2_000);
        await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1_000 });
      } finally {
        await impatient.close();
      }
    });

    it('maps a stream that dies midway to 502 and emits no done event', async () => {
      emulator.setBehavior({ dieAfterChunks: 2 });
      const provider = createOllamaProvider({ client });
      const { events, deltas, error } = await run(provider.stream(chat('one two three four five'), signal()));
      expectGatewayError(error, { status: 502, code: 'upstream_error' });
      expect(deltas).toEqual(['You', ' said:']);
      expect(events.some((e) => e.type === 'done')).toBe(false);
      expect(emulator.lastRequest('/api/chat')!.destroyedByEmulator).toBe(true);
    });

    it('maps an error line midway to 502 carrying its message, with no done event', async () => {
      emulator.setBehavior({ errorAfterChunks: { after: 3, error: 'an error was encountered while running the model: CUDA error' } });
      const provider = createOllamaProvider({ client });
      const { events, deltas, error } = await run(
        provider.stream({ kind: 'generate', model: 'llama3.2', prompt: 'one two three four', options: {} }, signal()),
      );
      const gatewayError = expectGatewayError(error, { status: 502, code: 'upstream_error' });
      expect(gatewayError.message).toContain('CUDA error');
      expect(deltas).toEqual(['You', ' said:', ' one']);
      expect(events.some((e) => e.type === 'done')).toBe(false);
    });

    it('maps a stream that ends without a done chunk to 502', async () => {
      // A reply whose last "token" is the end of the stream: the emulator dies exactly where the final chunk would go.
      emulator.setBehavior({ dieAfterChunks: 99 });
      const provider = createOllamaProvider({ client });
      const { events, error } = await run(provider.stream(chat('short'), signal()));
      expectGatewayError(error, { status: 502, code: 'upstream_error' });
      expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'delta']);
    });
  });

  describe('withoutAddresses', () => {
    it.each([
      ['Post "http://127.0.0.1:39617/completion": EOF', 'Post "<address>": EOF'],
      ['dial tcp 10.0.0.7:11434: connect: connection refused', 'dial tcp <address>: connect: connection refused'],
      ['dial tcp [::1]:11434: connect: connection refused', 'dial tcp <address>: connect: connection refused'],
      ['proxy could not reach gpu-3.internal.example:8080', 'proxy could not reach <address>'],
      ['model requires more system memory (9.5 GiB) than is available (4.0 GiB)', 'model requires more system memory (9.5 GiB) than is available (4.0 GiB)'],
      ['CUDA error: out of memory at step 12:30', 'CUDA error: out of memory at step 12:30'],
    ])('%s', (text, expected) => {
      expect(withoutAddresses(text)).toBe(expected);
    });

    it("removes the upstream's own host name even without a port", () => {
      expect(withoutAddresses('ollama-gpu-7 is overloaded', 'ollama-gpu-7')).toBe('<address> is overloaded');
    });
  });

  describe('size cap', () => {
    it('fails a stream line longer than the cap with 502 upstream_too_large before the line ends, and closes the request', async () => {
      const upstream = await endlessUpstream({
        type: 'application/x-ndjson',
        prefix: '{"model":"m","created_at":"","message":{"role":"assistant","content":"',
      });
      const capped = createOllamaClient({ baseUrl: upstream.url, maxResponseBytes: 256 * 1024 });
      try {
        const { events, error } = await run(createOllamaProvider({ client: capped }).stream(chat('hi'), signal()));
        const gatewayError = expectGatewayError(error, { status: 502, code: 'upstream_too_large', type: 'upstream_error' });
        expect(gatewayError.message).toContain(String(256 * 1024));
        expect(events).toEqual([]);
        // The upstream would write forever: it stops only because the client closed the request.
        expect(await upstream.closed).toBeLessThan(64 * 1024 * 1024);
      } finally {
        await capped.close();
        await upstream.close();
      }
    });

    it('fails a JSON answer bigger than the cap with 502 and closes the request (chunked, no length)', async () => {
      const upstream = await endlessUpstream({ type: 'application/json', prefix: '{"models":[' });
      const capped = createOllamaClient({ baseUrl: upstream.url, maxResponseBytes: 256 * 1024 });
      try {
        expectGatewayError(await capped.tags().catch((err: unknown) => err), { status: 502, code: 'upstream_too_large' });
        expect(await upstream.closed).toBeLessThan(64 * 1024 * 1024);
      } finally {
        await capped.close();
        await upstream.close();
      }
    });

    it('fails a JSON answer whose declared length passes the cap without reading it', async () => {
      const upstream = await endlessUpstream({ type: 'application/json', prefix: '{"models":[', declaredLength: 1024 * 1024 * 1024 });
      const capped = createOllamaClient({ baseUrl: upstream.url, maxResponseBytes: 256 * 1024 });
      try {
        expectGatewayError(await capped.tags().catch((err: unknown) => err), { status: 502, code: 'upstream_too_large' });
        expect(await upstream.closed).toBeLessThan(64 * 1024 * 1024);
      } finally {
        await capped.close();
        await upstream.close();
      }
    });

    it('passes answers up to the cap', async () => {
      const word = 'w'.repeat(1000);
      emulator.setBehavior({ reply: () => [word, word] });
      const capped = createOllamaClient({ baseUrl: emulator.url, maxResponseBytes: 4096 });
      try {
        const { deltas, error } = await run(createOllamaProvider({ client: capped }).stream(chat('hi'), signal()));
        expect(error).toBeUndefined();
        expect(deltas).toEqual([word, word]);
        expect((await capped.chatOnce({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] })).message?.content).toBe(word + word);
      } finally {
        await capped.close();
      }
    });
  });

  describe('cancellation', () => {
    it('closes the upstream request promptly when the signal aborts mid-stream', async () => {
      emulator.setBehavior({ tokenDelayMs: 20, reply: () => Array.from({ length: 100 }, (_, i) => ` t${i}`) });
      const provider = createOllamaProvider({ client });
      const controller = new AbortController();
      const seen: ProviderEvent[] = [];
      let abortedAt = 0;
      const error = await (async () => {
        for await (const event of provider.stream(chat('go'), controller.signal)) {
          seen.push(event);
          if (seen.length === 2) {
            abortedAt = Date.now();
            controller.abort();
          }
        }
      })().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('AbortError');
      expect(error).not.toBeInstanceOf(GatewayError);
      const upstream = await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1_000 });
      expect(upstream.abortedAt! - abortedAt).toBeLessThan(1_000);
      expect(upstream.chunksSent).toBeLessThan(100);
      expect(seen.some((e) => e.type === 'done')).toBe(false);
    });

    it('closes the upstream request when the signal aborts before the headers arrived', async () => {
      emulator.setBehavior({ headersDelayMs: 5_000 });
      const controller = new AbortController();
      const pending = run(createOllamaProvider({ client }).stream(chat('hi'), controller.signal));
      await emulator.waitFor((r) => r.path === '/api/chat');
      controller.abort();
      const { error } = await pending;
      expect((error as Error).name).toBe('AbortError');
      await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1_000 });
    });

    it('closes the upstream request when the consumer stops iterating early', async () => {
      emulator.setBehavior({ tokenDelayMs: 20, reply: () => Array.from({ length: 100 }, (_, i) => ` t${i}`) });
      for await (const event of createOllamaProvider({ client }).stream(chat('go'), signal())) {
        if (event.type === 'delta') break;
      }
      const upstream = await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1_000 });
      expect(upstream.chunksSent).toBeLessThan(100);
    });

    it('surfaces an abort with a custom reason as an AbortError', async () => {
      const controller = new AbortController();
      controller.abort(new Error('client went away'));
      const error = await client.tags({ signal: controller.signal }).catch((err: unknown) => err);
      expect((error as Error).name).toBe('AbortError');
      expect((error as Error).cause).toMatchObject({ message: 'client went away' });
    });
  });
});
