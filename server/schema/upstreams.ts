/** Upstream servers: their live state (health, models, load) and the admin mutations that manage them. */
import type { Catalogue } from '../catalogue/catalogue.ts';
import { errors } from '../errors.ts';
import type { LoadedModel, ServerEntry } from '../scheduler/scheduler.ts';
import { addServer, removeServer, updateServer } from '../scheduler/servers.ts';
import type { Upstreams } from '../providers/upstreams.ts';
import { builder } from './builder.ts';

const UpstreamState = builder.enumType('UpstreamState', {
  description: 'Whether a server takes new requests.',
  values: {
    ENABLED: { description: 'Takes new requests.' },
    DRAINING: { description: 'Finishes what it runs and takes nothing new.' },
    DISABLED: { description: 'Takes nothing new, and is neither probed nor synced.' },
  } as const,
});

const UpstreamHealth = builder.enumType('UpstreamHealth', {
  description: 'What the probes and recent requests say about a server (its circuit breaker).',
  values: {
    HEALTHY: { description: 'Answering: the circuit is closed.' },
    DOWN: { description: 'Failed several times in a row: the circuit is open and it gets no traffic.' },
    PROBING: { description: 'Half-open: a probe decides whether it gets traffic again.' },
    UNKNOWN: { description: 'Not probed yet (or disabled).' },
  } as const,
});

const LoadedModelRef = builder.objectRef<LoadedModel>('LoadedModel').implement({
  description: 'A model in a server’s memory (from /api/ps).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The model id.' }),
    sizeVram: t.float({ description: 'Bytes of GPU memory it takes (0 while it is still loading).', resolve: (m) => m.sizeVram }),
    expiresAt: t.string({ nullable: true, description: 'When the server unloads it if unused (ISO 8601).', resolve: (m) => m.expiresAt }),
  }),
});

const UpstreamError = builder.objectRef<{ message: string; at: number }>('UpstreamError').implement({
  description: 'The last failure of a probe or request on a server.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong.' }),
    at: t.field({ type: 'DateTime', description: 'When.', resolve: (e) => new Date(e.at) }),
  }),
});

const listedBy = (catalogue: Catalogue, id: string) =>
  catalogue
    .list({ includeInactive: true })
    .filter((m) => catalogue.serversOf(m.id).includes(id))
    .map((m) => m.id);

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const Upstream = builder.objectRef<ServerEntry>('Upstream').implement({
  description: 'An upstream model server, with what the gateway knows about it right now.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The server id.' }),
    name: t.exposeString('name', { description: 'A human name, shown in usage reports.' }),
    url: t.exposeString('url', { description: 'Its base URL.' }),
    kind: t.exposeString('kind', { description: 'The provider kind that speaks to it ("ollama").' }),
    state: t.field({ type: UpstreamState, description: 'Enabled, draining or disabled.', resolve: (s) => s.state }),
    parallel: t.int({ nullable: true, description: 'Its own slot count; null means OLLAMA_PARALLEL.', resolve: (s) => s.parallel }),
    slots: t.exposeInt('slots', { description: 'Requests the gateway sends it at once (parallel or OLLAMA_PARALLEL).' }),
    health: t.field({
      type: UpstreamHealth,
      description: 'Its circuit breaker.',
      resolve: (s) => (s.breaker.state === 'open' ? 'DOWN' : s.breaker.state === 'half-open' ? 'PROBING' : s.lastProbeAt === null ? 'UNKNOWN' : 'HEALTHY'),
    }),
    consecutiveFailures: t.int({ description: 'Failures since it last answered.', resolve: (s) => s.breaker.failures }),
    version: t.string({ nullable: true, description: 'What /api/version said; null before the first probe.', resolve: (s) => s.version }),
    listedModels: t.stringList({ description: 'Models it lists (/api/tags, at the last sync).', resolve: (s, _a, ctx) => listedBy(ctx.catalogue, s.id) }),
    loadedModels: t.field({
      type: [LoadedModelRef],
      description: 'Models in its memory (/api/ps, and what the gateway just sent it).',
      resolve: (s) => [...s.loaded.values()],
    }),
    inFlight: t.exposeInt('inFlight', { description: 'The gateway’s requests running on it now.' }),
    queueLength: t.int({
      description: 'Requests waiting in the gateway for a model it lists.',
      resolve: (s, _a, ctx) => listedBy(ctx.catalogue, s.id).reduce((n, id) => n + ctx.upstreams.scheduler.waitingFor(id), 0),
    }),
    recentLatencyMs: t.int({
      nullable: true,
      description: 'Median time to first byte of its recent requests (ms); null before any.',
      resolve: (s) => median(s.latencies),
    }),
    lastError: t.field({ type: UpstreamError, nullable: true, description: 'Its last failure; null if none.', resolve: (s) => s.breaker.lastError }),
    lastProbeAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was last probed.',
      resolve: (s) => (s.lastProbeAt === null ? null : new Date(s.lastProbeAt)),
    }),
  }),
});

const AddUpstreamInput = builder.inputType('AddUpstreamInput', {
  description: 'A new upstream server.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'A human name (unique).' }),
    url: t.string({ required: true, description: 'Its base URL, e.g. "http://gpu-2:11434" (unique).' }),
    parallel: t.int({ description: 'Its slot count (1 to 256); OLLAMA_PARALLEL when omitted.' }),
  }),
});

