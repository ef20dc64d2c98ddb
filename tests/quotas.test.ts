/**
 * Calendar quotas through real HTTP and a real PostgreSQL: exact under 100 concurrent requests on
 * every surface, reset at the period boundary on the gateway's movable clock, team quotas and team
 * rpm over two keys, the X-Quota-* headers, GET /api/usage and `viewer { quota }` for a user key.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { gqlHttp } from './support/graphql.ts';

let gw: TestGateway;
/** The gateway's clock runs at the real pace, shifted by this much. */
let offset = 0;
const now = () => Date.now() + offset;
const setClock = (iso: string) => {
  offset = Date.parse(iso) - Date.now();
};

beforeAll(async () => {
  gw = await startGateway({ now, env: { QUEUE_MAX: '5000' } });
});
afterAll(async () => {
  await gw?.stop();
});

// Many sockets at once (not fetch's pool), so the requests really are concurrent.
const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  text: string;
}
function send(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(gw.url + path);
  const payload = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        agent,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(data);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed, text: data });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
const post = (path: string, key: string, body: unknown) => send('POST', path, key, body);

/** Four words: echo counts 4 prompt tokens (the estimate too) and answers 4 with max_tokens 4. */
const WORDS = 'a b c d';

interface SurfaceCase {
  name: string;
  path: string;
  body: unknown;
  /** The 429 body in this surface's error shape. */
  check429(r: Reply): void;
}

const openAi429 = (r: Reply) => expect(r.body.error).toMatchObject({ type: 'insufficient_quota', code: 'quota_exceeded' });
const SURFACES: SurfaceCase[] = [
  {
    name: '/api/chat',
    path: '/api/chat',
    body: { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 },
    check429: (r) => expect(r.body.error).toMatchObject({ type: 'rate_limit_error', code: 'quota_exceeded' }),
  },
  {
    name: '/api/generate',
    path: '/api/generate',
    body: { model: 'echo', prompt: WORDS, max_tokens: 4 },
    check429: (r) => expect(r.body.error).toMatchObject({ type: 'rate_limit_error', code: 'quota_exceeded' }),
  },
  {
    name: '/v1/chat/completions',
    path: '/v1/chat/completions',
    body: { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 },
    check429: openAi429,
  },
  { name: '/v1/completions', path: '/v1/completions', body: { model: 'echo', prompt: WORDS, max_tokens: 4 }, check429: openAi429 },
  { name: '/v1/embeddings', path: '/v1/embeddings', body: { model: 'echo', input: WORDS }, check429: openAi429 },
  { name: '/v1/responses', path: '/v1/responses', body: { model: 'echo', input: WORDS, max_output_tokens: 4 }, check429: openAi429 },
  {
    name: '/v1/messages',
    path: '/v1/messages',
    body: { model: 'echo', max_tokens: 4, messages: [{ role: 'user', content: WORDS }] },
    check429: (r) => expect(r.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } }),
  },
  {
    name: '/ollama/api/chat',
    path: '/ollama/api/chat',
    body: { model: 'echo', stream: false, messages: [{ role: 'user', content: WORDS }], options: { num_predict: 4 } },
    check429: (r) => expect(typeof r.body.error).toBe('string'),
  },
  {
    name: '/ollama/api/generate',
    path: '/ollama/api/generate',
    body: { model: 'echo', stream: false, prompt: WORDS, options: { num_predict: 4 } },
    check429: (r) => expect(typeof r.body.error).toBe('string'),
  },
  {
    name: '/ollama/api/embed',
    path: '/ollama/api/embed',
    body: { model: 'echo', input: WORDS },
    check429: (r) => expect(typeof r.body.error).toBe('string'),
  },
  {
    name: 'GraphQL chat',
    path: '/graphql',
    body: {
      query: 'mutation($input: ChatInput!) { chat(input: $input) { text usage { totalTokens } } }',
      variables: { input: { model: 'echo', messages: [{ role: 'USER', content: WORDS }], maxTokens: 4 } },
    },
    check429: () => {},
  },
];

/** GraphQL answers 200 with errors; the others their status. */
const outcome = (s: SurfaceCase, r: Reply) => {
  if (s.path !== '/graphql') return r.status;
  if (r.body?.errors?.length) {
    expect(r.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'quota_exceeded' });
    return 429;
  }
  return r.status;
};

async function usageRows(keyId: string) {
  await gw.app.services.usage.flush();
  return prisma.usageRecord.findMany({ where: { apiKeyId: keyId } });
}

