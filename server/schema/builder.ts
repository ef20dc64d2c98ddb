/**
 * The one Pothos schema builder and its plugins. Domain files (keys.ts, models.ts, usage.ts,
 * inference.ts) add their types and fields to it; index.ts imports them and builds the schema.
 */
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { managesKeys } from '../auth/key-rules.ts';
import { prisma } from '../db/client.ts';
import type PrismaTypes from '../db/generated/pothos-types.ts';
import { getDatamodel } from '../db/generated/pothos-types.ts';
import type { GraphQLContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { admin: boolean; keyManager: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // Authentication happens before the context exists (context.ts); scopes only authorise.
    // keyManager: an admin, or a team admin of a team (key-rules managesKeys); which keys is decided there too.
    authScopes: (context) => ({ admin: context.principal.isAdmin, keyManager: managesKeys(context.principal) }),
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, _context, _info, result) =>
      new GraphQLError(
        `${result.message}: this needs an admin key${JSON.stringify(result.failure).includes('keyManager') ? ', or a team admin key of a team' : ''}`,
        { extensions: { code: 'FORBIDDEN' } },
      ),
  },
  prisma: {
    // A function: `prisma` is a live binding assigned by openDatabase() after this module loads.
    client: () => prisma,
    dmmf: getDatamodel(),
    onUnusedQuery: null,
  },
});

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO 8601 string in UTC (e.g. "2026-01-31T12:00:00.000Z").',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: (value) => {
    const d = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 date-time string', { extensions: { code: 'BAD_USER_INPUT' } });
    return d;
  },
});

builder.queryType({ description: 'What a key may read. Every operation needs "Authorization: Bearer <key>".' });
builder.mutationType({ description: 'What a key may change. Key and model management needs an admin key; chat and generate any key.' });
builder.subscriptionType({ description: 'Streams over graphql-ws (connection_init payload {"authorization": "Bearer <key>"}) or server-sent events.' });
