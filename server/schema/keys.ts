/** API keys: the ApiKey type, the viewer and admin queries, and the key management mutations. */
import { createApiKey, revokeApiKey, rotateApiKey, updateApiKey } from '../auth/api-keys.ts';
import {
  checkKeyInScope,
  effectiveRpm,
  effectiveWeight,
  keyFilterWhere,
  keyScopeOf,
  keyScopeWhere,
  keyStatus,
  TIER_RPM,
  TIER_WEIGHT,
} from '../auth/key-rules.ts';
import type { Prisma } from '../db/generated/client.ts';
import { prisma } from '../db/client.ts';
import { errors } from '../errors.ts';
import { builder } from './builder.ts';
import { guardCaller, ParameterPolicyInput, policyInputToJson } from './policy.ts';
import type { GraphQLContext } from './context.ts';
import type { ParameterPolicy } from '../policy/policy.ts';

/** A key's new policy, refused when it is the calling key's own and would lock it out of GraphQL. */
function guarded(ctx: GraphQLContext, id: string, policy: ParameterPolicy | null): ParameterPolicy | null {
  if (id === ctx.principal.keyId) guardCaller(ctx, { key: policy });
  return policy;
}

const KeyRole = builder.enumType('KeyRole', {
  description: 'What a key may do.',
  values: {
    ADMIN: { description: 'Manages keys and models, sees all usage, may introspect the schema.' },
    TEAM_ADMIN: { description: 'Manages its own team’s keys and sees its team’s usage; nothing else.' },
    USER: { description: 'Runs models and sees its own usage.' },
  } as const,
});

export const KeyTier = builder.enumType('KeyTier', {
  description: 'The default rate limit of a key, unless it has its own.',
  values: {
    STANDARD: { description: `${TIER_RPM.STANDARD} requests per minute.` },
    PREMIUM: { description: `${TIER_RPM.PREMIUM} requests per minute.` },
  } as const,
});

const KeyStatus = builder.enumType('KeyStatus', {
  description: 'Whether a key works now.',
  values: {
    ACTIVE: { description: 'Not revoked and not expired.' },
    REVOKED: { description: 'Revoked by an admin; it never works again.' },
    EXPIRED: { description: 'Past its expiry time.' },
  } as const,
});

export const ApiKey = builder.prismaObject('ApiKey', {
  description: 'An API key. The secret is shown once, when the key is created or rotated; only its prefix is kept readable.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The key id (not the secret).' }),
    name: t.exposeString('name', { description: 'A human name for the key.' }),
    prefix: t.exposeString('prefix', { description: 'The readable start of the secret, e.g. "ogw_Ab12Cd34", to tell keys apart.' }),
    role: t.expose('role', { type: KeyRole, description: 'Admin, team admin or user.' }),
    tier: t.expose('tier', { type: KeyTier, description: 'The tier that sets the default requests-per-minute limit.' }),
    rpmLimit: t.exposeInt('rpmLimit', { nullable: true, description: 'Own requests-per-minute limit; null means the tier default.' }),
    tpmLimit: t.exposeInt('tpmLimit', { nullable: true, description: 'Own tokens-per-minute limit; null means no token limit.' }),
    requestsPerMinute: t.int({
      description: 'The requests-per-minute limit in force: rpmLimit, or the tier default.',
      resolve: (k) => effectiveRpm(k),
    }),
    weight: t.exposeInt('weight', {
      nullable: true,
      description: `Own share of the GPU slots when keys wait; null means the tier's (standard ${TIER_WEIGHT.STANDARD}, premium ${TIER_WEIGHT.PREMIUM}).`,
    }),
    effectiveWeight: t.int({ description: 'The weight in force: weight, or the tier default.', resolve: (k) => effectiveWeight(k) }),
    maxConcurrent: t.exposeInt('maxConcurrent', {
      nullable: true,
      description: 'Most requests of this key running at once (extra ones wait); null means no cap.',
    }),
    allowedModels: t.exposeStringList('allowedModels', { description: 'Model ids this key may use; empty means every active model.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the key stops working; null for never.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When the key was revoked; null if it was not.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'When the key was last used (written every few seconds).' }),
    previousSecretExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'After a rotation with a grace period: when the previous secret stops working; null when it already has (or the key is revoked).',
      resolve: (k) => (!k.revokedAt && k.previousExpiresAt && k.previousExpiresAt.getTime() > Date.now() ? k.previousExpiresAt : null),
    }),
    status: t.field({ type: KeyStatus, description: 'Whether the key works now.', resolve: (k) => keyStatus(k) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the key was last changed.' }),
  }),
});

