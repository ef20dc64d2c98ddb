/**
 * The inference service: the one engine behind every surface (REST, /v1, /ollama, GraphQL).
 * admit (rate limit) -> prepare (model rules, defaults, option checks) -> token reservation ->
 * provider stream (ended with a 401 if the key is revoked or expires meanwhile) -> usage.
 * Surfaces parse their wire format into an InferenceRequest, call this, and serialise the events;
 * what they refuse before a run begins they report with `refused`, so every request leaves one row.
 *
 * @example
 *   const limit = await service.admit(principal);            // throws a 429 GatewayError
 *   const run = service.run({ principal, request, surface: 'rest', endpoint: '/api/chat', requestId, signal, stream: false });
 *   for await (const ev of run) ...                            // deltas, then one 'done'
 */
import type { Model } from '../db/generated/client.ts';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import { findVisibleModel, requireUsableModel, visibleModels } from '../catalogue/access.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import { errors, type GatewayError, isGatewayError } from '../errors.ts';
import type { Limiter, RateLimitResult } from '../limits/limiter.ts';
import type { QuotaHeader } from '../errors.ts';
import type { Quotas } from '../quotas/quotas.ts';
import { createLifelines, type Lifeline } from '../realtime/lifeline.ts';
import { abortSignal, isAbortable, isAbort } from './abort.ts';
import type { AcquireInput, Lease, QueueObserver } from '../scheduler/scheduler.ts';
import type { UsageInput, UsageRecorder } from '../usage/recorder.ts';
import { applyToEmbed, applyToRequest, checkEmbeddings, type EffectivePolicy } from '../policy/policy.ts';
import { policyStore, type PolicyStore } from '../policy/store.ts';
import type { Completion, EmbedRequest, EmbedResult, InferenceRequest, Provider, ProviderEvent, SamplingOptions, NativeCalls } from './types.ts';

const DEFAULT_TEMPERATURE = 0.7;
const DEFAULT_MAX_TOKENS = 1024;
/** How often running streams re-check their key for expiry (revocation is pushed at once). */
const KEY_RECHECK_MS = 250;

export type Surface = UsageInput['surface'];

interface RunInput {
  principal: Principal;
  request: InferenceRequest;
  surface: Surface;
  endpoint: string;
  requestId: string;
  /** Aborts when the client goes away; the upstream request is then closed. */
  signal: AbortSignal;
  stream: boolean;
  /** Told about the wait when every eligible server is busy (queue position, then the wait). */
  queue?: QueueObserver;
  /** Told the tightest calendar quota in force once the request is admitted by its quotas (X-Quota-* headers). */
  onQuota?: (quota: QuotaHeader) => void;
}

export interface InferenceRun extends AsyncIterable<ProviderEvent> {
  id: string;
  model: Model;
  /** Unix seconds. */
  created: number;
  /** The request with defaults applied (a tokens-per-minute budget may lower max_tokens further when it runs). */
  request: InferenceRequest;
  /** The whole answer at once (iterate the run instead to stream it); consume a run one way only. */
  complete(): Promise<Completion>;
}

export type DoneEvent = Extract<ProviderEvent, { type: 'done' }>;

export interface InferenceService {
  admit(principal: Principal): Promise<RateLimitResult>;
  /** Resolves the model and options for a request; throws 400/403/404 GatewayErrors. */
  prepare(principal: Principal, request: InferenceRequest): { model: Model; request: InferenceRequest };
  run(input: RunInput): InferenceRun;
  embed(input: Omit<RunInput, 'request' | 'stream'> & { request: EmbedRequest }): Promise<EmbedResult & { model: Model }>;
  models(principal: Principal, opts?: { includeInactive?: boolean }): Model[];
  /** The model `id` names if this key may use it (`name` means `name:latest`, as in Ollama); else 400/403/404. */
  requireModel(principal: Principal, id: string): Model;
  /** Ollama-only calls (show, ps, version) the Ollama-native surface passes through: the model's server's, or every server's. */
  native(model?: Model): NativeCalls | undefined;
  nativeAll(): NativeCalls[];
  /** The model `name` names if this key may see it (catalogue/access.ts), else undefined. */
  findModel(principal: Principal, name: string, opts?: { includeInactive?: boolean }): Model | undefined;
  /**
   * Records a request refused before any run began (400, 403, 404, 405, 413, 429 after the key
   * authenticated) with its status, message and zero tokens; does nothing for an error a run already
   * recorded, so no request counts twice.
   */
  refused(input: RefusedInput): void;
  /** Runs in progress (for draining at shutdown). */
  active(): number;
  /** The parameter policies (server/policy): surfaces check access with it; the engine applies its caps. */
  policies: PolicyStore;
}

