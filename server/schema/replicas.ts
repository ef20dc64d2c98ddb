/** The gateway processes sharing this database, from their heartbeats (admin). */
import type { ReplicaInfo } from '../replicas/registry.ts';
import { builder } from './builder.ts';

const Replica = builder.objectRef<ReplicaInfo>('Replica').implement({
  description: 'A gateway process sharing this database, as its last heartbeat described it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The process id: its host name and a random tag.' }),
    version: t.exposeString('version', { description: 'The gateway version it runs.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started.' }),
    lastHeartbeat: t.expose('lastHeartbeat', { type: 'DateTime', description: 'Its last heartbeat (one every 2 seconds while it runs).' }),
    live: t.exposeBoolean('live', { description: 'Whether its last heartbeat is recent enough (6 seconds) to count it as running.' }),
    inFlight: t.exposeInt('inFlight', { description: 'HTTP requests it was serving at its last heartbeat.' }),
    redisState: t.exposeString('redisState', {
      description: '"up" (limits shared through Redis), "down" (each limit split between the live replicas) or "none" (no REDIS_URL).',
    }),
    redisReason: t.exposeString('redisReason', { nullable: true, description: 'Why Redis is down, when it is.' }),
    current: t.boolean({ description: 'Whether this is the replica that answered the query.', resolve: (r, _args, ctx) => r.id === ctx.replicas.id }),
  }),
});

builder.queryField('replicas', (t) =>
  t.field({
    type: [Replica],
    authScopes: { admin: true },
    description: 'The gateway processes seen in the last day, live ones first (admin).',
    resolve: (_root, _args, ctx) => ctx.replicas.list(),
  }),
);
