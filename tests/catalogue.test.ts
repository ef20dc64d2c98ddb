/**
 * The model catalogue against a real (emulated) Ollama: synced from /api/tags, Ollama down at start-up
 * is not fatal and is retried, admin edits survive syncs, and models Ollama stops listing are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { freePort } from './support/ports.ts';

let gw: TestGateway;
let ollama: OllamaEmulator | undefined;
let port: number;

const ids = async () => ((await (await gw.request('/api/models')).json()).models as Array<{ id: string }>).map((m) => m.id);

async function eventually(check: () => Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  port = await freePort();
  // Ollama is not running yet when the gateway starts.
  gw = await startGateway({ env: { OLLAMA_URL: `http://127.0.0.1:${port}`, MODEL_SYNC_INTERVAL_S: '1' } });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});

describe('model catalogue', () => {
  it('starts without Ollama, serves the built-in model, and picks Ollama models up once it appears', async () => {
    expect(await ids()).toEqual(['echo']);
    ollama = await startOllamaEmulator({ port });
    await eventually(async () => (await ids()).includes('llama3.2:latest'));
    expect(await ids()).toEqual(expect.arrayContaining(['echo', 'llama3.2:latest', 'qwen2.5:0.5b', 'nomic-embed-text:latest']));
  });

  it('keeps admin edits across syncs', async () => {
    await gw.app.services.catalogue.update({ id: 'qwen2.5:0.5b', name: 'Qwen, our small one', description: 'Edited by an admin', temperature: 0.2 });
    await gw.app.services.catalogue.sync();
    const m = (await (await gw.request('/api/models')).json()).models.find((x: { id: string }) => x.id === 'qwen2.5:0.5b');
    expect(m).toMatchObject({ name: 'Qwen, our small one', description: 'Edited by an admin', parameters: { temperature: 0.2 } });
  });

  it('refuses a model Ollama no longer lists, and serves it again when it comes back', async () => {
    const chat = () => gw.request('/api/chat', { method: 'POST', json: { model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'hi' }] } });
    expect((await chat()).status).toBe(200);
    ollama!.setModels([{ name: 'llama3.2:latest' }]);
    await gw.app.services.catalogue.sync();
    const gone = await chat();
    expect(gone.status).toBe(404);
    expect((await gone.json()).error.code).toBe('model_not_found');
    expect(await ids()).not.toContain('qwen2.5:0.5b');
    ollama!.setModels([{ name: 'llama3.2:latest' }, { name: 'qwen2.5:0.5b' }]);
    await gw.app.services.catalogue.sync();
    expect((await chat()).status).toBe(200);
    // Its admin edits were kept while it was away.
    expect((await gw.app.services.catalogue.get('qwen2.5:0.5b'))!.name).toBe('Qwen, our small one');
  });
});
