import { describe, expect, it } from 'vitest';
import { NdjsonLineTooLongError, NdjsonParseError, parseNdjson } from '../server/providers/ndjson.ts';

async function* chunks(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of parseNdjson(source)) out.push(value);
  return out;
}

async function collectCapped(source: AsyncIterable<Uint8Array>, maxLineBytes: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const value of parseNdjson(source, { maxLineBytes })) out.push(value);
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

  it('joins a long line split across many small chunks', async () => {
    const text = 'a'.repeat(1024 * 1024);
    const parts = `{"text":"${text}"}\n`.match(/[\s\S]{1,1000}/g)!;
    expect(await collect(chunks(...parts))).toEqual([{ text }]);
  });

  describe('maxLineBytes', () => {
    it('throws as soon as a line passes the cap, without waiting for the rest of it', async () => {
      let pulled = 0;
      async function* endless(): AsyncGenerator<Uint8Array> {
        yield Buffer.from('{"ok":1}\n{"text":"');
        for (;;) {
          pulled += 1;
          yield Buffer.alloc(1024, 'x');
        }
      }
      const seen: unknown[] = [];
      const error = await (async () => {
        for await (const value of parseNdjson(endless(), { maxLineBytes: 10 * 1024 })) seen.push(value);
      })().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(NdjsonLineTooLongError);
      expect(error).toMatchObject({ line: 2, limit: 10 * 1024 });
      expect(seen).toEqual([{ ok: 1 }]);
      expect(pulled).toBeLessThanOrEqual(11);
    });

    it('throws for an over-long line that arrives whole in one chunk', async () => {
      const line = `{"text":"${'x'.repeat(200)}"}\n`;
      await expect(collectCapped(chunks(line), 100)).rejects.toBeInstanceOf(NdjsonLineTooLongError);
    });

    it('accepts a line of exactly the cap, counted in bytes rather than characters', async () => {
      const line = `{"t":"${'é'.repeat(10)}"}`; // 28 bytes, 18 characters
      expect(Buffer.byteLength(line)).toBe(28);
      expect(await collectCapped(chunks(`${line}\n`), 28)).toEqual([{ t: 'é'.repeat(10) }]);
      await expect(collectCapped(chunks(`${line}\n`), 27)).rejects.toBeInstanceOf(NdjsonLineTooLongError);
    });

    it('caps each line, not the whole stream', async () => {
      const lines = Array.from({ length: 100 }, (_, i) => `{"n":${i}}\n`);
      expect(await collectCapped(chunks(lines.join('')), 16)).toHaveLength(100);
    });

    it('caps a trailing line without a newline', async () => {
      await expect(collectCapped(chunks('{"a":1}\n', `{"text":"${'x'.repeat(200)}"}`), 100)).rejects.toBeInstanceOf(NdjsonLineTooLongError);
    });
  });
});
