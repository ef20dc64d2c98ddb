import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { graphql } from './gql/index.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { gqlHttp, wsClient } from './support/graphql.ts';
import { startOllamaEmulator, type OllamaEmulator, type RecordedRequest } from './support/ollama-emulator.ts';

// Two Ollama servers with two slots each; a generation takes about SERVICE_MS (5 tokens, 40 ms each).
const TOKEN_MS = 40;
const SERVICE_MS = 5 * TOKEN_MS;
let a: OllamaEmulator;
let b: OllamaEmulator;
let gw: TestGateway;

const QueuedChat = graphql(`
  subscription SchedulerQueuedChat($input: ChatInput!) {
    chat(input: $input) {
      queuePosition
      delta
      done
    }
  }
`);

const UsageByServer = graphql(`
  query SchedulerUsageByServer {
    usage {
      byServer {
        server
        totals {
          requests
        }
      }
      recent(limit: 5) {
        upstream
        queueWaitMs
      }
    }
  }
`);

const capacity = { parallel: 2, maxQueue: 64, loadDelayMs: 150 };
const behavior = { reply: () => 'a b c d e', tokenDelayMs: TOKEN_MS };

beforeAll(async () => {
  a = await startOllamaEmulator({ capacity, behavior });
  b = await startOllamaEmulator({ capacity, behavior });
  gw = await startGateway({ env: { OLLAMA_URL: `${a.url},${b.url}`, OLLAMA_PARALLEL: '2', OLLAMA_HEALTH_INTERVAL_S: '60' } });
});

afterAll(async () => {
  await gw?.stop();
  await a?.close();
  await b?.close();
});

beforeEach(async () => {
  a.reset();
  b.reset();
  await gw.app.services.upstreams.scheduler.probeAll();
});

const chat = (key: string, model: string, content: string, extra: Record<string, unknown> = {}) =>
  gw.request('/api/chat', { key, method: 'POST', json: { model, messages: [{ role: 'user', content }], stream: false, ...extra } });

/** The model loaded on both servers (and the gateway told so by a probe). */
async function warmBoth() {
  a.preload(['llama3.2:latest']);
  b.preload(['llama3.2:latest']);
  await gw.app.services.upstreams.scheduler.probeAll();
}

const chats = (r: RecordedRequest[]) => r.filter((x) => x.path === '/api/chat');
const contentOf = (r: RecordedRequest) => String(r.body?.messages?.[0]?.content ?? '');

