/**
 * Usage rollups against the raw rows, on real PostgreSQL through the real recorder: concurrent
 * writers, spool replays with duplicate ids, retention, and every report compared with the same
 * aggregate computed straight from UsageRecord.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../server/auth/key-store.ts';
import { createApiKey } from '../server/auth/api-keys.ts';
import { closeDatabase, openDatabase } from '../server/db/client.ts';
import { createUsageRecorder, type UsageInput } from '../server/usage/recorder.ts';
import { type Agg, planRange, UsageReport, type UsageScope, usageScopeFor } from '../server/usage/reports.ts';
import { retentionCutoff, startUsageRetention } from '../server/usage/retention.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const log = { info() {}, warn() {}, error() {} };
let db: TestDatabase;
let dir: string;
let c: pg.Client;
const keys: string[] = [];
const teams = ['team-a', 'team-b'];
const models = ['priced:7b', 'half:7b', 'free:7b'];

/** Deterministic pseudo-random numbers, so a failure can be reproduced. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeRecords(n: number, { prefix, seed, start, spanMs }: { prefix: string; seed: number; start: number; spanMs: number }): UsageInput[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const k = Math.floor(r() * keys.length);
    const roll = r();
    return {
      id: `${prefix}-${i}`,
      apiKeyId: keys[k],
      teamId: k === 0 ? null : teams[k % 2],
      model: models[Math.floor(r() * models.length)],
      surface: 'rest',
      endpoint: '/api/chat',
      status: roll < 0.85 ? 200 : roll < 0.95 ? 499 : 502,
      stream: false,
      promptTokens: Math.floor(r() * 500),
      completionTokens: Math.floor(r() * 300),
      latencyMs: Math.floor(r() * 4000),
      ttftMs: roll < 0.9 ? Math.floor(r() * 300) : null,
      upstream: r() < 0.2 ? null : `gpu-${Math.floor(r() * 2)}`,
      createdAt: new Date(start + Math.floor(r() * spanMs)),
    };
  });
}

async function recorder(name: string) {
  return createUsageRecorder({ connectionString: db.url, flushMs: 5, spoolFile: path.join(dir, `${name}.ndjson`), log });
}

/** Every rollup row equals the raw rows of its hour (and day) and dimensions, and no rollup row is extra. */
async function expectRollupsExact() {
  for (const [table, unit] of [
    ['UsageHourly', 'hour'],
    ['UsageDaily', 'day'],
  ]) {
    const { rows } = await c.query(`
      WITH raw AS (
        SELECT date_trunc('${unit}', "createdAt") AS b, "apiKeyId", "model", coalesce("upstream", '') AS up, coalesce("teamId", '') AS tm,
               count(*)::int AS requests, (count(*) FILTER (WHERE "status" >= 400))::int AS errors, sum("promptTokens")::bigint AS pt,
               sum("completionTokens")::bigint AS ct, sum("latencyMs")::bigint AS lat, count("ttftMs")::int AS tc, coalesce(sum("ttftMs"), 0)::bigint AS ts
        FROM "UsageRecord" GROUP BY 1, 2, 3, 4, 5),
      roll AS (
        SELECT "${unit}" AS b, "apiKeyId", "model", "upstream" AS up, "teamId" AS tm, "requests", "errors", "promptTokens" AS pt,
               "completionTokens" AS ct, "latencySum" AS lat, "ttftCount" AS tc, "ttftSum" AS ts
        FROM "${table}" WHERE "requests" <> 0)
      SELECT (SELECT count(*)::int FROM raw) AS groups, (SELECT count(*)::int FROM (SELECT * FROM raw EXCEPT SELECT * FROM roll) x) AS missing,
             (SELECT count(*)::int FROM (SELECT * FROM roll EXCEPT SELECT * FROM raw) y) AS extra`);
    expect({ table, ...rows[0], groups: rows[0].groups > 0 }).toEqual({ table, groups: true, missing: 0, extra: 0 });
  }
}

