/**
 * The model catalogue: which models exist, whether they are active, and their default parameters.
 * The database holds it; this module keeps an in-memory copy for the hot path, synced from every
 * Ollama server's /api/tags. Sync adds new models and refreshes what Ollama owns (details,
 * availability) but never overwrites what an admin edits (name, description, active, defaults).
 */
import { prisma } from '../db/client.ts';
import { publishChange, type ChangeFeed } from '../db/change-feed.ts';
import type { Model, Prisma } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { BUILTIN_MODELS } from '../providers/builtin.ts';
import type { Log } from '../log.ts';

/** Documented default parameters given to a model when it first appears. */
const DEFAULT_PARAMETERS = { temperature: 0.7, topP: 0.9, topK: 40 };

interface UpstreamModel {
  name: string;
  size?: number;
  digest?: string;
  modified_at?: string;
  details?: object;
}

export interface UpstreamSource {
  /** The Upstream row's id (its ModelServer rows say which models it lists). */
  id: string;
  url: string;
  listModels(signal?: AbortSignal): Promise<UpstreamModel[]>;
}

export interface SyncResult {
  upstream: string;
  ok: boolean;
  error?: string;
  added: string[];
  seen: number;
  missing: string[];
}

interface UpdateModelInput {
  id: string;
  name?: string;
  description?: string;
  isActive?: boolean;
  temperature?: number | null;
  topP?: number | null;
  topK?: number | null;
  promptPricePerMTok?: number | null;
  completionPricePerMTok?: number | null;
}

export interface Catalogue {
  /** An active, available model, or a 404 GatewayError. */
  require(id: string): Model;
  get(id: string): Model | undefined;
  /** Ids of the upstream servers that list a model (empty when none is known). */
  serversOf(id: string): readonly string[];
  /** Active and available models, or all when includeInactive. */
  list(opts?: { includeInactive?: boolean }): Model[];
  sync(): Promise<SyncResult[]>;
  update(input: UpdateModelInput): Promise<Model>;
  reload(id?: string): Promise<void>;
  /** Sync now, then every intervalMs; failures are logged and retried, never fatal. */
  startSync(intervalMs: number): void;
  close(): void;
}

type Logger = Pick<Log, 'info' | 'warn'>;

function describeUpstream(m: UpstreamModel): string {
  const d = (m.details ?? {}) as Record<string, string | undefined>;
  const parts = [
    d.family && `${d.family} family`,
    d.parameter_size && `${d.parameter_size} parameters`,
    d.quantization_level && `${d.quantization_level} quantization`,
  ].filter(Boolean);
  return parts.length ? `Ollama model (${parts.join(', ')})` : 'Ollama model';
}

