// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the committed
// migrations to prisma/schema.prisma. Needs a scratch PostgreSQL: MIGRATION_DATABASE_URL, or an
// embedded one started for the purpose. Usage: npm run db:migration -- add_something
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pendingSchemaSql, prismaDir } from '../server/db/migrate.ts';

const name = (process.argv[2] ?? 'change').replace(/[^a-z0-9_]/gi, '_');
const url = process.env.MIGRATION_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const sql = await pendingSchemaSql({ connectionString: url });
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
