/**
 * The parameter policy: what a key may ask of a model and from where, per tier (TierPolicy), team
 * (Team.policy) and key (ApiKey.policy). One shape, validated here once, merged here once, and applied
 * here to every request the engine runs (inference/service.ts) and at every surface's entry (surface
 * and address checks), so /api, /v1, /v1/messages, /v1/responses, /ollama and GraphQL behave alike.
 *
 * Merge (tier, team, key): caps take the smallest value (with that level's mode; `reject` on a tie),
 * allowed surfaces and CIDRs intersect (a level without a list allows everything), forced options are
 * combined with the key's over the team's over the tier's.
 *
 * @example
 *   const p = mergePolicies([parsePolicy(tierJson), parsePolicy(team.policy), parsePolicy(key.policy)]);
 *   checkAccess(p, { surface: 'openai', ip: '10.1.2.3' });   // throws 403 surface_not_allowed / ip_not_allowed
 *   const capped = applyToRequest(p, request);                 // clamps, or throws 400 policy_violation
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { errors } from '../errors.ts';
import type { EmbedRequest, InferenceRequest, SamplingOptions } from '../inference/types.ts';

/** Where a key may be used: each REST dialect, GraphQL, and the embeddings capability on any of them. */
export const POLICY_SURFACES = ['api', 'openai', 'responses', 'anthropic', 'ollama', 'graphql', 'embeddings'] as const;
export type PolicySurface = (typeof POLICY_SURFACES)[number];

/** What happens to a request over a cap: lowered to the cap, or refused with a 400 `policy_violation`. */
export type CapMode = 'clamp' | 'reject';

/** The default mode of each cap when a policy does not say. */
const DEFAULT_MODES = { maxTokens: 'clamp', maxNumCtx: 'reject', maxKeepAlive: 'clamp' } as const satisfies Record<string, CapMode>;

type OptionKind = 'int' | 'number' | 'bool' | 'strings' | 'duration';

/** Ollama's model options (api/types.go Options and Runner), by kind; `keep_alive` is the request's own field. */
const OLLAMA_OPTIONS: Record<string, OptionKind> = {
  num_keep: 'int',
  seed: 'int',
  num_predict: 'int',
  top_k: 'int',
  top_p: 'number',
  min_p: 'number',
  tfs_z: 'number',
  typical_p: 'number',
  repeat_last_n: 'int',
  temperature: 'number',
  repeat_penalty: 'number',
  presence_penalty: 'number',
  frequency_penalty: 'number',
  mirostat: 'int',
  mirostat_tau: 'number',
  mirostat_eta: 'number',
  penalize_newline: 'bool',
  stop: 'strings',
  numa: 'bool',
  num_ctx: 'int',
  num_batch: 'int',
  num_gpu: 'int',
  main_gpu: 'int',
  low_vram: 'bool',
  f16_kv: 'bool',
  vocab_only: 'bool',
  use_mmap: 'bool',
  use_mlock: 'bool',
  num_thread: 'int',
  keep_alive: 'duration',
};

const capMode = z.enum(['clamp', 'reject']);
const MAX_CAP = 100_000_000;

const policySchema = z
  .object({
    maxTokens: z.number().int().min(1).max(MAX_CAP).nullish(),
    maxTokensMode: capMode.nullish(),
    maxNumCtx: z.number().int().min(1).max(MAX_CAP).nullish(),
    maxNumCtxMode: capMode.nullish(),
    /** Seconds; 0 allows only unloading at once. Forever (-1) cannot be a cap. */
    maxKeepAlive: z.number().int().min(0).max(MAX_CAP).nullish(),
    maxKeepAliveMode: capMode.nullish(),
    forcedOptions: z.record(z.string(), z.unknown()).nullish(),
    allowedSurfaces: z.array(z.enum(POLICY_SURFACES)).max(POLICY_SURFACES.length).nullish(),
    allowedCidrs: z.array(z.string().trim().min(1).max(64)).max(256).nullish(),
  })
  .strict();

/** A validated policy: every field optional (absent means no rule of this level). */
export interface ParameterPolicy {
  maxTokens?: number;
  maxTokensMode?: CapMode;
  maxNumCtx?: number;
  maxNumCtxMode?: CapMode;
  /** Seconds. */
  maxKeepAlive?: number;
  maxKeepAliveMode?: CapMode;
  /** Ollama option names (plus `keep_alive`) and the values every request gets. */
  forcedOptions?: Record<string, unknown>;
  allowedSurfaces?: PolicySurface[];
  /** Normalised CIDRs ("10.0.0.0/8", "::1/128"). */
  allowedCidrs?: string[];
}

