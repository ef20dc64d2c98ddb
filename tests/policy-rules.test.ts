import { describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.ts';
import { isGatewayError } from '../server/errors.ts';
import type { ChatRequest } from '../server/inference/types.ts';
import {
  applyToEmbed,
  applyToRequest,
  checkAccess,
  checkEmbeddings,
  keepAliveSeconds,
  mergePolicies,
  normaliseAddress,
  parsePolicy,
  readStored,
} from '../server/policy/policy.ts';

const chat = (over: Partial<ChatRequest> = {}): ChatRequest => ({
  kind: 'chat',
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  options: {},
  ...over,
});

/** The code of the GatewayError `fn` throws. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isGatewayError(err) ? err.code : `not a GatewayError: ${String(err)}`;
  }
  return undefined;
}

const policy = (...levels: unknown[]) => mergePolicies(levels.map((l) => parsePolicy(l)));

describe('parsePolicy', () => {
  it('normalises CIDRs, host addresses and IPv4-mapped ranges', () => {
    expect(parsePolicy({ allowedCidrs: ['10.1.2.3/8', '::1', '2001:db8::ffff/32', '::ffff:1.2.3.4/120', '127.0.0.1'] })).toEqual({
      allowedCidrs: ['10.0.0.0/8', '::1/128', '2001:db8::/32', '1.2.3.0/24', '127.0.0.1/32'],
    });
  });

  it('refuses what is not the shape, naming the field', () => {
    expect(codeOf(() => parsePolicy({ allowedCidrs: ['10.0.0.0/33'] }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ allowedCidrs: ['example.com'] }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ maxTokens: 0 }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ maxKeepAlive: -1 }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ allowedSurfaces: ['smtp'] }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ maxTokenz: 5 }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ forcedOptions: { num_cxt: 4096 } }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ forcedOptions: { num_ctx: '4096' } }))).toBe('invalid_policy');
    expect(codeOf(() => parsePolicy({ forcedOptions: { temperature: 3 } }))).toBe('invalid_policy');
    expect(() => parsePolicy({ maxTokensMode: 'sometimes' })).toThrow(/maxTokensMode/);
    expect(() => parsePolicy({ forcedOptions: { num_cxt: 1 } })).toThrow(/forcedOptions\.num_cxt is not an Ollama option/);
  });
});

describe('readStored', () => {
  it('fails closed: a stored policy that no longer validates allows nothing', () => {
    expect(readStored(null)).toBeNull();
    expect(readStored({ maxTokens: 5 })).toEqual({ maxTokens: 5 });
    const broken = mergePolicies([readStored({ maxTokenz: 5 })]);
    expect(codeOf(() => checkAccess(broken, { surface: 'openai', ip: '127.0.0.1' }))).toBe('surface_not_allowed');
  });
});

describe('keepAliveSeconds', () => {
  it('reads keep_alive as Ollama does: seconds, Go durations, negative as forever', () => {
    const cases: Array<[unknown, number | undefined]> = [
      [300, 300],
      [0, 0],
      [-1, Infinity],
      ['5m', 300],
      ['1h30m', 5400],
      ['1.5h', 5400],
      ['500ms', 0],
      ['-1m', Infinity],
      ['0', 0],
      ['300', 300],
      ['-1', Infinity],
      ['soon', undefined],
      [true, undefined],
    ];
    for (const [value, seconds] of cases) expect([value, keepAliveSeconds(value)]).toEqual([value, seconds]);
  });
});

describe('mergePolicies', () => {
  it('takes the smallest cap with its mode, and reject on a tie', () => {
    const p = policy(
      { maxTokens: 100, maxNumCtx: 8192, maxNumCtxMode: 'clamp' },
      { maxTokens: 50, maxTokensMode: 'reject' },
      { maxTokens: 80, maxNumCtx: 8192 },
    );
    expect(p).toMatchObject({ maxTokens: 50, maxTokensMode: 'reject', maxNumCtx: 8192, maxNumCtxMode: 'reject' });
  });

  it('intersects surfaces and CIDRs, and forces the key’s options over the team’s over the tier’s', () => {
    const p = policy(
      { allowedSurfaces: ['api', 'openai', 'embeddings'], allowedCidrs: ['10.0.0.0/8', '192.168.1.0/24'], forcedOptions: { temperature: 0.1, seed: 1 } },
      {
        allowedSurfaces: ['openai', 'ollama', 'embeddings'],
        allowedCidrs: ['10.2.0.0/16', '192.168.0.0/16'],
        forcedOptions: { temperature: 0.2, num_ctx: 2048 },
      },
      { allowedSurfaces: ['openai'], forcedOptions: { temperature: 0.3 } },
    );
    expect(p.allowedSurfaces).toEqual(['openai']);
    expect(p.allowedCidrs).toEqual(['10.2.0.0/16', '192.168.1.0/24']);
    expect(p.forcedOptions).toEqual({ temperature: 0.3, seed: 1, num_ctx: 2048 });
  });

  it('gives the default modes: max_tokens clamps, num_ctx refuses, keep_alive clamps', () => {
    expect(policy({ maxTokens: 1, maxNumCtx: 1, maxKeepAlive: 1 })).toMatchObject({
      maxTokensMode: 'clamp',
      maxNumCtxMode: 'reject',
      maxKeepAliveMode: 'clamp',
    });
  });
});

describe('checkAccess', () => {
  it('admits listed surfaces and addresses only; IPv4 on a dual-stack socket is matched as IPv4', () => {
    const p = policy({ allowedSurfaces: ['openai', 'graphql'], allowedCidrs: ['127.0.0.0/8', '2001:db8::/32'] });
    expect(codeOf(() => checkAccess(p, { surface: 'openai', ip: '127.0.0.1' }))).toBeUndefined();
    expect(codeOf(() => checkAccess(p, { surface: 'openai', ip: '::ffff:127.0.0.1' }))).toBeUndefined();
    expect(codeOf(() => checkAccess(p, { surface: 'graphql', ip: '2001:db8::5' }))).toBeUndefined();
    expect(codeOf(() => checkAccess(p, { surface: 'openai', ip: '10.0.0.1' }))).toBe('ip_not_allowed');
    expect(codeOf(() => checkAccess(p, { surface: 'openai', ip: '::1' }))).toBe('ip_not_allowed');
    expect(codeOf(() => checkAccess(p, { surface: 'openai', ip: undefined }))).toBe('ip_not_allowed');
    expect(codeOf(() => checkAccess(p, { surface: 'api', ip: '127.0.0.1' }))).toBe('surface_not_allowed');
    expect(codeOf(() => checkEmbeddings(p))).toBe('surface_not_allowed');
    expect(codeOf(() => checkEmbeddings(policy({ allowedSurfaces: ['openai', 'embeddings'] })))).toBeUndefined();
    expect(codeOf(() => checkEmbeddings(policy({ maxTokens: 5 })))).toBeUndefined();
    expect(normaliseAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
  });

  it('with CIDR lists whose intersection is empty, admits no address', () => {
    const p = policy({ allowedCidrs: ['10.0.0.0/8'] }, { allowedCidrs: ['192.168.0.0/16'] });
    expect(p.allowedCidrs).toEqual([]);
    expect(codeOf(() => checkAccess(p, { surface: 'api', ip: '10.0.0.1' }))).toBe('ip_not_allowed');
    expect(codeOf(() => checkAccess(p, { surface: 'api', ip: '192.168.0.1' }))).toBe('ip_not_allowed');
  });
});

describe('applyToRequest', () => {
  it('clamps max_tokens by default, and gives an unbounded compatible-surface request the cap', () => {
    const p = policy({ maxTokens: 64 });
    expect(applyToRequest(p, chat({ options: { maxTokens: 500 } })).options.maxTokens).toBe(64);
    expect(applyToRequest(p, chat({ options: { maxTokens: 10 } })).options.maxTokens).toBe(10);
    expect(applyToRequest(p, chat({ defaults: 'none' })).options.maxTokens).toBe(64);
    // Ollama's num_predict -1 (no end) is over any cap.
    const native = applyToRequest(p, chat({ defaults: 'none', upstreamOptions: { num_predict: -1, num_ctx: 2048 } }));
    expect(native.options.maxTokens).toBe(64);
    expect(native.upstreamOptions).toEqual({ num_ctx: 2048 });
    expect(codeOf(() => applyToRequest(policy({ maxTokens: 64, maxTokensMode: 'reject' }), chat({ options: { maxTokens: 65 } })))).toBe('policy_violation');
  });

  it('refuses num_ctx over the cap by default and names it; clamps it when the mode says so', () => {
    expect(() => applyToRequest(policy({ maxNumCtx: 8192 }), chat({ upstreamOptions: { num_ctx: 131072 } }))).toThrow(/num_ctx 131072 .*cap of 8192/);
    expect(applyToRequest(policy({ maxNumCtx: 8192, maxNumCtxMode: 'clamp' }), chat({ upstreamOptions: { num_ctx: 131072 } })).upstreamOptions).toEqual({
      num_ctx: 8192,
    });
    expect(applyToRequest(policy({ maxNumCtx: 8192 }), chat({ upstreamOptions: { num_ctx: 4096 } })).upstreamOptions).toEqual({ num_ctx: 4096 });
  });

  it('clamps keep_alive (forever included) to the cap in seconds, or refuses it in reject mode', () => {
    const p = policy({ maxKeepAlive: 300 });
    expect(applyToRequest(p, chat({ keepAlive: -1 })).keepAlive).toBe(300);
    expect(applyToRequest(p, chat({ keepAlive: '24h' })).keepAlive).toBe(300);
    expect(applyToRequest(p, chat({ keepAlive: '1m' })).keepAlive).toBe('1m');
    expect(applyToRequest(p, chat({ keepAlive: 0 })).keepAlive).toBe(0);
    expect(applyToRequest(p, chat()).keepAlive).toBeUndefined();
    expect(codeOf(() => applyToRequest(p, chat({ keepAlive: 'later' })))).toBe('invalid_value');
    expect(() => applyToRequest(policy({ maxKeepAlive: 300, maxKeepAliveMode: 'reject' }), chat({ keepAlive: -1 }))).toThrow(/keep_alive -1 \(forever\)/);
    expect(applyToEmbed(p, { model: 'm', input: ['x'], keepAlive: '1h' }).keepAlive).toBe(300);
  });

  it('forces options over the client’s, mapped ones in the gateway’s names, and lowers a forced value over a cap instead of refusing', () => {
    const p = policy({ forcedOptions: { temperature: 0, num_ctx: 16384, keep_alive: '10m', top_p: 0.5 }, maxNumCtx: 8192, maxKeepAlive: 60 });
    const out = applyToRequest(p, chat({ options: { temperature: 0.9, topP: 0.9 }, upstreamOptions: { num_ctx: 2048, mirostat: 1 }, keepAlive: 5 }));
    expect(out.options).toEqual({ temperature: 0, topP: 0.5 });
    expect(out.upstreamOptions).toEqual({ num_ctx: 8192, mirostat: 1 });
    expect(out.keepAlive).toBe(60);
    // Applying it again changes nothing (the engine may police a request twice).
    expect(applyToRequest(p, out)).toEqual(out);
  });

  it('leaves a request alone when the policy has no caps and no forced options', () => {
    const req = chat({ options: { maxTokens: 99999 } });
    expect(applyToRequest(policy({ allowedSurfaces: ['api'] }), req)).toBe(req);
  });
});

describe('TRUSTED_PROXIES', () => {
  it('takes addresses and CIDRs, and names the variable when one is not', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, ::1' }).trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8,proxy.local' })).toThrow(/TRUSTED_PROXIES/);
  });
});
