/**
 * The Upstream rows: seeded from OLLAMA_URL, then listed, added, edited, drained, disabled and
 * removed by admins at run time. Every change is published so that each replica rebuilds its servers.
 */
import { prisma } from '../db/client.ts';
import { publishChange } from '../db/change-feed.ts';
import type { Upstream, UpstreamState } from '../db/generated/client.ts';
import { errors } from '../errors.ts';
import { type Actor, changes, cliActor, serverSnapshot, writeAudit } from '../audit/audit.ts';

const MAX_PARALLEL = 256;

export interface AddServerInput {
  name: string;
  url: string;
  parallel?: number | null;
  kind?: string;
}

export interface UpdateServerInput {
  id: string;
  name?: string;
  url?: string;
  parallel?: number | null;
  state?: UpstreamState;
}

const KINDS = new Set(['ollama']);

/** "http://gpu-1:11434/" -> "gpu-1:11434" */
function nameFromUrl(url: string): string {
  const u = new URL(url);
  return u.host + u.pathname.replace(/\/+$/, '');
}

function normalizeUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw errors.invalidRequest(`url must be an http(s) URL, got '${url}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw errors.invalidRequest(`url must be an http(s) URL, got '${url}'`);
  return u.toString().replace(/\/+$/, '');
}

function validate(input: Partial<AddServerInput>): void {
  if (input.name !== undefined && (!input.name.trim() || input.name.length > 100)) throw errors.invalidRequest('name must be 1 to 100 characters');
  const p = input.parallel;
  if (p !== undefined && p !== null && (!Number.isInteger(p) || p < 1 || p > MAX_PARALLEL)) {
    throw errors.invalidRequest(`parallel must be a whole number between 1 and ${MAX_PARALLEL}`);
  }
  if (input.kind !== undefined && !KINDS.has(input.kind)) throw errors.invalidRequest(`kind must be one of: ${[...KINDS].join(', ')}`);
}

const conflict = (err: unknown) => {
  const code = (err as { code?: string }).code;
  if (code === 'P2002') throw errors.invalidRequest('Another server already has this name or URL');
  if (code === 'P2025') throw errors.notFound('No such upstream server');
  throw err;
};

/** Adds a row for each configured URL that has none (an admin's edits and removals of other rows stay). */
export async function seedServers({ urls }: { urls: string[] }): Promise<void> {
  for (const raw of urls) {
    const url = normalizeUrl(raw);
    if (await prisma.upstream.findUnique({ where: { url } })) continue;
    const base = nameFromUrl(url);
    const taken = await prisma.upstream.count({ where: { name: { startsWith: base } } });
    await prisma.upstream.create({ data: { url, name: taken ? `${base}-${taken + 1}` : base } }).catch((err) => {
      if ((err as { code?: string }).code !== 'P2002') throw err; // another replica seeded it first
    });
  }
}

export const listServers = (): Promise<Upstream[]> => prisma.upstream.findMany({ orderBy: { createdAt: 'asc' } });

// Every change of a server row is audited in the same transaction, whoever makes it (GraphQL, the console).
export async function addServer(input: AddServerInput & { actor?: Actor }): Promise<Upstream> {
  validate(input);
  const row = await prisma
    .$transaction(async (tx) => {
      const created = await tx.upstream.create({
        data: { name: input.name.trim(), url: normalizeUrl(input.url), parallel: input.parallel ?? null, kind: input.kind ?? 'ollama' },
      });
      await writeAudit({
        db: tx,
        actor: input.actor ?? cliActor(),
        action: 'server.add',
        targetType: 'server',
        targetId: created.id,
        after: serverSnapshot(created),
      });
      return created;
    })
    .catch(conflict);
  await publishChange({ kind: 'upstream', id: row.id });
  return row;
}

export async function updateServer(input: UpdateServerInput & { actor?: Actor }): Promise<Upstream> {
  validate(input);
  const { id, actor, ...patch } = input;
  const data = { ...patch, name: patch.name?.trim(), url: patch.url === undefined ? undefined : normalizeUrl(patch.url) };
  const row = await prisma
    .$transaction(async (tx) => {
      const before = await tx.upstream.findUnique({ where: { id } });
      const updated = await tx.upstream.update({ where: { id }, data });
      const diff = changes(before ? serverSnapshot(before) : {}, serverSnapshot(updated));
      await writeAudit({ db: tx, actor: actor ?? cliActor(), action: 'server.update', targetType: 'server', targetId: id, ...diff });
      return updated;
    })
    .catch(conflict);
  await publishChange({ kind: 'upstream', id });
  return row;
}

export async function removeServer({ id, actor }: { id: string; actor?: Actor }): Promise<Upstream> {
  const row = await prisma
    .$transaction(async (tx) => {
      const removed = await tx.upstream.delete({ where: { id } });
      await writeAudit({ db: tx, actor: actor ?? cliActor(), action: 'server.remove', targetType: 'server', targetId: id, before: serverSnapshot(removed) });
      return removed;
    })
    .catch(conflict);
  await publishChange({ kind: 'upstream', id });
  return row;
}
