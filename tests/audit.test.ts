/** The audit log: every admin action from the CLI, GraphQL and the console, read back through GraphQL and the CLI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { codeOf, gqlHttp, wsClient } from './support/graphql.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { runKeys } from './support/process.ts';

let gw: TestGateway;
let ollama: OllamaEmulator;

beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});

const AUDIT = `query Audit($filter: AuditFilter, $first: Int, $after: ID) {
  auditLog(filter: $filter, first: $first, after: $after) {
    hasNextPage endCursor
    nodes { id createdAt actorKeyId actorName surface ip action targetType targetId before after }
  }
}`;

interface Entry {
  id: string;
  actorKeyId: string | null;
  actorName: string;
  surface: string;
  ip: string | null;
  action: string;
  targetId: string | null;
  before: string | null;
  after: string | null;
}

async function audit(filter: Record<string, unknown> = {}, first = 50): Promise<Entry[]> {
  const r = await gqlHttp<{ auditLog: { nodes: Entry[] } }, unknown>(gw, AUDIT, { filter, first });
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.auditLog.nodes;
}

/** POSTs an operation as the admin console does (it names itself in x-ogw-client). */
async function asConsole(query: string, variables?: unknown) {
  const res = await gw.request('/graphql', { method: 'POST', json: { query, variables }, headers: { 'x-ogw-client': 'console' } });
  return res.json() as Promise<{ data?: Record<string, any>; errors?: unknown[] }>;
}

