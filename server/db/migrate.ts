/**
 * Applies prisma/migrations with Prisma's schema engine compiled to WebAssembly, so migrations run
 * without the native engine binary (which cannot be downloaded offline). The result is the same as
 * `prisma migrate deploy`: applied migrations are recorded in `_prisma_migrations`.
 *
 * @example
 *   await applyMigrations({ connectionString: 'postgresql://localhost/gateway' });
 */
import { once } from 'node:events';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { packageRoot } from '../package-root.ts';

export const prismaDir = path.join(packageRoot, 'prisma');
const migrationsDir = path.join(prismaDir, 'migrations');
const schemaPath = path.join(prismaDir, 'schema.prisma');
const filters = { externalTables: [] as string[], externalEnums: [] as string[] };

type Engine = {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout?: string }>;
  free(): void;
};

let enginePromise: Promise<typeof import('@prisma/schema-engine-wasm/schema_engine_bg')> | undefined;

// Node 20 cannot import .wasm modules without a flag, so instantiate the module ourselves.
function loadEngineModule() {
  enginePromise ??= (async () => {
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports });
    const exports = instance.exports as unknown as Parameters<typeof bg.__wbg_set_wasm>[0] & { __wbindgen_start(): void };
    bg.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return bg;
  })();
  return enginePromise;
}

async function withEngine<T>(connectionString: string, fn: (engine: Engine, schema: string) => Promise<T>): Promise<T> {
  const bg = await loadEngineModule();
  const schema = await readFile(schemaPath, 'utf8');
  // The engine's adapter types are internal to Prisma and differ between its packages' builds; the objects are the same.
  type FactoryArg = Parameters<typeof bindMigrationAwareSqlAdapterFactory>[0];
  type EngineAdapter = Parameters<typeof bg.SchemaEngine.new>[2];
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString }) as unknown as FactoryArg);
  const engine = (await bg.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => {}, adapter as unknown as EngineAdapter)) as unknown as Engine;
  try {
    return await fn(engine, schema);
  } finally {
    engine.free();
  }
}

async function migrationsList() {
  const names = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lockfile = await readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => undefined);
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockfile ?? null },
    migrationDirectories,
    shadowDbInitScript: '',
  };
}

// The compiled build (dist/) runs the engine in a worker: it holds over 100 MB that would otherwise stay
// with the process for its whole life. The sources (tsx, tests) run it in-process.
const workerScript = import.meta.url.endsWith('.js') ? path.join(packageRoot, 'dist/db/migrate-worker.js') : undefined;

/** Applies every committed migration not yet applied; returns the names it applied. */
export async function applyMigrations({ connectionString }: { connectionString: string }): Promise<string[]> {
  if (await allApplied(connectionString)) return [];
  if (!workerScript) return applyMigrationsHere({ connectionString });
  const worker = new Worker(workerScript, { workerData: { connectionString } });
  try {
    const [result] = (await once(worker, 'message')) as [{ applied?: string[]; error?: string }];
    if (result.error !== undefined) throw new Error(result.error);
    return result.applied!;
  } finally {
    await worker.terminate();
  }
}

/** Whether every committed migration is recorded as applied: then a restart need not load the engine at all. */
async function allApplied(connectionString: string): Promise<boolean> {
  const names = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    const { rows } = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(rows.map((r) => r.migration_name));
    return names.every((n) => applied.has(n));
  } catch {
    return false; // no _prisma_migrations yet, or any doubt: the engine decides
  } finally {
    await client.end().catch(() => {});
  }
}

/** {@link applyMigrations} in this thread. */
export async function applyMigrationsHere({ connectionString }: { connectionString: string }): Promise<string[]> {
  return withEngine(connectionString, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList: await migrationsList(), filters });
    return result.appliedMigrationNames;
  });
}

/** The SQL that takes the committed migrations to prisma/schema.prisma ('' when they match). */
export async function pendingSchemaSql({ connectionString }: { connectionString: string }): Promise<string> {
  return withEngine(connectionString, async (engine, schema) => {
    const list = await migrationsList();
    const from = list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' };
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters,
    });
    const stdout = result.stdout ?? '';
    return stdout.includes('-- This is an empty migration.') ? '' : stdout;
  });
}
