/**
 * Opens the gateway's database: the external PostgreSQL at DATABASE_URL, or an embedded one under
 * DATA_DIR; then brings its schema up to date with the committed migrations.
 */
import type { Config } from './config.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { applyMigrations } from './db/migrate.ts';
import type { Logger } from './log.ts';

export interface Database {
  connectionString: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function openGatewayDatabase({ config, log }: { config: Config; log: Logger }): Promise<Database> {
  let db: Database;
  if (config.databaseUrl) {
    db = { connectionString: config.databaseUrl, embedded: false, stop: async () => {} };
  } else {
    const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
    db = { connectionString: pg.connectionString, embedded: true, stop: pg.stop };
  }
  try {
    const applied = await applyMigrations({ connectionString: db.connectionString });
    if (applied.length) log.info({ applied }, 'applied database migrations');
  } catch (err) {
    await db.stop();
    throw err;
  }
  return db;
}
