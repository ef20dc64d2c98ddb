/**
 * Usage: records, reports (totals, breakdowns by model and by key, a time series) and the live
 * usage feed. A user key only ever sees its own usage; an admin sees all of it.
 */
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { prisma } from '../db/client.ts';
import type { UsageRecord as UsageRow } from '../db/generated/client.ts';
import { type Agg, type KeyGroup, type ModelGroup, type Point, type ServerGroup, type TeamGroup, UsageReport, checkedUsageScope } from '../usage/reports.ts';
import { errors } from '../errors.ts';
import { feed, unlessEnded } from '../realtime/feed.ts';
import type { UsageInput } from '../usage/recorder.ts';
import { builder } from './builder.ts';
import { ApiKey } from './keys.ts';

const UsageRecord = builder.prismaObject('UsageRecord', {
  description: 'One request that reached a model, successful or not.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The request id.' }),
    apiKeyId: t.exposeID('apiKeyId', { description: 'The key that made the request.' }),
    teamId: t.exposeID('teamId', { nullable: true, description: 'The key’s team when the request ran; null for none.' }),
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

const UsageTotals = builder.objectRef<Agg>('UsageTotals').implement({
  description: 'Counts and averages over a set of requests.',
  fields: (t) => ({
    requests: t.exposeInt('requests', { description: 'How many requests.' }),
    errors: t.exposeInt('errors', { description: 'How many ended with a status of 400 or more (cancelled ones included).' }),
    promptTokens: t.float({ description: 'Prompt tokens, summed. (Float: sums can pass 2^31.)', resolve: (a) => a.promptTokens }),
    completionTokens: t.float({ description: 'Completion tokens, summed.', resolve: (a) => a.completionTokens }),
    totalTokens: t.float({ description: 'Prompt plus completion tokens.', resolve: (a) => a.promptTokens + a.completionTokens }),
    avgLatencyMs: t.float({
      nullable: true,
      description: 'Mean latency in milliseconds; null with no requests.',
      resolve: (a) => (a.requests ? a.latencySum / a.requests : null),
    }),
    avgTtftMs: t.float({
      nullable: true,
      description: 'Mean time to first token in milliseconds, over requests that produced one; null when none did.',
      resolve: (a) => (a.ttftCount ? a.ttftSum / a.ttftCount : null),
    }),
    cost: t.float({
      nullable: true,
      description:
        'What the tokens cost at the models’ current prices (per million prompt and completion tokens), in the report’s currency; null when none of the models has a price. Unpriced models count zero.',
      resolve: (a) => a.cost,
    }),
  }),
});

const ModelUsage = builder.objectRef<ModelGroup>('ModelUsage').implement({
  description: 'Usage of one model.',
  fields: (t) => ({
    model: t.exposeString('model', { description: 'The model id.' }),
    totals: t.field({ type: UsageTotals, description: 'Its counts and averages.', resolve: (g) => g.totals }),
  }),
});

/** Usage of one upstream server (null: built-in models, or requests no server answered). */
const ServerUsage = builder.objectRef<ServerGroup>('ServerUsage').implement({
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

const TeamUsage = builder.objectRef<TeamGroup>('TeamUsage').implement({
  description: 'Usage by the keys of one team (as they were when the requests ran).',
  fields: (t) => ({
    teamId: t.id({ nullable: true, description: 'The team id; null for keys without a team.', resolve: (g) => g.teamId }),
    name: t.string({
      nullable: true,
      description: 'The team’s name; null for keys without a team or a team since deleted.',
      resolve: async (g) => (g.teamId ? ((await prisma.team.findUnique({ where: { id: g.teamId }, select: { name: true } }))?.name ?? null) : null),
    }),
    totals: t.field({ type: UsageTotals, description: 'Its counts and averages.', resolve: (g) => g.totals }),
  }),
});

const UsagePoint = builder.objectRef<Point>('UsagePoint').implement({
  description: 'Usage in one hour or one day (UTC), for charts.',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'Start of the bucket (UTC).' }),
    totals: t.field({ type: UsageTotals, description: 'All requests in the bucket.', resolve: (p) => p.totals }),
    byModel: t.field({
      type: [ModelUsage],
      description: 'The bucket broken down by model, busiest first.',
      resolve: async (p) => (await p.report.pointGroups(p, 'model')).map((g) => ({ model: g.id, totals: g.totals })),
    }),
    byKey: t.field({
      type: [KeyUsage],
      description: 'The bucket broken down by key, busiest first.',
      resolve: async (p) => (await p.report.pointGroups(p, 'apiKeyId')).map((g) => ({ apiKeyId: g.id, totals: g.totals })),
    }),
    byTeam: t.field({
      type: [TeamUsage],
      description: 'The bucket broken down by team, busiest first.',
      resolve: async (p) => (await p.report.pointGroups(p, 'teamId')).map((g) => ({ teamId: g.id || null, totals: g.totals })),
    }),
  }),
});

const BREAKDOWNS = { byModel: 'model', byKey: 'apiKeyId', byTeam: 'teamId' } as const;

