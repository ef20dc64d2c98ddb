/** The audit log: the AuditEntry type, the admin query that pages through it, and the console's sign-in record. */
import { listAudit, recordAudit } from '../audit/audit.ts';
import type { AuditEntry as AuditRow } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { builder } from './builder.ts';

const AuditSurface = builder.enumType('AuditSurface', {
  description: 'Where an admin action came from.',
  values: {
    CLI: { value: 'cli', description: 'The keys CLI on the gateway’s machine.' },
    GRAPHQL: { value: 'graphql', description: 'The GraphQL API (GraphiQL, scripts).' },
    CONSOLE: { value: 'console', description: 'The admin console.' },
  } as const,
});

const jsonObject = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : null);

const AuditEntry = builder.prismaObject('AuditEntry', {
  description: 'One admin action: who, when, from where, and what changed. Never contains a secret.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The entry id (also the paging cursor).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it happened.' }),
    actorKeyId: t.exposeString('actorKeyId', { nullable: true, description: 'The acting key’s id; null for the keys CLI.' }),
    actorName: t.exposeString('actorName', { description: 'The acting key’s name at the time, or "cli (user@host)".' }),
    surface: t.field({ type: AuditSurface, description: 'Where the action came from.', resolve: (e) => e.surface as 'cli' | 'graphql' | 'console' }),
    ip: t.exposeString('ip', { nullable: true, description: 'The client’s address, when known.' }),
    action: t.exposeString('action', {
      description:
        'What was done: key.create, key.update, key.rotate, key.revoke, team.create, team.update, team.delete, model.update, models.sync or console.sign_in.',
    }),
    targetType: t.exposeString('targetType', { description: '"apiKey", "team", "model", "catalogue", "server", "console" or "tierPolicy".' }),
    targetId: t.exposeString('targetId', { nullable: true, description: 'The key or model acted on, when there is one.' }),
    before: t.string({ nullable: true, description: 'The changed fields before, as a JSON object.', resolve: (e: AuditRow) => jsonObject(e.before) }),
    after: t.string({ nullable: true, description: 'The changed fields after, as a JSON object.', resolve: (e: AuditRow) => jsonObject(e.after) }),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  description: 'Narrows the audit log; every field is optional and they combine with AND.',
  fields: (t) => ({
    action: t.string({ description: 'An action ("key.revoke") or a family of them ("key").' }),
    actorKeyId: t.id({ description: 'Only actions by this key.' }),
    targetId: t.id({ description: 'Only actions on this key or model.' }),
    surface: t.field({ type: AuditSurface, description: 'Only actions from this surface.' }),
    since: t.field({ type: 'DateTime', description: 'Only entries at or after this time.' }),
    until: t.field({ type: 'DateTime', description: 'Only entries before this time.' }),
  }),
});

interface AuditPageShape {
  nodes: AuditRow[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const AuditPage = builder.objectRef<AuditPageShape>('AuditPage').implement({
  description: 'One page of audit entries, newest first.',
  fields: (t) => ({
    nodes: t.field({ type: [AuditEntry], description: 'The entries on this page.', resolve: (p) => p.nodes }),
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether older entries follow.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` for the next page; null on an empty page.' }),
  }),
});

builder.queryFields((t) => ({
  auditLog: t.field({
    type: AuditPage,
    authScopes: { admin: true },
    description: 'The audit log of admin actions, newest first, a page at a time (admin).',
    args: {
      filter: t.arg({ type: AuditFilter, description: 'Which entries; all when omitted.' }),
      first: t.arg.int({ defaultValue: 50, description: 'Page size, 1 to 200.' }),
      after: t.arg.id({ description: 'The endCursor of the previous page.' }),
    },
    resolve: (_root, args) => {
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 200) throw errors.invalidRequest('first must be between 1 and 200');
      const f = args.filter ?? {};
      return listAudit({
        filter: {
          action: f.action,
          actorKeyId: f.actorKeyId ? String(f.actorKeyId) : null,
          targetId: f.targetId ? String(f.targetId) : null,
          surface: f.surface,
          since: f.since,
          until: f.until,
        },
        first,
        after: args.after ? String(args.after) : null,
      }).catch((err) => {
        // Prisma's cursor on an id that does not exist.
        if ((err as { code?: string }).code === 'P2025') throw errors.invalidRequest('after is not a cursor of this audit log');
        throw err;
      });
    },
  }),
}));

builder.mutationFields((t) => ({
  recordConsoleSignIn: t.boolean({
    authScopes: { keyManager: true },
    description: 'Records that this key signed in to the console (the console calls it once per sign-in; admin, or a team admin of a team).',
    resolve: async (_root, _args, ctx) => {
      await recordAudit(
        { actor: { ...ctx.actor, surface: 'console' }, action: 'console.sign_in', targetType: 'console', targetId: ctx.principal.keyId },
        ctx.log,
      );
      return true;
    },
  }),
}));
