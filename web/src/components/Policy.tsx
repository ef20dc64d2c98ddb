import { formatNumber } from '../format.ts';
import type { ApiSurface, ParameterPolicyInput, PolicyCapMode } from '../gql/graphql.ts';
import { optionalNumber } from './fields.ts';

/** A parameter policy as the console reads it (ParameterPolicy). */
export interface PolicyShape {
  maxTokens?: number | null;
  maxNumCtx?: number | null;
  maxKeepAlive?: number | null;
  maxTokensMode?: PolicyCapMode | null;
  maxNumCtxMode?: PolicyCapMode | null;
  maxKeepAliveMode?: PolicyCapMode | null;
  forcedOptions?: unknown;
  allowedSurfaces?: readonly ApiSurface[] | null;
  allowedCidrs?: readonly string[] | null;
}

const SURFACES: Array<[ApiSurface, string]> = [
  ['API', 'REST /api'],
  ['OPENAI', 'OpenAI /v1'],
  ['RESPONSES', 'Responses /v1/responses'],
  ['ANTHROPIC', 'Anthropic /v1/messages'],
  ['OLLAMA', 'Ollama /ollama'],
  ['GRAPHQL', 'GraphQL'],
  ['EMBEDDINGS', 'Embeddings'],
];

export interface PolicyFormValues {
  maxTokens: string;
  maxNumCtx: string;
  maxKeepAlive: string;
  /** Restrict surfaces at all (unticked: every surface). */
  limitSurfaces: boolean;
  surfaces: ApiSurface[];
  cidrs: string;
  forced: string;
  /** Cap modes set elsewhere (CLI, GraphQL): kept as they are while their cap stays. */
  modes: Pick<PolicyShape, 'maxTokensMode' | 'maxNumCtxMode' | 'maxKeepAliveMode'>;
}

const text = (n: number | null | undefined) => (n == null ? '' : String(n));

export function policyFormValues(p: PolicyShape | null | undefined): PolicyFormValues {
  return {
    maxTokens: text(p?.maxTokens),
    maxNumCtx: text(p?.maxNumCtx),
    maxKeepAlive: text(p?.maxKeepAlive),
    limitSurfaces: !!p?.allowedSurfaces,
    surfaces: [...(p?.allowedSurfaces ?? [])],
    cidrs: (p?.allowedCidrs ?? []).join(', '),
    forced: p?.forcedOptions ? JSON.stringify(p.forcedOptions) : '',
    modes: { maxTokensMode: p?.maxTokensMode ?? null, maxNumCtxMode: p?.maxNumCtxMode ?? null, maxKeepAliveMode: p?.maxKeepAliveMode ?? null },
  };
}

/** The form as a ParameterPolicyInput (null: no policy at all), or a message naming what is wrong. */
export function parsePolicyForm(v: PolicyFormValues): ParameterPolicyInput | null | string {
  const out: ParameterPolicyInput = {};
  for (const [field, label, min] of [
    ['maxTokens', 'Max tokens', 1],
    ['maxNumCtx', 'Max context (num_ctx)', 1],
    ['maxKeepAlive', 'Max keep-alive', 0],
  ] as const) {
    const n = optionalNumber(v[field], { int: true });
    if (n === 'invalid' || (n !== null && n < min)) return `${label} must be a whole number of at least ${min}, or empty for no cap.`;
    if (n !== null) {
      out[field] = n;
      const mode = v.modes[`${field}Mode`];
      if (mode) out[`${field}Mode`] = mode;
    }
  }
  if (v.limitSurfaces) out.allowedSurfaces = v.surfaces;
  const cidrs = v.cidrs
    .split(/[\s,]+/)
    .map((c) => c.trim())
    .filter(Boolean);
  if (cidrs.length) out.allowedCidrs = cidrs;
  if (v.forced.trim()) {
    let forced: unknown;
    try {
      forced = JSON.parse(v.forced);
    } catch {
      return 'Forced options must be a JSON object, e.g. {"num_ctx": 4096}.';
    }
    if (!forced || typeof forced !== 'object' || Array.isArray(forced)) return 'Forced options must be a JSON object, e.g. {"num_ctx": 4096}.';
    out.forcedOptions = forced;
  }
  return Object.keys(out).length ? out : null;
}

