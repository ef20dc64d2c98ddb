/**
 * Database fault drill: a real gateway on its own embedded PostgreSQL under REST load, with the
 * database killed, frozen or dead at shutdown. Prints answered vs counted requests, the time /readyz
 * takes to come back and the shutdown time. Usage: npx tsx bench/durability.ts [-- --seconds 3]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { embeddedConnectionString } from '../server/db/embedded.ts';
import { freePort } from '../tests/support/ports.ts';
import { runKeys, spawnGateway, type GatewayProcess } from '../tests/support/process.ts';
import { chatLoad } from '../tests/support/load.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-drill-'));
  await chmod(dataDir, 0o755);
  const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), OLLAMA_URL: 'http://127.0.0.1:1', SHUTDOWN_TIMEOUT_MS: '5000' };
  const gw = await spawnGateway(env);
  const created = await runKeys(['create', '--name', 'drill', '--rpm', '1000000', '--json'], env);
  const key = JSON.parse(created.stdout).key as string;
  return { dataDir, env, gw, key };
}

const postmaster = (dataDir: string) => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

/** Sends a signal to the embedded server and every process it forked (each backend is its own group). */
function signalServer(pids: number[], signal: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}
function serverPids(dataDir: string): number[] {
  const pm = postmaster(dataDir);
  const kids = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const st = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pm;
      } catch {
        return false;
      }
    });
  return [pm, ...kids.map(Number)];
}

/** Kills the embedded server of dataDir each time it (re)appears, until stopped; checks the pid is that server. */
function keepDead(dataDir: string) {
  const timer = setInterval(() => {
    try {
      const pid = postmaster(dataDir);
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) process.kill(pid, 'SIGKILL');
    } catch {
      // no server running
    }
  }, 20);
  return () => clearInterval(timer);
}

async function counted(env: Record<string, string>, ids: string[]): Promise<{ counted: number; twice: number }> {
  const c = new pg.Client({ connectionString: embeddedConnectionString({ dataDir: env.DATA_DIR, port: Number(env.EMBEDDED_PG_PORT) }) });
  await c.connect();
  const { rows } = await c.query('SELECT id, count(*)::int AS n FROM "UsageRecord" WHERE id = ANY($1) GROUP BY id', [ids]);
  await c.end();
  return { counted: rows.length, twice: rows.filter((r) => r.n > 1).length };
}

async function readyWithin(url: string, ms: number): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return Date.now() - t0;
    await sleep(100);
  }
  return undefined;
}

