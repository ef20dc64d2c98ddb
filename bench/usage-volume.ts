/**
 * Usage reports at volume: seeds N usage records (default 10 million, over 30 days, 200 keys, 12 models,
 * 10 teams) into a scratch database on a PostgreSQL server, then times every report through
 * server/usage/reports.ts (the rollups) and the raw-row queries the reports ran before the rollups,
 * p50 and p99 over several runs after a warm-up. The scratch database is kept for the next run (seeding
 * 10M rows takes several minutes); --reseed starts it again.
 *
 * --wide seeds keys that use every model (many more rollup rows per hour: the hard case).
 *
 * Usage: npx tsx bench/usage-volume.ts [--rows 10000000] [--runs 20] [--raw-runs 3] [--reseed] [--wide]
 *   [--admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--database ogw_bench_usage]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { closeDatabase, openDatabase, prisma } from '../server/db/client.ts';
import { Prisma } from '../server/db/generated/client.ts';
import { applyMigrations } from '../server/db/migrate.ts';
import { UsageReport, type UsageScope } from '../server/usage/reports.ts';
import { seedUsage } from '../scripts/seed-usage.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '20' },
    'raw-runs': { type: 'string', default: '3' },
    reseed: { type: 'boolean', default: false },
    wide: { type: 'boolean', default: false },
    'admin-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/postgres' },
    database: { type: 'string', default: 'ogw_bench_usage' },
    out: { type: 'string', default: 'bench/usage-volume.md' },
  },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const RAW_RUNS = Number(values['raw-runs']);
const dbName = values.database.replace(/[^a-z0-9_]/gi, '_');
const url = new URL(values['admin-url']);
url.pathname = `/${dbName}`;
const connectionString = url.toString();

const admin = new pg.Client({ connectionString: values['admin-url'] });
await admin.connect();
const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount;
if (values.reseed && exists) await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
if (values.reseed || !exists) await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
await applyMigrations({ connectionString });

const c = new pg.Client({ connectionString });
await c.connect();
const have = Number((await c.query('SELECT count(*) AS n FROM "UsageRecord"')).rows[0].n);
if (have < ROWS) {
  console.log(`seeding ${ROWS - have} usage records into ${dbName} ...`);
  const { ms } = await seedUsage({ connectionString, rows: ROWS - have, spread: values.wide ? 'wide' : 'typical', log: (l) => console.log(`  ${l}`) });
  console.log(`seeded in ${(ms / 1000).toFixed(0)} s`);
}
const stats = (
  await c.query(`SELECT (SELECT count(*) FROM "UsageRecord")::int AS raw, (SELECT count(*) FROM "UsageHourly")::int AS hourly,
    (SELECT count(*) FROM "UsageDaily")::int AS daily, (SELECT max("createdAt") FROM "UsageRecord") AS last,
    pg_size_pretty(pg_total_relation_size('"UsageRecord"')) AS raw_size, pg_size_pretty(pg_total_relation_size('"UsageHourly"')) AS hourly_size,
    pg_size_pretty(pg_total_relation_size('"UsageDaily"')) AS daily_size, version() AS version`)
).rows[0];
const busyKey = (await c.query(`SELECT "apiKeyId" FROM "UsageDaily" GROUP BY 1 ORDER BY sum("requests") DESC LIMIT 1`)).rows[0].apiKeyId as string;
const busyTeam = (await c.query(`SELECT "teamId" FROM "UsageDaily" WHERE "teamId" <> '' GROUP BY 1 ORDER BY sum("requests") DESC LIMIT 1`)).rows[0]
  .teamId as string;
await c.end();

openDatabase({ connectionString, statementTimeoutMs: 600_000 });
// "Now" is the newest record, so the ranges cover the seeded data however old the scratch database is.
const now = new Date(stats.last).getTime() + 60_000;
const ago = (ms: number) => new Date(now - ms);
const H = 3_600_000;
const D = 24 * H;
const last24h: UsageScope = { from: ago(D), to: new Date(now) };
const last7d: UsageScope = { from: ago(7 * D), to: new Date(now) };
const last30d: UsageScope = { from: ago(30 * D), to: new Date(now) };

type Case = { name: string; run: () => Promise<unknown>; raw?: () => Promise<unknown> };

// The reports as they were before the rollups (server/usage/reports.ts before this change), for the "before" column.
const rawWhere = (s: UsageScope) => {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (s.from) parts.push(Prisma.sql`"createdAt" >= ${s.from}`);
  if (s.to) parts.push(Prisma.sql`"createdAt" < ${s.to}`);
  if (s.apiKeyId) parts.push(Prisma.sql`"apiKeyId" = ${s.apiKeyId}`);
  if (s.teamId) parts.push(Prisma.sql`"teamId" = ${s.teamId}`);
  return Prisma.join(parts, ' AND ');
};
const aggColumns = Prisma.sql`count(*)::int AS requests, (count(*) FILTER (WHERE "status" >= 400))::int AS errors,
  coalesce(sum("promptTokens"), 0)::float8 AS "promptTokens", coalesce(sum("completionTokens"), 0)::float8 AS "completionTokens",
  coalesce(sum("latencyMs"), 0)::float8 AS "latencySum", count("ttftMs")::int AS "ttftCount", coalesce(sum("ttftMs"), 0)::float8 AS "ttftSum"`;
const rawGroups = (s: UsageScope) => () => prisma.$queryRaw`SELECT "model", "apiKeyId", ${aggColumns} FROM "UsageRecord" WHERE ${rawWhere(s)} GROUP BY 1, 2`;
const rawSeries = (s: UsageScope, unit: 'hour' | 'day') => () =>
  prisma.$queryRaw`SELECT date_trunc(${unit}, "createdAt") AS bucket, "model", "apiKeyId", ${aggColumns} FROM "UsageRecord" WHERE ${rawWhere(s)} GROUP BY 1, 2, 3 ORDER BY 1`;
const rawBy = (s: UsageScope, col: string) => () =>
  prisma.$queryRaw`SELECT ${Prisma.raw(`"${col}"`)}, ${aggColumns} FROM "UsageRecord" WHERE ${rawWhere(s)} GROUP BY 1`;

/** What the console's usage page asks in one GraphQL operation (resolved in parallel, as Yoga does). */
const consolePage = async (s: UsageScope, interval: 'HOUR' | 'DAY') => {
  const r = new UsageReport(s);
  const [points] = await Promise.all([r.series(interval, { breakdowns: ['model', 'apiKeyId'] }), r.totals(), r.byModel(), r.byKey()]);
  await Promise.all(points.flatMap((p) => [r.pointGroups(p, 'model'), r.pointGroups(p, 'apiKeyId')]));
};

