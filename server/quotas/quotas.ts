/**
 * Calendar quotas: tokens per day and per month, requests per day, of a key and of its team (both
 * hold). The engine reserves a request's worst case on every quota it is under in one atomic step
 * (all or nothing), then settles it to the real count, as the tokens-per-minute limit does. Periods
 * are calendar days and months in QUOTA_TIMEZONE (UTC by default), on an injectable clock. A period's
 * counters start from the usage table (after a flush of the recorder), so they survive restarts;
 * with REDIS_URL they live in Redis and every replica shares them.
 *
 * What counts: a request counts once it is admitted by its quotas (listing models does not); its
 * tokens are prompt plus completion, as the model counted them (or the estimate for a run cut short).
 *
 * @example
 *   const quotas = createQuotas({ store, timeZone: 'UTC', flush: () => usage.flush() });
 *   const r = await quotas.reserve({ principal, min: 120, max: 1120, detail: '...' }); // throws 429 quota_exceeded
 *   r.settle(actualTokens);
 */
import type { Principal } from '../auth/key-store.ts';
import { prisma } from '../db/client.ts';
import { errors, type QuotaHeader } from '../errors.ts';
import { type Period, type PeriodKind, periodOf } from './periods.ts';
import type { Counter, QuotaStore } from './store.ts';
import { UsageReport } from '../usage/reports.ts';

export type QuotaMetric = QuotaHeader['metric'];
export type QuotaScope = QuotaHeader['scope'];

const METRICS: readonly QuotaMetric[] = ['daily_tokens', 'monthly_tokens', 'daily_requests'];
const PERIOD_OF: Record<QuotaMetric, PeriodKind> = { daily_tokens: 'day', monthly_tokens: 'month', daily_requests: 'day' };
const FIELD_OF = { daily_tokens: 'dailyTokens', monthly_tokens: 'monthlyTokens', daily_requests: 'dailyRequests' } as const;

/** A subject's own quota settings (null: none). */
export interface QuotaSettings {
  dailyTokens: number | null;
  monthlyTokens: number | null;
  dailyRequests: number | null;
}

/** A key or a team, as quotas and alerts see it. */
interface QuotaSubject {
  type: QuotaScope;
  id: string;
  name: string;
  quotas: QuotaSettings;
  /** A key's team (for a team: itself), with its alert webhook. */
  team: { id: string; name: string; alertWebhookUrl: string | null } | null;
}

/** One quota in force, with what its period has used. */
export interface QuotaUsage {
  scope: QuotaScope;
  metric: QuotaMetric;
  limit: number;
  used: number;
  remaining: number;
  /** The period's id ("2026-12-01", "2026-12") and its end. */
  period: string;
  resetsAt: Date;
}

export type QuotaState = 'OK' | 'WARNING' | 'EXCEEDED';

/** What alerts/ is told each time a counter moves (or a request is refused for a quota). */
export interface QuotaObservation {
  subject: QuotaSubject;
  metric: QuotaMetric;
  period: Period;
  limit: number;
  used: number;
  /** A request was refused: what is left does not fit it. */
  refused: boolean;
}

interface QuotaReservation {
  /** Tokens granted on the token quotas (`max` when there are none). */
  granted: number;
  /** The tightest quota after this reservation, for X-Quota-* on the answer. */
  header: QuotaHeader | undefined;
  /** The request's real token count; the difference goes back to (or is taken from) the quotas. */
  settle(actual: number): void;
}

export interface Quotas {
  /** Whether any quota holds for this key (its own or its team's): when not, reserve is not needed. */
  inForce(principal: Principal): boolean;
  /**
   * Reserves one request and between `min` and `max` tokens on every quota of the key and its team,
   * atomically; a 429 quota_exceeded when one has no room, a 400 request_exceeds_quota when `min`
   * exceeds a whole token quota. `detail` words the need for that 400.
   */
  reserve(input: { principal: Principal; min: number; max: number; detail: string }): Promise<QuotaReservation>;
  /** Every quota in force for a subject (a key: its own, then its team's), with what its period used. */
  usage(subjects: QuotaSubject[]): Promise<QuotaUsage[]>;
  /** The clock quotas count periods on (Unix ms). */
  now(): number;
  readonly timeZone: string;
  periodOf(kind: PeriodKind): Period;
  close(): Promise<void>;
}

/** Requests refused before they ran: they are in the usage table but took nothing of a request quota. */
const REFUSED_STATUSES = [400, 403, 404, 405, 408, 413, 415, 429];

/**
 * What a subject used since `since` according to the usage table. Tokens come from the usage reports
 * (the rollups for whole hours: a month of a busy key is not re-summed row by row, and retention does
 * not shrink it); requests need the refused statuses left out, which only the raw rows know.
 */
