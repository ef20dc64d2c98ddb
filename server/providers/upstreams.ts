/**
 * The configured Ollama servers and the built-in provider, and which one serves a given model:
 * a model is served by the Ollama server that last listed it in /api/tags.
 */
import type { Model } from '../db/generated/client.ts';
import type { UpstreamSource } from '../catalogue/catalogue.ts';
import type { ProviderResolver } from '../inference/service.ts';
import type { Provider } from '../inference/types.ts';
import { createBuiltinProvider } from './builtin.ts';
import { createOllamaClient, createOllamaProvider, type FailureLog, type OllamaClient } from './ollama.ts';

export interface Upstreams extends ProviderResolver {
  sources: UpstreamSource[];
  /** The Ollama client for a model's server (for Ollama-native calls such as /api/show). */
  clientFor(model: Model): OllamaClient;
  clients: OllamaClient[];
  close(): Promise<void>;
}

export function createUpstreams({ urls, connectTimeoutMs, timeoutMs, maxUpstreamBytes, log }: { urls: string[]; connectTimeoutMs: number; timeoutMs: number; maxUpstreamBytes?: number; log?: FailureLog }): Upstreams {
  const clients = new Map<string, OllamaClient>();
  const providers = new Map<string, Provider>();
  for (const url of urls) {
    const client = createOllamaClient({ baseUrl: url, connectTimeoutMs, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs, maxResponseBytes: maxUpstreamBytes, log });
    clients.set(url, client);
    providers.set(url, createOllamaProvider({ client }));
  }
  const builtin = createBuiltinProvider();
  const first = urls[0];

  return {
    sources: urls.map((url) => ({
      url,
      listModels: async (signal) => (await clients.get(url)!.tags({ signal })).models,
    })),
    forModel(model) {
      if (model.provider === 'builtin') return builtin;
      return providers.get(model.upstream ?? first) ?? providers.get(first)!;
    },
    clientFor(model) {
      return clients.get(model.upstream ?? first) ?? clients.get(first)!;
    },
    clients: [...clients.values()],
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
    },
  };
}
