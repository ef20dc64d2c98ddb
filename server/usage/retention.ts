/**
 * Raw usage retention (USAGE_RETENTION_DAYS): deletes UsageRecord rows older than N days, whole UTC
 * hours at a time, in small batches with a pause between them, so no statement holds locks for long
 * and writers never wait. The rollups (UsageHourly, UsageDaily) are kept: reports over deleted hours
 * still show their totals. Replicas may all run it: SKIP LOCKED lets each batch take rows no other
 * replica is deleting.
 *
 * @example
 *   const retention = startUsageRetention({ days: 90, log });
 *   await retention.runOnce(); // also runs at start and every hour
 *   retention.stop();
 */
import { prisma } from '../db/client.ts';
import type { Log } from '../log.ts';

const HOUR = 3_600_000;

export interface UsageRetention {
  /** Deletes what is due now; resolves with how many rows went. */
  runOnce(now?: Date): Promise<number>;
  stop(): void;
}

/** The cutoff: raw rows before it are deleted. Hour-aligned, so an hour's raw rows go all together. */
export function retentionCutoff(days: number, now: Date): Date {
  return new Date(Math.floor((now.getTime() - days * 86_400_000) / HOUR) * HOUR);
}

export function startUsageRetention({
  days,
  log,
  batch = 5000,
  pauseMs = 50,
  intervalMs = HOUR,
  now = () => new Date(),
}: {
  days: number;
  log: Pick<Log, 'info' | 'warn'>;
  batch?: number;
  pauseMs?: number;
  intervalMs?: number;
  now?: () => Date;
}): UsageRetention {
  let stopped = false;
  let running: Promise<number> | undefined;
  const runOnce = (at = now()) => {
    running ??= (async () => {
      const cutoff = retentionCutoff(days, at);
      let total = 0;
      for (;;) {
        if (stopped) break;
        const n = await prisma.$executeRaw`
          DELETE FROM "UsageRecord" WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM "UsageRecord" WHERE "createdAt" < ${cutoff} LIMIT ${batch} FOR UPDATE SKIP LOCKED))`;
        total += n;
        if (n < batch) break;
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      if (total) log.info({ deleted: total, before: cutoff.toISOString() }, 'usage retention: deleted raw usage records (rollups kept)');
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => void runOnce().catch((err) => log.warn({ err: (err as Error).message }, 'usage retention failed; retried at the next run'));
  const first = setTimeout(tick, 10_000);
  const timer = setInterval(tick, intervalMs);
  first.unref();
  timer.unref();
  return {
    runOnce,
    stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
