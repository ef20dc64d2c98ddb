/** The keys list over GraphQL: cursor paging, and a revoked key showing no grace period. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { codeOf, gqlHttp } from './support/graphql.ts';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway();
  for (let i = 0; i < 7; i++) await gw.createKey({ name: `paged ${i}` });
});
afterAll(async () => {
  await gw?.stop();
});

const PAGE = `query($limit: Int, $after: ID, $filter: ApiKeyFilter) {
  apiKeys(limit: $limit, after: $after, filter: $filter) { totalCount hasNextPage endCursor nodes { id name } }
}`;

interface Page {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  nodes: Array<{ id: string; name: string }>;
}

async function page(variables: Record<string, unknown>): Promise<Page> {
  const r = await gqlHttp<{ apiKeys: Page }, unknown>(gw, PAGE, variables);
  expect(r.body.errors).toBeUndefined();
  return r.body.data!.apiKeys;
}

describe('apiKeys cursor paging', () => {
  it('walks every key once, newest first, page by page with endCursor', async () => {
    const all = (await page({ limit: 200 })).nodes.map((n) => n.id);
    expect(all).toHaveLength(8); // the bootstrap admin and 7 keys
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const p = await page({ limit: 3, after });
      seen.push(...p.nodes.map((n) => n.id));
      expect(p.endCursor).toBe(p.nodes.at(-1)?.id ?? null);
      if (!p.hasNextPage) break;
      after = p.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it('pages within a search', async () => {
    const first = await page({ limit: 4, filter: { search: 'paged' } });
    expect(first.totalCount).toBe(7);
    expect(first.hasNextPage).toBe(true);
    const second = await page({ limit: 4, after: first.endCursor, filter: { search: 'paged' } });
    expect(second.nodes).toHaveLength(3);
    expect(second.hasNextPage).toBe(false);
    expect([...first.nodes, ...second.nodes].every((n) => n.name.startsWith('paged'))).toBe(true);
  });

  it('refuses a cursor that is not a key id', async () => {
    const r = await gqlHttp(gw, PAGE, { limit: 3, after: 'no-such-key' });
    expect(codeOf(r.body)).toBe('BAD_USER_INPUT');
  });
});

describe('a revoked key', () => {
  it('shows no previous-secret grace period, even right after a rotation with one', async () => {
    const { id } = await gw.createKey({ name: 'rotated then revoked' });
    const q = `query($id: ID!) { apiKey(id: $id) { status previousSecretExpiresAt } }`;
    await gqlHttp(gw, `mutation($input: RotateApiKeyInput!) { rotateApiKey(input: $input) { secret } }`, { input: { id, graceSeconds: 3600 } });
    const rotated = await gqlHttp<any, unknown>(gw, q, { id });
    expect(rotated.body.data.apiKey.previousSecretExpiresAt).not.toBeNull();
    await gqlHttp(gw, `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { id } }`, { input: { id } });
    const revoked = await gqlHttp<any, unknown>(gw, q, { id });
    expect(revoked.body.data.apiKey).toEqual({ status: 'REVOKED', previousSecretExpiresAt: null });
  });
});
