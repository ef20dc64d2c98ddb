// `npm run build`: compiles the server to JavaScript in dist/ (one ES module per entry point, shared
// code in chunks), so `npm start` runs on plain node. Packages stay external (resolved from
// node_modules at run time); our own code, the generated Prisma client included, is bundled.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: { main: 'server/main.ts', 'cli/keys': 'server/cli/keys.ts', 'db/migrate-worker': 'server/db/migrate-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
