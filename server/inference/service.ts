/**
 * The inference service: the one engine behind every surface (REST, /v1, /ollama, GraphQL).
 * admit (rate limit) -> prepare (model rules, defaults, option checks) -> provider stream -> usage.
 * Surfaces parse their wire format into an InferenceRequest, call this, and serialise the events.
 *
 * @example
 *   const limit = await service.admit(principal);            // throws a 429 GatewayError
 *   const run = service.run({ principal, request, surface: 'rest', endpoint: '/api/chat', requestId, signal, stream: false });
 *   for await (const ev of run) ...                            // deltas, then one 'done'
 */
import type { Model } from '../db/generated/client.ts';
import type { Principal } from '../auth/key-store.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import { errors, GatewayError, isGatewayError } from '../errors.ts';
import type { Limiter, RateLimitResult } from '../limits/limiter.ts';
import type { AcquireInput, Lease, QueueObserver } from '../scheduler/scheduler.ts';
import type { UsageInput, UsageRecorder } from '../usage/recorder.ts';
import type { EmbedRequest, EmbedResult, InferenceRequest, Provider, ProviderEvent, SamplingOptions } from './types.ts';

export const DEFAULT_TEMPERATURE = 0.7;
export const DEFAULT_MAX_TOKENS = 1024;

export type Surface = UsageInput['surface'];

export interface RunInput {
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
}

export interface InferenceRun extends AsyncIterable<ProviderEvent> {
  id: string;
  model: Model;
  /** Unix seconds. */
  created: number;
  /** The request as sent to the provider, defaults applied. */
  request: InferenceRequest;
  /** The whole answer at once (iterate the run instead to stream it); consume a run one way only. */
  complete(): Promise<{ text: string; done: DoneEvent }>;
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
  /** Runs in progress (for draining at shutdown). */
  active(): number;
}

export interface ProviderResolver {
  /** The model's provider kind, for what it supports; the calls themselves go through `acquire`. */
  forModel(model: Model): Provider;
  /** A slot on a server that serves the model (waits in the fair queue); the lease is the provider to call. */
  acquire(input: AcquireInput): Promise<Lease>;
}

const isAbort = (err: unknown) => (err as { name?: string })?.name === 'AbortError' || (err as { code?: string })?.code === 'ABORT_ERR';

const settleNothing = () => {};

export function checkOptions(options: SamplingOptions, maxTokensCap: number): void {
  const { temperature, topP, topK, maxTokens, seed } = options;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0 && temperature <= 2)) {
    throw errors.invalidRequest('temperature must be a number between 0 and 2', 'invalid_temperature');
  }
  if (topP !== undefined && !(Number.isFinite(topP) && topP > 0 && topP <= 1)) {
    throw errors.invalidRequest('top_p must be a number greater than 0 and at most 1', 'invalid_top_p');
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw errors.invalidRequest('top_k must be a whole number of at least 1', 'invalid_top_k');
  }
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) {
    throw errors.invalidRequest('max_tokens must be a whole number of at least 1', 'invalid_max_tokens');
  }
  if (maxTokens !== undefined && maxTokens > maxTokensCap) {
    throw errors.invalidRequest(`max_tokens must be at most ${maxTokensCap}`, 'invalid_max_tokens');
  }
  if (seed !== undefined && !Number.isInteger(seed)) throw errors.invalidRequest('seed must be a whole number', 'invalid_seed');
}

