import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate). The gateway itself connects through server/db.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
