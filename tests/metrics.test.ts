import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';

const metricsToken = 'metrics-token-0123456789abcdef';
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({ env: { METRICS_TOKEN: metricsToken, METRICS_PORT: '0' } });
});
afterAll(async () => {
  await gw.stop();
});

/** The value of one sample line, e.g. value(text, 'ogw_requests_total{model="echo",status="200",surface="rest"}'). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const chat = (stream: boolean) =>
  gw.request('/api/chat', { method: 'POST', json: { model: 'echo', stream, messages: [{ role: 'user', content: 'count these words please' }] } });

describe('GET /metrics', () => {
  it('is refused without an admin key or the metrics token, and for a user key', async () => {
    const none = await gw.request('/metrics', { key: null });
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBeTruthy();
    expect((await gw.request('/metrics', { key: 'ogw_notakeynotakeynotakey' })).status).toBe(401);
    const user = await gw.createKey({ name: 'metrics user' });
    const forbidden = await gw.request('/metrics', { key: user.secret });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.message).toMatch(/admin key or METRICS_TOKEN/);
    expect((await gw.request('/metrics', { key: 'wrong-metrics-token-0123456789' })).status).toBe(401);
  });

  it('after traffic, counts requests by surface, status and model, tokens, latency and time to first token', async () => {
    expect((await chat(false)).status).toBe(200);
    const streamed = await chat(true);
    expect(streamed.status).toBe(200);
    await streamed.text();
    const v1 = await gw.request('/v1/chat/completions', { method: 'POST', json: { model: 'echo', messages: [{ role: 'user', content: 'hi' }] } });
    expect(v1.status).toBe(200);
    await v1.text();

    const res = await gw.request('/metrics', { key: metricsToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'ogw_requests_total', { surface: 'rest', status: '200', model: 'echo' })).toBe(2);
    expect(sample(text, 'ogw_requests_total', { surface: 'openai', status: '200', model: 'echo' })).toBe(1);
    expect(sample(text, 'ogw_tokens_total', { surface: 'rest', model: 'echo', type: 'prompt' })).toBeGreaterThan(0);
    expect(sample(text, 'ogw_tokens_total', { surface: 'rest', model: 'echo', type: 'completion' })).toBeGreaterThan(0);
    expect(sample(text, 'ogw_request_duration_seconds_count', { surface: 'rest', model: 'echo' })).toBe(2);
    expect(sample(text, 'ogw_time_to_first_token_seconds_count', { surface: 'rest', model: 'echo' })).toBeGreaterThanOrEqual(1);
    // The scrape itself is a request in flight.
    expect(sample(text, 'ogw_http_requests_in_flight')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ogw_inference_runs_active')).toBe(0);
    for (const name of [
      'ogw_refusals_total',
      'ogw_usage_pending_records',
      'ogw_usage_write_lag_seconds',
      'ogw_usage_spool_bytes',
      'ogw_queue_wait_seconds',
      'ogw_upstream_healthy',
      'ogw_upstream_in_flight',
      'ogw_upstream_queue_depth',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    // Every record passes through the spool; with the database up it drains to nothing within a few flushes.
    const backlog = async () => {
      const t = await (await gw.request('/metrics', { key: metricsToken })).text();
      return [sample(t, 'ogw_usage_spool_bytes'), sample(t, 'ogw_usage_pending_records')];
    };
    await expect.poll(backlog, { timeout: 5000 }).toEqual([0, 0]);
  });

  it('counts 429 usage records as refusals by the limit that refused them, not as tokens or latency', async () => {
    const user = await gw.createKey({ name: 'refused' });
    const base = {
      apiKeyId: user.id,
      model: 'echo',
      surface: 'openai' as const,
      endpoint: '/v1/chat/completions',
      status: 429,
      stream: false,
      promptTokens: 0,
      completionTokens: 0,
      latencyMs: 1,
      createdAt: new Date(),
    };
    gw.app.services.usage.record({ ...base, id: 'refused-rpm', error: 'Rate limit of 60 requests per minute exceeded; retry in 3 s' });
    gw.app.services.usage.record({ ...base, id: 'refused-tpm', error: 'Token limit of 100 tokens per minute exceeded; retry in 3 s' });
    const text = await (await gw.request('/metrics')).text();
    expect(sample(text, 'ogw_refusals_total', { surface: 'openai', reason: 'requests_per_minute' })).toBe(1);
    expect(sample(text, 'ogw_refusals_total', { surface: 'openai', reason: 'tokens_per_minute' })).toBe(1);
    expect(sample(text, 'ogw_requests_total', { surface: 'openai', status: '429', model: 'echo' })).toBe(2);
    expect(sample(text, 'ogw_request_duration_seconds_count', { surface: 'openai', model: 'echo' })).toBe(1);
  });

  it('is readable with an admin key', async () => {
    const res = await gw.request('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP ogw_requests_total /m);
  });

  it('is served without authentication on METRICS_PORT, and nothing else is', async () => {
    expect(gw.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gw.app.metricsUrl).not.toBe(gw.url);
    const res = await fetch(`${gw.app.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(sample(await res.text(), 'ogw_requests_total', { surface: 'rest', status: '200', model: 'echo' })).toBe(2);
    expect((await fetch(`${gw.app.metricsUrl}/api/models`)).status).toBe(404);
  });
});