/** The same report computed from raw rows only (the pre-rollup queries). */
async function rawReport(scope: UsageScope, dim: 'model' | 'apiKeyId' | 'teamId' | 'upstream' | null, bucket?: 'hour' | 'day') {
  const where: string[] = ['TRUE'];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (scope.from) where.push(`r."createdAt" >= (${p(scope.from.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  if (scope.to) where.push(`r."createdAt" < (${p(scope.to.toISOString())}::timestamptz AT TIME ZONE 'UTC')`);
  if (scope.apiKeyId) where.push(`r."apiKeyId" = ${p(scope.apiKeyId)}`);
  if (scope.model) where.push(`r."model" = ${p(scope.model)}`);
  if (scope.teamId !== undefined) where.push(scope.teamId ? `r."teamId" = ${p(scope.teamId)}` : `r."teamId" IS NULL`);
  const group = [bucket ? `date_trunc('${bucket}', r."createdAt") AS g0` : null, dim ? `coalesce(r."${dim}", '') AS g1` : null].filter(Boolean) as string[];
  const { rows } = await c.query(
    `SELECT ${group.map((g) => `${g},`).join(' ')} count(*)::int AS requests, (count(*) FILTER (WHERE r."status" >= 400))::int AS errors,
            coalesce(sum(r."promptTokens"), 0)::float8 AS "promptTokens", coalesce(sum(r."completionTokens"), 0)::float8 AS "completionTokens",
            coalesce(sum(r."latencyMs"), 0)::float8 AS "latencySum", count(r."ttftMs")::int AS "ttftCount", coalesce(sum(r."ttftMs"), 0)::float8 AS "ttftSum",
            sum((r."promptTokens" * coalesce(m."promptPricePerMTok", 0) + r."completionTokens" * coalesce(m."completionPricePerMTok", 0)) / 1e6)
              FILTER (WHERE m."promptPricePerMTok" IS NOT NULL OR m."completionPricePerMTok" IS NOT NULL) AS cost
     FROM "UsageRecord" r LEFT JOIN "Model" m ON m."id" = r."model" WHERE ${where.join(' AND ')}
     ${group.length ? `GROUP BY ${group.map((_, i) => i + 1).join(', ')}` : ''}`,
    params,
  );
  return rows.map((row) => ({
    key: `${row.g0 instanceof Date ? row.g0.getTime() : (row.g0 ?? '')}|${row.g1 ?? ''}`,
    agg: { ...row, g0: undefined, g1: undefined } as Agg & { g0?: unknown; g1?: unknown },
  }));
}

const strip = (a: Agg) => {
  const { cost, ...rest } = a;
  return { rest, cost };
};

function expectSameGroups(got: Array<{ key: string; agg: Agg }>, want: Array<{ key: string; agg: Agg }>, label: string) {
  const g = new Map(got.filter((x) => x.agg.requests > 0).map((x) => [x.key, x.agg]));
  const w = new Map(want.map((x) => [x.key, x.agg]));
  expect([...g.keys()].sort(), label).toEqual([...w.keys()].sort());
  for (const [k, a] of w) {
    const b = g.get(k)!;
    const { rest: ra, cost: ca } = strip({ ...a, g0: undefined, g1: undefined } as Agg);
    const { rest: rb, cost: cb } = strip(b);
    expect({ k, ...rb }, label).toEqual({ k, ...JSON.parse(JSON.stringify(ra)) });
    if (ca === null) expect(cb, label).toBeNull();
    else expect(cb, label).toBeCloseTo(ca, 6);
  }
}

async function expectReportMatchesRaw(scope: UsageScope, label: string) {
  // Asked together (one statement with GROUPING SETS), the answers are those asked one at a time.
  const together = new UsageReport(scope);
  const batched = await Promise.all([together.totals(), together.byModel(), together.byKey(), together.byTeam(), together.byServer()]);
  const alone = [
    await new UsageReport(scope).totals(),
    await new UsageReport(scope).byModel(),
    await new UsageReport(scope).byKey(),
    await new UsageReport(scope).byTeam(),
    await new UsageReport(scope).byServer(),
  ];
  // Costs are float sums, whose last digit depends on the order of addition.
  const rounded = (v: unknown) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'cost' && typeof x === 'number' ? Math.round(x * 1e9) / 1e9 : x)));
  expect(rounded(batched), `${label} batched`).toEqual(rounded(alone));
  const report = new UsageReport(scope);
  const [totals] = await rawReport(scope, null);
  const t = await report.totals();
  expectSameGroups([{ key: '|', agg: t }], totals && totals.agg.requests > 0 ? [totals] : [], `${label} totals`);
  const byModel = (await report.byModel()).map((g) => ({ key: `|${g.model}`, agg: g.totals }));
  expectSameGroups(byModel, await rawReport(scope, 'model'), `${label} byModel`);
  const byKey = (await report.byKey()).map((g) => ({ key: `|${g.apiKeyId}`, agg: g.totals }));
  expectSameGroups(byKey, await rawReport(scope, 'apiKeyId'), `${label} byKey`);
  const byTeam = (await report.byTeam()).map((g) => ({ key: `|${g.teamId ?? ''}`, agg: g.totals }));
  expectSameGroups(byTeam, await rawReport(scope, 'teamId'), `${label} byTeam`);
  const byServer = (await report.byServer()).map((g) => ({ key: `|${g.server ?? ''}`, agg: g.totals }));
  expectSameGroups(byServer, await rawReport(scope, 'upstream'), `${label} byServer`);
  for (const interval of ['HOUR', 'DAY'] as const) {
    const bucket = interval === 'HOUR' ? 'hour' : 'day';
    const points = await report.series(interval);
    expectSameGroups(
      points.map((p) => ({ key: `${p.start.getTime()}|`, agg: p.totals })),
      await rawReport(scope, null, bucket),
      `${label} series ${interval}`,
    );
    const byModelPoints = (
      await Promise.all(points.map(async (p) => (await report.pointGroups(p, 'model')).map((g) => ({ key: `${p.start.getTime()}|${g.id}`, agg: g.totals }))))
    ).flat();
    expectSameGroups(byModelPoints, await rawReport(scope, 'model', bucket), `${label} series ${interval} byModel`);
    const byKeyPoints = (
      await Promise.all(points.map(async (p) => (await report.pointGroups(p, 'apiKeyId')).map((g) => ({ key: `${p.start.getTime()}|${g.id}`, agg: g.totals }))))
    ).flat();
    expectSameGroups(byKeyPoints, await rawReport(scope, 'apiKeyId', bucket), `${label} series ${interval} byKey`);
  }
}

const now = Date.now();
const start = Math.floor(now / DAY) * DAY - 3 * DAY; // three days and a bit, so ranges cross days

beforeAll(async () => {
  db = await createTestDatabase();
  openDatabase({ connectionString: db.url });
  c = new pg.Client({ connectionString: db.url });
  await c.connect();
  for (const name of ['k0', 'k1', 'k2', 'k3']) keys.push((await createApiKey({ name })).key.id);
  for (const id of teams) await c.query(`INSERT INTO "Team" ("id", "name", "updatedAt") VALUES ($1, $1, now())`, [id]);
  await c.query(`INSERT INTO "Model" ("id", "name", "promptPricePerMTok", "completionPricePerMTok", "updatedAt") VALUES
    ('priced:7b', 'p', 0.5, 1.5, now()), ('half:7b', 'h', NULL, 2, now()), ('free:7b', 'f', NULL, NULL, now())`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'ogw-rollups-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await c?.end();
  await closeDatabase();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('usage rollups', () => {
  it('equal the raw aggregates after concurrent writers, with the same ids sent by several of them', async () => {
    // Four recorders (four pools, as four replicas) write overlapping sets: every id is sent twice.
    const all = makeRecords(6000, { prefix: 'cw', seed: 1, start, spanMs: now - start });
    const writers = await Promise.all([0, 1, 2, 3].map((i) => recorder(`w${i}`)));
    await Promise.all(
      writers.map(async (w, i) => {
        const mine = all.filter((_, j) => j % 4 === i || j % 4 === (i + 1) % 4);
        for (let j = 0; j < mine.length; j++) {
          w.record(mine[j]);
          if (j % 200 === 0) await new Promise((r) => setImmediate(r));
        }
        await w.flush();
      }),
    );
    await Promise.all(writers.map((w) => w.close()));
    const { rows } = await c.query(
      `SELECT count(*)::int AS n, (SELECT sum("requests")::int FROM "UsageHourly") AS h, (SELECT sum("requests")::int FROM "UsageDaily") AS d FROM "UsageRecord"`,
    );
    expect(rows[0]).toEqual({ n: 6000, h: 6000, d: 6000 });
    await expectRollupsExact();
  });

  it('count a replayed spool once: records already written and repeated in the spool are not counted again', async () => {
    const batch = makeRecords(300, { prefix: 'sp', seed: 2, start, spanMs: now - start });
    const first = await recorder('spool-a');
    for (const r of batch.slice(0, 200)) first.record(r);
    await first.close();
    // A crash between the write and the spool's trimming: the spool still holds the written rows, some twice, and new ones.
    const spool = path.join(dir, 'spool-b.ndjson');
    const lines = [...batch.slice(0, 200), ...batch.slice(100, 300), ...batch.slice(250, 300)].map((r) => JSON.stringify(r));
    await writeFile(spool, `${lines.join('\n')}\n`);
    const before = await c.query(`SELECT sum("requests")::int AS n FROM "UsageHourly"`);
    const replay = await recorder('spool-b'); // replays the spool at start
    await replay.flush();
    await replay.close();
    const after = await c.query(`SELECT sum("requests")::int AS n FROM "UsageHourly"`);
    expect(after.rows[0].n - before.rows[0].n).toBe(100); // only sp-200..sp-299 are new
    const raw = await c.query(`SELECT count(*)::int AS n FROM "UsageRecord" WHERE "id" LIKE 'sp-%'`);
    expect(raw.rows[0].n).toBe(300);
    await expectRollupsExact();
  });

  it('count nothing for a rolled-back insert, and follow an update of raw rows', async () => {
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO "UsageRecord" ("id", "apiKeyId", "model", "surface", "endpoint", "status", "latencyMs", "createdAt") VALUES ('rb-1', $1, 'free:7b', 'rest', '/api/chat', 200, 5, now())`,
      [keys[0]],
    );
    await c.query('ROLLBACK');
    await c.query(`UPDATE "UsageRecord" SET "teamId" = 'team-a', "status" = 500 WHERE "id" IN ('cw-1', 'cw-2', 'cw-3')`);
    await expectRollupsExact();
  });

  it('answer every report exactly as the raw rows do, for ranges with minute precision, whole hours, whole days and none', async () => {
    const h = (n: number) => start + n * HOUR;
    const ranges: Array<[string, Partial<UsageScope>]> = [
      ['everything', {}],
      ['open start', { to: new Date(h(30) + 17 * 60_000 + 123) }],
      ['open end', { from: new Date(h(5) + 59 * 60_000) }],
      ['minutes across days', { from: new Date(h(7) + 13 * 60_000 + 7), to: new Date(h(60) + 42 * 60_000) }],
      ['within one hour', { from: new Date(h(10) + 5 * 60_000), to: new Date(h(10) + 50 * 60_000) }],
      ['across one hour boundary', { from: new Date(h(10) + 50 * 60_000), to: new Date(h(11) + 10 * 60_000) }],
      ['whole hours', { from: new Date(h(3)), to: new Date(h(20)) }],
      ['whole days', { from: new Date(start + DAY), to: new Date(start + 3 * DAY) }],
      ['day and hours', { from: new Date(start + DAY - 2 * HOUR), to: new Date(start + 2 * DAY + 3 * HOUR + 1) }],
    ];
    for (const [label, range] of ranges) {
      await expectReportMatchesRaw(range, label);
      await expectReportMatchesRaw({ ...range, apiKeyId: keys[1] }, `${label}, one key`);
      await expectReportMatchesRaw({ ...range, model: 'half:7b' }, `${label}, one model`);
      await expectReportMatchesRaw({ ...range, teamId: 'team-b' }, `${label}, one team`);
      await expectReportMatchesRaw({ ...range, teamId: '' }, `${label}, no team`);
    }
    // Costs: priced:7b at 0.5 / 1.5, half:7b completion only, free:7b none.
    const byModel = await new UsageReport({}).byModel();
    expect(byModel.find((m) => m.model === 'free:7b')!.totals.cost).toBeNull();
    const priced = byModel.find((m) => m.model === 'priced:7b')!.totals;
    expect(priced.cost).toBeCloseTo((priced.promptTokens * 0.5 + priced.completionTokens * 1.5) / 1e6, 9);
  });

  it('keep reporting the totals of raw rows that retention deleted', async () => {
    // Rows from 40 and 35 days ago, then retention at 30 days.
    const old = makeRecords(500, { prefix: 'old', seed: 3, start: now - 40 * DAY, spanMs: 9 * DAY });
    const w = await recorder('old');
    for (const r of old) w.record(r);
    await w.close();
    const scopes: UsageScope[] = [
      {},
      { from: new Date(now - 45 * DAY) },
      { from: new Date(now - 41 * DAY + 17 * 60_000), to: new Date(now - 36 * DAY + 5 * 60_000) },
    ];
    const before = await Promise.all(
      scopes.map(async (s) => [await new UsageReport(s).totals(), await new UsageReport(s).byModel(), await new UsageReport(s).series('DAY')]),
    );
    const recentBefore = await c.query(`SELECT count(*)::int AS n FROM "UsageRecord" WHERE "createdAt" >= now() AT TIME ZONE 'UTC' - interval '30 days'`);

    const retention = startUsageRetention({ days: 30, log, batch: 100, pauseMs: 1 });
    const deleted = await retention.runOnce(new Date(now));
    retention.stop();
    expect(deleted).toBe(old.length);
    const cutoff = retentionCutoff(30, new Date(now));
    const left = await c.query(`SELECT count(*)::int AS n FROM "UsageRecord" WHERE "createdAt" < $1::timestamptz AT TIME ZONE 'UTC'`, [cutoff.toISOString()]);
    expect(left.rows[0].n).toBe(0);
    const recentAfter = await c.query(`SELECT count(*)::int AS n FROM "UsageRecord" WHERE "createdAt" >= now() AT TIME ZONE 'UTC' - interval '30 days'`);
    expect(recentAfter.rows[0].n).toBe(recentBefore.rows[0].n);

    const after = await Promise.all(
      scopes.map(async (s) => [await new UsageReport(s).totals(), await new UsageReport(s).byModel(), await new UsageReport(s).series('DAY')]),
    );
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual(before[1]);
    // Minute-precise edges inside deleted hours are read whole from the hourly rollup: the whole hours stay, at most the two edge hours widen.
    const [t2before] = before[2] as [Agg];
    const [t2after] = after[2] as [Agg];
    expect(t2after.requests).toBeGreaterThanOrEqual(t2before.requests);
    const widened = await new UsageReport({
      from: new Date(Math.floor((now - 41 * DAY) / HOUR) * HOUR),
      to: new Date(Math.ceil((now - 36 * DAY + 5 * 60_000) / HOUR) * HOUR),
    }).totals();
    expect(t2after.requests).toBeLessThanOrEqual(widened.requests);
    await expect(new UsageReport({}).totals()).resolves.toMatchObject({ requests: (before[0][0] as Agg).requests });
  });
});