/** The policy fields of the key and team forms. */
export function PolicyFields({ v, set }: { v: PolicyFormValues; set: (p: Partial<PolicyFormValues>) => void }) {
  return (
    <fieldset className="plain">
      <legend className="field-label">Parameter policy (empty: none; tier, team and key policies all hold)</legend>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Max tokens</span>
          <input type="number" inputMode="numeric" min="1" value={v.maxTokens} onChange={(e) => set({ maxTokens: e.target.value })} placeholder="no cap" />
          <span className="field-hint">max_tokens over it is lowered to it.</span>
        </label>
        <label className="field">
          <span className="field-label">Max context (num_ctx)</span>
          <input type="number" inputMode="numeric" min="1" value={v.maxNumCtx} onChange={(e) => set({ maxNumCtx: e.target.value })} placeholder="no cap" />
          <span className="field-hint">A larger num_ctx is refused (400).</span>
        </label>
        <label className="field">
          <span className="field-label">Max keep-alive (seconds)</span>
          <input
            type="number"
            inputMode="numeric"
            min="0"
            value={v.maxKeepAlive}
            onChange={(e) => set({ maxKeepAlive: e.target.value })}
            placeholder="no cap"
          />
          <span className="field-hint">Longer (or -1, forever) is lowered to it.</span>
        </label>
        <label className="field">
          <span className="field-label">Allowed addresses (CIDRs)</span>
          <input type="text" value={v.cidrs} onChange={(e) => set({ cidrs: e.target.value })} placeholder="any, e.g. 10.0.0.0/8, 192.168.1.7" />
        </label>
        <label className="field">
          <span className="field-label">Forced options (JSON)</span>
          <input type="text" className="mono" value={v.forced} onChange={(e) => set({ forced: e.target.value })} placeholder='e.g. {"num_ctx": 4096}' />
        </label>
      </div>
      <label className="checkbox-inline">
        <input type="checkbox" checked={v.limitSurfaces} onChange={(e) => set({ limitSurfaces: e.target.checked })} /> Only on some surfaces
      </label>
      {v.limitSurfaces ? (
        <fieldset className="plain checkbox-list" aria-label="Allowed surfaces">
          {SURFACES.map(([s, label]) => (
            <label key={s}>
              <input
                type="checkbox"
                checked={v.surfaces.includes(s)}
                onChange={(e) => set({ surfaces: e.target.checked ? [...v.surfaces, s] : v.surfaces.filter((x) => x !== s) })}
              />
              <span>{label}</span>
            </label>
          ))}
        </fieldset>
      ) : null}
    </fieldset>
  );
}

/** A policy as a few lines of facts. */
function policyLines(p: PolicyShape | null | undefined): string[] {
  if (!p) return [];
  const lines: string[] = [];
  if (p.maxTokens != null) lines.push(`max tokens ${formatNumber(p.maxTokens)}`);
  if (p.maxNumCtx != null) lines.push(`num_ctx at most ${formatNumber(p.maxNumCtx)}`);
  if (p.maxKeepAlive != null) lines.push(`keep_alive at most ${formatNumber(p.maxKeepAlive)} s`);
  if (p.allowedSurfaces) lines.push(`only ${p.allowedSurfaces.length ? p.allowedSurfaces.map((s) => s.toLowerCase()).join(', ') : 'no surface'}`);
  if (p.allowedCidrs?.length) lines.push(`from ${p.allowedCidrs.join(', ')}`);
  if (p.forcedOptions && Object.keys(p.forcedOptions as object).length) lines.push(`forces ${JSON.stringify(p.forcedOptions)}`);
  return lines;
}

export function PolicySummary({ policy, none = 'none' }: { policy: PolicyShape | null | undefined; none?: string }) {
  const lines = policyLines(policy);
  if (!lines.length) return <span className="muted">{none}</span>;
  return (
    <>
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
    </>
  );
}
