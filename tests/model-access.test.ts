/**
 * One set of model rules on every face (catalogue/access.ts): `name` means `name:latest`, a model
 * outside a key's allow-list is hidden from lookups and refused when used, inactive models are
 * hidden from users. Checked through REST (/v1, /ollama) and GraphQL against the Ollama emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { gqlHttp } from './support/graphql.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';

const ModelLookup = graphql(`
  query ModelLookup($id: ID!) {
    model(id: $id) {
      id
    }
  }
`);

let ollama: OllamaEmulator;
let gw: TestGateway;

beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
});

afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});

describe('model access', () => {
  it('resolves a name without a tag to name:latest in GraphQL as in REST', async () => {
    const user = await gw.createKey({ name: 'access latest' });
    const gql = await gqlHttp(gw, ModelLookup, { id: 'llama3.2' }, { key: user.secret });
    expect(gql.body.data?.model).toEqual({ id: 'llama3.2:latest' });
    const v1 = await gw.request('/v1/models/llama3.2', { key: user.secret });
    expect(v1.status).toBe(200);
    expect(((await v1.json()) as { id: string }).id).toBe('llama3.2:latest');
  });

  it('hides a model outside the allow-list from every lookup and refuses it when used', async () => {
    const user = await gw.createKey({ name: 'access allow-list', allowedModels: ['qwen2.5:0.5b'] });
    expect((await gqlHttp(gw, ModelLookup, { id: 'llama3.2:latest' }, { key: user.secret })).body.data?.model).toBeNull();
    expect((await gqlHttp(gw, ModelLookup, { id: 'qwen2.5:0.5b' }, { key: user.secret })).body.data?.model).toEqual({ id: 'qwen2.5:0.5b' });
    expect((await gw.request('/v1/models/llama3.2:latest', { key: user.secret })).status).toBe(404);
    const show = await gw.request('/ollama/api/show', { key: user.secret, method: 'POST', json: { model: 'llama3.2' } });
    expect(show.status).toBe(404);
    const used = await gw.request('/v1/chat/completions', {
      key: user.secret,
      method: 'POST',
      json: { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(used.status).toBe(403);
  });

  it('hides an unknown model as null in GraphQL and 404 in REST', async () => {
    expect((await gqlHttp(gw, ModelLookup, { id: 'no-such-model' })).body.data?.model).toBeNull();
    expect((await gw.request('/v1/models/no-such-model')).status).toBe(404);
  });
});