export function createInferenceService({
  catalogue,
  providers,
  limiter,
  usage,
  maxTokensCap,
}: {
  catalogue: Catalogue;
  providers: ProviderResolver;
  limiter: Limiter;
  usage: UsageRecorder;
  maxTokensCap: number;
}): InferenceService {
  let active = 0;

  const requireModel = (principal: Principal, id: string) => {
    if (typeof id !== 'string' || !id) throw errors.invalidRequest('model is required', 'missing_model');
    // Ollama's own rule: a name without a tag means ":latest".
    const model = !id.includes(':') && !catalogue.get(id) && catalogue.get(`${id}:latest`) ? catalogue.require(`${id}:latest`) : catalogue.require(id);
    if (principal.allowedModels && !principal.allowedModels.has(model.id)) throw errors.modelNotAllowed(id);
    return model;
  };

  /** Reserves a request's likely tokens under the key's tokens-per-minute budget; returns the settle function. */
  const reserveTokens = async (principal: Principal, estimate: number): Promise<(actual: number) => void> => {
    if (principal.tpm === null) return settleNothing;
    const { result, settle } = await limiter.reserveTokens(principal.keyId, principal.tpm, estimate);
    if (!result.allowed) throw errors.tokenLimited(result.limit, result.retryAfter);
    return settle;
  };

  const record = (input: Omit<RunInput, 'request' | 'signal'> & { model: string; started: number; status: number; error?: string; promptTokens: number; completionTokens: number; ttft?: number; queueWaitMs?: number; upstream?: string | null }) => {
    usage.record({
      id: input.requestId,
      apiKeyId: input.principal.keyId,
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
      createdAt: new Date(input.started),
      queueWaitMs: input.queueWaitMs ?? null,
      upstream: input.upstream ?? null,
    });
  };

  const service: InferenceService = {
    async admit(principal) {
      const result = await limiter.hit(principal.keyId, principal.rpm);
      if (!result.allowed) {
        const err = errors.rateLimited(result.limit, result.retryAfter);
        err.rateLimit = result;
        throw err;
      }
      return result;
    },

    prepare(principal, request) {
      const model = requireModel(principal, request.model);
      checkOptions(request.options, maxTokensCap);
      const options: SamplingOptions = {
        ...request.options,
        temperature: request.options.temperature ?? model.temperature ?? DEFAULT_TEMPERATURE,
        topP: request.options.topP ?? model.topP ?? undefined,
        topK: request.options.topK ?? model.topK ?? undefined,
        maxTokens: request.options.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, maxTokensCap),
      };
      return { model, request: { ...request, model: model.id, options } };
    },

    run(input) {
      const { model, request } = service.prepare(input.principal, input.request);
      const created = Math.floor(Date.now() / 1000);
      const provider = providers.forModel(model);

      // The bookkeeping both ways of consuming a run share: token budget, usage record, outcome.
      // Worst case: the prompt (about 4 characters a token) plus every token it may generate.
      const reserve = () => reserveTokens(input.principal, estimatePromptTokens(request) + (request.options.maxTokens ?? 0));
      const begin = (settle: (actual: number) => void) => {
        active++;
        const started = Date.now();
        const outcome = { status: 499, error: undefined as string | undefined, promptTokens: 0, completionTokens: 0, ttft: undefined as number | undefined, lease: undefined as Lease | undefined };
        return {
          started,
          outcome,
          finish(done: DoneEvent) {
            outcome.status = 200;
            outcome.promptTokens = done.usage.promptTokens;
            outcome.completionTokens = done.usage.completionTokens;
          },
          /** The error to rethrow: cancellations stay AbortErrors, the rest become GatewayErrors. */
          fail(err: unknown): unknown {
            if (input.signal.aborted || isAbort(err)) {
              outcome.error = 'cancelled by the client';
              return err;
            }
            const e = isGatewayError(err) ? err : errors.upstreamFailed((err as Error)?.message ?? String(err), err);
            outcome.status = e.status;
            outcome.error = e.message;
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
            settle(outcome.promptTokens + outcome.completionTokens);
            // Named fields, not spreads: spreading the input and outcome cost more than the rest of the bookkeeping.
            const { principal, surface, endpoint, requestId, stream } = input;
            record({ principal, surface, endpoint, requestId, stream, model: model.id, started, status: outcome.status, error: outcome.error, promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens, ttft: outcome.ttft, queueWaitMs: lease ? lease.waitedMs : Date.now() - started, upstream: lease?.server });
          },
        };
      };

      async function* events(): AsyncGenerator<ProviderEvent> {
        const run = begin(input.principal.tpm === null ? settleNothing : await reserve());
        const upstream = new AbortController();
        const onAbort = () => upstream.abort(input.signal.reason);
        if (input.signal.aborted) onAbort();
        else input.signal.addEventListener('abort', onAbort, { once: true });
        let finished = false;
        try {
          const lease = await run.acquire(upstream.signal);
          for await (const ev of lease.stream(request, upstream.signal)) {
            if (ev.type === 'delta') {
              run.outcome.ttft ??= Date.now() - run.started;
              // Ollama streams a token a chunk: if the run is cut short, what was sent is still counted.
              run.outcome.completionTokens++;
            } else {
              run.finish(ev);
              finished = true;
            }
            yield ev;
          }
          if (!finished) throw errors.upstreamFailed('the stream ended without a final chunk');
        } catch (err) {
          throw run.fail(err);
        } finally {
          input.signal.removeEventListener('abort', onAbort);
          // A consumer that stops early (break, client gone) must not leave the upstream generating.
          if (!finished) upstream.abort(new DOMException('consumer stopped', 'AbortError'));
          run.end();
        }
      }

      // A client that does not stream gets one upstream answer to parse instead of a chunk per token.
      async function complete(): Promise<{ text: string; done: DoneEvent }> {
        if (input.stream || !provider.complete) {
          let text = '';
          for await (const ev of events()) {
            if (ev.type === 'delta') text += ev.text;
            else return { text, done: ev };
          }
          throw errors.upstreamFailed('the stream ended without a final chunk');
        }
        // No await without a token limit: a tick per request shows under load.
        const run = begin(input.principal.tpm === null ? settleNothing : await reserve());
        try {
          const lease = await run.acquire(input.signal);
          const answer = await lease.complete!(request, input.signal);
          const m = answer.done.metrics;
          // It arrives whole: its time to first token is the model's own (load + prompt evaluation).
          if (m?.promptEvalDuration !== undefined) run.outcome.ttft = Math.round(((m.loadDuration ?? 0) + m.promptEvalDuration) / 1e6);
          run.finish(answer.done);
          return answer;
        } catch (err) {
          throw run.fail(err);
        } finally {
          run.end();
        }
      }

      let iterator: AsyncGenerator<ProviderEvent> | undefined;
      return { id: input.requestId, model, created, request, complete, [Symbol.asyncIterator]: () => (iterator ??= events()) };
    },

    async embed(input) {
      const model = requireModel(input.principal, input.request.model);
      const provider = providers.forModel(model);
      if (!provider.embed) throw errors.invalidRequest(`The model '${model.id}' does not support embeddings`, 'embeddings_not_supported');
      const settle = await reserveTokens(input.principal, input.request.input.reduce((n, t) => n + Math.ceil(t.length / 4), 0));
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
        record({ ...input, stream: false, model: model.id, started, status: e?.status ?? 499, error: e?.message ?? 'cancelled by the client', promptTokens: 0, completionTokens: 0, ...slot() });
        throw e ?? err;
      } finally {
        lease?.release();
        settle(used);
        active--;
      }
    },

    requireModel,

    models(principal, { includeInactive = false } = {}) {
      const all = catalogue.list({ includeInactive: includeInactive && principal.isAdmin });
      return principal.allowedModels ? all.filter((m) => principal.allowedModels!.has(m.id)) : all;
    },

    active: () => active,
  };
  return service;
}

function estimatePromptTokens(req: InferenceRequest): number {
  const chars = req.kind === 'chat' ? req.messages.reduce((n, m) => n + m.content.length, 0) : req.prompt.length + (req.system?.length ?? 0);
  return Math.ceil(chars / 4);
}

export { GatewayError };
