/**
 * Incremental NDJSON (newline-delimited JSON) parsing for streamed HTTP bodies, with a cap on the
 * length of one line.
 *
 * @example
 * for await (const chunk of parseNdjson<OllamaChatChunk>(response.body, { maxLineBytes: 1 << 20 })) {
 *   process.stdout.write(chunk.message?.content ?? '');
 * }
 */

/** A line of the stream is not valid JSON. */
export class NdjsonParseError extends Error {
  /** 1-based line number within the stream. */
  readonly line: number;

  constructor({ line, text, cause }: { line: number; text: string; cause: unknown }) {
    const snippet = text.length > 120 ? `${text.slice(0, 120)}…` : text;
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`Invalid NDJSON on line ${line}: ${detail} (line starts with ${JSON.stringify(snippet)})`, { cause });
    this.name = 'NdjsonParseError';
    this.line = line;
  }
}

/** A line of the stream is longer than the cap; thrown as soon as the cap is passed, before the line ends. */
export class NdjsonLineTooLongError extends Error {
  /** 1-based line number within the stream. */
  readonly line: number;
  readonly limit: number;

  constructor({ line, limit }: { line: number; limit: number }) {
    super(`line ${line} of the stream is longer than the limit of ${limit} bytes`);
    this.name = 'NdjsonLineTooLongError';
    this.line = line;
    this.limit = limit;
  }
}

export interface NdjsonOptions {
  /** Longest line accepted, in bytes (without its newline). Default: no limit. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;

/**
 * Yields one parsed value per line as soon as the line's newline arrives. Lines may span chunks,
 * chunks may hold many lines, multi-byte UTF-8 characters may be split across chunks, the last
 * line may lack its newline, and blank lines (including `\r\n` endings) are skipped.
 * Throws NdjsonParseError on a malformed line and NdjsonLineTooLongError once a line passes
 * `maxLineBytes`, without waiting for the rest of it.
 */
export async function* parseNdjson<T = unknown>(
  source: AsyncIterable<Uint8Array | string>,
  { maxLineBytes = Infinity }: NdjsonOptions = {},
): AsyncGenerator<T, void, undefined> {
  // The unfinished line's bytes: only each new chunk is scanned for a newline, so a long line costs linear time.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let lineNumber = 0;

  const parseLine = (bytes: Uint8Array): { ok: true; value: T } | { ok: false } => {
    lineNumber += 1;
    let text: string;
    try {
      text = decoder.decode(bytes).trim();
    } catch (cause) {
      throw new NdjsonParseError({ line: lineNumber, text: '<invalid UTF-8>', cause });
    }
    if (text === '') return { ok: false };
    try {
      return { ok: true, value: JSON.parse(text) as T };
    } catch (cause) {
      throw new NdjsonParseError({ line: lineNumber, text, cause });
    }
  };
  const takeLine = (tail: Uint8Array): Uint8Array => {
    const line = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    return line;
  };
  const checkLength = (bytes: number) => {
    if (bytes > maxLineBytes) throw new NdjsonLineTooLongError({ line: lineNumber + 1, limit: maxLineBytes });
  };

  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      checkLength(pendingBytes + newline - start);
      const parsed = parseLine(takeLine(chunk.subarray(start, newline)));
      if (parsed.ok) yield parsed.value;
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      checkLength(pendingBytes + chunk.length - start);
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
  }
  if (pendingBytes > 0) {
    const last = parseLine(takeLine(new Uint8Array(0)));
    if (last.ok) yield last.value;
  }
}

// A whole line is decoded at once, so a character split across chunks is joined before decoding.
const decoder = new TextDecoder('utf-8', { fatal: true });
