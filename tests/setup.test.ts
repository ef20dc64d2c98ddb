/**
 * A new user's first runs, as real processes: no ports to pick (the embedded database is on a Unix
 * socket), the keys CLI from DATA_DIR alone, a root checkout in a 0700 folder, a first start that fails
 * without losing its admin key, and start-up failures that are one line.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { freePort } from './support/ports.ts';
import { type GatewayProcess, root, runKeys, spawnGateway } from './support/process.ts';

const ADMIN_BANNER = /Admin key \(shown once[^\n]*\n\s*\n\s*(ogw_\S+)/;
// No port settings: the HTTP port is picked by the OS (PORT=0), the database has none.
const base = { OLLAMA_URL: 'http://127.0.0.1:1', EMBEDDED_PG_PORT: '' };

const cleanup: string[] = [];
async function newDataDir({ parentMode = 0o755 }: { parentMode?: number } = {}): Promise<string> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'ogw-setup-'));
  await chmod(parent, parentMode);
  cleanup.push(parent);
  return path.join(parent, 'data');
}
afterAll(async () => {
  for (const parent of cleanup) {
    // Data kept outside DATA_DIR (root with a closed parent) goes too.
    const record = path.join(parent, 'data', 'embedded-postgres.json');
    if (existsSync(record)) {
      const { pgDir } = JSON.parse(readFileSync(record, 'utf8')) as { pgDir: string };
      // A server orphaned by a killed gateway that no later start took over.
      const pid = existsSync(path.join(pgDir, 'postmaster.pid')) ? Number(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]) : 0;
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          // already gone
        }
      }
      if (!pgDir.startsWith(parent)) await rm(path.dirname(pgDir), { recursive: true, force: true });
    }
    await rm(parent, { recursive: true, force: true });
  }
});

const chat = (url: string, key: string) =>
  fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }),
  });

/** Runs `npm start`'s command to its exit (for starts that must fail). */
function runGatewayToExit(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts'],
      { cwd: root, env: { ...process.env, PORT: '0', LOG_FORMAT: 'json', ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: stdout + stderr, ms: Date.now() - t0 }),
    );
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l.trim());

async function stop(gw: GatewayProcess) {
  gw.signalGroup('SIGTERM');
  expect(await gw.exited).toBe(0);
}

