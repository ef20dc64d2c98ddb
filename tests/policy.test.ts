/**
 * The parameter policy through real HTTP, real PostgreSQL and the Ollama emulator: caps seen (or
 * never seen) at the emulator on every surface, allowed surfaces, the CIDR allow-list, tier
 * policies set over GraphQL, the merge across tier, team and key, and refusals in usage.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import type { Tier } from '../server/db/generated/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { gqlHttp, wsClient } from './support/graphql.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { runKeys } from './support/process.ts';

let gw: TestGateway;
let ollama: OllamaEmulator;
beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});
beforeEach(() => ollama.reset());

const messages = [{ role: 'user', content: 'hello there' }];

/** A key with this policy (and tier); its secret. */
async function keyWith(policy: unknown, tier: Tier = 'STANDARD') {
  return (await gw.createKey({ name: 'policy test', policy, tier })).secret;
}

/** The body the emulator received for the latest request to `path`. */
const sent = (path: string) => ollama.lastRequest(path)?.body as Record<string, any> | undefined;

/** Posts JSON with a key; the status, body and request id. */
async function post(key: string, path: string, json: unknown, headers: Record<string, string> = {}) {
  const res = await gw.request(path, { method: 'POST', key, json, headers });
  return { status: res.status, id: res.headers.get('x-request-id'), body: (await res.json()) as any };
}

