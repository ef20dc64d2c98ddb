/**
 * Quotas in GraphQL: a key's own quota settings, every quota in force on it with what its period
 * used (`ApiKey.quota`, `ApiKey.quotaState`, so `viewer` shows a user key its own budget), and the
 * keys at or near a quota for the console's banner. The types are exported for Team.quota (teams).
 */
import { prisma } from '../db/client.ts';
import type { Prisma } from '../db/generated/client.ts';
import { keyScopeOf, keyScopeWhere } from '../auth/key-rules.ts';
import { keyQuotaUsage, type QuotaUsage, quotaState } from '../quotas/quotas.ts';
import { builder } from './builder.ts';

const QuotaScopeEnum = builder.enumType('QuotaScope', {
  description: 'Whose quota it is.',
  values: {
    KEY: { description: 'The key’s own quota.' },
    TEAM: { description: 'The key’s team’s quota, shared by all its keys.' },
  } as const,
});

const QuotaMetricEnum = builder.enumType('QuotaMetric', {
  description: 'What a quota counts, and over which calendar period (QUOTA_TIMEZONE, UTC by default).',
  values: {
    DAILY_TOKENS: { description: 'Prompt plus completion tokens per calendar day.' },
    MONTHLY_TOKENS: { description: 'Prompt plus completion tokens per calendar month.' },
    DAILY_REQUESTS: { description: 'Requests that ran (were admitted by their quotas) per calendar day.' },
  } as const,
});

/** @public For Team.quotaState. */
export const QuotaStateEnum = builder.enumType('QuotaState', {
  description: 'How close a key (or team) is to its quotas.',
  values: {
    OK: { description: 'Below 80% of every quota.' },
    WARNING: { description: 'At 80% or more of some quota.' },
    EXCEEDED: { description: 'At 100% of some quota: requests that do not fit get 429 quota_exceeded.' },
  } as const,
});

/** @public For Team.quota. */
export const QuotaUsageRef = builder.objectRef<QuotaUsage>('QuotaUsage').implement({
  description: 'One quota in force, with what its current period has used.',
  fields: (t) => ({
    scope: t.field({ type: QuotaScopeEnum, description: 'The key’s own quota or its team’s.', resolve: (q) => (q.scope === 'key' ? 'KEY' : 'TEAM') }),
    metric: t.field({
      type: QuotaMetricEnum,
      description: 'What it counts and over which period.',
      resolve: (q) => q.metric.toUpperCase() as 'DAILY_TOKENS' | 'MONTHLY_TOKENS' | 'DAILY_REQUESTS',
    }),
    limit: t.exposeInt('limit', { description: 'The quota: tokens or requests per period.' }),
    used: t.exposeInt('used', { description: 'Used in the current period, requests in progress included at their worst case.' }),
    remaining: t.exposeInt('remaining', { description: 'limit - used, at least 0.' }),
    resetsAt: t.field({ type: 'DateTime', description: 'When the current period ends and the quota starts again.', resolve: (q) => q.resetsAt }),
  }),
});

type KeyRow = Prisma.ApiKeyGetPayload<{ include: { team: true } }>;

const usageOfKey = (k: KeyRow) => keyQuotaUsage(k, k.team);

builder.prismaObjectFields('ApiKey', (t) => ({
  dailyTokens: t.exposeInt('dailyTokens', { nullable: true, description: 'Own quota of tokens per calendar day; null means none.' }),
  monthlyTokens: t.exposeInt('monthlyTokens', { nullable: true, description: 'Own quota of tokens per calendar month; null means none.' }),
  dailyRequests: t.exposeInt('dailyRequests', { nullable: true, description: 'Own quota of requests per calendar day; null means none.' }),
  quota: t.field({
    type: [QuotaUsageRef],
    select: { team: true },
    description: 'Every quota in force on this key, its own and its team’s, with what the current period has used.',
    resolve: (k) => usageOfKey(k as KeyRow),
  }),
  quotaState: t.field({
    type: QuotaStateEnum,
    select: { team: true },
    description: 'OK, WARNING (80% of some quota) or EXCEEDED (100%).',
    resolve: async (k) => quotaState(await usageOfKey(k as KeyRow)),
  }),
}));

builder.queryField('keysNearQuota', (t) =>
  t.prismaField({
    type: ['ApiKey'],
    description:
      'Working keys at 80% or more of a quota (theirs or their team’s), for the console’s banner: every key for an admin, its team’s for a team admin.',
    resolve: async (query, _root, _args, ctx) => {
      const scope = keyScopeOf(ctx.principal);
      const quota: Prisma.ApiKeyWhereInput = {
        OR: [
          { dailyTokens: { not: null } },
          { monthlyTokens: { not: null } },
          { dailyRequests: { not: null } },
          { team: { OR: [{ dailyTokens: { not: null } }, { monthlyTokens: { not: null } }, { dailyRequests: { not: null } }] } },
        ],
      };
      const working: Prisma.ApiKeyWhereInput = { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] };
      const where: Prisma.ApiKeyWhereInput = { AND: [quota, working, keyScopeWhere(scope)] };
      const keys = await prisma.apiKey.findMany({ where, include: { team: true }, orderBy: { createdAt: 'asc' }, take: 1000 });
      const states = await Promise.all(keys.map(async (k) => quotaState(await usageOfKey(k))));
      const near = keys.filter((_, i) => states[i] !== 'OK').map((k) => k.id);
      return prisma.apiKey.findMany({ ...query, where: { id: { in: near } }, orderBy: { createdAt: 'asc' } });
    },
  }),
);
