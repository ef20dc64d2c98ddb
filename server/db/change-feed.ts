/**
 * Cross-process change notifications over PostgreSQL LISTEN/NOTIFY: when the keys CLI, a GraphQL
 * mutation or another replica changes a key or a model, every gateway sharing the database reloads
 * that one row within milliseconds. No Redis needed; the same database is the one thing replicas share.
 */
import pg from 'pg';
import { prisma } from './client.ts';
import type { Log } from '../log.ts';

const CHANNEL = 'ogw_changes';

export type ChangeKind = 'key' | 'model' | 'upstream' | 'team' | 'policy';
type Listener = (id: string) => void;

export interface ChangeFeed {
  on(kind: ChangeKind, fn: Listener): void;
  /** Called after (re)connecting, when notifications may have been missed. */
  onResync(fn: () => void): void;
  close(): Promise<void>;
}

/** Tells every listening gateway (this one included) that a row changed. */
export async function publishChange({ kind, id }: { kind: ChangeKind; id: string }): Promise<void> {
  await prisma.$executeRaw`SELECT pg_notify(${CHANNEL}, ${`${kind}:${id}`})`;
}

export async function createChangeFeed({
  connectionString,
  log,
  connectTimeoutMs = 5000,
}: {
  connectionString: string;
  log: Pick<Log, 'warn'> & Partial<Pick<Log, 'info'>>;
  connectTimeoutMs?: number;
}): Promise<ChangeFeed> {
  const listeners: Record<ChangeKind, Listener[]> = { key: [], model: [], upstream: [], team: [], policy: [] };
  const resync: Array<() => void> = [];
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  // One reconnect at a time, every second until the database answers (it may be restarting).
  const reconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect(false).catch(() => {});
    }, 1000);
  };

  const connect = async (first: boolean) => {
    // A connect timeout, or a frozen server would hold the reconnect loop forever.
    const c = new pg.Client({ connectionString, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true });
    let lost = false;
    c.on('notification', (msg) => {
      const [kind, ...rest] = (msg.payload ?? '').split(':');
      for (const fn of listeners[kind as ChangeKind] ?? []) fn(rest.join(':'));
    });
    c.on('error', (err) => {
      if (lost) return;
      lost = true;
      if (client === c) {
        client = undefined;
        log.warn({ err: err.message }, 'change feed connection lost; reconnecting');
      }
      c.end().catch(() => {});
      reconnect();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      lost = true;
      await c.end().catch(() => {});
      if (first) throw err;
      reconnect();
      return;
    }
    if (closed) return void c.end().catch(() => {});
    client = c;
    if (!first) {
      log.info?.({}, 'change feed reconnected');
      for (const fn of resync) fn();
    }
  };
  await connect(true);

  return {
    on: (kind, fn) => listeners[kind].push(fn),
    onResync: (fn) => resync.push(fn),
    async close() {
      closed = true;
      clearTimeout(retry);
      // A frozen server never acknowledges the goodbye.
      await Promise.race([client?.end().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}
