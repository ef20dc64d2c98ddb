/**
 * The gateway's own folder (the one holding package.json, prisma/ and web/dist), found by walking up
 * from this module, so files resolve the same under tsx (server/*.ts) and from the compiled bundle (dist/).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function find(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const packageRoot = find(path.dirname(fileURLToPath(import.meta.url)));
