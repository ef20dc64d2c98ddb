/**
 * The console's Servers page in Chromium: the real gateway over two Ollama emulators shows each
 * server's health, version and loaded models, and an admin adds, drains and removes servers from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { prisma } from '../../server/db/client.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from '../support/ollama-emulator.ts';
import { ensureConsoleBuilt, launchBrowser, screenshot, watchPageErrors } from './support/browser.ts';

describe('console servers page', () => {
  let gw: TestGateway;
  let a: OllamaEmulator;
  let b: OllamaEmulator;
  let c: OllamaEmulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    await ensureConsoleBuilt();
    a = await startOllamaEmulator({ capacity: { parallel: 2 } });
    b = await startOllamaEmulator({ capacity: { parallel: 2 } });
    c = await startOllamaEmulator({ version: '0.13.0' });
    a.preload(['llama3.2:latest']);
    gw = await startGateway({ env: { OLLAMA_URL: `${a.url},${b.url}`, OLLAMA_PARALLEL: '2' } });
    await gw.app.services.upstreams.scheduler.probeAll();
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
    await a?.close();
    await b?.close();
    await c?.close();
  });

  const row = (name: string) => page.locator(`tr[data-server="${name}"]`);
  const nameOf = (url: string) => new URL(url).host;

  it('lists each server with its health, version, slots and loaded models', async () => {
    await page.goto(`${gw.url}/admin/servers`);
    await page.getByLabel('Admin key').fill(gw.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Servers', level: 1 }).waitFor();
    await row(nameOf(a.url)).waitFor();
    const first = await row(nameOf(a.url)).textContent();
    expect(first).toContain('healthy');
    expect(first).toContain('Ollama 0.12.6');
    expect(first).toContain('0 / 2 in flight');
    expect(first).toContain('llama3.2:latest');
    expect(first).toContain('3 listed');
    expect(await row(nameOf(b.url)).textContent()).not.toContain('llama3.2:latest');
    await screenshot(page, 'servers-01-list');
  });

  it('adds a server, drains one and removes one', async () => {
    await page.getByRole('button', { name: 'Add server' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a server' });
    await dialog.getByLabel('Name').fill('gpu-c');
    await dialog.getByLabel('URL').fill(c.url);
    await dialog.getByLabel(/Slots/).fill('3');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await row('gpu-c').waitFor();
    await expect.poll(async () => row('gpu-c').textContent(), { timeout: 8000 }).toContain('Ollama 0.13.0');
    expect(await row('gpu-c').textContent()).toContain('0 / 3 in flight');

    await page.getByRole('button', { name: `Drain ${nameOf(b.url)}` }).click();
    await expect.poll(async () => row(nameOf(b.url)).textContent()).toContain('draining');
    expect((await gw.app.services.upstreams.scheduler.servers().find((s) => s.url === b.url))?.state).toBe('DRAINING');
    await screenshot(page, 'servers-02-drained');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove gpu-c' }).click();
    await expect.poll(async () => row('gpu-c').count()).toBe(0);
    expect(gw.app.services.upstreams.scheduler.servers().map((s) => s.name)).not.toContain('gpu-c');
    expect(problems).toEqual([]);
  });

  it('sets a key’s weight and concurrency cap from the API keys page', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.getByLabel('Name').fill('batch job');
    await dialog.getByLabel('Weight').fill('3');
    await dialog.getByLabel('At most at once').fill('2');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByRole('status', { name: 'Secret' }).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const keyRow = page.getByRole('row', { name: /batch job/ });
    await keyRow.waitFor();
    expect(await keyRow.textContent()).toContain('weight 3 (own) · 2 at once');
    expect(await prisma.apiKey.findFirst({ where: { name: 'batch job' }, select: { weight: true, maxConcurrent: true } })).toEqual({
      weight: 3,
      maxConcurrent: 2,
    });
    expect(problems).toEqual([]);
  });
});
