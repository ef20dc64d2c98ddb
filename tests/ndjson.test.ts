import { describe, expect, it } from 'vitest';
import { NdjsonParseError, parseNdjson } from '../server/providers/ndjson.ts';

async function* chunks(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of parseNdjson(source)) out.push(value);
  return out;
}

describe('parseNdjson', () => {
  it('parses one object per line', async () => {
    expect(await collect(chunks('{"a":1}\n{"b":2}\n'))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('joins a line split across chunks', async () => {
    expect(await collect(chunks('{"text":"hel', 'lo wo', 'rld"}\n'))).toEqual([{ text: 'hello world' }]);
  });

  it('parses several lines arriving in one chunk, including one completed by it', async () => {
    expect(await collect(chunks('{"n":', '1}\n{"n":2}\n{"n":3}\n{"n"', ':4}\n'))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  it('decodes a multi-byte UTF-8 character split across chunks', async () => {
    const bytes = Buffer.from('{"text":"héllo 🦙"}\n');
    const llamaStart = bytes.indexOf(0xf0);
    const eAcute = bytes.indexOf(0xc3);
    const parts = [bytes.subarray(0, eAcute + 1), bytes.subarray(eAcute + 1, llamaStart + 2), bytes.subarray(llamaStart + 2)];
    expect(await collect(chunks(...parts))).toEqual([{ text: 'héllo 🦙' }]);
  });

  it('parses a trailing line without a newline', async () => {
    expect(await collect(chunks('{"a":1}\n{"done":', 'true}'))).toEqual([{ a: 1 }, { done: true }]);
  });

  it('skips blank lines and accepts CRLF line endings', async () => {
    expect(await collect(chunks('\n{"a":1}\r\n\r\n   \n{"b":2}\n\n'))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('yields each line as soon as its newline arrives, before the stream ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('{"first":true}\n{"sec');
      await gate;
      yield Buffer.from('ond":true}\n');
    }
    const iterator = parseNdjson(slow())[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { first: true } });
    release();
    expect(await iterator.next()).toEqual({ done: false, value: { second: true } });
    expect((await iterator.next()).done).toBe(true);
  });

  it('throws a clear error naming the line for a malformed line', async () => {
    const error = await collect(chunks('{"a":1}\n{"b":\n{"c":3}\n')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NdjsonParseError);
    expect((error as NdjsonParseError).line).toBe(2);
    expect((error as Error).message).toMatch(/Invalid NDJSON on line 2/);
    expect((error as Error).message).toContain('{\\"b\\":');
  });

  it('throws for a malformed trailing line without a newline', async () => {
    await expect(collect(chunks('{"a":1}\nnot json'))).rejects.toThrow(/line 2/);
  });

  it('throws for bytes that are not UTF-8', async () => {
    await expect(collect(chunks(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a])))).rejects.toBeInstanceOf(NdjsonParseError);
  });

  it('yields nothing for an empty stream', async () => {
    expect(await collect(chunks())).toEqual([]);
  });
});