describe('parameter policy: caps seen at Ollama', () => {
  it('on /ollama: keep_alive over the cap is clamped, num_ctx over the cap is refused (400 naming it) and never reaches Ollama', async () => {
    const key = await keyWith({ maxNumCtx: 8192, maxKeepAlive: 300 });

    const ok = await post(key, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false, keep_alive: -1, options: { num_ctx: 4096 } });
    expect(ok.status).toBe(200);
    expect(sent('/api/chat')).toMatchObject({ keep_alive: 300, options: { num_ctx: 4096 } });

    await post(key, '/ollama/api/generate', { model: 'llama3.2', prompt: 'hi', stream: false, keep_alive: '24h' });
    expect(sent('/api/generate')?.keep_alive).toBe(300);
    await post(key, '/ollama/api/generate', { model: 'llama3.2', prompt: 'hi', stream: false, keep_alive: '2m' });
    expect(sent('/api/generate')?.keep_alive).toBe('2m');

    const before = ollama.requests.length;
    const refused = await post(key, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { num_ctx: 131072 } });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: expect.stringMatching(/num_ctx 131072 .*cap of 8192/) });
    const streamed = await post(key, '/ollama/api/generate', { model: 'llama3.2', prompt: 'hi', options: { num_ctx: 65536 } });
    expect(streamed.status).toBe(400);
    expect(ollama.requests.slice(before).filter((r) => r.path === '/api/chat' || r.path === '/api/generate')).toEqual([]);

    // Embeddings: keep_alive capped as well.
    const embed = await post(key, '/ollama/api/embed', { model: 'nomic-embed-text', input: 'x', keep_alive: -1 });
    expect(embed.status).toBe(200);
    expect(sent('/api/embed')?.keep_alive).toBe(300);
  });

  it('clamps num_ctx and refuses keep_alive when the policy’s modes say so', async () => {
    const key = await keyWith({ maxNumCtx: 8192, maxNumCtxMode: 'clamp', maxKeepAlive: 60, maxKeepAliveMode: 'reject' });
    const ok = await post(key, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { num_ctx: 131072 } });
    expect(ok.status).toBe(200);
    expect(sent('/api/chat')?.options.num_ctx).toBe(8192);
    ollama.reset();
    const refused = await post(key, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false, keep_alive: -1 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/keep_alive -1 \(forever\) .*cap of 60/);
    expect(ollama.lastRequest('/api/chat')).toBeUndefined();
  });

  it('forces options on /api, /v1, /v1/messages, /v1/responses and GraphQL alike: what arrives at Ollama is the policy’s', async () => {
    const key = await keyWith({ forcedOptions: { num_ctx: 4096, temperature: 0, keep_alive: '1m' } });
    const cases: Array<[string, unknown, Record<string, string>?]> = [
      ['/api/chat', { model: 'llama3.2', messages, temperature: 0.9 }],
      ['/api/generate', { model: 'llama3.2', prompt: 'hi', temperature: 0.9 }],
      ['/v1/chat/completions', { model: 'llama3.2', messages, temperature: 0.9 }],
      ['/v1/completions', { model: 'llama3.2', prompt: 'hi', temperature: 0.9 }],
      ['/v1/messages', { model: 'llama3.2', messages, max_tokens: 20, temperature: 0.9 }, { 'anthropic-version': '2023-06-01' }],
      ['/v1/responses', { model: 'llama3.2', input: 'hi', temperature: 0.9 }],
      ['/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { temperature: 0.9, num_ctx: 32768 }, keep_alive: -1 }],
    ];
    for (const [path, body, headers] of cases) {
      ollama.reset();
      const r = await post(key, path, body, headers);
      expect([path, r.status]).toEqual([path, 200]);
      const upstream = sent('/api/chat') ?? sent('/api/generate');
      expect([path, upstream?.options?.temperature, upstream?.options?.num_ctx, upstream?.keep_alive]).toEqual([path, 0, 4096, '1m']);
    }
    ollama.reset();
    const g = await gqlHttp(
      gw,
      'mutation { chat(input: { model: "llama3.2", messages: [{ role: USER, content: "hi" }], temperature: 0.9 }) { text } }',
      {},
      { key },
    );
    expect(g.body.errors).toBeUndefined();
    expect(sent('/api/chat')).toMatchObject({ options: { temperature: 0, num_ctx: 4096 }, keep_alive: '1m' });
  });

  it('clamps max_tokens on every surface (and caps a request that set none), or refuses it in reject mode', async () => {
    const key = await keyWith({ maxTokens: 16 });
    const cases: Array<[string, unknown, Record<string, string>?]> = [
      ['/api/chat', { model: 'llama3.2', messages, max_tokens: 5000 }],
      ['/api/chat', { model: 'llama3.2', messages }],
      ['/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 5000 }],
      ['/v1/chat/completions', { model: 'llama3.2', messages }],
      ['/v1/messages', { model: 'llama3.2', messages, max_tokens: 5000 }, { 'anthropic-version': '2023-06-01' }],
      ['/v1/responses', { model: 'llama3.2', input: 'hi', max_output_tokens: 5000 }],
      ['/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { num_predict: 5000 } }],
      ['/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { num_predict: -1 } }],
      ['/ollama/api/generate', { model: 'llama3.2', prompt: 'hi', stream: false }],
    ];
    for (const [path, body, headers] of cases) {
      ollama.reset();
      const r = await post(key, path, body, headers);
      expect([path, r.status]).toEqual([path, 200]);
      const upstream = sent('/api/chat') ?? sent('/api/generate');
      expect([path, JSON.stringify(body), upstream?.options?.num_predict]).toEqual([path, JSON.stringify(body), 16]);
    }

    const strictKey = await gw.createKey({ name: 'strict', policy: { maxTokens: 16, maxTokensMode: 'reject' } });
    const strict = strictKey.secret;
    ollama.reset();
    const refused = await post(strict, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 17 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'policy_violation',
      message: expect.stringMatching(/max_tokens 17 .*cap of 16/),
    });
    const rest = await post(strict, '/api/chat', { model: 'llama3.2', messages, max_tokens: 17 });
    expect(rest.body).toEqual({ error: { message: expect.stringMatching(/max_tokens/), type: 'invalid_request_error', code: 'policy_violation' } });
    const anthropic = await post(strict, '/v1/messages', { model: 'llama3.2', messages, max_tokens: 17 }, { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(400);
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/max_tokens 17/) } });
    const g = await gqlHttp(
      gw,
      'mutation { chat(input: { model: "llama3.2", messages: [{ role: USER, content: "hi" }], maxTokens: 17 }) { text } }',
      {},
      { key: strict },
    );
    expect(g.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/max_tokens 17 .*cap of 16/),
      extensions: { code: 'BAD_USER_INPUT', reason: 'policy_violation' },
    });
    expect(ollama.lastRequest('/api/chat')).toBeUndefined();
    // Each refusal left its usage row, GraphQL's included.
    let rows: Array<{ surface: string; status: number }> = [];
    for (let i = 0; i < 100 && rows.length < 4; i++) {
      await gw.app.services.usage.flush();
      rows = await prisma.usageRecord.findMany({ where: { apiKeyId: strictKey.id }, select: { surface: true, status: true } });
      if (rows.length < 4) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rows.map((r) => `${r.surface} ${r.status}`).sort()).toEqual(['anthropic 400', 'graphql 400', 'openai 400', 'rest 400']);
  });
});

