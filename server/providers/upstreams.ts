/**
 * The provider registry, keyed by provider kind ("ollama", "builtin"), and the upstream servers built
 * from the Upstream rows. A model's requests take a slot from the scheduler, which picks the server;
 * a second kind (an OpenAI-compatible server, llama.cpp) is one more entry in KINDS.
 */
import type { Model } from '../db/generated/client.ts';
import type { UpstreamSource } from '../catalogue/catalogue.ts';
import type { ChangeFeed } from '../db/change-feed.ts';
import { isGatewayError } from '../errors.ts';
import type { ProviderResolver } from '../inference/service.ts';
import {
  createScheduler,
  serverEntry,
  type AcquireInput,
  type Lease,
  type Scheduler,
  type ServerConnection,
  type ServerEntry,
  type SlotGate,
} from '../scheduler/scheduler.ts';
import { listServers, seedServers } from '../scheduler/servers.ts';
import { createBuiltinProvider } from './builtin.ts';
import { createOllamaClient, type FailureLog, type OllamaClient } from './ollama/client.ts';
import { createOllamaProvider } from './ollama/provider.ts';
import type { Log } from '../log.ts';

/** Connects to one server of a kind. */
type ConnectKind = (args: {
  url: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  maxUpstreamBytes?: number;
  log?: FailureLog;
}) => ServerConnection & { listModels(signal?: AbortSignal): Promise<UpstreamModelList> };
type UpstreamModelList = Awaited<ReturnType<UpstreamSource['listModels']>>;

/** Ollama's own failures that another server may not have: refused, reset, timeouts, 5xx; its 503 "server busy" (a full queue) and a missing model move the request without counting against the server. */
function classifyOllamaFailure(err: unknown): 'retry' | 'busy' | 'fatal' {
  if (!isGatewayError(err)) return 'fatal';
  if (err.code === 'upstream_unavailable' || err.code === 'upstream_timeout') return 'retry';
  // The server no longer has the model (deleted since the last sync): another one may.
  if (err.code === 'model_not_found') return 'busy';
  if (err.code !== 'upstream_error') return 'fatal';
  const status = Number(/^Ollama answered HTTP (\d{3})\b/.exec((err.cause as Error | undefined)?.message ?? '')?.[1]);
  if (status === 503 && /server busy/i.test(err.message)) return 'busy';
  return status >= 500 ? 'retry' : 'fatal';
}

const ollamaKind: ConnectKind = ({ url, connectTimeoutMs, timeoutMs, maxUpstreamBytes, log }) => {
  const client = createOllamaClient({
    baseUrl: url,
    connectTimeoutMs,
    headersTimeoutMs: timeoutMs,
    bodyTimeoutMs: timeoutMs,
    maxResponseBytes: maxUpstreamBytes,
    log,
  });
  return Object.assign(
    {
      provider: createOllamaProvider({ client }),
      async probe(signal: AbortSignal) {
        const [{ version }, { models }] = await Promise.all([client.version({ signal }), client.ps({ signal })]);
        return { version, loaded: models.map((m) => ({ name: m.name, sizeVram: m.size_vram, expiresAt: m.expires_at ?? null })) };
      },
      classify: classifyOllamaFailure,
      listModels: async (signal?: AbortSignal) => (await client.tags({ signal })).models,
      close: () => client.close(),
    },
    { client },
  );
};

const KINDS: Record<string, ConnectKind> = { ollama: ollamaKind };

type Connection = ReturnType<ConnectKind> & { client?: OllamaClient };

