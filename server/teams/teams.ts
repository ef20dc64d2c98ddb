/**
 * Teams: a group of keys with its own limits, quotas, parameter policy and alert webhook, which hold
 * in addition to each key's. The keys CLI and GraphQL create, change and delete teams here; every
 * change is audited in its own transaction and announced on the change feed ('team'), so every
 * replica's key store rebuilds the principals of the team's keys at once.
 *
 * @example
 *   const team = await createTeam({ input: { name: 'Research', dailyTokens: 1_000_000 }, actor });
 *   await updateTeam({ id: team.id, patch: { rpmLimit: 600 }, actor });
 *   await deleteTeam({ id: team.id, actor }); // its keys stay, in no team
 */
import { type Actor, changes, cliActor, teamSnapshot, writeAudit } from '../audit/audit.ts';
import { prisma } from '../db/client.ts';
import { publishChange } from '../db/change-feed.ts';
import { Prisma, type Team } from '../db/generated/client.ts';
import { errors } from '../errors.ts';

export interface TeamFields {
  name?: string;
  description?: string;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  dailyTokens?: number | null;
  monthlyTokens?: number | null;
  dailyRequests?: number | null;
  /** Parameter policy as stored (server/policy serialises it); null clears it. */
  policy?: Prisma.InputJsonValue | null;
  alertWebhookUrl?: string | null;
}

const MAX_INT = 2_147_483_647;
const LIMITS: Record<'rpmLimit' | 'tpmLimit' | 'dailyTokens' | 'monthlyTokens' | 'dailyRequests', number> = {
  rpmLimit: 1_000_000,
  tpmLimit: 100_000_000,
  dailyTokens: MAX_INT,
  monthlyTokens: MAX_INT,
  dailyRequests: MAX_INT,
};

/** Checks and normalises a team's fields; a 400 naming the field for anything wrong. */
function validate(fields: TeamFields): TeamFields {
  const out: TeamFields = { ...fields };
  if (fields.name !== undefined) {
    const name = fields.name.trim();
    if (!name) throw errors.invalidRequest('name must not be empty');
    if (name.length > 100) throw errors.invalidRequest('name must be at most 100 characters');
    out.name = name;
  }
  if (fields.description !== undefined) {
    if (fields.description.length > 500) throw errors.invalidRequest('description must be at most 500 characters');
    out.description = fields.description.trim();
  }
  for (const [field, max] of Object.entries(LIMITS) as Array<[keyof typeof LIMITS, number]>) {
    const v = fields[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1 || v > max))
      throw errors.invalidRequest(`${field} must be a whole number between 1 and ${max}, or null for none`);
  }
  if (fields.alertWebhookUrl !== undefined && fields.alertWebhookUrl !== null) {
    const raw = fields.alertWebhookUrl.trim();
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || raw.length > 2000)
      throw errors.invalidRequest('alertWebhookUrl must be an http:// or https:// URL of at most 2000 characters');
    out.alertWebhookUrl = raw;
  }
  return out;
}

/** Prisma's JSON column takes DbNull to clear it. */
function data(fields: TeamFields) {
  const { policy, ...rest } = fields;
  return { ...rest, ...(policy === undefined ? {} : { policy: policy === null ? Prisma.DbNull : policy }) };
}

/** Names are unique whatever their case: "research" and "Research" would be the same team to a person. */
async function nameFree(tx: Pick<typeof prisma, 'team'>, name: string | undefined, id?: string) {
  if (name === undefined) return;
  const clash = await tx.team.findFirst({ where: { name: { equals: name, mode: 'insensitive' }, ...(id ? { id: { not: id } } : {}) }, select: { id: true } });
  if (clash) throw errors.invalidRequest(`A team named '${name}' already exists; team names are unique`);
}

/** A unique-name clash as the 400 it is, whichever transaction saw it first. */
function nameTaken(err: unknown, name: string | undefined): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
    throw errors.invalidRequest(`A team named '${name ?? ''}' already exists; team names are unique`);
  throw err;
}

export async function createTeam({ input, actor = cliActor() }: { input: TeamFields & { name: string }; actor?: Actor }): Promise<Team> {
  const fields = validate(input);
  const team = await prisma
    .$transaction(async (tx) => {
      await nameFree(tx, fields.name);
      const created = await tx.team.create({ data: { ...data(fields), name: fields.name! } });
      await writeAudit({ db: tx, actor, action: 'team.create', targetType: 'team', targetId: created.id, after: teamSnapshot(created) });
      return created;
    })
    .catch((err) => nameTaken(err, fields.name));
  await publishChange({ kind: 'team', id: team.id });
  return team;
}

export async function updateTeam({ id, patch, actor = cliActor() }: { id: string; patch: TeamFields; actor?: Actor }): Promise<Team> {
  const fields = validate(patch);
  const team = await prisma
    .$transaction(async (tx) => {
      const existing = await tx.team.findUnique({ where: { id } });
      if (!existing) throw errors.notFound(`No team with id '${id}'`);
      await nameFree(tx, fields.name, id);
      const updated = await tx.team.update({ where: { id }, data: data(fields) });
      const diff = changes(teamSnapshot(existing), teamSnapshot(updated));
      if (Object.keys(diff.after).length) await writeAudit({ db: tx, actor, action: 'team.update', targetType: 'team', targetId: id, ...diff });
      return updated;
    })
    .catch((err) => nameTaken(err, fields.name));
  await publishChange({ kind: 'team', id });
  return team;
}

/** Deletes a team; its keys stay and belong to no team (the foreign key sets them null). */
export async function deleteTeam({ id, actor = cliActor() }: { id: string; actor?: Actor }): Promise<Team> {
  const { team, keyIds } = await prisma.$transaction(async (tx) => {
    const existing = await tx.team.findUnique({ where: { id }, include: { keys: { select: { id: true } } } });
    if (!existing) throw errors.notFound(`No team with id '${id}'`);
    const { keys, ...row } = existing;
    await tx.team.delete({ where: { id } });
    await writeAudit({
      db: tx,
      actor,
      action: 'team.delete',
      targetType: 'team',
      targetId: id,
      before: { ...teamSnapshot(row), keyIds: keys.map((k) => k.id) },
    });
    return { team: row, keyIds: keys.map((k) => k.id) };
  });
  await publishChange({ kind: 'team', id });
  for (const keyId of keyIds) await publishChange({ kind: 'key', id: keyId });
  return team;
}

/** A team by id or by (exact) name, for the CLI's --team; a 404 naming what was asked for. */
export async function findTeam(idOrName: string): Promise<Team> {
  const team =
    (await prisma.team.findUnique({ where: { id: idOrName } })) ??
    (await prisma.team.findFirst({ where: { name: { equals: idOrName.trim(), mode: 'insensitive' } } }));
  if (!team) throw errors.notFound(`No team with id or name '${idOrName}'`);
  return team;
}
