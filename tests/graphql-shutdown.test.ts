/**
 * Shutting down with GraphQL subscriptions open over SSE: an endless feed must not hold the drain
 * until the shutdown deadline. Its own file, because it stops its gateway.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './gql/index.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { codeOf, gqlSse } from './support/graphql.ts';

const UsageEvents = graphql(`
  subscription UsageEvents {
    usageEvents {
      id
      apiKeyId
      model
      surface
      endpoint
      status
      totalTokens
    }
  }
`);

let gw: TestGateway;
let stopped = false;

beforeAll(async () => {
  gw = await startGateway({ env: { SHUTDOWN_TIMEOUT_MS: '10000' } });
});

afterAll(async () => {
  if (!stopped) await gw?.stop();
});

describe('GraphQL at shutdown', () => {
  it('ends an open SSE usageEvents subscription at once, so stop() does not wait for the deadline', async () => {
    let started!: () => void;
    const open = new Promise<void>((r) => (started = r));
    const controller = new AbortController();
    const sse = gqlSse(gw, UsageEvents, {}, { signal: controller.signal, onResponse: () => started() });
    try {
      await open;
      const rest = await gw.request('/api/generate', { method: 'POST', json: { model: 'echo', prompt: 'before the end' } });
      expect(rest.status).toBe(200);
      await sleep(100);

      const begun = Date.now();
      stopped = true;
      await gw.stop();
      expect(Date.now() - begun).toBeLessThan(3000);

      const { results, completed } = await sse;
      expect(results[0].data?.usageEvents).toMatchObject({ surface: 'rest', endpoint: '/api/generate', model: 'echo' });
      expect(codeOf(results.at(-1)!)).toBe('SERVICE_UNAVAILABLE');
      expect(completed).toBe(true);
    } finally {
      controller.abort();
      await sse.catch(() => {});
    }
  });
});
