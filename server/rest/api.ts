/**
 * The documented REST API (shared/API-DOCUMENT.md): GET /api/models, POST /api/chat,
 * POST /api/generate, with the documented envelopes, errors and rate-limit headers.
 * `"stream": true` answers with server-sent events of chunks in the same envelope's style.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { errors, isGatewayError, type GatewayError } from '../errors.ts';
import type { RateLimitResult } from '../limits/limiter.ts';
import type { InferenceRun, InferenceService } from '../inference/service.ts';
import type { InferenceRequest, SamplingOptions } from '../inference/types.ts';
import { clientSignal, rateLimitHeaders, readJson, sendJson, sseData, startSse } from './http.ts';
import { parseBody } from './validation.ts';

interface Logger {
  error(o: object, m?: string): void;
}

const sampling = {
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().int().optional(),
  max_tokens: z.number().int().optional(),
  stream: z.boolean().optional(),
};

const chatBody = z.object({
  model: z.string().min(1),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'user', 'assistant']),
        content: z.string(),
      }),
    )
    .min(1)
    .max(1000),
  ...sampling,
});

const generateBody = z.object({
  model: z.string().min(1),
  prompt: z.string(),
  ...sampling,
});

export function newCompletionId(): string {
  return `cmpl-${randomUUID().replaceAll('-', '').slice(0, 24)}`; // randomUUID draws from a cached pool: cheaper per request
}

function options(body: z.infer<typeof chatBody> | z.infer<typeof generateBody>): SamplingOptions {
  return { temperature: body.temperature, topP: body.top_p, topK: body.top_k, maxTokens: body.max_tokens };
}

export function modelView(m: Model) {
  const parameters: Record<string, number> = {};
  if (m.temperature !== null) parameters.temperature = m.temperature;
  if (m.topP !== null) parameters.top_p = m.topP;
  if (m.topK !== null) parameters.top_k = m.topK;
  return { id: m.id, name: m.name, description: m.description, is_active: m.isActive, parameters };
}

/** The documented error envelope. */
export function errorBody(err: GatewayError) {
  return { error: { message: err.message, type: err.type, code: err.code } };
}

export function sendError(res: ServerResponse, err: unknown, log: Logger, rl?: RateLimitResult): void {
  const e = isGatewayError(err) ? err : errors.internal();
  if (!isGatewayError(err)) log.error({ err }, 'unexpected error');
  const headers: Record<string, string | number> = { ...rateLimitHeaders(e.rateLimit ?? rl) };
  if (e.retryAfter !== undefined) headers['retry-after'] = e.retryAfter;
  sendJson(res, e.status, errorBody(e), headers);
}

export function createRestApi({ keys, service, maxBodyBytes, log }: { keys: KeyStore; service: InferenceService; maxBodyBytes: number; log: Logger }) {
  const completion = async (req: IncomingMessage, res: ServerResponse, principal: Principal, rl: RateLimitResult, kind: 'chat' | 'generate') => {
    const raw = await readJson(req, maxBodyBytes);
    const request: InferenceRequest =
      kind === 'chat'
        ? (() => {
            const b = parseBody(chatBody, raw);
            return { kind, model: b.model, messages: b.messages, options: options(b) };
          })()
        : (() => {
            const b = parseBody(generateBody, raw);
            return { kind, model: b.model, prompt: b.prompt, options: options(b) };
          })();
    const stream = (raw as { stream?: boolean }).stream === true;
    const requestId = newCompletionId();
    // Set now so that error answers carry it too: it is the usage record's id.
    res.setHeader('x-request-id', requestId);
    const run = service.run({ principal, request, surface: 'rest', endpoint: `/api/${kind}`, requestId, signal: clientSignal(req, res), stream });
    const headers = rateLimitHeaders(rl);
    if (stream) await streamRun(res, run, kind, headers);
    else await completeRun(res, run, kind, headers);
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    let rl: RateLimitResult | undefined;
    try {
      const route = ROUTES[pathname];
      if (!route) throw errors.notFound(`No endpoint ${pathname}; see GET /api/models, POST /api/chat, POST /api/generate`);
      if (req.method !== route) throw errors.methodNotAllowed(req.method ?? '', pathname);
      const principal = keys.authenticate(req.headers.authorization);
      rl = await service.admit(principal);
      if (pathname === '/api/models') {
        sendJson(res, 200, { models: service.models(principal).map(modelView) }, rateLimitHeaders(rl));
      } else {
        await completion(req, res, principal, rl, pathname === '/api/chat' ? 'chat' : 'generate');
      }
    } catch (err) {
      if ((err as { name?: string }).name === 'AbortError') return;
      sendError(res, err, log, rl);
    }
  };
}

const ROUTES: Record<string, string> = { '/api/models': 'GET', '/api/chat': 'POST', '/api/generate': 'POST' };

async function completeRun(res: ServerResponse, run: InferenceRun, kind: 'chat' | 'generate', headers: Record<string, string | number>) {
  let text = '';
  for await (const ev of run) {
    if (ev.type === 'delta') text += ev.text;
    else {
      const choice =
        kind === 'chat'
          ? { message: { role: 'assistant', content: text }, finish_reason: ev.finishReason, index: 0 }
          : { text, finish_reason: ev.finishReason, index: 0 };
      sendJson(
        res,
        200,
        {
          id: run.id,
          object: kind === 'chat' ? 'chat.completion' : 'text.completion',
          created: run.created,
          model: run.model.id,
          choices: [choice],
          usage: { prompt_tokens: ev.usage.promptTokens, completion_tokens: ev.usage.completionTokens, total_tokens: ev.usage.promptTokens + ev.usage.completionTokens },
        },
        headers,
      );
    }
  }
}

async function streamRun(res: ServerResponse, run: InferenceRun, kind: 'chat' | 'generate', headers: Record<string, string | number>) {
  const iterator = run[Symbol.asyncIterator]();
  // Wait for the first event so that errors before any output still get their status code.
  let next = await iterator.next();
  startSse(res, headers);
  const object = kind === 'chat' ? 'chat.completion.chunk' : 'text.completion.chunk';
  const base = { id: run.id, object, created: run.created, model: run.model.id };
  let first = true;
  try {
    for (; !next.done; next = await iterator.next()) {
      const ev = next.value;
      if (ev.type === 'delta') {
        const choice = kind === 'chat' ? { delta: first ? { role: 'assistant', content: ev.text } : { content: ev.text }, finish_reason: null, index: 0 } : { text: ev.text, finish_reason: null, index: 0 };
        first = false;
        sseData(res, { ...base, choices: [choice] });
      } else {
        const choice = kind === 'chat' ? { delta: first ? { role: 'assistant' } : {}, finish_reason: ev.finishReason, index: 0 } : { text: '', finish_reason: ev.finishReason, index: 0 };
        sseData(res, {
          ...base,
          choices: [choice],
          usage: { prompt_tokens: ev.usage.promptTokens, completion_tokens: ev.usage.completionTokens, total_tokens: ev.usage.promptTokens + ev.usage.completionTokens },
        });
      }
    }
    sseData(res, '[DONE]');
  } catch (err) {
    if ((err as { name?: string }).name === 'AbortError') return;
    // Headers are gone: report the failure in the stream, in the documented error envelope.
    sseData(res, errorBody(isGatewayError(err) ? err : errors.internal()));
  }
  res.end();
}
