/**
 * Usage reports: totals, breakdowns by model and by key, and an hourly or daily series over a scope
 * (time range, key, model). Every face (GraphQL, the console through it, the CLI) asks this module;
 * the scope rule (a user key sees only its own usage) lives here too.
 *
 * @example
 *   const report = new UsageReport(await usageScopeFor(principal, { from, to }));
 *   const { requests } = await report.totals();
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
}

const emptyAgg = (): Agg => ({ requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, latencySum: 0, ttftCount: 0, ttftSum: 0 });
const add = (a: Agg, b: Agg) => {
  a.requests += b.requests;
  a.errors += b.errors;
  a.promptTokens += b.promptTokens;
  a.completionTokens += b.completionTokens;
  a.latencySum += b.latencySum;
  a.ttftCount += b.ttftCount;
  a.ttftSum += b.ttftSum;
  return a;
};

export interface ModelGroup {
  model: string;
  totals: Agg;
}
export interface KeyGroup {
  apiKeyId: string;
  totals: Agg;
}

export interface Point {
  start: Date;
  totals: Agg;
  byModel: ModelGroup[];
  byKey: KeyGroup[];
}

export interface UsageScope {
  from?: Date;
  to?: Date;
  apiKeyId?: string;
  model?: string;
  /** Only requests made while the key was in this team (a team admin's view). */
  teamId?: string;
}

/** A report is its scope; each field runs the query it needs (memoised), so a totals-only query stays cheap. */
export class UsageReport {
  private groupsP?: Promise<Array<{ model: string; apiKeyId: string } & Agg>>;
  private seriesP = new Map<string, Promise<Point[]>>();
  constructor(readonly scope: UsageScope) {}

  where(): Prisma.UsageRecordWhereInput {
    const { from, to, apiKeyId, model, teamId } = this.scope;
    return { createdAt: { gte: from, lt: to }, apiKeyId, model, teamId };
  }

  private sqlWhere(): Prisma.Sql {
    const { from, to, apiKeyId, model, teamId } = this.scope;
    const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (from) parts.push(Prisma.sql`"createdAt" >= ${from}`);
    if (to) parts.push(Prisma.sql`"createdAt" < ${to}`);
    if (apiKeyId) parts.push(Prisma.sql`"apiKeyId" = ${apiKeyId}`);
    if (model) parts.push(Prisma.sql`"model" = ${model}`);
    if (teamId) parts.push(Prisma.sql`"teamId" = ${teamId}`);
    return Prisma.join(parts, ' AND ');
  }

  private static aggColumns = Prisma.sql`
    count(*)::int AS requests,
    (count(*) FILTER (WHERE "status" >= 400))::int AS errors,
    coalesce(sum("promptTokens"), 0)::float8 AS "promptTokens",
    coalesce(sum("completionTokens"), 0)::float8 AS "completionTokens",
    coalesce(sum("latencyMs"), 0)::float8 AS "latencySum",
    count("ttftMs")::int AS "ttftCount",
    coalesce(sum("ttftMs"), 0)::float8 AS "ttftSum"`;

  groups() {
    this.groupsP ??= prisma.$queryRaw<Array<{ model: string; apiKeyId: string } & Agg>>`
      SELECT "model", "apiKeyId", ${UsageReport.aggColumns} FROM "UsageRecord" WHERE ${this.sqlWhere()} GROUP BY 1, 2`;
    return this.groupsP;
  }

  async totals(): Promise<Agg> {
    return (await this.groups()).reduce((a, g) => add(a, g), emptyAgg());
  }

  async byModel(): Promise<ModelGroup[]> {
    return rollUp(await this.groups(), (g) => g.model).map(([model, totals]) => ({ model, totals }));
  }

  async byServer(): Promise<Array<{ server: string | null; totals: Agg }>> {
    const rows = await prisma.$queryRaw<Array<{ upstream: string | null } & Agg>>`
      SELECT "upstream", ${UsageReport.aggColumns} FROM "UsageRecord" WHERE ${this.sqlWhere()} GROUP BY 1`;
    return rows.map(({ upstream, ...totals }) => ({ server: upstream, totals })).sort((a, b) => b.totals.requests - a.totals.requests);
  }

