/**
 * Replicas announce themselves through PostgreSQL: each writes a heartbeat row every HEARTBEAT_MS
 * (version, start time, requests in flight, Redis state), and counts the rows seen within LIVE_MS.
 * That count divides the limits when Redis is down (limits/resilient.ts); the rows are the
 * `replicas` GraphQL query. Times are the database's clock, so replicas' clocks need not agree.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { prisma } from '../db/client.ts';
import type { Log } from '../log.ts';

const HEARTBEAT_MS = 2000;
/** A replica is live when its last heartbeat is this recent (a few missed beats). */
const LIVE_MS = 6000;
/** Rows of replicas gone longer than this are deleted. */
const FORGET_MS = 24 * 3600_000;

export interface ReplicaInfo {
  id: string;
  version: string;
  startedAt: Date;
  lastHeartbeat: Date;
  inFlight: number;
  redisState: string;
  redisReason: string | null;
  live: boolean;
}

export interface ReplicaRegistry {
  /** This process's id (host name and a random tag). */
  id: string;
  /** Live replicas, this one included (at least 1; the last count seen if the database is unreachable). */
  live(): number;
  /** Every replica seen in the last day, live ones first. */
  list(): Promise<ReplicaInfo[]>;
  /** Writes the first heartbeat, then one every HEARTBEAT_MS. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createReplicaRegistry({
  version,
  inFlight,
  redis,
  log,
}: {
  version: string;
  inFlight: () => number;
  /** This replica's Redis state: "up", "down" or "none" (no REDIS_URL), and why it is down. */
  redis: () => { state: string; reason?: string };
  log: Pick<Log, 'warn'>;
}): ReplicaRegistry {
  const id = `${os.hostname()}-${randomBytes(3).toString('hex')}`;
  const startedAt = new Date();
  let live = 1;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  const beat = async () => {
    const { state, reason } = redis();
    try {
      const [, rows] = await prisma.$transaction([
        prisma.$executeRaw`INSERT INTO "Replica" ("id", "version", "startedAt", "lastHeartbeat", "inFlight", "redisState", "redisReason")
          VALUES (${id}, ${version}, ${startedAt}, now() AT TIME ZONE 'UTC', ${inFlight()}, ${state}, ${reason ?? null})
          ON CONFLICT ("id") DO UPDATE SET "lastHeartbeat" = EXCLUDED."lastHeartbeat", "inFlight" = EXCLUDED."inFlight",
            "redisState" = EXCLUDED."redisState", "redisReason" = EXCLUDED."redisReason"`,
        prisma.$queryRaw<Array<{ live: number }>>`SELECT count(*)::int AS live FROM "Replica"
          WHERE "lastHeartbeat" > now() AT TIME ZONE 'UTC' - ${LIVE_MS}::int * interval '1 millisecond'`,
      ]);
      live = Math.max(1, rows[0].live);
      failing = false;
    } catch (err) {
      // Keep the last count: the limits stay split as they were.
      if (!failing) log.warn({ err: (err as Error).message }, 'replica heartbeat failed; keeping the last replica count');
      failing = true;
    }
  };

  return {
    id,
    live: () => live,
    async list() {
      const rows = await prisma.$queryRaw<Array<Omit<ReplicaInfo, 'live'> & { live: boolean }>>`SELECT *,
        "lastHeartbeat" > now() AT TIME ZONE 'UTC' - ${LIVE_MS}::int * interval '1 millisecond' AS live FROM "Replica"
        WHERE "lastHeartbeat" > now() AT TIME ZONE 'UTC' - ${FORGET_MS}::int * interval '1 millisecond'
        ORDER BY live DESC, "startedAt"`;
      return rows;
    },
    async start() {
      await beat();
      await prisma.$executeRaw`DELETE FROM "Replica" WHERE "lastHeartbeat" < now() AT TIME ZONE 'UTC' - ${FORGET_MS}::int * interval '1 millisecond'`.catch(
        () => {},
      );
      timer = setInterval(() => void beat(), HEARTBEAT_MS);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      // Gone at once, so the others' share grows now rather than after LIVE_MS.
      await prisma.$executeRaw`DELETE FROM "Replica" WHERE "id" = ${id}`.catch(() => {});
    },
  };
}
