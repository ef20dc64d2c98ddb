/**
 * The graphql-ws examples in README.md and docs/graphql.md run as written on this Node (20: no global
 * WebSocket), against a real gateway: a good key streams the answer, a bad key fails at once with 4403.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './support/gateway.ts';
import { startOllamaEmulator, type OllamaEmulator } from './support/ollama-emulator.ts';
import { root } from './support/process.ts';

let gw: TestGateway;
let ollama: OllamaEmulator;
// Inside the checkout, so that the example's imports resolve to this project's node_modules.
const dir = path.join(root, 'node_modules', '.cache', 'ogw-doc-examples');

beforeAll(async () => {
  ollama = await startOllamaEmulator();
  gw = await startGateway({ env: { OLLAMA_URL: ollama.url } });
  await mkdir(dir, { recursive: true });
});
afterAll(async () => {
  await gw?.stop();
  await ollama?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The first ```ts block after `heading` in a Markdown file. */
async function example(file: string, heading: string): Promise<string> {
  const md = await readFile(path.join(root, file), 'utf8');
  const from = md.indexOf(heading);
  expect(from, `${heading} in ${file}`).toBeGreaterThan(-1);
  const m = /```ts\n([\s\S]*?)```/.exec(md.slice(from));
  expect(m, `a ts example after ${heading}`).not.toBeNull();
  return m![1];
}

function run(code: string, name: string, key: string): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const file = path.join(dir, `${name}.mts`);
  const started = Date.now();
  return writeFile(file, code.replaceAll('ws://127.0.0.1:8080', gw.url.replace(/^http/, 'ws'))).then(
    () =>
      new Promise((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', file], { cwd: root, env: { ...process.env, KEY: key }, timeout: 60_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
        });
      }),
  );
}

describe.each([
  ['README.md', 'A streamed answer over graphql-ws'],
  ['docs/graphql.md', '## Example: a streamed chat over graphql-ws'],
])('the graphql-ws example in %s', (file, heading) => {
  const name = file.replace(/\W/g, '_');

  it('uses the `ws` WebSocket, the KEY variable and fails fast on 4403', async () => {
    const code = await example(file, heading);
    expect(code).toContain("import WebSocket from 'ws';");
    expect(code).toContain('webSocketImpl: WebSocket');
    expect(code).toContain('process.env.KEY');
    expect(code).toContain('shouldRetry');
  });

  it('streams an answer with a good key', async () => {
    const r = await run(await example(file, heading), `${name}-good`, gw.adminKey);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // README asks the built-in echo model (it answers with the question); docs/graphql.md prints the final usage line.
    expect(r.stdout).toMatch(file === 'README.md' ? /Why is the sky blue\?/ : /\n\w+, \d+ tokens\n$/);
  });

  it('stops at once with a clear message for a bad key, instead of retrying', async () => {
    const r = await run(await example(file, heading), `${name}-bad`, 'ogw_this_key_does_not_exist_0000');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The gateway refused the key (4403): check KEY.');
    // graphql-ws's default retries would take about 40 s; one connection attempt is well under that.
    expect(r.ms).toBeLessThan(20_000);
  });
});

/** The shape of a JSON value: its keys, recursively (arrays by their first element), not its values. */
function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shapeOf(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)]));
  return v === null ? 'null' : typeof v;
}

describe('GET /api/usage as documented', () => {
  it("runs the README's curl line and answers in the documented shape (README and docs/api-document.md)", async () => {
    const { secret } = await gw.createKey({ name: 'doc reader', dailyTokens: 1000 });
    const md = await readFile(path.join(root, 'README.md'), 'utf8');
    const line = /^curl -s http:\/\/127\.0\.0\.1:8080\/api\/usage .*$/m.exec(md)?.[0];
    expect(line, 'the curl line for GET /api/usage in README.md').toBeDefined();
    const out = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', line!.replace('http://127.0.0.1:8080', gw.url)], { env: { ...process.env, KEY: secret } }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    const answer = JSON.parse(out);
    expect(answer.object).toBe('usage');
    // The examples in both documents have the answer's fields, and the answer has theirs.
    const readme = md.slice(md.indexOf('`GET /api/usage` answers a key with its own view'));
    const doc = await readFile(path.join(root, 'docs/api-document.md'), 'utf8');
    for (const text of [readme, doc.slice(doc.indexOf('### Your Usage and Quotas'))]) {
      const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(text)![1].replaceAll('…', ''));
      const want = shapeOf(example) as Record<string, unknown>;
      const got = shapeOf(answer) as Record<string, unknown>;
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(got.limits).toEqual(want.limits === undefined ? got.limits : { ...(want.limits as object), ...(got.limits as object) });
      expect(got.quotas).toEqual(want.quotas);
      expect(got.usage).toEqual(want.usage);
    }
  });
});
