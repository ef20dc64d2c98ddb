/**
 * An Ollama server that is down is logged when it goes down and when it comes back, not at every
 * sync interval. A real gateway process, its JSON log read line by line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { freePort } from './support/ports.ts';
import { type GatewayProcess, spawnGateway } from './support/process.ts';

let db: TestDatabase | undefined;
let gw: GatewayProcess | undefined;
let ollama: OllamaEmulator | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (gw) {
    gw.signalGroup('SIGTERM');
    await gw.exited;
  }
  await ollama?.close();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const lines = (out: string, msg: RegExp) => out.split('\n').filter((l) => msg.test(l));

describe('upstream logging', () => {
  it('logs an unreachable Ollama once, and once more when it answers again', async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ogw-uplog-'));
    const port = await freePort();
    gw = await spawnGateway({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      OLLAMA_URL: `http://127.0.0.1:${port}`,
      MODEL_SYNC_INTERVAL_S: '1',
      LOG_FORMAT: 'json',
    });
    // Four sync intervals with the server down.
    await sleep(4500);
    expect(lines(gw.output(), /could not reach Ollama/)).toHaveLength(1);
    ollama = await startOllamaEmulator({ port });
    await expect.poll(() => lines(gw!.output(), /Ollama reachable again/).length, { timeout: 10_000 }).toBe(1);
    await sleep(2500);
    expect(lines(gw.output(), /Ollama reachable again|synced models from Ollama/)).toHaveLength(1);
    expect(lines(gw.output(), /could not reach Ollama/)).toHaveLength(1);
  });
});
