/**
 * Parameter policies in GraphQL: the ParameterPolicy type and its input, ApiKey.policy (the key's own)
 * and ApiKey.effectivePolicy (tier, team and key merged). Rules and validation live in server/policy;
 * this file only maps names (GraphQL enums are upper case, the stored policy's values lower case).
 * `policyInputToJson` and `ParameterPolicyRef` are exported for other domains (a team's policy).
 */
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { effectivePolicyOf } from '../policy/admin.ts';
import { type CapMode, type ParameterPolicy, POLICY_SURFACES, type PolicySurface, policyView, readStored, toPolicyJson } from '../policy/policy.ts';
import type { Tier } from '../db/generated/client.ts';
import { errors, isGatewayError } from '../errors.ts';
import { builder } from './builder.ts';
import type { GraphQLContext } from './context.ts';

/** Any JSON value, as literal or variable. */
function literal(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (node.kind) {
    case Kind.NULL:
      return null;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.LIST:
      return node.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value (here: an object of Ollama options, e.g. {"num_ctx": 4096, "temperature": 0}).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => {
    const v = literal(node, variables);
    if (v === undefined) throw new GraphQLError('JSON value expected', { extensions: { code: 'BAD_USER_INPUT' } });
    return v;
  },
});

const SURFACE_DOCS: Record<PolicySurface, string> = {
  api: 'The documented REST API (/api/models, /api/chat, /api/generate).',
  openai: 'The OpenAI-compatible API (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models).',
  responses: 'The OpenAI Responses API (/v1/responses).',
  anthropic: 'The Anthropic-compatible API (/v1/messages).',
  ollama: 'The Ollama-native API under /ollama.',
  graphql: 'GraphQL (/graphql over HTTP, SSE and graphql-ws).',
  embeddings: 'Embeddings on any surface (/v1/embeddings, /ollama/api/embed, /ollama/api/embeddings); needed in addition to the surface.',
};

const upper = <S extends string>(s: S) => s.toUpperCase() as Uppercase<S>;

const ApiSurface = builder.enumType('ApiSurface', {
  description: 'Where a key may be used, for a parameter policy’s allow-list.',
  values: Object.fromEntries(POLICY_SURFACES.map((s) => [upper(s), { description: SURFACE_DOCS[s] }])) as Record<
    Uppercase<PolicySurface>,
    { description: string }
  >,
});

const PolicyCapMode = builder.enumType('PolicyCapMode', {
  description: 'What a request over a cap gets.',
  values: {
    CLAMP: { description: 'The value is lowered to the cap and the request runs.' },
    REJECT: { description: 'The request is refused with a 400 (code policy_violation) naming the cap.' },
  } as const,
});

const toMode = (m: CapMode | undefined) => (m ? upper(m) : null);

export const ParameterPolicyRef = builder.objectRef<ParameterPolicy>('ParameterPolicy').implement({
  description:
    'What a key may ask of a model and from where. Caps: max_tokens clamps by default, num_ctx refuses (400 policy_violation), keep_alive clamps. Merged across tier, team and key: the smallest cap wins, allow-lists intersect, forced options key over team over tier.',
  fields: (t) => ({
    maxTokens: t.int({
      nullable: true,
      description: 'Most tokens a request may generate (max_tokens, num_predict); null: no cap.',
      resolve: (p) => p.maxTokens ?? null,
    }),
    maxTokensMode: t.field({
      type: PolicyCapMode,
      nullable: true,
      description: 'Over maxTokens: CLAMP (the default) or REJECT.',
      resolve: (p) => toMode(p.maxTokensMode),
    }),
    maxNumCtx: t.int({
      nullable: true,
      description: 'Largest context window (Ollama num_ctx) a request may ask for; null: no cap.',
      resolve: (p) => p.maxNumCtx ?? null,
    }),
    maxNumCtxMode: t.field({
      type: PolicyCapMode,
      nullable: true,
      description: 'Over maxNumCtx: REJECT (the default) or CLAMP.',
      resolve: (p) => toMode(p.maxNumCtxMode),
    }),
    maxKeepAlive: t.int({
      nullable: true,
      description: 'Longest keep_alive, in seconds, a request may ask for (-1, forever, is over any cap); null: no cap.',
      resolve: (p) => p.maxKeepAlive ?? null,
    }),
    maxKeepAliveMode: t.field({
      type: PolicyCapMode,
      nullable: true,
      description: 'Over maxKeepAlive: CLAMP (the default) or REJECT.',
      resolve: (p) => toMode(p.maxKeepAliveMode),
    }),
    forcedOptions: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Ollama options (and keep_alive) every request gets, over what the client sent, e.g. {"num_ctx": 4096, "temperature": 0}.',
      resolve: (p) => p.forcedOptions ?? null,
    }),
    allowedSurfaces: t.field({
      type: [ApiSurface],
      nullable: true,
      description: 'Where the key may be used; null: everywhere. Embeddings need EMBEDDINGS in the list as well as the surface.',
      resolve: (p) => p.allowedSurfaces?.map(upper) ?? null,
    }),
    allowedCidrs: t.stringList({
      nullable: true,
      description: 'Client addresses (IPv4/IPv6 CIDRs) the key may be used from; null: any.',
      resolve: (p) => p.allowedCidrs ?? null,
    }),
  }),
});

