import { lazy, Suspense, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { Dialog } from '../components/Dialog.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { Link } from '../components/Link.tsx';
import { Empty, ErrorNotice, Loading } from '../components/Notice.tsx';
import { PolicySummary } from '../components/Policy.tsx';
import { QuotaBars } from '../components/Quota.tsx';
import { formatCompact, formatDate, formatDateTime, formatMs, formatNumber, formatRelative } from '../format.ts';
import { graphql } from '../gql';
import type { KeyStatus } from '../gql/graphql.ts';
import { useIsAdmin } from '../session.ts';
import { EditKeyForm, RevokeKey, RotateKey } from './ApiKeysPage.tsx';
import { roleLabel } from './TeamsPage.tsx';

// The charts library loads with the chart, as on the usage page.
const TimeChart = lazy(() => import('../components/TimeChart.tsx').then((m) => ({ default: m.TimeChart })));

const KeyPageQueryDoc = graphql(`
  query KeyPage($id: ID!, $from: DateTime!, $to: DateTime!, $admin: Boolean!) {
    apiKey(id: $id) {
      id
      name
      prefix
      role
      tier
      rpmLimit
      tpmLimit
      requestsPerMinute
      weight
      effectiveWeight
      maxConcurrent
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
    teams {
      id
      name
    }
    usage(filter: { apiKeyId: $id, from: $from, to: $to }) {
      totals {
        requests
        errors
        totalTokens
        avgLatencyMs
      }
      series(interval: HOUR) {
        start
        totals {
          requests
          totalTokens
        }
      }
      recent(limit: 20) {
        id
        model
        surface
        endpoint
        status
        totalTokens
        latencyMs
        createdAt
      }
    }
    models(includeInactive: $admin) {
      id
    }
  }
`);

const STATUS_BADGE: Record<KeyStatus, string> = { ACTIVE: 'badge-success', REVOKED: 'badge-danger', EXPIRED: 'badge-warning' };
const HOUR = 3_600_000;

/** One key: its limits, the last 24 hours of usage, its latest requests, and the actions on it. */
export function KeyPage({ id }: { id: string }) {
  const [at] = useState(() => Date.now());
  const admin = useIsAdmin();
  const variables = useMemo(() => ({ id, from: new Date(at - 24 * HOUR).toISOString(), to: new Date(at).toISOString(), admin }), [id, at, admin]);
  const [{ data, fetching, error }, refetch] = useQuery({ query: KeyPageQueryDoc, variables });
  const [modal, setModal] = useState<'edit' | 'rotate' | 'revoke' | null>(null);
  const close = () => setModal(null);
  const k = data?.apiKey;
  const xRange = useMemo((): [number, number] => [Math.floor((at - 24 * HOUR) / 1000), Math.floor(at / 1000)], [at]);
  const chart = useMemo(() => {
    const series = data?.usage.series ?? [];
    return {
      x: series.map((p) => Math.floor(new Date(p.start).getTime() / 1000)),
      requests: [{ label: 'Requests', values: series.map((p) => p.totals.requests) }],
      tokens: [{ label: 'Tokens', values: series.map((p) => p.totals.totalTokens) }],
    };
  }, [data]);

  if (fetching && !data) return <Loading label="Loading key…" />;
  if (error) return <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!k) {
    return (
      <div className="card">
        <Empty title="No such key">
          There is no key with id <span className="mono">{id}</span>. <Link to="/api-keys">Back to the keys</Link>.
        </Empty>
      </div>
    );
  }
  const live = k.status === 'ACTIVE';
  const u = data.usage;

  return (
    <>
      <p className="small" style={{ margin: '0 0 0.5rem' }}>
        <Link to="/api-keys">← API keys</Link>
      </p>
      <PageHeader
        title={k.name}
        description={`${k.role === 'ADMIN' ? 'Admin' : k.role === 'TEAM_ADMIN' ? 'Team admin' : 'User'} key ${k.prefix}…${k.team ? ` in ${k.team.name}` : ''}, created ${formatDate(k.createdAt)}.`}
        actions={
          k.status !== 'REVOKED' ? (
            <>
              <button type="button" className="btn" onClick={() => setModal('edit')}>
                Edit
              </button>
              <button type="button" className="btn" onClick={() => setModal('rotate')}>
                Rotate
              </button>
              <button type="button" className="btn btn-danger" onClick={() => setModal('revoke')}>
                Revoke
              </button>
            </>
          ) : null
        }
      />
      <section className="card" aria-label="Limits" style={{ marginBottom: '1rem' }}>
        <dl className="key-facts">
          <div>
            <dt>Status</dt>
            <dd>
              <span className={`badge ${STATUS_BADGE[k.status]}`}>{k.status.toLowerCase()}</span>
              {k.status === 'REVOKED' ? <span className="cell-sub"> {formatDateTime(k.revokedAt)}</span> : null}
              {live && k.previousSecretExpiresAt ? <div className="cell-sub">old secret until {formatDateTime(k.previousSecretExpiresAt)}</div> : null}
            </dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd>{roleLabel(k.role)}</dd>
          </div>
          <div>
            <dt>Team</dt>
            <dd>{k.team ? <Link to={`/teams/${encodeURIComponent(k.team.id)}`}>{k.team.name}</Link> : 'none'}</dd>
          </div>
          <div>
            <dt>Tier</dt>
            <dd>{k.tier.toLowerCase()}</dd>
          </div>
          <div>
            <dt>Requests per minute</dt>
            <dd>
              {k.requestsPerMinute}
              {k.rpmLimit != null ? ' (own limit)' : ' (tier default)'}
            </dd>
          </div>
          <div>
            <dt>Tokens per minute</dt>
            <dd>{k.tpmLimit != null ? formatNumber(k.tpmLimit) : 'no limit'}</dd>
          </div>
          <div>
            <dt>Models</dt>
            <dd className="mono small">{k.allowedModels.length ? k.allowedModels.join(', ') : 'every active model'}</dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>{k.expiresAt ? formatDateTime(k.expiresAt) : 'never'}</dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd title={formatDateTime(k.lastUsedAt)}>{formatRelative(k.lastUsedAt)}</dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-label="Policy" style={{ marginBottom: '1rem' }}>
        <dl className="key-facts">
          <div>
            <dt>Own parameter policy</dt>
            <dd className="small">
              <PolicySummary policy={k.policy} />
            </dd>
          </div>
          <div>
            <dt>Policy in force (tier, team and key)</dt>
            <dd className="small">
              <PolicySummary policy={k.effectivePolicy} none="no caps, every surface, any address" />
            </dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="key-quota-title" style={{ marginBottom: '1rem' }}>
        <div className="card-title">
          <h2 id="key-quota-title">Quotas</h2>
          <span className="muted small">
            Own: {k.dailyTokens != null ? `${formatNumber(k.dailyTokens)} tokens/day` : 'no daily token quota'} ·{' '}
            {k.monthlyTokens != null ? `${formatNumber(k.monthlyTokens)} tokens/month` : 'no monthly token quota'} ·{' '}
            {k.dailyRequests != null ? `${formatNumber(k.dailyRequests)} requests/day` : 'no daily request quota'}
            {k.quotaState !== 'OK' ? (
              <>
                {' '}
                <span className={`badge ${k.quotaState === 'EXCEEDED' ? 'badge-danger' : 'badge-warning'}`}>
                  {k.quotaState === 'EXCEEDED' ? 'over quota' : 'near quota'}
                </span>
              </>
            ) : null}
          </span>
        </div>
        <QuotaBars quota={k.quota} />
      </section>

      <section className="card" aria-labelledby="key-usage-title" style={{ marginBottom: '1rem' }}>
        <div className="card-title">
          <h2 id="key-usage-title">Last 24 hours</h2>
          <span className="muted small">
            {formatNumber(u.totals.requests)} requests · {formatCompact(u.totals.totalTokens)} tokens · avg {formatMs(u.totals.avgLatencyMs)}
            {u.totals.errors ? ` · ${formatNumber(u.totals.errors)} failed` : ''}
          </span>
        </div>
        {u.totals.requests === 0 ? (
          <Empty title="No requests in the last 24 hours">Requests with this key appear here.</Empty>
        ) : (
          <Suspense fallback={<Loading label="Loading chart…" />}>
            <div className="grid">
              <div>
                <h3>Requests</h3>
                <TimeChart title={`Requests per hour with ${k.name}`} x={chart.x} series={chart.requests} step="hour" range={xRange} />
              </div>
              <div>
                <h3>Tokens</h3>
                <TimeChart title={`Tokens per hour with ${k.name}`} x={chart.x} series={chart.tokens} step="hour" range={xRange} />
              </div>
            </div>
          </Suspense>
        )}
      </section>

      <section className="table-wrap" aria-label="Recent requests">
        <table>
          <caption style={{ textAlign: 'left', padding: '0.75rem 0.75rem 0.25rem', fontWeight: 600 }}>Recent requests</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Model</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Tokens
              </th>
              <th scope="col" className="num">
                Latency
              </th>
            </tr>
          </thead>
          <tbody>
            {u.recent.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No requests yet.
                </td>
              </tr>
            ) : (
              u.recent.map((r) => (
                <tr key={r.id}>
                  <td className="small" title={formatDateTime(r.createdAt)}>
                    {formatRelative(r.createdAt)}
                  </td>
                  <td className="mono small">{r.model}</td>
                  <td className="small">
                    {r.surface} <span className="mono">{r.endpoint}</span>
                  </td>
                  <td>
                    <span className={`badge ${r.status < 400 ? 'badge-success' : r.status === 499 ? 'badge-warning' : 'badge-danger'}`}>
                      {r.status === 499 ? 'cancelled' : r.status}
                    </span>
                  </td>
                  <td className="num">{formatNumber(r.totalTokens)}</td>
                  <td className="num">{formatMs(r.latencyMs)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>

      <Dialog open={modal === 'edit'} title={`Edit ${k.name}`} onClose={close} wide>
        {modal === 'edit' ? <EditKeyForm apiKey={k} models={data.models.map((m) => m.id)} teams={data.teams} onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal === 'revoke'} title="Revoke key" onClose={close}>
        {modal === 'revoke' ? <RevokeKey apiKey={k} onDone={close} /> : null}
      </Dialog>
      <Dialog open={modal === 'rotate'} title="Rotate key" onClose={close}>
        {modal === 'rotate' ? <RotateKey apiKey={k} onDone={close} /> : null}
      </Dialog>
    </>
  );
}
