/**
 * Several gateways on one external database, as replicas behind a load balancer: a key created, revoked
 * or a model deactivated through one of them (or the CLI) takes effect on every one within a second.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { runKeys, spawnGateway, type GatewayProcess } from './support/process.ts';

let db: TestDatabase;
let dataDir: string;
let replicas: GatewayProcess[] = [];
const adminKey = 'replica-admin-key-0123456789';

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-replicas-'));
  await chmod(dataDir, 0o755);
  const env = { DATABASE_URL: db.url, ADMIN_KEY: adminKey, OLLAMA_URL: 'http://127.0.0.1:1' };
  // Started one after the other: both apply migrations at start-up and must agree.
  replicas = [await spawnGateway({ ...env, DATA_DIR: path.join(dataDir, 'a') }), await spawnGateway({ ...env, DATA_DIR: path.join(dataDir, 'b') })];
}, 60_000);

afterAll(async () => {
  for (const r of replicas) r.signalGroup('SIGTERM');
  await Promise.all(replicas.map((r) => r.exited));
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const models = (url: string, key: string) => fetch(`${url}/api/models`, { headers: { authorization: `Bearer ${key}` } });

async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('replicas sharing one database', () => {
  it('a key created and then revoked with the CLI works, then stops working, on every replica within a second', async () => {
    const created = await runKeys(['create', '--name', 'shared', '--json'], { DATABASE_URL: db.url });
    expect(created.code).toBe(0);
    const { id, key } = JSON.parse(created.stdout);
    for (const r of replicas) expect(await within(1000, async () => (await models(r.url, key)).status === 200)).toBe(true);

    const revoked = await runKeys(['revoke', id], { DATABASE_URL: db.url });
    expect(revoked.code).toBe(0);
    const started = Date.now();
    for (const r of replicas) expect(await within(1000, async () => (await models(r.url, key)).status === 401)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a model deactivated through one replica disappears from the others', async () => {
    const [a, b] = replicas;
    const res = await fetch(`${a.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { updateModel(input: { id: "echo", isActive: false }) { id isActive } }' }),
    });
    expect((await res.json()).data.updateModel).toEqual({ id: 'echo', isActive: false });
    const gone = await within(1000, async () => !(await (await models(b.url, adminKey)).json()).models.some((m: { id: string }) => m.id === 'echo'));
    expect(gone).toBe(true);
  });
});