/** Which of byModel, byKey and byTeam the operation selects on the points (through fragments too). */
function pointBreakdowns(info: GraphQLResolveInfo): Array<(typeof BREAKDOWNS)[keyof typeof BREAKDOWNS]> {
  const found = new Set<(typeof BREAKDOWNS)[keyof typeof BREAKDOWNS]>();
  const visit = (set: SelectionSetNode | undefined, depth: number) => {
    if (!set || depth > 5) return;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD && sel.name.value in BREAKDOWNS) found.add(BREAKDOWNS[sel.name.value as keyof typeof BREAKDOWNS]);
      else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet, depth + 1);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) visit(info.fragments[sel.name.value]?.selectionSet, depth + 1);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 0);
  return [...found];
}

const UsageInterval = builder.enumType('UsageInterval', {
  description: 'The size of a time-series bucket (UTC).',
  values: { HOUR: { description: 'One bucket per hour.' }, DAY: { description: 'One bucket per day.' } } as const,
});

const UsageFilter = builder.inputType('UsageFilter', {
  description: 'Which requests a report covers; every field is optional and they combine with AND.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', description: 'Requests that started at or after this time.' }),
    to: t.field({ type: 'DateTime', description: 'Requests that started before this time.' }),
    apiKeyId: t.id({ description: 'Only this key’s requests (a user key may only give its own).' }),
    teamId: t.id({ description: 'Only requests by this team’s keys (admin; a team admin’s reports are always its team’s).' }),
    model: t.string({ description: 'Only requests for this model.' }),
  }),
});

const UsageReportType = builder.objectRef<UsageReport>('UsageReport').implement({
  description: 'Usage over a filter: totals, breakdowns by model and by key, a time series and the latest records.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', nullable: true, description: 'The start of the range, as filtered.', resolve: (r) => r.scope.from ?? null }),
    to: t.field({ type: 'DateTime', nullable: true, description: 'The end of the range, as filtered.', resolve: (r) => r.scope.to ?? null }),
    totals: t.field({ type: UsageTotals, description: 'All matching requests.', resolve: (r) => r.totals() }),
    byModel: t.field({ type: [ModelUsage], description: 'Broken down by model, busiest first.', resolve: (r) => r.byModel() }),
    byKey: t.field({ type: [KeyUsage], description: 'Broken down by key, busiest first.', resolve: (r) => r.byKey() }),
    byTeam: t.field({ type: [TeamUsage], description: 'Broken down by team, busiest first.', resolve: (r) => r.byTeam() }),
    byServer: t.field({ type: [ServerUsage], description: 'Broken down by the upstream server that answered, busiest first.', resolve: (r) => r.byServer() }),
    currency: t.string({
      description: 'The currency of every cost in the report (PRICE_CURRENCY, e.g. "credits" or "EUR").',
      resolve: (_r, _a, ctx) => ctx.config.priceCurrency,
    }),
    series: t.field({
      type: [UsagePoint],
      description: 'A point per hour or day (UTC), oldest first, empty buckets included, each broken down by model, key and team.',
      args: { interval: t.arg({ type: UsageInterval, defaultValue: 'HOUR', description: 'Bucket size.' }) },
      // Looks ahead at the points' selection, so that their breakdowns are summed in the series' own statement.
      resolve: (r, { interval }, _ctx, info) => r.series(interval ?? 'HOUR', { breakdowns: pointBreakdowns(info) }),
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

builder.queryField('usage', (t) =>
  t.field({
    type: UsageReportType,
    description: 'A usage report. A user key sees only its own usage; a team admin its team’s; an admin sees all, or one key’s with apiKeyId.',
    args: { filter: t.arg({ type: UsageFilter, description: 'Which requests to cover; all (that this key may see) when omitted.' }) },
    resolve: async (_root, { filter }, ctx) => new UsageReport(await checkedUsageScope(ctx.principal, filter)),
  }),
);

builder.prismaObjectField('ApiKey', 'usage', (t) =>
  t.field({
    type: UsageReportType,
    description: 'This key’s usage.',
    args: { filter: t.arg({ type: UsageFilter, description: 'Time range and model; apiKeyId is ignored.' }) },
    resolve: (key, { filter }) =>
      new UsageReport({ from: filter?.from ?? undefined, to: filter?.to ?? undefined, model: filter?.model ?? undefined, apiKeyId: key.id }),
  }),
);

/** A record as the recorder hands it over, in the shape of a stored one. */
function toUsageRow(rec: UsageInput): UsageRow {
  return {
    ...rec,
    teamId: rec.teamId ?? null,
    error: rec.error ?? null,
    ttftMs: rec.ttftMs ?? null,
    queueWaitMs: rec.queueWaitMs ?? null,
    upstream: rec.upstream ?? null,
  };
}

builder.subscriptionField('usageEvents', (t) =>
  t.field({
    type: UsageRecord,
    authScopes: { admin: true },
    description: 'Every usage record as it is made, from every surface (admin).',
    subscribe: (_root, _args, ctx) =>
      feed<UsageRow>((push) => ctx.usage.onRecord((rec) => push(toUsageRow(rec))), { lifeline: ctx.lifeline({ endsOnGoAway: true }) }),
    resolve: (row) => unlessEnded(row),
  }),
);