interface RefusedInput {
  principal: Principal;
  surface: Surface;
  endpoint: string;
  requestId: string;
  /** The model the request named, or '' when it was refused before naming one. */
  model: string;
  error: GatewayError;
  stream?: boolean;
}

export interface ProviderResolver {
  /** The model's provider kind, for what it supports; the calls themselves go through `acquire`. */
  forModel(model: Model): Provider;
  /** A slot on a server that serves the model (waits in the fair queue); the lease is the provider to call. */
  acquire(input: AcquireInput): Promise<Lease>;
  /** Ollama-only calls on a server that lists the model (any Ollama server without one), if there is one. */
  nativeFor(model?: Model): NativeCalls | undefined;
  /** Ollama-only calls on every Ollama server. */
  nativeServers(): NativeCalls[];
}

const settleNothing = () => {};
const unreserved0 = { settle: settleNothing };

function checkOptions(options: SamplingOptions, maxTokensCap: number): void {
  const { temperature, topP, topK, maxTokens, seed } = options;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0 && temperature <= 2)) {
    throw errors.invalidOption('temperature', 'temperature must be a number between 0 and 2');
  }
  if (topP !== undefined && !(Number.isFinite(topP) && topP > 0 && topP <= 1)) {
    throw errors.invalidOption('top_p', 'top_p must be a number greater than 0 and at most 1');
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw errors.invalidOption('top_k', 'top_k must be a whole number of at least 1');
  }
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) {
    throw errors.invalidOption('max_tokens', 'max_tokens must be a whole number of at least 1');
  }
  if (maxTokens !== undefined && maxTokens > maxTokensCap) {
    throw errors.invalidOption('max_tokens', `max_tokens must be at most ${maxTokensCap}`);
  }
  if (seed !== undefined && !Number.isInteger(seed)) throw errors.invalidOption('seed', 'seed must be a whole number');
}

