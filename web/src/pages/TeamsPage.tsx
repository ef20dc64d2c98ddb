import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Dialog, FormFooter } from '../components/Dialog.tsx';
import { numberText, optionalNumber } from '../components/fields.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Link } from '../components/Link.tsx';
import { Empty, ErrorNotice, Loading } from '../components/Notice.tsx';
import { parsePolicyForm, PolicyFields, type PolicyFormValues, policyFormValues, PolicySummary } from '../components/Policy.tsx';
import { QuotaBars } from '../components/Quota.tsx';
import { formatDate, formatNumber, formatRelative } from '../format.ts';
import { graphql } from '../gql';
import type { TeamsPageQuery } from '../gql/graphql.ts';
import { navigate } from '../router.ts';
import { useIsAdmin } from '../session.ts';

const TeamsPageQueryDoc = graphql(`
  query TeamsPage {
    teams {
      id
      name
      description
      rpmLimit
      tpmLimit
      dailyTokens
      monthlyTokens
      dailyRequests
      alertWebhookUrl
      keyCount
      createdAt
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
`);

const TeamPageQueryDoc = graphql(`
  query TeamPage($id: ID!) {
    team(id: $id) {
      id
      name
      description
      rpmLimit
      tpmLimit
      dailyTokens
      monthlyTokens
      dailyRequests
      alertWebhookUrl
      keyCount
      createdAt
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
      quotaState
      quota {
        scope
        metric
        limit
        used
        remaining
        resetsAt
      }
      keys {
        id
        name
        prefix
        role
        tier
        status
        lastUsedAt
      }
    }
  }
`);

const CreateTeamMutation = graphql(`
  mutation CreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) {
      id
      name
    }
  }
`);

const UpdateTeamMutation = graphql(`
  mutation UpdateTeam($input: UpdateTeamInput!) {
    updateTeam(input: $input) {
      id
      name
      description
      rpmLimit
      tpmLimit
      dailyTokens
      monthlyTokens
      dailyRequests
      alertWebhookUrl
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
`);

const DeleteTeamMutation = graphql(`
  mutation DeleteTeam($input: DeleteTeamInput!) {
    deleteTeam(input: $input) {
      id
    }
  }
`);

type TeamRow = TeamsPageQuery['teams'][number];
type TeamEditable = Pick<
  TeamRow,
  'id' | 'name' | 'description' | 'rpmLimit' | 'tpmLimit' | 'dailyTokens' | 'monthlyTokens' | 'dailyRequests' | 'alertWebhookUrl' | 'policy'
>;

const limitText = (n: number | null | undefined, unit: string) => (n == null ? null : `${formatNumber(n)} ${unit}`);

/** The limits and quotas of a team as short lines ("600 requests/min", "1,000,000 tokens/day"). */
function teamLimits(t: Pick<TeamRow, 'rpmLimit' | 'tpmLimit' | 'dailyTokens' | 'monthlyTokens' | 'dailyRequests'>): string[] {
  return [
    limitText(t.rpmLimit, 'requests/min'),
    limitText(t.tpmLimit, 'tokens/min'),
    limitText(t.dailyTokens, 'tokens/day'),
    limitText(t.monthlyTokens, 'tokens/month'),
    limitText(t.dailyRequests, 'requests/day'),
  ].filter((x): x is string => x !== null);
}

