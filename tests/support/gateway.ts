/**
 * Starts the whole gateway in-process on port 0 against a fresh test database, the way main.ts does
 * (same createApp), so tests go through real HTTP. One gateway per test file: the Prisma client is a
 * module-level singleton, and vitest gives each file its own module graph.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiKey, type CreateApiKeyInput } from '../../server/auth/api-keys.ts';
import { createApp, type App } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { prisma } from '../../server/db/client.ts';
import type { UsageRecord } from '../../server/db/generated/client.ts';

export interface TestGateway {
  url: string;
  app: App;
  config: Config;
  db: TestDatabase;
  adminKey: string;
  /** Creates a key directly in the database (as the CLI would) and returns its secret and id. */
  createKey(input?: Partial<CreateApiKeyInput>): Promise<{ id: string; secret: string }>;
  /** The usage record of a request id, once it is written (flushes, then polls for about 2 s). */
  usageRecord(id: string): Promise<UsageRecord>;
  /** fetch() against the gateway with a Bearer key. */
  request(pathname: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startGateway({
  env = {},
  now,
}: {
  env?: Record<string, string>;
  /** The gateway's clock for quota periods and usage rows (a test moves it across a day or a month). */
  now?: () => number;
} = {}): Promise<TestGateway> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-test-data-'));
  const adminKey = `ogw_test_admin_${Math.random().toString(36).slice(2)}_${Date.now()}`;
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    OLLAMA_URL: 'http://127.0.0.1:1',
    ADMIN_KEY: adminKey,
    LOG_LEVEL: 'silent',
    USAGE_FLUSH_MS: '50',
    OLLAMA_CONNECT_TIMEOUT_MS: '2000',
    ...env,
  });
  const log = createLogger({ level: config.logLevel });
  const app = await createApp({ config, connectionString: db.url, log, now });
  const url = await app.start();
  // Wait for the first model sync so tests see the upstream's models.
  await app.services.catalogue.sync();
  return {
    url,
    app,
    config,
    db,
    adminKey,
    async createKey(input = {}) {
      const { key, secret } = await createApiKey({ name: 'test key', ...input });
      await app.services.keys.reloadKey(key.id);
      return { id: key.id, secret };
    },
    async usageRecord(id) {
      for (let i = 0; i < 100; i++) {
        await app.services.usage.flush();
        const rec = await prisma.usageRecord.findUnique({ where: { id } });
        if (rec) return rec;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no usage record ${id}`);
    },
    request(pathname, init = {}) {
      const { key = adminKey, json, headers, ...rest } = init;
      const h = new Headers(headers);
      if (key) h.set('authorization', `Bearer ${key}`);
      if (json !== undefined) h.set('content-type', 'application/json');
      return fetch(url + pathname, { ...rest, headers: h, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    async stop() {
      await app.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
