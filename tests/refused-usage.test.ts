import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { gqlHttp } from './support/graphql.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

let gw: TestGateway;
let ollama: OllamaEmulator;
beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url, MAX_BODY_BYTES: '10000' } });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});
beforeEach(() => ollama.reset());

/** The usage rows of one request id, once the batch with them is written. */
async function rowsOf(id: string) {
  for (let i = 0; i < 50; i++) {
    await gw.app.services.usage.flush();
    const rows = await prisma.usageRecord.findMany({ where: { id } });
    if (rows.length) {
      // A second row would come in the same or the next batch: look once more.
      await new Promise((r) => setTimeout(r, 120));
      await gw.app.services.usage.flush();
      return prisma.usageRecord.findMany({ where: { id } });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return [];
}

async function refusal(key: string, path: string, init: { method?: string; json?: unknown; body?: string } = {}) {
  const res = await gw.request(path, {
    key,
    method: init.method ?? 'POST',
    json: init.json,
    body: init.body,
    headers: init.body ? { 'content-type': 'application/json' } : undefined,
  });
  const id = res.headers.get('x-request-id');
  const body = await res.json();
  return { status: res.status, id, body };
}

describe('refused requests are recorded in usage', () => {
  const cases: Array<{
    name: string;
    path: string;
    method?: string;
    json?: unknown;
    body?: string;
    status: number;
    surface: string;
    endpoint: string;
    model: string;
    message: RegExp;
    key?: object;
  }> = [
    {
      name: 'a malformed /api body (400)',
      path: '/api/chat',
      json: { model: 'echo', messages: 'hi' },
      status: 400,
      surface: 'rest',
      endpoint: '/api/chat',
      model: 'echo',
      message: /messages/,
    },
    {
      name: 'a bad temperature on /v1 (400)',
      path: '/v1/chat/completions',
      json: { model: 'echo', messages: [{ role: 'user', content: 'hi' }], temperature: 9 },
      status: 400,
      surface: 'openai',
      endpoint: '/v1/chat/completions',
      model: 'echo',
      message: /temperature/,
    },
    {
      name: 'a model the key may not use (403)',
      path: '/v1/chat/completions',
      json: { model: 'llama3.2:latest', messages: [{ role: 'user', content: 'hi' }] },
      status: 403,
      surface: 'openai',
      endpoint: '/v1/chat/completions',
      model: 'llama3.2:latest',
      message: /may not use/,
      key: { allowedModels: ['echo'] },
    },
    {
      name: 'model management on /ollama (403)',
      path: '/ollama/api/pull',
      json: { model: 'llama3.2' },
      status: 403,
      surface: 'ollama',
      endpoint: '/api/pull',
      model: '',
      message: /Model management/,
    },
    {
      name: 'an unknown model on /ollama (404)',
      path: '/ollama/api/chat',
      json: { model: 'nope:1b', messages: [{ role: 'user', content: 'hi' }] },
      status: 404,
      surface: 'ollama',
      endpoint: '/api/chat',
      model: 'nope:1b',
      message: /nope:1b/,
    },
    {
      name: 'an unknown path (404)',
      path: '/api/nothing-here',
      json: {},
      status: 404,
      surface: 'rest',
      endpoint: '/api/nothing-here',
      model: '',
      message: /No endpoint/,
    },
    {
      name: 'a wrong method (405)',
      path: '/api/chat',
      method: 'GET',
      status: 405,
      surface: 'rest',
      endpoint: '/api/chat',
      model: '',
      message: /GET is not allowed/,
    },
    {
      name: 'a body over MAX_BODY_BYTES (413)',
      path: '/ollama/api/generate',
      body: JSON.stringify({ model: 'echo', prompt: 'x'.repeat(20_000) }),
      status: 413,
      surface: 'ollama',
      endpoint: '/api/generate',
      model: '',
      message: /larger than the limit/,
    },
  ];
  for (const c of cases) {
    it(`records ${c.name} once, with its status, message and zero tokens, under the answer's x-request-id`, async () => {
      const k = await gw.createKey({ name: c.name, ...c.key });
      const r = await refusal(k.secret, c.path, c);
      expect(r.status).toBe(c.status);
      expect(r.id).toBeTruthy();
      const rows = await rowsOf(r.id!);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        apiKeyId: k.id,
        status: c.status,
        surface: c.surface,
        endpoint: c.endpoint,
        model: c.model,
        promptTokens: 0,
        completionTokens: 0,
      });
      expect(rows[0].error).toMatch(c.message);
      expect(await prisma.usageRecord.count({ where: { apiKeyId: k.id } })).toBe(1);
    });
  }

  it('records a request-rate 429 and a token-rate 429 with their messages', async () => {
    const k = await gw.createKey({ rpmLimit: 1, tpmLimit: 1000 });
    const ok = await refusal(k.secret, '/api/chat', { json: { model: 'echo', messages: [{ role: 'user', content: 'hi' }] } });
    expect(ok.status).toBe(200);
    const limited = await refusal(k.secret, '/api/chat', { json: { model: 'echo', messages: [{ role: 'user', content: 'hi' }] } });
    expect(limited.status).toBe(429);
    const [row] = await rowsOf(limited.id!);
    expect(row).toMatchObject({ status: 429, promptTokens: 0, completionTokens: 0, model: '', endpoint: '/api/chat' });
    expect(row.error).toMatch(/1 requests per minute/);

    const t = await gw.createKey({ tpmLimit: 30 });
    // 10 prompt + 10 completion tokens used; the next one would need 3 + 15 with 10 left.
    const first = await refusal(t.secret, '/v1/completions', { json: { model: 'echo', prompt: 'a b c d e f g h i j', max_tokens: 15 } });
    expect(first.status).toBe(200);
    const tokens = await refusal(t.secret, '/v1/completions', { json: { model: 'echo', prompt: 'three four', max_tokens: 15 } });
    expect(tokens.status).toBe(429);
    expect(tokens.body.error.code).toBe('token_limit_exceeded');
    const rows = await rowsOf(tokens.id!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 429, model: 'echo', surface: 'openai', promptTokens: 0, completionTokens: 0 });
    expect(rows[0].error).toMatch(/30 tokens per minute/);
  });

  it('records a run that started and failed once, by the run, not again as a refusal', async () => {
    const k = await gw.createKey({});
    ollama.setBehavior({ fail: { status: 400, error: 'model runner refused the options' } });
    const r = await refusal(k.secret, '/api/chat', { json: { model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'hi' }] } });
    expect(r.status).toBeGreaterThanOrEqual(400);
    const rows = await rowsOf(r.id!);
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe(r.status);
    expect(await prisma.usageRecord.count({ where: { apiKeyId: k.id } })).toBe(1);
  });

  it('records nothing for a request without a valid key', async () => {
    const before = await prisma.usageRecord.count();
    const r = await refusal('ogw_not_a_key_at_all_1234567890', '/api/chat', { json: { model: 'echo', messages: [] } });
    expect(r.status).toBe(401);
    await new Promise((res) => setTimeout(res, 150));
    await gw.app.services.usage.flush();
    expect(await prisma.usageRecord.count()).toBe(before);
  });

  it('records GraphQL chat refusals through the same service method', async () => {
    const k = await gw.createKey({ allowedModels: ['echo'] });
    const doc = 'mutation Chat($input: ChatInput!) { chat(input: $input) { id text } }';
    const r = await gqlHttp(gw, doc, { input: { model: 'llama3.2:latest', messages: [{ role: 'USER', content: 'hi' }] } }, { key: k.secret });
    expect(r.body.errors?.[0]?.extensions?.code).toBeTruthy();
    let rows: Awaited<ReturnType<typeof prisma.usageRecord.findMany>> = [];
    for (let i = 0; i < 50 && !rows.length; i++) {
      await gw.app.services.usage.flush();
      rows = await prisma.usageRecord.findMany({ where: { apiKeyId: k.id } });
      if (!rows.length) await new Promise((res) => setTimeout(res, 20));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 403,
      surface: 'graphql',
      endpoint: 'Mutation.chat',
      model: 'llama3.2:latest',
      promptTokens: 0,
      completionTokens: 0,
    });
  });
});
