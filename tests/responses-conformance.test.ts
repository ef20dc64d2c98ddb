import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { CAPABLE_MODEL, DEFAULT_EMULATED_MODELS, TOOL_CALL_TOKENS, startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let emulator: OllamaEmulator;
let gw: TestGateway;
let key: string;
let openai: OpenAI;
const model = CAPABLE_MODEL.name;

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

beforeAll(async () => {
  emulator = await startOllamaEmulator({ models: [...DEFAULT_EMULATED_MODELS, CAPABLE_MODEL] });
  gw = await startGateway({ env: { OLLAMA_URL: emulator.url } });
  key = (await gw.createKey({ rpmLimit: 1000 })).secret;
  openai = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gw?.stop();
  await emulator?.close();
});

beforeEach(() => emulator.reset());

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

/** The message text of a response (the SDK adds output_text only to non-streamed answers). */
const textOf = (r: OpenAI.Responses.Response) =>
  r.output.flatMap((o) => (o.type === 'message' ? o.content.map((c) => (c.type === 'output_text' ? c.text : '')) : [])).join('');

describe('responses surface (/v1/responses)', () => {
  it('answers a string input with a message item, usage and a completed status, recorded under "responses"', async () => {
    const res = await openai.responses.create({
      model: 'llama3.2',
      input: 'hello there',
      instructions: 'Be brief.',
      max_output_tokens: 50,
      temperature: 0.4,
      top_p: 0.8,
    });
    expect(res).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'llama3.2:latest',
      usage: { input_tokens: 4, output_tokens: 4, total_tokens: 8 },
    });
    expect(res.id).toMatch(/^resp_/);
    expect(res.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'You said: hello there', annotations: [], logprobs: [] }],
      },
    ]);
    expect(res.output_text).toBe('You said: hello there');
    const sent = emulator.lastRequest('/api/chat')!;
    expect(sent.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hello there' },
    ]);
    expect(sent.body.options).toEqual({ temperature: 0.4, top_p: 0.8, num_predict: 50 });
    expect(sent.headers.authorization).toBeUndefined();
    expect(await usageRecord(res.id)).toMatchObject({
      surface: 'responses',
      endpoint: '/v1/responses',
      status: 200,
      stream: false,
      promptTokens: 4,
      completionTokens: 4,
    });
  });

  it('reports a cut-off answer as incomplete with the reason', async () => {
    const res = await openai.responses.create({ model: 'llama3.2', input: 'one two three four', max_output_tokens: 2 });
    expect(res).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(res.output_text).toBe('You said:');
  });

  it('streams the documented event sequence, which the SDK assembles into the final response', async () => {
    const stream = openai.responses.stream({ model: 'llama3.2', input: [{ role: 'user', content: 'stream me' }] });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    stream.on('event', (e) => events.push(e));
    const final = await stream.finalResponse();
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(textOf(final)).toBe('You said: stream me');
    expect(final).toMatchObject({ status: 'completed', usage: { input_tokens: 2, output_tokens: 4 } });
    expect(await usageRecord(final.id)).toMatchObject({ surface: 'responses', stream: true, status: 200, promptTokens: 2, completionTokens: 4 });
  });

  it('runs a tool round trip: a function_call item, then its function_call_output as an Ollama tool message', async () => {
    const first = await openai.responses.create({ model, input: 'Paris', tools: [weather] });
    expect(emulator.lastRequest('/api/chat')!.body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weather.parameters } },
    ]);
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
    expect(call).toMatchObject({
      type: 'function_call',
      id: expect.stringMatching(/^fc_/),
      call_id: expect.stringMatching(/^call_/),
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    });
    expect(first.usage).toMatchObject({ output_tokens: TOOL_CALL_TOKENS });

    const second = await openai.responses.create({
      model,
      tools: [weather],
      input: [{ role: 'user', content: 'Paris' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
    });
    expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([
      { role: 'user', content: 'Paris' },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: 'sunny', tool_name: 'get_weather' },
    ]);
    expect(second.output_text).toBe('The tool said: sunny');
    expect(await usageRecord(second.id)).toMatchObject({ surface: 'responses', promptTokens: 2, completionTokens: 4 });
  });

  it('streams a function call with its argument events', async () => {
    const stream = openai.responses.stream({ model, input: 'Oslo', tools: [weather] });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    stream.on('event', (e) => events.push(e));
    const final = await stream.finalResponse();
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.find((e) => e.type === 'response.function_call_arguments.done')).toMatchObject({ arguments: '{"city":"Oslo"}', name: 'get_weather' });
    expect(final.output).toEqual([expect.objectContaining({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Oslo"}' })]);
    expect(await usageRecord(final.id)).toMatchObject({ surface: 'responses', stream: true, completionTokens: TOOL_CALL_TOKENS });
  });

  it('maps reasoning.effort to think and returns a reasoning item, plain and streamed', async () => {
    const res = await openai.responses.create({ model, input: 'why', reasoning: { effort: 'medium' } });
    expect(emulator.lastRequest('/api/chat')!.body.think).toBe('medium');
    expect(res.output[0]).toMatchObject({
      type: 'reasoning',
      id: expect.stringMatching(/^rs_/),
      content: [{ type: 'reasoning_text', text: 'Thinking about: why' }],
    });
    expect(res.output_text).toBe('You said: why');

    const stream = openai.responses.stream({ model, input: 'why not', reasoning: { effort: 'low' } });
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(types).toContain('response.reasoning_text.delta');
    expect(types.indexOf('response.reasoning_text.done')).toBeLessThan(types.indexOf('response.output_text.delta'));
    expect(final.output[0]).toMatchObject({ type: 'reasoning', content: [{ type: 'reasoning_text', text: 'Thinking about: why not' }] });
    expect(textOf(final)).toBe('You said: why not');
  });

  it('passes input_image data URLs as Ollama images', async () => {
    await openai.responses.create({
      model,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'what is it' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
          ],
        },
      ],
    });
    expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([{ role: 'user', content: 'what is it', images: ['iVBORw0KGgo='] }]);
  });

  it('stops the Ollama generation within a second when the stream is abandoned, recording it as cancelled', async () => {
    emulator.setBehavior({ tokenDelayMs: 50, reply: () => 'word '.repeat(200) });
    const stream = await openai.responses.create({ model: 'llama3.2', input: 'go on', stream: true });
    let id = '';
    let deltas = 0;
    for await (const ev of stream) {
      if (ev.type === 'response.created') id = ev.response.id;
      if (ev.type === 'response.output_text.delta' && ++deltas === 2) break;
    }
    const aborted = await emulator.waitForAbort({ path: '/api/chat', timeoutMs: 1000 });
    expect(aborted.chunksSent).toBeLessThan(200);
    expect(await usageRecord(id)).toMatchObject({ surface: 'responses', status: 499, stream: true });
  });

  it('ends a stream that fails midway with response.failed carrying the error', async () => {
    emulator.setBehavior({ errorAfterChunks: { after: 2, error: 'model runner crashed' } });
    const res = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama3.2', input: 'one two three', stream: true }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) }));
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    const last = events.at(-1)!;
    expect(last.event).toBe('response.failed');
    expect(last.data.response).toMatchObject({ status: 'failed', error: { code: 'upstream_error', message: expect.stringContaining('model runner crashed') } });
    expect(events.some((e) => e.event === 'response.completed')).toBe(false);
  });

  it('refuses previous_response_id, store: true, non-function tools and forced tool choice with a 400 naming the field', async () => {
    const before = emulator.requests.length;
    const cases: Array<[Partial<OpenAI.Responses.ResponseCreateParamsNonStreaming>, string]> = [
      [{ previous_response_id: 'resp_123' }, 'previous_response_id'],
      [{ store: true }, 'store'],
      [{ tools: [{ type: 'web_search' }] }, 'tools.0.type'],
      [{ tools: [weather], tool_choice: 'required' }, 'tool_choice'],
      [{ input: [{ type: 'computer_call_output', call_id: 'c1' }] } as never, 'input.0.type'],
      [{ input: [{ type: 'function_call', call_id: 'c1', name: 'f', arguments: '[1' }] } as never, 'input.0.arguments'],
      [{ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }] } as never, 'input.0.content.0'],
    ];
    for (const [extra, param] of cases) {
      const err = await expectApiError(
        openai.responses.create({ model, input: 'x', ...extra } as OpenAI.Responses.ResponseCreateParamsNonStreaming),
        OpenAI.BadRequestError,
      );
      expect(err.error, param).toMatchObject({ param, type: 'invalid_request_error' });
    }
    const err = await expectApiError(openai.responses.create({ model: 'no-such-model', input: 'x' }), OpenAI.NotFoundError);
    expect(err.error).toMatchObject({ code: 'model_not_found' });
    expect(emulator.requests.length).toBe(before);
  });
});
