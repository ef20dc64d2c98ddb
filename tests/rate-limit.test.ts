import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

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

// Many sockets at once (not fetch's pool), so the requests really are concurrent.
const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
function post(path: string, key: string, body: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const url = new URL(gw.url + path);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('rate limits', () => {
  it('a burst of 90 concurrent requests on a standard key: exactly 60 pass, 30 get 429', async () => {
    const k = await gw.createKey({ tier: 'STANDARD' });
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) => post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: `request ${i}` }] })),
    );
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(60);
    expect(limited).toHaveLength(30);
    for (const r of limited) {
      expect(r.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(r.headers['x-ratelimit-limit']).toBe('60');
      expect(r.headers['x-ratelimit-remaining']).toBe('0');
    }
    // Every accepted response says how many remain; together they count down 59..0 exactly once each.
    const remaining = ok.map((r) => Number(r.headers['x-ratelimit-remaining'])).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const r of results) expect(Number(r.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
  });

  it('a premium key gets 300 per minute', async () => {
    const k = await gw.createKey({ tier: 'PREMIUM' });
    const results = await Promise.all(Array.from({ length: 320 }, () => gw.request('/api/models', { key: k.secret }).then((r) => r.status)));
    expect(results.filter((s) => s === 200)).toHaveLength(300);
    expect(results.filter((s) => s === 429)).toHaveLength(20);
  });

  it('admin keys are limited like any key of their tier, and keys do not share a budget', async () => {
    const admin = await gw.createKey({ role: 'ADMIN', rpmLimit: 3 });
    const other = await gw.createKey({ rpmLimit: 3 });
    const a = await Promise.all(Array.from({ length: 5 }, () => gw.request('/api/models', { key: admin.secret }).then((r) => r.status)));
    expect(a.filter((s) => s === 429)).toHaveLength(2);
    expect((await gw.request('/api/models', { key: other.secret })).status).toBe(200);
  });

  it('a token-per-minute limit refuses requests once the budget is used', async () => {
    const k = await gw.createKey({ tpmLimit: 10 });
    // Prompt estimate 7 (27 characters): without max_tokens the answer is capped at the 3 tokens left.
    const first = await post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: 'one two three four five six' }] });
    expect(first.status).toBe(200);
    expect(first.body.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 3 });
    expect(first.body.choices[0].finish_reason).toBe('length');
    const second = await post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: 'again' }] });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('token_limit_exceeded');
    expect(second.body.error.message).toMatch(/10 tokens per minute/);
  });

  it('a token-per-minute limit holds under concurrency: requests reserve their worst case up front', async () => {
    const k = await gw.createKey({ tpmLimit: 100 });
    // Slow answers, so the five really overlap. Each reserves its prompt (4: 13 characters) + max_tokens
    // 30 = 34: two fit under 100, the other three must wait (admitting while under 100 would let three in).
    ollama.setBehavior({ tokenDelayMs: 50 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        post('/api/chat', k.secret, { model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 30 }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 429 && r.body.error.code === 'token_limit_exceeded')).toHaveLength(3);
  });
});

/** The tokens a key's usage rows add up to (what it really used). */
async function tokensUsed(keyId: string): Promise<{ total: number; rows: Array<{ status: number; promptTokens: number; completionTokens: number }> }> {
  await new Promise((r) => setTimeout(r, 100));
  await gw.app.services.usage.flush();
  const rows = await prisma.usageRecord.findMany({ where: { apiKeyId: keyId } });
  return { total: rows.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0), rows };
}

describe('tokens per minute', () => {
  const huge = Array.from({ length: 20_000 }, (_, i) => `word${i % 10}`).join(' ');

  it('refuses a 20,000-word prompt on a 100 tokens/min key with a 400 naming the limit and the estimate, on every surface, before any upstream call', async () => {
    const k = await gw.createKey({ tpmLimit: 100 });
    ollama.reset();
    const model = 'qwen2.5:0.5b';
    const api = await post('/api/chat', k.secret, { model, messages: [{ role: 'user', content: huge }] });
    expect(api.status).toBe(400);
    expect(api.body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_exceeds_token_limit' });
    expect(api.body.error.message).toMatch(/limit of 100 tokens per minute/);
    expect(api.body.error.message).toMatch(/about 30000 tokens for the prompt alone/); // 119,999 characters / 4
    const v1 = await post('/v1/completions', k.secret, { model, prompt: huge, max_tokens: 5 });
    expect(v1.status).toBe(400);
    expect(v1.body.error).toMatchObject({ code: 'request_exceeds_token_limit', type: 'invalid_request_error' });
    expect(v1.body.error.message).toMatch(/30005 tokens \(a prompt of about 30000 plus max_tokens 5\)/);
    const native = await post('/ollama/api/generate', k.secret, { model, prompt: huge, stream: false });
    expect(native.status).toBe(400);
    expect(native.body.error).toMatch(/100 tokens per minute/);
    expect(ollama.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate')).toHaveLength(0);
    // And a max_tokens larger than the whole budget is refused the same way.
    const big = await post('/api/chat', k.secret, { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 500 });
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('request_exceeds_token_limit');
    const { total } = await tokensUsed(k.id);
    expect(total).toBe(0);
  });

  it('keeps concurrent requests of a 100 tokens/min key within 100 tokens in total, on every surface, while small requests pass', async () => {
    const k = await gw.createKey({ tpmLimit: 100, rpmLimit: 1000 });
    ollama.setBehavior({ tokenDelayMs: 10 });
    const model = 'qwen2.5:0.5b';
    const content = 'please answer me';
    // Without max_tokens: the /api default (1024), and none at all on /ollama and /v1.
    const bodies: Array<[string, object]> = [
      ['/api/chat', { model, messages: [{ role: 'user', content }] }],
      ['/api/chat', { model, messages: [{ role: 'user', content }], stream: true }],
      ['/v1/chat/completions', { model, messages: [{ role: 'user', content }] }],
      ['/v1/completions', { model, prompt: content, max_tokens: 10 }],
      ['/ollama/api/chat', { model, messages: [{ role: 'user', content }], stream: false }],
      ['/ollama/api/generate', { model, prompt: content }],
      ['/api/generate', { model: 'echo', prompt: huge.slice(0, 300) }],
    ];
    const results = await Promise.all(
      Array.from({ length: 28 }, (_, i) => post(bodies[i % bodies.length][0], k.secret, bodies[i % bodies.length][1]).catch(() => ({ status: 0 }))),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    const { total, rows } = await tokensUsed(k.id);
    expect(rows).toHaveLength(28);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(100);
  });

  it('caps the answer of a request without max_tokens at what is left of the budget, so a small key stays usable', async () => {
    const k = await gw.createKey({ tpmLimit: 60 });
    ollama.reset();
    ollama.setBehavior({ reply: () => Array.from({ length: 500 }, (_, i) => ` t${i}`) });
    const r = await post('/api/chat', k.secret, { model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'tell me a long story' }] });
    expect(r.status).toBe(200);
    expect(r.body.choices[0].finish_reason).toBe('length');
    // Prompt estimate 5 (5 words, 20 characters): 55 tokens may be generated.
    expect(ollama.lastRequest('/api/chat')?.body.options.num_predict).toBe(55);
    expect(r.body.usage.total_tokens).toBeLessThanOrEqual(60);
    // The budget is spent: the next request waits, and is told how long.
    const next = await post('/ollama/api/chat', k.secret, { model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'more' }], stream: false });
    expect(next.status).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const { total } = await tokensUsed(k.id);
    expect(total).toBeLessThanOrEqual(60);
  });
});
