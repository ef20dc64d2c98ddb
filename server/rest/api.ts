/**
 * The documented REST API (shared/API-DOCUMENT.md): GET /api/models, POST /api/chat,
 * POST /api/generate, GET /api/usage (the key's own limits, quotas and usage), with the documented
 * envelopes, errors and rate-limit headers.
 * `"stream": true` answers with server-sent events of chunks in the same envelope's style.
 */
import { newId } from '../ids.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { KeyStore, Principal } from '../auth/key-store.ts';
import type { Model } from '../db/generated/client.ts';
import { errors, type GatewayError } from '../errors.ts';
import type { InferenceService } from '../inference/service.ts';
import { MAX_MESSAGES, type InferenceRequest, type SamplingOptions } from '../inference/types.ts';
import {
  clientSignal,
  methodNotAllowed,
  noteModel,
  pipeRun,
  queueFeedback,
  quotaFeedback,
  readJson,
  sendFailure,
  sendJson,
  serve,
  sseData,
  startSse,
  usageView,
  type Logger,
} from './http.ts';
import { parseBody } from './validation.ts';
import type { Account } from '../quotas/account.ts';

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
    .max(MAX_MESSAGES),
  ...sampling,
});

const generateBody = z.object({
  model: z.string().min(1),
  prompt: z.string(),
  ...sampling,
});

function options(body: z.infer<typeof chatBody> | z.infer<typeof generateBody>): SamplingOptions {
  return { temperature: body.temperature, topP: body.top_p, topK: body.top_k, maxTokens: body.max_tokens };
}

function modelView(m: Model) {
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

export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  sendFailure({ res, err, log, shape: errorBody });
}

const ROUTES: Record<string, string> = { '/api/models': 'GET', '/api/chat': 'POST', '/api/generate': 'POST', '/api/usage': 'GET' };

const totalsView = (t: Account['today']) => ({
  since: t.since.toISOString(),
  requests: t.requests,
  prompt_tokens: t.promptTokens,
  completion_tokens: t.completionTokens,
  total_tokens: t.promptTokens + t.completionTokens,
});

/** GET /api/usage: the key's own limits, quotas and usage, in the document's snake_case style. */
function accountView(a: Account) {
  const p = a.principal;
  return {
    object: 'usage',
    key: { id: p.keyId, name: p.name, role: p.role.toLowerCase(), tier: p.tier.toLowerCase() },
    team: p.team ? { id: p.team.id, name: p.team.name } : null,
    limits: {
      requests_per_minute: p.rpm,
      tokens_per_minute: p.tpm,
      max_concurrent: p.maxConcurrent,
      team_requests_per_minute: p.team?.rpm ?? null,
      team_tokens_per_minute: p.team?.tpm ?? null,
    },
    quotas: a.quotas.map((q) => ({
      scope: q.scope,
      metric: q.metric,
      limit: q.limit,
      used: q.used,
      remaining: q.remaining,
      period: q.period,
      resets_at: q.resetsAt.toISOString(),
      reset: Math.ceil(q.resetsAt.getTime() / 1000),
    })),
    usage: { today: totalsView(a.today), this_month: totalsView(a.thisMonth) },
    time_zone: a.timeZone,
  };
}

export function createRestApi({
  keys,
  service,
  maxBodyBytes,
  log,
  account,
}: {
  keys: KeyStore;
  service: InferenceService;
  maxBodyBytes: number;
  log: Logger;
  /** The calling key's limits, quotas and usage (GET /api/usage). */
  account: (principal: Principal) => Promise<Account>;
}) {
  const completion = async (req: IncomingMessage, res: ServerResponse, principal: Principal, kind: 'chat' | 'generate') => {
    const raw = await readJson(req, maxBodyBytes);
    noteModel(res, (raw as { model?: unknown } | null)?.model);
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
    const requestId = newId('cmpl-');
    // Set now so that error answers carry it too: it is the usage record's id.
    res.setHeader('x-request-id', requestId);
    const run = service.run({
      principal,
      request,
      surface: 'rest',
      endpoint: `/api/${kind}`,
      requestId,
      signal: clientSignal(req, res),
      stream,
      queue: queueFeedback(res, stream),
      onQuota: quotaFeedback(res),
    });
    const base = { id: run.id, object: kind === 'chat' ? 'chat.completion' : 'text.completion', created: run.created, model: run.model.id };
    if (!stream) {
      const { text, done } = await run.complete();
      const choice =
        kind === 'chat'
          ? { message: { role: 'assistant', content: text }, finish_reason: done.finishReason, index: 0 }
          : { text, finish_reason: done.finishReason, index: 0 };
      return sendJson(res, 200, { ...base, choices: [choice], usage: usageView(done.usage) });
    }
    const chunk = { ...base, object: `${base.object}.chunk` };
    let first = true;
    await pipeRun(res, run, {
      start: () => startSse(res, {}),
      onDelta: (text) => {
        sseData(res, {
          ...chunk,
          choices: [
            kind === 'chat'
              ? { delta: first ? { role: 'assistant', content: text } : { content: text }, finish_reason: null, index: 0 }
              : { text, finish_reason: null, index: 0 },
          ],
        });
        first = false;
      },
      onDone: (ev) => {
        const choice =
          kind === 'chat'
            ? { delta: first ? { role: 'assistant' } : {}, finish_reason: ev.finishReason, index: 0 }
            : { text: '', finish_reason: ev.finishReason, index: 0 };
        sseData(res, { ...chunk, choices: [choice], usage: usageView(ev.usage) });
        sseData(res, '[DONE]');
      },
      // Headers are gone: report the failure in the stream, in the documented error envelope.
      onError: (e) => sseData(res, errorBody(e)),
    });
  };

  const route = (req: IncomingMessage, res: ServerResponse, pathname: string): ((principal: Principal) => unknown) => {
    const method = ROUTES[pathname];
    if (!method) throw errors.notFound(`No endpoint ${pathname}; see GET /api/models, POST /api/chat, POST /api/generate, GET /api/usage`);
    if (req.method !== method) throw methodNotAllowed(res, req.method ?? '', pathname, method);
    if (pathname === '/api/models') return (principal) => sendJson(res, 200, { models: service.models(principal).map(modelView) });
    if (pathname === '/api/usage') return async (principal) => sendJson(res, 200, accountView(await account(principal)));
    return (principal) => completion(req, res, principal, pathname === '/api/chat' ? 'chat' : 'generate');
  };

  return (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> =>
    serve({ req, res, keys, service, log, shape: errorBody, surface: 'rest', endpoint: pathname, route: () => route(req, res, pathname) });
}
