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
}

/** The database filter for a key list; `status` follows keyStatus exactly. */
export function keyFilterWhere(filter: KeyFilter | null | undefined, now = new Date()): Prisma.ApiKeyWhereInput {
  const and: Prisma.ApiKeyWhereInput[] = [];
  if (filter?.search)
    and.push({ OR: [{ name: { contains: filter.search, mode: 'insensitive' } }, { prefix: { contains: filter.search, mode: 'insensitive' } }] });
  if (filter?.role) and.push({ role: filter.role });
  if (filter?.tier) and.push({ tier: filter.tier });
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
