import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Dialog, FormFooter } from '../components/Dialog.tsx';
import { numberText, optionalNumber } from '../components/fields.ts';
import { parsePolicyForm, PolicyFields, type PolicyFormValues, policyFormValues, PolicySummary } from '../components/Policy.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { Link } from '../components/Link.tsx';
import { Empty, ErrorNotice, Loading } from '../components/Notice.tsx';
import { SecretReveal } from '../components/SecretReveal.tsx';
import { formatCompact, formatDate, formatDateTime, formatRelative, startOfMonth, toDateInput } from '../format.ts';
import { graphql } from '../gql';
import type { ApiKeysPageQuery, KeyRole, KeyStatus, KeyTier } from '../gql/graphql.ts';
import { useIsAdmin, useSession } from '../session.ts';
import { roleLabel } from './TeamsPage.tsx';

const PAGE_SIZE = 25;

const ApiKeysPageQueryDoc = graphql(`
  query ApiKeysPage($filter: ApiKeyFilter, $monthStart: DateTime!, $limit: Int!, $after: ID, $admin: Boolean!) {
    apiKeys(filter: $filter, limit: $limit, after: $after) {
      totalCount
      hasNextPage
      endCursor
      nodes {
        id
        name
        prefix
        role
        tier
        rpmLimit
        tpmLimit
        weight
        effectiveWeight
        maxConcurrent
        requestsPerMinute
        allowedModels
        expiresAt
        revokedAt
        lastUsedAt
        status
        previousSecretExpiresAt
        createdAt
        team {
          id
          name
        }
        dailyTokens
        monthlyTokens
        dailyRequests
        quotaState
        policy {
            maxTokens
            maxTokensMode
            maxNumCtx
            maxNumCtxMode
            maxKeepAlive
            maxKeepAliveMode
            forcedOptions
            allowedSurfaces
            allowedCidrs
        }
      }
    }
    teams {
      id
      name
    }
    usage(filter: { from: $monthStart }) {
      byKey {
        apiKeyId
        totals {
          requests
          totalTokens
        }
      }
    }
    models(includeInactive: $admin) {
      id
      isActive
    }
  }
`);

const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
        name
        prefix
      }
    }
  }
`);

const UpdateApiKeyMutation = graphql(`
  mutation UpdateApiKey($input: UpdateApiKeyInput!) {
    updateApiKey(input: $input) {
      id
      name
      role
      tier
      rpmLimit
      tpmLimit
      weight
      effectiveWeight
      maxConcurrent
      requestsPerMinute
      allowedModels
      expiresAt
      team {
        id
        name
      }
      dailyTokens
      monthlyTokens
      dailyRequests
      quotaState
      policy {
          maxTokens
          maxTokensMode
          maxNumCtx
          maxNumCtxMode
          maxKeepAlive
          maxKeepAliveMode
          forcedOptions
          allowedSurfaces
          allowedCidrs
      }
      effectivePolicy {
        maxTokens
        maxNumCtx
        maxKeepAlive
        forcedOptions
        allowedSurfaces
        allowedCidrs
      }
      quota {
        scope
        metric
        limit
        used
        remaining
        resetsAt
      }
    }
  }
`);

const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) {
      id
      revokedAt
      status
    }
  }
`);

const RotateApiKeyMutation = graphql(`
  mutation RotateApiKey($input: RotateApiKeyInput!) {
    rotateApiKey(input: $input) {
      secret
      apiKey {
        id
        prefix
        previousSecretExpiresAt
      }
    }
  }
`);

export type KeyRow = ApiKeysPageQuery['apiKeys']['nodes'][number];
type Modal = { kind: 'create' } | { kind: 'edit'; key: KeyRow } | { kind: 'revoke'; key: KeyRow } | { kind: 'rotate'; key: KeyRow } | null;

const STATUS_BADGE: Record<KeyStatus, string> = { ACTIVE: 'badge-success', REVOKED: 'badge-danger', EXPIRED: 'badge-warning' };

