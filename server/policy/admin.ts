/**
 * Changing and reading parameter policies in the database: tier policies (audited, published on the
 * change feed so every replica reloads it) and the merged policy of a stored key, for display.
 */
import { type Actor, writeAudit } from '../audit/audit.ts';
import { publishChange } from '../db/change-feed.ts';
import { prisma } from '../db/client.ts';
import type { ApiKey, Prisma, Tier } from '../db/generated/client.ts';
import { type EffectivePolicy, mergePolicies, type ParameterPolicy, readStored, toPolicyJson } from './policy.ts';

/** Every tier's policy row (tiers without one are absent). */
export async function listTierPolicies(): Promise<Array<{ tier: Tier; policy: ParameterPolicy | null; updatedAt: Date }>> {
  const rows = await prisma.tierPolicy.findMany({ orderBy: { tier: 'asc' } });
  return rows.map((r) => ({ tier: r.tier, policy: readStored(r.policy), updatedAt: r.updatedAt }));
}

/** Sets (or, with an empty policy, removes) a tier's policy; audited in the same transaction, then published. */
export async function setTierPolicy({
  tier,
  policy,
  actor,
}: {
  tier: Tier;
  policy: unknown;
  actor: Actor;
}): Promise<{ tier: Tier; policy: ParameterPolicy | null; updatedAt: Date }> {
  const json = toPolicyJson(policy);
  const row = await prisma.$transaction(async (tx) => {
    const before = await tx.tierPolicy.findUnique({ where: { tier } });
    const after = json
      ? await tx.tierPolicy.upsert({
          where: { tier },
          create: { tier, policy: json as Prisma.InputJsonValue },
          update: { policy: json as Prisma.InputJsonValue },
        })
      : before
        ? await tx.tierPolicy.delete({ where: { tier } })
        : null;
    await writeAudit({
      db: tx,
      actor,
      action: 'policy.set',
      targetType: 'tierPolicy',
      targetId: tier,
      before: { policy: before?.policy ?? null },
      after: { policy: json },
    });
    return { tier, policy: json, updatedAt: after && json ? after.updatedAt : new Date() };
  });
  await publishChange({ kind: 'policy', id: tier });
  return row;
}

/** A stored key's merged policy: its tier's (as this gateway holds it), its team's, its own. */
export async function effectivePolicyOf(key: Pick<ApiKey, 'tier' | 'teamId' | 'policy'>, tierPolicy: ParameterPolicy | null): Promise<EffectivePolicy> {
  const team = key.teamId ? await prisma.team.findUnique({ where: { id: key.teamId }, select: { policy: true } }) : null;
  return mergePolicies([tierPolicy, readStored(team?.policy ?? null), readStored(key.policy)]);
}
