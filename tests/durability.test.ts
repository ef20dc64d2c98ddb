/**
 * Real gateway processes on their own embedded PostgreSQL, under a bounded REST load, with that
 * database killed, frozen or dead. Every answered request id must end up in "UsageRecord" once.
 * Only processes this file started are signalled: the gateway, and the server under its DATA_DIR
 * (checked by its command line), never the shared PostgreSQL or Redis.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { embeddedConnectionString } from '../server/db/embedded.ts';
import { freePort } from './support/ports.ts';
import { runKeys, spawnGateway, type GatewayProcess } from './support/process.ts';
import { chatLoad } from './support/load.ts';

const ADMIN_KEY = 'durability-test-admin-key';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Setup {
  dataDir: string;
  env: Record<string, string>;
  gw: GatewayProcess;
  key: string;
}
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
});
// A test that timed out may still have started a gateway after its cleanup: stop whatever is left.
const dataDirs: string[] = [];
afterAll(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  for (const dir of dataDirs) {
    signal(serverPids(dir), 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

async function setup(): Promise<Setup> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-durability-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as "postgres" and must be able to enter it
  dataDirs.push(dataDir);
  const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), OLLAMA_URL: 'http://127.0.0.1:1', ADMIN_KEY, SHUTDOWN_TIMEOUT_MS: '3000' };
  cleanups.push(async () => {
    signal(serverPids(dataDir), 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });
  const gw = await started(env);
  const created = await runKeys(['create', '--name', 'load', '--rpm', '1000000', '--json'], env);
  expect(created.code).toBe(0);
  return { dataDir, env, gw, key: JSON.parse(created.stdout).key };
}

async function started(env: Record<string, string>): Promise<GatewayProcess> {
  const gw = await spawnGateway(env, { timeoutMs: 60_000 });
  cleanups.push(async () => {
    if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill('SIGKILL');
  });
  return gw;
}

/** The embedded server of dataDir and the processes it forked (each backend is its own process group). */
function serverPids(dataDir: string, { children: withChildren = true } = {}): number[] {
  let pm: number;
  try {
    pm = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!readFileSync(`/proc/${pm}/cmdline`, 'utf8').includes(dataDir)) return [];
  } catch {
    return [];
  }
  if (!withChildren) return [pm];
  const children = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pm;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [pm, ...children];
}

function signal(pids: number[], sig: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** Kills the server again each time the gateway restarts it, until released. */
function keepDead(dataDir: string) {
  const timer = setInterval(() => signal(serverPids(dataDir, { children: false }), 'SIGKILL'), 20);
  return () => clearInterval(timer);
}

/** How many usage rows each of these request ids has, read straight from the embedded database. */
async function usageCounts(env: Record<string, string>, ids: string[]): Promise<Map<string, number>> {
  const c = new pg.Client({ connectionString: embeddedConnectionString({ dataDir: env.DATA_DIR, port: Number(env.EMBEDDED_PG_PORT) }) });
  await c.connect();
  try {
    const { rows } = await c.query('SELECT id, count(*)::int AS n FROM "UsageRecord" WHERE id = ANY($1) GROUP BY id', [ids]);
    return new Map(rows.map((r) => [r.id as string, r.n as number]));
  } finally {
    await c.end();
  }
}

/** Polls until every id is counted (or the time is up); returns the ids missing and those counted twice. */
async function awaitCounted(env: Record<string, string>, ids: string[], ms = 15_000) {
  let counts = new Map<string, number>();
  for (const end = Date.now() + ms; Date.now() < end; await sleep(200)) {
    counts = await usageCounts(env, ids).catch(() => new Map());
    if (ids.every((id) => counts.has(id))) break;
  }
  return { missing: ids.filter((id) => !counts.has(id)), twice: ids.filter((id) => (counts.get(id) ?? 0) > 1) };
}

async function readyAgain(url: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) {
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return true;
  }
  return false;
}

async function terminate(gw: GatewayProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  gw.signalGroup('SIGTERM');
  const code = await gw.exited;
  return { code, ms: Date.now() - t0 };
}