export interface Upstreams extends ProviderResolver {
  /** What the catalogue syncs from: every server not disabled (a live array). */
  sources: UpstreamSource[];
  scheduler: Scheduler;
  /** The Ollama client of a server that lists the model (for Ollama-native calls such as /api/show). */
  clientFor(model: Model): OllamaClient;
  /** Routing asks this which servers list a model (the catalogue, once it exists). */
  bind(opts: { serversOf: (modelId: string) => readonly string[] }): void;
  /** Re-reads the Upstream rows (after an admin change, here or on another replica). */
  reload(): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

export async function createUpstreams({
  urls,
  connectTimeoutMs,
  timeoutMs,
  maxUpstreamBytes,
  parallel,
  queueMax,
  queueTimeoutMs,
  healthIntervalMs,
  changes,
  log,
  gate,
}: {
  urls: string[];
  connectTimeoutMs: number;
  timeoutMs: number;
  /** The largest answer relayed from a server (MAX_UPSTREAM_BYTES). */
  maxUpstreamBytes?: number;
  /** Slots of a server whose row sets none (OLLAMA_PARALLEL). */
  parallel: number;
  queueMax: number;
  queueTimeoutMs: number;
  healthIntervalMs: number;
  changes?: ChangeFeed;
  log: Pick<Log, 'info' | 'warn'>;
  /** The servers' slots counted across replicas (REDIS_URL). */
  gate?: SlotGate;
}): Promise<Upstreams> {
  let serversOf: (id: string) => readonly string[] = () => [];
  const scheduler = createScheduler({ serversOf: (id) => serversOf(id), queueMax, queueTimeoutMs, healthIntervalMs, log, gate });
  const builtin = createBuiltinProvider();
  const builtinLease: Lease = {
    waitedMs: 0,
    server: null,
    release() {},
    stream: (req, signal) => builtin.stream(req, signal),
    // echo has toy embeddings (its provider says it supports them): the lease must offer them too.
    embed: (req, signal) => builtin.embed!(req, signal),
  };
  const sources: UpstreamSource[] = [];
  const connections = new Map<string, Connection>();
  let entries: ServerEntry[] = [];
  // Never called: it only tells the service which calls the kind supports (whole answers, embeddings).
  const capabilities = createOllamaProvider({ client: null as unknown as OllamaClient });

  const reload = async () => {
    const rows = await listServers();
    const old = new Map(entries.map((e) => [e.id, e]));
    const next: ServerEntry[] = [];
    const closing: Connection[] = [];
    for (const row of rows) {
      const connect = KINDS[row.kind];
      if (!connect) continue;
      const slots = row.parallel ?? parallel;
      const prev = old.get(row.id);
      // Same server, same URL: keep the entry itself, so in-flight counts and health carry over.
      if (prev && prev.url === row.url && prev.kind === row.kind) {
        Object.assign(prev, { name: row.name, state: row.state, parallel: row.parallel, slots });
        next.push(prev);
        continue;
      }
      if (prev) closing.push(connections.get(prev.id)!);
      const conn: Connection = connect({ url: row.url, connectTimeoutMs, timeoutMs, maxUpstreamBytes, log });
      connections.set(row.id, conn);
      next.push(serverEntry({ row, conn, defaultSlots: parallel }));
    }
    for (const [id, e] of old) {
      if (rows.some((r) => r.id === id)) continue;
      closing.push(connections.get(e.id)!);
      connections.delete(id);
    }
    entries = next;
    sources.length = 0;
    for (const e of entries) {
      if (e.state === 'DISABLED') continue;
      const conn = connections.get(e.id)!;
      sources.push({ id: e.id, url: e.url, listModels: (signal) => conn.listModels(signal) });
    }
    scheduler.setServers(entries);
    // In-flight requests on a removed or moved server finish first (undici closes after them).
    for (const c of closing) void c.close().catch(() => {});
  };

  await seedServers({ urls });
  await reload();
  changes?.on('upstream', () => void reload().catch((err) => log.warn({ err: (err as Error).message }, 'could not reload upstream servers')));
  changes?.onResync(() => void reload().catch(() => {}));

  /** The Ollama client of a server that lists the model: a healthy one first. */
  const clientFor = (model: Model): OllamaClient => {
    const ids = serversOf(model.id);
    const listed = entries.filter((e) => ids.includes(e.id) && e.state !== 'DISABLED');
    const pick = listed.find((e) => e.breaker.state === 'closed') ?? listed[0] ?? entries[0];
    return connections.get(pick?.id)?.client ?? ollamaClients()[0];
  };
  const ollamaClients = () => entries.flatMap((e) => (e.kind === 'ollama' && connections.get(e.id)?.client ? [connections.get(e.id)!.client!] : []));

  return {
    sources,
    scheduler,
    forModel: (model) => (model.provider === 'builtin' ? builtin : capabilities),
    acquire: (input: AcquireInput) => (input.model.provider === 'builtin' ? Promise.resolve(builtinLease) : scheduler.acquire(input)),
    nativeFor: (model) => (model ? clientFor(model) : ollamaClients()[0]),
    nativeServers: () => ollamaClients(),
    clientFor,
    bind(opts) {
      serversOf = opts.serversOf;
    },
    reload,
    start: () => scheduler.start(),
    async close() {
      scheduler.close();
      await Promise.all([...connections.values()].map((c) => c.close()));
    },
  };
}
