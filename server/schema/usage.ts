/**
 * Usage: records, reports (totals, breakdowns by model and by key, a time series) and the live
 * usage feed. A user key only ever sees its own usage; an admin sees all of it.
 */
import { prisma } from '../db/client.ts';
import { Prisma, type UsageRecord as UsageRow } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { feed, unlessEnded } from '../realtime/feed.ts';
import type { UsageInput } from '../usage/recorder.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { ApiKey } from './keys.ts';

export const UsageRecord = builder.prismaObject('UsageRecord', {
  description: 'One request that reached a model, successful or not.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The request id.' }),
    apiKeyId: t.exposeID('apiKeyId', { description: 'The key that made the request.' }),
    apiKey: t.field({
      type: ApiKey,
      nullable: true,
      description: 'The key that made the request.',
      // Not a relation load: usageEvents carries records before they are written.
      resolve: (r) => prisma.apiKey.findUnique({ where: { id: r.apiKeyId } }),
    }),
    model: t.exposeString('model', { description: 'The model id.' }),
    surface: t.exposeString('surface', { description: 'Which API served it: "rest", "openai", "ollama" or "graphql".' }),
    endpoint: t.exposeString('endpoint', { description: 'The endpoint or operation, e.g. "/api/chat" or "Subscription.chat".' }),
    status: t.exposeInt('status', { description: 'HTTP-style outcome: 200 ok, 499 cancelled by the client, 5xx upstream failure.' }),
    error: t.exposeString('error', { nullable: true, description: 'What went wrong, when something did.' }),
    stream: t.exposeBoolean('stream', { description: 'Whether the answer was streamed.' }),
    promptTokens: t.exposeInt('promptTokens', { description: 'Tokens in the prompt, as the model counted them.' }),
    completionTokens: t.exposeInt('completionTokens', { description: 'Tokens generated.' }),
    totalTokens: t.int({ description: 'promptTokens + completionTokens.', resolve: (r) => r.promptTokens + r.completionTokens }),
    latencyMs: t.exposeInt('latencyMs', { description: 'Time from start to the last token, in milliseconds.' }),
    ttftMs: t.exposeInt('ttftMs', { nullable: true, description: 'Time to the first token, in milliseconds; null when none came.' }),
    queueWaitMs: t.exposeInt('queueWaitMs', { nullable: true, description: 'Time spent waiting in the gateway’s queue for a slot, in milliseconds.' }),
    upstream: t.exposeString('upstream', { nullable: true, description: 'Name of the server that answered; null for built-in models or when none did.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the request started.' }),
  }),
});

