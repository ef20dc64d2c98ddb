/**
 * Usage reports: totals, breakdowns by model, key, team and server, and an hourly or daily series over
 * a scope (time range, key, team, model), with cost from the per-model price list. Every face (GraphQL,
 * the console through it, the CLI) asks this module; the scope rule (a user key sees only its own
 * usage, a team admin its team's) lives here too.
 *
 * Reports read the rollups (UsageDaily, UsageHourly: kept equal to the raw rows by triggers, see the
 * usage_rollups migration) for every whole day and hour of the range, and raw UsageRecord rows only for
 * the partial hours at its edges, so a range keeps millisecond precision and a report reads at most two
 * hours of raw rows whatever the volume. Each query is one SQL statement (one snapshot), so a batch being
 * written is counted in full or not at all. An edge hour whose raw rows retention has deleted is read whole
 * from the rollup instead (beyond USAGE_RETENTION_DAYS, ranges have hour precision).
 *
 * Cost is priced at the current price list (Model.promptPricePerMTok, completionPricePerMTok): a price
 * change re-prices past usage too. A group's cost is null when none of its models has a price.
 *
 * @example
 *   const report = new UsageReport(usageScopeFor(principal, { from, to }));
 *   const { requests, cost } = await report.totals();
 */
import type { Principal } from '../auth/key-store.ts';
import { prisma } from '../db/client.ts';
import { Prisma } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { usageVisibility } from '../auth/key-rules.ts';

export interface Agg {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  latencySum: number;
  ttftCount: number;
  ttftSum: number;
  /** In the price list's currency; null when no model in the group has a price. */
  cost: number | null;
}

const emptyAgg = (): Agg => ({ requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, latencySum: 0, ttftCount: 0, ttftSum: 0, cost: null });
const aggOf = (r: Agg): Agg => ({
  requests: r.requests,
  errors: r.errors,
  promptTokens: r.promptTokens,
  completionTokens: r.completionTokens,
  latencySum: r.latencySum,
  ttftCount: r.ttftCount,
  ttftSum: r.ttftSum,
  cost: r.cost,
});

export interface ModelGroup {
  model: string;
  totals: Agg;
}
export interface KeyGroup {
  apiKeyId: string;
  totals: Agg;
}
export interface TeamGroup {
  /** null: keys without a team. */
  teamId: string | null;
  totals: Agg;
}
export interface ServerGroup {
  server: string | null;
  totals: Agg;
}

type Interval = 'HOUR' | 'DAY';

/** One bucket of a series; its breakdowns are loaded only when asked for (one query per breakdown). */
export interface Point {
  start: Date;
  totals: Agg;
  report: UsageReport;
  interval: Interval;
}

