import { useEffect } from 'react';
import { useQuery } from 'urql';
import { formatDateTime, formatRelative } from '../format.ts';
import { graphql } from '../gql';
import { ErrorNotice } from './Notice.tsx';

const ReplicasQuery = graphql(`
  query ReplicasPanel {
    replicas {
      id
      version
      startedAt
      lastHeartbeat
      live
      inFlight
      redisState
      redisReason
      current
    }
  }
`);

const REDIS_TONE: Record<string, string> = { up: 'badge-success', down: 'badge-danger', none: '' };

/** The gateway processes sharing the database, from their heartbeats: several when run as replicas. */
export function ReplicasPanel() {
  const [{ data, error }, refetch] = useQuery({ query: ReplicasQuery, requestPolicy: 'cache-and-network' });
  // Heartbeats come every 2 seconds: refresh while the page is open.
  useEffect(() => {
    const t = setInterval(() => refetch({ requestPolicy: 'network-only' }), 3000);
    return () => clearInterval(t);
  }, [refetch]);
  const replicas = data?.replicas ?? [];

  return (
    <section className="card" aria-labelledby="replicas-title" style={{ marginTop: '1rem' }}>
      <div className="card-title">
        <h2 id="replicas-title">Gateway replicas</h2>
        <span className="muted small">{replicas.filter((r) => r.live).length} live</span>
      </div>
      <ErrorNotice error={error} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Gateway replicas</caption>
          <thead>
            <tr>
              <th scope="col">Replica</th>
              <th scope="col">Version</th>
              <th scope="col">Started</th>
              <th scope="col">Last heartbeat</th>
              <th scope="col">In flight</th>
              <th scope="col">Redis</th>
            </tr>
          </thead>
          <tbody>
            {replicas.map((r) => (
              <tr key={r.id} className={r.live ? undefined : 'is-inactive'} data-replica={r.id}>
                <td>
                  <div className="cell-main mono">{r.id}</div>
                  {r.current ? <div className="cell-sub">this console's replica</div> : null}
                </td>
                <td className="small">{r.version}</td>
                <td className="small" title={formatDateTime(r.startedAt)}>
                  {formatRelative(r.startedAt)}
                </td>
                <td className="small" title={formatDateTime(r.lastHeartbeat)}>
                  {r.live ? formatRelative(r.lastHeartbeat) : `gone (${formatRelative(r.lastHeartbeat)})`}
                </td>
                <td className="small">{r.inFlight}</td>
                <td className="small">
                  <span className={`badge ${REDIS_TONE[r.redisState] ?? ''}`}>{r.redisState === 'none' ? 'not used' : r.redisState}</span>
                  {r.redisReason ? <div className="cell-sub">{r.redisReason}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
