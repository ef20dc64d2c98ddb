/**
 * GraphQL chat with the features the compatible APIs pass through: thinking (ChatInput.think),
 * images on messages and tool calling, over HTTP and SSE against the Ollama emulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { codeOf, gqlHttp, gqlSse } from './support/graphql.ts';
import { CAPABLE_MODEL, DEFAULT_EMULATED_MODELS, TOOL_CALL_TOKENS, startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

const ThinkingChat = graphql(`
  mutation ThinkingChat($input: ChatInput!) {
    chat(input: $input) {
      id
      text
      thinking
      finishReason
      toolCalls {
        id
        name
        arguments
      }
      usage {
        completionTokens
      }
    }
  }
`);

const ThinkingStream = graphql(`
  subscription ThinkingStream($input: ChatInput!) {
    chat(input: $input) {
      id
      delta
      thinking
      done
      finishReason
      toolCalls {
        name
        arguments
      }
    }
  }
`);

let emulator: OllamaEmulator;
let gw: TestGateway;
const model = CAPABLE_MODEL.name;
const weather = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
};

beforeAll(async () => {
  emulator = await startOllamaEmulator({ models: [...DEFAULT_EMULATED_MODELS, CAPABLE_MODEL] });
  gw = await startGateway({ env: { OLLAMA_URL: emulator.url } });
});

afterAll(async () => {
  await gw?.stop();
  await emulator?.close();
});

beforeEach(() => emulator.reset());

const usageRecord = (id: string) => gw.usageRecord(id);

describe('graphql chat: thinking, images and tools', () => {
  it('passes think and images to Ollama and answers with the thinking, recorded under graphql', async () => {
    const r = await gqlHttp(gw, ThinkingChat, { input: { model, think: true, messages: [{ role: 'USER', content: 'look here', images: ['aGVsbG8='] }] } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.chat).toMatchObject({ text: 'You said: look here', thinking: 'Thinking about: look here', finishReason: 'STOP', toolCalls: [] });
    const sent = emulator.lastRequest('/api/chat')!.body;
    expect(sent).toMatchObject({ think: true, messages: [{ role: 'user', content: 'look here', images: ['aGVsbG8='] }] });
    expect(await usageRecord(r.body.data!.chat.id)).toMatchObject({ surface: 'graphql', status: 200, completionTokens: 4 + 4 });
  });

  it('streams thinking deltas before the text deltas', async () => {
    const { results } = await gqlSse(gw, ThinkingStream, { input: { model, think: true, messages: [{ role: 'USER', content: 'why' }] } });
    const events = results.map((r) => r.data!.chat);
    expect(events.map((e) => e.thinking).join('')).toBe('Thinking about: why');
    expect(events.map((e) => e.delta).join('')).toBe('You said: why');
    const lastThinking = events.findLastIndex((e) => e.thinking !== '');
    const firstText = events.findIndex((e) => e.delta !== '');
    expect(lastThinking).toBeLessThan(firstText);
    expect(events.at(-1)).toMatchObject({ done: true, finishReason: 'STOP' });
  });

  it('runs a tool round trip: toolCalls out with TOOL_CALLS, the result back as a TOOL message', async () => {
    const first = await gqlHttp(gw, ThinkingChat, { input: { model, tools: [weather], messages: [{ role: 'USER', content: 'Paris' }] } });
    expect(first.body.data!.chat).toMatchObject({
      text: '',
      finishReason: 'TOOL_CALLS',
      toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }],
      usage: { completionTokens: TOOL_CALL_TOKENS },
    });
    const second = await gqlHttp(gw, ThinkingChat, {
      input: {
        model,
        tools: [weather],
        messages: [
          { role: 'USER', content: 'Paris' },
          { role: 'ASSISTANT', content: '', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] },
          { role: 'TOOL', content: 'rainy', toolName: 'get_weather' },
        ],
      },
    });
    expect(emulator.lastRequest('/api/chat')!.body.messages).toEqual([
      { role: 'user', content: 'Paris' },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: 'rainy', tool_name: 'get_weather' },
    ]);
    expect(second.body.data!.chat).toMatchObject({ text: 'The tool said: rainy', finishReason: 'STOP' });

    const { results } = await gqlSse(gw, ThinkingStream, { input: { model, tools: [weather], messages: [{ role: 'USER', content: 'Oslo' }] } });
    expect(results.flatMap((r) => r.data!.chat.toolCalls)).toEqual([{ name: 'get_weather', arguments: '{"city":"Oslo"}' }]);
    expect(results.at(-1)!.data!.chat).toMatchObject({ done: true, finishReason: 'TOOL_CALLS' });
  });

  it('refuses tool parameters that are not a JSON object as BAD_USER_INPUT, naming the field', async () => {
    const r = await gqlHttp(gw, ThinkingChat, { input: { model, tools: [{ name: 'f', parameters: 'not json' }], messages: [{ role: 'USER', content: 'x' }] } });
    expect(r.body.errors?.[0]?.message).toContain('tools[0].parameters');
    expect(codeOf(r.body)).toBe('BAD_USER_INPUT');
  });
});
