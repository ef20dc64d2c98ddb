/**
 * `npm start`: config -> database (embedded or external) -> migrations -> bootstrap admin key ->
 * HTTP server. Every start-up failure is one line naming what to change, found before any side
 * effect where it can be (a taken PORT, an unusable DATA_DIR). SIGTERM or Ctrl-C drains requests, flushes usage (what the database does not take in
 * time stays in the spool), then stops the embedded database; no step waits on a dead or frozen
 * database past its own deadline.
 */
import { type App, createApp } from './app.ts';
import { forgetPendingAdminKey } from './auth/api-keys.ts';
import { type Config, ConfigError, loadConfig, readEnvironment } from './config.ts';
import { assertPortFree, type Database, oneLine, openGatewayDatabase, StartupError } from './database.ts';
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

/** One line, then exit: what failed and what to change, never a stack trace. */
const fail = (what: string, err: unknown): never => {
  log.fatal(err instanceof StartupError ? err.message : `${what}: ${oneLine(err)}`);
  process.exit(1);
};

let db: Database;
try {
  await assertPortFree({ host: config.host, port: config.port, name: 'PORT' });
  if (config.metricsPort) await assertPortFree({ host: config.host, port: config.metricsPort, name: 'METRICS_PORT' });
  db = await openGatewayDatabase({ config, log });
} catch (err) {
  fail('could not open the database', err);
}

let app: App;
try {
  app = await createApp({ config, connectionString: db!.connectionString, log });
} catch (err) {
  await db!.stop().catch(() => {});
  fail('could not start the gateway', err);
}
const generated = app!.generatedAdminKey;
let url: string;
try {
  url = await app!.start();
} catch (err) {
  const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  await app!.stop().catch(() => {});
  await db!.stop().catch(() => {});
  fail(
    `could not listen on ${config.host}:${config.port}`,
    taken
      ? new StartupError(`PORT=${config.port}: ${config.host}:${config.port} is taken by another program; stop that program or set PORT to a free port.`)
      : err,
  );
}
if (generated) {
  // To the terminal only (not the log): it is stored as a hash. Kept in DATA_DIR until this start completes.
  process.stderr.write(`\n  Admin key (shown once, keep it safe):\n\n    ${generated}\n\n  Console: ${url!}/admin   GraphiQL: ${url!}/graphql\n\n`);
  await forgetPendingAdminKey({ dataDir: config.dataDir });
}

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
    await app!.stop();
    await db!.stop();
    log.info({ ms: Date.now() - stopping }, 'stopped');
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'error during shutdown');
    await db!.stop().catch(() => {});
    process.exit(1);
  }
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

// Last, after the banner and the signal handlers: "gateway ready" means everything a user needs has been
// printed, and a SIGTERM sent on reading it is handled (not the default exit).
log.info(
  {
    url: url!,
    database: db!.embedded ? 'embedded' : 'external',
    ...(db!.pgDir ? { data: db!.pgDir } : {}),
    ollama: config.ollamaUrls,
    ms: Date.now() - started,
  },
  'gateway ready',
);