export interface UsageScope {
  from?: Date;
  to?: Date;
  apiKeyId?: string;
  /** Only this team's usage; '' (never a team id) means keys without a team. */
  teamId?: string;
  model?: string;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Where one part of a range is read from: [from, to) in epoch ms, undefined meaning unbounded. */
export interface Piece {
  source: 'raw' | 'hourly' | 'daily';
  from?: number;
  to?: number;
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

/**
 * Splits a range into the parts each table answers: raw rows for partial hours at the edges, the
 * hourly rollup for whole hours, and (unless the series is hourly) the daily rollup for whole days.
 * rawFrom is the start of the first hour that still has raw rows: an edge hour before it is read
 * whole from the hourly rollup.
 */
export function planRange({ from, to, daily, rawFrom = -Infinity }: { from?: number; to?: number; daily: boolean; rawFrom?: number }): Piece[] {
  const pieces: Piece[] = [];
  let hFrom = from === undefined ? undefined : ceilTo(from, HOUR);
  let hTo = to === undefined ? undefined : floorTo(to, HOUR);
  if (from !== undefined && from < hFrom!) {
    const end = to === undefined ? hFrom! : Math.min(hFrom!, to);
    if (floorTo(from, HOUR) < rawFrom) hFrom = floorTo(from, HOUR);
    else pieces.push({ source: 'raw', from, to: end });
  }
  if (to !== undefined && hTo! < to && (hFrom === undefined || hTo! >= hFrom)) {
    if (hTo! < rawFrom) hTo = hTo! + HOUR;
    else pieces.push({ source: 'raw', from: hTo, to });
  }
  if (hFrom !== undefined && hTo !== undefined && hFrom >= hTo) return pieces;
  if (!daily) {
    pieces.push({ source: 'hourly', from: hFrom, to: hTo });
    return pieces;
  }
  const dFrom = hFrom === undefined ? undefined : ceilTo(hFrom, DAY);
  const dTo = hTo === undefined ? undefined : floorTo(hTo, DAY);
  if (dFrom !== undefined && dTo !== undefined && dFrom >= dTo) {
    pieces.push({ source: 'hourly', from: hFrom, to: hTo });
    return pieces;
  }
  if (hFrom !== undefined && hFrom < dFrom!) pieces.push({ source: 'hourly', from: hFrom, to: dFrom });
  pieces.push({ source: 'daily', from: dFrom, to: dTo });
  if (hTo !== undefined && dTo! < hTo) pieces.push({ source: 'hourly', from: dTo, to: hTo });
  return pieces;
}

type Dim = 'model' | 'apiKeyId' | 'teamId' | 'upstream';
const DIMS: Dim[] = ['model', 'apiKeyId', 'teamId', 'upstream'];
type Batch = Array<{ dims: Dim[]; resolve: (rows: Row[]) => void; reject: (err: unknown) => void }>;
type Row = Agg & { bucket?: Date; model?: string; apiKeyId?: string; teamId?: string; upstream?: string };

const TABLES: Record<Piece['source'], { table: Prisma.Sql; time: Prisma.Sql }> = {
  raw: { table: Prisma.raw('"UsageRecord"'), time: Prisma.raw('"createdAt"') },
  hourly: { table: Prisma.raw('"UsageHourly"'), time: Prisma.raw('"hour"') },
  daily: { table: Prisma.raw('"UsageDaily"'), time: Prisma.raw('"day"') },
};

/** A report is its scope; each field runs the query it needs (memoised), so a totals-only query stays cheap. */
export class UsageReport {
  private memo = new Map<string, Promise<Row[]>>();
  private pending = new Map<string, Batch>();
  private byBucket = new Map<string, Promise<Map<number, Array<{ id: string; totals: Agg }>>>>();
  private rawFromP?: Promise<number>;
  constructor(readonly scope: UsageScope) {}

  /** The raw rows in scope, for the `recent` list. */
  where(): Prisma.UsageRecordWhereInput {
    const { from, to, apiKeyId, model, teamId } = this.scope;
    return { createdAt: { gte: from, lt: to }, apiKeyId, model, teamId: teamId === undefined ? undefined : teamId || null };
  }

  /** Start of the first hour that still has raw rows (+Infinity when none has). */
  private rawFrom(): Promise<number> {
    this.rawFromP ??= prisma.$queryRaw<Array<{ first: Date | null }>>`SELECT min("createdAt") AS first FROM "UsageRecord"`.then(([r]) =>
      r.first ? floorTo(new Date(r.first).getTime(), HOUR) : Number.POSITIVE_INFINITY,
    );
    return this.rawFromP;
  }

  private filters(source: Piece['source']): Prisma.Sql[] {
    const { apiKeyId, model, teamId } = this.scope;
    const parts: Prisma.Sql[] = [];
    if (apiKeyId !== undefined) parts.push(Prisma.sql`"apiKeyId" = ${apiKeyId}`);
    if (model !== undefined) parts.push(Prisma.sql`"model" = ${model}`);
    if (teamId !== undefined) parts.push(source === 'raw' && !teamId ? Prisma.sql`"teamId" IS NULL` : Prisma.sql`"teamId" = ${teamId}`);
    return parts;
  }

