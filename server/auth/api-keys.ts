/**
 * API key secrets and the operations on key records shared by the keys CLI and GraphQL.
 * A secret is `ogw_` + 40 random base64url characters (240 bits); only its SHA-256 is stored.
 * A fast hash is enough: the secret is random and high-entropy, so there is nothing to brute-force.
 * Every change is written to the audit log in the same transaction, with the actor that made it
 * (none given: the operator of this machine, as for the keys CLI).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Actor, changes, cliActor, keySnapshot, writeAudit } from '../audit/audit.ts';
import { prisma } from '../db/client.ts';
import { publishChange } from '../db/change-feed.ts';
import { type ApiKey, Prisma, type Role, type Tier } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { checkKeyInScope, checkKeyWrite, type KeyScope } from './key-rules.ts';
import { toPolicyJson } from '../policy/policy.ts';

export const KEY_PREFIX = 'ogw_';
const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';

function generateSecret(): string {
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
  /** The team it belongs to; null or omitted for none. */
  teamId?: string | null;
  /** Calendar quotas (server/quotas); null or omitted: none. */
  dailyTokens?: number | null;
  monthlyTokens?: number | null;
  dailyRequests?: number | null;
  /** The key's own parameter policy (server/policy shape), validated here; null for none. */
  policy?: unknown;
  /** Who creates it, for the audit log. */
  actor?: Actor;
  /** Which keys the actor may manage (key-rules keyScopeOf); every key when omitted (the operator's CLI). */
  scope?: KeyScope;
}

/** A policy as the column takes it: validated JSON, or the database NULL. */
function policyColumn(policy: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  const json = toPolicyJson(policy);
  return json ? (json as Prisma.InputJsonValue) : Prisma.DbNull;
}

export async function createApiKey(input: CreateApiKeyInput): Promise<{ key: ApiKey; secret: string }> {
  validateLimits(input);
  const teamId = checkKeyWrite(input.scope ?? { all: true }, { role: input.role, teamId: input.teamId }, true) ?? null;
  const policy = policyColumn(input.policy);
  const secret = generateSecret();
  const key = await prisma.$transaction(async (tx) => {
    if (teamId) await teamMustExist(tx, teamId);
    const created = await tx.apiKey.create({
      data: {
        name: input.name.trim(),
        role: input.role ?? 'USER',
        tier: input.tier ?? 'STANDARD',
        rpmLimit: input.rpmLimit ?? null,
        tpmLimit: input.tpmLimit ?? null,
        allowedModels: input.allowedModels ?? [],
        weight: input.weight ?? null,
        maxConcurrent: input.maxConcurrent ?? null,
        expiresAt: input.expiresAt ?? null,
        teamId,
        dailyTokens: input.dailyTokens ?? null,
        monthlyTokens: input.monthlyTokens ?? null,
        dailyRequests: input.dailyRequests ?? null,
        policy,
        prefix: displayPrefix(secret),
        hash: hashSecret(secret),
      },
    });
    await writeAudit({
      db: tx,
      actor: input.actor ?? cliActor(),
      action: 'key.create',
      targetType: 'apiKey',
      targetId: created.id,
      after: keySnapshot(created),
    });
    return created;
  });
  await publishChange({ kind: 'key', id: key.id });
  return { key, secret };
}

export type UpdateApiKeyInput = Partial<Omit<CreateApiKeyInput, 'actor' | 'scope'>> & { id: string; actor?: Actor; scope?: KeyScope };

export async function updateApiKey(input: UpdateApiKeyInput): Promise<ApiKey> {
  validateLimits(input);
  const { id, actor, scope = { all: true }, policy, ...rest } = input;
  const patch: Prisma.ApiKeyUncheckedUpdateInput = { ...rest };
  if (rest.name !== undefined) patch.name = rest.name.trim();
  // undefined leaves the policy alone; null clears it.
  if (policy !== undefined) patch.policy = policyColumn(policy);
  const key = await prisma.$transaction(async (tx) => {
    const existing = await tx.apiKey.findUnique({ where: { id } });
    if (!existing) throw errors.notFound(`No API key with id '${id}'`);
    checkKeyInScope(scope, existing);
    checkKeyWrite(scope, { role: rest.role, teamId: rest.teamId }, false);
    if (rest.teamId) await teamMustExist(tx, rest.teamId);
    if (rest.role !== undefined && rest.role !== 'ADMIN' && existing.role === 'ADMIN') await keepOneAdmin(tx, id);
    const updated = await tx.apiKey.update({ where: { id }, data: patch });
    const diff = changes(keySnapshot(existing), keySnapshot(updated));
    await writeAudit({ db: tx, actor: actor ?? cliActor(), action: 'key.update', targetType: 'apiKey', targetId: id, ...diff });
    return updated;
  });
  await publishChange({ kind: 'key', id });
  return key;
}

export async function revokeApiKey({ id, actor, scope = { all: true } }: { id: string; actor?: Actor; scope?: KeyScope }): Promise<ApiKey> {
  const key = await prisma.$transaction(async (tx) => {
    const existing = await tx.apiKey.findUnique({ where: { id } });
    if (!existing) throw errors.notFound(`No API key with id '${id}'`);
    checkKeyInScope(scope, existing);
    if (existing.revokedAt) return existing; // already revoked: nothing changes, nothing to record
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    await writeAudit({
      db: tx,
      actor: actor ?? cliActor(),
      action: 'key.revoke',
      targetType: 'apiKey',
      targetId: id,
      ...changes(keySnapshot(existing), keySnapshot(revoked)),
    });
    return revoked;
  });
  await publishChange({ kind: 'key', id });
  return key;
}

