import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { graphql } from './gql/index.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { gqlHttp } from './support/graphql.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { freePort } from './support/ports.ts';
import { runKeys } from './support/process.ts';

// One slot per server, two waiting requests at most, one second of queue patience, probes every second.
let a: OllamaEmulator;
let b: OllamaEmulator;
let gw: TestGateway;
let key: string;

const Upstreams = graphql(`
  query SchedulerUpstreams {
    upstreams {
      id
      name
      url
      state
      health
      slots
      inFlight
      consecutiveFailures
      version
      listedModels
      loadedModels {
        name
      }
      lastError {
        message
      }
      lastProbeAt
    }
  }
`);

const AddUpstream = graphql(`
  mutation SchedulerAddUpstream($input: AddUpstreamInput!) {
    addUpstream(input: $input) {
      id
      name
      slots
    }
  }
`);

const DrainUpstream = graphql(`
  mutation SchedulerDrainUpstream($input: DrainUpstreamInput!) {
    drainUpstream(input: $input) {
      id
      state
    }
  }
`);

const DisableUpstream = graphql(`
  mutation SchedulerDisableUpstream($input: DisableUpstreamInput!) {
    disableUpstream(input: $input) {
      id
      state
    }
  }
`);

const EnableUpstream = graphql(`
  mutation SchedulerEnableUpstream($input: EnableUpstreamInput!) {
    enableUpstream(input: $input) {
      id
      state
    }
  }
`);

const RemoveUpstream = graphql(`
  mutation SchedulerRemoveUpstream($input: RemoveUpstreamInput!) {
    removeUpstream(input: $input)
  }
`);

const KeyWeights = graphql(`
  query SchedulerKeyWeights($id: ID!) {
    apiKey(id: $id) {
      weight
      effectiveWeight
      maxConcurrent
    }
  }
`);

const capacity = { parallel: 1, maxQueue: 8 };

beforeAll(async () => {
  a = await startOllamaEmulator({ capacity, behavior: { reply: () => 'a b c d e' } });
  b = await startOllamaEmulator({ capacity, behavior: { reply: () => 'a b c d e' } });
  gw = await startGateway({
    env: { OLLAMA_URL: `${a.url},${b.url}`, OLLAMA_PARALLEL: '1', QUEUE_MAX: '2', QUEUE_TIMEOUT_S: '1', OLLAMA_HEALTH_INTERVAL_S: '1' },
  });
  key = (await gw.createKey({ rpmLimit: 100_000 })).secret;
});

afterAll(async () => {
  await gw?.stop();
  await a?.close();
  await b?.close();
});

beforeEach(async () => {
  a.reset();
  b.reset();
  a.preload(['llama3.2:latest']);
  b.preload(['llama3.2:latest']);
  await gw.app.services.upstreams.scheduler.probeAll();
});

const chat = (path = '/api/chat', extra: Record<string, unknown> = {}) =>
  gw.request(path, { key, method: 'POST', json: { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false, ...extra } });

const upstreams = async () => (await gqlHttp(gw, Upstreams)).body.data!.upstreams;
const byUrl = async (url: string) => (await upstreams()).find((u) => u.url === url)!;
/** Only `warm` has the model loaded, as the gateway sees it (its own marks of recent sends lapse after two probe intervals). */
async function onlyWarmOn(warm: OllamaEmulator, cold: OllamaEmulator) {
  cold.reset();
  await expect
    .poll(
      async () => {
        await gw.app.services.upstreams.scheduler.probeAll();
        return (await byUrl(cold.url)).loadedModels.length + ((await byUrl(warm.url)).loadedModels.length ? 0 : 1);
      },
      { timeout: 5000, interval: 250 },
    )
    .toBe(0);
}

const lastUsage = async () => {
  await gw.app.services.usage.flush();
  return prisma.usageRecord.findFirst({ orderBy: { createdAt: 'desc' } });
};

