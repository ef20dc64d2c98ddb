/**
 * The price list through GraphQL on a real gateway: admins set per-model prices (audited), reports
 * show cost per model, key and team and in total, in PRICE_CURRENCY, and nothing for unpriced models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { codeOf, gqlHttp } from './support/graphql.ts';

let gw: TestGateway;
let user: { id: string; secret: string };

const SET_PRICE = `mutation($input: UpdateModelInput!) { updateModel(input: $input) { id promptPricePerMTok completionPricePerMTok } }`;
const REPORT = `query($filter: UsageFilter) { usage(filter: $filter) {
  currency
  totals { requests promptTokens completionTokens cost }
  byModel { model totals { promptTokens completionTokens cost } }
  byKey { apiKeyId totals { cost } }
  byTeam { teamId name totals { requests cost } }
  series(interval: DAY) { totals { cost } byTeam { teamId totals { cost } } }
} }`;

type Totals = { requests: number; promptTokens: number; completionTokens: number; cost: number | null };
type Report = {
  usage: {
    currency: string;
    totals: Totals;
    byModel: Array<{ model: string; totals: Totals }>;
    byKey: Array<{ apiKeyId: string; totals: Totals }>;
    byTeam: Array<{ teamId: string | null; name: string | null; totals: Totals }>;
    series: Array<{ totals: Totals; byTeam: Array<{ teamId: string | null; totals: Totals }> }>;
  };
};

beforeAll(async () => {
  gw = await startGateway({ env: { PRICE_CURRENCY: 'EUR' } });
  user = await gw.createKey({ name: 'priced user' });
  for (let i = 0; i < 3; i++) {
    const res = await gw.request('/api/chat', {
      method: 'POST',
      key: user.secret,
      json: { model: 'echo', messages: [{ role: 'user', content: `hello number ${i}` }] },
    });
    expect(res.status).toBe(200);
    await gw.usageRecord(res.headers.get('x-request-id')!);
  }
}, 60_000);
afterAll(async () => {
  await gw?.stop();
});

describe('price list', () => {
  it('reports no cost while no model has a price', async () => {
    const r = await gqlHttp<Report, unknown>(gw, REPORT);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.usage.currency).toBe('EUR');
    expect(r.body.data!.usage.totals.requests).toBe(3);
    expect(r.body.data!.usage.totals.cost).toBeNull();
  });

  it('lets an admin set, and clear, the prices of a model, and audits each change', async () => {
    const set = await gqlHttp(gw, SET_PRICE, { input: { id: 'echo', promptPricePerMTok: 2.5, completionPricePerMTok: 10 } });
    expect(set.body).toEqual({ data: { updateModel: { id: 'echo', promptPricePerMTok: 2.5, completionPricePerMTok: 10 } } });
    const [entry] = await prisma.auditEntry.findMany({ where: { action: 'model.update', targetId: 'echo' }, orderBy: { createdAt: 'desc' } });
    expect(entry.before).toEqual({ promptPricePerMTok: null, completionPricePerMTok: null });
    expect(entry.after).toEqual({ promptPricePerMTok: 2.5, completionPricePerMTok: 10 });
  });

  it('refuses a price from a user key, and a negative price, naming it', async () => {
    const forbidden = await gqlHttp(gw, SET_PRICE, { input: { id: 'echo', promptPricePerMTok: 0 } }, { key: user.secret });
    expect(codeOf(forbidden.body)).toBe('FORBIDDEN');
    const negative = await gqlHttp(gw, SET_PRICE, { input: { id: 'echo', completionPricePerMTok: -1 } });
    expect(codeOf(negative.body)).toBe('BAD_USER_INPUT');
    expect(negative.body.errors![0].message).toContain('completionPricePerMTok');
    expect((await prisma.model.findUnique({ where: { id: 'echo' } }))!.completionPricePerMTok).toBe(10);
  });

  it('shows cost per model, key and team and in total, at the current prices', async () => {
    const r = await gqlHttp<Report, unknown>(gw, REPORT);
    const u = r.body.data!.usage;
    const echo = u.byModel.find((m) => m.model === 'echo')!.totals;
    const want = (echo.promptTokens * 2.5 + echo.completionTokens * 10) / 1e6;
    expect(want).toBeGreaterThan(0);
    expect(echo.cost).toBeCloseTo(want, 12);
    expect(u.totals.cost).toBeCloseTo(want, 12);
    expect(u.byKey.find((k) => k.apiKeyId === user.id)!.totals.cost).toBeCloseTo(want, 12);
    // The key has no team: its usage is the "no team" group.
    expect(u.byTeam).toEqual([{ teamId: null, name: null, totals: { requests: 3, cost: expect.closeTo(want, 12) } }]);
    expect(u.series.reduce((n, p) => n + (p.totals.cost ?? 0), 0)).toBeCloseTo(want, 12);
    // A user key sees the cost of its own usage only.
    const own = await gqlHttp<Report, unknown>(gw, REPORT, undefined, { key: user.secret });
    expect(own.body.data!.usage.totals.cost).toBeCloseTo(want, 12);
  });

  it('goes back to no cost when the prices are cleared', async () => {
    await gqlHttp(gw, SET_PRICE, { input: { id: 'echo', promptPricePerMTok: null, completionPricePerMTok: null } });
    const r = await gqlHttp<Report, unknown>(gw, REPORT);
    expect(r.body.data!.usage.totals.cost).toBeNull();
  });
});
