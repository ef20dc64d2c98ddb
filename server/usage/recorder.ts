/**
 * Usage records, written off the request path, never lost short of losing the disk.
 *
 * Every flush interval the records accepted since the last one are appended to a spool file
 * (DATA_DIR/usage-spool.ndjson), then inserted in batches. Only once the database has confirmed a
 * batch is its part of the spool dropped, so a SIGKILL loses at most the last interval's records, and
 * a database that is down, frozen or slow only makes the spool grow: it is replayed as soon as the
 * database answers again. Every write has connect, statement and client-side timeouts. A crash
 * between a write and the spool's trimming replays that batch again, which the INSERT's ON CONFLICT
 * on the request id makes harmless.
 */
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appendFileSync, existsSync, readFileSync, unlinkSync } from 'node:fs';
import pg from 'pg';
import type { Log } from '../log.ts';

export interface UsageInput {
  id: string;
  apiKeyId: string;
  /** The key's team when the request ran. */
  teamId?: string | null;
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
  /** Spools what is pending, then writes the spool to the database; rejects if the database fails. */
  flush(): Promise<void>;
  /** For metrics: records not yet in the database, when the oldest of them was taken (null if unknown or none), and the unconfirmed spool's size. */
  stats(): { pending: number; oldestPendingAt: number | null; spoolBytes: number };
  /** Spools what is pending and writes what the database takes within timeoutMs; the rest stays spooled. */
  close(opts?: { timeoutMs?: number }): Promise<void>;
}

type Logger = Pick<Log, 'warn' | 'error' | 'info'>;

const BATCH = 1000;
/** Most of a spool read back from disk at once (a backlog from a long outage can be large). */
const READ_CHUNK = 4 * 1024 * 1024;
/** Longest pause between attempts while the database is down: replay starts within this of its return. */
const RETRY_MAX_MS = 1000;

/** A run of spool lines not yet confirmed by the database; rows stay in memory up to maxPending. */
interface Segment {
  bytes: number;
  rows?: UsageInput[];
  /** Records in it and when the first was taken, when known (not for a spool left by an earlier run). */
  count?: number;
  firstAt?: number;
}

/** Errors about the rows themselves (data exceptions, constraint violations), not about the database. */
const isRowError = (err: unknown) => /^2[23]/.test(String((err as { code?: unknown })?.code ?? ''));

