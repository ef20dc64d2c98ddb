/**
 * Teams, quotas and team admins in the console, in Chromium against the real gateway (real
 * PostgreSQL, the Ollama emulator upstream): an admin creates a team with quotas, creates a key in it
 * with its own daily request quota, sees the quota fields and bar on the key's page, drives the key
 * over its quota through real /api/chat requests and gets the banner; a team admin signs in, sees
 * only its team's keys and its own navigation, and creates a key for its team. A team's page (quota
 * bars, keys, the banner) is saved to docs/images/teams.png for the README.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/client.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from '../support/ollama-emulator.ts';
import { ensureConsoleBuilt, launchBrowser, ROOT, screenshot, watchPageErrors } from './support/browser.ts';

const MODEL = 'qwen2.5:0.5b';
const IMAGES = path.join(ROOT, 'docs', 'images');

describe('admin console: teams, quotas and team admins', () => {
  let gw: TestGateway;
  let ollama: OllamaEmulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let teamId = '';
  let quotaKey = { id: '', secret: '' };
  let teamAdminSecret = '';

  beforeAll(async () => {
    await ensureConsoleBuilt();
    ollama = await startOllamaEmulator();
    gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
    // Another team with a key: a team admin of Research must never see it.
    const other = await prisma.team.create({ data: { name: 'Marketing' } });
    const marketing = await gw.createKey({ name: 'marketing bot', teamId: other.id });
    const res = await gw.request('/api/chat', { method: 'POST', key: marketing.secret, json: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] } });
    expect(res.status).toBe(200);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchPageErrors(page);
    await page.goto(`${gw.url}/admin/teams`);
    await page.getByLabel('Admin key').fill(gw.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await gw?.stop();
    await ollama?.close();
  });

  it('creates a team with limits and quotas on the teams page', async () => {
    await page.getByRole('button', { name: 'Create team' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create team' });
    await dialog.getByLabel('Team name').fill('Research');
    await dialog.getByLabel('Description').fill('The ML research group');
    await dialog.getByLabel('Requests per minute').fill('600');
    await dialog.getByLabel('Tokens per day').fill('500000');
    await dialog.getByLabel('Max tokens').fill('512');
    await dialog.getByLabel('Alert webhook URL').fill('ftp://nope');
    await dialog.getByRole('button', { name: 'Create team' }).click();
    await expect.poll(() => dialog.getByRole('alert').first().textContent()).toContain('http:// or https://');
    await dialog.getByLabel('Alert webhook URL').fill('https://hooks.example.com/research');
    await dialog.getByRole('button', { name: 'Create team' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: /Research/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('600 requests/min');
    expect(await row.textContent()).toContain('500,000 tokens/day');
    const team = await prisma.team.findUniqueOrThrow({ where: { name: 'Research' } });
    teamId = team.id;
    expect(team).toMatchObject({ rpmLimit: 600, dailyTokens: 500000, alertWebhookUrl: 'https://hooks.example.com/research', policy: { maxTokens: 512 } });
    expect(await row.textContent()).toContain('max tokens 512');

    // Edit: a monthly quota added, the rpm limit removed.
    await page.getByRole('button', { name: 'Edit Research' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Research' });
    await edit.getByLabel('Requests per minute').fill('');
    await edit.getByLabel('Tokens per month').fill('10000000');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await expect.poll(() => row.textContent()).toContain('10,000,000 tokens/month');
    expect(await row.textContent()).not.toContain('requests/min');
    expect(await prisma.team.findUniqueOrThrow({ where: { id: teamId } })).toMatchObject({ rpmLimit: null, monthlyTokens: 10_000_000 });
    await screenshot(page, 'teams-list');
  });

  it('creates a key in the team with its own daily request quota, and shows quota fields and bars on its page', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.getByLabel('Name').fill('research notebook');
    await dialog.getByRole('combobox', { name: 'Team', exact: true }).selectOption({ label: 'Research' });
    await dialog.getByLabel('Requests per day').fill('3');
    await dialog.getByLabel('Tokens per day').fill('100000');
    await dialog.getByLabel('Max context (num_ctx)').fill('8192');
    await dialog.getByLabel('Only on some surfaces').check();
    for (const surface of ['REST /api', 'GraphQL']) await dialog.getByRole('group', { name: 'Allowed surfaces' }).getByLabel(surface).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = dialog.getByRole('status', { name: 'Secret' });
    await secret.waitFor();
    const value = (await secret.textContent())!.trim();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = await prisma.apiKey.findFirstOrThrow({ where: { name: 'research notebook' } });
    quotaKey = { id: row.id, secret: value };
    expect(row).toMatchObject({
      teamId,
      dailyRequests: 3,
      dailyTokens: 100000,
      monthlyTokens: null,
      policy: { maxNumCtx: 8192, allowedSurfaces: ['api', 'graphql'] },
    });
    const listed = page.getByRole('row', { name: /research notebook/ });
    await expect.poll(() => listed.textContent()).toContain('Research');
    // The list filters by team.
    await page.getByLabel('Team filter').selectOption({ label: 'Marketing' });
    await expect.poll(() => page.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('marketing bot')]);
    await page.getByLabel('Team filter').selectOption({ label: 'Research' });
    await expect.poll(() => page.locator('tbody tr').allTextContents()).toEqual([expect.stringContaining('research notebook')]);

    await page.getByRole('link', { name: 'research notebook' }).click();
    await page.getByRole('heading', { name: 'research notebook', level: 1 }).waitFor();
    expect(await page.getByRole('region', { name: 'Limits' }).textContent()).toContain('Research');
    // The policy: its own, and in force with the team's merged in.
    const policy = page.getByRole('region', { name: 'Policy' });
    await expect.poll(() => policy.textContent()).toContain('num_ctx at most 8,192');
    expect(await policy.textContent()).toContain('max tokens 512');
    expect(await policy.textContent()).toContain('only api, graphql');
    const quotas = page.getByRole('region', { name: 'Quotas' });
    expect(await quotas.textContent()).toContain('3 requests/day');
    // Its own two quotas and its team's two, each as a bar.
    const requests = quotas.getByRole('progressbar', { name: 'Requests today', exact: true });
    expect(await requests.getAttribute('aria-valuemax')).toBe('3');
    expect(await requests.getAttribute('aria-valuenow')).toBe('0');
    expect(await quotas.getByRole('progressbar', { name: 'Tokens today (team)' }).getAttribute('aria-valuemax')).toBe('500000');
    expect(await quotas.getByRole('progressbar').count()).toBe(4);
    await screenshot(page, 'teams-key-quota');
  });

  it('shows a banner on every page once the key is over its daily request quota', async () => {
    expect(await page.getByRole('status', { name: 'Quota warnings' }).count()).toBe(0);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await gw.request('/api/chat', {
        method: 'POST',
        key: quotaKey.secret,
        json: { model: MODEL, messages: [{ role: 'user', content: `q${i}` }] },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(((await res.json()) as { error: { code: string } }).error.code).toBe('quota_exceeded');
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    await gw.app.services.usage.flush();

    await page.reload();
    const banner = page.getByRole('status', { name: 'Quota warnings' });
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain('1 key is over quota');
    expect(await banner.textContent()).toContain('research notebook');
    expect(await banner.textContent()).toContain('requests today: 3 of 3');
    const requests = page.getByRole('region', { name: 'Quotas' }).getByRole('progressbar', { name: 'Requests today', exact: true });
    expect(await requests.getAttribute('aria-valuenow')).toBe('3');
    await screenshot(page, 'teams-quota-banner');
    // Every page: the teams page too.
    await page.getByRole('link', { name: 'Teams' }).click();
    await page.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('status', { name: 'Quota warnings' }).textContent()).toContain('over quota');
  });

  it('shows a team’s page with its quota bars and members', async () => {
    await page.getByRole('link', { name: 'Research', exact: true }).click();
    await page.getByRole('heading', { name: 'Research', level: 1 }).waitFor();
    const members = page.getByRole('region', { name: 'Team keys' });
    await expect.poll(() => members.textContent()).toContain('research notebook');
    expect(await members.textContent()).not.toContain('marketing bot');
    const monthly = page.getByRole('progressbar', { name: 'Tokens this month (team)' });
    expect(await monthly.getAttribute('aria-valuemax')).toBe('10000000');
    await screenshot(page, 'teams-team-page');
    await page.screenshot({ path: path.join(IMAGES, 'teams.png'), fullPage: true, animations: 'disabled', caret: 'hide' });
  });

  it('lists team changes in the audit log', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByLabel('Action').selectOption('team');
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const all = await rows.allTextContents();
    expect(all[0]).toMatch(/team\.update.*rpmLimit: 600 → —/s);
    expect(all[1]).toContain('team.create');
    await rows.first().getByRole('link', { name: teamId }).click();
    await page.getByRole('heading', { name: 'Research', level: 1 }).waitFor();
  });

  it('makes a team admin key for the team from the key form', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.getByLabel('Name').fill('research lead');
    await dialog.getByLabel('Role').selectOption('TEAM_ADMIN');
    await dialog.getByRole('combobox', { name: 'Team', exact: true }).selectOption({ label: 'Research' });
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = dialog.getByRole('status', { name: 'Secret' });
    await secret.waitFor();
    teamAdminSecret = (await secret.textContent())!.trim();
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await prisma.apiKey.findFirstOrThrow({ where: { name: 'research lead' } })).toMatchObject({ role: 'TEAM_ADMIN', teamId });
    expect(problems).toEqual([]);
  });

  it('signs a team admin in: only its team’s keys, no models, servers or audit, and it creates a key for its team', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    try {
      const p = await ctx.newPage();
      p.setDefaultTimeout(10_000);
      const teamProblems = watchPageErrors(p);
      await p.goto(`${gw.url}/admin/`);
      await p.getByLabel('Admin key').fill(teamAdminSecret);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
      const nav = p.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(['API keys', 'Team', 'Usage', 'Playground']);
      expect(await p.getByText('team admin · Research').count()).toBe(1);
      const rows = p.locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      const names = (await rows.allTextContents()).join(' ');
      expect(names).toContain('research notebook');
      expect(names).toContain('research lead');
      expect(names).not.toContain('marketing bot');
      expect(names).not.toContain('Bootstrap admin');
      // The banner shows its team's key over quota.
      await expect.poll(() => p.getByRole('status', { name: 'Quota warnings' }).textContent()).toContain('research notebook');

      await p.getByRole('button', { name: 'Create key' }).click();
      const dialog = p.getByRole('dialog', { name: 'Create key' });
      // No admin role on offer, and the team is fixed.
      expect(await dialog.getByLabel('Role').locator('option').allTextContents()).toEqual(['User: runs models', 'Team admin: manages its team’s keys']);
      expect(await dialog.getByText('Research', { exact: true }).count()).toBe(1);
      await dialog.getByLabel('Name').fill('research intern');
      await dialog.getByLabel('Tokens per day').fill('20000');
      await dialog.getByRole('button', { name: 'Create key' }).click();
      const secret = dialog.getByRole('status', { name: 'Secret' });
      await secret.waitFor();
      const internSecret = (await secret.textContent())!.trim();
      await screenshot(p, 'teams-team-admin-create');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await expect.poll(() => rows.count()).toBe(3);
      expect(await prisma.apiKey.findFirstOrThrow({ where: { name: 'research intern' } })).toMatchObject({ teamId, role: 'USER', dailyTokens: 20000 });
      expect((await gw.request('/api/models', { key: internSecret })).status).toBe(200);

      // Its team's usage only: the notebook's four requests (one refused), not marketing's.
      await nav.getByRole('link', { name: 'Usage' }).click();
      const requests = p.locator('.stat', { hasText: 'Requests' }).locator('.stat-value');
      await expect.poll(() => requests.textContent(), { timeout: 15_000 }).toBe('4');
      expect(await p.getByRole('list', { name: 'Latest requests' }).count()).toBe(0);

      // Its team page, without edit or delete; an admin-only page is not there for it.
      await nav.getByRole('link', { name: 'Team' }).click();
      await p.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
      expect(await p.getByRole('button', { name: 'Create team' }).count()).toBe(0);
      expect(await p.getByRole('row').filter({ hasText: 'Marketing' }).count()).toBe(0);
      await p.goto(`${gw.url}/admin/audit`);
      await p.getByRole('heading', { level: 1 }).first().waitFor();
      expect(await p.getByRole('heading', { name: 'Audit log' }).count()).toBe(0);
      await screenshot(p, 'teams-team-admin');
      expect(teamProblems).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});
