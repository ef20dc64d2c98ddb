/**
 * The process logger (pino). Human-readable lines in a terminal (pino-pretty, in-process), JSON lines
 * with ISO times elsewhere, or as LOG_FORMAT says. Credentials are redacted wherever they might appear.
 *
 * @example
 *   const log = createLogger({ level: 'info', format: 'auto' }); // pretty on a TTY, JSON in a pipe
 */
import { pino } from 'pino';
import pretty from 'pino-pretty';

export type Logger = import('pino').Logger;

/**
 * What a module needs of a logger: the process's pino Logger fits, and a test passes a few functions.
 * Modules take `Pick<Log, …>` of the levels they use.
 */
export interface Log {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export type LogFormat = 'auto' | 'pretty' | 'json';

const REDACT = ['req.headers.authorization', 'headers.authorization', 'authorization', '*.authorization', 'secret', 'key', 'connectionString'];

/** Whether a format means pretty output on this stream. */
function isPretty(format: LogFormat, stream: { isTTY?: boolean } = process.stdout): boolean {
  return format === 'pretty' || (format === 'auto' && stream.isTTY === true);
}

export function createLogger({ level, format = 'auto', destination }: { level: string; format?: LogFormat; destination?: NodeJS.WritableStream }): Logger {
  const options = { level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } };
  const out = destination ?? process.stdout;
  if (isPretty(format, out as { isTTY?: boolean })) {
    // In-process and synchronous: no worker thread, and nothing is lost when the process exits.
    const stream = pretty({
      destination: out,
      sync: true,
      colorize: (out as { isTTY?: boolean }).isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
    });
    return pino(options, stream);
  }
  return pino({ ...options, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? batchedStdout());
}

/**
 * Standard output with lines gathered for up to 4 KiB or 100 ms into one write: a write per line (the
 * access log writes one per request) cost several per cent of a request's CPU. pino flushes what is
 * left when the process exits.
 */
function batchedStdout() {
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => {
    try {
      dest.flush();
    } catch {
      // destroyed at exit
    }
  }, 100).unref();
  return dest;
}