async function usedSince(subject: Pick<QuotaSubject, 'type' | 'id'>, metric: QuotaMetric, since: number): Promise<number> {
  const owner = subject.type === 'key' ? { apiKeyId: subject.id } : { teamId: subject.id };
  if (metric === 'daily_requests')
    return prisma.usageRecord.count({ where: { ...owner, createdAt: { gte: new Date(since) }, status: { notIn: REFUSED_STATUSES } } });
  const totals = await new UsageReport({ from: new Date(since), ...owner }).totals();
  return totals.promptTokens + totals.completionTokens;
}

/** A key's principal as a quota subject, and its team's. */
export function subjectsOf(principal: Principal): QuotaSubject[] {
  const team = principal.team ? { id: principal.team.id, name: principal.team.name, alertWebhookUrl: principal.team.alertWebhookUrl } : null;
  const key: QuotaSubject = { type: 'key', id: principal.keyId, name: principal.name, quotas: principal.quotas, team };
  return principal.team ? [key, { type: 'team', id: principal.team.id, name: principal.team.name, quotas: principal.team.quotas, team }] : [key];
}

const hasQuota = (q: QuotaSettings) => q.dailyTokens !== null || q.monthlyTokens !== null || q.dailyRequests !== null;
const seconds = (ms: number) => Math.ceil(ms / 1000);

/** WARNING at 80% of any quota, EXCEEDED at 100%. */
export function quotaState(usages: QuotaUsage[]): QuotaState {
  let state: QuotaState = 'OK';
  for (const u of usages) {
    if (u.used >= u.limit) return 'EXCEEDED';
    if (u.used * 100 >= u.limit * 80) state = 'WARNING';
  }
  return state;
}

interface Slot {
  counter: Counter;
  subject: QuotaSubject;
  metric: QuotaMetric;
  period: Period;
}

export function createQuotas({
  store,
  timeZone = 'UTC',
  now = Date.now,
  flush,
  observe,
  seedFrom = usedSince,
}: {
  store: QuotaStore;
  /** What a subject used since a time, for a counter's seed: the usage table unless a bench says otherwise. */
  seedFrom?: typeof usedSince;
  timeZone?: string;
  now?: () => number;
  /** Writes the usage recorder's pending records, so that a seed read from the table includes them. */
  flush?: () => Promise<void>;
  /** Told of every counter's new value (alerts). */
  observe?: (o: QuotaObservation) => void;
}): Quotas {
  const seedOf = (subject: QuotaSubject, metric: QuotaMetric, period: Period) => async () => {
    try {
      if (flush) await withTimeout(flush(), 2000).catch(() => {});
      return await seedFrom(subject, metric, period.start);
    } catch {
      throw errors.quotaUnavailable();
    }
  };

  // The current day and month, computed again only once the clock leaves them (Intl is slow per call).
  const current = new Map<PeriodKind, Period>();
  const periodAt = (kind: PeriodKind, at: number) => {
    const p = current.get(kind);
    if (p && at >= p.start && at < p.end) return p;
    const next = periodOf(kind, at, timeZone);
    current.set(kind, next);
    return next;
  };

  const slotsOf = (subjects: QuotaSubject[], at: number): Slot[] => {
    const slots: Slot[] = [];
    // One hash tag for a key's and its team's counters (the team's id, else the key's), so that a
    // reservation's keys share a Redis Cluster slot and one script can take them all.
    const tag = subjects[0]?.team?.id ?? subjects[0]?.id;
    for (const subject of subjects) {
      for (const metric of METRICS) {
        const limit = subject.quotas[FIELD_OF[metric]];
        if (limit === null) continue;
        const period = periodAt(PERIOD_OF[metric], at);
        slots.push({
          subject,
          metric,
          period,
          counter: {
            id: `{${tag}}:${subject.type}:${subject.id}:${metric}:${period.id}`,
            kind: metric === 'daily_requests' ? 'requests' : 'tokens',
            limit,
            expiresAt: period.end,
            seed: seedOf(subject, metric, period),
          },
        });
      }
    }
    return slots;
  };

  // A principal's counters for the current periods, built once: principals are rebuilt when their key or team changes.
  const built = new WeakMap<Principal, { day: Period; month: Period; slots: Slot[]; counters: Counter[] }>();
  const slotsFor = (principal: Principal, at: number) => {
    const day = periodAt('day', at);
    const month = periodAt('month', at);
    const b = built.get(principal);
    if (b && b.day === day && b.month === month) return b;
    const slots = slotsOf(subjectsOf(principal), at);
    const fresh = { day, month, slots, counters: slots.map((s) => s.counter) };
    built.set(principal, fresh);
    return fresh;
  };

  const headerOf = (slot: Slot, used: number): QuotaHeader => ({
    scope: slot.subject.type,
    metric: slot.metric,
    limit: slot.counter.limit,
    remaining: Math.max(0, slot.counter.limit - used),
    reset: seconds(slot.period.end),
  });

  /** The quota with the smallest share left. */
  const tightest = (slots: Slot[], used: number[]): QuotaHeader | undefined => {
    let best: QuotaHeader | undefined;
    let bestShare = Number.POSITIVE_INFINITY;
    slots.forEach((s, i) => {
      const share = (s.counter.limit - used[i]) / s.counter.limit;
      if (share < bestShare) {
        bestShare = share;
        best = headerOf(s, used[i]);
      }
    });
    return best;
  };

  const tell = (slot: Slot, used: number, refused = false) =>
    observe?.({ subject: slot.subject, metric: slot.metric, period: slot.period, limit: slot.counter.limit, used, refused });

  const quotas: Quotas = {
    timeZone,
    now,
    periodOf: (kind) => periodAt(kind, now()),
    inForce: (principal) => hasQuota(principal.quotas) || (principal.team !== null && hasQuota(principal.team.quotas)),

    async reserve({ principal, min, max, detail }) {
      const at = now();
      const { slots, counters } = slotsFor(principal, at);
      for (const s of slots) {
        if (s.counter.kind === 'tokens' && min > s.counter.limit) throw errors.overQuota({ quota: headerOf(s, 0), name: s.subject.name, detail });
      }
      const result = await store.reserve({ counters, min, max });
      if (!result.allowed) {
        const slot = slots[result.failed!];
        const used = result.used[result.failed!];
        tell(slot, used, true);
        throw errors.quotaExceeded({
          quota: headerOf(slot, used),
          name: slot.subject.name,
          need: min,
          used,
          retryAfter: Math.max(1, seconds(slot.period.end - at)),
        });
      }
      slots.forEach((s, i) => {
        if (s.counter.kind === 'requests') tell(s, result.used[i]);
      });
      const { granted } = result;
      const hasTokens = slots.some((s) => s.counter.kind === 'tokens');
      return {
        granted,
        header: tightest(slots, result.used),
        settle(actual) {
          if (!hasTokens) return;
          void result.settle(actual - granted).then(
            (values) =>
              values.forEach((v, i) => {
                if (v !== undefined) tell(slots[i], v);
              }),
            () => {},
          );
        },
      };
    },

    async usage(subjects) {
      const slots = slotsOf(subjects, now());
      const used = await Promise.all(slots.map((s) => store.peek(s.counter)));
      return slots.map((s, i) => ({
        scope: s.subject.type,
        metric: s.metric,
        limit: s.counter.limit,
        used: used[i],
        remaining: Math.max(0, s.counter.limit - used[i]),
        period: s.period.id,
        resetsAt: new Date(s.period.end),
      }));
    },

    async close() {
      await store.close?.();
      if (active === quotas) active = undefined;
    },
  };
  return quotas;
}

