/** Teams: the Team type, ApiKey.team, the team queries (admin: all; team admin: its own) and the admin's team mutations. */
import { keyScopeOf } from '../auth/key-rules.ts';
import { prisma } from '../db/client.ts';
import { errors } from '../errors.ts';
import { readStored } from '../policy/policy.ts';
import { quotaState, teamQuotaUsage } from '../quotas/quotas.ts';
import { createTeam, deleteTeam, type TeamFields, updateTeam } from '../teams/teams.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { ParameterPolicyInput, ParameterPolicyRef, policyInputToJson } from './policy.ts';
import { QuotaStateEnum, QuotaUsageRef } from './quotas.ts';

/** Whether the caller may see a team at all: an admin, or a key of that team. */
const seesTeam = (ctx: GraphQLContext, teamId: string) => ctx.principal.isAdmin || ctx.principal.team?.id === teamId;

/** Whether the caller may see a team's keys: an admin, or that team's team admin. */
function checkSeesKeys(ctx: GraphQLContext, teamId: string) {
  const scope = keyScopeOf(ctx.principal);
  if (!scope.all && scope.teamId !== teamId) throw errors.forbidden('A team admin key may only see the keys of its own team');
}

builder.prismaObject('Team', {
  description: 'A group of keys with its own limits, quotas and alert webhook, which hold in addition to each key’s own.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The team id.' }),
    name: t.exposeString('name', { description: 'The team’s name (unique).' }),
    description: t.exposeString('description', { description: 'What the team is, for people.' }),
    rpmLimit: t.exposeInt('rpmLimit', { nullable: true, description: 'Requests per minute for the whole team; null means none.' }),
    tpmLimit: t.exposeInt('tpmLimit', { nullable: true, description: 'Tokens per minute for the whole team; null means none.' }),
    dailyTokens: t.exposeInt('dailyTokens', { nullable: true, description: 'Tokens per calendar day for the whole team; null means none.' }),
    monthlyTokens: t.exposeInt('monthlyTokens', { nullable: true, description: 'Tokens per calendar month for the whole team; null means none.' }),
    dailyRequests: t.exposeInt('dailyRequests', { nullable: true, description: 'Requests per calendar day for the whole team; null means none.' }),
    alertWebhookUrl: t.exposeString('alertWebhookUrl', {
      nullable: true,
      description: 'Receives the quota alerts of the team and its keys, besides the global webhook; null for none.',
    }),
    policy: t.field({
      type: ParameterPolicyRef,
      nullable: true,
      description: 'The team’s parameter policy, merged with its keys’ tier and own policies (the smallest cap wins); null for none.',
      // As enforced: a stored value that no longer validates allows nothing (server/policy readStored).
      resolve: (team) => readStored(team.policy),
    }),
    keys: t.prismaField({
      type: ['ApiKey'],
      description: 'The team’s keys, newest first (admin, or the team’s team admin).',
      resolve: (query, team, _args, ctx) => {
        checkSeesKeys(ctx, team.id);
        return prisma.apiKey.findMany({ ...query, where: { teamId: team.id }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
      },
    }),
    keyCount: t.int({
      description: 'How many keys the team has, revoked ones included.',
      resolve: (team) => prisma.apiKey.count({ where: { teamId: team.id } }),
    }),
    quota: t.field({
      type: [QuotaUsageRef],
      description: 'Every quota of the team in force now, with what the current period has used (by all its keys together).',
      resolve: (team) => teamQuotaUsage(team),
    }),
    quotaState: t.field({
      type: QuotaStateEnum,
      description: 'OK, WARNING (80% of some team quota) or EXCEEDED (100%).',
      resolve: async (team) => quotaState(await teamQuotaUsage(team)),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the team was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the team was last changed.' }),
  }),
});

builder.prismaObjectField('ApiKey', 'team', (t) =>
  t.prismaField({
    type: 'Team',
    nullable: true,
    description: 'The team the key belongs to; its limits and quotas hold in addition to the key’s. Null for none.',
    resolve: (query, key) => (key.teamId ? prisma.team.findUnique({ ...query, where: { id: key.teamId } }) : null),
  }),
);

builder.queryFields((t) => ({
  teams: t.prismaField({
    type: ['Team'],
    authScopes: { keyManager: true },
    description: 'Teams by name: every team for an admin, its own for a team admin.',
    resolve: (query, _root, _args, ctx) => {
      const scope = keyScopeOf(ctx.principal);
      return prisma.team.findMany({ ...query, where: scope.all ? {} : { id: scope.teamId }, orderBy: { name: 'asc' } });
    },
  }),
  team: t.prismaField({
    type: 'Team',
    nullable: true,
    description: 'One team by id: any team for an admin, only its own for any other key.',
    args: { id: t.arg.id({ required: true, description: 'The team id.' }) },
    resolve: (query, _root, { id }, ctx) => {
      if (!seesTeam(ctx, String(id))) throw errors.forbidden('A key may only read its own team; this needs an admin key');
      return prisma.team.findUnique({ ...query, where: { id: String(id) } });
    },
  }),
}));

