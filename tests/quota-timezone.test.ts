/**
 * Quota periods in a configured time zone (QUOTA_TIMEZONE): a day in New York ends at 05:00 UTC in
 * winter, and a month at 05:00 UTC on the 1st; a bad zone name stops the start with one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';

let gw: TestGateway;
let offset = 0;
const now = () => Date.now() + offset;
const setClock = (iso: string) => {
  offset = Date.parse(iso) - Date.now();
};

beforeAll(async () => {
  gw = await startGateway({ now, env: { QUOTA_TIMEZONE: 'America/New_York' } });
});
afterAll(async () => {
  await gw?.stop();
});

const chat = (key: string) =>
  gw.request('/api/chat', { method: 'POST', key, json: { model: 'echo', messages: [{ role: 'user', content: 'a b c d' }], max_tokens: 4 } });

describe('QUOTA_TIMEZONE', () => {
  it('counts days and months in the configured zone', async () => {
    // 23:59:30 on 31 December in New York is 04:59:30 UTC on 1 January.
    setClock('2027-01-01T04:59:30Z');
    const k = await gw.createKey({ dailyRequests: 1, monthlyTokens: 80 });
    expect((await chat(k.secret)).status).toBe(200);
    const refused = await chat(k.secret);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-quota-reset')).toBe(String(Date.parse('2027-01-01T05:00:00Z') / 1000));
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(31);
    // Past midnight in New York (still 1 January in UTC): a new day and a new month.
    setClock('2027-01-01T05:00:10Z');
    const next = await chat(k.secret);
    expect(next.status).toBe(200);
    expect(next.headers.get('x-quota-reset')).toBe(String(Date.parse('2027-01-02T05:00:00Z') / 1000));
    const usage = await (await gw.request('/api/usage', { key: k.secret })).json();
    expect(usage.time_zone).toBe('America/New_York');
    expect(usage.usage.today).toMatchObject({ since: '2027-01-01T05:00:00.000Z', requests: 1 });
    expect(usage.usage.this_month.since).toBe('2027-01-01T05:00:00.000Z');
    expect(usage.quotas.find((q: { metric: string }) => q.metric === 'monthly_tokens')).toMatchObject({
      used: 8,
      remaining: 72,
      period: '2027-01',
      resets_at: '2027-02-01T05:00:00.000Z',
    });
  });

  it('refuses an unknown zone at start, naming it', () => {
    expect(() => loadConfig({ QUOTA_TIMEZONE: 'Mars/Olympus_Mons' })).toThrow(ConfigError);
    expect(() => loadConfig({ QUOTA_TIMEZONE: 'Mars/Olympus_Mons' })).toThrow(/QUOTA_TIMEZONE="Mars\/Olympus_Mons": expected an IANA time zone name/);
    expect(loadConfig({ QUOTA_TIMEZONE: 'Asia/Kolkata' }).quotaTimeZone).toBe('Asia/Kolkata');
  });

  it('checks the alert settings, never echoing the webhook URL (it may hold a token)', () => {
    let message = '';
    try {
      loadConfig({ ALERT_WEBHOOK_URL: 'ftp://hooks.example/x?token=abc123', ALERT_MAX_ATTEMPTS: '0' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('ALERT_WEBHOOK_URL: expected an http(s) URL');
    expect(message).toContain('ALERT_MAX_ATTEMPTS="0": expected at least 1');
    expect(message).not.toContain('abc123');
    const config = loadConfig({ ALERT_WEBHOOK_URL: 'https://hooks.example/x' });
    expect(config).toMatchObject({ alertWebhookUrl: 'https://hooks.example/x', alertMaxAttempts: 6, alertRetryMs: 1000, alertTimeoutMs: 5000 });
  });
});
