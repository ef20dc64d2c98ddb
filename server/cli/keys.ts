/**
 * The operator's keys CLI: works whether or not the gateway is running. With the gateway running on
 * the embedded database it connects to that database through its socket, found from DATA_DIR alone;
 * otherwise it starts the embedded database itself for the duration of the command. An external
 * DATABASE_URL is migrated first. Changes reach running gateways at once (LISTEN/NOTIFY).
 *
 *   npm run keys -- create --name NAME --tier standard|premium [--rpm N] [--tpm N] [--admin | --team-admin]
 *                          [--weight N] [--max-concurrent N] [--models a,b] [--expires 2027-01-01|30d] [--team NAME|ID] [--json]
 *                          [--daily-tokens N] [--monthly-tokens N] [--daily-requests N] [--policy JSON]
 *   npm run keys -- update ID [--daily-tokens N|none] [--monthly-tokens N|none] [--daily-requests N|none] [--policy JSON|none] [--json]
 *   npm run keys -- tier-policy standard|premium [--policy JSON|none]
 *   npm run keys -- team-create --name NAME [--rpm N] [--tpm N] [--daily-tokens N] [--monthly-tokens N] [--daily-requests N]
 *                               [--webhook URL] [--policy JSON] [--json]
 *   npm run keys -- teams [--json]
 *   npm run keys -- list [--json]
 *   npm run keys -- revoke ID
 *   npm run keys -- rotate ID [--grace SECONDS] [--json]
 *   npm run keys -- audit [--action key.revoke|key|...] [--key ID] [--limit N] [--json]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cliActor, listAudit } from '../audit/audit.ts';
import { createApiKey, revokeApiKey, rotateApiKey, updateApiKey } from '../auth/api-keys.ts';
import { keyStatus } from '../auth/key-rules.ts';
import { ConfigError, loadConfig, readEnvironment } from '../config.ts';
import { closeDatabase, openDatabase, prisma } from '../db/client.ts';
import { embeddedConnectionString, runningGateway } from '../db/embedded.ts';
import { applyMigrations } from '../db/migrate.ts';
import { oneLine, openGatewayDatabase, StartupError } from '../database.ts';
import { isGatewayError } from '../errors.ts';
import { createTeam, findTeam } from '../teams/teams.ts';
import type { Prisma, Team } from '../db/generated/client.ts';
import { createLogger } from '../log.ts';
import { listTierPolicies, setTierPolicy } from '../policy/admin.ts';
import { parsePolicy } from '../policy/policy.ts';

const USAGE = `Usage:
  npm run keys -- create --name NAME --tier standard|premium [--rpm N] [--tpm N] [--admin | --team-admin] [--weight N] [--max-concurrent N] [--models a,b] [--expires DATE|30d] [--team NAME|ID] [--policy JSON] [--json]
    --team NAME|ID      put the key in this team (its limits and quotas hold too)
    --team-admin        the key manages its team's keys and sees its team's usage (needs --team)
    --weight N          share of the GPU slots when keys wait (default: standard 1, premium 4)
    --max-concurrent N  most requests running at once; extra ones wait (default: no cap)
    --daily-tokens N    quota of tokens per calendar day (QUOTA_TIMEZONE, UTC by default); --monthly-tokens N per month
    --daily-requests N  quota of requests per calendar day
    --policy JSON       parameter policy, e.g. '{"maxTokens":512,"maxNumCtx":8192,"allowedSurfaces":["openai"],"allowedCidrs":["10.0.0.0/8"]}'
  npm run keys -- update ID [--daily-tokens N|none] [--monthly-tokens N|none] [--daily-requests N|none] [--policy JSON|none] [--json]
                        change a key's quotas ("none" removes one) or replace its own parameter policy (none removes it)
  npm run keys -- tier-policy standard|premium [--policy JSON|none]   (shows, or sets, a tier's parameter policy)
  npm run keys -- team-create --name NAME [--rpm N] [--tpm N] [--daily-tokens N] [--monthly-tokens N] [--daily-requests N] [--webhook URL] [--policy JSON] [--json]
                        a team: its limits, quotas, policy and alert webhook hold for all its keys together
  npm run keys -- teams [--json]
  npm run keys -- list [--json]
  npm run keys -- revoke ID
  npm run keys -- rotate ID [--grace SECONDS] [--json]
  npm run keys -- audit [--action ACTION] [--key ID] [--limit N] [--json]   (who changed what, newest first)`;

class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1 (got "${v}")`);
  return n;
}

/** A quota flag: a whole number, or "none" to remove it (update only). */
function quota(name: string, v: string | undefined, { clearable }: { clearable: boolean }): number | null | undefined {
  if (v === undefined) return undefined;
  if (clearable && v === 'none') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 2_000_000_000)
    throw new UsageError(`--${name} must be a whole number between 1 and 2000000000${clearable ? ' or "none"' : ''} (got "${v}")`);
  return n;
}

