/** The process logger (pino, JSON lines). Credentials are redacted wherever they might appear. */
import { pino } from 'pino';

export type Logger = import('pino').Logger;

export function createLogger({ level }: { level: string }): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', '*.authorization', 'secret', 'key', 'connectionString'], censor: '[redacted]' },
  });
}
