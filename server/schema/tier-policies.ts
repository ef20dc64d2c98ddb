/** Tier parameter policies: Query.tierPolicies and Mutation.setTierPolicy (admin, audited, applied on every replica at once). */
import type { Tier } from '../db/generated/client.ts';
import { listTierPolicies, setTierPolicy } from '../policy/admin.ts';
import type { ParameterPolicy } from '../policy/policy.ts';
import { builder } from './builder.ts';
import { KeyTier } from './keys.ts';
import { guardCaller, ParameterPolicyInput, ParameterPolicyRef, policyInputToJson } from './policy.ts';

interface TierPolicyShape {
  tier: Tier;
  policy: ParameterPolicy | null;
  updatedAt: Date | null;
}

const TierPolicyEntry = builder.objectRef<TierPolicyShape>('TierPolicyEntry').implement({
  description: 'A tier and the parameter policy every key of the tier gets (under its team’s and its own).',
  fields: (t) => ({
    tier: t.field({ type: KeyTier, description: 'The tier.', resolve: (e) => e.tier }),
    policy: t.field({ type: ParameterPolicyRef, nullable: true, description: 'The tier’s policy; null for none.', resolve: (e) => e.policy }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was last set; null if never.', resolve: (e) => e.updatedAt }),
  }),
});

const TIERS: Tier[] = ['STANDARD', 'PREMIUM'];

const SetTierPolicyInput = builder.inputType('SetTierPolicyInput', {
  description: 'A tier and its new parameter policy (an empty policy removes it).',
  fields: (t) => ({
    tier: t.field({ type: KeyTier, required: true, description: 'The tier to set.' }),
    policy: t.field({ type: ParameterPolicyInput, required: true, description: 'The policy; every field omitted removes the tier’s policy.' }),
  }),
});

builder.queryFields((t) => ({
  tierPolicies: t.field({
    type: [TierPolicyEntry],
    authScopes: { admin: true },
    description: 'Every tier with its parameter policy (admin).',
    resolve: async () => {
      const rows = new Map((await listTierPolicies()).map((r) => [r.tier, r]));
      return TIERS.map((tier) => rows.get(tier) ?? { tier, policy: null, updatedAt: null });
    },
  }),
}));

builder.mutationFields((t) => ({
  setTierPolicy: t.field({
    type: TierPolicyEntry,
    authScopes: { admin: true },
    description: 'Sets a tier’s parameter policy; it applies to the tier’s keys on every replica at once (admin, audited).',
    args: { input: t.arg({ type: SetTierPolicyInput, required: true, description: 'The tier and its policy.' }) },
    resolve: async (_root, { input }, ctx) => {
      const policy = policyInputToJson(input.policy);
      guardCaller(ctx, { tier: input.tier, policy });
      const entry = await setTierPolicy({ tier: input.tier, policy, actor: ctx.actor });
      // The change feed tells every replica; reloading here too makes it apply the moment we answer.
      await ctx.inference.policies.reloadTier(input.tier);
      return entry;
    },
  }),
}));
