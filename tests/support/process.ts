/** Runs the gateway and the keys CLI as real processes, the way a user does (`npm start`, `npm run keys`). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// `node --import tsx`, as `npm start` runs it: one process. The tsx CLI wrapper would relay signals and
// SIGKILL the gateway when it does not acknowledge them within 60 ms, which a busy gateway may not.
const node = ['--import', 'tsx'];

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Sends a signal to the whole process group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

/** `command` defaults to the TypeScript sources under tsx; `['npm', 'start']` runs the compiled build as a user does. */
export async function spawnGateway(
  env: Record<string, string>,
  { timeoutMs = 30_000, command = [process.execPath, ...node, 'server/main.ts'] }: { timeoutMs?: number; command?: string[] } = {},
): Promise<GatewayProcess> {
  // detached: its own process group, so a group signal reaches it and not vitest.
  const child = spawn(command[0], command.slice(1), {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /"url":"(http:\/\/[^"]+)".*"msg":"gateway ready"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    signalGroup: (signal) => process.kill(-child.pid!, signal),
    exited,
  };
}

export function runKeys(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...node, 'server/cli/keys.ts', ...args], { cwd: root, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
