/**
 * Scheduler benchmark, in process (no HTTP: it measures the scheduler alone):
 *  1. the added cost per request with free capacity (acquire + release, µs);
 *  2. under saturation, each key's share of throughput and Jain's fairness index for equal weights,
 *     and the premium : standard share with weights 4 : 1;
 *  3. the p99 queue wait of a light key while a heavy key floods the queue.
 * Servers are stand-ins whose requests take SERVICE_MS of timer time.
 * Usage: npx tsx bench/scheduler.ts [--seconds 3]
 */
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import type { Principal } from '../server/auth/key-store.ts';
import type { Model } from '../server/db/generated/client.ts';
import { createScheduler, serverEntry, type Scheduler, type ServerConnection } from '../server/scheduler/scheduler.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } });
const SECONDS = Number(values.seconds);
const SERVICE_MS = 10;
const SLOTS = 4;

const conn: ServerConnection = {
  provider: { stream: async function* () {} },
  probe: async () => ({ version: 'bench', loaded: [] }),
  classify: () => 'fatal',
  close: async () => {},
};
const model = { id: 'bench:1b', provider: 'ollama' } as Model;
const principal = (keyId: string, weight = 1): Principal =>
  ({
    keyId,
    name: keyId,
    role: 'USER',
    tier: 'STANDARD',
    isAdmin: false,
    rpm: 1e9,
    tpm: null,
    allowedModels: null,
    expiresAt: null,
    weight,
    maxConcurrent: null,
  }) as Principal;

function scheduler(): Scheduler {
  const s = createScheduler({
    serversOf: () => ['a', 'b'],
    queueMax: 100_000,
    queueTimeoutMs: 600_000,
    healthIntervalMs: 60_000,
    log: { info() {}, warn() {} },
  });
  const rows = ['a', 'b'].map((id) =>
    serverEntry({ row: { id, name: id, url: `http://${id}`, kind: 'ollama', state: 'ENABLED', parallel: SLOTS }, conn, defaultSlots: SLOTS }),
  );
  for (const r of rows) r.loaded.set(model.id, { name: model.id, sizeVram: 0, expiresAt: null });
  s.setServers(rows);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const signal = new AbortController().signal;
setMaxListeners(0, signal); // every waiter of the benchmark shares this one signal

// 1. Cost with free capacity.
async function freeCapacityCost() {
  const s = scheduler();
  const p = principal('solo');
  const run = async (n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) (await s.acquire({ principal: p, model, signal })).release();
    return Number(process.hrtime.bigint() - t0) / n / 1000;
  };
  const baseline = async (n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await Promise.resolve(i);
    return Number(process.hrtime.bigint() - t0) / n / 1000;
  };
  await run(50_000); // warm up
  await baseline(50_000);
  const us = await run(500_000);
  const base = await baseline(500_000);
  return { us, base };
}

/** A closed loop: `depth` requests of a key always outstanding, each holding a slot SERVICE_MS. */
async function closedLoop(s: Scheduler, p: Principal, depth: number, until: number, served: Map<string, number>) {
  const one = async (): Promise<void> => {
    while (Date.now() < until) {
      const lease = await s.acquire({ principal: p, model, signal });
      await sleep(SERVICE_MS);
      lease.release();
      served.set(p.keyId, (served.get(p.keyId) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: depth }, one));
}

// 2. Fairness under saturation.
async function fairness() {
  const s = scheduler();
  const served = new Map<string, number>();
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: 10 }, (_, i) => closedLoop(s, principal(`key${i}`), 8, until, served)));
  const xs = [...served.values()];
  const jain = xs.reduce((a, b) => a + b, 0) ** 2 / (xs.length * xs.reduce((a, b) => a + b * b, 0));
  return { jain, min: Math.min(...xs), max: Math.max(...xs) };
}

async function weights() {
  const s = scheduler();
  const served = new Map<string, number>();
  const until = Date.now() + SECONDS * 1000;
  await Promise.all([closedLoop(s, principal('standard', 1), 16, until, served), closedLoop(s, principal('premium', 4), 16, until, served)]);
  return (served.get('premium') ?? 0) / (served.get('standard') ?? 1);
}

// 3. A light key's wait during a flood.
async function lightDuringFlood() {
  const s = scheduler();
  const served = new Map<string, number>();
  const until = Date.now() + SECONDS * 1000;
  const flood = closedLoop(s, principal('heavy'), 200, until, served);
  const waits: number[] = [];
  const light = principal('light');
  const probes: Promise<void>[] = [];
  await sleep(50);
  while (Date.now() < until - 100) {
    probes.push(
      (async () => {
        const lease = await s.acquire({ principal: light, model, signal });
        waits.push(lease.waitedMs);
        await sleep(SERVICE_MS);
        lease.release();
      })(),
    );
    await sleep(25);
  }
  await Promise.all([flood, ...probes]);
  return { p50: pct(waits, 50), p99: pct(waits, 99), n: waits.length, heavyServed: served.get('heavy') ?? 0 };
}

const cost = await freeCapacityCost();
console.log(`free capacity: ${cost.us.toFixed(2)} µs per acquire+release (an awaited resolved promise alone: ${cost.base.toFixed(2)} µs)`);
const f = await fairness();
console.log(
  `saturation, 10 equal keys x 8 outstanding, ${2 * SLOTS} slots, ${SERVICE_MS} ms service: Jain's index ${f.jain.toFixed(4)} (served per key ${f.min}..${f.max})`,
);
console.log(`weights 4:1, both saturating: premium/standard throughput ratio ${(await weights()).toFixed(2)}`);
const l = await lightDuringFlood();
console.log(
  `light key during a 200-deep flood: queue wait p50 ${l.p50} ms, p99 ${l.p99} ms over ${l.n} requests (service time ${SERVICE_MS} ms; heavy served ${l.heavyServed})`,
);