export function createInferenceService({
  catalogue,
  providers,
  limiter,
  usage,
  maxTokensCap,
  keys,
  keyRecheckMs = KEY_RECHECK_MS,
  quotas,
  now = Date.now,
  policies = policyStore(),
}: {
  catalogue: Catalogue;
  providers: ProviderResolver;
  limiter: Limiter;
  usage: UsageRecorder;
  maxTokensCap: number;
  /** Calendar quotas of keys and teams (day and month budgets); none when omitted. */
  quotas?: Quotas;
  /** The clock usage rows are dated by (the quotas' clock, movable in tests). */
  now?: () => number;
  /** With keys, a run whose key is revoked or expires ends with the key's 401 and its upstream request is aborted. */
  keys?: Pick<KeyStore, 'onChange' | 'verify'>;
  keyRecheckMs?: number;
  /** Tier, team and key parameter policies; without one, only team and key policies apply. */
  policies?: PolicyStore;
}): InferenceService {
  let active = 0;
  // Errors a run or an embedding already recorded: the surface must not record them again as refusals.
  const recorded = new WeakSet<object>();
  const lifelines = keys ? createLifelines({ keys, recheckMs: keyRecheckMs }) : undefined;

  /**
   * Ties the upstream request to the client and to the key: aborted when either goes away (the key's
   * reason is a 401 GatewayError). A whole answer reuses a client signal the engine may abort itself.
   */
  const upstreamFor = (input: RunInput, { whole }: { whole: boolean }) => {
    const own = whole && isAbortable(input.signal);
    const upstream = own ? undefined : new AbortController();
    const onAbort = () => upstream!.abort(input.signal.reason);
    if (upstream) {
      if (input.signal.aborted) onAbort();
      else input.signal.addEventListener('abort', onAbort, { once: true });
    }
    const abort = (reason: unknown) => (upstream ? upstream.abort(reason) : abortSignal(input.signal, reason));
    let line: Lifeline | undefined;
    if (lifelines && keys) {
      const keyId = input.principal.keyId;
      line = lifelines.open({ keyId, recheck: () => keys.verify(keyId), endsOnGoAway: false, onEnd: abort });
      line.check(); // revoked between authentication and now
    }
    return {
      signal: upstream ? upstream.signal : input.signal,
      abort,
      /** Whether the key stopped working (revoked, expired) and ended the run; its reason is then the 401 to report. */
      keyEnded: () => line?.ended === true && isGatewayError(line.reason),
      reason: () => line?.reason,
      close() {
        if (upstream) input.signal.removeEventListener('abort', onAbort);
        line?.close();
      },
    };
  };

  const requireModel = (principal: Principal, id: string) => requireUsableModel(catalogue, principal, id);

  /**
   * Reserves tokens under the key's tokens-per-minute budget before anything runs: between `min` and
   * `max`, as many as fit in the window. 400 when `min` exceeds the whole budget, 429 when it does not fit now.
   */
  const reserveTokens = async ({ principal, min, max, need }: { principal: Principal; min: number; max: number; need: string }) => {
    const limit = principal.tpm!;
    if (min > limit) throw errors.overTokenLimit(limit, need);
    const reservation = await limiter.reserveTokens({ key: principal.keyId, limit, min, max });
    if (!reservation.result.allowed) throw errors.tokenLimited(limit, reservation.result.retryAfter, { tokens: min, left: reservation.result.remaining });
    // A shared store settles asynchronously; a failed settlement leaves the reservation standing (the safe side).
    const settle = (actual: number) => void Promise.resolve(reservation.settle(actual)).catch(() => {});
    return { ...reservation, settle };
  };

  /** The team's tokens-per-minute budget (a limiter subject of its own, `team:<id>`), after the key's. */
  const reserveTeamTokens = async ({ principal, min, max, need }: { principal: Principal; min: number; max: number; need: string }) => {
    const team = principal.team!;
    const limit = team.tpm!;
    if (min > limit) throw errors.teamOverTokenLimit(team.name, limit, need);
    const reservation = await limiter.reserveTokens({ key: `team:${team.id}`, limit, min, max });
    if (!reservation.result.allowed)
      throw errors.teamTokenLimited(team.name, limit, reservation.result.retryAfter, { tokens: min, left: reservation.result.remaining });
    const settle = (actual: number) => void Promise.resolve(reservation.settle(actual)).catch(() => {});
    return { granted: reservation.granted, settle };
  };

  /** Whether a request needs a reservation at all: a token limit (key or team) or a calendar quota. */
  const budgeted = (principal: Principal) => principal.tpm !== null || (principal.team?.tpm ?? null) !== null || quotas?.inForce(principal) === true;

  /**
   * A request's worst case reserved on every budget it is under, in order: the key's tokens per
   * minute, its team's, then the calendar quotas (key and team at once). Each grants at most what the
   * one before did; one that refuses releases those before it. `settle` gives each the real count.
   */
  const reserveBudget = async (input: { principal: Principal; min: number; max: number; need: string }) => {
    const { principal, min } = input;
    const steps: Array<{ granted: number; settle: (actual: number) => void; replaces: boolean }> = [];
    let granted = input.max;
    let quota: QuotaHeader | undefined;
    try {
      if (principal.tpm !== null) {
        const r = await reserveTokens({ ...input, max: granted });
        steps.push({ granted: r.granted, settle: r.settle, replaces: true });
        granted = r.granted;
      }
      if ((principal.team?.tpm ?? null) !== null) {
        const r = await reserveTeamTokens({ ...input, max: granted });
        steps.push({ granted: r.granted, settle: r.settle, replaces: true });
        granted = r.granted;
      }
      if (quotas?.inForce(principal)) {
        const r = await quotas.reserve({ principal, min, max: granted, detail: input.need });
        steps.push({ granted: r.granted, settle: r.settle, replaces: false });
        granted = r.granted;
        quota = r.header;
      }
    } catch (err) {
      for (const s of steps) s.settle(0);
      throw err;
    }
    // A window budget that granted more than a later one holds only what the request may use.
    for (const s of steps) if (s.replaces && s.granted > granted) s.settle(granted);
    return {
      granted,
      quota,
      settle: (actual: number) => {
        for (const s of steps) s.settle(actual);
      },
    };
  };

  // Usage rows are dated by the service's clock (the real one unless a test moved it).
  const dated = now === Date.now ? (t: number) => new Date(t) : (t: number) => new Date(t + now() - Date.now());

  const record = (
    input: Omit<RunInput, 'request' | 'signal'> & {
      model: string;
      started: number;
      status: number;
      error?: string;
      promptTokens: number;
      completionTokens: number;
      ttft?: number;
      queueWaitMs?: number;
      upstream?: string | null;
    },
  ) => {
    usage.record({
      id: input.requestId,
      apiKeyId: input.principal.keyId,
      teamId: input.principal.team?.id ?? null,
      model: input.model,
      surface: input.surface,
      endpoint: input.endpoint,
      status: input.status,
      error: input.error ?? null,
      stream: input.stream,
      promptTokens: input.promptTokens,
      completionTokens: input.completionTokens,
      latencyMs: Date.now() - input.started,
      ttftMs: input.ttft ?? null,
      createdAt: dated(input.started),
      queueWaitMs: input.queueWaitMs ?? null,
      upstream: input.upstream ?? null,
    });
  };

  /** Model rules, option checks and defaults for a request the policy has already been applied to. */
  const prepareWith = (principal: Principal, request: InferenceRequest, policy: EffectivePolicy) => {
    const model = requireModel(principal, request.model);
    checkOptions(request.options, maxTokensCap);
    // The compatible surfaces send what their client set and leave the rest to the model.
    if (request.defaults === 'none') return { model, request: { ...request, model: model.id } };
    const options: SamplingOptions = {
      ...request.options,
      temperature: request.options.temperature ?? model.temperature ?? DEFAULT_TEMPERATURE,
      topP: request.options.topP ?? model.topP ?? undefined,
      topK: request.options.topK ?? model.topK ?? undefined,
      maxTokens: request.options.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, maxTokensCap, policy.maxTokens ?? Infinity),
    };
    return { model, request: { ...request, model: model.id, options } };
  };

  const service: InferenceService = {
    async admit(principal) {
      const result = await limiter.hit(principal.keyId, principal.rpm);
      if (!result.allowed) {
        const err = errors.rateLimited(result.limit, result.retryAfter);
        err.rateLimit = result;
        throw err;
      }
      const team = principal.team;
      if (team?.rpm == null) return result;
      // The team's requests per minute hold too, for all its keys together (after the key's own).
      const shared = await limiter.hit(`team:${team.id}`, team.rpm);
      if (!shared.allowed) {
        const err = errors.teamRateLimited(team.name, shared.limit, shared.retryAfter);
        err.rateLimit = shared;
        throw err;
      }
      // The headers report whichever limit is closer to refusing.
      return shared.remaining < result.remaining ? shared : result;
    },

    prepare(principal, raw) {
      // The parameter policy first (forced options, caps): what it lets through is then checked like any request.
      const policy = policies.effective(principal);
      return prepareWith(principal, applyToRequest(policy, raw), policy);
    },

    run(raw) {
      // Policed once here, so what is reserved below is what the policy lets through.
      const policy = policies.effective(raw.principal);
      const policed = applyToRequest(policy, raw.request);
      const input = policed === raw.request ? raw : { ...raw, request: policed };
      const { model, request } = prepareWith(input.principal, input.request, policy);
      const created = Math.floor(Date.now() / 1000);
      const provider = providers.forModel(model);
      const explicitMaxTokens = input.request.options.maxTokens;
      let promptEstimate = 0;

      /**
       * The worst case is reserved up front: the prompt's estimate plus every token it may generate.
       * A max_tokens the client set is reserved whole; without one, generation is capped at what is
       * left of the window (at least one token), so a small budget stays usable and is never exceeded.
       */
      const reserve = async (): Promise<{ settle: (actual: number) => void; request: InferenceRequest }> => {
        promptEstimate = estimatePromptTokens(request);
        if (explicitMaxTokens !== undefined) {
          const need = promptEstimate + explicitMaxTokens;
          const { settle, quota } = await reserveBudget({
            principal: input.principal,
            min: need,
            max: need,
            need: `${need} tokens (a prompt of about ${promptEstimate} plus max_tokens ${explicitMaxTokens})`,
          });
          if (quota) input.onQuota?.(quota);
          return { settle, request };
        }
        const want = request.options.maxTokens ?? maxTokensCap;
        const { settle, granted, quota } = await reserveBudget({
          principal: input.principal,
          min: promptEstimate + 1,
          max: promptEstimate + want,
          need: `${promptEstimate} tokens for the prompt alone`,
        });
        if (quota) input.onQuota?.(quota);
        const maxTokens = granted - promptEstimate;
        return { settle, request: maxTokens === request.options.maxTokens ? request : { ...request, options: { ...request.options, maxTokens } } };
      };
      const unreserved = { settle: settleNothing, request };

      // The bookkeeping both ways of consuming a run share: token budget, usage record, outcome.
      const begin = (settle: (actual: number) => void) => {
        active++;
        const started = Date.now();
        const outcome = {
          status: 499,
          error: undefined as string | undefined,
          promptTokens: 0,
          completionTokens: 0,
          ttft: undefined as number | undefined,
          lease: undefined as Lease | undefined,
        };
        return {
          started,
          outcome,
          finish(done: DoneEvent) {
            outcome.status = 200;
            outcome.promptTokens = done.usage.promptTokens;
            outcome.completionTokens = done.usage.completionTokens;
          },
          /** The error to rethrow: cancellations stay AbortErrors, the rest become GatewayErrors. */
          fail(err: unknown, { keyEnded = false }: { keyEnded?: boolean } = {}): unknown {
            // The key's own end is a 401 even when it aborted the client's signal to stop the upstream.
            if (!keyEnded && (input.signal.aborted || isAbort(err))) {
              outcome.error = 'cancelled by the client';
              return err;
            }
            const e = isGatewayError(err) ? err : errors.upstreamFailed((err as Error)?.message ?? String(err), err);
            outcome.status = e.status;
            outcome.error = e.message;
            recorded.add(e);
            return e;
          },
          /** A slot for the run (waits when every server is busy); released by end(). */
          async acquire(signal: AbortSignal): Promise<Lease> {
            return (outcome.lease = await providers.acquire({ principal: input.principal, model, signal, observer: input.queue }));
          },
          end() {
            active--;
            const lease = outcome.lease;
            lease?.release();
            // A run cut short has no count of its prompt from the model, which read it all the same: charge the estimate.
            settle((outcome.status === 200 ? outcome.promptTokens : promptEstimate) + outcome.completionTokens);
            // Named fields, not spreads: spreading the input and outcome cost more than the rest of the bookkeeping.
            const { principal, surface, endpoint, requestId, stream } = input;
            record({
              principal,
              surface,
              endpoint,
              requestId,
              stream,
              model: model.id,
              started,
              status: outcome.status,
              error: outcome.error,
              promptTokens: outcome.promptTokens,
              completionTokens: outcome.completionTokens,
              ttft: outcome.ttft,
              queueWaitMs: lease ? lease.waitedMs : Date.now() - started,
              upstream: lease?.server,
            });
          },
        };
      };

      async function* events(): AsyncGenerator<ProviderEvent> {
        const { settle, request: sent } = budgeted(input.principal) ? await reserve() : unreserved;
        const run = begin(settle);
        const upstream = upstreamFor(input, { whole: false });
        let finished = false;
        try {
          const lease = await run.acquire(upstream.signal);
          for await (const ev of lease.stream(sent, upstream.signal)) {
            if (ev.type === 'delta' || ev.type === 'thinking') {
              run.outcome.ttft ??= Date.now() - run.started;
              // Ollama streams a token a chunk: if the run is cut short, what was sent is still counted.
              run.outcome.completionTokens++;
            } else if (ev.type === 'done') {
              run.finish(ev);
              finished = true;
            }
            yield ev;
          }
          if (!finished) throw errors.upstreamFailed('the stream ended without a final chunk');
        } catch (err) {
          throw upstream.keyEnded() ? run.fail(upstream.reason(), { keyEnded: true }) : run.fail(err);
        } finally {
          upstream.close();
          // A consumer that stops early (break, client gone) must not leave the upstream generating.
          if (!finished) upstream.abort(new DOMException('consumer stopped', 'AbortError'));
          run.end();
        }
      }

      // A client that does not stream gets one upstream answer to parse instead of a chunk per token.
      async function complete(): Promise<Completion> {
        if (input.stream || !provider.complete) {
          const out: Omit<Completion, 'done'> = { text: '' };
          for await (const ev of events()) {
            if (ev.type === 'delta') out.text += ev.text;
            else if (ev.type === 'thinking') out.thinking = (out.thinking ?? '') + ev.text;
            else if (ev.type === 'tool_call') (out.toolCalls ??= []).push(ev.call);
            else return { ...out, done: ev };
          }
          throw errors.upstreamFailed('the stream ended without a final chunk');
        }
        // No await without a token limit: a tick per request shows under load.
        const { settle, request: sent } = budgeted(input.principal) ? await reserve() : unreserved;
        const run = begin(settle);
        const upstream = upstreamFor(input, { whole: true });
        try {
          const lease = await run.acquire(upstream.signal);
          const answer = await lease.complete!(sent, upstream.signal);
          const m = answer.done.metrics;
          // It arrives whole: its time to first token is the model's own (load + prompt evaluation).
          if (m?.promptEvalDuration !== undefined) run.outcome.ttft = Math.round(((m.loadDuration ?? 0) + m.promptEvalDuration) / 1e6);
          run.finish(answer.done);
          return answer;
        } catch (err) {
          throw upstream.keyEnded() ? run.fail(upstream.reason(), { keyEnded: true }) : run.fail(err);
        } finally {
          upstream.close();
          run.end();
        }
      }

      let iterator: AsyncGenerator<ProviderEvent> | undefined;
      return { id: input.requestId, model, created, request, complete, [Symbol.asyncIterator]: () => (iterator ??= events()) };
    },

    async embed(raw) {
      const policy = policies.effective(raw.principal);
      checkEmbeddings(policy);
      const policed = applyToEmbed(policy, raw.request);
      const input = policed === raw.request ? raw : { ...raw, request: policed };
      const model = requireModel(input.principal, input.request.model);
      const provider = providers.forModel(model);
      if (!provider.embed) throw errors.embeddingsNotSupported(model.id);
      const estimate = input.request.input.reduce((n, t) => n + estimateTextTokens(t), 0);
      const budget = budgeted(input.principal)
        ? await reserveBudget({ principal: input.principal, min: estimate, max: estimate, need: `${estimate} tokens of input` })
        : undefined;
      if (budget?.quota) input.onQuota?.(budget.quota);
      const { settle } = budget ?? unreserved0;
      const started = Date.now();
      active++;
      let used = 0;
      let lease: Lease | undefined;
      // Embeddings take the same slots as generations.
      const slot = () => ({ queueWaitMs: lease ? lease.waitedMs : Date.now() - started, upstream: lease?.server });
      try {
        lease = await providers.acquire({ principal: input.principal, model, signal: input.signal, observer: input.queue });
        const result = await lease.embed!(input.request, input.signal);
        used = result.promptTokens;
        record({ ...input, stream: false, model: model.id, started, status: 200, promptTokens: result.promptTokens, completionTokens: 0, ...slot() });
        return { ...result, model };
      } catch (err) {
        const e = isGatewayError(err) ? err : isAbort(err) ? undefined : errors.upstreamFailed((err as Error).message, err);
        record({
          ...input,
          stream: false,
          model: model.id,
          started,
          status: e?.status ?? 499,
          error: e?.message ?? 'cancelled by the client',
          promptTokens: 0,
          completionTokens: 0,
          ...slot(),
        });
        if (e) recorded.add(e);
        throw e ?? err;
      } finally {
        lease?.release();
        settle(used);
        active--;
      }
    },

    requireModel,

    native: (model) => providers.nativeFor(model),
    nativeAll: () => providers.nativeServers(),

    findModel: (principal, name, opts) => findVisibleModel(catalogue, principal, name, opts),

    refused({ principal, surface, endpoint, requestId, model, error, stream = false }) {
      if (recorded.has(error)) return;
      recorded.add(error);
      const started = Date.now();
      record({
        principal,
        surface,
        endpoint,
        requestId,
        stream,
        model,
        started,
        status: error.status,
        error: error.message,
        promptTokens: 0,
        completionTokens: 0,
      });
    },

    models: (principal, opts) => visibleModels(catalogue, principal, opts),

    active: () => active,

    policies,
  };
  return service;
}

/**
 * A prompt's tokens before the model counts them: the larger of a quarter of its characters and its
 * words (a tokenizer gives each word at least one token). The chat template's own tokens are not
 * guessed: they differ by model, and the settled count includes them.
 */
function estimatePromptTokens(req: InferenceRequest): number {
  if (req.kind === 'chat') return req.messages.reduce((n, m) => n + estimateTextTokens(m.content), 0);
  return estimateTextTokens(req.prompt) + (req.system ? estimateTextTokens(req.system) : 0);
}

function estimateTextTokens(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Space, tab, newline, carriage return (the separators that matter for the count).
    const space = c === 32 || (c >= 9 && c <= 13);
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return Math.max(Math.ceil(text.length / 4), words);
}
