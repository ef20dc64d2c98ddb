/**
 * The console's operations features end to end, in Chromium against the real gateway: rolling time
 * ranges with the chart's axis in range, cursor paging and search of keys, the page per key, model ids
 * as written in legends, revoked keys shown as revoked, the warning before revoking one's own key,
 * role editing, the tier dropdown's text, the audit log page, and the dark theme. The key page and
 * the dark theme are saved to docs/images/ for the README.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from '../support/ollama-emulator.ts';
import { ensureConsoleBuilt, launchBrowser, ROOT, screenshot, watchPageErrors } from './support/browser.ts';

const MODEL = 'qwen2.5:0.5b';
const IMAGES = path.join(ROOT, 'docs', 'images');

describe('admin console: operations', () => {
  let gw: TestGateway;
  let ollama: OllamaEmulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let userKey: { id: string; secret: string };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    ollama = await startOllamaEmulator();
    gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
    // 30 keys: more than one page of 25.
    for (let i = 0; i < 29; i++) await gw.createKey({ name: `bulk key ${String(i).padStart(2, '0')}` });
    userKey = await gw.createKey({ name: 'Support bot', tier: 'PREMIUM', tpmLimit: 20000 });
    for (const content of ['first question', 'second question', 'third one']) {
      const res = await gw.request('/api/chat', { method: 'POST', key: userKey.secret, json: { model: MODEL, messages: [{ role: 'user', content }] } });
      expect(res.status).toBe(200);
    }
    await gw.app.services.usage.flush();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchPageErrors(page);
    await page.goto(`${gw.url}/admin/api-keys`);
    await page.getByLabel('Admin key').fill(gw.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await gw?.stop();
    await ollama?.close();
  });

  const keyRows = () => page.locator('tbody tr');

  it('pages through keys with a cursor, and searches them', async () => {
    await expect.poll(() => keyRows().count()).toBe(25);
    const first = await keyRows().allTextContents();
    await page.getByRole('button', { name: 'Older' }).click();
    // 31 keys: the bootstrap admin, 29 bulk keys and the support bot.
    await expect.poll(() => keyRows().count()).toBe(6);
    const second = await keyRows().allTextContents();
    expect(second.filter((r) => first.includes(r))).toEqual([]);
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => keyRows().count()).toBe(25);

    await page.getByLabel('Search keys').fill('support');
    await expect.poll(() => keyRows().count()).toBe(1);
    expect(await keyRows().first().textContent()).toContain('Support bot');
  });

  it('edits a key’s role, and the tier dropdown shows its whole text', async () => {
    await page.getByRole('button', { name: 'Edit Support bot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Support bot' });
    const tier = dialog.getByLabel('Tier');
    const cut = await tier.evaluate((el: HTMLSelectElement) => {
      // The chosen option's text, measured in the select's own font, against the room it has.
      const ctx = document.createElement('canvas').getContext('2d')!;
      const style = getComputedStyle(el);
      ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = ctx.measureText(el.options[el.selectedIndex].text).width;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return text > room;
    });
    expect(cut).toBe(false);
    await dialog.getByLabel('Role').selectOption('ADMIN');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => keyRows().first().textContent()).toContain('admin');
    const viewer = await gw.request('/graphql', { method: 'POST', key: userKey.secret, json: { query: '{ viewer { role } }' } });
    expect((await viewer.json()).data.viewer.role).toBe('ADMIN');
  });

  it('opens a page per key: limits, usage over the last 24 hours, recent requests, rotate and revoke', async () => {
    await page.getByRole('link', { name: 'Support bot' }).click();
    await page.getByRole('heading', { name: 'Support bot', level: 1 }).waitFor();
    expect(page.url()).toBe(`${gw.url}/admin/api-keys/${userKey.id}`);
    const limits = page.getByRole('region', { name: 'Limits' });
    await expect.poll(() => limits.textContent()).toContain('300 (tier default)');
    expect(await limits.textContent()).toContain('20,000');
    const recent = page.getByRole('region', { name: 'Recent requests' });
    await expect.poll(() => recent.locator('tbody tr').count()).toBe(3);
    expect(await recent.textContent()).toContain(MODEL);
    await page.locator('.uplot').first().waitFor();
    expect(await page.getByText('3 requests').count()).toBeGreaterThan(0);
    for (const name of ['Edit', 'Rotate', 'Revoke']) expect(await page.getByRole('button', { name, exact: true }).isVisible()).toBe(true);
    await screenshot(page, 'ops-key-page');
    await page.screenshot({ path: path.join(IMAGES, 'key-page.png'), fullPage: true, animations: 'disabled', caret: 'hide' });
  });

  it('shows a revoked key as revoked, without the rotated secret’s grace period', async () => {
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate key' });
    await rotate.getByLabel('Old secret keeps working for').selectOption('86400');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    await rotate.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Limits' }).textContent()).toContain('old secret until');

    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke key' });
    // Not the signed-in key: no warning.
    expect(await revoke.getByText('This is the key you are signed in with').count()).toBe(0);
    await revoke.getByRole('button', { name: 'Revoke key' }).click();
    await revoke.waitFor({ state: 'hidden' });
    const limits = page.getByRole('region', { name: 'Limits' });
    await expect.poll(() => limits.textContent()).toContain('revoked');
    expect(await limits.textContent()).not.toContain('old secret until');

    await page.getByRole('link', { name: '← API keys' }).click();
    await page.getByLabel('Search keys').fill('support');
    await expect.poll(() => keyRows().first().textContent()).toContain('revoked');
    expect(await keyRows().first().textContent()).not.toContain('old secret until');
  });

  it('warns before revoking the key you are signed in with', async () => {
    await page.getByLabel('Search keys').fill('bootstrap');
    await page.getByRole('button', { name: /^Revoke Bootstrap admin/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke key' });
    await expect.poll(() => dialog.getByRole('alert').first().textContent()).toContain('This is the key you are signed in with');
    expect(await dialog.getByRole('button', { name: 'Revoke my own key' }).isVisible()).toBe(true);
    // Focus starts on the safe choice, not on the destructive button.
    expect(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(page, 'ops-revoke-own-key');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByLabel('Search keys').fill('');
  });

  it('“Last 24 hours” ends now, its chart’s x-axis spans those 24 hours, and legends show model ids as written', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    const asked: Array<{ from: string; to: string }> = [];
    page.on('request', (r) => {
      // urql sends queries as GET when they fit in the URL, POST otherwise.
      const u = new URL(r.url());
      if (u.pathname !== '/graphql') return;
      const body = (
        r.method() === 'GET' ? { query: u.searchParams.get('query'), variables: JSON.parse(u.searchParams.get('variables') ?? 'null') } : r.postDataJSON()
      ) as {
        query?: string | null;
        variables?: { filter?: { from: string; to: string } } | null;
      } | null;
      if (body?.query?.includes('query UsagePage') && body.variables?.filter) asked.push(body.variables.filter);
    });
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await expect.poll(() => asked.length).toBeGreaterThan(0);
    const { from, to } = asked.at(-1)!;
    expect(Math.abs(new Date(to).getTime() - clicked)).toBeLessThan(10_000);
    expect(new Date(to).getTime() - new Date(from).getTime()).toBe(24 * 3600 * 1000);

    const chart = page.locator('.chart').first();
    await expect.poll(() => chart.getAttribute('data-x-max')).not.toBeNull();
    const xMin = Number(await chart.getAttribute('data-x-min')) * 1000;
    const xMax = Number(await chart.getAttribute('data-x-max')) * 1000;
    expect(xMin).toBe(new Date(from).getTime() - (new Date(from).getTime() % 1000));
    expect(Math.abs(xMax - new Date(to).getTime())).toBeLessThan(1000);

    const label = page.locator('.u-legend .u-label', { hasText: MODEL }).first();
    await label.waitFor();
    expect(await label.evaluate((el) => getComputedStyle(el).textTransform)).toBe('none');
    expect(await label.textContent()).toBe(MODEL);
  });

  it('lists admin actions in the audit log, with filters', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.allTextContents()).toContainEqual(expect.stringContaining('console.sign_in'));
    const all = await rows.allTextContents();
    expect(all.find((r) => r.includes('key.update'))).toMatch(/console.*key\.update.*role: USER → ADMIN/s);
    expect(all.some((r) => r.includes('key.revoke'))).toBe(true);
    await page.getByLabel('Action').selectOption('key.rotate');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('graceSeconds: 86400');
    await page.getByLabel('From').selectOption('CLI');
    await expect.poll(() => page.getByText('No entries').count()).toBe(1);
    await screenshot(page, 'ops-audit');
  });

  it('follows the system’s dark setting', async () => {
    const dark = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
    try {
      const p = await dark.newPage();
      const darkProblems = watchPageErrors(p);
      await p.goto(`${gw.url}/admin/usage`);
      await p.getByLabel('Admin key').fill(gw.adminKey);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
      await p.locator('.uplot').first().waitFor();
      const luminance = (rgb: string) => {
        const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const bg = await p.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const card = await p.evaluate(() => getComputedStyle(document.querySelector('.card')!).backgroundColor);
      const text = await p.evaluate(() => getComputedStyle(document.querySelector('h1')!).color);
      expect(luminance(bg)).toBeLessThan(40);
      expect(luminance(card)).toBeLessThan(50);
      expect(luminance(text)).toBeGreaterThan(200);
      const lightBg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      expect(luminance(lightBg)).toBeGreaterThan(230);
      await p.screenshot({ path: path.join(IMAGES, 'dark-theme.png'), fullPage: false, animations: 'disabled', caret: 'hide' });
      expect(darkProblems).toEqual([]);
    } finally {
      await dark.close();
    }
    expect(problems).toEqual([]);
  });
});
