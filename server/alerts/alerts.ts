/**
 * Quota alerts: a JSON POST to the global webhook (ALERT_WEBHOOK_URL) and the team's own
 * (Team.alertWebhookUrl) when a key or a team reaches 80% and 100% of a quota, once per subject,
 * metric, period and threshold across every replica: the replica whose INSERT into QuotaAlert wins
 * (ON CONFLICT DO NOTHING) sends it. Deliveries never block a request (a queue off the hot path), are
 * retried with exponential backoff up to ALERT_MAX_ATTEMPTS, and every attempt is logged and
 * recorded on its row (attempts, lastError, deliveredAt). Rows left undelivered by a previous run are
 * retried at start. The body never holds a secret: no key, no webhook URL.
 *
 * @example
 *   const alerts = createAlerts({ globalUrl, maxAttempts: 6, retryMs: 1000, timeoutMs: 5000, log });
 *   quotas = createQuotas({ ..., observe: alerts.observe });
 */
import { request } from 'undici';
import { prisma } from '../db/client.ts';
import type { QuotaAlert } from '../db/generated/client.ts';
import type { Log } from '../log.ts';
import { periodOf } from '../quotas/periods.ts';
import type { QuotaMetric, QuotaObservation, QuotaScope } from '../quotas/quotas.ts';

const THRESHOLDS = [80, 100] as const;

interface AlertBody {
  /** quota.warning at 80%, quota.exceeded at 100%. */
  event: 'quota.warning' | 'quota.exceeded';
  id: string;
  subject: { type: QuotaScope; id: string; name: string; team: { id: string; name: string } | null };
  metric: QuotaMetric;
  threshold: number;
  used: number;
  limit: number;
  period: string;
  resetsAt: string;
  timestamp: string;
}

export interface Alerts {
  /** Told of every quota counter's new value; sends what crossed a threshold (never waits). */
  observe(o: QuotaObservation): void;
  /** Retries what a previous run left undelivered. */
  start(): Promise<void>;
  /** Deliveries still queued or waiting for a retry (tests, shutdown). */
  pending(): number;
  close(): Promise<void>;
}

type Logger = Pick<Log, 'info' | 'warn'>;

/** Only the origin of a webhook is logged: its path or query may hold a token. */
const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
};