describe('parameter policy: surfaces and addresses', () => {
  it('a key that may chat on /v1 but not embed gets 403 surface_not_allowed on /v1/embeddings, and on every other surface', async () => {
    const key = await keyWith({ allowedSurfaces: ['openai'] });
    expect((await post(key, '/v1/chat/completions', { model: 'llama3.2', messages })).status).toBe(200);
    ollama.reset();
    const embed = await post(key, '/v1/embeddings', { model: 'nomic-embed-text', input: 'x' });
    expect(embed.status).toBe(403);
    expect(embed.body.error).toMatchObject({ code: 'surface_not_allowed', message: expect.stringMatching(/embeddings/) });
    expect(ollama.lastRequest('/api/embed')).toBeUndefined();

    const rest = await gw.request('/api/models', { key });
    expect(rest.status).toBe(403);
    expect(((await rest.json()) as any).error.code).toBe('surface_not_allowed');
    const native = await gw.request('/ollama/api/tags', { key });
    expect(native.status).toBe(403);
    expect(await native.json()).toEqual({ error: expect.stringMatching(/Ollama-native API/) });
    const responses = await post(key, '/v1/responses', { model: 'llama3.2', input: 'hi' });
    expect([responses.status, responses.body.error.code]).toEqual([403, 'surface_not_allowed']);
    const anthropic = await post(key, '/v1/messages', { model: 'llama3.2', messages, max_tokens: 5 }, { 'anthropic-version': '2023-06-01' });
    expect([anthropic.status, anthropic.body.error.type]).toEqual([403, 'permission_error']);
    const g = await gqlHttp(gw, '{ viewer { id } }', {}, { key });
    expect(g.status).toBe(403);
    expect(g.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'surface_not_allowed' });

    const embedder = await keyWith({ allowedSurfaces: ['openai', 'ollama', 'embeddings'] });
    expect((await post(embedder, '/v1/embeddings', { model: 'nomic-embed-text', input: 'x' })).status).toBe(200);
    expect((await post(embedder, '/ollama/api/embed', { model: 'nomic-embed-text', input: 'x' })).status).toBe(200);
    const chatOnly = await keyWith({ allowedSurfaces: ['ollama'] });
    const legacy = await post(chatOnly, '/ollama/api/embeddings', { model: 'nomic-embed-text', prompt: 'x' });
    expect(legacy.status).toBe(403);
  });

  it('refuses a client outside the CIDR list on REST, GraphQL over HTTP and graphql-ws, and admits one inside', async () => {
    // The test client connects from 127.0.0.1.
    const outside = await keyWith({ allowedCidrs: ['10.0.0.0/8'] });
    const inside = await keyWith({ allowedCidrs: ['10.0.0.0/8', '127.0.0.0/8'] });

    const r = await gw.request('/api/models', { key: outside });
    expect(r.status).toBe(403);
    expect(((await r.json()) as any).error).toMatchObject({ code: 'ip_not_allowed', message: expect.stringMatching(/127\.0\.0\.1/) });
    expect((await post(outside, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false })).status).toBe(403);
    expect(ollama.lastRequest('/api/chat')).toBeUndefined();
    expect((await gw.request('/api/models', { key: inside })).status).toBe(200);
    expect((await post(inside, '/v1/chat/completions', { model: 'llama3.2', messages })).status).toBe(200);

    const g = await gqlHttp(gw, '{ viewer { id } }', {}, { key: outside });
    expect(g.status).toBe(403);
    expect(g.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ip_not_allowed' });
    expect((await gqlHttp(gw, '{ viewer { id } }', {}, { key: inside })).body.errors).toBeUndefined();
    // GraphQL over GET (SSE clients can use it) is checked too.
    const get = await gw.request(`/graphql?query=${encodeURIComponent('{ viewer { id } }')}`, { key: outside, headers: { accept: 'application/json' } });
    expect(get.status).toBe(403);

    const ws = wsClient(gw, outside);
    expect((await ws.closed).code).toBe(4403);
    const wsIn = wsClient(gw, inside);
    try {
      const results: unknown[] = [];
      for await (const res of wsIn.client.iterate({
        query: 'subscription { chat(input: { model: "llama3.2", messages: [{ role: USER, content: "hi" }] }) { done } }',
      })) {
        results.push(res);
      }
      expect(results.at(-1)).toMatchObject({ data: { chat: { done: true } } });
    } finally {
      await wsIn.client.dispose();
    }
  });

  it('records refusals by policy in usage, with their status and message', async () => {
    const key = await keyWith({ maxNumCtx: 1024, allowedSurfaces: ['ollama', 'openai'] });
    const overCap = await post(key, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { num_ctx: 2048 } });
    const surface = await post(key, '/v1/embeddings', { model: 'nomic-embed-text', input: 'x' });
    const cidr = await post(await keyWith({ allowedCidrs: ['10.0.0.0/8'] }), '/v1/chat/completions', { model: 'llama3.2', messages });
    expect([overCap.status, surface.status, cidr.status]).toEqual([400, 403, 403]);
    const rows = await Promise.all([overCap.id!, surface.id!, cidr.id!].map((id) => gw.usageRecord(id)));
    expect(rows.map((r) => [r.surface, r.endpoint, r.status, r.promptTokens + r.completionTokens])).toEqual([
      ['ollama', '/api/chat', 400, 0],
      ['openai', '/v1/embeddings', 403, 0],
      ['openai', '/v1/chat/completions', 403, 0],
    ]);
    expect(rows[0].error).toMatch(/num_ctx 2048/);
    expect(rows[0].model).toBe('llama3.2');
  });
});

