/**
 * The one Prisma client of the process. `openDatabase` connects it (main, the keys CLI, tests);
 * every other module imports `prisma` from here rather than carrying it in a context.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export let prisma: PrismaClient = undefined as unknown as PrismaClient;

export function openDatabase({
  connectionString,
  poolSize = 10,
  connectTimeoutMs = 5000,
  statementTimeoutMs = 10_000,
}: {
  connectionString: string;
  poolSize?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
}): PrismaClient {
  // Timeouts on every connection: a dead or frozen database fails a query instead of holding it (and a
  // pool slot) forever. query_timeout is the client's own clock, for a server that never answers.
  const adapter = new PrismaPg({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  prisma = new PrismaClient({ adapter });
  return prisma;
}

/** Disconnects, but never waits on a frozen database longer than timeoutMs. */
export async function closeDatabase({ timeoutMs = 2000 }: { timeoutMs?: number } = {}): Promise<void> {
  if (!prisma) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([prisma.$disconnect().catch(() => {}), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
}

export type { PrismaClient };