/** Teams: every team for an admin (create, edit, delete); a team admin's own team. */
export function TeamsPage() {
  const admin = useIsAdmin();
  // An empty list has no Team in it for the cache to see: name the type so a created team refetches it.
  const context = useMemo(() => ({ additionalTypenames: ['Team'] }), []);
  const [{ data, fetching, error }, refetch] = useQuery({ query: TeamsPageQueryDoc, context });
  const [modal, setModal] = useState<{ kind: 'create' } | { kind: 'edit'; team: TeamRow } | { kind: 'delete'; team: TeamRow } | null>(null);
  const close = () => setModal(null);
  const teams = data?.teams ?? [];

  return (
    <>
      <PageHeader
        title={admin ? 'Teams' : 'Team'}
        description={
          admin
            ? 'Groups of keys with their own limits and quotas, on top of each key’s. A team admin key manages its team’s keys.'
            : 'Your team: its limits and quotas hold on top of each key’s own.'
        }
        actions={
          admin ? (
            <button type="button" className="btn btn-primary" onClick={() => setModal({ kind: 'create' })}>
              Create team
            </button>
          ) : null
        }
      />
      <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {fetching && !data ? (
        <Loading label="Loading teams…" />
      ) : data && teams.length === 0 ? (
        <div className="card">
          <Empty title="No teams yet">Create a team to give a group of keys shared limits and quotas, and a team admin.</Empty>
        </div>
      ) : teams.length ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Teams</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Keys
                </th>
                <th scope="col">Limits and quotas</th>
                <th scope="col">Policy</th>
                <th scope="col">Alert webhook</th>
                <th scope="col">Created</th>
                {admin ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {teams.map((t) => {
                const limits = teamLimits(t);
                return (
                  <tr key={t.id}>
                    <td className="cell-main">
                      <Link to={`/teams/${encodeURIComponent(t.id)}`}>{t.name}</Link>
                      {t.description ? <div className="cell-sub">{t.description}</div> : null}
                    </td>
                    <td className="num">{formatNumber(t.keyCount)}</td>
                    <td className="small">
                      {limits.length ? limits.map((l) => <div key={l}>{l}</div>) : <span className="muted">none: only each key’s own</span>}
                    </td>
                    <td className="small">
                      <PolicySummary policy={t.policy} />
                    </td>
                    <td className="small mono" style={{ overflowWrap: 'anywhere' }}>
                      {t.alertWebhookUrl ?? <span className="muted">global only</span>}
                    </td>
                    <td className="small">{formatDate(t.createdAt)}</td>
                    {admin ? (
                      <td className="actions">
                        <button type="button" className="btn btn-small" aria-label={`Edit ${t.name}`} onClick={() => setModal({ kind: 'edit', team: t })}>
                          Edit
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          aria-label={`Delete ${t.name}`}
                          onClick={() => setModal({ kind: 'delete', team: t })}
                        >
                          Delete
                        </button>
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <Dialog open={modal?.kind === 'create'} title="Create team" onClose={close} wide>
        {modal?.kind === 'create' ? <TeamForm onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal?.kind === 'edit'} title={modal?.kind === 'edit' ? `Edit ${modal.team.name}` : 'Edit team'} onClose={close} wide>
        {modal?.kind === 'edit' ? <TeamForm team={modal.team} onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal?.kind === 'delete'} title="Delete team" onClose={close}>
        {modal?.kind === 'delete' ? <DeleteTeam team={modal.team} onDone={close} onCancel={close} /> : null}
      </Dialog>
    </>
  );
}

const STATUS_BADGE: Record<string, string> = { ACTIVE: 'badge-success', REVOKED: 'badge-danger', EXPIRED: 'badge-warning' };

/** One team: its limits, quotas and webhook, and its keys. */
export function TeamPage({ id }: { id: string }) {
  const admin = useIsAdmin();
  const [{ data, fetching, error }, refetch] = useQuery({ query: TeamPageQueryDoc, variables: { id } });
  const [modal, setModal] = useState<'edit' | 'delete' | null>(null);
  const close = () => setModal(null);
  const team = data?.team;
  if (fetching && !data) return <Loading label="Loading team…" />;
  if (error) return <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!team) {
    return (
      <div className="card">
        <Empty title="No such team">
          There is no team with id <span className="mono">{id}</span>. <Link to="/teams">Back to the teams</Link>.
        </Empty>
      </div>
    );
  }
  const limits = teamLimits(team);
  return (
    <>
      <p className="small" style={{ margin: '0 0 0.5rem' }}>
        <Link to="/teams">← {admin ? 'Teams' : 'Team'}</Link>
      </p>
      <PageHeader
        title={team.name}
        description={team.description || `Team created ${formatDate(team.createdAt)}.`}
        actions={
          admin ? (
            <>
              <button type="button" className="btn" onClick={() => setModal('edit')}>
                Edit
              </button>
              <button type="button" className="btn btn-danger" onClick={() => setModal('delete')}>
                Delete
              </button>
            </>
          ) : null
        }
      />
      <section className="card" aria-label="Team limits" style={{ marginBottom: '1rem' }}>
        <dl className="key-facts">
          <div>
            <dt>Requests per minute</dt>
            <dd>{team.rpmLimit != null ? formatNumber(team.rpmLimit) : 'no team limit'}</dd>
          </div>
          <div>
            <dt>Tokens per minute</dt>
            <dd>{team.tpmLimit != null ? formatNumber(team.tpmLimit) : 'no team limit'}</dd>
          </div>
          <div>
            <dt>Tokens per day</dt>
            <dd>{team.dailyTokens != null ? formatNumber(team.dailyTokens) : 'no quota'}</dd>
          </div>
          <div>
            <dt>Tokens per month</dt>
            <dd>{team.monthlyTokens != null ? formatNumber(team.monthlyTokens) : 'no quota'}</dd>
          </div>
          <div>
            <dt>Requests per day</dt>
            <dd>{team.dailyRequests != null ? formatNumber(team.dailyRequests) : 'no quota'}</dd>
          </div>
          <div>
            <dt>Parameter policy</dt>
            <dd className="small">
              <PolicySummary policy={team.policy} />
            </dd>
          </div>
          <div>
            <dt>Alert webhook</dt>
            <dd className="mono small" style={{ overflowWrap: 'anywhere' }}>
              {team.alertWebhookUrl ?? 'global only'}
            </dd>
          </div>
        </dl>
        {limits.length === 0 ? <p className="muted small">This team has no limits of its own: only each key’s limits hold.</p> : null}
      </section>
      <section className="card" aria-labelledby="team-quota-title" style={{ marginBottom: '1rem' }}>
        <div className="card-title">
          <h2 id="team-quota-title">Team quotas</h2>
          <span className="muted small">Used by all of the team’s keys together in the current period.</span>
        </div>
        <QuotaBars quota={team.quota} empty="No team quotas: only each key’s own quotas hold." />
      </section>
      <section className="table-wrap" aria-label="Team keys">
        <table>
          <caption style={{ textAlign: 'left', padding: '0.75rem 0.75rem 0.25rem', fontWeight: 600 }}>Keys in {team.name}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Role</th>
              <th scope="col">Tier</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {team.keys.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No keys yet. Create one on the API keys page and choose this team{admin ? ', or edit a key to move it here' : ''}.
                </td>
              </tr>
            ) : (
              team.keys.map((k) => (
                <tr key={k.id} className={k.status === 'ACTIVE' ? undefined : 'is-inactive'}>
                  <td className="cell-main">
                    <Link to={`/api-keys/${encodeURIComponent(k.id)}`}>{k.name}</Link>
                  </td>
                  <td className="mono">{k.prefix}…</td>
                  <td>{roleLabel(k.role)}</td>
                  <td>{k.tier.toLowerCase()}</td>
                  <td className="small">{formatRelative(k.lastUsedAt)}</td>
                  <td>
                    <span className={`badge ${STATUS_BADGE[k.status]}`}>{k.status.toLowerCase()}</span>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
      <Dialog open={modal === 'edit'} title={`Edit ${team.name}`} onClose={close} wide>
        {modal === 'edit' ? <TeamForm team={team} onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal === 'delete'} title="Delete team" onClose={close}>
        {modal === 'delete' ? <DeleteTeam team={team} onDone={() => navigate('/teams')} onCancel={close} /> : null}
      </Dialog>
    </>
  );
}

export const roleLabel = (role: string) => (role === 'TEAM_ADMIN' ? 'team admin' : role.toLowerCase());

interface TeamFormValues {
  name: string;
  description: string;
  rpm: string;
  tpm: string;
  dailyTokens: string;
  monthlyTokens: string;
  dailyRequests: string;
  webhook: string;
  policy: PolicyFormValues;
}

const NUMBER_FIELDS = [
  ['rpm', 'Requests per minute', 'rpmLimit', 1_000_000],
  ['tpm', 'Tokens per minute', 'tpmLimit', 100_000_000],
  ['dailyTokens', 'Tokens per day', 'dailyTokens', 2_147_483_647],
  ['monthlyTokens', 'Tokens per month', 'monthlyTokens', 2_147_483_647],
  ['dailyRequests', 'Requests per day', 'dailyRequests', 2_147_483_647],
] as const;

function parseTeamForm(v: TeamFormValues) {
  if (!v.name.trim()) return 'Give the team a name.';
  const out: Record<string, number | null> = {};
  for (const [field, label, input, max] of NUMBER_FIELDS) {
    const n = optionalNumber(v[field], { int: true });
    if (n === 'invalid' || (n !== null && (n < 1 || n > max))) return `${label} must be a whole number from 1 to ${formatNumber(max)}, or empty for none.`;
    out[input] = n;
  }
  const webhook = v.webhook.trim();
  if (webhook && !/^https?:\/\/\S+$/i.test(webhook)) return 'The alert webhook must be an http:// or https:// URL, or empty.';
  const policy = parsePolicyForm(v.policy);
  if (typeof policy === 'string') return policy;
  return {
    name: v.name.trim(),
    description: v.description.trim(),
    rpmLimit: out.rpmLimit,
    tpmLimit: out.tpmLimit,
    dailyTokens: out.dailyTokens,
    monthlyTokens: out.monthlyTokens,
    dailyRequests: out.dailyRequests,
    alertWebhookUrl: webhook || null,
    policy,
  };
}

function TeamForm({ team, onDone }: { team?: TeamEditable; onDone: () => void }) {
  const [v, setV] = useState<TeamFormValues>({
    name: team?.name ?? '',
    description: team?.description ?? '',
    rpm: numberText(team?.rpmLimit),
    tpm: numberText(team?.tpmLimit),
    dailyTokens: numberText(team?.dailyTokens),
    monthlyTokens: numberText(team?.monthlyTokens),
    dailyRequests: numberText(team?.dailyRequests),
    webhook: team?.alertWebhookUrl ?? '',
    policy: policyFormValues(team?.policy),
  });
  const set = (p: Partial<TeamFormValues>) => setV({ ...v, ...p });
  const [problem, setProblem] = useState<string | null>(null);
  const [created, create] = useMutation(CreateTeamMutation);
  const [updated, update] = useMutation(UpdateTeamMutation);
  const state = team ? updated : created;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseTeamForm(v);
    if (typeof parsed === 'string') return setProblem(parsed);
    setProblem(null);
    const result = team ? await update({ input: { id: team.id, ...parsed } }) : await create({ input: parsed });
    if (!result.error) onDone();
  }

  return (
    <form onSubmit={submit} noValidate>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">Team name</span>
          <input type="text" value={v.name} onChange={(e) => set({ name: e.target.value })} placeholder="e.g. Research" required />
        </label>
        <label className="field">
          <span className="field-label">Description</span>
          <input type="text" value={v.description} onChange={(e) => set({ description: e.target.value })} placeholder="optional" />
        </label>
      </div>
      <fieldset className="plain">
        <legend className="field-label">Limits and quotas for the whole team (empty: none)</legend>
        <div className="form-grid">
          {NUMBER_FIELDS.map(([field, label]) => (
            <label className="field" key={field}>
              <span className="field-label">{label}</span>
              <input type="number" inputMode="numeric" min="1" value={v[field]} onChange={(e) => set({ [field]: e.target.value })} placeholder="none" />
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field">
        <span className="field-label">Alert webhook URL</span>
        <input type="url" value={v.webhook} onChange={(e) => set({ webhook: e.target.value })} placeholder="https://… (the global webhook gets alerts too)" />
        <span className="field-hint">Gets a JSON POST when the team or one of its keys crosses 80% and 100% of a quota.</span>
      </label>
      <PolicyFields v={v.policy} set={(p) => set({ policy: { ...v.policy, ...p } })} />
      <FormFooter
        problem={problem}
        error={state.error}
        errorTitle={team ? 'Not saved' : 'Not created'}
        busy={state.fetching}
        busyLabel={team ? 'Saving…' : 'Creating…'}
        submitLabel={team ? 'Save changes' : 'Create team'}
        onCancel={onDone}
      />
    </form>
  );
}

function DeleteTeam({ team, onDone, onCancel }: { team: Pick<TeamRow, 'id' | 'name' | 'keyCount'>; onDone: () => void; onCancel: () => void }) {
  const [state, remove] = useMutation(DeleteTeamMutation);
  return (
    <div>
      <p>
        Delete <strong>{team.name}</strong>? Its {team.keyCount === 1 ? 'key keeps' : `${formatNumber(team.keyCount)} keys keep`} working, in no team, with only
        their own limits; a team admin key of this team manages nothing any more.
      </p>
      <ErrorNotice error={state.error} title="Not deleted" />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel} data-autofocus>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger-solid"
          disabled={state.fetching}
          onClick={async () => {
            const result = await remove({ input: { id: team.id } });
            if (!result.error) onDone();
          }}
        >
          {state.fetching ? 'Deleting…' : 'Delete team'}
        </button>
      </div>
    </div>
  );
}
