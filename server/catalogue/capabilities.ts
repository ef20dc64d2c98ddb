/**
 * What a model can do (Ollama's `capabilities` from /api/show: completion, embedding, tools,
 * thinking, vision), asked of its server once and cached, so the console can offer only chat models.
 * Unknown (the server could not be asked) is null, never a guess.
 */
import type { Model } from '../db/generated/client.ts';
import type { Upstreams } from '../providers/upstreams.ts';

const TTL_MS = 5 * 60_000;
const BUILTIN = ['completion', 'embedding'];

type Cache = Map<string, { at: number; value: Promise<string[] | null> }>;
const caches = new WeakMap<Pick<Upstreams, 'clientFor'>, Cache>();

export function modelCapabilities({ upstreams, model }: { upstreams: Pick<Upstreams, 'clientFor'>; model: Model }): Promise<string[] | null> {
  if (model.provider === 'builtin') return Promise.resolve(BUILTIN);
  let cache = caches.get(upstreams);
  if (!cache) caches.set(upstreams, (cache = new Map()));
  const hit = cache.get(model.id);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = upstreams
    .clientFor(model)
    .show({ model: model.id, signal: AbortSignal.timeout(5_000) })
    .then((info) => (Array.isArray(info.capabilities) ? info.capabilities : null))
    .catch(() => {
      cache.delete(model.id); // a failure is not remembered: ask again next time
      return null;
    });
  cache.set(model.id, { at: Date.now(), value });
  return value;
}
