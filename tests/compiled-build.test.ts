/**
 * The compiled build: `npm run build` bundles the server into dist/, and `npm start` runs it on plain
 * node (no tsx), finding prisma/ (migrations) and web/dist (the console) from there.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { type GatewayProcess, root, spawnGateway } from './support/process.ts';

const run = promisify(execFile);
let emulator: OllamaEmulator;
let parent: string;
let gw: GatewayProcess;
const adminKey = 'compiled-build-admin-key-0123456789';

beforeAll(async () => {
  await run('npm', ['run', 'build'], { cwd: root });
  emulator = await startOllamaEmulator();
  parent = await mkdtemp(path.join(os.tmpdir(), 'ogw-compiled-'));
  await chmod(parent, 0o755);
  gw = await spawnGateway(
    { DATA_DIR: path.join(parent, 'data'), EMBEDDED_PG_PORT: '', OLLAMA_URL: emulator.url, ADMIN_KEY: adminKey, LOG_FORMAT: 'json' },
    { command: ['npm', 'start'], timeoutMs: 60_000 },
  );
}, 90_000);

afterAll(async () => {
  if (gw) {
    gw.signalGroup('SIGTERM');
    await gw.exited;
  }
  await emulator?.close();
  if (parent) await rm(parent, { recursive: true, force: true });
});

describe('compiled build', { timeout: 60_000 }, () => {
  it('npm start runs dist/main.js with plain node', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
    // MALLOC_ARENA_MAX: glibc's per-thread arenas (V8's compiler threads) otherwise keep ~60 MB the process no longer uses.
    expect(pkg.scripts.start).toBe('MALLOC_ARENA_MAX=2 node dist/main.js');
    expect(existsSync(path.join(root, 'dist/main.js'))).toBe(true);
    // The process npm started is node on the bundle: no tsx loader anywhere in its command line.
    const { stdout } = await run('ps', ['-o', 'args=', '--ppid', String(gw.child.pid)]);
    expect(stdout).toMatch(/node dist\/main\.js/);
    expect(stdout).not.toMatch(/tsx/);
  });

  it('applies the migrations, answers /healthz, serves the console and proxies a chat to Ollama', async () => {
    expect(gw.output()).toMatch(/applied database migrations/);
    const health = await fetch(`${gw.url}/healthz`);
    expect(health.status).toBe(200);
    const admin = await fetch(`${gw.url}/admin/`);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toMatch(/<div id="root">|<script/);
    const chat = () =>
      fetch(`${gw.url}/api/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama3.2:latest', messages: [{ role: 'user', content: 'hello there' }], stream: false }),
      });
    // The catalogue syncs from Ollama just after "gateway ready": until then the model is unknown (404).
    let res = await chat();
    for (let i = 0; res.status === 404 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await chat();
    }
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(JSON.stringify(body)).toContain('You said: hello there');
    expect(emulator.lastRequest('/api/chat')).toBeDefined();
  });
});
