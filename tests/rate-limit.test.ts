import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
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
    const first = await post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: 'one two three four five six' }] });
    expect(first.status).toBe(200); // 6 prompt + 6 completion = 12 tokens
    const second = await post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: 'again' }] });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('token_limit_exceeded');
  });

  it('a token-per-minute limit holds under concurrency: requests reserve their worst case up front', async () => {
    const k = await gw.createKey({ tpmLimit: 100 });
    // Slow answers, so the five really overlap. Each reserves about 4 prompt tokens + max_tokens 50
    // = 54: two fit under 100, the rest must wait (without reservations all five would pass).
    ollama.setBehavior({ tokenDelayMs: 50 });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => post('/api/chat', k.secret, { model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 50 })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 429 && r.body.error.code === 'token_limit_exceeded')).toHaveLength(3);
  });
});
