/**
 * The rules about a key that every face shows or applies (the key store, GraphQL, the keys CLI, the
 * console through GraphQL): its status, the limits in force, the key-list filters and how a
 * credential is read from an Authorization header.
 */
import type { Prisma, Role, Tier } from '../db/generated/client.ts';
import { errors } from '../errors.ts';

export const TIER_RPM: Record<Tier, number> = { STANDARD: 60, PREMIUM: 300 };
/** Share of the GPU slots under contention, relative to other waiting keys (a key's `weight` overrides it). */
export const TIER_WEIGHT: Record<Tier, number> = { STANDARD: 1, PREMIUM: 4 };

export type KeyStatus = 'ACTIVE' | 'REVOKED' | 'EXPIRED';

/** Whether a key works now: revoked wins over expired. */
export function keyStatus(k: { revokedAt: Date | null; expiresAt: Date | null }, now = Date.now()): KeyStatus {
  return k.revokedAt ? 'REVOKED' : k.expiresAt && k.expiresAt.getTime() <= now ? 'EXPIRED' : 'ACTIVE';
}

/** The requests-per-minute limit in force: the key's own, or its tier's. */
export function effectiveRpm(k: { rpmLimit: number | null; tier: Tier }): number {
  return k.rpmLimit ?? TIER_RPM[k.tier];
}

/** The scheduling weight in force: the key's own, or its tier's. */
export function effectiveWeight(k: { weight: number | null; tier: Tier }): number {
  return k.weight ?? TIER_WEIGHT[k.tier];
}

export interface KeyFilter {
  search?: string | null;
  role?: Role | null;
  tier?: Tier | null;
  status?: KeyStatus | null;
  /** Only keys of this team. */
  teamId?: string | null;
}

/** The database filter for a key list; `status` follows keyStatus exactly. */
export function keyFilterWhere(filter: KeyFilter | null | undefined, now = new Date()): Prisma.ApiKeyWhereInput {
  const and: Prisma.ApiKeyWhereInput[] = [];
  if (filter?.search)
    and.push({ OR: [{ name: { contains: filter.search, mode: 'insensitive' } }, { prefix: { contains: filter.search, mode: 'insensitive' } }] });
  if (filter?.role) and.push({ role: filter.role });
  if (filter?.tier) and.push({ tier: filter.tier });
  if (filter?.teamId) and.push({ teamId: filter.teamId });
  if (filter?.status === 'REVOKED') and.push({ revokedAt: { not: null } });
  if (filter?.status === 'EXPIRED') and.push({ revokedAt: null, expiresAt: { lte: now } });
  if (filter?.status === 'ACTIVE') and.push({ revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });
  return { AND: and };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The secret of an `Authorization: Bearer <key>` value; a 401 GatewayError when it is missing or malformed. */
export function bearerSecret(authorization: string | undefined | null): string {
  if (!authorization) throw errors.missingKey();
  const match = BEARER.exec(authorization);
  if (!match) throw errors.invalidRequestAuth();
  return match[1];
}

/** What the role rules need of the acting key (a Principal). */
export interface KeyManager {
  keyId: string;
  role: Role;
  isAdmin: boolean;
  team: { id: string; name: string } | null;
}

/** Which keys a key may manage: every key (admin) or its own team's (team admin with a team). */
export type KeyScope = { all: true } | { all: false; teamId: string };

/** Whether a key may manage keys at all: an admin, or a team admin that belongs to a team. */
export function managesKeys(p: KeyManager): boolean {
  return p.isAdmin || (p.role === 'TEAM_ADMIN' && p.team !== null);
}

/** The keys this principal may list and change; a 403 for a user key or a team admin without a team. */
export function keyScopeOf(p: KeyManager): KeyScope {
  if (p.isAdmin) return { all: true };
  if (p.role === 'TEAM_ADMIN' && p.team) return { all: false, teamId: p.team.id };
  if (p.role === 'TEAM_ADMIN') throw errors.forbidden('This team admin key belongs to no team, so it manages nothing; an admin must put it in a team');
  throw errors.forbidden('Managing keys needs an admin key, or a team admin key for its own team');
}

/** The database filter that keeps a key list inside a scope. */
export function keyScopeWhere(scope: KeyScope): Prisma.ApiKeyWhereInput {
  return scope.all ? {} : { teamId: scope.teamId };
}

/** Refuses a change to an existing key outside the scope (another team's key, or an admin key for a team admin). */
export function checkKeyInScope(scope: KeyScope, key: { teamId: string | null; role: Role }): void {
  if (scope.all) return;
  if (key.teamId !== scope.teamId) throw errors.forbidden('A team admin key may only manage the keys of its own team');
  if (key.role === 'ADMIN') throw errors.forbidden('A team admin key may not manage admin keys');
}

/**
 * Refuses what a team admin may not set on a key it creates or changes: the ADMIN role, or a team
 * other than its own. Returns the team the key belongs to after the change (undefined: unchanged).
 */
export function checkKeyWrite(scope: KeyScope, change: { role?: Role; teamId?: string | null }, creating: boolean): string | null | undefined {
  if (scope.all) return change.teamId;
  if (change.role === 'ADMIN') throw errors.forbidden('A team admin key may not create admin keys or make a key an admin');
  if (change.teamId !== undefined && change.teamId !== scope.teamId)
    throw errors.forbidden('A team admin key may not move keys to another team or out of its team');
  return creating ? scope.teamId : change.teamId;
}

/** Whose usage a key sees: everything (admin), its team's (team admin with a team), or its own. */
export type UsageVisibility = { all: true } | { all: false; teamId: string } | { all: false; keyId: string };

export function usageVisibility(p: KeyManager): UsageVisibility {
  if (p.isAdmin) return { all: true };
  if (p.role === 'TEAM_ADMIN' && p.team) return { all: false, teamId: p.team.id };
  return { all: false, keyId: p.keyId };
}
