/**
 * The admin console end to end: the real gateway (in-process, real PostgreSQL, the Ollama emulator as
 * its upstream) serving the built console to Debian's Chromium. The flows run in order on one tab,
 * as an admin would use it: sign in, keys, models, playground, usage. Screenshots of every page go
 * to test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { CAPABLE_MODEL, DEFAULT_EMULATED_MODELS, startOllamaEmulator, type OllamaEmulator } from '../support/ollama-emulator.ts';
import { ensureConsoleBuilt, launchBrowser, screenshot, watchPageErrors } from './support/browser.ts';

const SLOW_MODEL = 'qwen2.5:0.5b';
const DEACTIVATED_MODEL = 'llama3.2:latest';

describe('admin console', () => {
  let gw: TestGateway;
  let ollama: OllamaEmulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let createdSecret = '';

  beforeAll(async () => {
    await ensureConsoleBuilt();
    ollama = await startOllamaEmulator({ models: [...DEFAULT_EMULATED_MODELS, CAPABLE_MODEL] });
    gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchPageErrors(page);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await gw?.stop();
    await ollama?.close();
  });

  it('serves the console at /admin: deep links get the app, hashed assets are cached for good', async () => {
    const deep = await fetch(`${gw.url}/admin/playground`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    const html = await deep.text();
    const script = html.match(/src="(\/admin\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeTruthy();
    const asset = await fetch(gw.url + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${gw.url}/admin/assets/missing-abcdef12.js`)).status).toBe(404);
    const bare = await fetch(`${gw.url}/admin`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/admin/');
  });

  it('refuses a wrong key with a clear message', async () => {
    await page.goto(`${gw.url}/admin/api-keys`);
    await page.getByLabel('Admin key').fill('ogw_not_a_real_key_at_all_123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('That key was not accepted');
    await screenshot(page, '01-sign-in-refused');
  });

  it('signs in with the admin key and lands on the deep link it was opened with', async () => {
    await page.goto(`${gw.url}/admin/api-keys`);
    await page.getByLabel('Admin key').fill(gw.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The deep link survives sign-in: the keys page, with the bootstrap admin key in the table.
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(1);
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByText('Requests this month').waitFor();
    await screenshot(page, '02-overview');
  });

  it('creates a key and shows its secret exactly once', async () => {
    await page.goto(`${gw.url}/admin/api-keys`);
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.getByLabel('Name').fill('e2e app');
    await dialog.getByLabel('Tier').selectOption('PREMIUM');
    await dialog.getByLabel('Tokens per minute').fill('50000');
    await screenshot(page, '03-create-key-form');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const secret = dialog.getByRole('status', { name: 'Secret' });
    await secret.waitFor();
    createdSecret = (await secret.textContent())!.trim();
    expect(createdSecret).toMatch(/^ogw_/);
    await expect.poll(() => dialog.getByRole('alert').first().textContent()).toContain('shown only this once');
    expect(await dialog.getByRole('button', { name: 'Copy secret' }).isVisible()).toBe(true);
    await screenshot(page, '04-create-key-secret');

    // The secret works at once.
    expect((await gw.request('/api/models', { key: createdSecret })).status).toBe(200);

    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /e2e app/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('premium');
    // Gone for good: not in the page, not in storage.
    expect(await page.content()).not.toContain(createdSecret);
    expect(await page.evaluate((s) => JSON.stringify({ ...window.sessionStorage, ...window.localStorage }).includes(s), createdSecret)).toBe(false);
    await screenshot(page, '05-api-keys');
  });

  it('revokes the key after a confirmation, and the gateway refuses it', async () => {
    await page.getByRole('button', { name: 'Revoke e2e app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke key' });
    await screenshot(page, '06-revoke-confirm');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('row', { name: /e2e app/ }).textContent()).toContain('revoked');

    const refused = await gw.request('/api/models', { key: createdSecret });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { type: 'authentication_error' } });
  });

  it('deactivates a model, which disappears from /api/models', async () => {
    const ids = async () => ((await (await gw.request('/api/models')).json()) as { models: Array<{ id: string }> }).models.map((m) => m.id);
    expect(await ids()).toContain(DEACTIVATED_MODEL);

    await page.getByRole('link', { name: 'Models' }).click();
    const toggle = page.getByRole('switch', { name: `Active: ${DEACTIVATED_MODEL}` });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    await expect.poll(ids).not.toContain(DEACTIVATED_MODEL);
    expect(await ids()).toContain('echo');
    await screenshot(page, '07-models');
  });

  it('streams an answer token by token in the playground and shows its usage', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByLabel('Model').selectOption('echo');
    // Inactive models are not offered.
    expect(await page.getByLabel('Model').locator('option').allTextContents()).not.toContainEqual(expect.stringContaining(DEACTIVATED_MODEL));
    await page.getByLabel('Temperature').fill('0.3');
    await page.getByLabel('Message').fill('hello from the browser test');
    await page.getByRole('button', { name: 'Send' }).click();

    const answer = page.locator('.bubble-assistant').last();
    await expect.poll(() => answer.textContent()).toContain('hello from the browser test');
    const stats = page.getByLabel('Answer statistics').last();
    // echo counts words: the system prompt (5) and the message (5) in, the message's 5 words out.
    await expect.poll(() => stats.textContent()).toContain('10 + 5 = 15');
    expect(await stats.textContent()).toMatch(/Latency \d/);
    expect(await stats.textContent()).toMatch(/Time to first token \d/);
    await screenshot(page, '08-playground');
  });

  it('stops a slow answer midway, which cancels the Ollama request', async () => {
    ollama.setBehavior({ tokenDelayMs: 150, reply: () => Array.from({ length: 60 }, (_, i) => `word${i} `) }, { model: SLOW_MODEL });
    await page.getByLabel('Model').selectOption(SLOW_MODEL);
    await page.getByLabel('Message').fill('tell me a long story');
    await page.getByRole('button', { name: 'Send' }).click();

    const streaming = page.getByTestId('streaming-answer');
    await expect.poll(() => streaming.textContent(), { timeout: 10_000 }).toContain('word3');
    await screenshot(page, '09-playground-streaming');
    await page.getByRole('button', { name: 'Stop' }).click();

    const aborted = await ollama.waitForAbort({ path: '/api/chat', timeoutMs: 3000 });
    expect(aborted.chunksSent).toBeLessThan(60);
    const stats = page.getByLabel('Answer statistics').last();
    await expect.poll(() => stats.textContent()).toContain('Stopped');
    const text = (await page.locator('.bubble-assistant').last().textContent()) ?? '';
    expect(text).toContain('word3');
    expect(text).not.toContain('word59');
    await page.getByRole('button', { name: 'Send' }).waitFor();
  });

  it('copies the documented REST call for what is on screen', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url });
    await page.getByLabel('Model').selectOption('echo');
    await page.getByLabel('Temperature').fill('0.3');
    await page.getByLabel('Max tokens').fill('64');
    await page.getByLabel('Message').fill('curl me');
    await page.getByRole('button', { name: 'Copy as cURL' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Copied' }).count()).toBe(1);
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain(`curl -X POST "${gw.url}/api/chat"`);
    expect(curl).toContain('Authorization: Bearer $GATEWAY_API_KEY');
    // The shell command runs as printed: its JSON body is what the REST API takes.
    const body = JSON.parse(curl.slice(curl.indexOf("-d '") + 4, curl.lastIndexOf("'")).replace(/'\\''/g, "'"));
    expect(body).toMatchObject({ model: 'echo', temperature: 0.3, max_tokens: 64, messages: expect.arrayContaining([{ role: 'user', content: 'curl me' }]) });
    const res = await gw.request('/api/chat', { method: 'POST', json: body });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('curl me');
  });

  it('counts what was done on the usage page, and shows new requests live', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    // So far: the echo answer, the stopped answer and the cURL call.
    const requests = page.locator('.stat', { hasText: 'Requests' }).locator('.stat-value');
    await expect.poll(() => requests.textContent()).toBe('3');
    const byModel = page.getByRole('region', { name: 'By model' });
    await expect.poll(() => byModel.getByRole('row').allTextContents()).toContainEqual(expect.stringContaining(SLOW_MODEL));
    expect(await page.locator('.stat', { hasText: 'Requests' }).textContent()).toContain('1 failed or cancelled');
    await page.locator('.uplot').first().waitFor();

    // A request made elsewhere shows up in the live feed and the totals.
    await page.getByText('Waiting for requests').waitFor();
    const res = await gw.request('/api/chat', { method: 'POST', json: { model: 'echo', messages: [{ role: 'user', content: 'live one' }] } });
    expect(res.status).toBe(200);
    await page.getByRole('list', { name: 'Latest requests' }).getByText('echo').waitFor();
    await expect.poll(() => requests.textContent(), { timeout: 10_000 }).toBe('4');
    await screenshot(page, '10-usage');

    await page.getByRole('button', { name: 'By key' }).click();
    await page.getByRole('button', { name: 'By key', pressed: true }).waitFor();
  });

  it('shows a cost column on the usage page once a model has a price', async () => {
    const byModel = page.getByRole('region', { name: 'By model' });
    expect(await byModel.getByRole('columnheader').allTextContents()).not.toContainEqual(expect.stringContaining('Cost'));
    const set = await gw.request('/graphql', {
      method: 'POST',
      json: { query: 'mutation { updateModel(input: { id: "echo", promptPricePerMTok: 2000, completionPricePerMTok: 6000 }) { id promptPricePerMTok } }' },
    });
    expect(((await set.json()) as { data: unknown }).data).toEqual({ updateModel: { id: 'echo', promptPricePerMTok: 2000 } });
    const asked = await gw.request('/graphql', { method: 'POST', json: { query: '{ usage { byModel { model totals { cost } } } }' } });
    const groups = ((await asked.json()) as { data: { usage: { byModel: Array<{ model: string; totals: { cost: number | null } }> } } }).data.usage.byModel;
    const cost = groups.find((g) => g.model === 'echo')!.totals.cost!;
    expect(cost).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => byModel.getByRole('columnheader').allTextContents()).toContain('Cost (credits)');
    const echoRow = byModel.getByRole('row').filter({ hasText: /^echo/ });
    await expect.poll(() => echoRow.locator('td').last().textContent()).toBe(cost.toLocaleString('en', { maximumFractionDigits: cost >= 100 ? 2 : 4 }));
    // The unpriced model's cell says so.
    await expect.poll(() => byModel.getByRole('row').filter({ hasText: SLOW_MODEL }).locator('td').last().textContent()).toBe('—');
    await page.locator('.stat', { hasText: 'Cost' }).waitFor();
  });

  it('offers only chat models, sends an attached image and think, and shows the thinking collapsed', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    const offered = await page
      .getByLabel('Model')
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    // The embedding model cannot chat (its /api/show capabilities say so): it is not offered.
    expect(offered).toContain(CAPABLE_MODEL.name);
    expect(offered).not.toContain('nomic-embed-text:latest');
    await page.getByLabel('Model').selectOption(CAPABLE_MODEL.name);
    await page.getByLabel(/Think first/).check();
    await page.getByLabel('Attach images').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from('hello') });
    await page.getByRole('button', { name: 'dot.png ×' }).waitFor();
    await page.getByLabel('Message').fill('what is this');
    await page.getByRole('button', { name: 'Send' }).click();

    const answer = page.locator('.bubble-assistant').last();
    await expect.poll(() => answer.textContent()).toContain('You said: what is this');
    const thinking = answer.locator('details.thinking');
    expect(await thinking.getAttribute('open')).toBeNull();
    expect(await thinking.locator('p').isVisible()).toBe(false);
    await thinking.locator('summary').click();
    await expect.poll(() => thinking.locator('p').textContent()).toBe('Thinking about: what is this');
    const sent = ollama.lastRequest('/api/chat')!.body;
    expect(sent.think).toBe(true);
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'what is this', images: [Buffer.from('hello').toString('base64')] });
    await screenshot(page, '13-playground-thinking');
  });

  it('fits a phone-sized screen: no page is wider than the viewport', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    try {
      for (const path of ['', 'api-keys', 'models', 'usage', 'playground']) {
        await page.goto(`${gw.url}/admin/${path}`);
        await page.locator('h1').first().waitFor();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `/admin/${path}`).toBeLessThanOrEqual(400);
      }
      await screenshot(page, '12-narrow-playground');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  it('signs out and forgets the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin key').waitFor();
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
    await page.goto(`${gw.url}/admin/usage`);
    await page.getByLabel('Admin key').waitFor();
    expect(problems).toEqual([]);
  });

  it('opens GraphiQL at /graphql with no request leaving this machine', async () => {
    const gq = await context.newPage();
    const outside: string[] = [];
    gq.on('request', (r) => {
      const u = new URL(r.url());
      if (!['127.0.0.1', 'localhost'].includes(u.hostname) && !['data:', 'blob:'].includes(u.protocol)) outside.push(r.url());
    });
    const refused: number[] = [];
    gq.on('response', (r) => {
      if (new URL(r.url()).pathname === '/graphql' && r.status() >= 400) refused.push(r.status());
    });
    await gq.goto(`${gw.url}/graphql`);
    // It says where the key goes and asks for it first, so GraphiQL's schema fetch is never a 401.
    const form = gq.locator('#ogw-key-form');
    await form.waitFor({ timeout: 20_000 });
    expect(await form.textContent()).toContain('{"Authorization": "Bearer ogw_…"}');
    await gq.getByLabel('Admin key').fill(gw.adminKey);
    await gq.getByRole('button', { name: 'Open GraphiQL' }).click();
    await gq.locator('.graphiql-container').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => gq.getByText('Authorization').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // The schema loaded with the key: the docs explorer lists the root types.
    await gq
      .locator('.graphiql-container')
      .getByRole('button', { name: /Show Documentation Explorer/i })
      .click();
    await gq.getByText('Query', { exact: true }).first().waitFor({ timeout: 10_000 });
    await screenshot(gq, '11-graphiql');
    expect(refused).toEqual([]);
    expect(outside).toEqual([]);
    await gq.close();
  });
});