const ApiKeyFilter = builder.inputType('ApiKeyFilter', {
  description: 'Narrows the list of keys; every field is optional and they combine with AND.',
  fields: (t) => ({
    search: t.string({ description: 'Part of the name or the prefix, case-insensitive.' }),
    role: t.field({ type: KeyRole, description: 'Only keys with this role.' }),
    tier: t.field({ type: KeyTier, description: 'Only keys of this tier.' }),
    status: t.field({ type: KeyStatus, description: 'Only keys in this state.' }),
    teamId: t.id({ description: 'Only keys of this team.' }),
  }),
});

interface ApiKeyPageShape {
  where: Prisma.ApiKeyWhereInput;
  limit: number;
  offset: number;
  /** Cursor paging: the id of the last key of the previous page. */
  after?: string;
  /** The matching keys, counted once for totalCount and hasNextPage. */
  count?: Promise<number>;
}

const countOf = (page: ApiKeyPageShape) => (page.count ??= prisma.apiKey.count({ where: page.where }));

const ApiKeyPage = builder.objectRef<ApiKeyPageShape>('ApiKeyPage').implement({
  description: 'One page of API keys, newest first.',
  fields: (t) => ({
    nodes: t.prismaField({
      type: ['ApiKey'],
      description: 'The keys on this page.',
      resolve: (query, page) =>
        prisma.apiKey.findMany({
          ...query,
          where: page.where,
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          ...(page.after ? { cursor: { id: page.after }, skip: 1 } : { skip: page.offset }),
          take: page.limit,
        }),
    }),
    endCursor: t.id({
      nullable: true,
      description: 'Pass as `after` for the next page; null when this page is empty.',
      resolve: async (page) => {
        const ids = await prisma.apiKey.findMany({
          where: page.where,
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          ...(page.after ? { cursor: { id: page.after }, skip: 1 } : { skip: page.offset }),
          take: page.limit,
          select: { id: true },
        });
        return ids.at(-1)?.id ?? null;
      },
    }),
    totalCount: t.int({ description: 'How many keys match the filter, on all pages.', resolve: countOf }),
    hasNextPage: t.boolean({
      description: 'Whether there are keys after this page.',
      resolve: async (page) => {
        if (!page.after) return (await countOf(page)) > page.offset + page.limit;
        const next = await prisma.apiKey.findMany({
          where: page.where,
          orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
          cursor: { id: page.after },
          skip: 1 + page.limit,
          take: 1,
          select: { id: true },
        });
        return next.length > 0;
      },
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.prismaField({
    type: 'ApiKey',
    description: 'The key making this request.',
    resolve: (query, _root, _args, ctx) => prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: ctx.principal.keyId } }),
  }),
  apiKeys: t.field({
    type: ApiKeyPage,
    authScopes: { keyManager: true },
    description: 'API keys, newest first, a page at a time: every key for an admin, its own team’s for a team admin.',
    args: {
      filter: t.arg({ type: ApiKeyFilter, description: 'Which keys to list; all when omitted.' }),
      limit: t.arg.int({ defaultValue: 50, description: 'Page size, 1 to 200.' }),
      offset: t.arg.int({ defaultValue: 0, description: 'How many matching keys to skip (ignored with `after`).' }),
      after: t.arg.id({ description: 'Cursor paging: the endCursor of the previous page.' }),
    },
    resolve: async (_root, args, ctx) => {
      const scope = keyScopeOf(ctx.principal);
      const limit = args.limit ?? 50;
      const offset = args.offset ?? 0;
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw errors.invalidRequest('limit must be between 1 and 200');
      if (offset < 0) throw errors.invalidRequest('offset must not be negative');
      const after = args.after ? String(args.after) : undefined;
      if (after && !(await prisma.apiKey.findUnique({ where: { id: after }, select: { id: true } })))
        throw errors.invalidRequest('after is not a key id from a previous page');
      const filter = args.filter ? { ...args.filter, teamId: args.filter.teamId == null ? null : String(args.filter.teamId) } : null;
      return { where: { AND: [keyFilterWhere(filter), keyScopeWhere(scope)] }, limit, offset, after };
    },
  }),
  apiKey: t.prismaField({
    type: 'ApiKey',
    nullable: true,
    description: 'One key by id: any key for an admin, its own team’s for a team admin, only itself for a user key.',
    args: { id: t.arg.id({ required: true, description: 'The key id.' }) },
    resolve: async (query, _root, { id }, ctx) => {
      if (String(id) === ctx.principal.keyId || ctx.principal.isAdmin) return prisma.apiKey.findUnique({ ...query, where: { id: String(id) } });
      if (ctx.principal.role !== 'TEAM_ADMIN') throw errors.forbidden('A user key may only read itself; this needs an admin key');
      const scope = keyScopeOf(ctx.principal);
      const key = await prisma.apiKey.findUnique({ ...query, where: { id: String(id) } });
      if (key) checkKeyInScope(scope, key);
      return key;
    },
  }),
}));

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'A human name for the key.' }),
    role: t.field({ type: KeyRole, defaultValue: 'USER', description: 'The role; USER when omitted (a team admin may not create ADMIN keys).' }),
    tier: t.field({ type: KeyTier, defaultValue: 'STANDARD', description: 'The tier; STANDARD when omitted.' }),
    rpmLimit: t.int({ description: 'Own requests-per-minute limit (1 to 1000000) instead of the tier default.' }),
    tpmLimit: t.int({ description: 'Tokens-per-minute limit (1 to 1000000); no token limit when omitted.' }),
    weight: t.int({ description: 'Share of the GPU slots when keys wait (1 to 1000); the tier default when omitted.' }),
    maxConcurrent: t.int({ description: 'Most requests running at once (1 to 1000; extra ones wait); no cap when omitted.' }),
    allowedModels: t.stringList({ description: 'Model ids the key may use; every active model when omitted or empty.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'When the key stops working; never when omitted.' }),
    teamId: t.id({ description: 'The team the key belongs to (admin); a team admin’s keys always go to its own team.' }),
    dailyTokens: t.int({ description: 'Quota of tokens per calendar day (1 to 2000000000); none when omitted.' }),
    monthlyTokens: t.int({ description: 'Quota of tokens per calendar month (1 to 2000000000); none when omitted.' }),
    dailyRequests: t.int({ description: 'Quota of requests per calendar day (1 to 2000000000); none when omitted.' }),
    policy: t.field({ type: ParameterPolicyInput, description: 'The key’s own parameter policy; none when omitted.' }),
  }),
});