describe('gateways side by side with no port settings', { timeout: 120_000 }, () => {
  it('two gateways on one machine each serve on their own socket, and the CLI reaches each from DATA_DIR alone', async () => {
    const dirs = [await newDataDir(), await newDataDir()];
    const gws = [await spawnGateway({ ...base, DATA_DIR: dirs[0] }), await spawnGateway({ ...base, DATA_DIR: dirs[1] })];
    try {
      const admin = gws.map((gw) => ADMIN_BANNER.exec(gw.output())![1]);
      for (const [i, gw] of gws.entries()) {
        // The database listens on a socket inside DATA_DIR and on no TCP port.
        const location = JSON.parse(await readFile(path.join(dirs[i], 'embedded-postgres.json'), 'utf8'));
        expect(location).toMatchObject({ tcp: false, socketDir: path.join(dirs[i], 'run') });
        expect(statSync(path.join(location.socketDir, `.s.PGSQL.${location.port}`)).isSocket()).toBe(true);
        expect(gw.output()).not.toMatch(/54329|Port \d+ is taken/);
        expect((await chat(gw.url, admin[i])).status).toBe(200);
      }
      // The CLI, given only DATA_DIR, creates a key in that gateway's database: it works there, not on the other.
      const created = [];
      for (const dir of dirs) {
        const r = await runKeys(['create', '--name', `k ${path.basename(path.dirname(dir))}`, '--json'], { DATA_DIR: dir, EMBEDDED_PG_PORT: '' });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        created.push(JSON.parse(r.stdout).key as string);
      }
      expect((await chat(gws[0].url, created[0])).status).toBe(200);
      expect((await chat(gws[1].url, created[1])).status).toBe(200);
      expect((await chat(gws[0].url, created[1])).status).toBe(401);
      expect((await chat(gws[1].url, created[0])).status).toBe(401);
      const listed = await runKeys(['list', '--json'], { DATA_DIR: dirs[1], EMBEDDED_PG_PORT: '' });
      expect(JSON.parse(listed.stdout).map((k: { name: string }) => k.name)).toEqual(['Bootstrap admin', `k ${path.basename(path.dirname(dirs[1]))}`]);
    } finally {
      for (const gw of gws) await stop(gw);
    }
  });

  it('a DATA_DIR too long for a socket path gets a short socket folder under the temporary folder, which the CLI finds', async () => {
    const dir = path.join(await newDataDir(), 'a-rather-long-folder-name-for-a-socket'.repeat(2), 'data');
    const gw = await spawnGateway({ ...base, DATA_DIR: dir });
    let socketDir = '';
    try {
      socketDir = JSON.parse(await readFile(path.join(dir, 'embedded-postgres.json'), 'utf8')).socketDir;
      expect(socketDir.startsWith(os.tmpdir())).toBe(true);
      expect(`${socketDir}/.s.PGSQL.5432`.length).toBeLessThan(108);
      const list = await runKeys(['list', '--json'], { DATA_DIR: dir, EMBEDDED_PG_PORT: '' });
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toHaveLength(1);
    } finally {
      await stop(gw);
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
    }
  });

  it('as root, a DATA_DIR inside a mode-0700 folder works with no permission changes, and the log says where the data is', async () => {
    const dir = await newDataDir({ parentMode: 0o700 });
    const gw = await spawnGateway({ ...base, DATA_DIR: dir });
    let pgDir: string;
    try {
      pgDir = JSON.parse(await readFile(path.join(dir, 'embedded-postgres.json'), 'utf8')).pgDir;
      expect(gw.output()).toContain(`"data":"${pgDir}"`);
      if (process.getuid?.() === 0) {
        // The postgres user cannot enter the 0700 parent: the data lives in a folder of its own, owned by it.
        expect(pgDir.startsWith(path.dirname(dir))).toBe(false);
        expect(gw.output()).toContain('keeps its data outside DATA_DIR');
        const st = statSync(pgDir);
        expect(st.mode & 0o777).toBe(0o700);
        expect(st.uid).not.toBe(0);
      }
      expect(statSync(path.dirname(dir)).mode & 0o777).toBe(0o700); // untouched
      const admin = ADMIN_BANNER.exec(gw.output())![1];
      expect((await chat(gw.url, admin)).status).toBe(200);
      const list = await runKeys(['list', '--json'], { DATA_DIR: dir, EMBEDDED_PG_PORT: '' });
      expect(list.code).toBe(0);
    } finally {
      await stop(gw);
    }
    // The next start finds the same data from DATA_DIR: the same admin key still works, none is generated.
    const again = await spawnGateway({ ...base, DATA_DIR: dir });
    try {
      expect(again.output()).not.toContain('Admin key (shown once');
      expect(again.output()).toContain(`"data":"${pgDir}"`);
    } finally {
      await stop(again);
    }
  });
});

describe('the keys CLI', { timeout: 90_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrates a fresh external database at DATABASE_URL before it creates a key', async () => {
    const dir = await newDataDir();
    const r = await runKeys(['create', '--name', 'first', '--admin', '--json'], { DATABASE_URL: db.url, DATA_DIR: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      expect((await c.query('SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL')).rows[0].n).toBeGreaterThan(0);
      expect((await c.query('SELECT name, role FROM "ApiKey"')).rows).toEqual([{ name: 'first', role: 'ADMIN' }]);
    } finally {
      await c.end();
    }
  });

  it('reports an unreachable database in one line, with no stack trace', async () => {
    const port = await freePort();
    const r = await runKeys(['list'], { DATABASE_URL: `postgresql://nobody@127.0.0.1:${port}/none`, DATA_DIR: await newDataDir() });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^keys: cannot use the database at DATABASE_URL: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unusable DATA_DIR in one line', async () => {
    const r = await runKeys(['list'], { DATA_DIR: '/proc/x', EMBEDDED_PG_PORT: '' });
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['keys: DATA_DIR /proc/x cannot be created: mkdir /proc/x failed (ENOENT).']);
  });
});