interface Agg {
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

export const UsageTotals = builder.objectRef<Agg>('UsageTotals').implement({
  description: 'Counts and averages over a set of requests.',
  fields: (t) => ({
    requests: t.exposeInt('requests', { description: 'How many requests.' }),
    errors: t.exposeInt('errors', { description: 'How many ended with a status of 400 or more (cancelled ones included).' }),
    promptTokens: t.float({ description: 'Prompt tokens, summed. (Float: sums can pass 2^31.)', resolve: (a) => a.promptTokens }),
    completionTokens: t.float({ description: 'Completion tokens, summed.', resolve: (a) => a.completionTokens }),
    totalTokens: t.float({ description: 'Prompt plus completion tokens.', resolve: (a) => a.promptTokens + a.completionTokens }),
    avgLatencyMs: t.float({ nullable: true, description: 'Mean latency in milliseconds; null with no requests.', resolve: (a) => (a.requests ? a.latencySum / a.requests : null) }),
    avgTtftMs: t.float({
      nullable: true,
      description: 'Mean time to first token in milliseconds, over requests that produced one; null when none did.',
      resolve: (a) => (a.ttftCount ? a.ttftSum / a.ttftCount : null),
    }),
  }),
});

interface ModelGroup {
  model: string;
  totals: Agg;
}
interface KeyGroup {
  apiKeyId: string;
  totals: Agg;
}

const ModelUsage = builder.objectRef<ModelGroup>('ModelUsage').implement({
  description: 'Usage of one model.',
  fields: (t) => ({
    model: t.exposeString('model', { description: 'The model id.' }),
    totals: t.field({ type: UsageTotals, description: 'Its counts and averages.', resolve: (g) => g.totals }),
  }),
});

/** Usage of one upstream server (null: built-in models, or requests no server answered). */
const ServerUsage = builder.objectRef<{ server: string | null; totals: Agg }>('ServerUsage').implement({
  description: 'Usage of one upstream server.',
  fields: (t) => ({
    server: t.string({ nullable: true, description: 'The server’s name; null for built-in models and requests no server answered.', resolve: (g) => g.server }),
    totals: t.field({ type: UsageTotals, description: 'Its counts and averages.', resolve: (g) => g.totals }),
  }),
});

const KeyUsage = builder.objectRef<KeyGroup>('KeyUsage').implement({
  description: 'Usage by one API key.',
  fields: (t) => ({
    apiKeyId: t.exposeID('apiKeyId', { description: 'The key id.' }),
    apiKey: t.field({ type: ApiKey, nullable: true, description: 'The key.', resolve: (g) => prisma.apiKey.findUnique({ where: { id: g.apiKeyId } }) }),
    totals: t.field({ type: UsageTotals, description: 'Its counts and averages.', resolve: (g) => g.totals }),
  }),
});

interface Point {
  start: Date;
  totals: Agg;
  byModel: ModelGroup[];
  byKey: KeyGroup[];
}

const UsagePoint = builder.objectRef<Point>('UsagePoint').implement({
  description: 'Usage in one hour or one day (UTC), for charts.',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'Start of the bucket (UTC).' }),
    totals: t.field({ type: UsageTotals, description: 'All requests in the bucket.', resolve: (p) => p.totals }),
    byModel: t.field({ type: [ModelUsage], description: 'The bucket broken down by model, busiest first.', resolve: (p) => p.byModel }),
    byKey: t.field({ type: [KeyUsage], description: 'The bucket broken down by key, busiest first.', resolve: (p) => p.byKey }),
  }),
});

export const UsageInterval = builder.enumType('UsageInterval', {
  description: 'The size of a time-series bucket (UTC).',
  values: { HOUR: { description: 'One bucket per hour.' }, DAY: { description: 'One bucket per day.' } } as const,
});

export const UsageFilter = builder.inputType('UsageFilter', {
  description: 'Which requests a report covers; every field is optional and they combine with AND.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Requests that started at or after this time.' }),
    to: t.field({ type: 'DateTime', description: 'Requests that started before this time.' }),
    apiKeyId: t.id({ description: 'Only this key’s requests (a user key may only give its own).' }),
    model: t.string({ description: 'Only requests for this model.' }),
  }),
});

interface Scope {
  from?: Date;
  to?: Date;
  apiKeyId?: string;
  model?: string;
}

/** A report is its scope; each field runs the query it needs (memoised), so a totals-only query stays cheap. */
class Report {
  private groupsP?: Promise<Array<{ model: string; apiKeyId: string } & Agg>>;
  private seriesP = new Map<string, Promise<Point[]>>();
  constructor(readonly scope: Scope) {}

  where(): Prisma.UsageRecordWhereInput {
    const { from, to, apiKeyId, model } = this.scope;
    return { createdAt: { gte: from, lt: to }, apiKeyId, model };
  }