  /** One SELECT per piece, every one yielding (bucket?, dims..., model, sums), all UNION ALL'd. */
  private pieceSql(p: Piece, dims: Dim[], bucket: 'hour' | 'day' | undefined): Prisma.Sql {
    const isRaw = p.source === 'raw';
    const { table, time } = TABLES[p.source];
    const where = this.filters(p.source);
    if (p.from !== undefined) where.push(Prisma.sql`${time} >= ${new Date(p.from)}`);
    if (p.to !== undefined) where.push(Prisma.sql`${time} < ${new Date(p.to)}`);
    const cols: Prisma.Sql[] = [];
    if (bucket) cols.push(Prisma.sql`date_trunc(${bucket}, ${time}) AS bucket`);
    for (const d of dims) {
      if (d === 'model') continue;
      cols.push(isRaw && (d === 'teamId' || d === 'upstream') ? Prisma.raw(`coalesce("${d}", '') AS "${d}"`) : Prisma.raw(`"${d}"`));
    }
    cols.push(Prisma.raw('"model"'));
    const sums = isRaw
      ? Prisma.raw(`1::float8 AS requests, ("status" >= 400)::int::float8 AS errors, "promptTokens"::float8 AS pt, "completionTokens"::float8 AS ct,
          "latencyMs"::float8 AS lat, ("ttftMs" IS NOT NULL)::int::float8 AS tc, coalesce("ttftMs", 0)::float8 AS ts`)
      : Prisma.raw(`"requests"::float8 AS requests, "errors"::float8 AS errors, "promptTokens"::float8 AS pt, "completionTokens"::float8 AS ct, "latencySum"::float8 AS lat,
          "ttftCount"::float8 AS tc, "ttftSum"::float8 AS ts`);
    return Prisma.sql`SELECT ${Prisma.join(cols, ', ')}, ${sums} FROM ${table} WHERE ${where.length ? Prisma.join(where, ' AND ') : Prisma.sql`TRUE`}`;
  }

  /**
   * Sums over the scope grouped by dims (and bucket), with cost at the current prices. Memoised, and
   * batched: the groupings a GraphQL operation asks for in the same tick (totals, byModel, byKey, ...)
   * run as one statement with GROUPING SETS, one pass over the rows for all of them.
   */
  private aggregate(dims: Dim[], bucket?: 'hour' | 'day'): Promise<Row[]> {
    const key = `${bucket ?? ''}:${dims.join(',')}`;
    let p = this.memo.get(key);
    if (!p) {
      const b = bucket ?? '';
      let batch = this.pending.get(b);
      if (!batch) {
        const fresh: Batch = [];
        this.pending.set(b, fresh);
        setImmediate(() => {
          this.pending.delete(b);
          this.runBatch(fresh, bucket).catch((err) => {
            for (const w of fresh) w.reject(err);
          });
        });
        batch = fresh;
      }
      const target = batch;
      p = new Promise<Row[]>((resolve, reject) => target.push({ dims, resolve, reject }));
      this.memo.set(key, p);
    }
    return p;
  }

