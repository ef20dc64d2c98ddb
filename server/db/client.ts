/**
 * The one Prisma client of the process. `openDatabase` connects it (main, the keys CLI, tests);
 * every other module imports `prisma` from here rather than carrying it in a context.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export let prisma: PrismaClient = undefined as unknown as PrismaClient;

export function openDatabase({ connectionString, poolSize = 10 }: { connectionString: string; poolSize?: number }): PrismaClient {
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
  return prisma;
}

export async function closeDatabase(): Promise<void> {
  await prisma?.$disconnect();
}

export type { PrismaClient };
