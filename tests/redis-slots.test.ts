/**
 * A server's slots shared by two gateway processes through Redis leases: together they never send it
 * more generations than its slots, and when one replica is SIGKILLed mid-stream its leases expire
 * within the TTL (5 s) so the other replica gets the slots.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { spawnGateway, type GatewayProcess } from './support/process.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';

let db: TestDatabase;
let redis: TestRedis;
let ollama: OllamaEmulator;
let dataDir: string;
let a: GatewayProcess;
let b: GatewayProcess;
const adminKey = 'redis-slots-admin-key-0123456789';

beforeAll(async () => {
  [db, redis, ollama] = await Promise.all([
    createTestDatabase(),
    startTestRedis(),
    // The emulator itself would take 10 at once: the gateway must hold them to 2.
    startOllamaEmulator({ capacity: { parallel: 10 }, behavior: { reply: () => 'one two three four five six seven eight', tokenDelayMs: 50 } }),
  ]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-redis-slots-'));
  await chmod(dataDir, 0o755);
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, ADMIN_KEY: adminKey, OLLAMA_URL: ollama.url, OLLAMA_PARALLEL: '2', ACCESS_LOG: 'false' };
  a = await spawnGateway({ ...env, DATA_DIR: path.join(dataDir, 'a') });
  b = await spawnGateway({ ...env, DATA_DIR: path.join(dataDir, 'b') });
}, 60_000);

afterAll(async () => {
  for (const r of [a, b]) if (r && r.child.exitCode === null && r.child.signalCode === null) r.signalGroup('SIGTERM');
  await Promise.all([a?.exited, b?.exited]);
  await redis?.stop();
  await ollama?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const generate = (url: string, { stream = false, signal }: { stream?: boolean; signal?: AbortSignal } = {}) =>
  fetch(`${url}/api/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', prompt: 'count', stream }),
    signal,
  });

describe('server slots shared through Redis', () => {
  it('never runs more generations on a server than its slots, counted across both replicas', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => generate(i % 2 ? b.url : a.url).then((r) => r.status)));
    expect(results).toEqual(Array(8).fill(200));
    expect(ollama.running().peak).toBe(2);
  });

  it('frees the slots of a replica SIGKILLed during its streams within the lease TTL', async () => {
    ollama.setBehavior({ tokenDelayMs: 2000 }); // streams of about 16 s
    const streams = [await generate(a.url, { stream: true }), await generate(a.url, { stream: true })];
    for (const s of streams) expect(s.status).toBe(200);
    for (let i = 0; i < 100 && ollama.running().now < 2; i++) await new Promise((r) => setTimeout(r, 30));
    expect(ollama.running().now).toBe(2);
    ollama.setBehavior({ tokenDelayMs: 0 });

    // B waits: both slots are A's.
    const waiting = Date.now();
    const fromB = generate(b.url);
    await new Promise((r) => setTimeout(r, 800));
    expect(ollama.running().now).toBe(2);
    const before = ollama.requests.filter((r) => r.path === '/api/generate').length;

    a.child.kill('SIGKILL');
    const killed = Date.now();
    const answer = await fromB;
    expect(answer.status).toBe(200);
    // A's leases expire within the 5 s TTL (plus B's retry interval).
    expect(Date.now() - killed).toBeLessThan(6500);
    expect(ollama.requests.filter((r) => r.path === '/api/generate').length).toBe(before + 1);
    expect(Date.now() - waiting).toBeGreaterThan(800);
    for (const s of streams) await s.body?.cancel().catch(() => {});
  }, 20_000);
});