describe('quotas under concurrency', () => {
  it.each(SURFACES)('dailyRequests 37: exactly 37 of 100 concurrent requests succeed on $name', async (s) => {
    const k = await gw.createKey({ rpmLimit: 1_000_000, dailyRequests: 37 });
    const sent = now() / 1000;
    const results = await Promise.all(Array.from({ length: 100 }, () => post(s.path, k.secret, s.body)));
    const answered = now() / 1000;
    const statuses = results.map((r) => outcome(s, r));
    expect(statuses.filter((x) => x === 200)).toHaveLength(37);
    expect(statuses.filter((x) => x === 429)).toHaveLength(63);
    const refused = results.filter((_, i) => statuses[i] === 429);
    for (const r of refused) {
      s.check429(r);
      expect(r.headers['x-quota-limit']).toBe('37');
      expect(r.headers['x-quota-remaining']).toBe('0');
      expect(Number(r.headers['x-quota-reset'])).toBeGreaterThan(now() / 1000);
      const retryAfter = Number(r.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      // Retry-After runs to the period's end: the reset minus Retry-After is when the answer was made (whole seconds).
      const madeAt = Number(r.headers['x-quota-reset']) - retryAfter;
      expect(madeAt).toBeGreaterThanOrEqual(Math.floor(sent) - 1);
      expect(madeAt).toBeLessThanOrEqual(Math.ceil(answered) + 1);
    }
    const message = s.path === '/graphql' ? refused[0].body.errors[0].message : JSON.stringify(refused[0].body);
    expect(message).toContain('daily request quota of this key (37 requests) is used up');
    // Every answer that ran carries the quota it is under; together they count down 36..0 once each.
    const ok = results.filter((_, i) => statuses[i] === 200);
    expect(ok.map((r) => Number(r.headers['x-quota-remaining'])).sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    // One usage row a request: 37 that ran, 63 refusals with 429 and no tokens.
    const rows = await usageRows(k.id);
    expect(rows).toHaveLength(100);
    expect(rows.filter((r) => r.status === 200)).toHaveLength(37);
    const refusedRows = rows.filter((r) => r.status === 429);
    expect(refusedRows).toHaveLength(63);
    for (const r of refusedRows) expect(r.promptTokens + r.completionTokens).toBe(0);
  });

  it('dailyTokens with an explicit max_tokens: exactly as many requests as fit (80 tokens, 8 each: 10 of 100)', async () => {
    const k = await gw.createKey({ rpmLimit: 1_000_000, dailyTokens: 80 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(i % 2 ? '/v1/chat/completions' : '/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(90);
    const rows = await usageRows(k.id);
    expect(rows.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0)).toBe(80);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body.error.message).toMatch(/daily token quota of this key \(80 tokens\) is used up \(this request needs about 8, 0 are left\)/);
  });

  it('without max_tokens a request is cut to what is left of the quota, and the quota is never exceeded', async () => {
    const k = await gw.createKey({ rpmLimit: 1_000_000, dailyTokens: 30 });
    const long = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '); // 20 prompt tokens, answers up to 20
    const first = await post('/v1/chat/completions', k.secret, { model: 'echo', messages: [{ role: 'user', content: long }] });
    expect(first.status).toBe(200);
    expect(first.body.choices[0].finish_reason).toBe('length');
    expect(first.body.usage.total_tokens).toBe(30);
    const second = await post('/v1/chat/completions', k.secret, { model: 'echo', messages: [{ role: 'user', content: 'hi' }] });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('quota_exceeded');
  });

  it('a request larger than the whole quota is a 400 request_exceeds_quota, not a 429', async () => {
    const k = await gw.createKey({ dailyTokens: 10 });
    const r = await post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 50 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('request_exceeds_quota');
    expect(r.body.error.message).toContain('daily token quota of this key (10 tokens)');
  });

  it('a successful answer carries X-Quota-* of the tightest quota', async () => {
    const k = await gw.createKey({ dailyTokens: 1000, dailyRequests: 4 });
    const r = await post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 });
    expect(r.status).toBe(200);
    // 3 of 4 requests left (75%) is tighter than 992 of 1000 tokens.
    expect(r.headers['x-quota-limit']).toBe('4');
    expect(r.headers['x-quota-remaining']).toBe('3');
    expect(r.headers['x-quota-metric']).toBe('key:daily_requests');
    const day = gw.app.services.quotas.periodOf('day');
    expect(Number(r.headers['x-quota-reset'])).toBe(Math.ceil(day.end / 1000));
    // Streams carry them too (set before the first event), on SSE and NDJSON surfaces alike.
    const sse = await post('/v1/chat/completions', k.secret, { model: 'echo', stream: true, messages: [{ role: 'user', content: WORDS }], max_tokens: 4 });
    expect(sse.headers['content-type']).toContain('text/event-stream');
    expect(sse.headers['x-quota-remaining']).toBe('2');
    const ndjson = await post('/ollama/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }], options: { num_predict: 4 } });
    expect(ndjson.headers['x-quota-remaining']).toBe('1');
    // A key without quotas gets no X-Quota-* headers.
    const plain = await gw.createKey();
    const p = await post('/api/chat', plain.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }] });
    expect(p.status).toBe(200);
    expect(p.headers['x-quota-limit']).toBeUndefined();
  });

  it('after a restart of the counters, a period starts from the usage table', async () => {
    const k = await gw.createKey({ rpmLimit: 1_000_000, dailyRequests: 5 });
    for (let i = 0; i < 3; i++) expect((await post('/api/generate', k.secret, { model: 'echo', prompt: WORDS })).status).toBe(200);
    await gw.app.services.usage.flush();
    // A fresh quotas service over the same database (as after a restart) sees the 3 and admits 2 more.
    const { createQuotas } = await import('../server/quotas/quotas.ts');
    const { createMemoryQuotaStore } = await import('../server/quotas/store.ts');
    const fresh = createQuotas({ store: createMemoryQuotaStore({ now }), now });
    const principal = gw.app.services.keys.authenticateSecret(k.secret);
    const usage = await fresh.usage([{ type: 'key', id: k.id, name: 'x', quotas: principal.quotas, team: null }]);
    expect(usage).toEqual([expect.objectContaining({ scope: 'key', metric: 'daily_requests', limit: 5, used: 3, remaining: 2 })]);
    await fresh.reserve({ principal, min: 1, max: 1, detail: '' });
    await fresh.reserve({ principal, min: 1, max: 1, detail: '' });
    await expect(fresh.reserve({ principal, min: 1, max: 1, detail: '' })).rejects.toMatchObject({ code: 'quota_exceeded' });
    await fresh.close();
  });
});