  async byKey(): Promise<KeyGroup[]> {
    return rollUp(await this.groups(), (g) => g.apiKeyId).map(([apiKeyId, totals]) => ({ apiKeyId, totals }));
  }

  series(interval: 'HOUR' | 'DAY'): Promise<Point[]> {
    let p = this.seriesP.get(interval);
    if (!p) {
      p = this.loadSeries(interval);
      this.seriesP.set(interval, p);
    }
    return p;
  }

  private async loadSeries(interval: 'HOUR' | 'DAY'): Promise<Point[]> {
    const unit = interval === 'HOUR' ? 'hour' : 'day';
    const rows = await prisma.$queryRaw<Array<{ bucket: Date; model: string; apiKeyId: string } & Agg>>`
      SELECT date_trunc(${unit}, "createdAt") AS bucket, "model", "apiKeyId", ${UsageReport.aggColumns}
      FROM "UsageRecord" WHERE ${this.sqlWhere()} GROUP BY 1, 2, 3 ORDER BY 1`;
    const byBucket = new Map<number, typeof rows>();
    for (const r of rows) {
      const k = new Date(r.bucket).getTime();
      const list = byBucket.get(k) ?? [];
      list.push(r);
      byBucket.set(k, list);
    }
    const step = interval === 'HOUR' ? 3_600_000 : 86_400_000;
    const keys = [...byBucket.keys()].sort((a, b) => a - b);
    // Charts want a point per bucket, empty ones included, from the start of the range to its end.
    const first = this.scope.from ? Math.floor(this.scope.from.getTime() / step) * step : keys[0];
    const last = Math.min(this.scope.to?.getTime() ?? Date.now(), Date.now());
    const starts =
      first !== undefined && (last - first) / step <= 5000
        ? Array.from({ length: Math.max(0, Math.floor((last - 1 - first) / step) + 1) }, (_, i) => first + i * step)
        : keys;
    for (const k of keys) if (!starts.includes(k)) starts.push(k);
    starts.sort((a, b) => a - b);
    return starts.map((start) => {
      const group = byBucket.get(start) ?? [];
      return {
        start: new Date(start),
        totals: group.reduce((a, g) => add(a, g), emptyAgg()),
        byModel: rollUp(group, (g) => g.model).map(([model, totals]) => ({ model, totals })),
        byKey: rollUp(group, (g) => g.apiKeyId).map(([apiKeyId, totals]) => ({ apiKeyId, totals })),
      };
    });
  }
}

function rollUp<T extends Agg>(rows: T[], by: (r: T) => string): Array<[string, Agg]> {
  const m = new Map<string, Agg>();
  for (const r of rows) add(m.get(by(r)) ?? m.set(by(r), emptyAgg()).get(by(r))!, r);
  return [...m].sort((a, b) => b[1].requests - a[1].requests || a[0].localeCompare(b[0]));
}

export type UsageFilterInput = { from?: Date | null; to?: Date | null; apiKeyId?: string | number | null; model?: string | null } | null | undefined;

/** The scope a key may see (key-rules usageVisibility): user keys are pinned to themselves, team admins to their team. */
export async function usageScopeFor(principal: Principal, filter: UsageFilterInput): Promise<UsageScope> {
  const apiKeyId = filter?.apiKeyId != null ? String(filter.apiKeyId) : undefined;
  const sees = usageVisibility(principal);
  if ('keyId' in sees && apiKeyId !== undefined && apiKeyId !== sees.keyId) {
    throw errors.forbidden('A user key may only see its own usage; this needs an admin key');
  }
  if ('teamId' in sees && apiKeyId !== undefined) {
    const key = await prisma.apiKey.findUnique({ where: { id: apiKeyId }, select: { teamId: true } });
    if (key?.teamId !== sees.teamId) throw errors.forbidden('A team admin key may only see the usage of its own team’s keys');
  }
  if (filter?.from && filter?.to && filter.from >= filter.to) throw errors.invalidRequest('from must be before to');
  return {
    from: filter?.from ?? undefined,
    to: filter?.to ?? undefined,
    model: filter?.model ?? undefined,
    apiKeyId: 'keyId' in sees ? sees.keyId : apiKeyId,
    teamId: 'teamId' in sees ? sees.teamId : undefined,
  };
}