describe('parameter policy: tiers, teams and keys', () => {
  const SET_TIER = `mutation Set($input: SetTierPolicyInput!) { setTierPolicy(input: $input) { tier policy { maxTokens allowedSurfaces } updatedAt } }`;

  it('applies a tier policy set over GraphQL at once, without a restart; audits it; admins only', async () => {
    const key = await keyWith(null, 'PREMIUM');
    await post(key, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500 });
    expect(sent('/api/chat')?.options.num_predict).toBe(500);

    const set = await gqlHttp(gw, SET_TIER, { input: { tier: 'PREMIUM', policy: { maxTokens: 8, forcedOptions: { seed: 42 } } } });
    expect(set.body.errors).toBeUndefined();
    expect(set.body.data).toMatchObject({ setTierPolicy: { tier: 'PREMIUM', policy: { maxTokens: 8, allowedSurfaces: null } } });
    ollama.reset();
    await post(key, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500 });
    expect(sent('/api/chat')?.options).toMatchObject({ num_predict: 8, seed: 42 });
    // A standard key is not touched.
    ollama.reset();
    await post(await keyWith(null), '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500 });
    expect(sent('/api/chat')?.options.num_predict).toBe(500);

    const list = await gqlHttp(gw, '{ tierPolicies { tier policy { maxTokens forcedOptions } } }');
    expect(list.body.data).toEqual({
      tierPolicies: [
        { tier: 'STANDARD', policy: null },
        { tier: 'PREMIUM', policy: { maxTokens: 8, forcedOptions: { seed: 42 } } },
      ],
    });
    const audit = await prisma.auditEntry.findFirst({ where: { action: 'policy.set', targetId: 'PREMIUM' }, orderBy: { createdAt: 'desc' } });
    expect(audit).toMatchObject({ surface: 'graphql', targetType: 'tierPolicy', after: { policy: { maxTokens: 8, forcedOptions: { seed: 42 } } } });

    const user = await keyWith(null);
    const denied = await gqlHttp(gw, SET_TIER, { input: { tier: 'PREMIUM', policy: {} } }, { key: user });
    expect(denied.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await gqlHttp(gw, '{ tierPolicies { tier } }', {}, { key: user })).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // An empty policy removes it, again at once.
    await gqlHttp(gw, SET_TIER, { input: { tier: 'PREMIUM', policy: {} } });
    ollama.reset();
    await post(key, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500 });
    expect(sent('/api/chat')?.options.num_predict).toBe(500);
    expect(await prisma.tierPolicy.findUnique({ where: { tier: 'PREMIUM' } })).toBeNull();
  });

  it('refuses a change that would lock out the admin key making it, from where it makes it', async () => {
    // The bootstrap admin key is a standard key, calling from 127.0.0.1.
    const lockout = await gqlHttp(gw, SET_TIER, { input: { tier: 'STANDARD', policy: { allowedSurfaces: ['OPENAI'] } } });
    expect(lockout.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/would lock out the key making this change .*GraphQL/),
      extensions: { code: 'BAD_USER_INPUT', reason: 'invalid_policy' },
    });
    const away = await gqlHttp(gw, SET_TIER, { input: { tier: 'STANDARD', policy: { allowedCidrs: ['10.0.0.0/8'] } } });
    expect(away.body.errors?.[0].message).toMatch(/127\.0\.0\.1/);
    expect(await prisma.tierPolicy.findUnique({ where: { tier: 'STANDARD' } })).toBeNull();
    const own = await gqlHttp(gw, `mutation U($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { id } }`, {
      input: { id: 'bootstrap-admin', policy: { allowedSurfaces: ['API'] } },
    });
    expect(own.body.errors?.[0].extensions).toMatchObject({ reason: 'invalid_policy' });
    // What still lets it in is accepted; another tier is not the caller's.
    const fine = await gqlHttp(gw, SET_TIER, {
      input: { tier: 'STANDARD', policy: { allowedCidrs: ['127.0.0.0/8', '::1'], allowedSurfaces: ['GRAPHQL', 'API'] } },
    });
    expect(fine.body.errors).toBeUndefined();
    await gqlHttp(gw, SET_TIER, { input: { tier: 'STANDARD', policy: {} } });
    const other = await gqlHttp(gw, SET_TIER, { input: { tier: 'PREMIUM', policy: { allowedSurfaces: ['OPENAI'] } } });
    expect(other.body.errors).toBeUndefined();
    await gqlHttp(gw, SET_TIER, { input: { tier: 'PREMIUM', policy: {} } });
  });

  it('merges tier, team and key: the smallest cap wins, surfaces intersect, forced options key over team over tier', async () => {
    await gqlHttp(gw, SET_TIER, {
      input: {
        tier: 'STANDARD',
        policy: { maxTokens: 100, forcedOptions: { temperature: 0.1, seed: 7 }, allowedSurfaces: ['API', 'OPENAI', 'GRAPHQL', 'EMBEDDINGS'] },
      },
    });
    try {
      const team = await prisma.team.create({
        data: {
          name: `policy team ${Date.now()}`,
          policy: { maxTokens: 50, forcedOptions: { temperature: 0.2 }, allowedSurfaces: ['openai', 'graphql', 'ollama'] },
        },
      });
      const strictKey = await gw.createKey({ name: 'key stricter', policy: { maxTokens: 20, forcedOptions: { temperature: 0.3 } } });
      const looseKey = await gw.createKey({ name: 'team stricter', policy: { maxTokens: 200 } });
      await prisma.apiKey.updateMany({ where: { id: { in: [strictKey.id, looseKey.id] } }, data: { teamId: team.id } });
      await gw.app.services.keys.reloadTeam(team.id);
      await gw.app.services.keys.reloadKey(strictKey.id);
      await gw.app.services.keys.reloadKey(looseKey.id);

      ollama.reset();
      await post(strictKey.secret, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500, temperature: 1 });
      expect(sent('/api/chat')?.options).toMatchObject({ num_predict: 20, temperature: 0.3, seed: 7 });
      ollama.reset();
      await post(looseKey.secret, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500, temperature: 1 });
      expect(sent('/api/chat')?.options).toMatchObject({ num_predict: 50, temperature: 0.2, seed: 7 });
      // The tier allows /api, the team does not: the intersection is openai and graphql.
      expect((await gw.request('/api/models', { key: looseKey.secret })).status).toBe(403);
      expect((await gw.request('/ollama/api/tags', { key: looseKey.secret })).status).toBe(403);

      // A standard key outside the team: the tier's rules alone.
      ollama.reset();
      const alone = await keyWith(null);
      await post(alone, '/api/chat', { model: 'llama3.2', messages, max_tokens: 500 });
      expect(sent('/api/chat')?.options).toMatchObject({ num_predict: 100, temperature: 0.1 });

      const view = await gqlHttp(
        gw,
        `query K($id: ID!) { apiKey(id: $id) { policy { maxTokens forcedOptions } effectivePolicy { maxTokens maxTokensMode forcedOptions allowedSurfaces allowedCidrs } } }`,
        { id: strictKey.id },
      );
      expect(view.body.data).toEqual({
        apiKey: {
          policy: { maxTokens: 20, forcedOptions: { temperature: 0.3 } },
          effectivePolicy: {
            maxTokens: 20,
            maxTokensMode: 'CLAMP',
            forcedOptions: { temperature: 0.3, seed: 7 },
            allowedSurfaces: ['OPENAI', 'GRAPHQL'],
            allowedCidrs: null,
          },
        },
      });
      // A team's policy change reaches its keys at once (the key store rebuilds their principals).
      await prisma.team.update({ where: { id: team.id }, data: { policy: { maxTokens: 10 } } });
      await gw.app.services.keys.reloadTeam(team.id);
      ollama.reset();
      await post(looseKey.secret, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500 });
      expect(sent('/api/chat')?.options.num_predict).toBe(10);
    } finally {
      await gqlHttp(gw, SET_TIER, { input: { tier: 'STANDARD', policy: {} } });
    }
  });

  it('sets and clears a key’s policy over GraphQL, refusing an invalid one with a 400 that names the problem', async () => {
    const created = await gqlHttp(
      gw,
      `mutation C($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id policy { maxNumCtx maxNumCtxMode allowedCidrs allowedSurfaces } } secret } }`,
      { input: { name: 'gql policy', policy: { maxNumCtx: 2048, maxNumCtxMode: 'CLAMP', allowedCidrs: ['127.0.0.1'], allowedSurfaces: ['OLLAMA'] } } },
    );
    expect(created.body.errors).toBeUndefined();
    const { apiKey, secret } = (created.body.data as any).createApiKey;
    expect(apiKey.policy).toEqual({ maxNumCtx: 2048, maxNumCtxMode: 'CLAMP', allowedCidrs: ['127.0.0.1/32'], allowedSurfaces: ['OLLAMA'] });
    await post(secret, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { num_ctx: 9999 } });
    expect(sent('/api/chat')?.options.num_ctx).toBe(2048);

    const bad = await gqlHttp(gw, `mutation U($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { id } }`, {
      input: { id: apiKey.id, policy: { allowedCidrs: ['10.0.0.0/40'] } },
    });
    expect(bad.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/10\.0\.0\.0\/40/),
      extensions: { code: 'BAD_USER_INPUT', reason: 'invalid_policy' },
    });
    const forced = await gqlHttp(gw, `mutation U($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { id } }`, {
      input: { id: apiKey.id, policy: { forcedOptions: { num_cxt: 1 } } },
    });
    expect(forced.body.errors?.[0].extensions).toMatchObject({ reason: 'invalid_policy' });

    const cleared = await gqlHttp(gw, `mutation U($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { policy { maxNumCtx } } }`, {
      input: { id: apiKey.id, policy: null },
    });
    expect(cleared.body.data).toEqual({ updateApiKey: { policy: null } });
    ollama.reset();
    await post(secret, '/ollama/api/chat', { model: 'llama3.2', messages, stream: false, options: { num_ctx: 9999 } });
    expect(sent('/api/chat')?.options.num_ctx).toBe(9999);
    const audit = await prisma.auditEntry.findFirst({ where: { action: 'key.update', targetId: apiKey.id }, orderBy: { createdAt: 'desc' } });
    expect(audit?.before).toMatchObject({ policy: { maxNumCtx: 2048 } });
  });

  it('takes --policy on the keys CLI (refusing a bad one before touching the database), and a tier policy set from the CLI reaches the running gateway over the change feed', async () => {
    const env = { DATABASE_URL: gw.db.url };
    const bad = await runKeys(['create', '--name', 'cli policy', '--policy', '{"maxNumCtx": "big"}'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--policy: Invalid parameter policy: maxNumCtx/);
    const notJson = await runKeys(['create', '--name', 'cli policy', '--policy', '{maxTokens: 5'], env);
    expect([notJson.code, notJson.stderr]).toEqual([2, expect.stringMatching(/--policy must be JSON/)]);

    const ok = await runKeys(['create', '--name', 'cli policy', '--policy', '{"maxTokens": 12, "allowedSurfaces": ["api"]}', '--json'], env);
    expect(ok.stderr).toBe('');
    const { id, key } = JSON.parse(ok.stdout);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id } })).policy).toEqual({ maxTokens: 12, allowedSurfaces: ['api'] });
    await gw.app.services.keys.reloadKey(id);
    ollama.reset();
    await post(key, '/api/chat', { model: 'llama3.2', messages, max_tokens: 500 });
    expect(sent('/api/chat')?.options.num_predict).toBe(12);

    const cleared = await runKeys(['update', id, '--policy', 'none'], env);
    expect(cleared.code).toBe(0);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id } })).policy).toBeNull();

    // A tier policy set from another process reaches the running gateway through the change feed alone.
    const premium = await keyWith(null, 'PREMIUM');
    const numPredict = async () => {
      ollama.reset();
      await post(premium, '/v1/chat/completions', { model: 'llama3.2', messages, max_tokens: 500 });
      return sent('/api/chat')?.options.num_predict;
    };
    const within = async (want: number) => {
      for (let i = 0; i < 100; i++) {
        if ((await numPredict()) === want) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    const tier = await runKeys(['tier-policy', 'premium', '--policy', '{"maxTokens": 9}', '--json'], env);
    expect([tier.code, JSON.parse(tier.stdout)]).toEqual([0, { tier: 'premium', policy: { maxTokens: 9 } }]);
    expect(await within(9)).toBe(true);
    const shown = await runKeys(['tier-policy', 'premium'], env);
    expect(shown.stdout).toMatch(/Tier premium: policy \{"maxTokens":9\}/);
    expect((await runKeys(['tier-policy', 'premium', '--policy', 'none'], env)).code).toBe(0);
    expect(await within(500)).toBe(true);
  }, 180_000);
});
