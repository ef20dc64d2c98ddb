/**
 * The in-memory view of API keys that answers "who is this?" without a database round trip.
 * Loaded at start, kept current by the change feed (LISTEN/NOTIFY) and a periodic reload as a
 * safety net, so a revoked key stops working on every replica within a second.
 */
import { prisma } from '../db/client.ts';
import type { ChangeFeed } from '../db/change-feed.ts';
import type { ApiKey, Role, Team, Tier } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { hashSecret } from './api-keys.ts';
import { bearerSecret, effectiveRpm, effectiveWeight } from './key-rules.ts';

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  tier: Tier;
  isAdmin: boolean;
  /** Requests per minute in force for this key. */
  rpm: number;
  /** Tokens per minute, or null for no token limit. */
  tpm: number | null;
  /** Models this key may use, or null for every active model. */
  allowedModels: ReadonlySet<string> | null;
  expiresAt: number | null;
  /** Share of the GPU slots when keys wait (tier default unless the key sets one). */
  weight: number;
  /** Most requests running at once, or null for no cap (extra ones wait). */
  maxConcurrent: number | null;
  /** The key's own calendar quotas (null: none). */
  quotas: Quotas;
  /** The key's own parameter policy as stored (server/policy reads it), or null. */
  policy: unknown;
  /** The key's team, whose quotas, limits and policy hold in addition to the key's; null for none. */
  team: TeamView | null;
}

interface Quotas {
  dailyTokens: number | null;
  monthlyTokens: number | null;
  dailyRequests: number | null;
}

/** What the engine needs of a team (kept current like the keys). */
interface TeamView {
  id: string;
  name: string;
  /** Requests per minute for the whole team, or null. */
  rpm: number | null;
  /** Tokens per minute for the whole team, or null. */
  tpm: number | null;
  quotas: Quotas;
  policy: unknown;
  alertWebhookUrl: string | null;
}

interface Entry {
  principal: Principal;
  revoked: boolean;
  /** For the previous secret of a rotated key: when it stops working. */
  graceUntil?: number;
}

export interface KeyStore {
  /** The principal for an Authorization header value; throws a 401 GatewayError. */
  authenticate(authorization: string | undefined): Principal;
  /**
   * The principal for a raw secret; throws a 401 GatewayError. `touch: false` for re-checks of a
   * long-lived connection, which must not count as use of the key.
   */
  authenticateSecret(secret: string, opts?: { touch?: boolean }): Principal;
  /** Is the key still usable? (For long-lived connections.) */
  isValid(keyId: string): boolean;
  /** Throws the key's 401 GatewayError (revoked, expired, unknown) once it no longer works; not a use of the key. */
  verify(keyId: string): void;
  /** Called with a key id whenever a key changes or is revoked. */
  onChange(fn: (keyId: string) => void): void;
  flushLastUsed(): Promise<void>;
  reloadKey(id: string): Promise<void>;
  /** Reloads a team and rebuilds its keys' principals (the change feed calls it on every replica). */
  reloadTeam(id: string): Promise<void>;
  close(): Promise<void>;
}

function toTeamView(t: Team): TeamView {
  return {
    id: t.id,
    name: t.name,
    rpm: t.rpmLimit,
    tpm: t.tpmLimit,
    quotas: { dailyTokens: t.dailyTokens, monthlyTokens: t.monthlyTokens, dailyRequests: t.dailyRequests },
    policy: t.policy,
    alertWebhookUrl: t.alertWebhookUrl,
  };
}

function toPrincipal(k: ApiKey, team: TeamView | null): Principal {
  return {
    keyId: k.id,
    name: k.name,
    role: k.role,
    tier: k.tier,
    isAdmin: k.role === 'ADMIN',
    rpm: effectiveRpm(k),
    tpm: k.tpmLimit,
    allowedModels: k.allowedModels.length ? new Set(k.allowedModels) : null,
    expiresAt: k.expiresAt?.getTime() ?? null,
    weight: effectiveWeight(k),
    maxConcurrent: k.maxConcurrent,
    quotas: { dailyTokens: k.dailyTokens, monthlyTokens: k.monthlyTokens, dailyRequests: k.dailyRequests },
    policy: k.policy,
    team,
  };
}

