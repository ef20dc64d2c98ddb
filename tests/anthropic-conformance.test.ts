import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { CAPABLE_MODEL, DEFAULT_EMULATED_MODELS, TOOL_CALL_TOKENS, startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let emulator: OllamaEmulator;
let gw: TestGateway;
let key: string;
let anthropic: Anthropic;
const model = CAPABLE_MODEL.name;

const weather: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

beforeAll(async () => {
  emulator = await startOllamaEmulator({ models: [...DEFAULT_EMULATED_MODELS, CAPABLE_MODEL] });
  gw = await startGateway({ env: { OLLAMA_URL: emulator.url } });
  key = (await gw.createKey({ rpmLimit: 1000 })).secret;
  // The SDK sends the key as x-api-key, with anthropic-version.
  anthropic = new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
  await emulator?.close();
});

beforeEach(() => emulator.reset());

const usageRecord = (id: string) => gw.usageRecord(id);

async function expectError<T extends APIError>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as T;
}

describe('anthropic surface (/v1/messages)', () => {
  it('answers a message with text content, end_turn and usage, with the key from x-api-key', async () => {
    const { data: msg, response } = await anthropic.messages
      // temperature is gone from the SDK's types but older clients (and tools) still send it.
      .create({
        model: 'llama3.2',
        max_tokens: 100,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'hello there' }],
        temperature: 0.5,
        stop_sequences: ['zzz'],
      } as Anthropic.MessageCreateParamsNonStreaming)
      .withResponse();
    expect(msg).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'llama3.2:latest',
      content: [{ type: 'text', text: 'You said: hello there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 4, output_tokens: 4 },
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
    const sent = emulator.lastRequest('/api/chat')!;
    expect(sent.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hello there' },
    ]);
    // max_tokens is required by Anthropic's API: it is what the client sent, and nothing else is added.
    expect(sent.body.options).toEqual({ num_predict: 100, temperature: 0.5, stop: ['zzz'] });
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers['x-api-key']).toBeUndefined();
    expect(await usageRecord(msg.id)).toMatchObject({
      surface: 'anthropic',
      endpoint: '/v1/messages',
      status: 200,
      stream: false,
      promptTokens: 4,
      completionTokens: 4,
    });
  });

  it('accepts a Bearer token (ANTHROPIC_AUTH_TOKEN) and the /anthropic prefix, and reports max_tokens', async () => {
    const viaToken = new Anthropic({ authToken: key, apiKey: null, baseURL: `${gw.url}/anthropic`, maxRetries: 0 });
    const msg = await viaToken.messages.create({ model: 'llama3.2', max_tokens: 2, messages: [{ role: 'user', content: 'one two three' }] });
    expect(msg).toMatchObject({ stop_reason: 'max_tokens', content: [{ type: 'text', text: 'You said:' }], usage: { output_tokens: 2 } });
    expect(await usageRecord(msg.id)).toMatchObject({ surface: 'anthropic', endpoint: '/anthropic/v1/messages' });
  });

  it("streams Anthropic's event sequence, which the SDK assembles into the final message", async () => {
    const stream = anthropic.messages.stream({ model: 'llama3.2', max_tokens: 100, messages: [{ role: 'user', content: 'stream me' }] });
    const events: Anthropic.MessageStreamEvent[] = [];
    stream.on('streamEvent', (e) => events.push(e));
    const final = await stream.finalMessage();
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(final).toMatchObject({
      content: [{ type: 'text', text: 'You said: stream me' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 2, output_tokens: 4 },
    });
    expect(await usageRecord(final.id)).toMatchObject({ surface: 'anthropic', stream: true, status: 200, promptTokens: 2, completionTokens: 4 });
  });

  it('runs a tool round trip: a tool_use block, then the tool_result as an Ollama tool message', async () => {
    const first = await anthropic.messages.create({ model, max_tokens: 200, tools: [weather], messages: [{ role: 'user', content: 'Paris' }] });
    expect(emulator.lastRequest('/api/chat')!.body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.input_schema } },
    ]);
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'get_weather', input: { city: 'Paris' } }]);
    expect(first.usage.output_tokens).toBe(TOOL_CALL_TOKENS);
    const use = first.content[0] as Anthropic.ToolUseBlock;

    const second = await anthropic.messages.create({
      model,
      max_tokens: 200,
      tools: [weather],
      messages: [
        { role: 'user', content: 'Paris' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: [{ type: 'text', text: 'sunny' }] }] },
      ],
    });
    expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([
      { role: 'user', content: 'Paris' },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: 'sunny', tool_name: 'get_weather' },
    ]);
    expect(second).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'The tool said: sunny' }] });
    expect(await usageRecord(second.id)).toMatchObject({ surface: 'anthropic', promptTokens: 2, completionTokens: 4 });
  });

  it('streams a tool_use block with its input as an input_json_delta', async () => {
    const stream = anthropic.messages.stream({ model, max_tokens: 200, tools: [weather], messages: [{ role: 'user', content: 'Oslo' }] });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type === 'content_block_delta' ? `delta:${e.delta.type}` : e.type));
    const final = await stream.finalMessage();
    expect(types).toEqual(['message_start', 'content_block_start', 'delta:input_json_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(final).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } }] });
  });

  it('maps thinking to think and returns a thinking block before the text, plain and streamed', async () => {
    const msg = await anthropic.messages.create({
      model,
      max_tokens: 1024,
      thinking: { type: 'enabled', budget_tokens: 512 },
      messages: [{ role: 'user', content: 'why' }],
    });
    expect(emulator.lastRequest('/api/chat')!.body.think).toBe(true);
    expect(msg.content).toEqual([
      { type: 'thinking', thinking: 'Thinking about: why', signature: '' },
      { type: 'text', text: 'You said: why' },
    ]);
    expect(msg.usage.output_tokens).toBe(3 + 3);

    const final = await anthropic.messages
      .stream({ model, max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 512 }, messages: [{ role: 'user', content: 'why not' }] })
      .finalMessage();
    expect(final.content).toMatchObject([
      { type: 'thinking', thinking: 'Thinking about: why not' },
      { type: 'text', text: 'You said: why not' },
    ]);
  });

  it('maps output_config effort to a think level and its JSON schema format to Ollama format', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const msg = await anthropic.messages.create({
      model,
      max_tokens: 100,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max', format: { type: 'json_schema', schema } },
      messages: [{ role: 'user', content: 'tell me' }],
    });
    expect(emulator.lastRequest('/api/chat')!.body).toMatchObject({ think: 'high', format: schema });
    const text = msg.content.find((c): c is Anthropic.TextBlock => c.type === 'text')!.text;
    expect(JSON.parse(text)).toEqual({ answer: 'tell me' });
  });

  it('passes base64 image blocks as Ollama images and refuses URL images with a 400', async () => {
    await anthropic.messages.create({
      model,
      max_tokens: 50,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'what is it' },
          ],
        },
      ],
    });
    expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([{ role: 'user', content: 'what is it', images: ['iVBORw0KGgo='] }]);
    const err = await expectError(
      anthropic.messages.create({
        model,
        max_tokens: 50,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }],
      }),
      Anthropic.BadRequestError,
    );
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('messages[0].content[0]') } });
  });

  it('stops the Ollama generation within a second when the SDK stream is abandoned, recording it as cancelled', async () => {
    emulator.setBehavior({ tokenDelayMs: 50, reply: () => 'word '.repeat(200) });
    const stream = anthropic.messages.stream({ model: 'llama3.2', max_tokens: 1000, messages: [{ role: 'user', content: 'go on' }] });
    let id = '';
    let deltas = 0;
    for await (const ev of stream) {
      if (ev.type === 'message_start') id = ev.message.id;
      if (ev.type === 'content_block_delta' && ++deltas === 2) break;
    }
    const aborted = await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1000 });
    expect(aborted.chunksSent).toBeLessThan(200);
    expect(await usageRecord(id)).toMatchObject({ surface: 'anthropic', status: 499, stream: true });
  });

  describe('errors', () => {
    it('raises AuthenticationError for a bad key, in Anthropic error shape with a request id', async () => {
      const bad = new Anthropic({ apiKey: 'ogw_not_a_real_key', baseURL: gw.url, maxRetries: 0 });
      const err = await expectError(
        bad.messages.create({ model: 'echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
        Anthropic.AuthenticationError,
      );
      expect(err.status).toBe(401);
      expect(err.error).toEqual({ type: 'error', error: { type: 'authentication_error', message: expect.any(String) } });
      expect(err.requestID).toMatch(/^msg_/);
    });

    it('raises BadRequestError for a missing max_tokens or a forced tool choice, before reaching Ollama', async () => {
      const before = emulator.requests.length;
      const err = await expectError(
        anthropic.messages.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] } as never),
        Anthropic.BadRequestError,
      );
      expect(err.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens is required' } });
      const forced = await expectError(
        anthropic.messages.create({ model, max_tokens: 10, tools: [weather], tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'hi' }] }),
        Anthropic.BadRequestError,
      );
      expect(forced.error).toMatchObject({ error: { message: expect.stringContaining('tool_choice') } });
      expect(emulator.requests.length).toBe(before);
    });

    it('raises NotFoundError for an unknown model and PermissionDeniedError for a model the key may not use', async () => {
      const err = await expectError(
        anthropic.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
        Anthropic.NotFoundError,
      );
      expect(err.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      const restricted = new Anthropic({ apiKey: (await gw.createKey({ allowedModels: ['echo'] })).secret, baseURL: gw.url, maxRetries: 0 });
      const denied = await expectError(
        restricted.messages.create({ model: 'llama3.2', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
        Anthropic.PermissionDeniedError,
      );
      expect(denied.error).toMatchObject({ error: { type: 'permission_error' } });
    });

    it('raises RateLimitError past the limit, with Retry-After', async () => {
      const limited = new Anthropic({ apiKey: (await gw.createKey({ rpmLimit: 1 })).secret, baseURL: gw.url, maxRetries: 0 });
      await limited.messages.create({ model: 'echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
      const err = await expectError(
        limited.messages.create({ model: 'echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
        Anthropic.RateLimitError,
      );
      expect(err.status).toBe(429);
      expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
    });

    it('raises an APIError for a failure midway through a stream', async () => {
      emulator.setBehavior({ errorAfterChunks: { after: 2, error: 'model runner crashed' } });
      const stream = anthropic.messages.stream({ model: 'llama3.2', max_tokens: 100, messages: [{ role: 'user', content: 'one two three' }] });
      const err = await stream.finalMessage().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Anthropic.APIError);
      expect((err as Error).message).toContain('model runner crashed');
    });

    it('answers a malformed body with a 400 in Anthropic error shape that names the field', async () => {
      const post = (json: unknown) =>
        gw.request('/v1/messages', { key: null, method: 'POST', json, headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } });
      for (const [json, field] of [
        [{ model: 'echo', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'hologram' }] }] }, 'messages[0].content[0]'],
        [{ model: 'echo', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }, 'max_tokens'],
        [{ model: 'echo', max_tokens: 10, messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role'],
      ] as const) {
        const res = await post(json);
        expect(res.status, field).toBe(400);
        const body = (await res.json()) as { type: string; error: { type: string; message: string } };
        expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
        expect(body.error.message, field).toContain(field);
      }
      const broken = await gw.request('/v1/messages', { key, method: 'POST', body: '{"model":', headers: { 'content-type': 'application/json' } });
      expect(broken.status).toBe(400);
      expect(await broken.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    });

    it('answers other paths and methods in Anthropic error shape', async () => {
      const res = await gw.request('/anthropic/v1/complete', { key, method: 'POST', json: {} });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      const wrong = await gw.request('/v1/messages', { key, method: 'GET' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
      expect(await wrong.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    });
  });
});