const cases: Case[] = [
  { name: 'totals, all time', run: () => new UsageReport({}).totals(), raw: rawGroups({}) },
  { name: 'totals, last 30 days (minute edges)', run: () => new UsageReport(last30d).totals(), raw: rawGroups(last30d) },
  { name: 'by model, last 30 days', run: () => new UsageReport(last30d).byModel(), raw: rawGroups(last30d) },
  { name: 'by key, last 30 days', run: () => new UsageReport(last30d).byKey(), raw: rawGroups(last30d) },
  { name: 'by team, last 30 days', run: () => new UsageReport(last30d).byTeam(), raw: rawBy(last30d, 'teamId') },
  { name: 'by server, last 30 days', run: () => new UsageReport(last30d).byServer(), raw: rawBy(last30d, 'upstream') },
  { name: 'hourly series, last 24 hours', run: () => new UsageReport(last24h).series('HOUR'), raw: rawSeries(last24h, 'hour') },
  { name: 'hourly series, last 7 days', run: () => new UsageReport(last7d).series('HOUR'), raw: rawSeries(last7d, 'hour') },
  { name: 'daily series, last 30 days', run: () => new UsageReport(last30d).series('DAY'), raw: rawSeries(last30d, 'day') },
  {
    name: 'one key: totals, last 30 days',
    run: () => new UsageReport({ ...last30d, apiKeyId: busyKey }).totals(),
    raw: rawGroups({ ...last30d, apiKeyId: busyKey }),
  },
  {
    name: 'one team: daily series, last 30 days',
    run: () => new UsageReport({ ...last30d, teamId: busyTeam }).series('DAY'),
    raw: rawSeries({ ...last30d, teamId: busyTeam }, 'day'),
  },
  {
    name: 'console page, last 24 hours (hourly)',
    run: () => consolePage(last24h, 'HOUR'),
    raw: () => Promise.all([rawGroups(last24h)(), rawSeries(last24h, 'hour')()]),
  },
  {
    name: 'console page, last 30 days (daily)',
    run: () => consolePage(last30d, 'DAY'),
    raw: () => Promise.all([rawGroups(last30d)(), rawSeries(last30d, 'day')()]),
  },
];

async function time(fn: () => Promise<unknown>, runs: number): Promise<{ p50: number; p99: number }> {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)];
  return { p50: at(0.5), p99: at(0.99) };
}

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const lines = [
  `Usage reports over ${stats.raw.toLocaleString('en')} usage records (${stats.raw_size}); rollups: ${stats.hourly.toLocaleString('en')} hourly rows (${stats.hourly_size}), ${stats.daily.toLocaleString('en')} daily rows (${stats.daily_size}). ${String(stats.version).split(' on ')[0]}.`,
  `Rollups: p50 / p99 of ${RUNS} runs; raw rows (the queries before the rollups): p50 / p99 of ${RAW_RUNS} runs. Milliseconds, one query at a time, after a warm-up.`,
  '',
  '| report | rollups p50 | rollups p99 | raw rows p50 | raw rows p99 |',
  '|---|---:|---:|---:|---:|',
];
for (const k of cases) {
  const after = await time(k.run, RUNS);
  const before = k.raw && RAW_RUNS > 0 ? await time(k.raw, RAW_RUNS) : undefined;
  const line = `| ${k.name} | ${f(after.p50)} | ${f(after.p99)} | ${before ? f(before.p50) : '–'} | ${before ? f(before.p99) : '–'} |`;
  console.log(line);
  lines.push(line);
}
await closeDatabase();
await writeFile(values.out, `${lines.join('\n')}\n`);
console.log(`\n${lines.slice(0, 2).join('\n')}\nwritten to ${values.out}`);