export function createAlerts({
  globalUrl,
  maxAttempts,
  retryMs,
  timeoutMs,
  log,
  now = Date.now,
  timeZone = 'UTC',
}: {
  globalUrl?: string;
  maxAttempts: number;
  retryMs: number;
  timeoutMs: number;
  log: Logger;
  now?: () => number;
  timeZone?: string;
}): Alerts {
  // Thresholds this process already handled (sent, or found sent by another replica): no second INSERT.
  const seen = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let closed = false;

  const sweep = setInterval(() => {
    const t = now();
    for (const [k, end] of seen) if (end <= t) seen.delete(k);
  }, 3_600_000);
  sweep.unref();

  const post = async (url: string, body: AlertBody): Promise<void> => {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'ollama-gateway-alerts', 'x-ogw-alert-id': body.id },
      body: JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
  };

  /** One attempt to every target not yet reached; schedules the next one with a doubled delay. */
  const attempt = async (row: QuotaAlert, body: AlertBody, targets: string[], n: number): Promise<void> => {
    const failures: string[] = [];
    const left: string[] = [];
    for (const url of targets) {
      try {
        await post(url, body);
        log.info({ alert: row.id, event: body.event, target: originOf(url), attempt: n }, 'quota alert delivered');
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        failures.push(`${originOf(url)}: ${reason}`);
        left.push(url);
        log.warn({ alert: row.id, event: body.event, target: originOf(url), attempt: n, err: reason }, 'quota alert delivery failed');
      }
    }
    const done = left.length === 0;
    await prisma.quotaAlert
      .update({
        where: { id: row.id },
        data: { attempts: n, lastError: done ? null : failures.join('; ').slice(0, 500), ...(done ? { deliveredAt: new Date(now()) } : {}) },
      })
      .catch((err) => log.warn({ alert: row.id, err: (err as Error).message }, 'quota alert state not saved'));
    if (done || closed) return;
    if (n >= maxAttempts) {
      log.warn({ alert: row.id, event: body.event, attempts: n }, 'quota alert given up');
      return;
    }
    schedule(() => attempt(row, body, left, n + 1), retryMs * 2 ** (n - 1));
  };

  const schedule = (fn: () => Promise<void>, delay: number) => {
    inFlight++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void fn().finally(() => inFlight--);
    }, delay);
    timers.add(timer);
  };

  const bodyOf = (row: QuotaAlert, subject: AlertBody['subject'], resetsAt: number): AlertBody => ({
    event: row.threshold >= 100 ? 'quota.exceeded' : 'quota.warning',
    id: row.id,
    subject,
    metric: row.metric as QuotaMetric,
    threshold: row.threshold,
    used: row.used,
    limit: row.limit,
    period: row.period,
    resetsAt: new Date(resetsAt).toISOString(),
    timestamp: new Date(now()).toISOString(),
  });

  /** Claims the alert (first replica wins), then sends it. */
  const claimAndSend = async (o: QuotaObservation, threshold: number, targets: string[]) => {
    const created = await prisma.quotaAlert.createManyAndReturn({
      data: [
        {
          subjectType: o.subject.type,
          subjectId: o.subject.id,
          metric: o.metric,
          period: o.period.id,
          threshold,
          used: o.used,
          limit: o.limit,
          createdAt: new Date(now()),
        },
      ],
      skipDuplicates: true,
    });
    const row = created[0];
    if (!row) return; // another replica (or an earlier run) has it
    const team = o.subject.type === 'key' && o.subject.team ? { id: o.subject.team.id, name: o.subject.team.name } : null;
    await attempt(row, bodyOf(row, { type: o.subject.type, id: o.subject.id, name: o.subject.name, team }, o.period.end), targets, 1);
  };

  return {
    observe(o) {
      if (closed) return;
      const targets = [globalUrl, o.subject.team?.alertWebhookUrl].filter((u): u is string => !!u);
      if (!targets.length) return;
      for (const threshold of THRESHOLDS) {
        const reached = threshold === 100 ? o.used >= o.limit || o.refused : o.used * 100 >= o.limit * threshold;
        if (!reached) continue;
        const id = `${o.subject.type}:${o.subject.id}:${o.metric}:${o.period.id}:${threshold}`;
        if (seen.has(id)) continue;
        seen.set(id, o.period.end);
        schedule(
          () =>
            claimAndSend(o, threshold, targets).catch((err) => {
              // Not claimed (the database failed): let a later request try again.
              seen.delete(id);
              log.warn({ err: (err as Error).message, metric: o.metric, threshold }, 'quota alert not recorded');
            }),
          0,
        );
      }
    },

    async start() {
      const rows = await prisma.quotaAlert.findMany({
        where: { deliveredAt: null, attempts: { lt: maxAttempts }, createdAt: { gt: new Date(now() - 2 * 86_400_000) } },
        take: 1000,
      });
      for (const row of rows) {
        const subject =
          row.subjectType === 'key'
            ? await prisma.apiKey.findUnique({ where: { id: row.subjectId }, include: { team: true } }).then(
                (k) =>
                  k && {
                    type: 'key' as const,
                    id: k.id,
                    name: k.name,
                    team: k.team ? { id: k.team.id, name: k.team.name } : null,
                    hook: k.team?.alertWebhookUrl,
                  },
              )
            : await prisma.team
                .findUnique({ where: { id: row.subjectId } })
                .then((t) => t && { type: 'team' as const, id: t.id, name: t.name, team: null, hook: t.alertWebhookUrl });
        if (!subject) continue;
        const targets = [globalUrl, subject.hook].filter((u): u is string => !!u);
        if (!targets.length) continue;
        const kind = row.period.length > 7 ? 'day' : 'month';
        // The period's end from its id: the first instant of the next period in the configured zone.
        const [y, m, d] = row.period.split('-').map(Number);
        const inPeriod = kind === 'day' ? Date.UTC(y, m - 1, d, 12) : Date.UTC(y, m - 1, 15);
        const { hook: _hook, ...shown } = subject;
        const body = bodyOf(row, shown, periodOf(kind, inPeriod, timeZone).end);
        schedule(() => attempt(row, body, targets, row.attempts + 1), 0);
      }
      if (rows.length) log.info({ alerts: rows.length }, 'retrying undelivered quota alerts');
    },

    pending: () => inFlight,

    async close() {
      closed = true;
      clearInterval(sweep);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