/** Makes these the process's quotas, which the GraphQL views of keys and teams read (the app does this once). */
export function setProcessQuotas(quotas: Quotas): void {
  active = quotas;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * The process's quotas (the app's), for the GraphQL resolvers of keys and teams; like the Prisma
 * client, one per process. Without one (the CLI, the schema printer) usage is read from the table.
 */
let active: Quotas | undefined;

async function usageOf(subjects: QuotaSubject[]): Promise<QuotaUsage[]> {
  if (active) return active.usage(subjects);
  const at = Date.now();
  const out: QuotaUsage[] = [];
  for (const subject of subjects) {
    for (const metric of METRICS) {
      const limit = subject.quotas[FIELD_OF[metric]];
      if (limit === null) continue;
      const period = periodOf(PERIOD_OF[metric], at);
      const used = await usedSince(subject, metric, period.start);
      out.push({ scope: subject.type, metric, limit, used, remaining: Math.max(0, limit - used), period: period.id, resetsAt: new Date(period.end) });
    }
  }
  return out;
}

interface TeamRow extends QuotaSettings {
  id: string;
  name: string;
  alertWebhookUrl?: string | null;
}

const teamSubject = (team: TeamRow): QuotaSubject => ({
  type: 'team',
  id: team.id,
  name: team.name,
  quotas: { dailyTokens: team.dailyTokens, monthlyTokens: team.monthlyTokens, dailyRequests: team.dailyRequests },
  team: { id: team.id, name: team.name, alertWebhookUrl: team.alertWebhookUrl ?? null },
});

/**
 * Every quota of a team in force now, with what its period used (for `Team.quota` in the teams module).
 * @public
 */
export function teamQuotaUsage(team: TeamRow): Promise<QuotaUsage[]> {
  return usageOf([teamSubject(team)]);
}

/** Every quota in force on a key: its own, then its team's (for `ApiKey.quota` and GET /api/usage). */
export function keyQuotaUsage(key: QuotaSettings & { id: string; name: string }, team: TeamRow | null): Promise<QuotaUsage[]> {
  const t = team ? teamSubject(team) : null;
  const own: QuotaSubject = {
    type: 'key',
    id: key.id,
    name: key.name,
    quotas: { dailyTokens: key.dailyTokens, monthlyTokens: key.monthlyTokens, dailyRequests: key.dailyRequests },
    team: t?.team ?? null,
  };
  return usageOf(t ? [own, t] : [own]);
}
