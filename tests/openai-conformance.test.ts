import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { CAPABLE_MODEL, DEFAULT_EMULATED_MODELS, TOOL_CALL_TOKENS, startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let emulator: OllamaEmulator;
let gw: TestGateway;
let key: string;
let openai: OpenAI;

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });

beforeAll(async () => {
  emulator = await startOllamaEmulator({ models: [...DEFAULT_EMULATED_MODELS, CAPABLE_MODEL] });
  gw = await startGateway({ env: { OLLAMA_URL: emulator.url } });
  key = (await gw.createKey({ rpmLimit: 1000 })).secret;
  openai = client(key);
});

afterAll(async () => {
  await gw?.stop();
  await emulator?.close();
});

beforeEach(() => emulator.reset());

/** Usage records are written in batches; wait until the one for `id` is in the database. */
const usageRecord = (id: string) => gw.usageRecord(id);

async function expectApiError(promise: Promise<unknown>, type: new (...args: never[]) => APIError) {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as APIError;
}

describe('openai surface', () => {
  describe('models', () => {
    it('lists the active models the key may use', async () => {
      const ids: string[] = [];
      for await (const m of openai.models.list()) {
        expect(m).toMatchObject({ object: 'model', owned_by: expect.any(String), created: expect.any(Number) });
        ids.push(m.id);
      }
      expect(ids).toEqual(expect.arrayContaining(['echo', 'llama3.2:latest', 'qwen2.5:0.5b', 'nomic-embed-text:latest']));

      const restricted = client((await gw.createKey({ allowedModels: ['qwen2.5:0.5b'] })).secret);
      const page = await restricted.models.list();
      expect(page.data.map((m) => m.id)).toEqual(['qwen2.5:0.5b']);
    });

    it('retrieves one model, and raises NotFoundError for an unknown one', async () => {
      await expect(openai.models.retrieve('llama3.2:latest')).resolves.toMatchObject({ id: 'llama3.2:latest', object: 'model' });
      const err = await expectApiError(openai.models.retrieve('no-such-model'), OpenAI.NotFoundError);
      expect(err.status).toBe(404);
      expect(err.error).toMatchObject({ code: 'model_not_found', type: 'invalid_request_error', param: 'model' });
    });

    it('retrieves a name without its tag as :latest, and hides a model the key may not use behind a 404', async () => {
      await expect(openai.models.retrieve('llama3.2')).resolves.toMatchObject({ id: 'llama3.2:latest' });
      const restricted = client((await gw.createKey({ allowedModels: ['echo'] })).secret);
      await expect(restricted.models.retrieve('echo')).resolves.toMatchObject({ id: 'echo' });
      const err = await expectApiError(restricted.models.retrieve('llama3.2:latest'), OpenAI.NotFoundError);
      expect(err.error).toMatchObject({ code: 'model_not_found' });
    });
  });

  describe('chat completions', () => {
    it('answers a chat completion with the choice, usage and request id', async () => {
      const { data, response, request_id } = await openai.chat.completions
        .create({
          model: 'llama3.2',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'hello there' },
          ],
        })
        .withResponse();
      expect(data).toMatchObject({
        object: 'chat.completion',
        model: 'llama3.2:latest',
        choices: [{ index: 0, message: { role: 'assistant', content: 'You said: hello there' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 4, completion_tokens: 4, total_tokens: 8 },
      });
      expect(data.id).toMatch(/^chatcmpl-/);
      expect(request_id).toBe(data.id);
      expect(Number(response.headers.get('x-ratelimit-limit'))).toBe(1000);
      expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
      expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
      // The gateway's own key stays at the gateway.
      expect(emulator.lastRequest('/api/chat')!.headers.authorization).toBeUndefined();
    });

    it('maps max_tokens, stop, temperature, top_p and seed to Ollama options', async () => {
      const res = await openai.chat.completions.create({
        model: 'llama3.2:latest',
        messages: [{ role: 'user', content: 'one two three four five' }],
        max_tokens: 3,
        stop: ['zzz'],
        temperature: 0.2,
        top_p: 0.5,
        seed: 7,
      });
      expect(emulator.lastRequest('/api/chat')!.body.options).toMatchObject({ num_predict: 3, stop: ['zzz'], temperature: 0.2, top_p: 0.5, seed: 7 });
      expect(res.choices[0].finish_reason).toBe('length');
      expect(res.choices[0].message.content).toBe('You said: one');

      await openai.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }], max_completion_tokens: 5, stop: 'said' });
      expect(emulator.lastRequest('/api/chat')!.body.options).toMatchObject({ num_predict: 5, stop: ['said'] });
    });

    it('streams chunks: role first, exactly one finish_reason, usage when asked, then [DONE]', async () => {
      const { data: stream, response } = await openai.chat.completions
        .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'stream me please' }], stream: true, stream_options: { include_usage: true } })
        .withResponse();
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(response.headers.get('x-request-id')).toMatch(/^chatcmpl-/);
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);

      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id)).toBe(true);
      const text = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('');
      expect(text).toBe('You said: stream me please');
      expect(chunks.filter((c) => c.choices.some((ch) => ch.finish_reason !== null))).toHaveLength(1);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    });

    it('ends the raw event stream with data: [DONE] and sends no usage chunk unless asked', async () => {
      const res = await gw.request('/v1/chat/completions', {
        key,
        method: 'POST',
        json: { model: 'echo', messages: [{ role: 'user', content: 'a b c' }], stream: true },
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      const events = text
        .split('\n\n')
        .filter(Boolean)
        .map((e) => e.replace(/^data: /, ''));
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
      expect(chunks.every((c) => !('usage' in c))).toBe(true);
      expect(chunks.at(-1).choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    });

    it('reports a failure midway through a stream as an error the SDK raises', async () => {
      emulator.setBehavior({ errorAfterChunks: { after: 2, error: 'model runner crashed' } });
      const stream = await openai.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'one two three four' }], stream: true });
      const seen: string[] = [];
      const err = await (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as Error).message).toContain('model runner crashed');
      expect(seen.join('')).toBe('You said:');
    });

    it('stops the Ollama generation within a second when the SDK stream is abandoned', async () => {
      emulator.setBehavior({ tokenDelayMs: 50, reply: () => 'word '.repeat(200) });
      const { data: stream, request_id } = await openai.chat.completions
        .create({ model: 'llama3.2', messages: [{ role: 'user', content: 'go on' }], stream: true })
        .withResponse();
      let contentChunks = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) contentChunks++;
        if (contentChunks === 2) break;
      }
      const aborted = await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1000 });
      expect(aborted.chunksSent).toBeLessThan(200);
      const rec = await usageRecord(request_id!);
      expect(rec).toMatchObject({ surface: 'openai', endpoint: '/v1/chat/completions', status: 499, stream: true });
    });

    it('records usage with the openai surface', async () => {
      const res = await openai.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'count me' }] });
      const rec = await usageRecord(res.id);
      expect(rec).toMatchObject({
        surface: 'openai',
        endpoint: '/v1/chat/completions',
        status: 200,
        model: 'llama3.2:latest',
        promptTokens: 2,
        completionTokens: 4,
      });
    });

    it('accepts content parts and passes data: URL images to Ollama', async () => {
      await openai.chat.completions.create({
        model: 'llama3.2',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      });
      expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([{ role: 'user', content: 'what is this', images: ['iVBORw0KGgo='] }]);
    });
  });

  describe('tools, images and reasoning', () => {
    const weather: OpenAI.ChatCompletionTool = {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The weather in a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    };
    const model = CAPABLE_MODEL.name;

    it('runs a tool round trip: a call with an id and JSON-string arguments, then the result as an Ollama tool message', async () => {
      const first = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Paris' }], tools: [weather], tool_choice: 'auto' });
      expect(emulator.lastRequest('/api/chat')!.body.tools).toEqual([weather]);
      const choice = first.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      expect(choice.message.tool_calls).toEqual([
        { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ]);
      expect(await usageRecord(first.id)).toMatchObject({ surface: 'openai', status: 200, promptTokens: 1, completionTokens: TOOL_CALL_TOKENS });

      const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      const second = await openai.chat.completions.create({
        model,
        tools: [weather],
        messages: [{ role: 'user', content: 'Paris' }, choice.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' }],
      });
      // Ollama takes arguments as an object and matches the result by the function's name.
      expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([
        { role: 'user', content: 'Paris' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
        { role: 'tool', content: 'sunny, 21 C', tool_name: 'get_weather' },
      ]);
      expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'The tool said: sunny, 21 C' } });
      expect(await usageRecord(second.id)).toMatchObject({ surface: 'openai', promptTokens: 4, completionTokens: 6 });
    });

    it("streams tool calls as indexed delta.tool_calls chunks that the SDK's stream helper assembles", async () => {
      const stream = openai.chat.completions.stream({
        model,
        messages: [{ role: 'user', content: 'Oslo' }],
        tools: [weather],
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      stream.on('chunk', (c) => chunks.push(c));
      const final = await stream.finalChatCompletion();
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      expect(final.choices[0].message.tool_calls).toEqual([
        { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      ]);
      const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
      expect(deltas).toEqual([
        { index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      ]);
      expect(chunks.filter((c) => c.choices.some((ch) => ch.finish_reason !== null))).toHaveLength(1);
      expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 1, completion_tokens: TOOL_CALL_TOKENS, total_tokens: 1 + TOOL_CALL_TOKENS });
      expect(await usageRecord(chunks[0].id)).toMatchObject({ surface: 'openai', stream: true, status: 200, completionTokens: TOOL_CALL_TOKENS });
    });

    it('numbers several streamed calls of one answer by index, each with its own id', async () => {
      emulator.setBehavior({
        toolCalls: () => [
          { name: 'get_weather', arguments: { city: 'Oslo' } },
          { name: 'get_weather', arguments: { city: 'Bergen' } },
        ],
      });
      const final = await openai.chat.completions.stream({ model, messages: [{ role: 'user', content: 'both' }], tools: [weather] }).finalChatCompletion();
      const calls = final.choices[0].message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
      expect(calls.map((c) => c.function.arguments)).toEqual(['{"city":"Oslo"}', '{"city":"Bergen"}']);
      expect(new Set(calls.map((c) => c.id)).size).toBe(2);
      const plain = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'both' }], tools: [weather] });
      expect(plain.choices[0].message.tool_calls).toHaveLength(2);
      expect(plain.usage).toMatchObject({ completion_tokens: 2 * TOOL_CALL_TOKENS });
    });

    it('drops the tools for tool_choice "none" and refuses "required" or a named function with a 400 naming tool_choice', async () => {
      const res = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Rome' }], tools: [weather], tool_choice: 'none' });
      expect(emulator.lastRequest('/api/chat')!.body.tools).toBeUndefined();
      expect(res.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'You said: Rome' } });
      const before = emulator.requests.length;
      for (const tool_choice of ['required', { type: 'function', function: { name: 'get_weather' } }] as const) {
        const err = await expectApiError(
          openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Rome' }], tools: [weather], tool_choice }),
          OpenAI.BadRequestError,
        );
        expect(err.error).toMatchObject({ param: 'tool_choice', code: 'unsupported_parameter' });
      }
      const bad = await expectApiError(
        openai.chat.completions.create({
          model,
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: 'not json' } }] },
          ],
        }),
        OpenAI.BadRequestError,
      );
      expect(bad.error).toMatchObject({ param: 'messages.1.tool_calls.0.function.arguments' });
      expect(emulator.requests.length).toBe(before);
    });

    it('maps reasoning_effort to think and returns the thinking as reasoning_content and reasoning, plain and streamed', async () => {
      const res = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'why' }], reasoning_effort: 'high' });
      expect(emulator.lastRequest('/api/chat')!.body.think).toBe('high');
      const message = res.choices[0].message as OpenAI.ChatCompletionMessage & { reasoning_content?: string; reasoning?: string };
      expect(message).toMatchObject({ content: 'You said: why', reasoning_content: 'Thinking about: why', reasoning: 'Thinking about: why' });
      // Thinking tokens are generated tokens: they count.
      expect(await usageRecord(res.id)).toMatchObject({ surface: 'openai', completionTokens: 3 + 3 });

      await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'why' }], reasoning_effort: 'none' });
      expect(emulator.lastRequest('/api/chat')!.body.think).toBe(false);

      const stream = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'why not' }], reasoning_effort: 'low', stream: true });
      let reasoning = '';
      let content = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string; reasoning?: string } | undefined;
        reasoning += delta?.reasoning_content ?? '';
        content += delta?.content ?? '';
        expect(delta?.reasoning).toBe(delta?.reasoning_content);
      }
      expect(reasoning).toBe('Thinking about: why not');
      expect(content).toBe('You said: why not');
    });

    it('passes a data: URL image to Ollama and refuses a remote image URL with a 400', async () => {
      const res = await openai.chat.completions.create({
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this' },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==', detail: 'low' } },
            ],
          },
        ],
      });
      expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([{ role: 'user', content: 'what is this', images: ['/9j/4AAQSkZJRg=='] }]);
      expect(await usageRecord(res.id)).toMatchObject({ surface: 'openai', promptTokens: 3, completionTokens: 5 });
      const err = await expectApiError(
        openai.chat.completions.create({
          model,
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }],
        }),
        OpenAI.BadRequestError,
      );
      expect(err.error).toMatchObject({ param: 'messages.0.content' });
    });

    it('sends only the options the client set: no gateway defaults on /v1', async () => {
      await openai.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'plain' }] });
      const sent = emulator.lastRequest('/api/chat')!.body;
      expect(sent.options).toBeUndefined();
      expect(sent.think).toBeUndefined();
      await openai.completions.create({ model: 'llama3.2', prompt: 'plain' });
      expect(emulator.lastRequest('/api/generate')!.body.options).toBeUndefined();
    });
  });

  describe('completions', () => {
    it('answers a text completion', async () => {
      const res = await openai.completions.create({ model: 'qwen2.5:0.5b', prompt: 'finish this', max_tokens: 50 });
      expect(res).toMatchObject({
        object: 'text_completion',
        model: 'qwen2.5:0.5b',
        choices: [{ index: 0, text: 'You said: finish this', finish_reason: 'stop' }],
        usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 },
      });
      expect(res.id).toMatch(/^cmpl-/);
      expect(emulator.lastRequest('/api/generate')!.body).toMatchObject({ prompt: 'finish this', options: { num_predict: 50 } });
    });

    it('streams a text completion with exactly one finish_reason', async () => {
      const stream = await openai.completions.create({ model: 'qwen2.5:0.5b', prompt: 'stream this', stream: true, stream_options: { include_usage: true } });
      const chunks: OpenAI.Completion[] = [];
      for await (const c of stream) chunks.push(c);
      expect(chunks.flatMap((c) => c.choices.map((ch) => ch.text)).join('')).toBe('You said: stream this');
      expect(chunks.filter((c) => c.choices.some((ch) => ch.finish_reason))).toHaveLength(1);
      expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
    });
  });

  describe('embeddings', () => {
    it('returns the same vectors in the default (base64) and float encodings', async () => {
      const asDefault = await openai.embeddings.create({ model: 'nomic-embed-text', input: ['first text', 'second text'] });
      const asFloat = await openai.embeddings.create({ model: 'nomic-embed-text', input: ['first text', 'second text'], encoding_format: 'float' });
      expect(asFloat).toMatchObject({ object: 'list', model: 'nomic-embed-text:latest', usage: { prompt_tokens: 4, total_tokens: 4 } });
      expect(asFloat.data.map((d) => d.index)).toEqual([0, 1]);
      expect(asFloat.data[0].embedding).toHaveLength(768);
      expect(asDefault.data[0].embedding).toHaveLength(768);
      asFloat.data.forEach((d, i) => d.embedding.forEach((v, j) => expect(asDefault.data[i].embedding[j]).toBeCloseTo(v, 6)));
      expect(emulator.lastRequest('/api/embed')!.body.input).toEqual(['first text', 'second text']);
    });

    it('sends base64 little-endian float32 on the wire when asked', async () => {
      const res = await gw.request('/v1/embeddings', {
        key,
        method: 'POST',
        json: { model: 'nomic-embed-text:latest', input: 'hi', encoding_format: 'base64', dimensions: 4 },
      });
      const body = (await res.json()) as { data: Array<{ embedding: string }> };
      expect(typeof body.data[0].embedding).toBe('string');
      const bytes = Buffer.from(body.data[0].embedding, 'base64');
      expect(bytes.length).toBe(16);
      expect(emulator.lastRequest('/api/embed')!.body.dimensions).toBe(4);
    });
  });

  describe('errors', () => {
    it('raises NotFoundError for an unknown model', async () => {
      const err = await expectApiError(
        openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
        OpenAI.NotFoundError,
      );
      expect(err.error).toMatchObject({ code: 'model_not_found', param: 'model' });
      expect(err.requestID).toMatch(/^chatcmpl-/);
    });

    it('raises AuthenticationError for a bad key, with a request id', async () => {
      const err = await expectApiError(
        client('ogw_not_a_real_key').chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }),
        OpenAI.AuthenticationError,
      );
      expect(err.status).toBe(401);
      expect(err.error).toMatchObject({ code: 'invalid_api_key', message: expect.any(String), type: 'invalid_request_error', param: null });
      expect(err.requestID).toBeTruthy();
    });

    it('raises PermissionDeniedError for a model the key may not use', async () => {
      const restricted = client((await gw.createKey({ allowedModels: ['echo'] })).secret);
      const err = await expectApiError(
        restricted.chat.completions.create({ model: 'llama3.2:latest', messages: [{ role: 'user', content: 'hi' }] }),
        OpenAI.PermissionDeniedError,
      );
      expect(err.error).toMatchObject({ code: 'model_not_allowed' });
    });

    it('raises BadRequestError naming the parameter', async () => {
      const err = await expectApiError(
        openai.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }], temperature: 5 }),
        OpenAI.BadRequestError,
      );
      expect(err.error).toMatchObject({ param: 'temperature', code: 'invalid_temperature' });
      const missing = await expectApiError(openai.chat.completions.create({ model: 'echo' } as never), OpenAI.BadRequestError);
      expect(missing.error).toMatchObject({ param: 'messages' });
    });

    it('raises RateLimitError past the limit, with Retry-After and rate-limit headers', async () => {
      const limited = client((await gw.createKey({ rpmLimit: 2 })).secret);
      await limited.models.list();
      await limited.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] });
      const err = await expectApiError(limited.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }), OpenAI.RateLimitError);
      expect(err.status).toBe(429);
      expect(err.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
      expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
      expect(err.headers?.get('x-ratelimit-limit')).toBe('2');
      expect(err.headers?.get('x-ratelimit-remaining')).toBe('0');
    });

    it('answers a wrong method with a 405 that names the allowed ones in Allow', async () => {
      for (const [method, path, allow] of [
        ['GET', '/v1/chat/completions', 'POST'],
        ['DELETE', '/v1/models', 'GET'],
        ['POST', '/v1/models/echo', 'GET'],
      ]) {
        const res = await gw.request(path, { key, method });
        expect(res.status, path).toBe(405);
        expect(res.headers.get('allow'), path).toBe(allow);
        expect(await res.json()).toMatchObject({ error: { code: 'method_not_allowed', type: 'invalid_request_error', param: null } });
      }
    });

    it('answers unknown /v1 paths with a 404 in the OpenAI shape and a request id', async () => {
      const res = await gw.request('/v1/assistants', { key });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(await res.json()).toMatchObject({
        error: { message: expect.stringContaining('/v1/assistants'), type: 'invalid_request_error', param: null, code: 'not_found' },
      });
    });
  });
});
