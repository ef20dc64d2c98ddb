/**
 * Usage records, written off the request path: records queue in memory and are inserted in batches
 * (createMany, skipDuplicates on the request id, so a retried batch never counts twice). A failed
 * write keeps the batch and retries with backoff; at shutdown whatever the database would not take
 * is appended to a spool file that the next start replays, so nothing answered is lost.
 */
import { appendFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import pg from 'pg';

export interface UsageInput {
  id: string;
  apiKeyId: string;
  model: string;
  surface: 'rest' | 'openai' | 'responses' | 'anthropic' | 'ollama' | 'graphql';
  endpoint: string;
  status: number;
  error?: string | null;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  ttftMs?: number | null;
  createdAt: Date;
  /** Time spent waiting for a slot in the gateway's queue. */
  queueWaitMs?: number | null;
  /** Name of the upstream server that answered. */
  upstream?: string | null;
}

export interface UsageRecorder {
  record(rec: UsageInput): void;
  /** Listeners see each record as it is accepted (the live usage feed). */
  onRecord(fn: (rec: UsageInput) => void): () => void;
  flush(): Promise<void>;
  /** For metrics: records not yet written, and when the oldest of them was taken. */
  stats(): { pending: number; oldestPendingAt: number | null };
  close(opts?: { timeoutMs?: number }): Promise<void>;
}

interface Logger {
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
  info(o: object, m?: string): void;
}

const BATCH = 1000;

export async function createUsageRecorder({
  connectionString,
  flushMs,
  spoolFile,
  log,
}: {
  connectionString: string;
  flushMs: number;
  spoolFile: string;
  log: Logger;
}): Promise<UsageRecorder> {
  let queue: UsageInput[] = [];
  const listeners = new Set<(rec: UsageInput) => void>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let failures = 0;

  // One statement per batch, columns as arrays, on a small pg pool of its own: Prisma's createMany
  // cost a quarter of the gateway's CPU under load, and even its raw queries cost several times this.
  // ON CONFLICT keeps a retried batch from counting twice.
  const pool = new pg.Pool({ connectionString, max: 2 });
  pool.on('error', (err) => log.warn({ err: err.message }, 'usage database connection lost'));
  const write = async (batch: UsageInput[]) => {
    const col = <K extends keyof UsageInput>(k: K) => batch.map((r) => r[k] ?? null);
    await pool.query(
      // pg sends a Date in the machine's local time with its offset: read it as timestamptz and store
      // it in UTC, as Prisma does, or createdAt is off by the offset on any machine not set to UTC.
      `INSERT INTO "UsageRecord" ("id", "apiKeyId", "model", "surface", "endpoint", "status", "error", "stream", "promptTokens", "completionTokens", "latencyMs", "ttftMs", "createdAt", "queueWaitMs", "upstream")
       SELECT id, k, m, s, e, st, er, str, pt, ct, l, t, c AT TIME ZONE 'UTC', q, up
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bool[], $9::int[], $10::int[], $11::int[], $12::int[], $13::timestamptz[], $14::int[], $15::text[])
         AS u(id, k, m, s, e, st, er, str, pt, ct, l, t, c, q, up)
       ON CONFLICT ("id") DO NOTHING`,
      [col('id'), col('apiKeyId'), col('model'), col('surface'), col('endpoint'), col('status'), col('error'), col('stream'), col('promptTokens'), col('completionTokens'), col('latencyMs'), col('ttftMs'), col('createdAt'), col('queueWaitMs'), col('upstream')],
    );
  };

  // A batch the database keeps refusing while other writes succeed has a bad row in it: write row by
  // row and set the refused rows aside (logged, kept on disk) instead of blocking every later record.
  const isolate = async (batch: UsageInput[]): Promise<boolean> => {
    const refused: UsageInput[] = [];
    for (const row of batch) await write([row]).catch(() => refused.push(row));
    if (refused.length === batch.length) return false; // nothing goes in: the database is down, not the rows
    await appendFile(rejectedFile, refused.map((r) => JSON.stringify(r)).join('\n') + '\n');
    log.error({ records: refused.length, file: rejectedFile }, 'the database refused some usage records; kept on disk');
    return true;
  };

  const flushOnce = async () => {
    while (queue.length) {
      const batch = queue.slice(0, BATCH);
      try {
        await write(batch);
      } catch (err) {
        failures++;
        log.warn({ err: (err as Error).message, pending: queue.length }, 'usage write failed; will retry');
        if (failures < 3 || !(await isolate(batch))) throw err;
      }
      queue = queue.slice(batch.length);
      failures = 0;
    }
    // Everything replayed from the spool is in the database now.
    if (spooled) {
      await rm(spoolFile, { force: true });
      spooled = false;
    }
  };

  const flush = (): Promise<void> => {
    if (!writing) {
      writing = flushOnce().finally(() => {
        writing = undefined;
      });
    }
    return writing;
  };

  const schedule = (delay = flushMs) => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch(() => schedule(Math.min(30_000, flushMs * 2 ** failures)));
    }, delay);
  };

  // What a previous run could not write goes first in the queue; the file goes once it is written.
  const rejectedFile = spoolFile.replace(/(\.ndjson)?$/, '-rejected.ndjson');
  let spooled = existsSync(spoolFile);
  if (spooled) {
    const lines = (await readFile(spoolFile, 'utf8')).split('\n').filter(Boolean);
    queue = lines.map((l) => {
      const r = JSON.parse(l);
      return { ...r, createdAt: new Date(r.createdAt) } as UsageInput;
    });
    log.info({ records: queue.length }, 'replaying spooled usage records');
    schedule(0);
  }

  return {
    record(rec) {
      queue.push(rec);
      for (const fn of listeners) {
        try {
          fn(rec);
        } catch {
          // a listener's failure must not lose the record
        }
      }
      if (queue.length >= BATCH) void flush().catch(() => schedule());
      else schedule();
    },
    onRecord(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    flush: () => flush(),
    stats: () => ({ pending: queue.length, oldestPendingAt: queue.length ? queue[0].createdAt.getTime() : null }),
    async close({ timeoutMs = 10_000 } = {}) {
      clearTimeout(timer);
      timer = undefined;
      const deadline = Date.now() + timeoutMs;
      while (queue.length && Date.now() < deadline) {
        try {
          await flush();
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      if (queue.length) {
        // The queue holds every record not yet written, replayed ones included: it replaces the spool.
        await writeFile(`${spoolFile}.tmp`, queue.map((r) => JSON.stringify(r)).join('\n') + '\n');
        await rename(`${spoolFile}.tmp`, spoolFile);
        log.error({ records: queue.length, spoolFile }, 'database unavailable at shutdown; usage spooled to disk and will be written at next start');
        queue = [];
      }
      await pool.end().catch(() => {});
    },
  };
}