  private sqlWhere(): Prisma.Sql {
    const { from, to, apiKeyId, model } = this.scope;
    const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (from) parts.push(Prisma.sql`"createdAt" >= ${from}`);
    if (to) parts.push(Prisma.sql`"createdAt" < ${to}`);
    if (apiKeyId) parts.push(Prisma.sql`"apiKeyId" = ${apiKeyId}`);
    if (model) parts.push(Prisma.sql`"model" = ${model}`);
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
      SELECT "model", "apiKeyId", ${Report.aggColumns} FROM "UsageRecord" WHERE ${this.sqlWhere()} GROUP BY 1, 2`;
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
      SELECT "upstream", ${Report.aggColumns} FROM "UsageRecord" WHERE ${this.sqlWhere()} GROUP BY 1`;
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
      SELECT date_trunc(${unit}, "createdAt") AS bucket, "model", "apiKeyId", ${Report.aggColumns}
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

const UsageReport = builder.objectRef<Report>('UsageReport').implement({
  description: 'Usage over a filter: totals, breakdowns by model and by key, a time series and the latest records.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', nullable: true, description: 'The start of the range, as filtered.', resolve: (r) => r.scope.from ?? null }),
    to: t.field({ type: 'DateTime', nullable: true, description: 'The end of the range, as filtered.', resolve: (r) => r.scope.to ?? null }),
    totals: t.field({ type: UsageTotals, description: 'All matching requests.', resolve: (r) => r.totals() }),
    byModel: t.field({ type: [ModelUsage], description: 'Broken down by model, busiest first.', resolve: (r) => r.byModel() }),
    byKey: t.field({ type: [KeyUsage], description: 'Broken down by key, busiest first.', resolve: (r) => r.byKey() }),
    byServer: t.field({ type: [ServerUsage], description: 'Broken down by the upstream server that answered, busiest first.', resolve: (r) => r.byServer() }),
    series: t.field({
      type: [UsagePoint],
      description: 'A point per hour or day (UTC), oldest first, empty buckets included, each broken down by model and by key.',
      args: { interval: t.arg({ type: UsageInterval, defaultValue: 'HOUR', description: 'Bucket size.' }) },
      resolve: (r, { interval }) => r.series(interval ?? 'HOUR'),
    }),
    recent: t.prismaField({
      type: ['UsageRecord'],
      description: 'The latest matching records, newest first.',
      args: { limit: t.arg.int({ defaultValue: 20, description: 'How many, 1 to 200.' }) },
      resolve: (query, r, { limit }) => {
        const take = limit ?? 20;
        if (!Number.isInteger(take) || take < 1 || take > 200) throw errors.invalidRequest('limit must be between 1 and 200');
        return prisma.usageRecord.findMany({ ...query, where: r.where(), orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take });
      },
    }),
  }),
});

type FilterArg = { from?: Date | null; to?: Date | null; apiKeyId?: string | number | null; model?: string | null } | null | undefined;

/** The scope a key may see: user keys are pinned to themselves. */
function scopeFor(ctx: GraphQLContext, filter: FilterArg): Scope {
  const apiKeyId = filter?.apiKeyId != null ? String(filter.apiKeyId) : undefined;
  if (!ctx.principal.isAdmin && apiKeyId !== undefined && apiKeyId !== ctx.principal.keyId) {
    throw errors.forbidden('A user key may only see its own usage; this needs an admin key');
  }
  if (filter?.from && filter?.to && filter.from >= filter.to) throw errors.invalidRequest('from must be before to');
  return {
    from: filter?.from ?? undefined,
    to: filter?.to ?? undefined,
    model: filter?.model ?? undefined,
    apiKeyId: ctx.principal.isAdmin ? apiKeyId : ctx.principal.keyId,
  };
}

builder.queryField('usage', (t) =>
  t.field({
    type: UsageReport,
    description: 'A usage report. A user key sees only its own usage; an admin sees all, or one key’s with apiKeyId.',
    args: { filter: t.arg({ type: UsageFilter, description: 'Which requests to cover; all (that this key may see) when omitted.' }) },
    resolve: (_root, { filter }, ctx) => new Report(scopeFor(ctx, filter)),
  }),
);

builder.prismaObjectField('ApiKey', 'usage', (t) =>
  t.field({
    type: UsageReport,
    description: 'This key’s usage.',
    args: { filter: t.arg({ type: UsageFilter, description: 'Time range and model; apiKeyId is ignored.' }) },
    resolve: (key, { filter }) => new Report({ from: filter?.from ?? undefined, to: filter?.to ?? undefined, model: filter?.model ?? undefined, apiKeyId: key.id }),
  }),
);

/** A record as the recorder hands it over, in the shape of a stored one. */
export function toUsageRow(rec: UsageInput): UsageRow {
  return { ...rec, error: rec.error ?? null, ttftMs: rec.ttftMs ?? null, queueWaitMs: rec.queueWaitMs ?? null, upstream: rec.upstream ?? null };
}

builder.subscriptionField('usageEvents', (t) =>
  t.field({
    type: UsageRecord,
    authScopes: { admin: true },
    description: 'Every usage record as it is made, from every surface (admin).',
    subscribe: (_root, _args, ctx) =>
      feed<UsageRow>((push) => ctx.services.usage.onRecord((rec) => push(toUsageRow(rec))), { lifeline: ctx.lifeline({ endsOnGoAway: true }) }),
    resolve: (row) => unlessEnded(row),
  }),
);