  private async runBatch(batch: Batch, bucket?: 'hour' | 'day'): Promise<void> {
    const range = { from: this.scope.from?.getTime(), to: this.scope.to?.getTime(), daily: bucket !== 'hour' };
    let pieces = planRange(range);
    if (pieces.some((p) => p.source === 'raw')) pieces = planRange({ ...range, rawFrom: await this.rawFrom() });
    const all = DIMS.filter((d) => batch.some((w) => w.dims.includes(d)));
    const col = (d: Dim) => Prisma.raw(`u."${d}"`);
    const setOf = (dims: Dim[]) => [...(bucket ? [Prisma.raw('u.bucket')] : []), ...all.filter((d) => dims.includes(d)).map(col)];
    const union = Prisma.join(
      pieces.map((p) => this.pieceSql(p, all, bucket)),
      ' UNION ALL ',
    );
    const sets = batch.map((w) => setOf(w.dims));
    let groupBy: Prisma.Sql = Prisma.empty;
    if (batch.length > 1)
      groupBy = Prisma.sql`GROUP BY GROUPING SETS (${Prisma.join(
        sets.map((s) => Prisma.sql`(${s.length ? Prisma.join(s, ', ') : Prisma.empty})`),
        ', ',
      )})`;
    else if (sets[0].length) groupBy = Prisma.sql`GROUP BY ${Prisma.join(sets[0], ', ')}`;
    // Which grouping set a row belongs to: GROUPING() sets a bit for each dimension left out of it.
    const gid = batch.length > 1 && all.length ? Prisma.sql`GROUPING(${Prisma.join(all.map(col), ', ')}) AS gid,` : Prisma.empty;
    const selected = [...(bucket ? [Prisma.raw('u.bucket')] : []), ...all.map(col)];
    // Each row is priced by its model (a hash join on the small Model table), then summed per group.
    const rows = await prisma.$queryRaw<Array<Row & { gid?: number }>>`
      SELECT ${selected.length ? Prisma.sql`${Prisma.join(selected, ', ')},` : Prisma.empty} ${gid}
        sum(u.requests) AS requests, sum(u.errors) AS errors,
        sum(u.pt) AS "promptTokens", sum(u.ct) AS "completionTokens", sum(u.lat) AS "latencySum",
        sum(u.tc) AS "ttftCount", sum(u.ts) AS "ttftSum",
        sum((u.pt * coalesce(m."promptPricePerMTok", 0) + u.ct * coalesce(m."completionPricePerMTok", 0)) / 1e6)
          FILTER (WHERE m."promptPricePerMTok" IS NOT NULL OR m."completionPricePerMTok" IS NOT NULL) AS cost
      FROM (${union}) u
      LEFT JOIN "Model" m ON m."id" = u."model"
      ${groupBy}
      HAVING sum(u.requests) <> 0`;
    const mask = (dims: Dim[]) => all.reduce((m, d, i) => (dims.includes(d) ? m : m | (1 << (all.length - 1 - i))), 0);
    for (const w of batch) {
      const want = mask(w.dims);
      w.resolve(
        rows
          .filter((r) => batch.length === 1 || Number(r.gid ?? 0) === want)
          .map((r) => ({ ...r, requests: Number(r.requests), errors: Number(r.errors), ttftCount: Number(r.ttftCount) })),
      );
    }
  }

  async totals(): Promise<Agg> {
    const [row] = await this.aggregate([]);
    return row ? aggOf(row) : emptyAgg();
  }

  async byModel(): Promise<ModelGroup[]> {
    return sorted((await this.aggregate(['model'])).map((r) => ({ id: r.model!, model: r.model!, totals: aggOf(r) })));
  }

  async byKey(): Promise<KeyGroup[]> {
    return sorted((await this.aggregate(['apiKeyId'])).map((r) => ({ id: r.apiKeyId!, apiKeyId: r.apiKeyId!, totals: aggOf(r) })));
  }

  async byTeam(): Promise<TeamGroup[]> {
    return sorted((await this.aggregate(['teamId'])).map((r) => ({ id: r.teamId!, teamId: r.teamId || null, totals: aggOf(r) })));
  }

  async byServer(): Promise<ServerGroup[]> {
    return sorted((await this.aggregate(['upstream'])).map((r) => ({ id: r.upstream!, server: r.upstream || null, totals: aggOf(r) })));
  }

  /** A point per hour or day, oldest first, empty buckets included from the start of the range to its end. */
  async series(interval: Interval, { breakdowns = [] }: { breakdowns?: Array<'model' | 'apiKeyId' | 'teamId'> } = {}): Promise<Point[]> {
    const bucket = interval === 'HOUR' ? 'hour' : 'day';
    const totals = this.aggregate([], bucket);
    // The breakdowns the points will ask for join the same statement (their errors surface there).
    for (const d of breakdowns) this.aggregate([d], bucket).catch(() => {});
    const rows = await totals;
    const byBucket = new Map(rows.map((r) => [new Date(r.bucket!).getTime(), aggOf(r)]));
    const step = interval === 'HOUR' ? HOUR : DAY;
    const keys = [...byBucket.keys()].sort((a, b) => a - b);
    const first = this.scope.from ? floorTo(this.scope.from.getTime(), step) : keys[0];
    const last = Math.min(this.scope.to?.getTime() ?? Date.now(), Date.now());
    const starts =
      first !== undefined && (last - first) / step <= 5000
        ? Array.from({ length: Math.max(0, Math.floor((last - 1 - first) / step) + 1) }, (_, i) => first + i * step)
        : keys;
    const all = new Set(starts);
    for (const k of keys) all.add(k);
    return [...all].sort((a, b) => a - b).map((start) => ({ start: new Date(start), totals: byBucket.get(start) ?? emptyAgg(), report: this, interval }));
  }

