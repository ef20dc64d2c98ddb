/** The model catalogue: the Model type, its queries, and the admin mutations that edit and sync it. */
import { modelCapabilities } from '../catalogue/capabilities.ts';
import { changes, modelSnapshot, recordAudit } from '../audit/audit.ts';
import type { SyncResult } from '../catalogue/catalogue.ts';
import type { Model as ModelRow } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { builder } from './builder.ts';

interface DetailsShape {
  family?: string;
  parameter_size?: string;
  quantization_level?: string;
  format?: string;
  size?: number;
  digest?: string;
}

const ModelDetails = builder.objectRef<DetailsShape>('ModelDetails').implement({
  description: 'What Ollama reports about a model in /api/tags.',
  fields: (t) => ({
    family: t.string({ nullable: true, description: 'The model family, e.g. "llama".', resolve: (d) => d.family ?? null }),
    parameterSize: t.string({ nullable: true, description: 'Number of parameters, e.g. "7B".', resolve: (d) => d.parameter_size ?? null }),
    quantizationLevel: t.string({ nullable: true, description: 'Quantization, e.g. "Q4_0".', resolve: (d) => d.quantization_level ?? null }),
    format: t.string({ nullable: true, description: 'File format, e.g. "gguf".', resolve: (d) => d.format ?? null }),
    sizeBytes: t.float({ nullable: true, description: 'Size on disk in bytes.', resolve: (d) => (typeof d.size === 'number' ? d.size : null) }),
    digest: t.string({ nullable: true, description: 'Content digest of the model files.', resolve: (d) => d.digest ?? null }),
  }),
});

const Model = builder.prismaObject('Model', {
  description: 'A model in the catalogue, with the default parameters used when a request sets none.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The Ollama name, e.g. "llama2:7b"; what requests pass as `model`.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    description: t.exposeString('description', { description: 'What the model is for.' }),
    isActive: t.exposeBoolean('isActive', { description: 'Whether keys may use it (an admin switch).' }),
    available: t.exposeBoolean('available', { description: 'Whether an upstream served it at the last sync.' }),
    provider: t.exposeString('provider', { description: '"ollama", or "builtin" for the built-in test models.' }),
    temperature: t.exposeFloat('temperature', { nullable: true, description: 'Default temperature; null for the gateway default.' }),
    topP: t.exposeFloat('topP', { nullable: true, description: 'Default top-p; null for the model’s own.' }),
    topK: t.exposeInt('topK', { nullable: true, description: 'Default top-k; null for the model’s own.' }),
    promptPricePerMTok: t.exposeFloat('promptPricePerMTok', {
      nullable: true,
      description: 'Price per million prompt tokens, in the gateway’s currency (PRICE_CURRENCY); null when not priced.',
    }),
    completionPricePerMTok: t.exposeFloat('completionPricePerMTok', {
      nullable: true,
      description: 'Price per million completion tokens, in the gateway’s currency (PRICE_CURRENCY); null when not priced.',
    }),
    upstream: t.exposeString('upstream', {
      nullable: true,
      authScopes: { admin: true },
      description: 'The Ollama server that last listed it; null for built-in models (admin).',
    }),
    details: t.field({
      type: ModelDetails,
      nullable: true,
      description: 'What Ollama reports about it; null for built-in models.',
      resolve: (m) => (m.details && typeof m.details === 'object' && !Array.isArray(m.details) ? (m.details as DetailsShape) : null),
    }),
    capabilities: t.stringList({
      nullable: true,
      description:
        'What it can do, as its Ollama server reports it ("completion" means it can chat; also "embedding", "tools", "thinking", "vision"); null when the server could not be asked.',
      resolve: (m, _args, ctx) => modelCapabilities({ upstreams: ctx.upstreams, model: m }),
    }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: true, description: 'When a sync last saw it upstream.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it entered the catalogue.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

builder.queryFields((t) => ({
  models: t.field({
    type: [Model],
    description: 'The models this key may use, by id. Admins may ask for inactive and unavailable ones too.',
    args: {
      includeInactive: t.arg.boolean({ defaultValue: false, description: 'Also list inactive and unavailable models (admin).' }),
    },
    resolve: (_root, { includeInactive }, ctx) => {
      if (includeInactive && !ctx.principal.isAdmin) throw errors.forbidden('includeInactive needs an admin key');
      return ctx.inference.models(ctx.principal, { includeInactive: !!includeInactive });
    },
  }),
  model: t.field({
    type: Model,
    nullable: true,
    description:
      'One model by id, resolved as every API does ("llama3" means "llama3:latest"); null when it does not exist or this key may not see it. Admins also see inactive models.',
    args: { id: t.arg.id({ required: true, description: 'The model id, e.g. "llama2:7b".' }) },
    resolve: (_root, { id }, ctx) => ctx.inference.findModel(ctx.principal, String(id), { includeInactive: true }) ?? null,
  }),
}));

const UpdateModelInput = builder.inputType('UpdateModelInput', {
  description: 'Changes to a model. Omitted fields stay as they are; null clears a default parameter.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The model to change.' }),
    name: t.string({ description: 'A new display name.' }),
    description: t.string({ description: 'A new description.' }),
    isActive: t.boolean({ description: 'Activate (true) or deactivate (false).' }),
    temperature: t.float({ description: 'Default temperature, 0 to 2; null for the gateway default.' }),
    topP: t.float({ description: 'Default top-p, above 0 and at most 1; null for none.' }),
    topK: t.int({ description: 'Default top-k, at least 1; null for none.' }),
    promptPricePerMTok: t.float({ description: 'Price per million prompt tokens (0 or more, in PRICE_CURRENCY); null removes the price.' }),
    completionPricePerMTok: t.float({ description: 'Price per million completion tokens (0 or more, in PRICE_CURRENCY); null removes the price.' }),
  }),
});