const UpdateApiKeyInput = builder.inputType('UpdateApiKeyInput', {
  description: 'Changes to a key. Omitted fields stay as they are; null clears a limit, the model list or the expiry.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The key to change.' }),
    name: t.string({ description: 'A new name.' }),
    role: t.field({ type: KeyRole, description: 'A new role; the last working admin key cannot become a user key.' }),
    tier: t.field({ type: KeyTier, description: 'A new tier.' }),
    rpmLimit: t.int({ description: 'Own requests-per-minute limit; null returns to the tier default.' }),
    tpmLimit: t.int({ description: 'Tokens-per-minute limit; null removes it.' }),
    weight: t.int({ description: 'Share of the GPU slots when keys wait; null returns to the tier default.' }),
    maxConcurrent: t.int({ description: 'Most requests running at once; null removes the cap.' }),
    allowedModels: t.stringList({ description: 'Model ids the key may use; null or empty allows every active model.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'New expiry; null means never.' }),
    teamId: t.id({ description: 'Moves the key to this team; null takes it out of its team (admin only).' }),
    dailyTokens: t.int({ description: 'Quota of tokens per calendar day; null removes it.' }),
    monthlyTokens: t.int({ description: 'Quota of tokens per calendar month; null removes it.' }),
    dailyRequests: t.int({ description: 'Quota of requests per calendar day; null removes it.' }),
    policy: t.field({ type: ParameterPolicyInput, description: 'The key’s own parameter policy, replaced whole; null removes it.' }),
  }),
});

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  description: 'The key to revoke.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The key to revoke.' }) }),
});

const RotateApiKeyInput = builder.inputType('RotateApiKeyInput', {
  description: 'The key to give a new secret.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The key to rotate.' }),
    graceSeconds: t.int({
      defaultValue: 0,
      description: 'How long the old secret keeps working, in seconds (0 to 2592000); 0 stops it at once.',
    }),
  }),
});

interface SecretPayload {
  key: Prisma.ApiKeyGetPayload<object>;
  secret: string;
}