describe('planRange', () => {
  const at = (n: number) => n * HOUR;
  it('reads partial edge hours raw, whole hours hourly and whole days daily', () => {
    expect(planRange({ from: at(1) + 5, to: at(50) + 7, daily: true })).toEqual([
      { source: 'raw', from: at(1) + 5, to: at(2) },
      { source: 'raw', from: at(50), to: at(50) + 7 },
      { source: 'hourly', from: at(2), to: at(24) },
      { source: 'daily', from: at(24), to: at(48) },
      { source: 'hourly', from: at(48), to: at(50) },
    ]);
    expect(planRange({ from: at(1) + 5, to: at(50) + 7, daily: false })).toEqual([
      { source: 'raw', from: at(1) + 5, to: at(2) },
      { source: 'raw', from: at(50), to: at(50) + 7 },
      { source: 'hourly', from: at(2), to: at(50) },
    ]);
  });
  it('reads a range inside one hour from raw rows only, and unbounded ends from the rollups', () => {
    expect(planRange({ from: at(3) + 1, to: at(3) + 9, daily: true })).toEqual([{ source: 'raw', from: at(3) + 1, to: at(3) + 9 }]);
    expect(planRange({ from: at(3) + 1, to: at(4) + 9, daily: true })).toEqual([
      { source: 'raw', from: at(3) + 1, to: at(4) },
      { source: 'raw', from: at(4), to: at(4) + 9 },
    ]);
    expect(planRange({ daily: true })).toEqual([{ source: 'daily', from: undefined, to: undefined }]);
    expect(planRange({ to: at(30), daily: true })).toEqual([
      { source: 'daily', from: undefined, to: at(24) },
      { source: 'hourly', from: at(24), to: at(30) },
    ]);
  });
  it('reads an edge hour whose raw rows are gone whole from the hourly rollup', () => {
    expect(planRange({ from: at(1) + 5, to: at(5) + 7, daily: false, rawFrom: at(3) })).toEqual([
      { source: 'raw', from: at(5), to: at(5) + 7 },
      { source: 'hourly', from: at(1), to: at(5) },
    ]);
    expect(planRange({ from: at(1) + 5, to: at(1) + 7, daily: false, rawFrom: at(3) })).toEqual([{ source: 'hourly', from: at(1), to: at(2) }]);
  });
});

describe('usage scope', () => {
  const principal = (p: Partial<Principal>) => ({ keyId: 'me', isAdmin: false, role: 'USER', team: null, ...p }) as Principal;
  it('pins a user key to itself, a team admin to its team, and lets an admin choose', () => {
    expect(usageScopeFor(principal({}), {})).toMatchObject({ apiKeyId: 'me' });
    expect(usageScopeFor(principal({}), {}).teamId).toBeUndefined();
    expect(() => usageScopeFor(principal({}), { teamId: 'team-a' })).toThrow(/own usage/);
    const teamAdmin = principal({ role: 'TEAM_ADMIN', team: { id: 'team-a' } as Principal['team'] });
    expect(usageScopeFor(teamAdmin, {})).toMatchObject({ teamId: 'team-a', apiKeyId: undefined });
    expect(() => usageScopeFor(teamAdmin, { teamId: 'team-b' })).toThrow(/own team/);
    expect(usageScopeFor(principal({ isAdmin: true, role: 'ADMIN' }), { teamId: 'team-b' })).toMatchObject({ teamId: 'team-b', apiKeyId: undefined });
  });
});