/** "llama2:7b" -> "Llama2 7b" */
function prettyName(id: string): string {
  const [base, tag] = id.split(':');
  const words = base
    .split(/[-_/]/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return tag && tag !== 'latest' ? `${words.join(' ')} ${tag.toUpperCase()}` : words.join(' ');
}

export async function createCatalogue({
  sources,
  builtin,
  changes,
  log,
}: {
  sources: UpstreamSource[];
  builtin: boolean;
  changes?: ChangeFeed;
  log: Logger;
}): Promise<Catalogue> {
  const models = new Map<string, Model>();
  // Model id -> ids of the servers that list it (the ModelServer rows), for routing.
  let listing = new Map<string, string[]>();
  const noServers: readonly string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let syncing: Promise<SyncResult[]> | undefined;

  // The sorted lists /api/models serves on every call, rebuilt only when the catalogue changes.
  let sorted: { all: Model[]; usable: Model[] } | undefined;
  const changed = () => {
    sorted = undefined;
  };

  // The cached lists are dropped after the rows change, not before: a list() while the query runs
  // would otherwise cache the old rows again.
  const reloadListing = async () => {
    const next = new Map<string, string[]>();
    for (const row of await prisma.modelServer.findMany({ select: { modelId: true, upstreamId: true } })) {
      const ids = next.get(row.modelId);
      if (ids) ids.push(row.upstreamId);
      else next.set(row.modelId, [row.upstreamId]);
    }
    listing = next;
  };

  const reload = async (id?: string) => {
    await reloadListing();
    if (id) {
      const m = await prisma.model.findUnique({ where: { id } });
      if (m) models.set(m.id, m);
      else models.delete(id);
    } else {
      const all = await prisma.model.findMany();
      models.clear();
      for (const m of all) models.set(m.id, m);
    }
    changed();
  };

  // Built-in models are catalogue rows like any other, so admins can rename or deactivate them.
  for (const b of BUILTIN_MODELS) {
    await prisma.model.upsert({
      where: { id: b.id },
      create: { ...b, provider: 'builtin', available: builtin, ...DEFAULT_PARAMETERS },
      update: { provider: 'builtin', available: builtin, upstream: null },
    });
  }
  await reload();
  // '*' (a sync added or lost models) reloads all; any other id, that one model.
  changes?.on('model', (id) => void (id === '*' ? reload() : reload(id)).catch(() => {}));
  changes?.onResync(() => void reload().catch(() => {}));

  const syncOne = async (source: UpstreamSource): Promise<SyncResult> => {
    const result: SyncResult = { upstream: source.url, ok: true, added: [], seen: 0, missing: [] };
    let listed: UpstreamModel[];
    try {
      listed = await source.listModels(AbortSignal.timeout(15_000));
    } catch (err) {
      return { ...result, ok: false, error: (err as Error).message };
    }
    result.seen = listed.length;
    const now = new Date();
    for (const m of listed) {
      const details = { ...(m.details ?? {}), size: m.size, digest: m.digest, modified_at: m.modified_at } as Prisma.InputJsonValue;
      const existing = models.get(m.name);
      if (existing?.provider === 'builtin') continue;
      await prisma.model.upsert({
        where: { id: m.name },
        create: {
          id: m.name,
          name: prettyName(m.name),
          description: describeUpstream(m),
          provider: 'ollama',
          upstream: source.url,
          available: true,
          details,
          lastSeenAt: now,
          ...DEFAULT_PARAMETERS,
        },
        update: { upstream: source.url, available: true, details, lastSeenAt: now },
      });
      if (!existing) result.added.push(m.name);
    }
    const ids = listed.filter((m) => models.get(m.name)?.provider !== 'builtin').map((m) => m.name);
    await prisma.modelServer.createMany({ data: ids.map((modelId) => ({ modelId, upstreamId: source.id, lastSeenAt: now })), skipDuplicates: true });
    await prisma.modelServer.updateMany({ where: { upstreamId: source.id, modelId: { in: ids } }, data: { lastSeenAt: now } });
    // Models this server used to list and no longer does; they stay available while another server lists them.
    const gone = await prisma.modelServer.findMany({ where: { upstreamId: source.id, modelId: { notIn: ids } }, select: { modelId: true } });
    if (gone.length) {
      await prisma.modelServer.deleteMany({ where: { upstreamId: source.id, modelId: { in: gone.map((g) => g.modelId) } } });
      result.missing = gone.map((g) => g.modelId);
    }
    return result;
  };

  // Whether each server answered its last sync, so that only changes are logged.
  const reachable = new Map<string, boolean>();
  // A sync asked for while one runs gets a fresh one after it (the running one may predate a new server).
  let again: Promise<SyncResult[]> | undefined;
  const sync = (): Promise<SyncResult[]> => {
    if (syncing) {
      return (again ??= syncing
        .catch(() => [])
        .then(() => {
          again = undefined;
          return sync();
        }));
    }
    syncing = (async () => {
      try {
        const results = await Promise.all(sources.map(syncOne));
        // A model no server lists any more is unavailable (a server that could not be reached keeps its rows).
        await prisma.model.updateMany({ where: { provider: 'ollama', available: true, servers: { none: {} } }, data: { available: false } });
        await reload();
        // Logged when something changes (a server goes down or comes back, models come or go), not every interval.
        for (const r of results) {
          const was = reachable.get(r.upstream);
          reachable.set(r.upstream, r.ok);
          if (r.ok && (was !== true || r.added.length || r.missing.length)) {
            log.info(
              { upstream: r.upstream, models: r.seen, added: r.added, missing: r.missing },
              was === false ? 'Ollama reachable again; synced models' : 'synced models from Ollama',
            );
          } else if (!r.ok && was !== false)
            log.warn({ upstream: r.upstream, error: r.error }, 'could not reach Ollama to sync models; will retry (logged again when it answers)');
        }
        if (results.some((r) => r.added.length || r.missing.length)) await publishChange({ kind: 'model', id: '*' }).catch(() => {});
        return results;
      } finally {
        syncing = undefined;
      }
    })();
    return syncing;
  };

  const usable = (m: Model | undefined) => !!m && m.isActive && m.available;

  return {
    require(id) {
      const m = models.get(id);
      if (!usable(m)) throw errors.modelNotFound(id);
      return m!;
    },
    get: (id) => models.get(id),
    serversOf: (id) => listing.get(id) ?? noServers,
    list({ includeInactive = false } = {}) {
      if (!sorted) {
        const all = [...models.values()].sort((a, b) => a.id.localeCompare(b.id));
        sorted = { all, usable: all.filter(usable) };
      }
      return includeInactive ? sorted.all : sorted.usable;
    },
    sync,
    async update(input) {
      const { id, ...patch } = input;
      if (patch.name !== undefined && !patch.name.trim()) throw errors.invalidRequest('name must not be empty');
      if (patch.temperature != null && !(patch.temperature >= 0 && patch.temperature <= 2)) throw errors.invalidRequest('temperature must be between 0 and 2');
      if (patch.topP != null && !(patch.topP > 0 && patch.topP <= 1)) throw errors.invalidRequest('topP must be greater than 0 and at most 1');
      if (patch.topK != null && !(Number.isInteger(patch.topK) && patch.topK >= 1)) throw errors.invalidRequest('topK must be a whole number of at least 1');
      for (const k of ['promptPricePerMTok', 'completionPricePerMTok'] as const) {
        const v = patch[k];
        if (v != null && !(Number.isFinite(v) && v >= 0 && v <= 1e9)) throw errors.invalidRequest(`${k} must be a number from 0 to 1000000000`);
      }
      const m = await prisma.model.update({ where: { id }, data: patch }).catch((err) => {
        if ((err as { code?: string }).code === 'P2025') throw errors.notFound(`No model with id '${id}'`);
        throw err;
      });
      models.set(m.id, m);
      changed();
      await publishChange({ kind: 'model', id });
      return m;
    },
    reload,
    startSync(intervalMs) {
      void sync().catch(() => {});
      timer = setInterval(() => void sync().catch(() => {}), intervalMs);
      timer.unref();
    },
    close() {
      clearInterval(timer);
    },
  };
}