const CreateApiKeyPayload = builder.objectRef<SecretPayload>('CreateApiKeyPayload').implement({
  description: 'A created key and its secret.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, description: 'The new key.', resolve: (p) => p.key }),
    secret: t.string({ description: 'The secret, shown this once: store it now.', resolve: (p) => p.secret }),
  }),
});

const RotateApiKeyPayload = builder.objectRef<SecretPayload>('RotateApiKeyPayload').implement({
  description: 'A rotated key and its new secret.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, description: 'The rotated key (see previousSecretExpiresAt for the grace period).', resolve: (p) => p.key }),
    secret: t.string({ description: 'The new secret, shown this once: store it now.', resolve: (p) => p.secret }),
  }),
});

/** null and undefined both mean "not given" for fields that cannot be cleared. */
const given = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
/** An ID that may be cleared: omitted stays undefined, null stays null. */
const idOrNull = (v: string | number | null | undefined) => (v === undefined ? undefined : v === null ? null : String(v));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    authScopes: { keyManager: true },
    description: 'Creates a key and returns its secret once (admin; a team admin creates keys for its own team).',
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: 'The new key.' }) },
    resolve: async (_root, { input }, ctx) => {
      const created = await createApiKey({
        name: input.name,
        role: given(input.role),
        tier: given(input.tier),
        rpmLimit: input.rpmLimit,
        tpmLimit: input.tpmLimit,
        weight: input.weight,
        maxConcurrent: input.maxConcurrent,
        allowedModels: given(input.allowedModels),
        expiresAt: input.expiresAt,
        teamId: idOrNull(input.teamId),
        dailyTokens: input.dailyTokens,
        monthlyTokens: input.monthlyTokens,
        dailyRequests: input.dailyRequests,
        policy: policyInputToJson(input.policy),
        actor: ctx.actor,
        scope: keyScopeOf(ctx.principal),
      });
      // The change feed tells every replica; reloading here too makes the secret usable the moment we answer.
      await ctx.keys.reloadKey(created.key.id);
      return created;
    },
  }),
  updateApiKey: t.prismaField({
    type: 'ApiKey',
    authScopes: { keyManager: true },
    description: 'Changes a key’s name, role, tier, limits, models, expiry or team (admin; a team admin its own team’s keys).',
    args: { input: t.arg({ type: UpdateApiKeyInput, required: true, description: 'The changes.' }) },
    resolve: async (_query, _root, { input }, ctx) => {
      const key = await updateApiKey({
        id: String(input.id),
        name: given(input.name),
        role: given(input.role),
        tier: given(input.tier),
        rpmLimit: input.rpmLimit,
        tpmLimit: input.tpmLimit,
        weight: input.weight,
        maxConcurrent: input.maxConcurrent,
        allowedModels: input.allowedModels === null ? [] : input.allowedModels,
        expiresAt: input.expiresAt,
        teamId: idOrNull(input.teamId),
        dailyTokens: input.dailyTokens,
        monthlyTokens: input.monthlyTokens,
        dailyRequests: input.dailyRequests,
        policy: input.policy === undefined ? undefined : guarded(ctx, String(input.id), policyInputToJson(input.policy)),
        actor: ctx.actor,
        scope: keyScopeOf(ctx.principal),
      });
      await ctx.keys.reloadKey(key.id);
      return key;
    },
  }),
  revokeApiKey: t.prismaField({
    type: 'ApiKey',
    authScopes: { keyManager: true },
    description:
      'Revokes a key for good; it stops working on every replica within a second and its open sockets are closed (admin; a team admin its own team’s keys).',
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true, description: 'The key to revoke.' }) },
    resolve: async (_query, _root, { input }, ctx) => {
      const key = await revokeApiKey({ id: String(input.id), actor: ctx.actor, scope: keyScopeOf(ctx.principal) });
      await ctx.keys.reloadKey(key.id);
      return key;
    },
  }),
  rotateApiKey: t.field({
    type: RotateApiKeyPayload,
    authScopes: { keyManager: true },
    description: 'Gives a key a new secret; the old one keeps working for the grace period, then stops (admin; a team admin its own team’s keys).',
    args: { input: t.arg({ type: RotateApiKeyInput, required: true, description: 'The key and the grace period.' }) },
    resolve: async (_root, { input }, ctx) => {
      const rotated = await rotateApiKey({ id: String(input.id), graceSeconds: input.graceSeconds ?? 0, actor: ctx.actor, scope: keyScopeOf(ctx.principal) });
      await ctx.keys.reloadKey(rotated.key.id);
      return rotated;
    },
  }),
}));