describe('scheduler', () => {
  it('routes to the server where the model is loaded and waits for a warm slot instead of cold-loading elsewhere', async () => {
    const { secret } = await gw.createKey({ rpmLimit: 100_000 });
    b.preload(['llama3.2:latest']);
    await gw.app.services.upstreams.scheduler.probeAll();
    // Three requests for two warm slots: the third waits for B (one service time) rather than loading the model on A.
    const answers = await Promise.all([1, 2, 3].map((i) => chat(secret, 'llama3.2', `warm ${i}`)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(chats(b.requests)).toHaveLength(3);
    expect(chats(a.requests)).toHaveLength(0);
    expect(b.running().peak).toBeLessThanOrEqual(2);
  });

  it('never sends a server more requests than its slots, and spreads a burst over both servers', async () => {
    const { secret } = await gw.createKey({ rpmLimit: 100_000 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => chat(secret, 'qwen2.5:0.5b', `burst ${i}`)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(a.running().peak).toBe(2);
    expect(b.running().peak).toBe(2);
    expect(a.running().queued + b.running().queued).toBe(0);
    expect(chats(a.requests).length + chats(b.requests).length).toBe(20);
    expect(chats(a.requests).length).toBeGreaterThan(0);
    expect(chats(b.requests).length).toBeGreaterThan(0);
  });

  it('serves a light key within about one service time while another key floods the queue with 40 requests', async () => {
    const heavy = await gw.createKey({ rpmLimit: 100_000 });
    const light = await gw.createKey({ rpmLimit: 100_000 });
    await warmBoth();
    const flood = Array.from({ length: 40 }, (_, i) => chat(heavy.secret, 'llama3.2', `heavy ${i}`));
    // Wait until the flood fills every slot and queues in the gateway.
    await expect.poll(() => gw.app.services.upstreams.scheduler.queueLength(), { timeout: 5000 }).toBeGreaterThan(30);
    const started = Date.now();
    const res = await chat(light.secret, 'llama3.2', 'light one');
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    // One service time to wait for a slot, one to be served (plus slack for a loaded machine).
    expect(elapsed).toBeLessThan(3 * SERVICE_MS + 400);
    expect(Number(res.headers.get('x-queue-wait-ms'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-queue-wait-ms'))).toBeLessThan(SERVICE_MS + 300);
    expect(gw.app.services.upstreams.scheduler.queueLength()).toBeGreaterThan(20); // the flood was still waiting
    const statuses = (await Promise.all(flood)).map((r) => r.status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // The usage row records the wait and the server that answered.
    await gw.app.services.usage.flush();
    const row = await prisma.usageRecord.findFirst({ where: { apiKeyId: light.id } });
    expect(row?.queueWaitMs).toBeGreaterThan(0);
    const names = gw.app.services.upstreams.scheduler.servers().map((s) => s.name);
    expect(names).toContain(row?.upstream);
  });

  it('gives a premium key about four times the share of a standard key under contention', async () => {
    const standard = await gw.createKey({ rpmLimit: 100_000 });
    const premium = await gw.createKey({ rpmLimit: 100_000, tier: 'PREMIUM' });
    await warmBoth();
    const all = [
      ...Array.from({ length: 20 }, (_, i) => chat(standard.secret, 'llama3.2', `standard ${i}`)),
      ...Array.from({ length: 20 }, (_, i) => chat(premium.secret, 'llama3.2', `premium ${i}`)),
    ];
    await Promise.all(all);
    // The order the servers received them in, after the first four that took the free slots at once.
    const order = [...chats(a.requests), ...chats(b.requests)].sort((x, y) => x.receivedAt - y.receivedAt || x.id - y.id).map(contentOf);
    const contended = order.slice(4, 24);
    const p = contended.filter((c) => c.startsWith('premium')).length;
    const s = contended.filter((c) => c.startsWith('standard')).length;
    expect(p + s).toBe(20);
    // 4:1 would be 16 to 4.
    expect(p).toBeGreaterThanOrEqual(14);
    expect(s).toBeGreaterThanOrEqual(2);
  });

  it('holds a key to its concurrency cap: extra requests wait and all succeed', async () => {
    const capped = await gw.createKey({ rpmLimit: 100_000, maxConcurrent: 1 });
    const answers = await Promise.all([1, 2, 3, 4].map((i) => chat(capped.secret, 'llama3.2', `capped ${i}`)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const runs = [...chats(a.requests), ...chats(b.requests)].sort((x, y) => x.receivedAt - y.receivedAt);
    expect(runs).toHaveLength(4);
    // Each one starts only after the previous one finished.
    for (let i = 1; i < runs.length; i++) expect(runs[i].receivedAt).toBeGreaterThanOrEqual(runs[i - 1].finishedAt!);
  });

  it('a client that leaves while queued is removed at once: no upstream call, a 499 usage row with zero tokens', async () => {
    const hog = await gw.createKey({ rpmLimit: 100_000 });
    const waiter = await gw.createKey({ rpmLimit: 100_000 });
    await warmBoth();
    a.setBehavior({ tokenDelayMs: 200 });
    b.setBehavior({ tokenDelayMs: 200 });
    const busy = [1, 2, 3, 4].map((i) => chat(hog.secret, 'llama3.2', `hog ${i}`));
    await expect.poll(() => a.running().now + b.running().now, { timeout: 3000 }).toBe(4);
    const controller = new AbortController();
    const queued = gw.request('/api/chat', {
      key: waiter.secret,
      method: 'POST',
      json: { model: 'llama3.2', messages: [{ role: 'user', content: 'never sent' }] },
      signal: controller.signal,
    });
    await expect.poll(() => gw.app.services.upstreams.scheduler.queueLength(), { timeout: 3000 }).toBe(1);
    controller.abort();
    await expect(queued).rejects.toThrow();
    await expect.poll(() => gw.app.services.upstreams.scheduler.queueLength(), { timeout: 1000 }).toBe(0);
    await Promise.all(busy);
    expect([...chats(a.requests), ...chats(b.requests)].some((r) => contentOf(r) === 'never sent')).toBe(false);
    await gw.app.services.usage.flush();
    const row = await prisma.usageRecord.findFirst({ where: { apiKeyId: waiter.id } });
    expect(row).toMatchObject({ status: 499, promptTokens: 0, completionTokens: 0, upstream: null });
    expect(row?.queueWaitMs).toBeGreaterThan(0);
  });

  it('an SSE stream that waits gets ": queued position=N" comments, then its answer', async () => {
    const hog = await gw.createKey({ rpmLimit: 100_000 });
    const waiter = await gw.createKey({ rpmLimit: 100_000 });
    await warmBoth();
    a.setBehavior({ tokenDelayMs: 300 }); // 1.5 s per answer: the waiter sees a notice after 1 s
    b.setBehavior({ tokenDelayMs: 300 });
    const busy = [1, 2, 3, 4].map((i) => chat(hog.secret, 'llama3.2', `hog ${i}`));
    await expect.poll(() => a.running().now + b.running().now, { timeout: 3000 }).toBe(4);
    const res = await gw.request('/v1/chat/completions', {
      key: waiter.secret,
      method: 'POST',
      json: { model: 'llama3.2', messages: [{ role: 'user', content: 'waiting' }], stream: true },
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toMatch(/^: queued position=1\n\n/);
    expect(text).toContain('data: [DONE]');
    await Promise.all(busy);
  });

  it('embeddings take the same slots as generations', async () => {
    const { secret } = await gw.createKey({ rpmLimit: 100_000 });
    await warmBoth();
    a.setBehavior({ tokenDelayMs: 100 });
    b.setBehavior({ tokenDelayMs: 100 });
    const gens = [1, 2, 3, 4].map((i) => chat(secret, 'llama3.2', `gen ${i}`));
    await expect.poll(() => a.running().now + b.running().now, { timeout: 3000 }).toBe(4);
    const embed = gw.request('/v1/embeddings', { key: secret, method: 'POST', json: { model: 'nomic-embed-text', input: 'hello' } });
    await expect.poll(() => gw.app.services.upstreams.scheduler.queueLength(), { timeout: 3000 }).toBe(1);
    expect((await embed).status).toBe(200);
    await Promise.all(gens);
    expect(a.running().peak).toBeLessThanOrEqual(2);
    expect(b.running().peak).toBeLessThanOrEqual(2);
  });

  it('a GraphQL subscription that waits emits queuePosition events before the first token', async () => {
    const hog = await gw.createKey({ rpmLimit: 100_000 });
    const waiter = await gw.createKey({ rpmLimit: 100_000 });
    await warmBoth();
    a.setBehavior({ tokenDelayMs: 300 });
    b.setBehavior({ tokenDelayMs: 300 });
    const busy = [1, 2, 3, 4].map((i) => chat(hog.secret, 'llama3.2', `hog ${i}`));
    await expect.poll(() => a.running().now + b.running().now, { timeout: 3000 }).toBe(4);
    const ws = wsClient(gw, waiter.secret);
    try {
      const results = await ws.all(QueuedChat, { input: { model: 'llama3.2', messages: [{ role: 'USER', content: 'waiting' }] } });
      const events = results.map((r) => r.data!.chat);
      expect(events[0]).toMatchObject({ queuePosition: 1, delta: '', done: false });
      const firstToken = events.findIndex((e) => e.delta !== '');
      expect(firstToken).toBeGreaterThan(0);
      expect(events.slice(firstToken).every((e) => e.queuePosition === null)).toBe(true);
      expect(events.at(-1)?.done).toBe(true);
    } finally {
      await ws.dispose();
    }
    await Promise.all(busy);
  });

  it('usage reports group requests by the server that answered', async () => {
    await gw.app.services.usage.flush();
    const { body } = await gqlHttp(gw, UsageByServer);
    const groups = body.data!.usage.byServer;
    const names = gw.app.services.upstreams.scheduler.servers().map((s) => s.name);
    for (const name of names) expect(groups.find((g) => g.server === name)?.totals.requests).toBeGreaterThan(0);
    const total = await prisma.usageRecord.count();
    expect(groups.reduce((n, g) => n + g.totals.requests, 0)).toBe(total);
    expect(body.data!.usage.recent.some((r) => names.includes(r.upstream ?? ''))).toBe(true);
  });
});