function expiry(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const rel = /^(\d+)([dhm])$/.exec(v);
  if (rel) return new Date(Date.now() + Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm']);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--expires must be a date (2027-01-31) or a duration (30d, 12h) (got "${v}")`);
  return d;
}

/** "field: old -> new" for each changed field, on one line. */
function describeChange(before: unknown, after: unknown): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .map((k) => (k in b ? `${k}: ${JSON.stringify(b[k])} -> ${JSON.stringify(a[k])}` : `${k}: ${JSON.stringify(a[k])}`))
    .join('; ')
    .slice(0, 200);
}

/** --policy: JSON text of a parameter policy, validated before anything opens the database; 'none' (or null) for no policy. */
function policyArg(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.trim() === 'none') return null;
  let json: unknown;
  try {
    json = JSON.parse(v);
  } catch (err) {
    throw new UsageError(`--policy must be JSON (got "${v.slice(0, 80)}"): ${(err as Error).message}`);
  }
  try {
    return parsePolicy(json);
  } catch (err) {
    throw new UsageError(`--policy: ${(err as Error).message}`);
  }
}

/** A team as the CLI prints it (the webhook URL is the operator's own setting, shown as set). */
function teamView(t: Team) {
  return {
    id: t.id,
    name: t.name,
    rpm: t.rpmLimit,
    tpm: t.tpmLimit,
    daily_tokens: t.dailyTokens,
    monthly_tokens: t.monthlyTokens,
    daily_requests: t.dailyRequests,
    alert_webhook_url: t.alertWebhookUrl,
    policy: t.policy,
  };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      tier: { type: 'string' },
      rpm: { type: 'string' },
      tpm: { type: 'string' },
      weight: { type: 'string' },
      'max-concurrent': { type: 'string' },
      'daily-tokens': { type: 'string' },
      'monthly-tokens': { type: 'string' },
      'daily-requests': { type: 'string' },
      admin: { type: 'boolean', default: false },
      'team-admin': { type: 'boolean', default: false },
      team: { type: 'string' },
      models: { type: 'string' },
      expires: { type: 'string' },
      grace: { type: 'string' },
      action: { type: 'string' },
      key: { type: 'string' },
      limit: { type: 'string' },
      policy: { type: 'string' },
      webhook: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, id] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!['create', 'update', 'list', 'revoke', 'rotate', 'audit', 'tier-policy', 'team-create', 'teams'].includes(command))
    throw new UsageError(`Unknown command "${command}"`);
  if (command === 'team-create' && !values.name?.trim()) throw new UsageError('team-create needs --name NAME');
  if (command === 'create') {
    if (!values.name?.trim()) throw new UsageError('create needs --name NAME');
    if (values.tier && !['standard', 'premium'].includes(values.tier)) throw new UsageError(`--tier must be standard or premium (got "${values.tier}")`);
    if (values.admin && values['team-admin']) throw new UsageError('--admin and --team-admin cannot go together');
    if (values['team-admin'] && !values.team?.trim()) throw new UsageError('--team-admin needs --team NAME|ID: a team admin manages its own team');
    if (values.team !== undefined && !values.team.trim()) throw new UsageError('--team needs a team name or id');
  }
  if ((command === 'revoke' || command === 'rotate' || command === 'update') && !id) throw new UsageError(`${command} needs the key's ID (see "list")`);
  const clearable = command === 'update';
  const quotas = {
    dailyTokens: quota('daily-tokens', values['daily-tokens'], { clearable }),
    monthlyTokens: quota('monthly-tokens', values['monthly-tokens'], { clearable }),
    dailyRequests: quota('daily-requests', values['daily-requests'], { clearable }),
  };
  const policy = policyArg(values.policy);
  if (command === 'update' && policy === undefined && Object.values(quotas).every((v) => v === undefined))
    throw new UsageError('update needs at least one of --daily-tokens, --monthly-tokens, --daily-requests, --policy');
  if (command === 'tier-policy' && !['standard', 'premium'].includes(id ?? ''))
    throw new UsageError(`tier-policy needs the tier: standard or premium (got "${id ?? ''}")`);
  const input = {
    rpm: positiveInt('rpm', values.rpm),
    tpm: positiveInt('tpm', values.tpm),
    weight: positiveInt('weight', values.weight),
    maxConcurrent: positiveInt('max-concurrent', values['max-concurrent']),
    expires: expiry(values.expires),
    grace: values.grace === undefined ? 0 : Number(values.grace),
    limit: positiveInt('limit', values.limit) ?? 50,
  };
  if (input.limit > 1000) throw new UsageError(`--limit must be at most 1000 (got "${values.limit}")`);
  const actor = cliActor();

  const config = loadConfig(readEnvironment());
  const log = createLogger({ level: 'warn' });
  let stopDb = async () => {};
  if (config.databaseUrl) {
    await applyMigrations({ connectionString: config.databaseUrl }).catch((err) => {
      throw new StartupError(`cannot use the database at DATABASE_URL: ${oneLine(err)}`);
    });
    openDatabase({ connectionString: config.databaseUrl, poolSize: 2 });
  } else if (runningGateway(config.dataDir)) {
    const connectionString = embeddedConnectionString({ dataDir: config.dataDir });
    await reachable(connectionString).catch((err) => {
      throw new StartupError(`cannot reach the database of the gateway running in DATA_DIR ${config.dataDir}: ${oneLine(err)}`);
    });
    openDatabase({ connectionString, poolSize: 2 });
  } else {
    const db = await openGatewayDatabase({ config, log });
    openDatabase({ connectionString: db.connectionString, poolSize: 2 });
    stopDb = db.stop;
  }

  try {
    switch (command) {
      case 'create': {
        const team = values.team ? await findTeam(values.team) : null;
        const { key, secret } = await createApiKey({
          name: values.name!,
          role: values.admin ? 'ADMIN' : values['team-admin'] ? 'TEAM_ADMIN' : 'USER',
          teamId: team?.id ?? null,
          tier: values.tier === 'premium' ? 'PREMIUM' : 'STANDARD',
          rpmLimit: input.rpm ?? null,
          tpmLimit: input.tpm ?? null,
          weight: input.weight ?? null,
          maxConcurrent: input.maxConcurrent ?? null,
          allowedModels: values.models
            ? values.models
                .split(',')
                .map((m) => m.trim())
                .filter(Boolean)
            : [],
          expiresAt: input.expires ?? null,
          dailyTokens: quotas.dailyTokens ?? null,
          monthlyTokens: quotas.monthlyTokens ?? null,
          dailyRequests: quotas.dailyRequests ?? null,
          policy: policy ?? null,
          actor,
        });
        if (values.json)
          console.log(
            JSON.stringify({
              id: key.id,
              key: secret,
              name: key.name,
              prefix: key.prefix,
              role: key.role.toLowerCase(),
              tier: key.tier.toLowerCase(),
              rpm: key.rpmLimit,
              tpm: key.tpmLimit,
              weight: key.weight,
              max_concurrent: key.maxConcurrent,
              daily_tokens: key.dailyTokens,
              monthly_tokens: key.monthlyTokens,
              daily_requests: key.dailyRequests,
              expires_at: key.expiresAt,
              team: team?.name ?? null,
              team_id: team?.id ?? null,
            }),
          );
        else
          console.log(
            `Created key ${key.id} (${key.name}, ${key.role.toLowerCase()}, ${key.tier.toLowerCase()}${team ? `, team ${team.name}` : ''}).\n\n  ${secret}\n\nThis is the only time the key is shown: store it now.`,
          );
        return 0;
      }
      case 'update': {
        const key = await updateApiKey({ id: id!, ...quotas, ...(policy !== undefined ? { policy } : {}), actor });
        const shown = { daily_tokens: key.dailyTokens, monthly_tokens: key.monthlyTokens, daily_requests: key.dailyRequests, policy: key.policy };
        if (values.json) console.log(JSON.stringify({ id: key.id, name: key.name, ...shown }));
        else
          console.log(
            `Updated key ${key.id} (${key.name}): ${Object.entries(shown)
              .map(([k, v]) => `${k.replace('_', ' ')} ${v == null ? 'none' : typeof v === 'object' ? JSON.stringify(v) : v}`)
              .join(', ')}.`,
          );
        return 0;
      }
      case 'list': {
        const keys = await prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' }, include: { team: { select: { name: true } } } });
        const rows = keys.map((k) => ({
          id: k.id,
          name: k.name,
          prefix: k.prefix,
          role: k.role.toLowerCase(),
          tier: k.tier.toLowerCase(),
          team: k.team?.name ?? null,
          rpm: k.rpmLimit,
          weight: k.weight,
          max_concurrent: k.maxConcurrent,
          daily_tokens: k.dailyTokens,
          monthly_tokens: k.monthlyTokens,
          daily_requests: k.dailyRequests,
          status: keyStatus(k).toLowerCase(),
          expires_at: k.expiresAt,
          last_used_at: k.lastUsedAt,
          created_at: k.createdAt,
        }));
        if (values.json) console.log(JSON.stringify(rows));
        else if (!rows.length) console.log('No keys.');
        else
          console.table(
            rows.map(({ created_at, last_used_at, expires_at, ...r }) => ({
              ...r,
              team: r.team ?? '',
              expires: expires_at?.toISOString() ?? '',
              last_used: last_used_at?.toISOString() ?? 'never',
            })),
          );
        return 0;
      }
      case 'audit': {
        const { nodes } = await listAudit({ filter: { action: values.action, targetId: values.key }, first: input.limit });
        const rows = nodes.map((e) => ({
          at: e.createdAt.toISOString(),
          who: e.actorName,
          actor_key_id: e.actorKeyId,
          surface: e.surface,
          ip: e.ip,
          action: e.action,
          target: e.targetId,
          before: e.before,
          after: e.after,
        }));
        if (values.json) console.log(JSON.stringify(rows));
        else if (!rows.length) console.log('No audit entries.');
        else
          console.table(
            rows.map(({ before, after, actor_key_id, ...r }) => ({ ...r, ip: r.ip ?? '', target: r.target ?? '', change: describeChange(before, after) })),
          );
        return 0;
      }
      case 'tier-policy': {
        const tier = id === 'premium' ? 'PREMIUM' : 'STANDARD';
        const entry =
          policy === undefined
            ? ((await listTierPolicies()).find((r) => r.tier === tier) ?? { tier, policy: null })
            : await setTierPolicy({ tier, policy, actor });
        console.log(
          values.json
            ? JSON.stringify({ tier: tier.toLowerCase(), policy: entry.policy })
            : `Tier ${tier.toLowerCase()}: policy ${JSON.stringify(entry.policy)}.`,
        );
        return 0;
      }
      case 'team-create': {
        const team = await createTeam({
          input: {
            name: values.name!,
            rpmLimit: input.rpm ?? null,
            tpmLimit: input.tpm ?? null,
            dailyTokens: quotas.dailyTokens ?? null,
            monthlyTokens: quotas.monthlyTokens ?? null,
            dailyRequests: quotas.dailyRequests ?? null,
            alertWebhookUrl: values.webhook ?? null,
            policy: (policy as Prisma.InputJsonValue | null | undefined) ?? null,
          },
          actor,
        });
        if (values.json) console.log(JSON.stringify(teamView(team)));
        else console.log(`Created team ${team.id} (${team.name}). Put keys in it with: npm run keys -- create --name NAME --team "${team.name}"`);
        return 0;
      }
      case 'teams': {
        const teams = await prisma.team.findMany({ orderBy: { name: 'asc' }, include: { _count: { select: { keys: true } } } });
        if (values.json) console.log(JSON.stringify(teams.map((t) => ({ ...teamView(t), keys: t._count.keys }))));
        else if (!teams.length) console.log('No teams.');
        else
          for (const t of teams) {
            const v = teamView(t);
            const set = Object.entries(v)
              .filter(([k, x]) => x != null && k !== 'id' && k !== 'name')
              .map(([k, x]) => `${k.replaceAll('_', ' ')} ${typeof x === 'object' ? JSON.stringify(x) : x}`);
            console.log(`${t.id}  ${t.name}  (${t._count.keys} keys)${set.length ? `  ${set.join(', ')}` : ''}`);
          }
        return 0;
      }
      case 'revoke': {
        const key = await revokeApiKey({ id: id!, actor });
        console.log(`Revoked key ${key.id} (${key.name}).`);
        return 0;
      }
      default: {
        const { key, secret } = await rotateApiKey({ id: id!, graceSeconds: input.grace, actor });
        if (values.json) console.log(JSON.stringify({ id: key.id, key: secret, previous_expires_at: key.previousExpiresAt }));
        else
          console.log(
            `Rotated key ${key.id}. New secret (shown once):\n\n  ${secret}\n\n${input.grace > 0 ? `The old secret works until ${key.previousExpiresAt?.toISOString()}.` : 'The old secret no longer works.'}`,
          );
        return 0;
      }
    }
  } finally {
    await closeDatabase();
    await stopDb();
  }
}

/** Connects once, so that an unreachable database is one sentence rather than a Prisma error. */
async function reachable(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => {});
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) console.error(`${err.message}\n\n${USAGE}`);
    else if (err instanceof ConfigError || isGatewayError(err)) console.error(err.message);
    else console.error(`keys: ${err instanceof StartupError ? err.message : oneLine(err)}`);
    process.exit(isGatewayError(err) && err.status === 404 ? 3 : 2);
  });