const UpstreamSync = builder.objectRef<SyncResult>('UpstreamSync').implement({
  description: 'What a sync found on one Ollama server.',
  fields: (t) => ({
    upstream: t.exposeString('upstream', { description: 'The Ollama server URL.' }),
    ok: t.exposeBoolean('ok', { description: 'Whether the server answered.' }),
    error: t.string({ nullable: true, description: 'Why it failed, when it did.', resolve: (r) => r.error ?? null }),
    seen: t.exposeInt('seen', { description: 'How many models it listed.' }),
    added: t.exposeStringList('added', { description: 'Models new to the catalogue.' }),
    missing: t.exposeStringList('missing', { description: 'Models it no longer lists (now unavailable).' }),
  }),
});

const SyncModelsPayload = builder.objectRef<{ results: SyncResult[]; models: ModelRow[] }>('SyncModelsPayload').implement({
  description: 'The outcome of a catalogue sync.',
  fields: (t) => ({
    upstreams: t.field({ type: [UpstreamSync], description: 'One result per Ollama server.', resolve: (p) => p.results }),
    models: t.field({ type: [Model], description: 'The whole catalogue after the sync, active or not.', resolve: (p) => p.models }),
  }),
});

const given = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

builder.mutationFields((t) => ({
  updateModel: t.field({
    type: Model,
    authScopes: { admin: true },
    description: 'Activates or deactivates a model, renames it, or changes its description, default parameters and prices (admin).',
    args: { input: t.arg({ type: UpdateModelInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, ctx) => {
      const before = ctx.catalogue.get(String(input.id));
      const model = await ctx.catalogue.update({
        id: String(input.id),
        name: given(input.name),
        description: given(input.description),
        isActive: given(input.isActive),
        temperature: input.temperature,
        topP: input.topP,
        topK: input.topK,
        promptPricePerMTok: input.promptPricePerMTok,
        completionPricePerMTok: input.completionPricePerMTok,
      });
      const diff = changes(before ? modelSnapshot(before) : {}, modelSnapshot(model));
      await recordAudit({ actor: ctx.actor, action: 'model.update', targetType: 'model', targetId: model.id, ...diff }, ctx.log);
      return model;
    },
  }),
  syncModels: t.field({
    type: SyncModelsPayload,
    authScopes: { admin: true },
    description: 'Lists every Ollama server’s models now and updates the catalogue (admin).',
    resolve: async (_root, _args, ctx) => {
      const results = await ctx.catalogue.sync();
      const after = {
        upstreams: results.map((r) => ({ upstream: r.upstream, ok: r.ok, error: r.error ?? null, seen: r.seen, added: r.added, missing: r.missing })),
      };
      await recordAudit({ actor: ctx.actor, action: 'models.sync', targetType: 'catalogue', after }, ctx.log);
      return { results, models: ctx.catalogue.list({ includeInactive: true }) };
    },
  }),
}));
