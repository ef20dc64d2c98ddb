import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { root, spawnGateway } from './support/process.ts';

let db: TestDatabase;
const adminKey = `ogw_logs_admin_${Date.now()}_abcdefgh`;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, ADMIN_KEY: adminKey, OLLAMA_URL: 'http://127.0.0.1:1', DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'ogw-logs-')) };
});
afterAll(async () => {
  await db.drop();
  await rm(env.DATA_DIR, { recursive: true, force: true });
});

const chat = (url: string, key: string) =>
  fetch(`${url}/api/chat?x=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'hello logs' }] }),
  });

const jsonLines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

describe('access log', () => {
  it('writes one JSON line per request with method, path, status, key prefix, model, duration and tokens', async () => {
    const gw = await spawnGateway({ ...env, LOG_FORMAT: 'json' });
    try {
      expect((await chat(gw.url, adminKey)).status).toBe(200);
      expect((await fetch(`${gw.url}/api/models`, { headers: { authorization: 'Bearer ogw_wrongwrongwrongwrong' } })).status).toBe(401);
      expect((await fetch(`${gw.url}/nothing-here`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 200));
      const lines = jsonLines(gw.output());
      // Machine-readable: ISO times, not epoch milliseconds.
      expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
      const access = lines.filter((l) => l.access).map((l) => l.access);
      const chatLine = access.find((a) => a.path === '/api/chat');
      expect(chatLine).toMatchObject({ method: 'POST', path: '/api/chat', status: 200, key: adminKey.slice(0, 12), model: 'echo', ms: expect.any(Number) });
      expect(chatLine.promptTokens).toBeGreaterThan(0);
      expect(chatLine.completionTokens).toBeGreaterThan(0);
      expect(access.find((a) => a.path === '/api/models')).toMatchObject({ method: 'GET', status: 401, key: 'ogw_wrongwro' });
      expect(access.find((a) => a.path === '/nothing-here')).toMatchObject({ status: 404 });
      expect(access.filter((a) => a.path === '/api/chat')).toHaveLength(1);
      // The secret itself never appears, nor does the query string.
      expect(gw.output()).not.toContain(adminKey);
      expect(gw.output()).not.toContain('x=1');
    } finally {
      gw.signalGroup('SIGTERM');
      await gw.exited;
    }
  });

  it('is off with ACCESS_LOG=false', async () => {
    const gw = await spawnGateway({ ...env, LOG_FORMAT: 'json', ACCESS_LOG: 'false' });
    try {
      expect((await chat(gw.url, adminKey)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(jsonLines(gw.output()).filter((l) => l.access)).toEqual([]);
    } finally {
      gw.signalGroup('SIGTERM');
      await gw.exited;
    }
  });

  it('is human-readable with LOG_FORMAT=pretty: times of day and a message per line, no JSON objects', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((r) => child.on('exit', r));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready:\n${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = /gateway ready.*?(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      expect((await chat(url, adminKey)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      const lines = out.split('\n').filter(Boolean);
      expect(lines.some((l) => l.startsWith('{'))).toBe(false);
      expect(out).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] INFO: gateway ready/);
      expect(out).toMatch(/INFO: POST \/api\/chat 200 \d+ms/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