/** The merged policy in force for a key, with what checking it needs precomputed. */
export interface EffectivePolicy extends ParameterPolicy {
  /** Whether the policy changes or refuses anything at all (most keys: no, and nothing is done). */
  empty: boolean;
  /** The allow-list as a BlockList (null: every address). */
  cidrs: BlockList | null;
}

/** Parses a CIDR or a bare address (a host: /32 or /128) into its normalised form; throws invalid_policy. */
function parseCidr(text: string): { family: 'ipv4' | 'ipv6'; address: string; prefix: number; text: string } {
  const [addr, bits, ...rest] = text.split('/');
  const version = isIP(addr);
  if (!version || rest.length) throw errors.invalidPolicy(`'${text}' is not an IPv4 or IPv6 address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)`);
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!/^\d{1,3}$/.test(bits ?? String(max)) || prefix > max) throw errors.invalidPolicy(`'${text}' has a prefix length outside 0..${max}`);
  // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps: clients are matched as IPv4.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped && prefix >= 96) return parseCidr(`${mapped[1]}/${prefix - 96}`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const address = networkAddress(addr, family, prefix);
  return { family, address, prefix, text: `${address}/${prefix}` };
}

/** An address with its host bits cleared, in its canonical text form. */
function networkAddress(addr: string, family: 'ipv4' | 'ipv6', prefix: number): string {
  const bytes = addressBytes(addr, family);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  if (family === 'ipv4') return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  // The canonical form (RFC 5952): the longest run of zero groups becomes '::'.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

function addressBytes(addr: string, family: 'ipv4' | 'ipv6'): number[] {
  if (family === 'ipv4') return addr.split('.').map(Number);
  let s = addr.split('%')[0];
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** A BlockList of CIDRs or addresses; throws a 400 invalid_policy naming the first bad one. */
export function cidrList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs.map(parseCidr)) list.addSubnet(c.address, c.prefix, c.family);
  return list;
}

