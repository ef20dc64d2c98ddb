import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../server/auth/api-keys.ts';
import { closeDatabase, openDatabase, prisma } from '../server/db/client.ts';
import { createUsageRecorder, type UsageInput } from '../server/usage/recorder.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';

let db: TestDatabase;
let dir: string;
let keyId: string;
const log = { info() {}, warn() {}, error() {} };
const rec = (id: string, apiKeyId = keyId): UsageInput => ({
  id,
  apiKeyId,
  model: 'echo',
  surface: 'rest',
  endpoint: '/api/chat',
  status: 200,
  stream: false,
  promptTokens: 1,
  completionTokens: 2,
  latencyMs: 3,
  ttftMs: 1,
  createdAt: new Date(),
});

beforeAll(async () => {
  db = await createTestDatabase();
  openDatabase({ connectionString: db.url });
  keyId = (await createApiKey({ name: 'usage' })).key.id;
  dir = await mkdtemp(path.join(os.tmpdir(), 'ogw-usage-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await closeDatabase();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('usage recorder', () => {
  it('writes records in batches and never counts one twice', async () => {
    const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: path.join(dir, 'a.ndjson'), log });
    usage.record(rec('a1'));
    usage.record(rec('a2'));
    usage.record(rec('a1')); // the same request id again
    await usage.close();
    expect(await prisma.usageRecord.count({ where: { id: { in: ['a1', 'a2'] } } })).toBe(2);
  });

  it('stores createdAt as the same instant Prisma reads back, whatever the time zone', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York'; // a machine not set to UTC (Node applies this at once)
    try {
      const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: path.join(dir, 'tz.ndjson'), log });
      const at = new Date('2026-06-01T12:34:56.789Z');
      usage.record({ ...rec('tz1'), createdAt: at });
      await usage.close();
      expect((await prisma.usageRecord.findUnique({ where: { id: 'tz1' } }))!.createdAt.toISOString()).toBe(at.toISOString());
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('replays what a previous run spooled to disk, then removes the spool', async () => {
    const spool = path.join(dir, 'b.ndjson');
    await writeFile(spool, [rec('b1'), rec('b2')].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    await usage.flush();
    expect(await prisma.usageRecord.count({ where: { id: { in: ['b1', 'b2'] } } })).toBe(2);
    expect(existsSync(spool)).toBe(false);
    await usage.close();
  });

  it('sets aside a row the database refuses instead of blocking every later record', async () => {
    const spool = path.join(dir, 'c.ndjson');
    const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    usage.record(rec('c1'));
    usage.record(rec('c-bad', 'no-such-key')); // violates the foreign key
    usage.record(rec('c2'));
    for (let i = 0; i < 50 && (await prisma.usageRecord.count({ where: { id: { in: ['c1', 'c2'] } } })) < 2; i++) {
      await usage.flush().catch(() => {});
    }
    expect(await prisma.usageRecord.count({ where: { id: { in: ['c1', 'c2'] } } })).toBe(2);
    const rejected = await readFile(path.join(dir, 'c-rejected.ndjson'), 'utf8');
    expect(rejected).toContain('"c-bad"');
    usage.record(rec('c3'));
    await usage.flush();
    expect(await prisma.usageRecord.findUnique({ where: { id: 'c3' } })).not.toBeNull();
    await usage.close();
  });
});