describe('the period boundary', () => {
  it('a daily quota resets at midnight UTC, a monthly one at the start of the month', async () => {
    setClock('2026-12-31T23:59:50Z');
    try {
      const k = await gw.createKey({ rpmLimit: 1_000_000, dailyRequests: 2, monthlyTokens: 24 });
      const chat = () => post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 });
      expect((await chat()).status).toBe(200);
      expect((await chat()).status).toBe(200);
      const refused = await chat();
      expect(refused.status).toBe(429);
      expect(refused.headers['x-quota-reset']).toBe(String(Date.parse('2027-01-01T00:00:00Z') / 1000));
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(11);
      expect(refused.body.error.message).toContain('resets at 2027-01-01T00:00:00.000Z');

      // The next day and month: both start again (16 of the 24 monthly tokens were used in December).
      setClock('2027-01-01T00:00:05Z');
      expect((await chat()).status).toBe(200);
      expect((await chat()).status).toBe(200);
      expect((await chat()).status).toBe(429); // daily requests again

      // Later in January: the requests reset, the month's tokens do not (16 used, 8 left).
      setClock('2027-01-02T12:00:00Z');
      expect((await chat()).status).toBe(200);
      const monthly = await chat();
      expect(monthly.status).toBe(429);
      expect(monthly.body.error.message).toContain('monthly token quota of this key (24 tokens)');
      expect(monthly.headers['x-quota-reset']).toBe(String(Date.parse('2027-02-01T00:00:00Z') / 1000));

      // Usage rows are dated by the same clock.
      const rows = await usageRows(k.id);
      expect(rows.filter((r) => r.createdAt < new Date('2027-01-01T00:00:00Z') && r.status === 200)).toHaveLength(2);
    } finally {
      offset = 0;
    }
  });
});

async function teamWith(data: { name: string; dailyRequests?: number; rpmLimit?: number; tpmLimit?: number; dailyTokens?: number }, keys: string[]) {
  const team = await prisma.team.create({ data });
  await prisma.apiKey.updateMany({ where: { id: { in: keys } }, data: { teamId: team.id } });
  await gw.app.services.keys.reloadTeam(team.id);
  for (const id of keys) await gw.app.services.keys.reloadKey(id);
  return team;
}

