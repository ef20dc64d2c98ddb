/**
 * The audit log: one AuditEntry per admin action, written by the domain operations themselves
 * (api-keys.ts, the catalogue's call sites), so the CLI, GraphQL and the console record the same way.
 * Where the action is a database change, the entry is written in the same transaction: an action
 * without its entry cannot happen. Only readable fields are recorded, never a secret or a hash.
 *
 * @example
 *   await prisma.$transaction(async (tx) => {
 *     const key = await tx.apiKey.update(...);
 *     await writeAudit({ db: tx, actor, action: 'key.update', targetType: 'apiKey', targetId: key.id, before, after });
 *   });
 */
import os from 'node:os';
import { prisma } from '../db/client.ts';
import type { ApiKey, Prisma, Team } from '../db/generated/client.ts';

type AuditSurface = 'cli' | 'graphql' | 'console';

/** Who acts, and from where. */
export interface Actor {
  /** The acting key; null for the keys CLI (the machine's operator). */
  keyId: string | null;
  name: string;
  surface: AuditSurface;
  ip?: string | null;
}

export type AuditAction =
  | 'key.create'
  | 'key.update'
  | 'key.rotate'
  | 'key.revoke'
  | 'model.update'
  | 'models.sync'
  | 'server.add'
  | 'server.update'
  | 'server.remove'
  | 'team.create'
  | 'team.update'
  | 'team.delete'
  | 'console.sign_in'
  | 'policy.set';

type Db = Pick<Prisma.TransactionClient, 'auditEntry'>;

/** The actor of a keys CLI command: the operating-system user on this machine. */
export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return { keyId: null, name: `cli (${user}@${os.hostname()})`, surface: 'cli', ip: null };
}

/** The fields of a key that may be shown again (no hash, no secret). */
export function keySnapshot(k: ApiKey): Record<string, unknown> {
  return {
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    tier: k.tier,
    rpmLimit: k.rpmLimit,
    tpmLimit: k.tpmLimit,
    weight: k.weight,
    maxConcurrent: k.maxConcurrent,
    allowedModels: k.allowedModels,
    dailyTokens: k.dailyTokens,
    monthlyTokens: k.monthlyTokens,
    dailyRequests: k.dailyRequests,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    previousExpiresAt: k.previousExpiresAt?.toISOString() ?? null,
    policy: k.policy ?? null,
    teamId: k.teamId,
  };
}

/** The fields of a team an admin edits. */
export function teamSnapshot(t: Team): Record<string, unknown> {
  return {
    name: t.name,
    description: t.description,
    rpmLimit: t.rpmLimit,
    tpmLimit: t.tpmLimit,
    dailyTokens: t.dailyTokens,
    monthlyTokens: t.monthlyTokens,
    dailyRequests: t.dailyRequests,
    policy: t.policy ?? null,
    alertWebhookUrl: t.alertWebhookUrl,
  };
}

/** Only what changed between two snapshots: { before, after } with the same keys. */
export function changes(before: Record<string, unknown>, after: Record<string, unknown>): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[k]) === JSON.stringify(after[k])) continue;
    b[k] = before[k] ?? null;
    a[k] = after[k] ?? null;
  }
  return { before: b, after: a };
}

export async function writeAudit({
  db = prisma,
  actor,
  action,
  targetType,
  targetId,
  before,
  after,
}: {
  db?: Db;
  actor: Actor;
  action: AuditAction;
  targetType: 'apiKey' | 'model' | 'catalogue' | 'server' | 'console' | 'team' | 'tierPolicy';
  targetId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}): Promise<void> {
  await db.auditEntry.create({
    data: {
      actorKeyId: actor.keyId,
      actorName: actor.name,
      surface: actor.surface,
      ip: actor.ip ?? null,
      action,
      targetType,
      targetId: targetId ?? null,
      before: (before ?? undefined) as Prisma.InputJsonValue | undefined,
      after: (after ?? undefined) as Prisma.InputJsonValue | undefined,
    },
  });
}

export interface AuditFilter {
  action?: string | null;
  actorKeyId?: string | null;
  targetId?: string | null;
  surface?: string | null;
  since?: Date | null;
  until?: Date | null;
}

function auditWhere(f: AuditFilter = {}): Prisma.AuditEntryWhereInput {
  const where: Prisma.AuditEntryWhereInput = {};
  if (f.action) where.action = f.action.endsWith('.') || !f.action.includes('.') ? { startsWith: f.action.replace(/\.?$/, '.') } : f.action;
  if (f.actorKeyId) where.actorKeyId = f.actorKeyId;
  if (f.targetId) where.targetId = f.targetId;
  if (f.surface) where.surface = f.surface;
  if (f.since || f.until) where.createdAt = { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) };
  return where;
}

/** One page of entries, newest first; `after` is the id of the last entry of the previous page. */
export async function listAudit({ filter, first = 50, after }: { filter?: AuditFilter; first?: number; after?: string | null }) {
  const rows = await prisma.auditEntry.findMany({
    where: auditWhere(filter),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: first + 1,
    ...(after ? { cursor: { id: after }, skip: 1 } : {}),
  });
  const hasNextPage = rows.length > first;
  const nodes = rows.slice(0, first);
  return { nodes, hasNextPage, endCursor: nodes.at(-1)?.id ?? null };
}

/**
 * For actions that are not one database transaction (a catalogue edit, a sync, a sign-in): written
 * right after the action; if the database refuses it, the whole entry goes to the error log instead
 * of being lost silently.
 */
export async function recordAudit(entry: Parameters<typeof writeAudit>[0], log: { error(o: object, m?: string): void }): Promise<void> {
  try {
    await writeAudit(entry);
  } catch (err) {
    const { db: _db, ...shown } = entry;
    log.error({ err: (err as Error).message, audit: shown }, 'audit entry could not be written to the database');
  }
}

/** The fields of an upstream server an admin edits. */
export function serverSnapshot(u: { name: string; url: string; state: string; parallel: number | null }): Record<string, unknown> {
  return { name: u.name, url: u.url, state: u.state, parallel: u.parallel };
}

/** The fields of a model an admin edits. */
export function modelSnapshot(m: {
  name: string;
  description: string;
  isActive: boolean;
  temperature: number | null;
  topP: number | null;
  topK: number | null;
  promptPricePerMTok: number | null;
  completionPricePerMTok: number | null;
}): Record<string, unknown> {
  return {
    name: m.name,
    description: m.description,
    isActive: m.isActive,
    temperature: m.temperature,
    topP: m.topP,
    topK: m.topK,
    promptPricePerMTok: m.promptPricePerMTok,
    completionPricePerMTok: m.completionPricePerMTok,
  };
}