export async function createKeyStore({ changes, reloadMs = 5000 }: { changes?: ChangeFeed; reloadMs?: number }): Promise<KeyStore> {
  const byHash = new Map<string, Entry>();
  const hashesById = new Map<string, string[]>();
  // updatedAt of the row each key was cached from: a slow full reload must not put back an older
  // version (a revoked key accepted again) over a newer single-key reload.
  const versions = new Map<string, number>();
  const changeListeners: Array<(id: string) => void> = [];
  const used = new Map<string, number>();
  // The rows behind the principals, so a team's change rebuilds its keys' principals.
  const rows = new Map<string, ApiKey>();
  const teams = new Map<string, TeamView>();

  /** Caches a row unless a newer one is cached; returns whether the key's usability changed. */
  const put = (k: ApiKey): boolean => {
    const version = k.updatedAt.getTime();
    if ((versions.get(k.id) ?? -1) > version) return false;
    const before = hashesById.get(k.id)?.map((h) => byHash.get(h)?.revoked);
    for (const h of hashesById.get(k.id) ?? []) byHash.delete(h);
    rows.set(k.id, k);
    const principal = toPrincipal(k, k.teamId ? (teams.get(k.teamId) ?? null) : null);
    const hashes = [k.hash];
    byHash.set(k.hash, { principal, revoked: k.revokedAt !== null });
    if (k.previousHash && k.previousExpiresAt) {
      byHash.set(k.previousHash, { principal, revoked: k.revokedAt !== null, graceUntil: k.previousExpiresAt.getTime() });
      hashes.push(k.previousHash);
    }
    hashesById.set(k.id, hashes);
    versions.set(k.id, version);
    return before === undefined || before[0] !== (k.revokedAt !== null) || before.length !== hashes.length;
  };

  const notify = (id: string) => {
    for (const fn of changeListeners) fn(id);
  };

  const reloadAll = async () => {
    const [teamRows, keyRows] = await Promise.all([prisma.team.findMany(), prisma.apiKey.findMany()]);
    teams.clear();
    for (const t of teamRows) teams.set(t.id, toTeamView(t));
    for (const k of keyRows) if (put(k)) notify(k.id);
  };

  /** A team changed (or was deleted): its keys get principals with the new team. */
  const reloadTeam = async (id: string) => {
    const t = await prisma.team.findUnique({ where: { id } });
    if (t) teams.set(id, toTeamView(t));
    else teams.delete(id);
    for (const k of rows.values()) {
      if (k.teamId !== id) continue;
      // Same row, new team view: bypass the version check by rebuilding in place.
      versions.delete(k.id);
      put(k);
      notify(k.id);
    }
  };

  const reloadKey = async (id: string) => {
    const k = await prisma.apiKey.findUnique({ where: { id } });
    if (k) put(k);
    notify(id);
  };

  await reloadAll();
  changes?.on('key', (id) => void reloadKey(id).catch(() => {}));
  changes?.on('team', (id) => void reloadTeam(id).catch(() => {}));
  changes?.onResync(() => void reloadAll().catch(() => {}));
  const timer = setInterval(() => void reloadAll().catch(() => {}), reloadMs);
  timer.unref();

  const check = (entry: Entry | undefined): Principal => {
    if (!entry) throw errors.invalidKey();
    if (entry.revoked) throw errors.revokedKey();
    const now = Date.now();
    if (entry.graceUntil !== undefined && now >= entry.graceUntil) throw errors.invalidKey();
    if (entry.principal.expiresAt !== null && now >= entry.principal.expiresAt) throw errors.expiredKey();
    return entry.principal;
  };

  const store: KeyStore = {
    authenticate(authorization) {
      return store.authenticateSecret(bearerSecret(authorization));
    },
    authenticateSecret(secret, { touch = true } = {}) {
      const principal = check(byHash.get(hashSecret(secret)));
      if (touch) used.set(principal.keyId, Date.now());
      return principal;
    },
    isValid(keyId) {
      try {
        store.verify(keyId);
        return true;
      } catch {
        return false;
      }
    },
    verify(keyId) {
      const hashes = hashesById.get(keyId);
      check(hashes && byHash.get(hashes[0]));
    },
    onChange: (fn) => void changeListeners.push(fn),
    async flushLastUsed() {
      if (!used.size) return;
      const batch = [...used];
      used.clear();
      const ids = batch.map(([id]) => id);
      const times = batch.map(([, t]) => new Date(t));
      // Raw SQL so that updatedAt (which drives nothing here) is left alone and it is one statement.
      // timestamptz, then UTC: stored like every other Prisma DateTime whatever the machine's time zone.
      await prisma.$executeRaw`UPDATE "ApiKey" AS k SET "lastUsedAt" = v.t AT TIME ZONE 'UTC' FROM unnest(${ids}::text[], ${times}::timestamptz[]) AS v(id, t) WHERE k.id = v.id AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" < v.t AT TIME ZONE 'UTC')`;
    },
    reloadKey,
    reloadTeam,
    async close() {
      clearInterval(timer);
      await store.flushLastUsed().catch(() => {});
    },
  };
  return store;
}
