import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
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

  it('stores every field as recorded: optional ones set or left out (NULL), text with quotes, escapes and non-ASCII', async () => {
    const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: path.join(dir, 'fields.ndjson'), log });
    const full: UsageInput = {
      id: 'f-full',
      apiKeyId: keyId,
      teamId: 'team-"x"\\1',
      model: 'llama3:8b "q4" \\ ünï ✓',
      surface: 'openai',
      endpoint: '/v1/chat/completions',
      status: 502,
      error: 'upstream said: "no"\nline two\ttab {a,b} \\N',
      stream: true,
      promptTokens: 12,
      completionTokens: 345,
      latencyMs: 6789,
      ttftMs: 42,
      createdAt: new Date('2026-03-04T05:06:07.089Z'),
      queueWaitMs: 7,
      upstream: 'gpu-1',
    };
    const bare: UsageInput = { ...rec('f-bare'), ttftMs: undefined, createdAt: new Date('2026-03-04T05:06:08.001Z') };
    usage.record(full);
    usage.record(bare);
    await usage.close();
    const rows = await prisma.usageRecord.findMany({ where: { id: { in: ['f-full', 'f-bare'] } }, orderBy: { id: 'asc' } });
    expect(rows).toEqual([
      {
        id: 'f-bare',
        apiKeyId: keyId,
        teamId: null,
        model: 'echo',
        surface: 'rest',
        endpoint: '/api/chat',
        status: 200,
        error: null,
        stream: false,
        promptTokens: 1,
        completionTokens: 2,
        latencyMs: 3,
        ttftMs: null,
        queueWaitMs: null,
        upstream: null,
        createdAt: bare.createdAt,
      },
      { ...full },
    ]);
  });

  it('replays what a previous run spooled to disk, then removes the spool', async () => {
    const spool = path.join(dir, 'b.ndjson');
    await writeFile(spool, `${[rec('b1'), rec('b2')].map((r) => JSON.stringify(r)).join('\n')}\n`);
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

/**
 * A TCP relay in front of the test PostgreSQL whose link can fail the way a database does: refused
 * (server gone) or frozen (connections accepted and held, nothing answered, like a SIGSTOPped server).
 */
async function createRelay(target: string) {
  const { hostname, port } = new URL(target);
  let mode: 'pass' | 'refuse' | 'freeze' = 'pass';
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    if (mode === 'refuse') return client.destroy();
    if (mode === 'freeze') return client.pause();
    const upstream = net.connect(Number(port), hostname);
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    // Data flows only while passing: a frozen link holds bytes in both directions.
    client.on('data', (d) => (mode === 'freeze' ? client.pause() : upstream.write(d)));
    upstream.on('data', (d) => (mode === 'freeze' ? upstream.pause() : client.write(d)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    set(next: 'pass' | 'refuse' | 'freeze') {
      mode = next;
      if (next === 'refuse') for (const s of open) s.destroy();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

const spoolIds = async (file: string) =>
  existsSync(file)
    ? (await readFile(file, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id as string)
    : [];
const waitFor = async (check: () => Promise<boolean>, ms = 15_000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await check()) return true;
  return false;
};
const counted = (ids: string[]) => prisma.usageRecord.count({ where: { id: { in: ids } } });

describe('usage recorder when the database fails', () => {
  it('spools a batch it cannot write at once, then writes it when the database answers again, without a restart', async () => {
    const relay = await createRelay(db.url);
    const spool = path.join(dir, 'd.ndjson');
    const usage = await createUsageRecorder({
      connectionString: relay.url,
      flushMs: 20,
      spoolFile: spool,
      log,
      connectTimeoutMs: 500,
      statementTimeoutMs: 1000,
    });
    try {
      relay.set('refuse');
      const ids = Array.from({ length: 30 }, (_, i) => `d${i}`);
      for (const id of ids) usage.record(rec(id));
      // On disk after a flush interval, while the database is still down (no close, no shutdown).
      expect(await waitFor(async () => (await spoolIds(spool)).length === ids.length)).toBe(true);
      expect(await counted(ids)).toBe(0);
      relay.set('pass');
      expect(await waitFor(async () => (await counted(ids)) === ids.length)).toBe(true);
      expect(await waitFor(async () => !existsSync(spool))).toBe(true);
    } finally {
      await usage.close();
      await relay.close();
    }
  });

  it('past maxPending records in memory, reads the rest back from the spool and writes every one', async () => {
    const relay = await createRelay(db.url);
    const spool = path.join(dir, 'e.ndjson');
    const usage = await createUsageRecorder({
      connectionString: relay.url,
      flushMs: 10,
      spoolFile: spool,
      log,
      connectTimeoutMs: 500,
      statementTimeoutMs: 1000,
      maxPending: 5,
    });
    try {
      relay.set('refuse');
      const ids: string[] = [];
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 7; i++) {
          ids.push(`e${round}-${i}`);
          usage.record(rec(`e${round}-${i}`));
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(await waitFor(async () => (await spoolIds(spool)).length === ids.length)).toBe(true);
      relay.set('pass');
      expect(await waitFor(async () => (await counted(ids)) === ids.length)).toBe(true);
    } finally {
      await usage.close();
      await relay.close();
    }
  });

  it('does not hang on a frozen database: the write times out on the client, close() returns and the rows stay spooled', async () => {
    const relay = await createRelay(db.url);
    const spool = path.join(dir, 'f.ndjson');
    const usage = await createUsageRecorder({
      connectionString: relay.url,
      flushMs: 10,
      spoolFile: spool,
      log,
      connectTimeoutMs: 500,
      statementTimeoutMs: 500,
    });
    usage.record(rec('f0'));
    await usage.flush(); // one connection open and working
    relay.set('freeze');
    const ids = ['f1', 'f2', 'f3'];
    for (const id of ids) usage.record(rec(id));
    await expect(usage.flush()).rejects.toThrow(/timeout/i);
    await usage.close({ timeoutMs: 200 });
    expect(await spoolIds(spool)).toEqual(ids);
    relay.set('pass');
    await relay.close();

    // The next start replays them.
    const again = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    await again.flush();
    await again.close();
    expect(await counted(['f0', ...ids])).toBe(4);
    expect(existsSync(spool)).toBe(false);
  });

  it('replays a spool whose rows were already written (a crash before trimming) once, and survives a torn last line', async () => {
    const spool = path.join(dir, 'g.ndjson');
    const first = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    first.record(rec('g1'));
    await first.close();
    // As if the process died after the INSERT committed but before the spool was trimmed, and a later
    // append was cut short by a SIGKILL.
    await writeFile(spool, `${[rec('g1'), rec('g2')].map((r) => JSON.stringify(r)).join('\n')}\n${JSON.stringify(rec('g-torn')).slice(0, 40)}`);
    const again = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    again.record(rec('g3'));
    await again.flush();
    await again.close();
    const rows = await prisma.usageRecord.groupBy({ by: ['id'], where: { id: { in: ['g1', 'g2', 'g3'] } }, _count: true });
    expect(rows.map((r) => [r.id, r._count]).sort()).toEqual([
      ['g1', 1],
      ['g2', 1],
      ['g3', 1],
    ]);
    expect(existsSync(spool)).toBe(false);
  });

  it('never shares a spool with another live process, and adopts the spool of one that is gone', async () => {
    const spool = path.join(dir, 'i.ndjson');
    // Another live process holds the main spool (a child we start, standing in for a second gateway).
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(`${spool}.lock`, String(other.pid));
      await writeFile(spool, `${JSON.stringify(rec('i-other'))}\n`);
      const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
      usage.record(rec('i1'));
      await usage.flush();
      await usage.close();
      // Its own rows went in; the other process's spool was left alone.
      expect(await counted(['i1'])).toBe(1);
      expect(await spoolIds(spool)).toEqual(['i-other']);
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    // That process is gone now, leaving its own spool too: the next start takes both over.
    await writeFile(path.join(dir, `i-${other.pid}.ndjson`), `${JSON.stringify(rec('i-orphan'))}\n`);
    const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    await usage.flush();
    await usage.close();
    expect(await counted(['i-other', 'i-orphan'])).toBe(2);
    expect(existsSync(spool)).toBe(false);
    expect(existsSync(path.join(dir, `i-${other.pid}.ndjson`))).toBe(false);
  });

  it('spools a record that arrives after close() (a run cut at shutdown) for the next start', async () => {
    const spool = path.join(dir, 'j.ndjson');
    const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    await usage.close();
    usage.record(rec('j1'));
    expect(await spoolIds(spool)).toEqual(['j1']);
    const again = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    await again.flush();
    await again.close();
    expect(await counted(['j1'])).toBe(1);
  });

  it('keeps the spool after its done mark only: rows the database confirmed are not written again after a restart', async () => {
    const spool = path.join(dir, 'h.ndjson');
    const lines = [rec('h1'), rec('h2')].map((r) => `${JSON.stringify(r)}\n`);
    await writeFile(spool, lines.join(''));
    await writeFile(`${spool}.done`, String(Buffer.byteLength(lines[0])));
    const usage = await createUsageRecorder({ connectionString: db.url, flushMs: 10, spoolFile: spool, log });
    await usage.flush();
    await usage.close();
    expect(await prisma.usageRecord.findUnique({ where: { id: 'h1' } })).toBeNull();
    expect(await prisma.usageRecord.findUnique({ where: { id: 'h2' } })).not.toBeNull();
    expect(existsSync(spool)).toBe(false);
    expect(existsSync(`${spool}.done`)).toBe(false);
  });
});