export async function createUsageRecorder({
  connectionString,
  flushMs,
  spoolFile: requestedSpool,
  log,
  connectTimeoutMs = 5000,
  statementTimeoutMs = 10_000,
  maxPending = 100_000,
}: {
  connectionString: string;
  flushMs: number;
  spoolFile: string;
  log: Logger;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Most records held in memory; past that the spool on disk is their only copy until written. */
  maxPending?: number;
}): Promise<UsageRecorder> {
  await mkdir(path.dirname(requestedSpool), { recursive: true }); // DATA_DIR need not exist with an external database
  const { file: spoolFile, release } = await claimSpool({ file: requestedSpool, log });
  let queue: UsageInput[] = []; // accepted, not yet on disk
  const segments: Segment[] = []; // on disk, not yet in the database, oldest first
  let held = 0; // rows of `segments` kept in memory
  let done = 0; // bytes at the start of the spool the database already has
  const doneFile = `${spoolFile}.done`;
  const rejectedFile = spoolFile.replace(/(\.ndjson)?$/, '-rejected.ndjson');
  const listeners = new Set<(rec: UsageInput) => void>();
  let tickTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let failures = 0;
  let closed = false;
  let diskFailed = false;

  // One statement per batch, columns as arrays, on a small pg pool of its own: Prisma's createMany
  // cost a quarter of the gateway's CPU under load, and even its raw queries cost several times this.
  // query_timeout is the client's own clock: a frozen server never answers a statement_timeout.
  const pool = new pg.Pool({
    connectionString,
    max: 2,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    keepAlive: true,
  });
  pool.on('error', (err) => log.warn({ err: err.message }, 'usage database connection lost'));
  const write = async (batch: UsageInput[]) => {
    // The batch as one JSON parameter: JSON.stringify is native, where pg builds sixteen array literals in
    // JavaScript (the recorder's largest share of the gateway's allocations under load). An ISO time
    // (UTC) read as timestamptz and stored in UTC, as Prisma does; a missing optional field is NULL.
    await pool.query(
      `INSERT INTO "UsageRecord" ("id", "apiKeyId", "model", "surface", "endpoint", "status", "error", "stream", "promptTokens", "completionTokens", "latencyMs", "ttftMs", "createdAt", "queueWaitMs", "upstream", "teamId")
       SELECT "id", "apiKeyId", "model", "surface", "endpoint", "status", "error", "stream", "promptTokens", "completionTokens", "latencyMs", "ttftMs", "createdAt" AT TIME ZONE 'UTC', "queueWaitMs", "upstream", "teamId"
       FROM json_to_recordset($1::json) AS u("id" text, "apiKeyId" text, "model" text, "surface" text, "endpoint" text, "status" int, "error" text, "stream" bool, "promptTokens" int, "completionTokens" int, "latencyMs" int, "ttftMs" int, "createdAt" timestamptz, "queueWaitMs" int, "upstream" text, "teamId" text)
       ON CONFLICT ("id") DO NOTHING`,
      [JSON.stringify(batch)],
    );
  };

  // A batch the database refuses for its content has a bad row in it: write row by row and set the
  // refused rows aside (logged, kept on disk) instead of blocking every later record.
  const isolate = async (batch: UsageInput[]) => {
    const refused: UsageInput[] = [];
    for (const row of batch) {
      await write([row]).catch((err) => {
        if (!isRowError(err)) throw err; // the database went away meanwhile: retry the whole batch later
        refused.push(row);
      });
    }
    if (!refused.length) return;
    await appendFile(rejectedFile, `${refused.map((r) => JSON.stringify(r)).join('\n')}\n`);
    log.error({ records: refused.length, file: rejectedFile }, 'the database refused some usage records; kept on disk');
  };

  const writeAll = async (rows: UsageInput[]) => {
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      await write(batch).catch((err) => {
        if (!isRowError(err)) throw err;
        return isolate(batch);
      });
    }
  };

  // Spool file operations run one at a time: appends never interleave with trimming.
  let fileOps: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = fileOps.then(fn);
    fileOps = next.catch(() => {});
    return next;
  };

  const toRecord = (line: string): UsageInput | undefined => {
    try {
      const r = JSON.parse(line);
      return { ...r, createdAt: new Date(r.createdAt) } as UsageInput;
    } catch {
      return undefined;
    }
  };

  /** Appends the records accepted since the last call to the spool. */
  const persist = () =>
    exclusive(async () => {
      if (!queue.length) return;
      const rows = queue;
      queue = [];
      const text = Buffer.from(`${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
      try {
        await appendFile(spoolFile, text);
      } catch (err) {
        // Without a disk the database is the only place left: keep the rows for the writer.
        queue = rows.concat(queue);
        if (!diskFailed) log.error({ err: (err as Error).message, spoolFile }, 'cannot append to the usage spool; writing to the database only');
        diskFailed = true;
        return;
      }
      if (diskFailed) log.info({ spoolFile }, 'usage spool writable again');
      diskFailed = false;
      const keep = held + rows.length <= maxPending;
      segments.push({ bytes: text.length, rows: keep ? rows : undefined, count: rows.length, firstAt: rows[0].createdAt.getTime() });
      if (keep) held += rows.length;
    });

  /** Drops the first `bytes` of unconfirmed spool: the database has them. */
  const confirm = (bytes: number) =>
    exclusive(async () => {
      done += bytes;
      const size = (await stat(spoolFile).catch(() => undefined))?.size ?? 0;
      if (done >= size) {
        // The done mark goes first: a crash between the two replays rows, never skips them.
        await rm(doneFile, { force: true });
        await rm(spoolFile, { force: true });
        done = 0;
      } else {
        await writeFile(`${doneFile}.tmp`, String(done));
        await rename(`${doneFile}.tmp`, doneFile);
      }
    });

  /** Reads the oldest unconfirmed spool lines back from disk (rows past the memory bound). */
  const readBack = async (limit: number): Promise<{ rows: UsageInput[]; bytes: number }> => {
    const fh = await open(spoolFile, 'r');
    try {
      const buf = Buffer.alloc(Math.min(limit, READ_CHUNK));
      const { bytesRead } = await fh.read(buf, 0, buf.length, done);
      let end = buf.subarray(0, bytesRead).lastIndexOf(10) + 1;
      if (end === 0) end = bytesRead; // a single line longer than a chunk: never expected, but do not stall
      const lines = buf.subarray(0, end).toString('utf8').split('\n').filter(Boolean);
      const rows = lines.map(toRecord).filter((r): r is UsageInput => !!r);
      if (rows.length < lines.length) log.error({ lines: lines.length - rows.length, spoolFile }, 'skipped unreadable lines in the usage spool');
      return { rows, bytes: end };
    } finally {
      await fh.close();
    }
  };

  /** Writes the spool to the database, oldest first, until it is empty; rejects on a database failure. */
  const drainOnce = async () => {
    while (segments.length || (diskFailed && queue.length)) {
      if (!segments.length) {
        // The disk refused the spool: write straight from memory.
        const rows = queue.slice(0, BATCH);
        await writeAll(rows);
        const written = new Set(rows); // the queue may have been spooled and refilled meanwhile
        queue = queue.filter((r) => !written.has(r));
        continue;
      }
      const first = segments[0];
      if (first.rows) {
        // Consecutive in-memory segments go together, up to a batch.
        let n = 0;
        let rows: UsageInput[] = [];
        let bytes = 0;
        while (n < segments.length && segments[n].rows && (n === 0 || rows.length + segments[n].rows!.length <= BATCH)) {
          rows = rows.concat(segments[n].rows!);
          bytes += segments[n].bytes;
          n++;
        }
        await writeAll(rows);
        segments.splice(0, n);
        held -= rows.length;
        await confirm(bytes);
      } else {
        const { rows, bytes } = await exclusive(() => readBack(first.bytes));
        await writeAll(rows);
        first.bytes -= bytes;
        if (first.bytes <= 0) segments.shift();
        await confirm(bytes);
      }
    }
  };

  const drain = (): Promise<void> => {
    if (!writing) {
      writing = drainOnce()
        .then(() => {
          if (failures) log.info({ attempts: failures }, 'usage database answering again; spooled records written');
          failures = 0;
        })
        .catch((err) => {
          failures++;
          if (failures === 1)
            log.warn(
              { err: (err as Error).message, spooled: segments.reduce((n, s) => n + s.bytes, 0) },
              'usage write failed; records stay in the spool and are retried',
            );
          throw err;
        })
        .finally(() => {
          writing = undefined;
        });
    }
    return writing;
  };

  /** One attempt now; on failure, another after a back-off, until the database takes everything. */
  const attempt = () => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    drain().catch(() => {
      if (closed || retryTimer) return;
      retryTimer = setTimeout(attempt, Math.min(RETRY_MAX_MS, flushMs * 2 ** failures));
      retryTimer.unref();
    });
  };

  const tick = () => {
    tickTimer = undefined;
    void persist().then(() => {
      // While the database is down the retry timer owns the pace; otherwise write now.
      if (!writing && !retryTimer && !closed) attempt();
    });
  };

  const schedule = () => {
    if (!tickTimer && !closed) tickTimer = setTimeout(tick, flushMs);
  };

  // What a previous run did not confirm: the spool after its done mark. A torn last line (a kill
  // mid-append) is closed with a newline so that it cannot swallow the next record.
  await rm(`${doneFile}.tmp`, { force: true });
  if (existsSync(spoolFile)) {
    const size = (await stat(spoolFile)).size;
    const mark = Number((await readFile(doneFile, 'utf8').catch(() => '0')).trim());
    done = Number.isInteger(mark) && mark >= 0 && mark <= size ? mark : 0;
    if (size > done) {
      segments.push({ bytes: size - done });
      log.info({ bytes: size - done, spoolFile }, 'replaying spooled usage records');
      attempt();
    } else {
      await rm(doneFile, { force: true });
      await rm(spoolFile, { force: true });
      done = 0;
    }
  }

  // process.exit() (a hard exit at the shutdown deadline, a fatal error) skips timers: spool what is left.
  const spoolNow = () => {
    if (!queue.length) return;
    try {
      appendFileSync(spoolFile, `${queue.map((r) => JSON.stringify(r)).join('\n')}\n`);
      queue = [];
    } catch {
      // nothing more can be done while exiting
    }
  };
  process.once('exit', spoolNow);

  return {
    record(rec) {
      queue.push(rec);
      if (closed) spoolNow(); // a run cut at shutdown, finishing after close()
      for (const fn of listeners) {
        try {
          fn(rec);
        } catch {
          // a listener's failure must not lose the record
        }
      }
      if (queue.length >= BATCH && !closed) {
        clearTimeout(tickTimer);
        tick();
      } else schedule();
    },
    onRecord(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stats: () => {
      let pending = queue.length;
      let spoolBytes = 0;
      for (const s of segments) {
        pending += s.count ?? 0;
        spoolBytes += s.bytes;
      }
      const oldest = segments.length ? segments[0].firstAt : queue[0]?.createdAt.getTime();
      return { pending, oldestPendingAt: oldest ?? null, spoolBytes };
    },
    async flush() {
      await persist();
      await writing?.catch(() => {});
      await drain();
    },
    async close({ timeoutMs = 5000 } = {}) {
      closed = true;
      clearTimeout(tickTimer);
      clearTimeout(retryTimer);
      await persist();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const result = await Promise.race([
        (async () => {
          await writing?.catch(() => {});
          await drain();
        })().then(
          () => 'ok' as const,
          () => 'failed' as const,
        ),
        deadline,
      ]);
      clearTimeout(timer);
      if (result !== 'ok') {
        const bytes = segments.reduce((n, s) => n + s.bytes, 0);
        log.error(
          { bytes, spoolFile, reason: result === 'late' ? 'database too slow' : 'database unavailable' },
          'usage records not yet written stay in the spool; they are written when the database answers again',
        );
        if (diskFailed && queue.length) log.error({ records: queue.length }, 'usage records lost: neither the database nor the spool would take them');
      }
      release();
      process.off('exit', spoolNow);
      // A frozen server would hold pool.end() forever.
      await Promise.race([pool.end().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Ends a file with a newline if a kill cut its last line short, so that it cannot swallow the next one. */
async function closeTornLine(file: string) {
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  if (!size) return;
  const fh = await open(file, 'r');
  const last = Buffer.alloc(1);
  await fh.read(last, 0, 1, size - 1).finally(() => fh.close());
  if (last[0] !== 10) await appendFile(file, '\n');
}

/**
 * One process per spool: trimming it would drop another's records. A second live process on the same
 * DATA_DIR keeps a spool of its own (usage-spool-<pid>.ndjson), which the owner of the main spool
 * adopts at its next start once that process is gone.
 */
async function claimSpool({ file, log }: { file: string; log: Logger }): Promise<{ file: string; release(): void }> {
  const lock = `${file}.lock`;
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && alive(pid)) {
        const own = file.replace(/(\.ndjson)?$/, `-${process.pid}.ndjson`);
        log.warn({ pid, spoolFile: own }, 'another gateway process uses this DATA_DIR; this one spools usage to a file of its own');
        return { file: own, release: () => {} };
      }
      await rm(lock, { force: true }); // its owner is gone
    }
  }
  await closeTornLine(file);
  const dir = path.dirname(file);
  const base = path
    .basename(file)
    .replace(/\.ndjson$/, '')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const name of await readdir(dir)) {
    const m = new RegExp(`^${base}-(\\d+)\\.ndjson$`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const orphan = path.join(dir, name);
    await closeTornLine(orphan);
    const mark = Number((await readFile(`${orphan}.done`, 'utf8').catch(() => '0')).trim()) || 0;
    const content = await readFile(orphan);
    // Appended before the orphan goes: a crash in between replays its rows twice, which counts them once.
    await appendFile(file, content.subarray(Math.min(mark, content.length)));
    await rm(`${orphan}.done`, { force: true });
    await rm(orphan, { force: true });
    log.info({ from: orphan }, 'adopted the usage spool of a gateway process that is gone');
  }
  return {
    file,
    release() {
      try {
        if (readFileSync(lock, 'utf8').trim() === String(process.pid)) unlinkSync(lock);
      } catch {
        // already gone
      }
    },
  };
}