function listed(list: BlockList, ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address: the socket's, unless the socket is a trusted proxy (TRUSTED_PROXIES); then the
 * right-most X-Forwarded-For address that is not itself a trusted proxy (what the nearest untrusted hop
 * said; anything left of it could be forged). A malformed entry gives no address (refused by a CIDR list).
 */
export function clientAddress(
  req: { socket: { remoteAddress?: string }; headers: Record<string, string | string[] | undefined> },
  trusted: BlockList | null,
): string | undefined {
  const peer = req.socket.remoteAddress === undefined ? undefined : normaliseAddress(req.socket.remoteAddress);
  if (!trusted || peer === undefined || !listed(trusted, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress(hops[i]);
    if (!isIP(hop)) return undefined;
    if (!listed(trusted, hop)) return hop;
  }
  return hops.length ? normaliseAddress(hops[0]) : peer;
}

/** An IPv4 client on a dual-stack listener shows as ::ffff:a.b.c.d; it is matched as the IPv4 address it is. */
export function normaliseAddress(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

/**
 * A keep_alive value as Ollama reads it (api/types.go Duration): a number of seconds, or a Go duration
 * string ("5m", "1h30m", "300ms", "0"); any negative value means "keep loaded forever" (Infinity here).
 * A string of digits alone ("300", "-1") is read as seconds. Returns undefined for anything else.
 */
export function keepAliveSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? (value < 0 ? Infinity : Math.trunc(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) return keepAliveSeconds(Number(s));
  const m = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (!m) return undefined;
  const UNIT: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, unit] of m[2].matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(n) * UNIT[unit];
  if (m[1] === '-' && total > 0) return Infinity;
  return Math.trunc(total);
}

function checkForcedOption(name: string, value: unknown): void {
  const kind = OLLAMA_OPTIONS[name];
  if (!kind) throw errors.invalidPolicy(`forcedOptions.${name} is not an Ollama option (e.g. num_ctx, temperature, top_p, seed, stop, keep_alive)`);
  const ok =
    kind === 'int'
      ? Number.isInteger(value)
      : kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : kind === 'bool'
          ? typeof value === 'boolean'
          : kind === 'strings'
            ? Array.isArray(value) && value.length <= 16 && value.every((v) => typeof v === 'string')
            : keepAliveSeconds(value) !== undefined;
  const want = { int: 'a whole number', number: 'a number', bool: 'true or false', strings: 'a list of strings', duration: 'seconds or a duration like "5m"' }[
    kind
  ];
  if (!ok) throw errors.invalidPolicy(`forcedOptions.${name} must be ${want}`);
  // The engine refuses these out of range for every request: refuse the policy instead.
  const n = value as number;
  if (name === 'temperature' && !(n >= 0 && n <= 2)) throw errors.invalidPolicy('forcedOptions.temperature must be between 0 and 2');
  if (name === 'top_p' && !(n > 0 && n <= 1)) throw errors.invalidPolicy('forcedOptions.top_p must be greater than 0 and at most 1');
  if (name === 'top_k' && n < 1) throw errors.invalidPolicy('forcedOptions.top_k must be at least 1');
  if (name === 'num_ctx' && n < 1) throw errors.invalidPolicy('forcedOptions.num_ctx must be at least 1');
  if (name === 'num_predict' && !(n >= 1 || n === -1 || n === -2)) throw errors.invalidPolicy('forcedOptions.num_predict must be at least 1 (or -1, -2)');
}

/**
 * Validates a policy (stored JSON, CLI or GraphQL input) and returns it normalised; null for none.
 * Throws a 400 `invalid_policy` naming the first problem.
 */
export function parsePolicy(json: unknown): ParameterPolicy | null {
  if (json === null || json === undefined) return null;
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'the policy';
    throw errors.invalidPolicy(`${where}: ${issue.message}`);
  }
  const p = parsed.data;
  const out: ParameterPolicy = {};
  if (p.maxTokens != null) out.maxTokens = p.maxTokens;
  if (p.maxTokensMode != null) out.maxTokensMode = p.maxTokensMode;
  if (p.maxNumCtx != null) out.maxNumCtx = p.maxNumCtx;
  if (p.maxNumCtxMode != null) out.maxNumCtxMode = p.maxNumCtxMode;
  if (p.maxKeepAlive != null) out.maxKeepAlive = p.maxKeepAlive;
  if (p.maxKeepAliveMode != null) out.maxKeepAliveMode = p.maxKeepAliveMode;
  if (p.forcedOptions != null) {
    const entries = Object.entries(p.forcedOptions);
    if (entries.length > 32) throw errors.invalidPolicy('forcedOptions has more than 32 options');
    for (const [name, value] of entries) checkForcedOption(name, value);
    if (entries.length) out.forcedOptions = Object.fromEntries(entries);
  }
  if (p.allowedSurfaces != null) out.allowedSurfaces = [...new Set(p.allowedSurfaces)];
  if (p.allowedCidrs != null) out.allowedCidrs = [...new Set(p.allowedCidrs.map((c) => parseCidr(c).text))];
  return out;
}

/** A stored policy that no longer validates refuses everything rather than nothing (fail closed). */
const BROKEN: ParameterPolicy = Object.freeze({ allowedSurfaces: [] }) as ParameterPolicy;

/** A stored policy (JSON column) as enforced: parsed, or, when it no longer validates, one that allows nothing. */
export function readStored(json: unknown): ParameterPolicy | null {
  try {
    return parsePolicy(json);
  } catch {
    return BROKEN;
  }
}

/** The policy as stored (JSON column): the validated, normalised object, or null when it sets nothing. */
export function toPolicyJson(input: unknown): ParameterPolicy | null {
  const p = parsePolicy(input);
  return p && Object.keys(p).length ? p : null;
}

/** The CIDRs inside both lists (a CIDR is inside another when the other contains its whole range). */
function intersectCidrs(a: string[], b: string[]): string[] {
  const out = new Set<string>();
  const contains = (outer: ReturnType<typeof parseCidr>, inner: ReturnType<typeof parseCidr>) => {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
    const list = new BlockList();
    list.addSubnet(outer.address, outer.prefix, outer.family);
    return list.check(inner.address, inner.family);
  };
  for (const x of a.map(parseCidr)) {
    for (const y of b.map(parseCidr)) {
      if (contains(x, y)) out.add(y.text);
      else if (contains(y, x)) out.add(x.text);
    }
  }
  return [...out];
}

type Cap = 'maxTokens' | 'maxNumCtx' | 'maxKeepAlive';

/** Merges policies from the loosest level to the strictest (tier, team, key); nulls are skipped. */
export function mergePolicies(levels: Array<ParameterPolicy | null | undefined>): EffectivePolicy {
  const out: ParameterPolicy = {};
  for (const p of levels) {
    if (!p) continue;
    for (const cap of ['maxTokens', 'maxNumCtx', 'maxKeepAlive'] as Cap[]) {
      const value = p[cap];
      if (value === undefined) continue;
      const mode = p[`${cap}Mode`] ?? DEFAULT_MODES[cap];
      const current = out[cap];
      if (current === undefined || value < current) {
        out[cap] = value;
        out[`${cap}Mode`] = mode;
      } else if (value === current && mode === 'reject') out[`${cap}Mode`] = 'reject';
    }
    if (p.forcedOptions) out.forcedOptions = { ...out.forcedOptions, ...p.forcedOptions };
    if (p.allowedSurfaces)
      out.allowedSurfaces = out.allowedSurfaces ? out.allowedSurfaces.filter((s) => p.allowedSurfaces!.includes(s)) : [...p.allowedSurfaces];
    if (p.allowedCidrs) out.allowedCidrs = out.allowedCidrs ? intersectCidrs(out.allowedCidrs, p.allowedCidrs) : [...p.allowedCidrs];
  }
  for (const cap of ['maxTokens', 'maxNumCtx', 'maxKeepAlive'] as Cap[]) if (out[cap] !== undefined) out[`${cap}Mode`] ??= DEFAULT_MODES[cap];
  const cidrs = out.allowedCidrs ? cidrList(out.allowedCidrs) : null;
  return { ...out, empty: Object.keys(out).length === 0, cidrs };
}

/** The merged policy of nothing: changes and refuses nothing. */
export const NO_POLICY: EffectivePolicy = Object.freeze({ empty: true, cidrs: null }) as EffectivePolicy;

/** Throws 403 `surface_not_allowed` or `ip_not_allowed` unless the policy admits this surface and address. */
export function checkAccess(p: EffectivePolicy, { surface, ip }: { surface: PolicySurface; ip?: string | null }): void {
  if (p.empty) return;
  if (p.allowedSurfaces && !p.allowedSurfaces.includes(surface)) throw errors.surfaceNotAllowed(surfaceLabel(surface));
  if (p.cidrs) {
    const addr = ip ? normaliseAddress(ip) : '';
    if (!listed(p.cidrs, addr)) throw errors.ipNotAllowed(addr || 'unknown');
  }
}

/** Throws 403 `surface_not_allowed` unless the policy lets the key make embeddings. */
export function checkEmbeddings(p: EffectivePolicy): void {
  if (!p.empty && p.allowedSurfaces && !p.allowedSurfaces.includes('embeddings')) throw errors.surfaceNotAllowed(surfaceLabel('embeddings'));
}

const LABELS: Record<PolicySurface, string> = {
  api: 'the REST API (/api)',
  openai: 'the OpenAI-compatible API (/v1)',
  responses: 'the Responses API (/v1/responses)',
  anthropic: 'the Anthropic-compatible API (/v1/messages)',
  ollama: 'the Ollama-native API (/ollama)',
  graphql: 'GraphQL (/graphql)',
  embeddings: 'embeddings',
};

function surfaceLabel(s: PolicySurface): string {
  return LABELS[s];
}

/** Which sampling option of the gateway's an Ollama option name is, for the ones the engine checks itself. */
const MAPPED: Record<string, keyof SamplingOptions> = {
  temperature: 'temperature',
  top_p: 'topP',
  top_k: 'topK',
  num_predict: 'maxTokens',
  stop: 'stop',
  seed: 'seed',
};

function overCap({ setting, value, cap, mode, forced }: { setting: string; value: number; cap: number; mode: CapMode; forced: boolean }): void {
  // A forced value is the administrator's own: it is lowered, never refused.
  if (mode === 'reject' && !forced) throw errors.policyViolation(setting, value === Infinity ? '-1 (forever)' : value, cap);
}

/** keep_alive after the policy: the forced value, then the cap (a value over it, forever included, is clamped or refused). */
function policedKeepAlive(p: EffectivePolicy, sent: string | number | undefined): string | number | undefined {
  const forcedValue = p.forcedOptions?.keep_alive as string | number | undefined;
  const forced = forcedValue !== undefined;
  const value = forced ? forcedValue : sent;
  if (p.maxKeepAlive === undefined || value === undefined) return value;
  const seconds = keepAliveSeconds(value);
  if (seconds === undefined) throw errors.invalidValue(`keep_alive must be a number of seconds or a duration such as "5m"`);
  if (seconds <= p.maxKeepAlive) return value;
  overCap({ setting: 'keep_alive', value: seconds, cap: p.maxKeepAlive, mode: p.maxKeepAliveMode ?? DEFAULT_MODES.maxKeepAlive, forced });
  return p.maxKeepAlive;
}

/**
 * A request with the policy applied: forced options set (over the client's), then the caps on
 * max_tokens (num_predict), num_ctx and keep_alive clamped or refused (400 `policy_violation`). A
 * request with no max_tokens on a surface that sends the model's own default (unbounded) gets the cap.
 */
export function applyToRequest<R extends InferenceRequest>(p: EffectivePolicy, req: R): R {
  if (p.empty || (p.maxTokens === undefined && p.maxNumCtx === undefined && p.maxKeepAlive === undefined && !p.forcedOptions)) return req;
  const options: SamplingOptions = { ...req.options };
  const upstream: Record<string, unknown> = { ...req.upstreamOptions };
  const forced = new Set<string>();
  for (const [name, value] of Object.entries(p.forcedOptions ?? {})) {
    if (name === 'keep_alive') continue;
    forced.add(name);
    const mapped = MAPPED[name];
    if (mapped && !(name === 'num_predict' && (value as number) < 0)) {
      (options as Record<string, unknown>)[mapped] = value;
      delete upstream[name];
    } else {
      upstream[name] = value;
      if (name === 'num_predict') delete options.maxTokens;
    }
  }
  if (p.maxTokens !== undefined) {
    const cap = p.maxTokens;
    const value = options.maxTokens;
    if (value === undefined) {
      // Unbounded (no max_tokens, or Ollama's num_predict -1/-2): the model's own default would have no end.
      if (req.defaults === 'none' || upstream.num_predict !== undefined) {
        options.maxTokens = cap;
        delete upstream.num_predict;
      }
    } else if (Number.isInteger(value) && value > cap) {
      overCap({ setting: 'max_tokens', value, cap, mode: p.maxTokensMode ?? DEFAULT_MODES.maxTokens, forced: forced.has('num_predict') });
      options.maxTokens = cap;
    }
  }
  if (p.maxNumCtx !== undefined && upstream.num_ctx !== undefined) {
    const value = upstream.num_ctx;
    if (!Number.isInteger(value)) throw errors.invalidValue('options.num_ctx must be a whole number');
    if ((value as number) > p.maxNumCtx) {
      overCap({
        setting: 'num_ctx',
        value: value as number,
        cap: p.maxNumCtx,
        mode: p.maxNumCtxMode ?? DEFAULT_MODES.maxNumCtx,
        forced: forced.has('num_ctx'),
      });
      upstream.num_ctx = p.maxNumCtx;
    }
  }
  const keepAlive = policedKeepAlive(p, req.keepAlive);
  const out = { ...req, options };
  if (Object.keys(upstream).length) out.upstreamOptions = upstream;
  else delete out.upstreamOptions;
  if (keepAlive === undefined) delete out.keepAlive;
  else out.keepAlive = keepAlive;
  return out;
}

/** An embedding request with the policy applied: the embeddings capability is checked by checkEmbeddings; keep_alive here. */
export function applyToEmbed(p: EffectivePolicy, req: EmbedRequest): EmbedRequest {
  if (p.empty || (p.maxKeepAlive === undefined && p.forcedOptions?.keep_alive === undefined)) return req;
  const keepAlive = policedKeepAlive(p, req.keepAlive);
  return keepAlive === req.keepAlive ? req : { ...req, keepAlive };
}

/** A policy for display (GraphQL): the stored fields only, without the precomputed ones. */
export function policyView(p: ParameterPolicy | EffectivePolicy): ParameterPolicy {
  const { empty: _e, cidrs: _c, ...rest } = p as EffectivePolicy;
  return rest;
}
