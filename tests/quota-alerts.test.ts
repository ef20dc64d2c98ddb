/**
 * Quota alerts against a local webhook receiver (node:http): one POST at 80% and one at 100% of a
 * quota per period, to the global webhook and the team's; retried with a growing delay when the
 * receiver fails; undelivered ones picked up again at start; the body never holds the key's secret.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../server/db/client.ts';
import { startGateway, type TestGateway } from './support/gateway.ts';

interface Hit {
  path: string;
  body: any;
  headers: http.IncomingHttpHeaders;
  at: number;
}

let gw: TestGateway;
let receiver: http.Server;
let base: string;
const hits: Hit[] = [];
/** Alert ids whose first N attempts the receiver answers 500. */
const failFirst = new Map<string, number>();
/** Subject ids whose alerts fail that many times. */
const failSubjects = new Map<string, number>();

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      const body = JSON.parse(data);
      hits.push({ path: req.url ?? '', body, headers: req.headers, at: Date.now() });
      if (!failFirst.has(body.id) && failSubjects.has(body.subject.id)) failFirst.set(body.id, failSubjects.get(body.subject.id)!);
      const left = failFirst.get(body.id) ?? 0;
      if (left > 0) {
        failFirst.set(body.id, left - 1);
        res.writeHead(500).end('not now');
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  gw = await startGateway({ env: { ALERT_WEBHOOK_URL: `${base}/global?token=s3cret`, ALERT_RETRY_MS: '100', ALERT_MAX_ATTEMPTS: '4' } });
});
afterAll(async () => {
  await gw?.stop();
  await new Promise((r) => receiver?.close(r));
});

const chat = (key: string) =>
  gw.request('/api/chat', { method: 'POST', key, json: { model: 'echo', messages: [{ role: 'user', content: 'a b c d' }], max_tokens: 4 } });

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const hitsFor = (subjectId: string, path = '/global?token=s3cret') => hits.filter((h) => h.body.subject.id === subjectId && h.path === path);
const delivered = (subjectId: string, n: number) =>
  until(`${n} delivered alerts`, async () => {
    const rows = await prisma.quotaAlert.findMany({ where: { subjectId, deliveredAt: { not: null } }, orderBy: { threshold: 'asc' } });
    return rows.length >= n && rows;
  });

describe('quota alerts', () => {
  it('posts once at 80% and once at 100% of a key’s quota, with the documented body and no secret', async () => {
    const k = await gw.createKey({ name: 'alice', dailyRequests: 5, rpmLimit: 1000 });
    for (let i = 0; i < 3; i++) expect((await chat(k.secret)).status).toBe(200);
    expect((await chat(k.secret)).status).toBe(200); // 4 of 5: 80%
    const [warning] = await delivered(k.id, 1);
    expect(warning.threshold).toBe(80);
    expect((await chat(k.secret)).status).toBe(200); // 5 of 5: 100%
    for (let i = 0; i < 3; i++) expect((await chat(k.secret)).status).toBe(429);
    const rows = await delivered(k.id, 2);
    expect(rows.map((r) => [r.threshold, r.used, r.limit, r.attempts])).toEqual([
      [80, 4, 5, 1],
      [100, 5, 5, 1],
    ]);
    const got = hitsFor(k.id);
    expect(got).toHaveLength(2);
    const day = gw.app.services.quotas.periodOf('day');
    expect(got[0].body).toEqual({
      event: 'quota.warning',
      id: rows[0].id,
      subject: { type: 'key', id: k.id, name: 'alice', team: null },
      metric: 'daily_requests',
      threshold: 80,
      used: 4,
      limit: 5,
      period: day.id,
      resetsAt: new Date(day.end).toISOString(),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(got[1].body).toMatchObject({ event: 'quota.exceeded', threshold: 100, used: 5 });
    expect(got[0].headers['content-type']).toBe('application/json');
    for (const h of got) expect(JSON.stringify(h.body)).not.toContain(k.secret);
    // More refusals the same day send nothing more.
    expect((await chat(k.secret)).status).toBe(429);
    expect(await prisma.quotaAlert.count({ where: { subjectId: k.id } })).toBe(2);
  });

  it('retries a failed delivery with a growing delay, recording every attempt', async () => {
    const k = await gw.createKey({ dailyRequests: 1 });
    failSubjects.set(k.id, 2);
    expect((await chat(k.secret)).status).toBe(200); // 1 of 1: 80% and 100% at once
    const rows = await delivered(k.id, 2);
    for (const row of rows) {
      expect(row.attempts).toBe(3);
      expect(row.lastError).toBeNull();
    }
    const attempts = hitsFor(k.id).filter((h) => h.body.threshold === 100);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((h) => h.body.id)).size).toBe(1);
    // 100 ms, then 200 ms (ALERT_RETRY_MS doubled): never earlier.
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(90);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(190);
  });

  it('gives up after ALERT_MAX_ATTEMPTS and keeps the last error', async () => {
    const k = await gw.createKey({ dailyRequests: 1 });
    failSubjects.set(k.id, 100);
    expect((await chat(k.secret)).status).toBe(200);
    const row = await until('4 attempts', async () => {
      const r = await prisma.quotaAlert.findFirst({ where: { subjectId: k.id, threshold: 100 } });
      return r && r.attempts >= 4 ? r : undefined;
    });
    expect(row.deliveredAt).toBeNull();
    expect(row.lastError).toContain('HTTP 500');
    // The logged and stored error names the receiver's origin only, never its token.
    expect(row.lastError).not.toContain('s3cret');
  });

  it('sends a team’s alerts to its own webhook as well as the global one', async () => {
    const k = await gw.createKey({ rpmLimit: 1000 });
    const team = await prisma.team.create({ data: { name: `alerts-${Date.now()}`, dailyRequests: 2, alertWebhookUrl: `${base}/team` } });
    await prisma.apiKey.update({ where: { id: k.id }, data: { teamId: team.id } });
    await gw.app.services.keys.reloadTeam(team.id);
    await gw.app.services.keys.reloadKey(k.id);
    expect((await chat(k.secret)).status).toBe(200);
    expect((await chat(k.secret)).status).toBe(200);
    await delivered(team.id, 2);
    const toTeam = hitsFor(team.id, '/team');
    expect(toTeam.map((h) => h.body.threshold).sort()).toEqual([100, 80]);
    expect(toTeam[0].body.subject).toEqual({ type: 'team', id: team.id, name: team.name, team: null });
    expect(
      hitsFor(team.id)
        .map((h) => h.body.threshold)
        .sort(),
    ).toEqual([100, 80]);
  });

  it('retries at start what a previous run left undelivered', async () => {
    const k = await gw.createKey({ name: 'left over' });
    const row = await prisma.quotaAlert.create({
      data: { subjectType: 'key', subjectId: k.id, metric: 'daily_tokens', period: '2026-12-01', threshold: 80, used: 800, limit: 1000, attempts: 1 },
    });
    await gw.app.services.alerts.start();
    const [done] = await delivered(k.id, 1);
    expect(done.attempts).toBe(2);
    expect(hitsFor(k.id)[0].body).toMatchObject({
      id: row.id,
      event: 'quota.warning',
      subject: { type: 'key', id: k.id, name: 'left over' },
      period: '2026-12-01',
      resetsAt: '2026-12-02T00:00:00.000Z',
    });
  });
});
