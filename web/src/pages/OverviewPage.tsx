import { useMemo } from 'react';
import { useQuery } from 'urql';
import { Link } from '../components/Link.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { ErrorNotice, Loading } from '../components/Notice.tsx';
import { formatCompact, formatMs, formatNumber, formatRelative, startOfMonth } from '../format.ts';
import { graphql } from '../gql';

const OverviewDoc = graphql(`
  query Overview($monthStart: DateTime!, $dayStart: DateTime!) {
    month: usage(filter: { from: $monthStart }) {
      totals {
        requests
        errors
        totalTokens
        avgLatencyMs
        avgTtftMs
      }
    }
    day: usage(filter: { from: $dayStart }) {
      totals {
        requests
        totalTokens
      }
      recent(limit: 8) {
        id
        model
        surface
        status
        totalTokens
        latencyMs
        createdAt
        apiKey {
          id
          name
        }
      }
    }
    activeKeys: apiKeys(filter: { status: ACTIVE }, limit: 1) {
      totalCount
    }
    models(includeInactive: true) {
      id
      isActive
      available
    }
  }
`);

export function OverviewPage() {
  const variables = useMemo(() => ({ monthStart: startOfMonth().toISOString(), dayStart: new Date(Date.now() - 86_400_000).toISOString() }), []);
  const [{ data, fetching, error }, refetch] = useQuery({ query: OverviewDoc, variables });
  const activeModels = data?.models.filter((m) => m.isActive && m.available).length ?? 0;

  return (
    <>
      <PageHeader title="Overview" description="The gateway at a glance." />
      <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {fetching && !data ? <Loading /> : null}
      {data ? (
        <>
          <div className="stats">
            <Tile
              label="Requests this month"
              value={formatNumber(data.month.totals.requests)}
              sub={`${formatNumber(data.day.totals.requests)} in the last 24 hours`}
            />
            <Tile
              label="Tokens this month"
              value={formatCompact(data.month.totals.totalTokens)}
              sub={`${formatCompact(data.day.totals.totalTokens)} in the last 24 hours`}
            />
            <Tile label="Avg latency" value={formatMs(data.month.totals.avgLatencyMs)} sub={`first token ${formatMs(data.month.totals.avgTtftMs)}`} />
            <Tile label="Active keys" value={formatNumber(data.activeKeys.totalCount)} sub={<Link to="/api-keys">Manage keys</Link>} />
            <Tile label="Active models" value={formatNumber(activeModels)} sub={<Link to="/models">{`${data.models.length} in the catalogue`}</Link>} />
          </div>
          <section className="card">
            <div className="card-title">
              <h2>Latest requests</h2>
              <Link to="/usage">All usage</Link>
            </div>
            {data.day.recent.length === 0 ? (
              <p className="muted">
                No requests in the last 24 hours. Try one in the <Link to="/playground">Playground</Link>.
              </p>
            ) : (
              <div style={{ overflowX: 'auto' }}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Key</th>
                      <th scope="col">Model</th>
                      <th scope="col">API</th>
                      <th scope="col" className="num">
                        Tokens
                      </th>
                      <th scope="col" className="num">
                        Latency
                      </th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.day.recent.map((r) => (
                      <tr key={r.id}>
                        <td>{formatRelative(r.createdAt)}</td>
                        <td>{r.apiKey?.name ?? '—'}</td>
                        <td className="mono small">{r.model}</td>
                        <td>{r.surface}</td>
                        <td className="num">{formatNumber(r.totalTokens)}</td>
                        <td className="num">{formatMs(r.latencyMs)}</td>
                        <td>
                          <span className={`badge ${r.status < 400 ? 'badge-success' : r.status === 499 ? 'badge-warning' : 'badge-danger'}`}>
                            {r.status === 499 ? 'cancelled' : r.status}
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}

function Tile({ label, value, sub }: { label: string; value: string; sub?: React.ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub ? <div className="stat-sub">{sub}</div> : null}
    </div>
  );
}