  /** One bucket's breakdown by a dimension (the whole series' breakdown is one query, memoised). */
  async pointGroups(point: Point, dim: 'model' | 'apiKeyId' | 'teamId'): Promise<Array<{ id: string; totals: Agg }>> {
    const key = `${point.interval}:${dim}`;
    let p = this.byBucket.get(key);
    if (!p) {
      p = this.aggregate([dim], point.interval === 'HOUR' ? 'hour' : 'day').then((rows) => {
        const m = new Map<number, Array<{ id: string; totals: Agg }>>();
        for (const r of rows) {
          const at = new Date(r.bucket!).getTime();
          const list = m.get(at) ?? m.set(at, []).get(at)!;
          list.push({ id: r[dim]!, totals: aggOf(r) });
        }
        for (const list of m.values()) sorted(list);
        return m;
      });
      this.byBucket.set(key, p);
    }
    return (await p).get(point.start.getTime()) ?? [];
  }
}

/** Busiest first, then by id. */
function sorted<T extends { id: string; totals: Agg }>(groups: T[]): T[] {
  return groups.sort((a, b) => b.totals.requests - a.totals.requests || a.id.localeCompare(b.id));
}

export type UsageFilterInput =
  | { from?: Date | null; to?: Date | null; apiKeyId?: string | number | null; teamId?: string | number | null; model?: string | null }
  | null
  | undefined;

/** The scope a key may see (key-rules usageVisibility): user keys are pinned to themselves, team admins to their team. */
export function usageScopeFor(principal: Principal, filter: UsageFilterInput): UsageScope {
  const apiKeyId = filter?.apiKeyId != null ? String(filter.apiKeyId) : undefined;
  const teamId = filter?.teamId != null ? String(filter.teamId) : undefined;
  if (filter?.from && filter?.to && filter.from >= filter.to) throw errors.invalidRequest('from must be before to');
  const base = { from: filter?.from ?? undefined, to: filter?.to ?? undefined, model: filter?.model ?? undefined };
  const sees = usageVisibility(principal);
  if (sees.all) return { ...base, apiKeyId, teamId };
  if ('teamId' in sees) {
    if (teamId !== undefined && teamId !== sees.teamId) throw errors.forbidden('A team admin key may only see its own team’s usage');
    // Any key id is narrowed to the team's usage; checkedUsageScope also refuses another team's key.
    return { ...base, apiKeyId, teamId: sees.teamId };
  }
  if (apiKeyId !== undefined && apiKeyId !== sees.keyId) throw errors.forbidden('A user key may only see its own usage; this needs an admin key');
  if (teamId !== undefined) throw errors.forbidden('A user key may only see its own usage; this needs an admin key');
  return { ...base, apiKeyId: sees.keyId };
}

/** usageScopeFor, and a team admin that names a key gets a 403 unless the key is in its team. */
export async function checkedUsageScope(principal: Principal, filter: UsageFilterInput): Promise<UsageScope> {
  const scope = usageScopeFor(principal, filter);
  const sees = usageVisibility(principal);
  if ('teamId' in sees && scope.apiKeyId !== undefined) {
    const key = await prisma.apiKey.findUnique({ where: { id: scope.apiKeyId }, select: { teamId: true } });
    if (key?.teamId !== sees.teamId) throw errors.forbidden('A team admin key may only see the usage of its own team’s keys');
  }
  return scope;
}
