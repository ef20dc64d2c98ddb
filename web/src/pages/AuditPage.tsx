import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { PageHeader } from '../components/Layout.tsx';
import { Link } from '../components/Link.tsx';
import { Empty, ErrorNotice, Loading } from '../components/Notice.tsx';
import { formatDateTime } from '../format.ts';
import { graphql } from '../gql';
import type { AuditSurface } from '../gql/graphql.ts';

const AuditPageQueryDoc = graphql(`
  query AuditPage($filter: AuditFilter, $first: Int!, $after: ID) {
    auditLog(filter: $filter, first: $first, after: $after) {
      hasNextPage
      endCursor
      nodes {
        id
        createdAt
        actorKeyId
        actorName
        surface
        ip
        action
        targetType
        targetId
        before
        after
      }
    }
  }
`);

const ACTIONS = [
  { value: '', label: 'All actions' },
  { value: 'key', label: 'Keys: any' },
  { value: 'key.create', label: 'Key created' },
  { value: 'key.update', label: 'Key edited' },
  { value: 'key.rotate', label: 'Key rotated' },
  { value: 'key.revoke', label: 'Key revoked' },
  { value: 'team', label: 'Teams: any' },
  { value: 'team.create', label: 'Team created' },
  { value: 'team.update', label: 'Team edited' },
  { value: 'team.delete', label: 'Team deleted' },
  { value: 'model.update', label: 'Model changed' },
  { value: 'models.sync', label: 'Models synced' },
  { value: 'console.sign_in', label: 'Console sign-in' },
];

/** "field: before → after" lines for one entry. */
function describe(before: string | null, after: string | null): string {
  const b = before ? (JSON.parse(before) as Record<string, unknown>) : {};
  const a = after ? (JSON.parse(after) as Record<string, unknown>) : {};
  const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].map((k) => (k in b ? `${k}: ${show(b[k])} → ${show(a[k])}` : `${k}: ${show(a[k])}`)).join('\n');
}

/** Who changed what, newest first, with filters; older entries a page at a time. */
export function AuditPage() {
  const [action, setAction] = useState('');
  const [surface, setSurface] = useState<AuditSurface | ''>('');
  const [target, setTarget] = useState('');
  const [since, setSince] = useState('');
  const filter = useMemo(
    () => ({
      action: action || null,
      surface: surface || null,
      targetId: target.trim() || null,
      since: since ? new Date(`${since}T00:00:00`).toISOString() : null,
    }),
    [action, surface, target, since],
  );
  // Cursor paging: the cursors of the pages before this one, for the filter they were made with (a new filter starts at page one).
  const [paging, setPaging] = useState<{ filter: typeof filter; cursors: string[] }>({ filter, cursors: [] });
  const cursors = paging.filter === filter ? paging.cursors : [];
  const setCursors = (next: string[]) => setPaging({ filter, cursors: next });
  const [{ data, fetching, error }, refetch] = useQuery({
    query: AuditPageQueryDoc,
    variables: { filter, first: 50, after: cursors.at(-1) ?? null },
    requestPolicy: 'network-only',
  });
  const page = data?.auditLog;

  return (
    <>
      <PageHeader title="Audit log" description="Every admin action: who did it, when, from where, and what changed. Secrets are never recorded." />
      <div className="card" style={{ marginBottom: '1rem' }}>
        <div className="inline-fields">
          <label className="field">
            <span className="field-label">Action</span>
            <select value={action} onChange={(e) => setAction(e.target.value)}>
              {ACTIONS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">From</span>
            <select value={surface} onChange={(e) => setSurface(e.target.value as AuditSurface | '')}>
              <option value="">Anywhere</option>
              <option value={'CONSOLE'}>Console</option>
              <option value={'GRAPHQL'}>GraphQL</option>
              <option value={'CLI'}>Keys CLI</option>
            </select>
          </label>
          <label className="field">
            <span className="field-label">Key or model id</span>
            <input type="search" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="any" />
          </label>
          <label className="field">
            <span className="field-label">Since</span>
            <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
          </label>
        </div>
      </div>
      <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {fetching && !page ? (
        <Loading label="Loading the audit log…" />
      ) : page && page.nodes.length === 0 ? (
        <div className="card">
          <Empty title="No entries">Nothing matches these filters.</Empty>
        </div>
      ) : page ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Audit log</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">From</th>
                <th scope="col">Action</th>
                <th scope="col">On</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((e) => (
                <tr key={e.id}>
                  <td className="small">{formatDateTime(e.createdAt)}</td>
                  <td className="small">{e.actorKeyId ? <Link to={`/api-keys/${encodeURIComponent(e.actorKeyId)}`}>{e.actorName}</Link> : e.actorName}</td>
                  <td className="small">
                    {e.surface.toLowerCase()}
                    {e.ip ? <div className="cell-sub mono">{e.ip}</div> : null}
                  </td>
                  <td>
                    <span className="badge">{e.action}</span>
                  </td>
                  <td className="small mono">
                    {e.targetType === 'apiKey' && e.targetId ? (
                      <Link to={`/api-keys/${encodeURIComponent(e.targetId)}`}>{e.targetId}</Link>
                    ) : e.targetType === 'team' && e.targetId && e.action !== 'team.delete' ? (
                      <Link to={`/teams/${encodeURIComponent(e.targetId)}`}>{e.targetId}</Link>
                    ) : (
                      (e.targetId ?? e.targetType)
                    )}
                  </td>
                  <td className="audit-change mono">{describe(e.before, e.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page ? (
        <nav className="pager" aria-label="Pages of the audit log">
          <button type="button" className="btn btn-small" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!page.hasNextPage || !page.endCursor}
            onClick={() => page.endCursor && setCursors([...cursors, page.endCursor])}
          >
            Older
          </button>
        </nav>
      ) : null}
    </>
  );
}
