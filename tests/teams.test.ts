/**
 * Teams and team admins through real HTTP and PostgreSQL: team CRUD (validated, audited, seen by the
 * key store without a restart), keys put in teams (GraphQL and the keys CLI), and a team admin that
 * manages its own team's keys and sees its team's usage, and nothing else.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { codeOf, gqlHttp } from './support/graphql.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { root, runKeys } from './support/process.ts';

let gw: TestGateway;
let ollama: OllamaEmulator;
const MODEL = 'qwen2.5:0.5b';

beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
});

const CREATE_TEAM = `mutation($input: CreateTeamInput!) { createTeam(input: $input) { id name description rpmLimit tpmLimit dailyTokens monthlyTokens dailyRequests alertWebhookUrl keyCount } }`;
const UPDATE_TEAM = `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { id name rpmLimit dailyTokens alertWebhookUrl } }`;
const DELETE_TEAM = `mutation($input: DeleteTeamInput!) { deleteTeam(input: $input) { id name } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id role team { id name } } } }`;
const UPDATE_KEY = `mutation($input: UpdateApiKeyInput!) { updateApiKey(input: $input) { id name role team { id } } }`;
const REVOKE_KEY = `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { id status } }`;
const ROTATE_KEY = `mutation($input: RotateApiKeyInput!) { rotateApiKey(input: $input) { secret apiKey { id } } }`;
const LIST_KEYS = `query($filter: ApiKeyFilter) { apiKeys(filter: $filter, limit: 200) { totalCount nodes { id name team { name } } } }`;
const AUDIT = `query($filter: AuditFilter) { auditLog(filter: $filter, first: 50) { nodes { action actorKeyId targetId before after } } }`;

async function ok<T = any>(query: string, variables?: unknown, key?: string): Promise<T> {
  const r = await gqlHttp<T, unknown>(gw, query, variables, key ? { key } : {});
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data as T;
}

async function refused(query: string, variables: unknown, key: string, code = 'FORBIDDEN') {
  const r = await gqlHttp<any, unknown>(gw, query, variables, { key });
  expect(r.body.errors, `expected ${code} from ${query.slice(0, 60)}`).toBeDefined();
  expect(codeOf(r.body), `${query.slice(0, 60)}: ${JSON.stringify(r.body.errors)}`).toBe(code);
  return r.body;
}

const chat = (key: string, content: string) => gw.request('/api/chat', { method: 'POST', key, json: { model: MODEL, messages: [{ role: 'user', content }] } });

describe('teams', () => {
  it('creates, changes and deletes a team, validated and audited, and the key store sees each change without a restart', async () => {
    const { createTeam: team } = await ok(CREATE_TEAM, {
      input: { name: '  Research  ', description: 'ML folks', rpmLimit: 600, dailyTokens: 100000, alertWebhookUrl: 'https://hooks.example.com/research' },
    });
    expect(team).toMatchObject({ name: 'Research', description: 'ML folks', rpmLimit: 600, tpmLimit: null, dailyTokens: 100000, keyCount: 0 });

    // Validation: a 400 naming the field, nothing written.
    for (const [input, message] of [
      [{ name: 'research' }, 'already exists'],
      [{ name: 'Research' }, 'already exists'],
      [{ name: '   ' }, 'name must not be empty'],
      [{ name: 'X', rpmLimit: 0 }, 'rpmLimit'],
      [{ name: 'Y', dailyRequests: -5 }, 'dailyRequests'],
      [{ name: 'Z', alertWebhookUrl: 'ftp://example.com/x' }, 'alertWebhookUrl'],
      [{ name: 'W', alertWebhookUrl: 'not a url' }, 'alertWebhookUrl'],
    ] as const) {
      const r = await gqlHttp<any, unknown>(gw, CREATE_TEAM, { input });
      expect(codeOf(r.body)).toBe('BAD_USER_INPUT');
      expect(r.body.errors![0].message).toContain(message);
    }
    expect(await prisma.team.count({ where: { name: { in: ['X', 'Y', 'Z', 'W', '   '] } } })).toBe(0);

    const member = await gw.createKey({ name: 'research bot', teamId: team.id });
    const principal = () => gw.app.services.keys.authenticate(`Bearer ${member.secret}`);
    expect(principal().team).toMatchObject({ id: team.id, name: 'Research', rpm: 600, quotas: { dailyTokens: 100000 } });

    const viewer = await ok(`{ viewer { team { id name rpmLimit dailyTokens } } }`, undefined, member.secret);
    expect(viewer.viewer.team).toEqual({ id: team.id, name: 'Research', rpmLimit: 600, dailyTokens: 100000 });

    // A change reaches the principal (the change feed's 'team' event), and viewer.team.
    await ok(UPDATE_TEAM, { input: { id: team.id, name: 'Research & Dev', rpmLimit: 1200, alertWebhookUrl: null } });
    await expect.poll(() => principal().team?.rpm).toBe(1200);
    expect(principal().team?.name).toBe('Research & Dev');
    expect(principal().team?.alertWebhookUrl).toBeNull();
    expect((await ok(`{ viewer { team { name rpmLimit } } }`, undefined, member.secret)).viewer.team).toEqual({ name: 'Research & Dev', rpmLimit: 1200 });
    // Another team's name is refused on update too.
    const other = await ok(CREATE_TEAM, { input: { name: 'Other' } });
    const clash = await gqlHttp<any, unknown>(gw, UPDATE_TEAM, { input: { id: other.createTeam.id, name: 'Research & Dev' } });
    expect(codeOf(clash.body)).toBe('BAD_USER_INPUT');

    // Delete: the key stays, in no team, and keeps working.
    await ok(DELETE_TEAM, { input: { id: team.id } });
    await expect.poll(() => principal().team).toBeNull();
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: member.id } })).teamId).toBeNull();
    expect((await chat(member.secret, 'still here')).status).toBe(200);
    expect(codeOf((await gqlHttp<any, unknown>(gw, DELETE_TEAM, { input: { id: team.id } })).body)).toBe('NOT_FOUND');

    const entries = (await ok(AUDIT, { filter: { targetId: team.id } })).auditLog.nodes;
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['team.delete', 'team.update', 'team.create']);
    expect(JSON.parse(entries[2].after)).toMatchObject({ name: 'Research', rpmLimit: 600, alertWebhookUrl: 'https://hooks.example.com/research' });
    expect(JSON.parse(entries[1].before)).toEqual({ name: 'Research', rpmLimit: 600, alertWebhookUrl: 'https://hooks.example.com/research' });
    expect(JSON.parse(entries[1].after)).toEqual({ name: 'Research & Dev', rpmLimit: 1200, alertWebhookUrl: null });
    expect(JSON.parse(entries[0].before)).toMatchObject({ name: 'Research & Dev', keyIds: [member.id] });
    for (const e of entries) expect(e.actorKeyId).toBe('bootstrap-admin');
  });

  it('keeps a team parameter policy: validated, shown on the team, merged into its keys’ effective policy, seen by the key store', async () => {
    const { createTeam: team } = await ok(`mutation($input: CreateTeamInput!) { createTeam(input: $input) { id policy { maxTokens allowedSurfaces } } }`, {
      input: { name: 'Policy team', policy: { maxTokens: 256, allowedSurfaces: ['API', 'GRAPHQL'] } },
    });
    expect(team.policy).toEqual({ maxTokens: 256, allowedSurfaces: ['API', 'GRAPHQL'] });
    const member = await gw.createKey({ name: 'policy member', teamId: team.id });
    const effective = `{ viewer { effectivePolicy { maxTokens allowedSurfaces } } }`;
    expect((await ok(effective, undefined, member.secret)).viewer.effectivePolicy).toEqual({ maxTokens: 256, allowedSurfaces: ['API', 'GRAPHQL'] });
    const bad = await gqlHttp<any, unknown>(gw, UPDATE_TEAM, { input: { id: team.id, policy: { maxTokens: -3 } } });
    expect(codeOf(bad.body)).toBe('BAD_USER_INPUT');
    await ok(UPDATE_TEAM, { input: { id: team.id, policy: { maxTokens: 64 } } });
    await expect.poll(() => (gw.app.services.keys.authenticate(`Bearer ${member.secret}`).team?.policy as { maxTokens?: number } | null)?.maxTokens).toBe(64);
    expect((await ok(effective, undefined, member.secret)).viewer.effectivePolicy).toEqual({ maxTokens: 64, allowedSurfaces: null });
    await ok(UPDATE_TEAM, { input: { id: team.id, policy: null } });
    expect((await prisma.team.findUniqueOrThrow({ where: { id: team.id } })).policy).toBeNull();
    const entries = (await ok(AUDIT, { filter: { targetId: team.id } })).auditLog.nodes;
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['team.update', 'team.update', 'team.create']);
    expect(JSON.parse(entries[1].after)).toEqual({ policy: { maxTokens: 64 } });
  });

  it('holds a team requests/min limit changed on a running gateway, across the team’s keys', async () => {
    const { createTeam: team } = await ok(CREATE_TEAM, { input: { name: 'Throttled' } });
    const a = await gw.createKey({ name: 'throttled a', teamId: team.id });
    const b = await gw.createKey({ name: 'throttled b', teamId: team.id });
    expect((await chat(a.secret, 'before')).status).toBe(200);
    await ok(UPDATE_TEAM, { input: { id: team.id, rpmLimit: 3 } });
    await expect.poll(() => gw.app.services.keys.authenticate(`Bearer ${b.secret}`).team?.rpm).toBe(3);
    const statuses: number[] = [];
    for (const key of [a, b, a, b]) statuses.push((await chat(key.secret, 'burst')).status);
    // Three per minute for the two keys together (each is far under its own 60): the fourth is refused.
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('puts keys in a team from the keys CLI by name, and lists their team', async () => {
    await ok(CREATE_TEAM, { input: { name: 'CLI team' } });
    const env = { DATABASE_URL: gw.db.url };
    const created = await runKeys(['create', '--name', 'cli member', '--team', 'CLI team', '--team-admin', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const out = JSON.parse(created.stdout);
    expect(out).toMatchObject({ role: 'team_admin', team: 'CLI team' });
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: out.id }, include: { team: true } });
    expect(row.team?.name).toBe('CLI team');
    const unknown = await runKeys(['create', '--name', 'lost', '--team', 'No such team'], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("No team with id or name 'No such team'");
    const lonely = await runKeys(['create', '--name', 'lonely', '--team-admin'], env);
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain('--team-admin needs --team');
    const list = await runKeys(['list', '--json'], env);
    expect(JSON.parse(list.stdout).find((k: { id: string }) => k.id === out.id)).toMatchObject({ team: 'CLI team', role: 'team_admin' });
  }, 60_000);

  it('creates and lists teams from the keys CLI, audited, with their limits and quotas', async () => {
    const env = { DATABASE_URL: gw.db.url };
    const made = await runKeys(
      ['team-create', '--name', 'Ops from CLI', '--rpm', '120', '--daily-tokens', '5000', '--webhook', 'https://hooks.example.com/ops', '--json'],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    const team = JSON.parse(made.stdout);
    expect(team).toMatchObject({
      name: 'Ops from CLI',
      rpm: 120,
      daily_tokens: 5000,
      monthly_tokens: null,
      alert_webhook_url: 'https://hooks.example.com/ops',
    });
    const row = await prisma.team.findUniqueOrThrow({ where: { id: team.id } });
    expect(row).toMatchObject({ rpmLimit: 120, dailyTokens: 5000, alertWebhookUrl: 'https://hooks.example.com/ops' });
    expect(await prisma.auditEntry.count({ where: { action: 'team.create', targetId: team.id, surface: 'cli' } })).toBe(1);
    // Same name in another case: refused with the team rule's message, nothing created.
    const again = await runKeys(['team-create', '--name', 'ops FROM cli'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already/i);
    expect(await prisma.team.count({ where: { name: { equals: 'ops from cli', mode: 'insensitive' } } })).toBe(1);
    const bad = await runKeys(['team-create', '--name', 'Bad hook', '--webhook', 'ftp://x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('alertWebhookUrl must be an http:// or https:// URL');
    const member = await runKeys(['create', '--name', 'ops member', '--team', 'Ops from CLI', '--json'], env);
    expect(member.code, member.stderr).toBe(0);
    const listed = await runKeys(['teams', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).find((t: { id: string }) => t.id === team.id)).toMatchObject({ name: 'Ops from CLI', keys: 1, rpm: 120 });
  }, 60_000);
});

describe('team admins', () => {
  let red: string;
  let blue: string;
  let redAdmin: { id: string; secret: string };
  let redUser: { id: string; secret: string };
  let blueUser: { id: string; secret: string };
  let teamedAdmin: { id: string; secret: string };

  beforeAll(async () => {
    red = (await ok(CREATE_TEAM, { input: { name: 'Red', rpmLimit: 100 } })).createTeam.id;
    blue = (await ok(CREATE_TEAM, { input: { name: 'Blue' } })).createTeam.id;
    redAdmin = await gw.createKey({ name: 'red admin', role: 'TEAM_ADMIN', teamId: red });
    redUser = await gw.createKey({ name: 'red user', teamId: red });
    blueUser = await gw.createKey({ name: 'blue user', teamId: blue });
    // An admin key inside a team is still out of a team admin's reach.
    teamedAdmin = await gw.createKey({ name: 'red-team gateway admin', role: 'ADMIN', teamId: red });
    for (const [key, text] of [
      [redUser.secret, 'red one'],
      [redUser.secret, 'red two'],
      [blueUser.secret, 'blue one'],
    ] as const)
      expect((await chat(key, text)).status).toBe(200);
    await gw.app.services.usage.flush();
  });

  it('lists only its own team’s keys and teams, and reads only those', async () => {
    const mine = await ok(LIST_KEYS, {}, redAdmin.secret);
    expect(mine.apiKeys.nodes.map((k: { name: string }) => k.name).sort()).toEqual(['red admin', 'red user', 'red-team gateway admin']);
    expect(mine.apiKeys.totalCount).toBe(3);
    // A filter cannot widen the scope.
    expect((await ok(LIST_KEYS, { filter: { teamId: blue } }, redAdmin.secret)).apiKeys.totalCount).toBe(0);
    expect((await ok(`{ teams { name keys { name } } }`, undefined, redAdmin.secret)).teams).toEqual([
      { name: 'Red', keys: expect.arrayContaining([{ name: 'red user' }, { name: 'red admin' }]) },
    ]);
    expect((await ok(`query($id: ID!) { apiKey(id: $id) { name } }`, { id: redUser.id }, redAdmin.secret)).apiKey.name).toBe('red user');
    await refused(`query($id: ID!) { apiKey(id: $id) { name } }`, { id: blueUser.id }, redAdmin.secret);
    await refused(`query($id: ID!) { team(id: $id) { name } }`, { id: blue }, redAdmin.secret);
    // A user key of the team sees its team, not its teammates.
    expect((await ok(`{ viewer { team { name } } }`, undefined, redUser.secret)).viewer.team.name).toBe('Red');
    await refused(`{ viewer { team { keys { name } } } }`, undefined, redUser.secret);
    await refused(`{ teams { name } }`, undefined, redUser.secret);
    await refused(LIST_KEYS, {}, redUser.secret);
  });

  it('sees its team’s usage and no one else’s', async () => {
    const usage = `query($filter: UsageFilter) { usage(filter: $filter) { totals { requests } byKey { apiKeyId } } }`;
    const team = await ok(usage, {}, redAdmin.secret);
    expect(team.usage.totals.requests).toBe(2);
    expect(team.usage.byKey.map((k: { apiKeyId: string }) => k.apiKeyId)).toEqual([redUser.id]);
    expect((await ok(usage, { filter: { apiKeyId: redUser.id } }, redAdmin.secret)).usage.totals.requests).toBe(2);
    await refused(usage, { filter: { apiKeyId: blueUser.id } }, redAdmin.secret);
    // The admin still sees everything.
    expect((await ok(usage, {})).usage.totals.requests).toBeGreaterThanOrEqual(3);
  });

  it('creates keys for its own team only, never admin keys', async () => {
    const created = await ok(CREATE_KEY, { input: { name: 'red new', tier: 'PREMIUM' } }, redAdmin.secret);
    expect(created.createApiKey.apiKey).toMatchObject({ role: 'USER', team: { id: red, name: 'Red' } });
    expect((await chat(created.createApiKey.secret, 'new key works')).status).toBe(200);
    const helper = await ok(CREATE_KEY, { input: { name: 'red helper', role: 'TEAM_ADMIN', teamId: red } }, redAdmin.secret);
    expect(helper.createApiKey.apiKey.role).toBe('TEAM_ADMIN');
    await ok(REVOKE_KEY, { input: { id: helper.createApiKey.apiKey.id } }, redAdmin.secret);
  });

  it('is refused everything outside its team, with FORBIDDEN, and nothing changes', async () => {
    // lastUsedAt is written every few seconds by any use of a key: not a change anyone made.
    const keyRows = async () => (await prisma.apiKey.findMany({ orderBy: { id: 'asc' } })).map(({ lastUsedAt: _, ...k }) => k);
    const before = await keyRows();
    const teamsBefore = await prisma.team.findMany({ orderBy: { id: 'asc' } });
    const auditBefore = await prisma.auditEntry.count();
    const attempts: Array<[string, unknown]> = [
      [UPDATE_KEY, { input: { id: blueUser.id, name: 'taken over' } }],
      [REVOKE_KEY, { input: { id: blueUser.id } }],
      [ROTATE_KEY, { input: { id: blueUser.id } }],
      [CREATE_KEY, { input: { name: 'smuggled', teamId: blue } }],
      [CREATE_KEY, { input: { name: 'no team', teamId: null } }],
      [CREATE_KEY, { input: { name: 'boss', role: 'ADMIN' } }],
      [UPDATE_KEY, { input: { id: redUser.id, role: 'ADMIN' } }],
      [UPDATE_KEY, { input: { id: redUser.id, teamId: blue } }],
      [UPDATE_KEY, { input: { id: redUser.id, teamId: null } }],
      [UPDATE_KEY, { input: { id: redAdmin.id, role: 'ADMIN' } }],
      [UPDATE_KEY, { input: { id: teamedAdmin.id, name: 'demoted' } }],
      [REVOKE_KEY, { input: { id: teamedAdmin.id } }],
      [ROTATE_KEY, { input: { id: teamedAdmin.id } }],
      [UPDATE_TEAM, { input: { id: red, rpmLimit: 100000 } }],
      [UPDATE_TEAM, { input: { id: blue, name: 'Blue (ours)' } }],
      [CREATE_TEAM, { input: { name: 'Rogue' } }],
      [DELETE_TEAM, { input: { id: blue } }],
      [`mutation { syncModels { models { id } } }`, undefined],
      [`mutation($input: UpdateModelInput!) { updateModel(input: $input) { id } }`, { input: { id: MODEL, isActive: false } }],
      [`{ upstreams { name } }`, undefined],
      [AUDIT, {}],
      [`{ models(includeInactive: true) { id } }`, undefined],
    ];
    for (const [query, variables] of attempts) await refused(query, variables, redAdmin.secret);
    expect(await keyRows()).toEqual(before);
    expect(await prisma.team.findMany({ orderBy: { id: 'asc' } })).toEqual(teamsBefore);
    expect(await prisma.auditEntry.count()).toBe(auditBefore);
    // The blue key still works with its old secret.
    expect((await chat(blueUser.secret, 'untouched')).status).toBe(200);
  });

  it('manages its own team’s keys, and the audit log records those actions as the team admin’s', async () => {
    await ok(UPDATE_KEY, { input: { id: redUser.id, name: 'red user (renamed)', rpmLimit: 30, teamId: red } }, redAdmin.secret);
    const rotated = await ok(ROTATE_KEY, { input: { id: redUser.id } }, redAdmin.secret);
    expect((await chat(rotated.rotateApiKey.secret, 'rotated')).status).toBe(200);
    await ok(REVOKE_KEY, { input: { id: redUser.id } }, redAdmin.secret);
    expect((await chat(rotated.rotateApiKey.secret, 'revoked')).status).toBe(401);
    const mine = (await ok(AUDIT, { filter: { actorKeyId: redAdmin.id } })).auditLog.nodes;
    const byAction = mine.map((e: { action: string; targetId: string }) => [e.action, e.targetId]);
    expect(byAction.slice(0, 3)).toEqual([
      ['key.revoke', redUser.id],
      ['key.rotate', redUser.id],
      ['key.update', redUser.id],
    ]);
    // Everything it did was on its own team's keys.
    const redIds = new Set((await prisma.apiKey.findMany({ where: { teamId: red }, select: { id: true } })).map((k) => k.id));
    for (const e of mine) expect(redIds.has(e.targetId), `${e.action} ${e.targetId}`).toBe(true);
  });

  it('can do nothing admin-like without a team, and may sign in to the console only with one', async () => {
    const loose = await gw.createKey({ name: 'team admin of nothing', role: 'TEAM_ADMIN' });
    const body = await refused(LIST_KEYS, {}, loose.secret);
    expect(body.errors![0].message).toContain('team admin key of a team');
    await refused(CREATE_KEY, { input: { name: 'x' } }, loose.secret);
    await refused(`{ teams { name } }`, undefined, loose.secret);
    await refused(`mutation { recordConsoleSignIn }`, undefined, loose.secret);
    expect((await ok(`mutation { recordConsoleSignIn }`, undefined, redAdmin.secret)).recordConsoleSignIn).toBe(true);
  });
});

describe('the README’s teams examples', () => {
  it('run as written: an admin creates the team and a key in it, its team admin reads its team and creates a key for it', async () => {
    const md = await readFile(path.join(root, 'README.md'), 'utf8');
    const section = md.slice(md.indexOf('## Teams and team admins'), md.indexOf('## Quotas and alerts'));
    const blocks = [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toHaveLength(4);
    const [createTeam, addKey, myTeam, newKey] = blocks;
    const team = (await ok(createTeam)).createTeam;
    expect(team.name).toBe('Research');
    const added = await ok(addKey, { team: team.id });
    expect(added.createApiKey.apiKey.team.name).toBe('Research');
    const lead = await gw.createKey({ name: 'readme lead', role: 'TEAM_ADMIN', teamId: team.id });
    const mine = await ok(myTeam, { monthStart: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)).toISOString() }, lead.secret);
    expect(mine.apiKeys.totalCount).toBe(2);
    expect(mine.teams).toEqual([{ name: 'Research', quotaState: 'OK', quota: [expect.objectContaining({ metric: 'DAILY_TOKENS', limit: 1000000 })] }]);
    const intern = await ok(newKey, undefined, lead.secret);
    expect(intern.createApiKey.apiKey.team.name).toBe('Research');
  });
});
