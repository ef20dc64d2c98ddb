/**
 * One PostgreSQL server for the whole test run, playing the "external database": TEST_DATABASE_URL
 * when given, else the server on 127.0.0.1:5432 when one answers, else an embedded server started
 * here. Each test file then creates its own database on it (tests/support/db.ts).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../server/db/embedded.ts';
import { freePort } from './support/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

export default async function setup(project: TestProject) {
  const candidates = [process.env.TEST_DATABASE_URL, 'postgresql://postgres@127.0.0.1:5432/postgres'].filter(Boolean) as string[];
  for (const url of candidates) {
    if (await reachable(url)) {
      project.provide('pgAdminUrl', url);
      return;
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ogw-test-pg-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as "postgres" and must be able to enter it
  const log = { info() {}, warn() {} };
  const server = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), log });
  project.provide('pgAdminUrl', server.connectionString.replace(/\/gateway$/, '/postgres'));
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
