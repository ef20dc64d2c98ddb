/**
 * The e2e harness: makes sure the console in web/dist is built and current, launches Debian's
 * Chromium through playwright-core (no downloaded browsers), and saves screenshots to test-artifacts/.
 *
 * @example
 *   await ensureConsoleBuilt();
 *   const browser = await launchBrowser();
 *   const page = await browser.newPage();
 *   await screenshot(page, 'playground');
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB = path.join(ROOT, 'web');
const DIST_INDEX = path.join(WEB, 'dist', 'index.html');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags verified to work on the project's machines (shared/STACK-NOTES.md, Browsers). */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(p) : (await stat(p)).mtimeMs);
  }
  return newest;
}

/**
 * Builds web/dist when it is missing or older than a file in web/ (the gateway only serves a built
 * console). Test files run in parallel, so a lock directory keeps it to one build at a time.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const lock = path.join(os.tmpdir(), `ogw-console-build-${Buffer.from(ROOT).toString('hex').slice(-24)}`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // A stale lock (a killed run) is older than any build takes.
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > 180_000) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`Timed out waiting for another test's console build (lock ${lock})`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const built = existsSync(DIST_INDEX) ? (await stat(DIST_INDEX)).mtimeMs : 0;
    if (built && built >= (await newestSource(WEB))) return;
    try {
      await run(
        process.execPath,
        [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
        {
          cwd: ROOT,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `The admin console (web/dist) is ${built ? 'out of date' : 'not built'} and building it failed; run \`npm run build:web\` to see why.\n${e.stderr || e.stdout || e.message}`,
      );
    }
    if (!existsSync(DIST_INDEX)) throw new Error('`npm run build:web` finished but web/dist/index.html is missing');
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: the e2e tests drive Debian's chromium (apt-get install -y chromium), or set CHROMIUM_PATH.`);
  }
  // launch() gives every browser a fresh temporary profile (its own --user-data-dir) and removes it on close.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  return file;
}

/** Collects uncaught page errors and console errors so a test can assert there were none. */
export function watchPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // Chromium logs every 4xx response as an error; refused keys are expected in these tests.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console.error: ${msg.text()}`);
  });
  return problems;
}