describe('teams', () => {
  it("a team's dailyRequests is shared by its keys, and a key's own quota still holds", async () => {
    const a = await gw.createKey({ rpmLimit: 1_000_000, dailyRequests: 4 });
    const b = await gw.createKey({ rpmLimit: 1_000_000 });
    await teamWith({ name: `research-${Date.now()}`, dailyRequests: 10 }, [a.id, b.id]);
    const chat = (key: string) => post('/api/chat', key, { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 });
    const fromA = await Promise.all(Array.from({ length: 10 }, () => chat(a.secret)));
    expect(fromA.filter((r) => r.status === 200)).toHaveLength(4);
    expect(fromA.find((r) => r.status === 429)!.body.error.message).toContain('of this key (');
    const fromB = await Promise.all(Array.from({ length: 10 }, () => chat(b.secret)));
    expect(fromB.filter((r) => r.status === 200)).toHaveLength(6);
    const teamRefusal = fromB.find((r) => r.status === 429)!;
    expect(teamRefusal.body.error.message).toMatch(/daily request quota of team 'research-\d+' \(10 requests\) is used up/);
    expect(teamRefusal.headers['x-quota-metric']).toBe('team:daily_requests');
    // Usage rows carry the team.
    const rows = await usageRows(b.id);
    expect(rows.every((r) => r.teamId !== null)).toBe(true);
  });

  it("a team's requests-per-minute limit holds across its keys", async () => {
    const a = await gw.createKey({ rpmLimit: 100 });
    const b = await gw.createKey({ rpmLimit: 100 });
    await teamWith({ name: `rpm-${Date.now()}`, rpmLimit: 5 }, [a.id, b.id]);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => gw.request('/api/models', { key: i % 2 ? a.secret : b.secret })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(3);
    const body = await limited[0].json();
    expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    expect(body.error.message).toMatch(/^Team 'rpm-\d+' rate limit of 5 requests per minute exceeded/);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it("a team's tokens-per-minute limit holds across its keys", async () => {
    const a = await gw.createKey({ rpmLimit: 1000 });
    const b = await gw.createKey({ rpmLimit: 1000 });
    const team = await teamWith({ name: `tpm-${Date.now()}`, tpmLimit: 40 }, [a.id, b.id]);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post('/api/chat', i % 2 ? a.secret : b.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.body.error.code).toBe('token_limit_exceeded');
    expect(limited.body.error.message).toContain(`Team '${team.name}' token limit of 40 tokens per minute`);
  });
});

describe('self-service', () => {
  it('GET /api/usage shows a user key its limits, quotas (its own and its team’s) and usage today and this month', async () => {
    const k = await gw.createKey({ name: 'alice', tpmLimit: 5000, dailyTokens: 1000, dailyRequests: 10 });
    const team = await teamWith({ name: `self-${Date.now()}`, dailyRequests: 100 }, [k.id]);
    for (let i = 0; i < 2; i++) {
      expect((await post('/api/chat', k.secret, { model: 'echo', messages: [{ role: 'user', content: WORDS }], max_tokens: 4 })).status).toBe(200);
    }
    const r = await send('GET', '/api/usage', k.secret);
    expect(r.status).toBe(200);
    expect(r.headers['x-ratelimit-limit']).toBe('60');
    const day = gw.app.services.quotas.periodOf('day');
    const resetsAt = new Date(day.end).toISOString();
    expect(r.body).toEqual({
      object: 'usage',
      key: { id: k.id, name: 'alice', role: 'user', tier: 'standard' },
      team: { id: team.id, name: team.name },
      limits: { requests_per_minute: 60, tokens_per_minute: 5000, max_concurrent: null, team_requests_per_minute: null, team_tokens_per_minute: null },
      quotas: [
        { scope: 'key', metric: 'daily_tokens', limit: 1000, used: 16, remaining: 984, period: day.id, resets_at: resetsAt, reset: day.end / 1000 },
        { scope: 'key', metric: 'daily_requests', limit: 10, used: 2, remaining: 8, period: day.id, resets_at: resetsAt, reset: day.end / 1000 },
        { scope: 'team', metric: 'daily_requests', limit: 100, used: 2, remaining: 98, period: day.id, resets_at: resetsAt, reset: day.end / 1000 },
      ],
      usage: {
        today: { since: new Date(day.start).toISOString(), requests: 2, prompt_tokens: 8, completion_tokens: 8, total_tokens: 16 },
        this_month: {
          since: new Date(gw.app.services.quotas.periodOf('month').start).toISOString(),
          requests: 2,
          prompt_tokens: 8,
          completion_tokens: 8,
          total_tokens: 16,
        },
      },
      time_zone: 'UTC',
    });
    // Another method is a 405 in the document's error shape.
    const wrong = await send('POST', '/api/usage', k.secret, {});
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('method_not_allowed');
  });

  it('viewer shows a user key its own quota settings, usage and state', async () => {
    const k = await gw.createKey({ dailyRequests: 5, monthlyTokens: 100 });
    for (let i = 0; i < 4; i++) {
      expect((await post('/api/generate', k.secret, { model: 'echo', prompt: WORDS, max_tokens: 4 })).status).toBe(200);
    }
    const r = await gqlHttp<any, any>(
      gw,
      '{ viewer { id dailyTokens monthlyTokens dailyRequests quotaState quota { scope metric limit used remaining resetsAt } } }',
      {},
      { key: k.secret },
    );
    expect(r.body.errors).toBeUndefined();
    const month = gw.app.services.quotas.periodOf('month');
    const day = gw.app.services.quotas.periodOf('day');
    expect(r.body.data.viewer).toEqual({
      id: k.id,
      dailyTokens: null,
      monthlyTokens: 100,
      dailyRequests: 5,
      quotaState: 'WARNING',
      quota: [
        { scope: 'KEY', metric: 'MONTHLY_TOKENS', limit: 100, used: 32, remaining: 68, resetsAt: new Date(month.end).toISOString() },
        { scope: 'KEY', metric: 'DAILY_REQUESTS', limit: 5, used: 4, remaining: 1, resetsAt: new Date(day.end).toISOString() },
      ],
    });
    // An admin sees it among the keys near their quota; a user key may not list them.
    const near = await gqlHttp<any, any>(gw, '{ keysNearQuota { id quotaState } }');
    expect(near.body.data.keysNearQuota).toContainEqual({ id: k.id, quotaState: 'WARNING' });
    const denied = await gqlHttp<any, any>(gw, '{ keysNearQuota { id } }', {}, { key: k.secret });
    expect(denied.body.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it("keysNearQuota shows a team admin its own team's keys only", async () => {
    const mine = await gw.createKey({ dailyRequests: 1 });
    const other = await gw.createKey({ dailyRequests: 1 });
    const lead = await gw.createKey({ role: 'TEAM_ADMIN' });
    await teamWith({ name: `near-${Date.now()}` }, [mine.id, lead.id]);
    for (const k of [mine, other]) expect((await post('/api/generate', k.secret, { model: 'echo', prompt: WORDS, max_tokens: 4 })).status).toBe(200);
    const asLead = await gqlHttp<any, any>(gw, '{ keysNearQuota { id quotaState } }', {}, { key: lead.secret });
    expect(asLead.body.data.keysNearQuota).toEqual([{ id: mine.id, quotaState: 'EXCEEDED' }]);
    const asAdmin = await gqlHttp<any, any>(gw, '{ keysNearQuota { id } }');
    expect(asAdmin.body.data.keysNearQuota).toEqual(expect.arrayContaining([{ id: mine.id }, { id: other.id }]));
  });

  it('createApiKey and updateApiKey set and clear quotas', async () => {
    const created = await gqlHttp<any, any>(
      gw,
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id dailyTokens monthlyTokens dailyRequests quota { metric limit used } } } }',
      { input: { name: 'quota key', dailyTokens: 500, dailyRequests: 20 } },
    );
    const key = created.body.data.createApiKey.apiKey;
    expect(key).toMatchObject({
      dailyTokens: 500,
      monthlyTokens: null,
      dailyRequests: 20,
      quota: [
        { metric: 'DAILY_TOKENS', limit: 500, used: 0 },
        { metric: 'DAILY_REQUESTS', limit: 20, used: 0 },
      ],
    });
    const updated = await gqlHttp<any, any>(
      gw,
      'mutation($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { dailyTokens monthlyTokens dailyRequests } }',
      { input: { id: key.id, dailyTokens: null, monthlyTokens: 9000 } },
    );
    expect(updated.body.data.updateApiKey).toEqual({ dailyTokens: null, monthlyTokens: 9000, dailyRequests: 20 });
    const bad = await gqlHttp<any, any>(gw, 'mutation($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { id } }', {
      input: { id: key.id, dailyRequests: 0 },
    });
    expect(bad.body.errors![0].message).toContain('dailyRequests must be a whole number between 1 and 2000000000');
  });
});