const UpdateUpstreamInput = builder.inputType('UpdateUpstreamInput', {
  description: 'Changes to a server; omitted fields stay as they are.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The server to change.' }),
    name: t.string({ description: 'A new name.' }),
    url: t.string({ description: 'A new URL (requests running on the old one finish there).' }),
    parallel: t.int({ description: 'A new slot count; null returns to OLLAMA_PARALLEL.' }),
    state: t.field({ type: UpstreamState, description: 'Enable, drain or disable it.' }),
  }),
});

const UpstreamIdInput = (name: string, what: string) =>
  builder.inputType(name, { description: `The server to ${what}.`, fields: (t) => ({ id: t.id({ required: true, description: `The server to ${what}.` }) }) });
const DrainUpstreamInput = UpstreamIdInput('DrainUpstreamInput', 'drain');
const DisableUpstreamInput = UpstreamIdInput('DisableUpstreamInput', 'disable');
const EnableUpstreamInput = UpstreamIdInput('EnableUpstreamInput', 'enable');
const RemoveUpstreamInput = UpstreamIdInput('RemoveUpstreamInput', 'remove');

/** After a change: rebuild this replica's servers now (the change feed tells the others), then the model listing. */
async function applied(upstreams: Upstreams, catalogue: Catalogue, id: string, { sync = false } = {}): Promise<ServerEntry> {
  await upstreams.reload();
  // A new or re-enabled server's models: listed in the background (an unreachable server would hold the answer).
  if (sync) void catalogue.sync().catch(() => {});
  const entry = upstreams.scheduler.servers().find((s) => s.id === id);
  if (!entry) throw errors.notFound('No such upstream server');
  return entry;
}

builder.queryFields((t) => ({
  upstreams: t.field({
    type: [Upstream],
    authScopes: { admin: true },
    description: 'Every upstream server with its health, models, load and last error (admin).',
    resolve: (_root, _args, ctx) => [...ctx.upstreams.scheduler.servers()],
  }),
}));

builder.mutationFields((t) => ({
  addUpstream: t.field({
    type: Upstream,
    authScopes: { admin: true },
    description: 'Adds a server; it is probed and its models synced at once (admin).',
    args: { input: t.arg({ type: AddUpstreamInput, required: true, description: 'The new server.' }) },
    resolve: async (_root, { input }, ctx) => {
      const row = await addServer({ name: input.name, url: input.url, parallel: input.parallel, actor: ctx.actor });
      const entry = await applied(ctx.upstreams, ctx.catalogue, row.id, { sync: true });
      void ctx.upstreams.scheduler.probeAll();
      return entry;
    },
  }),
  updateUpstream: t.field({
    type: Upstream,
    authScopes: { admin: true },
    description: 'Changes a server’s name, URL, slots or state (admin).',
    args: { input: t.arg({ type: UpdateUpstreamInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, ctx) => {
      const row = await updateServer({
        id: String(input.id),
        name: input.name ?? undefined,
        url: input.url ?? undefined,
        parallel: input.parallel,
        state: input.state ?? undefined,
        actor: ctx.actor,
      });
      return applied(ctx.upstreams, ctx.catalogue, row.id, { sync: input.url != null || input.state === 'ENABLED' });
    },
  }),
  drainUpstream: t.field({
    type: Upstream,
    authScopes: { admin: true },
    description: 'Lets a server finish what it runs and sends it nothing new (admin).',
    args: { input: t.arg({ type: DrainUpstreamInput, required: true, description: 'The server.' }) },
    resolve: async (_root, { input }, ctx) =>
      applied(ctx.upstreams, ctx.catalogue, (await updateServer({ id: String(input.id), state: 'DRAINING', actor: ctx.actor })).id),
  }),
  disableUpstream: t.field({
    type: Upstream,
    authScopes: { admin: true },
    description: 'Sends a server nothing new and stops probing and syncing it (admin).',
    args: { input: t.arg({ type: DisableUpstreamInput, required: true, description: 'The server.' }) },
    resolve: async (_root, { input }, ctx) =>
      applied(ctx.upstreams, ctx.catalogue, (await updateServer({ id: String(input.id), state: 'DISABLED', actor: ctx.actor })).id),
  }),
  enableUpstream: t.field({
    type: Upstream,
    authScopes: { admin: true },
    description: 'Sends a drained or disabled server traffic again (admin).',
    args: { input: t.arg({ type: EnableUpstreamInput, required: true, description: 'The server.' }) },
    resolve: async (_root, { input }, ctx) =>
      applied(ctx.upstreams, ctx.catalogue, (await updateServer({ id: String(input.id), state: 'ENABLED', actor: ctx.actor })).id, { sync: true }),
  }),
  removeUpstream: t.id({
    authScopes: { admin: true },
    description: 'Removes a server; requests running on it finish first. Returns its id (admin).',
    args: { input: t.arg({ type: RemoveUpstreamInput, required: true, description: 'The server.' }) },
    resolve: async (_root, { input }, ctx) => {
      const row = await removeServer({ id: String(input.id), actor: ctx.actor });
      await ctx.upstreams.reload();
      await ctx.catalogue.sync();
      return row.id;
    },
  }),
}));
