/**
 * `npm start`: config -> database (embedded or external) -> migrations -> bootstrap admin key ->
 * HTTP server. SIGTERM or Ctrl-C drains requests, flushes usage (what the database does not take in
 * time stays in the spool), then stops the embedded database; no step waits on a dead or frozen
 * database past its own deadline.
 */
import { createApp } from './app.ts';
import { type Config, ConfigError, loadConfig, readEnvironment } from './config.ts';
import { type Database, openGatewayDatabase } from './database.ts';
import { createLogger } from './log.ts';

let config: Config;
try {
  config = loadConfig(readEnvironment());
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  throw err;
}
const log = createLogger({ level: config.logLevel, format: config.logFormat });
const started = Date.now();

let db: Database;
try {
  db = await openGatewayDatabase({ config, log });
} catch (err) {
  log.fatal({ err: (err as Error).message }, 'could not open the database');
  process.exit(1);
}

const app = await createApp({ config, connectionString: db.connectionString, log });
const generated = app.generatedAdminKey;
let url: string;
try {
  url = await app.start();
} catch (err) {
  log.fatal({ err: (err as Error).message }, `could not listen on ${config.host}:${config.port}`);
  await app.stop().catch(() => {});
  await db.stop();
  process.exit(1);
}
if (generated) {
  // Printed once, to the terminal only (not the log): it is stored as a hash and cannot be shown again.
  process.stderr.write(`\n  Admin key (shown once, keep it safe):\n\n    ${generated}\n\n  Console: ${url}/admin   GraphiQL: ${url}/graphql\n\n`);
}

// Last, after the banner: "gateway ready" means everything a user needs has been printed.
log.info({ url, database: db.embedded ? 'embedded' : 'external', ollama: config.ollamaUrls, ms: Date.now() - started }, 'gateway ready');

let stopping = 0;
const shutdown = async (signal: string) => {
  // A signal sent to the whole process group can arrive twice (directly and relayed by npm/tsx):
  // only a second one a moment later means "stop now".
  if (stopping && Date.now() - stopping < 2000) return;
  if (stopping) {
    log.warn({ signal }, 'second signal: exiting now');
    process.exit(130);
  }
  stopping = Date.now();
  log.info({ signal }, 'shutting down: draining requests');
  const timer = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs + 15_000);
  timer.unref();
  try {
    await app.stop();
    await db.stop();
    log.info({ ms: Date.now() - stopping }, 'stopped');
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'error during shutdown');
    await db.stop().catch(() => {});
    process.exit(1);
  }
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
