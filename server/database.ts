/**
 * Opens the gateway's database: the external PostgreSQL at DATABASE_URL, or an embedded one under
 * DATA_DIR; then brings its schema up to date with the committed migrations.
 */
import { mkdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Config } from './config.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { applyMigrations } from './db/migrate.ts';
import type { Logger } from './log.ts';

export interface Database {
  connectionString: string;
  embedded: boolean;
  /** Where an embedded database keeps its data. */
  pgDir?: string;
  stop(): Promise<void>;
}

/** A start-up failure whose message is the whole story: printed as one line, no stack. */
export class StartupError extends Error {}

/**
 * DATA_DIR exists and is a folder, or is created. Folder by folder: Node's recursive mkdir spins
 * forever under /proc (DATA_DIR=/proc/x), where a plain mkdir fails at once.
 */
async function prepareDataDir(dataDir: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = dataDir; ; dir = path.dirname(dir)) {
    const st = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new StartupError(`DATA_DIR ${dataDir} cannot be used: ${dir} is not readable (${err.code}).`);
    });
    if (st?.isDirectory()) break;
    if (st) throw new StartupError(`DATA_DIR ${dataDir} cannot be used: ${dir} is not a folder.`);
    if (dir === path.dirname(dir)) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw new StartupError(`DATA_DIR ${dataDir} cannot be created: mkdir ${dir} failed (${err.code}).`);
    });
  }
}

/** Fails when host:port is taken, before anything else has been started. */
export function assertPortFree({ host, port, name }: { host: string; port: number; name: string }): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is taken by another program' : `cannot be used (${err.code})`;
      reject(new StartupError(`${name}=${port}: ${host}:${port} ${why}; stop that program or set ${name} to a free port.`));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** What a PostgreSQL or Prisma error says, on one line (Prisma's messages quote the calling code first). */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? 'unknown error';
}

export async function openGatewayDatabase({ config, log }: { config: Config; log: Logger }): Promise<Database> {
  await prepareDataDir(config.dataDir);
  let db: Database;
  if (config.databaseUrl) {
    db = { connectionString: config.databaseUrl, embedded: false, stop: async () => {} };
  } else {
    const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
    db = { connectionString: pg.connectionString, embedded: true, pgDir: pg.pgDir, stop: pg.stop };
  }
  try {
    const applied = await applyMigrations({ connectionString: db.connectionString });
    if (applied.length) log.info({ applied }, 'applied database migrations');
  } catch (err) {
    await db.stop();
    throw new StartupError(`The database${config.databaseUrl ? ' at DATABASE_URL' : ''} could not be migrated: ${oneLine(err)}`);
  }
  return db;
}