export const ParameterPolicyInput = builder.inputType('ParameterPolicyInput', {
  description: 'A parameter policy; omitted or null fields set no rule. See ParameterPolicy for what each field does.',
  fields: (t) => ({
    maxTokens: t.int({ description: 'Most tokens a request may generate (1 or more).' }),
    maxTokensMode: t.field({ type: PolicyCapMode, description: 'Over maxTokens: CLAMP (default) or REJECT.' }),
    maxNumCtx: t.int({ description: 'Largest num_ctx a request may ask for (1 or more).' }),
    maxNumCtxMode: t.field({ type: PolicyCapMode, description: 'Over maxNumCtx: REJECT (default) or CLAMP.' }),
    maxKeepAlive: t.int({ description: 'Longest keep_alive in seconds (0 or more; forever cannot be a cap).' }),
    maxKeepAliveMode: t.field({ type: PolicyCapMode, description: 'Over maxKeepAlive: CLAMP (default) or REJECT.' }),
    forcedOptions: t.field({ type: 'JSON', description: 'An object of Ollama options (and keep_alive) to force.' }),
    allowedSurfaces: t.field({ type: [ApiSurface], description: 'Where the key may be used; omitted or null: everywhere.' }),
    allowedCidrs: t.stringList({ description: 'IPv4/IPv6 addresses or CIDRs the key may be used from; omitted or null: any.' }),
  }),
});

type PolicyInputShape = typeof ParameterPolicyInput.$inferInput;

/** A ParameterPolicyInput as stored: validated (400 invalid_policy), enum values lower-cased; null when it sets nothing. */
export function policyInputToJson(input: PolicyInputShape | null | undefined): ParameterPolicy | null {
  if (!input) return null;
  const lower = (m: string | null | undefined) => (m == null ? m : m.toLowerCase());
  return toPolicyJson({
    ...input,
    maxTokensMode: lower(input.maxTokensMode),
    maxNumCtxMode: lower(input.maxNumCtxMode),
    maxKeepAliveMode: lower(input.maxKeepAliveMode),
    allowedSurfaces: input.allowedSurfaces?.map((s) => s.toLowerCase()),
  });
}

/**
 * Refuses (400 invalid_policy) a policy change that would refuse the calling key itself on GraphQL
 * from where it calls: an admin setting its own tier's policy, or its own key's.
 */
export function guardCaller(ctx: GraphQLContext, assuming: { tier: Tier; policy: ParameterPolicy | null } | { key: ParameterPolicy | null }): void {
  try {
    ctx.inference.policies.checkAccess(ctx.principal, { surface: 'graphql', req: ctx.req, assuming });
  } catch (err) {
    if (isGatewayError(err)) throw errors.policyLocksOut(err.message);
    throw err;
  }
}

builder.prismaObjectFields('ApiKey', (t) => ({
  policy: t.field({
    type: ParameterPolicyRef,
    nullable: true,
    description: 'The key’s own parameter policy; null for none (its tier’s and team’s still apply: see effectivePolicy).',
    resolve: (k) => readStored(k.policy),
  }),
  effectivePolicy: t.field({
    type: ParameterPolicyRef,
    description: 'The parameter policy in force for the key: its tier’s, its team’s and its own merged.',
    resolve: async (k, _args, ctx) => policyView(await effectivePolicyOf(k, ctx.inference.policies.tier(k.tier))),
  }),
}));
