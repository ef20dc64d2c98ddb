/** The committed schema.graphql artifact and the schema's documentation rules. */
import { readFile } from 'node:fs/promises';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLNamedType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printSortedSchema, SCHEMA_FILE } from '../scripts/print-schema.ts';
import { schema } from '../server/schema/index.ts';

describe('schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` after changing it)', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    expect(committed).toBe(printSortedSchema());
  });

  it('describes every type, field, argument, input field and enum value', () => {
    const missing: string[] = [];
    const types = Object.values(schema.getTypeMap()).filter((t: GraphQLNamedType) => !t.name.startsWith('__') && !isSpecifiedScalarType(t));
    for (const type of types) {
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      } else if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('takes every mutation’s arguments as one non-null `input` argument of an ...Input type', () => {
    const mutation = schema.getMutationType()!;
    for (const field of Object.values(mutation.getFields())) {
      if (field.args.length === 0) continue;
      expect(field.args.map((a) => a.name)).toEqual(['input']);
      const type = String(field.args[0].type);
      expect(type).toMatch(/^[A-Z][A-Za-z]*Input!$/);
    }
  });
});