/** A new secret; the old one keeps working for `graceSeconds` (0: stops at once). */
export async function rotateApiKey({
  id,
  graceSeconds,
  actor,
  scope = { all: true },
}: {
  id: string;
  graceSeconds: number;
  actor?: Actor;
  scope?: KeyScope;
}): Promise<{ key: ApiKey; secret: string }> {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 30 * 86400) {
    throw errors.invalidRequest('graceSeconds must be a whole number of seconds between 0 and 2592000 (30 days)');
  }
  const secret = generateSecret();
  const key = await prisma.$transaction(async (tx) => {
    const existing = await tx.apiKey.findUnique({ where: { id } });
    if (!existing) throw errors.notFound(`No API key with id '${id}'`);
    checkKeyInScope(scope, existing);
    if (existing.revokedAt) throw errors.keyRevoked();
    const rotated = await tx.apiKey.update({
      where: { id },
      data: {
        hash: hashSecret(secret),
        prefix: displayPrefix(secret),
        previousHash: graceSeconds > 0 ? existing.hash : null,
        previousExpiresAt: graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null,
      },
    });
    const diff = changes(keySnapshot(existing), keySnapshot(rotated));
    await writeAudit({
      db: tx,
      actor: actor ?? cliActor(),
      action: 'key.rotate',
      targetType: 'apiKey',
      targetId: id,
      before: diff.before,
      after: { ...diff.after, graceSeconds },
    });
    return rotated;
  });
  await publishChange({ kind: 'key', id });
  return { key, secret };
}

async function teamMustExist(tx: Pick<typeof prisma, 'team'>, teamId: string) {
  if (!(await tx.team.findUnique({ where: { id: teamId }, select: { id: true } }))) throw errors.invalidRequest(`No team with id '${teamId}'`);
}

/** Demoting an admin must leave another working admin key, or nobody can manage the gateway. */
async function keepOneAdmin(tx: Pick<typeof prisma, 'apiKey'>, id: string) {
  const others = await tx.apiKey.count({
    where: { role: 'ADMIN', revokedAt: null, id: { not: id }, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
  });
  if (others === 0) throw errors.lastAdmin();
}

/**
 * Makes ADMIN_KEY (when given) an admin key. Without ADMIN_KEY, creates an admin key on the first
 * start only (no admin key exists yet) and returns its secret so that main prints it once.
 */
/** DATA_DIR/admin-key.pending (0600): the generated admin key, until a start has shown it and completed. */
const pendingKeyFile = (dataDir: string) => path.join(dataDir, 'admin-key.pending');

/**
 * The bootstrap admin key: ADMIN_KEY as given, or one generated on a first start with no admin.
 * A generated key is kept in DATA_DIR (0600) and returned again by every start until
 * forgetPendingAdminKey() says one start has completed, so a failed first start does not lose it.
 */
export async function ensureBootstrapAdmin({ adminKey, dataDir }: { adminKey?: string; dataDir: string }): Promise<{ generated?: string }> {
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
  const pending = await readFile(pendingKeyFile(dataDir), 'utf8').then(
    (t) => t.trim(),
    () => undefined,
  );
  if (pending) {
    const row = await prisma.apiKey.findUnique({ where: { id: BOOTSTRAP_ADMIN_ID } });
    if (row && !row.revokedAt && row.hash === hashSecret(pending)) return { generated: pending };
  }
  const admins = await prisma.apiKey.count({ where: { role: 'ADMIN', revokedAt: null } });
  if (admins > 0) {
    await forgetPendingAdminKey({ dataDir });
    return {};
  }
  // Written before the key exists: a start that dies at any point after this uses the same key.
  const secret = pending ?? generateSecret();
  if (!pending) {
    await writeFile(pendingKeyFile(dataDir), `${secret}\n`, { mode: 0o600 });
    await chmod(pendingKeyFile(dataDir), 0o600);
  }
  await prisma.apiKey.upsert({
    where: { id: BOOTSTRAP_ADMIN_ID },
    create: { id: BOOTSTRAP_ADMIN_ID, name: 'Bootstrap admin', role: 'ADMIN', hash: hashSecret(secret), prefix: displayPrefix(secret) },
    update: { hash: hashSecret(secret), prefix: displayPrefix(secret), revokedAt: null, role: 'ADMIN' },
  });
  await publishChange({ kind: 'key', id: BOOTSTRAP_ADMIN_ID });
  return { generated: secret };
}

/** After a start that showed the generated admin key has completed: it is not kept any longer. */
export async function forgetPendingAdminKey({ dataDir }: { dataDir: string }): Promise<void> {
  await rm(pendingKeyFile(dataDir), { force: true });
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
  for (const field of ['dailyTokens', 'monthlyTokens', 'dailyRequests'] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1 || v > 2_000_000_000)) {
      throw errors.invalidRequest(`${field} must be a whole number between 1 and 2000000000`);
    }
  }
  for (const field of ['weight', 'maxConcurrent'] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1 || v > 1000))
      throw errors.invalidRequest(`${field} must be a whole number between 1 and 1000`);
  }
}