const CreateTeamInput = builder.inputType('CreateTeamInput', {
  description: 'A new team.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'A unique name.' }),
    description: t.string({ description: 'What the team is, for people.' }),
    rpmLimit: t.int({ description: 'Requests per minute for the whole team (1 to 1000000); none when omitted.' }),
    tpmLimit: t.int({ description: 'Tokens per minute for the whole team (1 to 100000000); none when omitted.' }),
    dailyTokens: t.int({ description: 'Tokens per calendar day for the whole team; none when omitted.' }),
    monthlyTokens: t.int({ description: 'Tokens per calendar month for the whole team; none when omitted.' }),
    dailyRequests: t.int({ description: 'Requests per calendar day for the whole team; none when omitted.' }),
    alertWebhookUrl: t.string({ description: 'An http(s) URL that receives the team’s quota alerts; none when omitted.' }),
    policy: t.field({ type: ParameterPolicyInput, description: 'The team’s parameter policy; none when omitted.' }),
  }),
});

const UpdateTeamInput = builder.inputType('UpdateTeamInput', {
  description: 'Changes to a team. Omitted fields stay as they are; null clears a limit, a quota or the webhook.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The team to change.' }),
    name: t.string({ description: 'A new unique name.' }),
    description: t.string({ description: 'A new description.' }),
    rpmLimit: t.int({ description: 'Requests per minute for the whole team; null removes it.' }),
    tpmLimit: t.int({ description: 'Tokens per minute for the whole team; null removes it.' }),
    dailyTokens: t.int({ description: 'Tokens per calendar day; null removes it.' }),
    monthlyTokens: t.int({ description: 'Tokens per calendar month; null removes it.' }),
    dailyRequests: t.int({ description: 'Requests per calendar day; null removes it.' }),
    alertWebhookUrl: t.string({ description: 'The team’s alert webhook; null removes it.' }),
    policy: t.field({ type: ParameterPolicyInput, description: 'The team’s parameter policy, replaced whole; null removes it.' }),
  }),
});

const DeleteTeamInput = builder.inputType('DeleteTeamInput', {
  description: 'The team to delete.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The team to delete; its keys stay, in no team.' }) }),
});

type TeamInputShape = Omit<TeamFields, 'name' | 'description' | 'policy'> & {
  name?: string | null;
  description?: string | null;
  policy?: Parameters<typeof policyInputToJson>[0];
};

/** The GraphQL input as domain fields: name and description cannot be cleared, so null means "not given"; the policy is validated. */
function teamFields(input: TeamInputShape): TeamFields {
  const { name, description, policy, ...rest } = input;
  return {
    ...rest,
    name: name ?? undefined,
    description: description ?? undefined,
    ...(policy === undefined ? {} : { policy: policyInputToJson(policy) as TeamFields['policy'] }),
  };
}

builder.mutationFields((t) => ({
  createTeam: t.prismaField({
    type: 'Team',
    authScopes: { admin: true },
    description: 'Creates a team (admin; audited).',
    args: { input: t.arg({ type: CreateTeamInput, required: true, description: 'The new team.' }) },
    resolve: async (_query, _root, { input }, ctx) => {
      const team = await createTeam({ input: { ...teamFields(input), name: input.name }, actor: ctx.actor });
      await ctx.keys.reloadTeam(team.id);
      return team;
    },
  }),
  updateTeam: t.prismaField({
    type: 'Team',
    authScopes: { admin: true },
    description: 'Changes a team’s name, limits, quotas or webhook; its keys’ principals change on every replica at once (admin; audited).',
    args: { input: t.arg({ type: UpdateTeamInput, required: true, description: 'The changes.' }) },
    resolve: async (_query, _root, { input }, ctx) => {
      const { id, ...patch } = input;
      const team = await updateTeam({ id: String(id), patch: teamFields(patch), actor: ctx.actor });
      await ctx.keys.reloadTeam(team.id);
      return team;
    },
  }),
  deleteTeam: t.prismaField({
    type: 'Team',
    authScopes: { admin: true },
    description: 'Deletes a team; its keys keep working, in no team (admin; audited). Returns the team as it was.',
    args: { input: t.arg({ type: DeleteTeamInput, required: true, description: 'The team to delete.' }) },
    resolve: async (_query, _root, { input }, ctx) => {
      const team = await deleteTeam({ id: String(input.id), actor: ctx.actor });
      await ctx.keys.reloadTeam(team.id);
      return team;
    },
  }),
}));