// Each test starts one or two gateways with a fresh embedded PostgreSQL: slow on a busy machine.
describe('the gateway when its embedded database fails', { timeout: 120_000 }, () => {
  it('restarts a database SIGKILLed under load, is ready again without a restart, and counts every answered request once', async () => {
    const { dataDir, env, gw, key } = await setup();
    const l = chatLoad(gw.url, key);
    await sleep(800);
    const killedAt = Date.now();
    signal(serverPids(dataDir, { children: false }), 'SIGKILL');
    await sleep(1500);
    await l.stop();
    expect(await readyAgain(gw.url, 20_000)).toBe(true);
    console.log(`[durability] database SIGKILLed: /readyz ready again ${Date.now() - killedAt} ms after the kill`);
    expect(gw.output()).toContain('embedded PostgreSQL exited unexpectedly; restarting it');
    expect(gw.output()).toContain('embedded PostgreSQL restarted');

    // Same gateway process: usage written, GraphQL reads work again.
    const { missing, twice } = await awaitCounted(env, l.ids());
    console.log(`[durability] database SIGKILLed: ${l.answered.length} answered, ${l.answered.length - missing.length} counted`);
    expect(l.answered.filter((a) => a.at > killedAt).length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(twice).toEqual([]);
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ apiKeys { totalCount } }' }),
    });
    expect(await res.json()).toEqual({ data: { apiKeys: { totalCount: 2 } } });
    expect(gw.child.exitCode).toBeNull();
    expect((await terminate(gw)).code).toBe(0);
  });

  it('SIGTERM with the database frozen (SIGSTOP) exits within its deadline and spools; after SIGCONT and a new start every answered request is counted once', async () => {
    const { dataDir, env, gw, key } = await setup();
    const l = chatLoad(gw.url, key);
    await sleep(800);
    const frozen = serverPids(dataDir);
    cleanups.push(async () => signal(frozen, 'SIGCONT'));
    signal(frozen, 'SIGSTOP');
    await sleep(1500);
    const stopped = await terminate(gw);
    await l.stop();
    console.log(`[durability] database frozen: SIGTERM to exit ${stopped.ms} ms (exit ${stopped.code})`);
    // 0, not the hard exit's 1: every step gave up on the database at its own deadline.
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(Number(env.SHUTDOWN_TIMEOUT_MS) + 10_000);
    expect(gw.output()).toContain('"msg":"stopped"');
    const spool = path.join(dataDir, 'usage-spool.ndjson');
    expect(existsSync(spool)).toBe(true);
    expect((await readFile(spool, 'utf8')).length).toBeGreaterThan(0);

    signal(frozen, 'SIGCONT');
    const again = await started(env);
    const { missing, twice } = await awaitCounted(env, l.ids());
    console.log(`[durability] database frozen: ${l.answered.length} answered, ${l.answered.length - missing.length} counted after a new start`);
    expect(l.answered.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(twice).toEqual([]);
    expect((await terminate(again)).code).toBe(0);
  });

  it('a SIGKILL of the gateway while its database is dead loses at most the last flush interval', async () => {
    const { dataDir, env, gw, key } = await setup();
    const l = chatLoad(gw.url, key);
    await sleep(500);
    const release = keepDead(dataDir);
    cleanups.push(async () => release());
    await sleep(2000);
    const killedAt = Date.now();
    process.kill(-gw.child.pid!, 'SIGKILL');
    await gw.exited;
    await l.stop();
    release();

    const again = await started(env);
    const before = l.answered.filter((a) => a.at < killedAt - 1000).map((a) => a.id);
    const early = await awaitCounted(env, before);
    const all = await awaitCounted(env, l.ids(), 1000);
    console.log(
      `[durability] database dead, gateway SIGKILLed: ${l.answered.length} answered, ${l.answered.length - all.missing.length} counted (${before.length - early.missing.length} of the ${before.length} answered over 1 s before the kill)`,
    );
    expect(before.length).toBeGreaterThan(0);
    expect(early.missing).toEqual([]);
    expect(all.twice).toEqual([]);
    expect((await terminate(again)).code).toBe(0);
  });

  it('shuts down quickly and cleanly with the database dead: logs stopped, removes gateway.pid, exits 0', async () => {
    const { dataDir, gw } = await setup();
    signal(serverPids(dataDir, { children: false }), 'SIGKILL');
    await sleep(200);
    const stopped = await terminate(gw);
    console.log(`[durability] database dead: SIGTERM to exit ${stopped.ms} ms`);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(3000);
    expect(gw.output()).toContain('"msg":"stopped"');
    expect(existsSync(path.join(dataDir, 'gateway.pid'))).toBe(false);
    expect(serverPids(dataDir)).toEqual([]); // no server left behind (a restarted one is stopped too)
  });
});