const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;
const UPDATE = `mutation($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { id role } }`;
const ROTATE = `mutation($input: RotateApiKeyInput!) { rotateApiKey(input: $input) { secret apiKey { id } } }`;
const REVOKE = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { id } }`;

const adminId = 'bootstrap-admin';

describe('audit log', () => {
  it('records key creation, edits, rotation and revocation over GraphQL: who, from where, before and after, never a secret', async () => {
    const created = await gqlHttp<any, unknown>(gw, CREATE, { input: { name: 'audited', tier: 'STANDARD' } });
    const id = created.body.data.createApiKey.apiKey.id;
    const secret = created.body.data.createApiKey.secret;
    await gqlHttp(gw, UPDATE, { input: { id, name: 'audited, renamed', rpmLimit: 42, role: 'ADMIN' } });
    const rotated = await gqlHttp<any, unknown>(gw, ROTATE, { input: { id, graceSeconds: 60 } });
    await gqlHttp(gw, REVOKE, { input: { id } });
    await gqlHttp(gw, REVOKE, { input: { id } }); // already revoked: no second entry

    const entries = await audit({ targetId: id });
    expect(entries.map((e) => e.action)).toEqual(['key.revoke', 'key.rotate', 'key.update', 'key.create']);
    for (const e of entries) {
      expect(e).toMatchObject({ actorKeyId: adminId, actorName: 'Bootstrap admin (ADMIN_KEY)', surface: 'GRAPHQL', targetId: id });
      expect(e.ip).toMatch(/127\.0\.0\.1/);
    }
    const [revoke, rotate, update, create] = entries;
    expect(JSON.parse(create.after!)).toMatchObject({ name: 'audited', tier: 'STANDARD', role: 'USER', revokedAt: null });
    expect(JSON.parse(update.before!)).toEqual({ name: 'audited', rpmLimit: null, role: 'USER' });
    expect(JSON.parse(update.after!)).toEqual({ name: 'audited, renamed', rpmLimit: 42, role: 'ADMIN' });
    expect(JSON.parse(rotate.after!)).toMatchObject({ prefix: rotated.body.data.rotateApiKey.secret.slice(0, 12), graceSeconds: 60 });
    expect(JSON.parse(revoke.before!)).toMatchObject({ revokedAt: null });
    expect(JSON.parse(revoke.after!).revokedAt).toMatch(/^\d{4}-/);
    // Nothing secret: not the secrets, not a hash.
    const all = JSON.stringify(entries);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(rotated.body.data.rotateApiKey.secret);
    expect(all).not.toMatch(/[0-9a-f]{64}/);
    expect(all).not.toMatch(/hash/i);
  });

  it('records a mutation sent over graphql-ws with the socket’s address', async () => {
    const ws = wsClient(gw);
    try {
      const result = await ws.client.iterate({ query: CREATE, variables: { input: { name: 'over a socket' } } }).next();
      const id = (result.value as { data: { createApiKey: { apiKey: { id: string } } } }).data.createApiKey.apiKey.id;
      const [entry] = await audit({ targetId: id });
      expect(entry).toMatchObject({ action: 'key.create', surface: 'GRAPHQL', actorKeyId: adminId });
      expect(entry.ip).toMatch(/127\.0\.0\.1/);
    } finally {
      await ws.client.dispose();
    }
  });

  it('records model edits and syncs', async () => {
    await gqlHttp(gw, `mutation($input: UpdateModelInput!) { updateModel(input: $input) { id } }`, {
      input: { id: 'qwen2.5:0.5b', isActive: false, temperature: 0.3 },
    });
    await gqlHttp(gw, `mutation { syncModels { upstreams { ok } } }`);
    const [edit] = await audit({ action: 'model.update', targetId: 'qwen2.5:0.5b' });
    expect(JSON.parse(edit.before!)).toEqual({ isActive: true, temperature: 0.7 });
    expect(JSON.parse(edit.after!)).toEqual({ isActive: false, temperature: 0.3 });
    const [sync] = await audit({ action: 'models.sync' });
    expect(JSON.parse(sync.after!).upstreams[0]).toMatchObject({ upstream: ollama.url, ok: true });
  });

  it('records console actions and sign-ins with the console as their surface', async () => {
    const signIn = await asConsole(`mutation { recordConsoleSignIn }`);
    expect(signIn.data?.recordConsoleSignIn).toBe(true);
    const created = await asConsole(CREATE, { input: { name: 'from the console' } });
    const id = created.data!.createApiKey.apiKey.id;
    await asConsole(UPDATE, { input: { id, tier: 'PREMIUM' } });
    await asConsole(ROTATE, { input: { id } });
    await asConsole(REVOKE, { input: { id } });
    const [login] = await audit({ action: 'console.sign_in' });
    expect(login).toMatchObject({ surface: 'CONSOLE', actorKeyId: adminId, targetId: adminId });
    expect((await audit({ targetId: id })).map((e) => [e.action, e.surface])).toEqual([
      ['key.revoke', 'CONSOLE'],
      ['key.rotate', 'CONSOLE'],
      ['key.update', 'CONSOLE'],
      ['key.create', 'CONSOLE'],
    ]);
    expect((await audit({ surface: 'CONSOLE', action: 'key' })).length).toBe(4);
  });

  it('records CLI actions as the machine’s operator, and `npm run keys -- audit` lists them', async () => {
    const env = { DATABASE_URL: gw.db.url };
    const created = await runKeys(['create', '--name', 'cli audited', '--json'], env);
    expect(created.code).toBe(0);
    const { id, key } = JSON.parse(created.stdout);
    expect((await runKeys(['rotate', id, '--json'], env)).code).toBe(0);
    expect((await runKeys(['revoke', id], env)).code).toBe(0);
    const entries = await audit({ targetId: id });
    expect(entries.map((e) => e.action)).toEqual(['key.revoke', 'key.rotate', 'key.create']);
    for (const e of entries) expect(e).toMatchObject({ surface: 'CLI', actorKeyId: null, actorName: expect.stringMatching(/^cli \(.+@.+\)$/), ip: null });

    const listed = await runKeys(['audit', '--key', id, '--json'], env);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout);
    expect(rows.map((r: { action: string }) => r.action)).toEqual(['key.revoke', 'key.rotate', 'key.create']);
    expect(listed.stdout).not.toContain(key);
    const table = await runKeys(['audit', '--action', 'key.revoke', '--limit', '5'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('key.revoke');
    expect(table.stdout).not.toContain('key.create');
  });

  it('pages with a cursor, filters by time, and is for admins only', async () => {
    const page1 = await gqlHttp<any, unknown>(gw, AUDIT, { first: 2 });
    const { nodes, hasNextPage, endCursor } = page1.body.data.auditLog;
    expect(nodes).toHaveLength(2);
    expect(hasNextPage).toBe(true);
    const page2 = await gqlHttp<any, unknown>(gw, AUDIT, { first: 2, after: endCursor });
    expect(page2.body.data.auditLog.nodes[0].id).not.toBe(nodes[1].id);
    expect(new Date(page2.body.data.auditLog.nodes[0].createdAt) <= new Date(nodes[1].createdAt)).toBe(true);
    expect(await audit({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    const bad = await gqlHttp<any, unknown>(gw, AUDIT, { first: 0 });
    expect(codeOf(bad.body)).toBe('BAD_USER_INPUT');

    const user = await gw.createKey({ name: 'nosy' });
    const denied = await gqlHttp<any, unknown>(gw, AUDIT, {}, { key: user.secret });
    expect(codeOf(denied.body)).toBe('FORBIDDEN');
    const signIn = await gqlHttp<any, unknown>(gw, `mutation { recordConsoleSignIn }`, {}, { key: user.secret });
    expect(codeOf(signIn.body)).toBe('FORBIDDEN');
  });

  it('refuses to make the last working admin key a user key', async () => {
    const r = await gqlHttp<any, unknown>(gw, UPDATE, { input: { id: adminId, role: 'USER' } });
    // One other admin exists (made by the first test, then revoked): the bootstrap key is the last working one.
    expect(codeOf(r.body)).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.message).toMatch(/last working admin key/);
  });
  it('records upstream servers added, drained and removed, with who, from where and what changed', async () => {
    const other = await startOllamaEmulator();
    try {
      const added = await asConsole('mutation A($input: AddUpstreamInput!) { addUpstream(input: $input) { id } }', {
        input: { name: 'gpu-audit', url: other.url, parallel: 2 },
      });
      const id = added.data!.addUpstream.id as string;
      await gqlHttp(gw, 'mutation D($input: DrainUpstreamInput!) { drainUpstream(input: $input) { id } }', { input: { id } });
      await gqlHttp(gw, 'mutation R($input: RemoveUpstreamInput!) { removeUpstream(input: $input) }', { input: { id } });
      const entries = (await audit({ targetId: id })).reverse();
      expect(entries.map((e) => e.action)).toEqual(['server.add', 'server.update', 'server.remove']);
      expect(entries[0]).toMatchObject({ surface: 'CONSOLE', actorKeyId: adminId });
      expect(JSON.parse(entries[0].after!)).toMatchObject({ name: 'gpu-audit', parallel: 2, state: 'ENABLED' });
      expect(entries[1].surface).toBe('GRAPHQL');
      expect([JSON.parse(entries[1].before!), JSON.parse(entries[1].after!)]).toEqual([{ state: 'ENABLED' }, { state: 'DRAINING' }]);
      expect(JSON.parse(entries[2].before!)).toMatchObject({ name: 'gpu-audit', state: 'DRAINING' });
    } finally {
      await other.close();
    }
  });
});
