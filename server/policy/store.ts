/**
 * The parameter policies in memory: tier policies loaded at start and reloaded on the change feed
 * (kind 'policy', id = tier), team and key policies from the principal (kept current by the key store).
 * A key's merged policy is computed once per principal and tier-policy version, so the hot path pays a
 * WeakMap lookup (and nothing more for a key without a policy).
 *
 * @example
 *   const policies = await createPolicyStore({ changes });
 *   policies.checkAccess(principal, { surface: 'openai', ip: req.socket.remoteAddress }); // 403s
 *   const request = applyToRequest(policies.effective(principal), raw);                    // caps
 */
import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import type { Principal } from '../auth/key-store.ts';
import type { ChangeFeed } from '../db/change-feed.ts';
import { prisma } from '../db/client.ts';
import type { Tier } from '../db/generated/client.ts';
import type { UsageInput } from '../usage/recorder.ts';
import { checkAccess, clientAddress, type EffectivePolicy, mergePolicies, NO_POLICY, type ParameterPolicy, type PolicySurface, readStored } from './policy.ts';

export interface PolicyStore {
  /** The key's merged policy (tier, then team, then key). */
  effective(principal: Principal): EffectivePolicy;
  /**
   * Throws 403 `surface_not_allowed` / `ip_not_allowed` unless the key may be used on this surface from
   * the request's client (its socket, or X-Forwarded-For from a trusted proxy).
   */
  checkAccess(
    principal: Principal,
    at: {
      surface: UsageInput['surface'] | PolicySurface;
      req?: Pick<IncomingMessage, 'socket' | 'headers'>;
      /** Check as if this tier's, or the key's own, policy were this one (before a change that could lock the caller out). */
      assuming?: Assumption;
    },
  ): void;
  /** The request's client address (its socket's, or X-Forwarded-For from a trusted proxy): what audit entries record. */
  address(req: Pick<IncomingMessage, 'socket' | 'headers'>): string | null;
  /** A tier's own policy, or null. */
  tier(tier: Tier): ParameterPolicy | null;
  /** Reads one tier's policy again (the change feed calls it on every replica; a mutation calls it to apply at once). */
  reloadTier(tier: Tier): Promise<void>;
}

/** A policy change not made yet: a tier's new policy, or the key's own. */
type Assumption = { tier: Tier; policy: ParameterPolicy | null } | { key: ParameterPolicy | null };

/** The usage surface names are the policy's, except the documented REST API ('rest' in usage rows). */
const toPolicySurface = (s: UsageInput['surface'] | PolicySurface): PolicySurface => (s === 'rest' ? 'api' : s);

/** A store over the given tier policies; without a database (unit tests), no tier has one. */
export function policyStore({
  tiers = new Map<Tier, ParameterPolicy>(),
  load,
  trustedProxies = null,
}: {
  tiers?: Map<Tier, ParameterPolicy>;
  load?: (tier: Tier) => Promise<unknown>;
  /** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES); null: the socket's address is the client's. */
  trustedProxies?: BlockList | null;
} = {}): PolicyStore {
  // Parsed team and key policies, by the object they came from (rebuilt by the key store on every change).
  const parsed = new WeakMap<object, ParameterPolicy | null>();
  const merged = new WeakMap<Principal, { version: number; policy: EffectivePolicy }>();
  let version = 0;
  const reads = new Map<Tier, Promise<void>>();

  const parseOnce = (owner: object, json: unknown) => {
    if (json === null || json === undefined) return null;
    let p = parsed.get(owner);
    if (p === undefined) parsed.set(owner, (p = readStored(json)));
    return p;
  };

  const merge = (principal: Principal, assuming?: Assumption) => {
    const tier = assuming && 'tier' in assuming && assuming.tier === principal.tier ? assuming.policy : tiers.get(principal.tier);
    const own = assuming && 'key' in assuming ? assuming.key : parseOnce(principal, principal.policy);
    const levels = [tier, principal.team ? parseOnce(principal.team, principal.team.policy) : null, own];
    return levels.some(Boolean) ? mergePolicies(levels) : NO_POLICY;
  };

  const store: PolicyStore = {
    effective(principal) {
      const cached = merged.get(principal);
      if (cached && cached.version === version) return cached.policy;
      const policy = merge(principal);
      merged.set(principal, { version, policy });
      return policy;
    },
    checkAccess(principal, { surface, req, assuming }) {
      const policy = assuming ? merge(principal, assuming) : store.effective(principal);
      if (policy.empty) return;
      checkAccess(policy, { surface: toPolicySurface(surface), ip: req && policy.cidrs ? clientAddress(req, trustedProxies) : undefined });
    },
    address: (req) => clientAddress(req, trustedProxies) ?? null,
    tier: (tier) => tiers.get(tier) ?? null,
    reloadTier(tier) {
      if (!load) return Promise.resolve();
      // One read at a time per tier, in order: a mutation's and the change feed's reads never apply out of order.
      const next = (reads.get(tier) ?? Promise.resolve()).then(async () => {
        const json = await load(tier);
        const p = json === null || json === undefined ? null : readStored(json);
        if (p) tiers.set(tier, p);
        else tiers.delete(tier);
        version++;
      });
      reads.set(
        tier,
        next.catch(() => {}),
      );
      return next;
    },
  };
  return store;
}

/** The store of a running gateway: every tier policy read now, each reloaded when the change feed names it. */
export async function createPolicyStore({
  changes,
  trustedProxies = null,
}: {
  changes?: ChangeFeed;
  trustedProxies?: BlockList | null;
} = {}): Promise<PolicyStore> {
  const tiers = new Map<Tier, ParameterPolicy>();
  const loadAll = async () => {
    const rows = await prisma.tierPolicy.findMany();
    tiers.clear();
    for (const r of rows) {
      const p = readStored(r.policy);
      if (p) tiers.set(r.tier, p);
    }
  };
  await loadAll();
  const load = async (tier: Tier) => (await prisma.tierPolicy.findUnique({ where: { tier } }))?.policy ?? null;
  const store = policyStore({ tiers, load, trustedProxies });
  changes?.on('policy', (tier) => void store.reloadTier(tier as Tier).catch(() => {}));
  changes?.onResync(() => {
    void (async () => {
      for (const t of ['STANDARD', 'PREMIUM'] as Tier[]) await store.reloadTier(t);
    })().catch(() => {});
  });
  return store;
}