export function ApiKeysPage() {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<KeyStatus | ''>('');
  const [teamFilter, setTeamFilter] = useState('');
  const monthStart = useMemo(() => startOfMonth().toISOString(), []);
  const filter = useMemo(() => ({ search: search.trim() || null, status: status || null, teamId: teamFilter || null }), [search, status, teamFilter]);
  // Cursor paging: the cursors of the pages before this one; a new filter starts again at page one.
  // Cursor paging: the cursors of the pages before this one, for the filter they were made with (a new filter starts at page one).
  const [paging, setPaging] = useState<{ filter: typeof filter; cursors: string[] }>({ filter, cursors: [] });
  const cursors = paging.filter === filter ? paging.cursors : [];
  const setCursors = (next: string[]) => setPaging({ filter, cursors: next });
  const after = cursors.at(-1) ?? null;
  const admin = useIsAdmin();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ApiKeysPageQueryDoc, variables: { filter, monthStart, limit: PAGE_SIZE, after, admin } });
  const [modal, setModal] = useState<Modal>(null);

  const keys = data?.apiKeys.nodes ?? [];
  const usageByKey = new Map((data?.usage.byKey ?? []).map((u) => [u.apiKeyId, u.totals]));
  const modelIds = (data?.models ?? []).map((m) => m.id);
  const teams = data?.teams ?? [];
  const close = () => setModal(null);
  const session = useSession();

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          admin
            ? 'Who may call the gateway, how often, and what they used this month.'
            : `The keys of ${session?.team?.name ?? 'your team'}: who may call the gateway, how often, and what they used this month.`
        }
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setModal({ kind: 'create' })}>
            Create key
          </button>
        }
      />
      <div className="inline-fields" style={{ marginBottom: '1rem' }}>
        <label className="field" style={{ flex: '1 1 16rem' }}>
          <span className="field-label">Search keys</span>
          <input type="search" placeholder="Name or prefix" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="field" style={{ flex: '0 0 12rem' }}>
          <span className="field-label">Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as KeyStatus | '')}>
            <option value="">All</option>
            <option value={'ACTIVE'}>Active</option>
            <option value={'REVOKED'}>Revoked</option>
            <option value={'EXPIRED'}>Expired</option>
          </select>
        </label>
        {admin && teams.length ? (
          <label className="field" style={{ flex: '0 0 12rem' }}>
            <span className="field-label">Team filter</span>
            <select value={teamFilter} onChange={(e) => setTeamFilter(e.target.value)}>
              <option value="">All teams</option>
              {teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {fetching && !data ? (
        <Loading label="Loading keys…" />
      ) : data && keys.length === 0 ? (
        <div className="card">
          <Empty title={filter.search || filter.status || filter.teamId ? 'No key matches' : 'No keys yet'}>
            {filter.search || filter.status || filter.teamId
              ? 'Try another search, status or team.'
              : 'Create a key for each application that calls the gateway.'}
          </Empty>
        </div>
      ) : keys.length ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Role</th>
                <th scope="col">Team</th>
                <th scope="col">Tier</th>
                <th scope="col">Limits</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col" className="num">
                  Requests <span className="sr-only">this month</span>
                </th>
                <th scope="col" className="num">
                  Tokens <span className="sr-only">this month</span>
                </th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => {
                const u = usageByKey.get(k.id);
                const live = k.status === 'ACTIVE';
                return (
                  <tr key={k.id} className={live ? undefined : 'is-inactive'}>
                    <th
                      scope="row"
                      className="cell-main"
                      style={{ textTransform: 'none', letterSpacing: 0, fontSize: '0.9rem', background: 'none', color: 'inherit' }}
                    >
                      <Link to={`/api-keys/${encodeURIComponent(k.id)}`}>{k.name}</Link>
                      {k.allowedModels.length ? <div className="cell-sub">only {k.allowedModels.join(', ')}</div> : null}
                    </th>
                    <td className="mono">{k.prefix}…</td>
                    <td>
                      <span className={k.role === 'USER' ? 'badge' : 'badge badge-accent'}>{roleLabel(k.role)}</span>
                    </td>
                    <td className="small">
                      {k.team ? <Link to={`/teams/${encodeURIComponent(k.team.id)}`}>{k.team.name}</Link> : <span className="muted">none</span>}
                    </td>
                    <td>{k.tier.toLowerCase()}</td>
                    <td className="small">
                      {k.requestsPerMinute}/min{k.rpmLimit != null ? ' (own)' : ''}
                      {k.tpmLimit != null ? <div className="cell-sub">{formatCompact(k.tpmLimit)} tokens/min</div> : null}
                      {k.policy ? (
                        <div className="cell-sub">
                          policy: <PolicySummary policy={k.policy} />
                        </div>
                      ) : null}
                      <div className="cell-sub">
                        weight {k.effectiveWeight}
                        {k.weight != null ? ' (own)' : ''}
                        {k.maxConcurrent != null ? ` · ${k.maxConcurrent} at once` : ''}
                      </div>
                    </td>
                    <td className="small" title={formatDateTime(k.expiresAt)}>
                      {k.expiresAt ? formatDate(k.expiresAt) : 'never'}
                    </td>
                    <td className="small" title={formatDateTime(k.lastUsedAt)}>
                      {formatRelative(k.lastUsedAt)}
                    </td>
                    <td className="num">{formatCompact(u?.requests ?? 0)}</td>
                    <td className="num">{formatCompact(u?.totalTokens ?? 0)}</td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[k.status]}`}>{k.status.toLowerCase()}</span>
                      {k.status === 'ACTIVE' && k.quotaState !== 'OK' ? (
                        <div>
                          <span className={`badge ${k.quotaState === 'EXCEEDED' ? 'badge-danger' : 'badge-warning'}`}>
                            {k.quotaState === 'EXCEEDED' ? 'over quota' : 'near quota'}
                          </span>
                        </div>
                      ) : null}
                      {k.status !== 'REVOKED' && k.previousSecretExpiresAt ? (
                        <div className="cell-sub">old secret until {formatDateTime(k.previousSecretExpiresAt)}</div>
                      ) : null}
                    </td>
                    <td className="actions">
                      {k.status !== 'REVOKED' ? (
                        <>
                          <button type="button" className="btn btn-small" aria-label={`Edit ${k.name}`} onClick={() => setModal({ kind: 'edit', key: k })}>
                            Edit
                          </button>
                          <button type="button" className="btn btn-small" aria-label={`Rotate ${k.name}`} onClick={() => setModal({ kind: 'rotate', key: k })}>
                            Rotate
                          </button>
                          <button
                            type="button"
                            className="btn btn-small btn-danger"
                            aria-label={`Revoke ${k.name}`}
                            onClick={() => setModal({ kind: 'revoke', key: k })}
                          >
                            Revoke
                          </button>
                        </>
                      ) : (
                        <span className="cell-sub">revoked {formatRelative(k.revokedAt)}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? (
        <nav className="pager" aria-label="Pages of keys">
          <button type="button" className="btn btn-small" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
          <span className="muted small">
            {data.apiKeys.totalCount} key{data.apiKeys.totalCount === 1 ? '' : 's'}
            {data.apiKeys.totalCount > keys.length ? `; ${cursors.length * PAGE_SIZE + 1}–${cursors.length * PAGE_SIZE + keys.length} shown` : ''}. Requests and
            tokens count since {formatDate(monthStart)}.
          </span>
          <button
            type="button"
            className="btn btn-small"
            disabled={!data.apiKeys.hasNextPage || !data.apiKeys.endCursor}
            onClick={() => data.apiKeys.endCursor && setCursors([...cursors, data.apiKeys.endCursor])}
          >
            Older
          </button>
        </nav>
      ) : null}

      <Dialog open={modal?.kind === 'create'} title="Create key" onClose={close} wide>
        {modal?.kind === 'create' ? <CreateKeyForm models={modelIds} teams={teams} onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal?.kind === 'edit'} title={modal?.kind === 'edit' ? `Edit ${modal.key.name}` : 'Edit key'} onClose={close} wide>
        {modal?.kind === 'edit' ? <EditKeyForm apiKey={modal.key} models={modelIds} teams={teams} onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal?.kind === 'revoke'} title="Revoke key" onClose={close}>
        {modal?.kind === 'revoke' ? <RevokeKey apiKey={modal.key} onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal?.kind === 'rotate'} title="Rotate key" onClose={close}>
        {modal?.kind === 'rotate' ? <RotateKey apiKey={modal.key} onDone={close} /> : null}
      </Dialog>
    </>
  );
}

export interface KeyFormValues {
  name: string;
  tier: KeyTier;
  rpm: string;
  tpm: string;
  weight: string;
  maxConcurrent: string;
  expires: string;
  models: string[];
  /** '' for no team. */
  teamId: string;
  dailyTokens: string;
  monthlyTokens: string;
  dailyRequests: string;
  policy: PolicyFormValues;
}

const QUOTA_MAX = 2_000_000_000;
const QUOTA_FIELDS = [
  ['dailyTokens', 'Tokens per day'],
  ['monthlyTokens', 'Tokens per month'],
  ['dailyRequests', 'Requests per day'],
] as const;

/** Validates the shared fields; returns the input fields or a message. */
function parseKeyForm(v: KeyFormValues) {
  const rpm = optionalNumber(v.rpm, { int: true });
  const tpm = optionalNumber(v.tpm, { int: true });
  const weight = optionalNumber(v.weight, { int: true });
  const maxConcurrent = optionalNumber(v.maxConcurrent, { int: true });
  if (!v.name.trim()) return 'Give the key a name.';
  if (rpm === 'invalid' || (rpm !== null && (rpm < 1 || rpm > 1_000_000)))
    return 'Requests per minute must be a whole number from 1 to 1,000,000, or empty for the tier default.';
  if (tpm === 'invalid' || (tpm !== null && (tpm < 1 || tpm > 1_000_000)))
    return 'Tokens per minute must be a whole number from 1 to 1,000,000, or empty for no limit.';
  if (weight === 'invalid' || (weight !== null && (weight < 1 || weight > 1000)))
    return 'Weight must be a whole number from 1 to 1,000, or empty for the tier default.';
  if (maxConcurrent === 'invalid' || (maxConcurrent !== null && (maxConcurrent < 1 || maxConcurrent > 1000)))
    return 'At most … at once must be a whole number from 1 to 1,000, or empty for no cap.';
  const quotas: Record<string, number | null> = {};
  for (const [field, label] of QUOTA_FIELDS) {
    const n = optionalNumber(v[field], { int: true });
    if (n === 'invalid' || (n !== null && (n < 1 || n > QUOTA_MAX))) return `${label} must be a whole number from 1 to 2,000,000,000, or empty for no quota.`;
    quotas[field] = n;
  }
  const policy = parsePolicyForm(v.policy);
  if (typeof policy === 'string') return policy;
  // The key works through the whole chosen day, in the admin's time zone.
  const expiresAt = v.expires ? new Date(`${v.expires}T23:59:59`) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) return 'The expiry date must be in the future.';
  return {
    name: v.name.trim(),
    tier: v.tier,
    rpmLimit: rpm,
    tpmLimit: tpm,
    weight,
    maxConcurrent,
    expiresAt: expiresAt?.toISOString() ?? null,
    allowedModels: v.models,
    teamId: v.teamId || null,
    dailyTokens: quotas.dailyTokens,
    monthlyTokens: quotas.monthlyTokens,
    dailyRequests: quotas.dailyRequests,
    policy,
  };
}

interface TeamChoice {
  id: string;
  name: string;
}

/** An admin picks the key's team; a team admin's keys are always in its own team. */
function TeamField({ v, set, teams }: { v: KeyFormValues; set: (p: Partial<KeyFormValues>) => void; teams: TeamChoice[] }) {
  const admin = useIsAdmin();
  const session = useSession();
  if (!admin) {
    return (
      <div className="field">
        <span className="field-label">Team</span>
        <span className="field-static">{session?.team?.name ?? 'your team'}</span>
      </div>
    );
  }
  return (
    <label className="field">
      <span className="field-label">Team</span>
      <select value={v.teamId} onChange={(e) => set({ teamId: e.target.value })}>
        <option value="">No team</option>
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function KeyFields({
  v,
  set,
  models,
  teams,
  roleField,
}: {
  v: KeyFormValues;
  set: (p: Partial<KeyFormValues>) => void;
  models: string[];
  teams: TeamChoice[];
  roleField?: React.ReactNode;
}) {
  return (
    <>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Name</span>
          <input type="text" value={v.name} onChange={(e) => set({ name: e.target.value })} placeholder="e.g. Support chatbot" required />
        </label>
        {roleField}
        <TeamField v={v} set={set} teams={teams} />
        <label className="field">
          <span className="field-label">Tier</span>
          <select value={v.tier} onChange={(e) => set({ tier: e.target.value as KeyTier })}>
            <option value={'STANDARD'}>Standard · 60/min</option>
            <option value={'PREMIUM'}>Premium · 300/min</option>
          </select>
        </label>
      </div>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Requests per minute</span>
          <input type="number" inputMode="numeric" min="1" value={v.rpm} onChange={(e) => set({ rpm: e.target.value })} placeholder="tier default" />
        </label>
        <label className="field">
          <span className="field-label">Tokens per minute</span>
          <input type="number" inputMode="numeric" min="1" value={v.tpm} onChange={(e) => set({ tpm: e.target.value })} placeholder="no limit" />
        </label>
        <label className="field">
          <span className="field-label">Weight</span>
          <input type="number" inputMode="numeric" min="1" value={v.weight} onChange={(e) => set({ weight: e.target.value })} placeholder="tier default" />
          <span className="field-hint">Share of the GPUs when keys wait (standard 1, premium 4).</span>
        </label>
        <label className="field">
          <span className="field-label">At most at once</span>
          <input
            type="number"
            inputMode="numeric"
            min="1"
            value={v.maxConcurrent}
            onChange={(e) => set({ maxConcurrent: e.target.value })}
            placeholder="no cap"
          />
        </label>
        <label className="field">
          <span className="field-label">Expires on</span>
          <input type="date" value={v.expires} min={toDateInput(new Date())} onChange={(e) => set({ expires: e.target.value })} />
          <span className="field-hint">Empty: never expires.</span>
        </label>
      </div>
      <fieldset className="plain">
        <legend className="field-label">Quotas per calendar day and month (empty: none; the team’s hold too)</legend>
        <div className="form-grid">
          {QUOTA_FIELDS.map(([field, label]) => (
            <label className="field" key={field}>
              <span className="field-label">{label}</span>
              <input type="number" inputMode="numeric" min="1" value={v[field]} onChange={(e) => set({ [field]: e.target.value })} placeholder="no quota" />
            </label>
          ))}
        </div>
      </fieldset>
      <PolicyFields v={v.policy} set={(p) => set({ policy: { ...v.policy, ...p } })} />
      {models.length ? (
        <fieldset className="plain">
          <legend className="field-label">Allowed models (none ticked: every active model)</legend>
          <div className="checkbox-list">
            {models.map((id) => (
              <label key={id}>
                <input
                  type="checkbox"
                  checked={v.models.includes(id)}
                  onChange={(e) => set({ models: e.target.checked ? [...v.models, id] : v.models.filter((m) => m !== id) })}
                />
                <span className="mono">{id}</span>
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
    </>
  );
}

function CreateKeyForm({ models, teams, onDone }: { models: string[]; teams: TeamChoice[]; onDone: () => void }) {
  const admin = useIsAdmin();
  const session = useSession();
  const [v, setV] = useState<KeyFormValues>({
    name: '',
    tier: 'STANDARD',
    rpm: '',
    tpm: '',
    weight: '',
    maxConcurrent: '',
    expires: '',
    models: [],
    teamId: admin ? '' : (session?.team?.id ?? ''),
    dailyTokens: '',
    monthlyTokens: '',
    dailyRequests: '',
    policy: policyFormValues(null),
  });
  const [role, setRole] = useState<KeyRole>('USER');
  const [problem, setProblem] = useState<string | null>(null);
  const [state, create] = useMutation(CreateApiKeyMutation);
  const created = state.data?.createApiKey;

  if (created) {
    return (
      <div>
        <p>
          Created <strong>{created.apiKey.name}</strong> (<span className="mono">{created.apiKey.prefix}…</span>).
        </p>
        <SecretReveal secret={created.secret} what={`“${created.apiKey.name}”`} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseKeyForm(v);
    if (typeof parsed === 'string') return setProblem(parsed);
    setProblem(null);
    await create({ input: { ...parsed, role } });
  }

  return (
    <form onSubmit={submit} noValidate>
      <KeyFields v={v} set={(p) => setV({ ...v, ...p })} models={models} teams={teams} roleField={<RoleField role={role} setRole={setRole} />} />
      <FormFooter
        problem={problem}
        error={state.error}
        errorTitle="Not created"
        busy={state.fetching}
        busyLabel="Creating…"
        submitLabel="Create key"
        onCancel={onDone}
      />
    </form>
  );
}

type EditableKey = Omit<KeyRow, 'team' | 'quotaState'> & { team?: TeamChoice | null };

export function EditKeyForm({ apiKey, models, teams, onDone }: { apiKey: EditableKey; models: string[]; teams: TeamChoice[]; onDone: () => void }) {
  const [v, setV] = useState<KeyFormValues>({
    name: apiKey.name,
    tier: apiKey.tier,
    rpm: numberText(apiKey.rpmLimit),
    tpm: numberText(apiKey.tpmLimit),
    weight: numberText(apiKey.weight),
    maxConcurrent: numberText(apiKey.maxConcurrent),
    expires: apiKey.expiresAt ? toDateInput(new Date(apiKey.expiresAt)) : '',
    models: apiKey.allowedModels,
    teamId: apiKey.team?.id ?? '',
    dailyTokens: numberText(apiKey.dailyTokens),
    monthlyTokens: numberText(apiKey.monthlyTokens),
    dailyRequests: numberText(apiKey.dailyRequests),
    policy: policyFormValues(apiKey.policy),
  });
  const [role, setRole] = useState<KeyRole>(apiKey.role);
  const admin = useIsAdmin();
  const [problem, setProblem] = useState<string | null>(null);
  const [state, update] = useMutation(UpdateApiKeyMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseKeyForm(v);
    if (typeof parsed === 'string') return setProblem(parsed);
    setProblem(null);
    // Only an admin moves keys between teams; a team admin's keys stay in its team.
    const { teamId, ...rest } = parsed;
    const result = await update({ input: { id: apiKey.id, ...rest, role, ...(admin ? { teamId } : {}) } });
    if (!result.error) onDone();
  }

  return (
    <form onSubmit={submit} noValidate>
      <KeyFields
        v={v}
        set={(p) => setV({ ...v, ...p })}
        models={[...new Set([...models, ...apiKey.allowedModels])]}
        teams={teams}
        roleField={<RoleField role={role} setRole={setRole} />}
      />
      <FormFooter
        problem={problem}
        error={state.error}
        errorTitle="Not saved"
        busy={state.fetching}
        busyLabel="Saving…"
        submitLabel="Save changes"
        onCancel={onDone}
      />
    </form>
  );
}

function RoleField({ role, setRole }: { role: KeyRole; setRole: (r: KeyRole) => void }) {
  const admin = useIsAdmin();
  return (
    <label className="field">
      <span className="field-label">Role</span>
      <select value={role} onChange={(e) => setRole(e.target.value as KeyRole)}>
        <option value={'USER'}>User: runs models</option>
        <option value={'TEAM_ADMIN'}>Team admin: manages its team’s keys</option>
        {admin || role === 'ADMIN' ? <option value={'ADMIN'}>Admin: manages the gateway</option> : null}
      </select>
    </label>
  );
}

export function RevokeKey({ apiKey, onDone }: { apiKey: Pick<KeyRow, 'id' | 'name' | 'prefix'>; onDone: () => void }) {
  const [state, revoke] = useMutation(RevokeApiKeyMutation);
  const session = useSession();
  const own = session?.keyId === apiKey.id;
  return (
    <div>
      {own ? (
        <div className="notice notice-warning" role="alert">
          <span>
            <strong>This is the key you are signed in with.</strong> Revoking it signs you out of the console at once, and you need another admin key to sign in
            again.
          </span>
        </div>
      ) : null}
      <p>
        Revoke <strong>{apiKey.name}</strong> (<span className="mono">{apiKey.prefix}…</span>)? Every request with it is refused from now on, on every replica.
        This cannot be undone.
      </p>
      <ErrorNotice error={state.error} title="Not revoked" />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onDone} data-autofocus>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger-solid"
          disabled={state.fetching}
          onClick={async () => {
            const result = await revoke({ input: { id: apiKey.id } });
            if (!result.error) onDone();
          }}
        >
          {state.fetching ? 'Revoking…' : own ? 'Revoke my own key' : 'Revoke key'}
        </button>
      </div>
    </div>
  );
}

const GRACE = [
  { seconds: 0, label: 'None: the old secret stops now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
];

export function RotateKey({ apiKey, onDone }: { apiKey: Pick<KeyRow, 'id' | 'name'>; onDone: () => void }) {
  const [grace, setGrace] = useState(3600);
  const [state, rotate] = useMutation(RotateApiKeyMutation);
  const rotated = state.data?.rotateApiKey;
  if (rotated) {
    return (
      <div>
        <p>
          <strong>{apiKey.name}</strong> has a new secret (<span className="mono">{rotated.apiKey.prefix}…</span>).
          {rotated.apiKey.previousSecretExpiresAt
            ? ` The old secret works until ${formatDateTime(rotated.apiKey.previousSecretExpiresAt)}.`
            : ' The old secret no longer works.'}
        </p>
        <SecretReveal secret={rotated.secret} what={`“${apiKey.name}”`} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-primary" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    );
  }
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        await rotate({ input: { id: apiKey.id, graceSeconds: grace } });
      }}
    >
      <p>
        Give <strong>{apiKey.name}</strong> a new secret. Its limits, usage and id stay the same.
      </p>
      <label className="field">
        <span className="field-label">Old secret keeps working for</span>
        <select value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
          {GRACE.map((g) => (
            <option key={g.seconds} value={g.seconds}>
              {g.label}
            </option>
          ))}
        </select>
      </label>
      <ErrorNotice error={state.error} title="Not rotated" />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={state.fetching}>
          {state.fetching ? 'Rotating…' : 'Rotate'}
        </button>
      </div>
    </form>
  );
}