async function stopGateway(gw: GatewayProcess): Promise<{ ms: number; code: number | null | 'timeout' }> {
  const t0 = Date.now();
  gw.signalGroup('SIGTERM');
  const code = await Promise.race([gw.exited, sleep(40_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') gw.child.kill('SIGKILL');
  return { ms: Date.now() - t0, code };
}

async function killed() {
  const { dataDir, env, gw, key } = await setup();
  const l = chatLoad(gw.url, key, { workers: 8, content: 'drill words' });
  await sleep(seconds * 500);
  const pid = postmaster(dataDir);
  process.kill(pid, 'SIGKILL');
  const t0 = Date.now();
  await sleep(seconds * 500);
  await l.stop();
  const back = await readyWithin(gw.url, 20_000);
  const ready = back === undefined ? 'not within 20 s' : `${Date.now() - t0} ms after the kill`;
  if (process.env.DRILL_VERBOSE)
    console.log(
      gw
        .output()
        .split('\n')
        .filter((line) => /PostgreSQL|usage|change feed/.test(line))
        .join('\n'),
    );
  // Counted by the same gateway process, without a restart.
  let running: number | string = 'database down';
  for (let i = 0; i < 50; i++) {
    const c = await counted(
      env,
      l.answered.map((a) => a.id),
    ).catch(() => undefined);
    if (c) running = c.counted;
    if (c?.counted === l.answered.length) break;
    await sleep(200);
  }
  await stopGateway(gw);
  const again = await spawnGateway(env);
  await sleep(1000);
  const c = await counted(
    env,
    l.answered.map((a) => a.id),
  );
  await stopGateway(again);
  await rm(dataDir, { recursive: true, force: true });
  return {
    scenario: 'database SIGKILLed under load',
    answered: l.answered.length,
    countedWithoutRestart: running,
    countedAfterRestart: c.counted,
    twice: c.twice,
    readyz: ready,
  };
}

async function frozen() {
  const { dataDir, env, gw, key } = await setup();
  const l = chatLoad(gw.url, key, { workers: 8, content: 'drill words' });
  await sleep(seconds * 500);
  const pids = serverPids(dataDir);
  signalServer(pids, 'SIGSTOP');
  const atFreeze = l.answered.length;
  await sleep(seconds * 500);
  if (process.env.DRILL_VERBOSE) console.log({ atFreeze, atTerm: l.answered.length });
  const stopped = await stopGateway(gw);
  await l.stop();
  const spool = existsSync(path.join(dataDir, 'usage-spool.ndjson'));
  if (process.env.DRILL_VERBOSE)
    console.log(
      gw
        .output()
        .split('\n')
        .filter((l) => !l.includes('"msg":"request"'))
        .slice(-30)
        .join('\n'),
    );
  signalServer(pids, 'SIGCONT');
  await sleep(1000);
  const again = await spawnGateway(env);
  await sleep(1000);
  const c = await counted(
    env,
    l.answered.map((a) => a.id),
  );
  await stopGateway(again);
  await rm(dataDir, { recursive: true, force: true });
  return {
    scenario: 'database SIGSTOPped, then gateway SIGTERM',
    answered: l.answered.length,
    ...c,
    shutdownMs: stopped.ms,
    exit: stopped.code,
    spoolWritten: spool,
  };
}

async function deadThenKilled() {
  const { dataDir, env, gw, key } = await setup();
  const l = chatLoad(gw.url, key, { workers: 8, content: 'drill words' });
  await sleep(seconds * 300);
  // Keep the database down: kill it again whenever the gateway restarts it.
  const release = keepDead(dataDir);
  await sleep(seconds * 700);
  const killedAt = Date.now();
  process.kill(-gw.child.pid!, 'SIGKILL');
  await gw.exited;
  await l.stop();
  release();
  const again = await spawnGateway(env);
  await sleep(1500);
  const c = await counted(
    env,
    l.answered.map((a) => a.id),
  );
  const before = l.answered.filter((a) => a.at < killedAt - 1000);
  const cb = await counted(
    env,
    before.map((a) => a.id),
  );
  const c2 = new pg.Client({ connectionString: embeddedConnectionString({ dataDir: env.DATA_DIR, port: Number(env.EMBEDDED_PG_PORT) }) });
  await c2.connect();
  const { rows } = await c2.query('SELECT id FROM "UsageRecord" WHERE id = ANY($1)', [l.answered.map((a) => a.id)]);
  await c2.end();
  const have = new Set(rows.map((r) => r.id));
  const lost = l.answered.filter((a) => !have.has(a.id));
  const oldestLostMsBeforeKill = lost.length ? killedAt - Math.min(...lost.map((a) => a.at)) : 0;
  await stopGateway(again);
  await rm(dataDir, { recursive: true, force: true });
  return {
    scenario: 'database SIGKILLed, then gateway SIGKILLed',
    answered: l.answered.length,
    ...c,
    answeredMoreThan1sBefore: before.length,
    countedOfThose: cb.counted,
    oldestLostMsBeforeKill,
  };
}

async function deadAtShutdown() {
  const { dataDir, gw } = await setup();
  const pid = postmaster(dataDir);
  process.kill(pid, 'SIGKILL');
  await sleep(300);
  const stopped = await stopGateway(gw);
  const result = {
    scenario: 'shutdown with the database dead',
    shutdownMs: stopped.ms,
    exit: stopped.code,
    loggedStopped: gw.output().includes('"msg":"stopped"'),
    pidFileLeft: existsSync(path.join(dataDir, 'gateway.pid')),
  };
  try {
    process.kill(postmaster(dataDir), 'SIGKILL'); // a restarted server left behind, if any
  } catch {
    // none
  }
  await rm(dataDir, { recursive: true, force: true });
  return result;
}

const only = process.env.DRILL_ONLY?.split(',');
for (const scenario of [killed, frozen, deadThenKilled, deadAtShutdown].filter((f) => !only || only.includes(f.name))) {
  try {
    console.log(JSON.stringify(await scenario()));
  } catch (err) {
    console.log(JSON.stringify({ scenario: scenario.name, failed: (err as Error).message.slice(0, 300) }));
  }
}
process.exit(0);
