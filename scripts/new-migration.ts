// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the committed
// migrations to prisma/schema.prisma. The schema engine replays the migrations in a scratch database,
// created here on the PostgreSQL server at MIGRATION_DATABASE_URL (default: the local one) and dropped after.
// Usage: npm run db:migration -- add_something
// Known limit: with migrations already committed, the WebAssembly schema engine fails to read the
// scratch database back ("Column type 'char' could not be deserialized", a driver-adapter gap); there,
// use `npx prisma migrate dev --create-only` on a machine that can download Prisma's native engine.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { pendingSchemaSql, prismaDir } from '../server/db/migrate.ts';

const name = (process.argv[2] ?? 'change').replace(/[^a-z0-9_]/gi, '_');
const adminUrl = process.env.MIGRATION_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const scratch = `ogw_scratch_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${scratch}`);
try {
  const url = new URL(adminUrl);
  url.pathname = `/${scratch}`;
  const sql = await pendingSchemaSql({ connectionString: url.toString() });
  if (!sql.trim()) {
    console.log('prisma/schema.prisma matches the migrations: nothing to write.');
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(prismaDir, 'migrations', `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(prismaDir, 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
    await writeFile(path.join(dir, 'migration.sql'), sql);
    console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  await admin.end();
}
