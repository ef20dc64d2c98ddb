/**
 * What a quota reservation costs, in process: µs per reserve + settle of a request under a key's
 * daily tokens and daily requests and its team's daily requests (three counters), with the memory
 * store and with the Redis store (a private redis-server on a free port), one at a time and 64 in
 * flight (best of five rounds one at a time). Seeds are constant (no database): this measures the counters, not the first read of a period.
 * Usage: npx tsx bench/quotas.ts [-- --n 20000]
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Principal } from '../server/auth/key-store.ts';
import { createQuotas } from '../server/quotas/quotas.ts';
import { createRedisQuotaStore } from '../server/quotas/redis.ts';
import { createMemoryQuotaStore, type QuotaStore } from '../server/quotas/store.ts';
import { startTestRedis } from '../tests/support/redis.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '20000' } } });
const n = Number(values.n);

const principal = (i: number): Principal => ({
  keyId: `key-${i}`,
  name: 'bench',
  role: 'USER',
  tier: 'STANDARD',
  isAdmin: false,
  rpm: 60,
  tpm: null,
  allowedModels: null,
  expiresAt: null,
  weight: 1,
  maxConcurrent: null,
  quotas: { dailyTokens: 2_000_000_000, monthlyTokens: null, dailyRequests: 2_000_000_000 },
  policy: null,
  team: {
    id: `team-${i % 10}`,
    name: 'bench team',
    rpm: null,
    tpm: null,
    quotas: { dailyTokens: null, monthlyTokens: null, dailyRequests: 2_000_000_000 },
    policy: null,
    alertWebhookUrl: null,
  },
});

async function measure(label: string, store: QuotaStore) {
  // Zero seeds: the bench measures counting, not the usage table.
  const quotas = createQuotas({ store, seedFrom: async () => 0 });
  const keys = Array.from({ length: 100 }, (_, i) => principal(i));
  const one = async (i: number) => {
    const r = await quotas.reserve({ principal: keys[i % keys.length], min: 120, max: 1120, detail: '' });
    r.settle(600);
  };
  for (let i = 0; i < 2000; i++) await one(i); // warm-up (and the first use of each counter)
  // The best of five rounds: on a shared machine a round is easily preempted.
  let serial = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n / 5; i++) await one(i);
    serial = Math.min(serial, Number(process.hrtime.bigint() - t) / 1000 / (n / 5));
  }
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < n) await one(next++);
    }),
  );
  const rate = n / (Number(process.hrtime.bigint() - t0) / 1e9);
  console.log(
    `${label.padEnd(40)} ${serial.toFixed(1).padStart(7)} µs/reservation   ${Math.round(rate).toString().padStart(8)} reservations/s with 64 in flight`,
  );
}

await measure('memory store (3 counters)', createMemoryQuotaStore());
const server = await startTestRedis();
const redis = new Redis(server.url, { commandTimeout: 1000 });
try {
  await measure('Redis store (3 counters, one script)', createRedisQuotaStore({ redis }));
} finally {
  redis.disconnect();
  await server.stop();
}
process.exit(0);
