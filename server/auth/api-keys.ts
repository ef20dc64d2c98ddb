/**
 * API key secrets and the operations on key records shared by the keys CLI and GraphQL.
 * A secret is `ogw_` + 40 random base64url characters (240 bits); only its SHA-256 is stored.
 * A fast hash is enough: the secret is random and high-entropy, so there is nothing to brute-force.
 */
import { createHash, randomBytes } from 'node:crypto';
import { prisma } from '../db/client.ts';
import { publishChange } from '../db/change-feed.ts';
import type { ApiKey, Role, Tier } from '../db/generated/client.ts';
import { errors } from '../errors.ts';

export const KEY_PREFIX = 'ogw_';
export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';
export const TIER_RPM: Record<Tier, number> = { STANDARD: 60, PREMIUM: 300 };
/** Share of the GPU slots under contention, relative to other waiting keys (a key's `weight` overrides it). */
export const TIER_WEIGHT: Record<Tier, number> = { STANDARD: 1, PREMIUM: 4 };

export function generateSecret(): string {
  return KEY_PREFIX + randomBytes(30).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The part of a secret that may be shown again: enough to tell keys apart, useless to an attacker. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, KEY_PREFIX.length + 8);
}

export interface CreateApiKeyInput {
  name: string;
  role?: Role;
  tier?: Tier;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  weight?: number | null;
  maxConcurrent?: number | null;
  allowedModels?: string[];
  expiresAt?: Date | null;
}

export async function createApiKey(input: CreateApiKeyInput): Promise<{ key: ApiKey; secret: string }> {
  validateLimits(input);
  const secret = generateSecret();
  const key = await prisma.apiKey.create({
    data: {
      name: input.name.trim(),
      role: input.role ?? 'USER',
      tier: input.tier ?? 'STANDARD',
      rpmLimit: input.rpmLimit ?? null,
      tpmLimit: input.tpmLimit ?? null,
      weight: input.weight ?? null,
      maxConcurrent: input.maxConcurrent ?? null,
      allowedModels: input.allowedModels ?? [],
      expiresAt: input.expiresAt ?? null,
      prefix: displayPrefix(secret),
      hash: hashSecret(secret),
    },
  });
  await publishChange({ kind: 'key', id: key.id });
  return { key, secret };
}

export type UpdateApiKeyInput = Partial<Omit<CreateApiKeyInput, 'role'>> & { id: string };

export async function updateApiKey(input: UpdateApiKeyInput): Promise<ApiKey> {
  validateLimits(input);
  const { id, ...patch } = input;
  if (patch.name !== undefined) patch.name = patch.name.trim();
  const key = await prisma.apiKey.update({ where: { id }, data: patch }).catch(notFound(id));
  await publishChange({ kind: 'key', id });
  return key;
}

export async function revokeApiKey({ id }: { id: string }): Promise<ApiKey> {
  const existing = await prisma.apiKey.findUnique({ where: { id } });
  if (!existing) throw errors.notFound(`No API key with id '${id}'`);
  const key = existing.revokedAt ? existing : await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  await publishChange({ kind: 'key', id });
  return key;
}

/** A new secret; the old one keeps working for `graceSeconds` (0: stops at once). */
export async function rotateApiKey({ id, graceSeconds }: { id: string; graceSeconds: number }): Promise<{ key: ApiKey; secret: string }> {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 30 * 86400) {
    throw errors.invalidRequest('graceSeconds must be a whole number of seconds between 0 and 2592000 (30 days)');
  }
  const existing = await prisma.apiKey.findUnique({ where: { id } });
  if (!existing) throw errors.notFound(`No API key with id '${id}'`);
  if (existing.revokedAt) throw errors.invalidRequest('A revoked key cannot be rotated', 'key_revoked');
  const secret = generateSecret();
  const key = await prisma.apiKey.update({
    where: { id },
    data: {
      hash: hashSecret(secret),
      prefix: displayPrefix(secret),
      previousHash: graceSeconds > 0 ? existing.hash : null,
      previousExpiresAt: graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null,
    },
  });
  await publishChange({ kind: 'key', id });
  return { key, secret };
}

/**
 * Makes ADMIN_KEY (when given) an admin key. Without ADMIN_KEY, creates an admin key on the first
 * start only (no admin key exists yet) and returns its secret so that main prints it once.
 */
export async function ensureBootstrapAdmin({ adminKey }: { adminKey?: string }): Promise<{ generated?: string }> {
  if (adminKey) {
    const hash = hashSecret(adminKey);
    const data = { hash, prefix: displayPrefix(adminKey), role: 'ADMIN' as const, revokedAt: null };
    await prisma.apiKey.upsert({
      where: { id: BOOTSTRAP_ADMIN_ID },
      create: { id: BOOTSTRAP_ADMIN_ID, name: 'Bootstrap admin (ADMIN_KEY)', ...data },
      update: data,
    });
    await publishChange({ kind: 'key', id: BOOTSTRAP_ADMIN_ID });
    return {};
  }
  const admins = await prisma.apiKey.count({ where: { role: 'ADMIN', revokedAt: null } });
  if (admins > 0) return {};
  const secret = generateSecret();
  await prisma.apiKey.upsert({
    where: { id: BOOTSTRAP_ADMIN_ID },
    create: { id: BOOTSTRAP_ADMIN_ID, name: 'Bootstrap admin', role: 'ADMIN', hash: hashSecret(secret), prefix: displayPrefix(secret) },
    update: { hash: hashSecret(secret), prefix: displayPrefix(secret), revokedAt: null, role: 'ADMIN' },
  });
  await publishChange({ kind: 'key', id: BOOTSTRAP_ADMIN_ID });
  return { generated: secret };
}

function validateLimits(input: Partial<CreateApiKeyInput>) {
  if (input.name !== undefined && !input.name.trim()) throw errors.invalidRequest('name must not be empty');
  if (input.name !== undefined && input.name.length > 200) throw errors.invalidRequest('name must be at most 200 characters');
  for (const field of ['rpmLimit', 'tpmLimit'] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1 || v > 1_000_000)) {
      throw errors.invalidRequest(`${field} must be a whole number between 1 and 1000000`);
    }
  }
  for (const field of ['weight', 'maxConcurrent'] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1 || v > 1000)) throw errors.invalidRequest(`${field} must be a whole number between 1 and 1000`);
  }
}

function notFound(id: string) {
  return (err: unknown) => {
    if ((err as { code?: string }).code === 'P2025') throw errors.notFound(`No API key with id '${id}'`);
    throw err;
  };
}
