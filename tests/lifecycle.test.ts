import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedConnectionString } from '../server/db/embedded.ts';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { runKeys, spawnGateway } from './support/process.ts';

let dataDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-lifecycle-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as "postgres" and must be able to enter it
  env = { DATA_DIR: dataDir, OLLAMA_URL: 'http://127.0.0.1:1', USAGE_FLUSH_MS: '1000' };
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const chat = (url: string, key: string, content: string) =>
  fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content }] }),
  });

async function usageIds(): Promise<Set<string>> {
  const c = new pg.Client({ connectionString: embeddedConnectionString({ dataDir }) });
  await c.connect();
  const { rows } = await c.query('SELECT id FROM "UsageRecord"');
  await c.end();
  return new Set(rows.map((r) => r.id));
}

// Real processes, each start with its own PostgreSQL: slow on a busy machine.
describe('the gateway process on its embedded database', { timeout: 90_000 }, () => {
  let adminKey: string;
  let userKey: { id: string; key: string };

  it('starts from nothing, prints an admin key once, and serves the REST API', async () => {
    const gw = await spawnGateway(env);
    try {
      const m = /Admin key \(shown once[^\n]*\n\s*\n\s*(ogw_\S+)/.exec(gw.output());
      expect(m).not.toBeNull();
      adminKey = m![1];
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
      const res = await chat(gw.url, adminKey, 'hello gateway');
      expect(res.status).toBe(200);
      expect((await res.json()).choices[0].message.content).toBe('hello gateway');
      // The secret is never written to the log lines themselves.
      expect(
        gw
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{') && l.includes(adminKey)),
      ).toEqual([]);

      // The keys CLI works against the running gateway, and the new key works at once.
      const created = await runKeys(['create', '--name', 'ci key', '--tier', 'standard', '--rpm', '1000', '--json'], env);
      expect(created.code).toBe(0);
      userKey = JSON.parse(created.stdout);
      expect(userKey).toMatchObject({ id: expect.any(String), key: expect.stringMatching(/^ogw_/) });
      expect((await chat(gw.url, userKey.key, 'new key')).status).toBe(200);
    } finally {
      gw.signalGroup('SIGTERM');
      expect(await gw.exited).toBe(0);
    }
  });

  it('SIGTERM during load drains requests and flushes usage: every answered request is in the table after a restart', async () => {
    const gw = await spawnGateway(env);
    const answered: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await chat(gw.url, userKey.key, 'load test words here');
          if (res.status === 200) answered.push((await res.json()).id);
          else await res.body?.cancel();
        } catch {
          return; // connection refused once the server has closed
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((r) => setTimeout(r, 700));
    gw.signalGroup('SIGTERM');
    expect(await gw.exited).toBe(0);
    stop = true;
    await Promise.all(workers);
    expect(answered.length).toBeGreaterThan(20);
    expect(gw.output()).toContain('shutting down: draining requests');

    // Restart on the same DATA_DIR: data kept, no new admin key printed.
    const again = await spawnGateway(env);
    try {
      expect(again.output()).not.toContain('Admin key (shown once');
      expect((await chat(again.url, adminKey, 'still me')).status).toBe(200);
      const ids = await usageIds();
      const missing = answered.filter((id) => !ids.has(id));
      expect(missing).toEqual([]);
    } finally {
      again.signalGroup('SIGINT'); // Ctrl-C
      expect(await again.exited).toBe(0);
    }
  });

  it('the keys CLI works with the gateway stopped: list, revoke, and the revoked key is refused on the next start', async () => {
    const list = await runKeys(['list', '--json'], env);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout);
    expect(rows.map((r: { id: string }) => r.id)).toContain(userKey.id);
    expect(JSON.stringify(rows)).not.toContain(userKey.key);

    expect((await runKeys(['revoke', userKey.id], env)).code).toBe(0);
    expect((await runKeys(['revoke', 'no-such-id'], env)).code).toBe(3);
    const bad = await runKeys(['create', '--name', 'x', '--tier', 'gold'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tier must be standard or premium');

    const gw = await spawnGateway(env);
    try {
      const res = await chat(gw.url, userKey.key, 'revoked?');
      expect(res.status).toBe(401);
    } finally {
      gw.signalGroup('SIGTERM');
      await gw.exited;
    }
  });

  it('refuses a second gateway on the same DATA_DIR with a clear message', async () => {
    const first = await spawnGateway(env);
    try {
      await expect(spawnGateway(env)).rejects.toThrow(/Another gateway \(pid \d+\) is using DATA_DIR/);
      expect((await chat(first.url, adminKey, 'first is fine')).status).toBe(200);
    } finally {
      first.signalGroup('SIGTERM');
      await first.exited;
    }
  });
});

describe('the gateway process on an external database', { timeout: 90_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrates the database at start-up, uses ADMIN_KEY as given, and is ready', async () => {
    const adminKey = 'my-own-admin-key-for-tests';
    const gw = await spawnGateway({ DATABASE_URL: db.url, ADMIN_KEY: adminKey, DATA_DIR: `${dataDir}-ext`, OLLAMA_URL: 'http://127.0.0.1:1' });
    try {
      expect(gw.output()).toContain('"database":"external"');
      expect(gw.output()).not.toContain('Admin key (shown once');
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
      expect((await chat(gw.url, adminKey, 'external')).status).toBe(200);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const { rows } = await c.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
      await c.end();
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      gw.signalGroup('SIGTERM');
      expect(await gw.exited).toBe(0);
      await rm(`${dataDir}-ext`, { recursive: true, force: true });
    }
  });

  it('reports a bad configuration clearly and exits', async () => {
    await expect(spawnGateway({ PORT: 'eighty', OLLAMA_URL: 'ftp://nope' }, { timeoutMs: 15_000 })).rejects.toThrow(
      /PORT="eighty": expected a port number[\s\S]*OLLAMA_URL="ftp:\/\/nope"/,
    );
  });
});