describe('start-up failures', { timeout: 120_000 }, () => {
  it('a taken PORT is one line naming PORT, before DATA_DIR or a database is touched; the next start shows the admin key', async () => {
    const dir = await newDataDir();
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const r = await runGatewayToExit({ ...base, DATA_DIR: dir, PORT: String(port) });
      expect(r.code).toBe(1);
      expect(lines(r.output)).toHaveLength(1);
      expect(r.output).toContain(`PORT=${port}: 127.0.0.1:${port} is taken by another program`);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    const gw = await spawnGateway({ ...base, DATA_DIR: dir });
    try {
      expect((await chat(gw.url, ADMIN_BANNER.exec(gw.output())![1])).status).toBe(200);
    } finally {
      await stop(gw);
    }
  });

  it('a first start that dies after generating the admin key shows the same key on the next start, until one start completes', async () => {
    // Kill the first start as soon as its key is kept, before it could print it (retried if it was faster).
    let dir = '';
    let pending = '';
    for (let attempt = 0; attempt < 3 && !pending; attempt++) {
      dir = await newDataDir();
      const file = path.join(dir, 'admin-key.pending');
      const ready = spawnGateway({ ...base, DATA_DIR: dir }, { timeoutMs: 60_000 });
      let gw: GatewayProcess | undefined;
      void ready.then((g) => (gw = g)).catch(() => {});
      while (!existsSync(file) || !readFileSync(file, 'utf8').trim()) await new Promise((r) => setTimeout(r, 2));
      const secret = readFileSync(file, 'utf8').trim();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const pid = Number(readFileSync(path.join(dir, 'gateway.pid'), 'utf8'));
      process.kill(-pid, 'SIGKILL');
      await ready.catch(() => {});
      if (!gw) pending = secret; // it died before it was ready: the key was never shown
    }
    expect(pending).toMatch(/^ogw_/);

    const second = await spawnGateway({ ...base, DATA_DIR: dir });
    try {
      expect(ADMIN_BANNER.exec(second.output())?.[1]).toBe(pending);
      expect((await chat(second.url, pending)).status).toBe(200);
      // Never in a log line.
      expect(lines(second.output()).filter((l) => l.startsWith('{') && l.includes(pending))).toEqual([]);
    } finally {
      await stop(second);
    }
    expect(existsSync(path.join(dir, 'admin-key.pending'))).toBe(false);
    const third = await spawnGateway({ ...base, DATA_DIR: dir });
    try {
      expect(third.output()).not.toContain('Admin key (shown once');
      expect((await chat(third.url, pending)).status).toBe(200);
    } finally {
      await stop(third);
    }
  });

  it('DATA_DIR=/proc/x fails at once with one line', async () => {
    const r = await runGatewayToExit({ ...base, DATA_DIR: '/proc/x' }, 15_000);
    expect(r.code).toBe(1); // not killed by the timeout
    expect(lines(r.output)).toHaveLength(1);
    expect(r.output).toContain('DATA_DIR /proc/x cannot be created');
  });

  it('a DATA_DIR that is a file fails with one line', async () => {
    const file = path.join(path.dirname(await newDataDir()), 'a-file');
    await writeFile(file, 'x');
    const r = await runGatewayToExit({ ...base, DATA_DIR: file });
    expect(r.code).toBe(1);
    expect(lines(r.output)).toHaveLength(1);
    expect(r.output).toContain(`DATA_DIR ${file} cannot be used: ${file} is not a folder`);
  });
});
