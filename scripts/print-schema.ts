/**
 * Prints the GraphQL schema, sorted, to schema.graphql (the committed artifact codegen reads).
 * `npm run schema` writes it; `--check` exits 1 when the file differs from the code.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../server/schema/index.ts';

export const SCHEMA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema.graphql');

/** The schema as SDL, sorted so that the file only changes when the schema does. */
export function printSortedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sdl = printSortedSchema();
  if (process.argv.includes('--check')) {
    const current = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    if (current !== sdl) {
      console.error('schema.graphql is out of date: run `npm run schema`');
      process.exit(1);
    }
    console.log('schema.graphql is up to date');
  } else {
    await writeFile(SCHEMA_FILE, sdl);
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
  }
}