describe('scheduler limits, health and failover', () => {
  it('answers 503 queue_full with Retry-After in each surface’s error shape once QUEUE_MAX requests wait', async () => {
    a.setBehavior({ tokenDelayMs: 150 });
    b.setBehavior({ tokenDelayMs: 150 });
    const busy = [chat(), chat(), chat(), chat()];
    await expect.poll(() => gw.app.services.upstreams.scheduler.queueLength(), { timeout: 3000 }).toBe(2);
    const rest = await chat();
    expect(rest.status).toBe(503);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await rest.json()).error).toMatchObject({ code: 'queue_full' });
    const openai = await chat('/v1/chat/completions');
    expect(openai.status).toBe(503);
    expect((await openai.json()).error).toMatchObject({ code: 'queue_full' });
    const ollama = await chat('/ollama/api/chat');
    expect(ollama.status).toBe(503);
    expect(ollama.headers.get('retry-after')).not.toBeNull();
    expect(typeof (await ollama.json()).error).toBe('string');
    await Promise.all(busy);
  });

  it('answers 503 queue_timeout with Retry-After after QUEUE_TIMEOUT_S in the queue, and records it', async () => {
    a.setBehavior({ tokenDelayMs: 500 });
    b.setBehavior({ tokenDelayMs: 500 });
    const busy = [chat(), chat()];
    await expect.poll(() => a.running().now + b.running().now, { timeout: 3000 }).toBe(2);
    const started = Date.now();
    const res = await chat();
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(res.headers.get('retry-after')).not.toBeNull();
    expect((await res.json()).error).toMatchObject({ code: 'queue_timeout' });
    const row = await lastUsage();
    expect(row).toMatchObject({ status: 503, promptTokens: 0, completionTokens: 0, upstream: null });
    expect(row!.queueWaitMs).toBeGreaterThanOrEqual(950);
    await Promise.all(busy);
  });

  it('retries a failure before the first byte on another server (5xx and Ollama’s 503 "server busy")', async () => {
    await onlyWarmOn(a, b); // so A is tried first
    a.setBehavior({ fail: { status: 500, error: 'CUDA error: out of memory', times: 1 } }, { model: 'llama3.2' });
    const res = await chat();
    expect(res.status).toBe(200);
    expect(a.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
    expect(b.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
    expect((await lastUsage())?.upstream).toBe((await byUrl(b.url)).name);
    // Counted against A's health (a probe since may have reset the count, not the last error).
    expect((await byUrl(a.url)).lastError?.message).toContain('CUDA error');

    a.setBehavior({ fail: { status: 503, error: 'server busy, please try again.  maximum pending requests exceeded', times: 1 } }, { model: 'llama3.2' });
    const busy = await chat('/api/chat', { stream: true });
    expect(busy.status).toBe(200);
    expect(await busy.text()).toContain('[DONE]');
    // A full queue is not a sick server: no failure counted for it.
    expect((await byUrl(a.url)).lastError?.message).toContain('CUDA error');

    // A server that lost the model since the last sync: another one that has it answers.
    a.setBehavior({ fail: { status: 404, error: 'model "llama3.2" not found, try pulling it first', times: 1 } }, { model: 'llama3.2' });
    expect((await chat()).status).toBe(200);
    expect((await lastUsage())?.upstream).toBe((await byUrl(b.url)).name);
  });

  it('moves a request that a real Ollama queue refuses with 503 "server busy" (slots set above its OLLAMA_NUM_PARALLEL)', async () => {
    const d = await startOllamaEmulator({ capacity: { parallel: 1, maxQueue: 0 }, behavior: { reply: () => 'a b c d e', tokenDelayMs: 100 } });
    try {
      const D = (await gqlHttp(gw, AddUpstream, { input: { name: 'gpu-d', url: d.url, parallel: 2 } })).body.data!.addUpstream;
      await gw.app.services.catalogue.sync();
      const B = await byUrl(b.url);
      await gqlHttp(gw, DrainUpstream, { input: { id: B.id } });
      d.preload(['llama3.2:latest']);
      await onlyWarmOn(d, a);
      const answers = await Promise.all([chat(), chat()]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      const onD = d.requests.filter((r) => r.path === '/api/chat');
      expect(onD).toHaveLength(2);
      expect(onD.filter((r) => r.status === 503)).toHaveLength(1);
      expect(a.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
      await gqlHttp(gw, RemoveUpstream, { input: { id: D.id } });
      await gqlHttp(gw, EnableUpstream, { input: { id: B.id } });
    } finally {
      await d.close();
    }
  });

  it('never retries after the first byte: a stream that breaks ends with an error and no second server is asked', async () => {
    await onlyWarmOn(a, b);
    a.setBehavior({ errorAfterChunks: { after: 2, error: 'model crashed' } }, { model: 'llama3.2' });
    const res = await chat('/api/chat', { stream: true });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('model crashed');
    expect(b.requests.filter((r) => r.path === '/api/chat')).toHaveLength(0);
  });

  it('drains and disables servers from the admin API: no new requests for them, and enables them again', async () => {
    a.setBehavior({ tokenDelayMs: 100 });
    b.setBehavior({ tokenDelayMs: 100 });
    const running = chat(); // starts on one of the two before the drain
    await expect.poll(() => a.running().now + b.running().now, { timeout: 3000 }).toBe(1);
    const [x, y] = a.running().now === 1 ? [a, b] : [b, a];
    const X = await byUrl(x.url);
    const Y = await byUrl(y.url);
    const drained = await gqlHttp(gw, DrainUpstream, { input: { id: X.id } });
    expect(drained.body.data?.drainUpstream.state).toBe('DRAINING');
    expect((await running).status).toBe(200); // what it ran finished
    for (let i = 0; i < 3; i++) expect((await chat()).status).toBe(200);
    expect(x.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
    expect(y.requests.filter((r) => r.path === '/api/chat')).toHaveLength(3);

    await gqlHttp(gw, EnableUpstream, { input: { id: X.id } });
    const disabled = await gqlHttp(gw, DisableUpstream, { input: { id: Y.id } });
    expect(disabled.body.data?.disableUpstream.state).toBe('DISABLED');
    y.reset();
    for (let i = 0; i < 2; i++) expect((await chat()).status).toBe(200);
    expect(y.requests.filter((r) => r.path === '/api/chat')).toHaveLength(0);
    // A disabled server is not probed either.
    await gw.app.services.upstreams.scheduler.probeAll();
    expect(y.requests.filter((r) => r.path === '/api/version')).toHaveLength(0);
    await gqlHttp(gw, EnableUpstream, { input: { id: Y.id } });
    expect((await byUrl(y.url)).state).toBe('ENABLED');
  });

  it('opens the circuit of a server that is down, probes it half-open, and sends it traffic again when it comes back', async () => {
    const port = await freePort();
    let c = await startOllamaEmulator({ port, capacity, behavior: { reply: () => 'a b c d e' } });
    const added = await gqlHttp(gw, AddUpstream, { input: { name: 'gpu-c', url: c.url, parallel: 1 } });
    const C = added.body.data!.addUpstream;
    expect(C).toMatchObject({ name: 'gpu-c', slots: 1 });
    await gw.app.services.catalogue.sync();
    expect((await byUrl(c.url)).listedModels).toContain('llama3.2:latest');
    // Only C takes new requests.
    for (const u of [a, b]) await gqlHttp(gw, DrainUpstream, { input: { id: (await byUrl(u.url)).id } });
    expect((await chat()).status).toBe(200);
    expect((await lastUsage())?.upstream).toBe('gpu-c');

    await c.close();
    await expect.poll(async () => (await byUrl(c.url)).health, { timeout: 8000, interval: 200 }).toBe('DOWN');
    const down = await byUrl(c.url);
    expect(down.lastError?.message).toBeTruthy();
    expect(down.consecutiveFailures).toBeGreaterThanOrEqual(3);
    // While the circuit is open the request is not sent to a dead server: it waits for the next probe,
    // and when that fails too it gets a 503 with the last error, not a wait to the queue's timeout.
    const started = Date.now();
    const refused = await chat();
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { error } = await refused.json();
    // This gateway's QUEUE_TIMEOUT_S (1 s) can end the wait before the probe does; either way, no dead server is sent to.
    expect(['upstream_unavailable', 'queue_timeout']).toContain(error.code);
    if (error.code === 'upstream_unavailable') expect(error.message).toMatch(/No server for the model 'llama3.2:latest' is answering/);
    // Two probe intervals (1 s here) at most.
    expect(Date.now() - started).toBeLessThan(3000);

    c = await startOllamaEmulator({ port, capacity, behavior: { reply: () => 'a b c d e' } });
    await expect.poll(async () => (await byUrl(c.url)).health, { timeout: 8000, interval: 200 }).toBe('HEALTHY');
    expect((await chat()).status).toBe(200);
    expect(c.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);

    const removed = await gqlHttp(gw, RemoveUpstream, { input: { id: C.id } });
    expect(removed.body.data?.removeUpstream).toBe(C.id);
    expect((await upstreams()).map((u) => u.url)).not.toContain(c.url);
    for (const u of [a, b]) await gqlHttp(gw, EnableUpstream, { input: { id: (await byUrl(u.url)).id } });
    await c.close();
  });

  it('lists each server with its health, version, slots and models for an admin', async () => {
    const list = await upstreams();
    expect(list).toHaveLength(2);
    for (const u of list) {
      expect(u).toMatchObject({ state: 'ENABLED', health: 'HEALTHY', slots: 1, version: '0.12.6', inFlight: 0 });
      expect(u.listedModels).toEqual(expect.arrayContaining(['llama3.2:latest', 'qwen2.5:0.5b']));
      expect(u.loadedModels.map((m) => m.name)).toContain('llama3.2:latest');
    }
    const user = await gw.createKey({});
    const denied = await gqlHttp(gw, Upstreams, undefined, { key: user.secret });
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the keys CLI sets --weight and --max-concurrent, and GraphQL reports them with the tier default', async () => {
    const env = { DATABASE_URL: gw.db.url, OLLAMA_URL: a.url, LOG_LEVEL: 'silent' };
    const created = await runKeys(['create', '--name', 'batch job', '--tier', 'premium', '--weight', '2', '--max-concurrent', '3', '--json'], env);
    expect(created.code).toBe(0);
    const out = JSON.parse(created.stdout);
    expect(out).toMatchObject({ weight: 2, max_concurrent: 3 });
    const shown = await gqlHttp(gw, KeyWeights, { id: out.id });
    expect(shown.body.data?.apiKey).toEqual({ weight: 2, effectiveWeight: 2, maxConcurrent: 3 });
    const plain = await runKeys(['create', '--name', 'plain', '--tier', 'premium', '--json'], env);
    expect((await gqlHttp(gw, KeyWeights, { id: JSON.parse(plain.stdout).id })).body.data?.apiKey).toEqual({
      weight: null,
      effectiveWeight: 4,
      maxConcurrent: null,
    });
    const bad = await runKeys(['create', '--name', 'x', '--weight', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--weight must be a whole number');
  });
});
