/**
 * Incremental NDJSON (newline-delimited JSON) parsing for streamed HTTP bodies.
 *
 * @example
 * for await (const chunk of parseNdjson<OllamaChatChunk>(response.body)) {
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

/**
 * Yields one parsed value per line as soon as the line's newline arrives. Lines may span chunks,
 * chunks may hold many lines, multi-byte UTF-8 characters may be split across chunks, the last
 * line may lack its newline, and blank lines (including `\r\n` endings) are skipped.
 * Throws NdjsonParseError on a malformed line.
 */
export async function* parseNdjson<T = unknown>(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<T, void, undefined> {
  // One decoder per stream, in streaming mode, so a character split across chunks is held back, not mangled.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let buffered = '';
  let lineNumber = 0;

  const parseLine = (raw: string): { ok: true; value: T } | { ok: false } => {
    lineNumber += 1;
    const text = raw.trim();
    if (text === '') return { ok: false };
    try {
      return { ok: true, value: JSON.parse(text) as T };
    } catch (cause) {
      throw new NdjsonParseError({ line: lineNumber, text, cause });
    }
  };

  for await (const chunk of source) {
    buffered += typeof chunk === 'string' ? chunk : decodeChunk(decoder, chunk, lineNumber + 1);
    let start = 0;
    let newline = buffered.indexOf('\n', start);
    while (newline !== -1) {
      const parsed = parseLine(buffered.slice(start, newline));
      start = newline + 1;
      if (parsed.ok) yield parsed.value;
      newline = buffered.indexOf('\n', start);
    }
    buffered = start === 0 ? buffered : buffered.slice(start);
  }

  buffered += decodeChunk(decoder, undefined, lineNumber + 1);
  const last = parseLine(buffered);
  if (last.ok) yield last.value;
}

function decodeChunk(decoder: TextDecoder, chunk: Uint8Array | undefined, line: number): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
  } catch (cause) {
    throw new NdjsonParseError({ line, text: '<invalid UTF-8>', cause });
  }
}
