import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Dialog, FormFooter } from '../components/Dialog.tsx';
import { optionalNumber } from '../components/fields.ts';
import { PageHeader } from '../components/Layout.tsx';
import { ReplicasPanel } from '../components/ReplicasPanel.tsx';
import { Empty, ErrorNotice, Loading } from '../components/Notice.tsx';
import { formatRelative } from '../format.ts';
import { graphql } from '../gql';
import type { ServersPageQuery } from '../gql/graphql.ts';

const ServersPageQueryDoc = graphql(`
  query ServersPage {
    upstreams {
      id
      name
      url
      state
      health
      parallel
      slots
      inFlight
      queueLength
      version
      listedModels
      loadedModels {
        name
        sizeVram
        expiresAt
      }
      recentLatencyMs
      consecutiveFailures
      lastError {
        message
        at
      }
    }
  }
`);

const AddServerMutation = graphql(`
  mutation AddServer($input: AddUpstreamInput!) {
    addUpstream(input: $input) {
      id
    }
  }
`);

const SetServerStateMutation = graphql(`
  mutation SetServerState($input: UpdateUpstreamInput!) {
    updateUpstream(input: $input) {
      id
      state
    }
  }
`);

const RemoveServerMutation = graphql(`
  mutation RemoveServer($input: RemoveUpstreamInput!) {
    removeUpstream(input: $input)
  }
`);

type Server = ServersPageQuery['upstreams'][number];

const HEALTH_TONE: Record<Server['health'], string> = { HEALTHY: 'badge-success', DOWN: 'badge-danger', PROBING: 'badge-warning', UNKNOWN: '' };
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export function ServersPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ServersPageQueryDoc, requestPolicy: 'cache-and-network' });
  const [state, setState] = useMutation(SetServerStateMutation);
  const [removal, remove] = useMutation(RemoveServerMutation);
  const [adding, setAdding] = useState(false);

  // Load and health change by the second: refresh while the page is open.
  useEffect(() => {
    const t = setInterval(() => refetch({ requestPolicy: 'network-only' }), 3000);
    return () => clearInterval(t);
  }, [refetch]);

  const servers = data?.upstreams ?? [];
  const change = async (s: Server, next: Server['state']) => {
    await setState({ input: { id: s.id, state: next } });
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <>
      <PageHeader
        title="Servers"
        description="The Ollama servers behind the gateway: health, models in memory, load and the gateway's queue. Draining lets a server finish its requests and takes nothing new."
        actions={
          <button type="button" className="btn" onClick={() => setAdding(true)}>
            Add server
          </button>
        }
      />
      <ErrorNotice error={state.error ?? removal.error} title="Could not change the server" />
      <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {fetching && !data ? (
        <Loading label="Loading servers…" />
      ) : servers.length === 0 && !error ? (
        <div className="card">
          <Empty title="No servers">Add an Ollama server, or set OLLAMA_URL and restart.</Empty>
        </div>
      ) : servers.length ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Upstream servers</caption>
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Health</th>
                <th scope="col">Load</th>
                <th scope="col">Models</th>
                <th scope="col">Latency</th>
                <th scope="col">Last error</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {servers.map((s) => (
                <tr key={s.id} className={s.state === 'ENABLED' ? undefined : 'is-inactive'} data-server={s.name}>
                  <td>
                    <div className="cell-main">{s.name}</div>
                    <div className="cell-sub mono">{s.url}</div>
                    <div className="cell-sub">{s.version ? `Ollama ${s.version}` : 'version unknown'}</div>
                  </td>
                  <td>
                    <div className="btn-row">
                      <span className={`badge ${HEALTH_TONE[s.health]}`}>{s.health.toLowerCase()}</span>
                      {s.state === 'ENABLED' ? null : <span className="badge badge-warning">{s.state.toLowerCase()}</span>}
                    </div>
                  </td>
                  <td className="small">
                    <div>
                      {s.inFlight} / {s.slots} in flight{s.parallel == null ? ' (default slots)' : ''}
                    </div>
                    <div className="cell-sub">{s.queueLength} waiting</div>
                  </td>
                  <td className="small">
                    <div>{s.listedModels.length} listed</div>
                    {s.loadedModels.map((m) => (
                      <div key={m.name} className="cell-sub mono">
                        {m.name}
                        {m.sizeVram ? ` · ${gib(m.sizeVram)}` : ''}
                        {m.expiresAt ? ` · until ${new Date(m.expiresAt).toLocaleTimeString()}` : ''}
                      </div>
                    ))}
                  </td>
                  <td className="small">{s.recentLatencyMs == null ? <span className="muted">—</span> : `${s.recentLatencyMs} ms`}</td>
                  <td className="cell-sub" style={{ maxWidth: '18rem' }}>
                    {s.lastError ? `${s.lastError.message} (${formatRelative(s.lastError.at)})` : <span className="muted">none</span>}
                  </td>
                  <td className="actions">
                    <div className="btn-row">
                      {s.state === 'ENABLED' ? (
                        <button type="button" className="btn btn-small" aria-label={`Drain ${s.name}`} onClick={() => void change(s, 'DRAINING')}>
                          Drain
                        </button>
                      ) : (
                        <button type="button" className="btn btn-small" aria-label={`Enable ${s.name}`} onClick={() => void change(s, 'ENABLED')}>
                          Enable
                        </button>
                      )}
                      {s.state !== 'DISABLED' ? (
                        <button type="button" className="btn btn-small" aria-label={`Disable ${s.name}`} onClick={() => void change(s, 'DISABLED')}>
                          Disable
                        </button>
                      ) : null}
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        aria-label={`Remove ${s.name}`}
                        onClick={async () => {
                          if (!window.confirm(`Remove ${s.name}? Requests running on it finish first.`)) return;
                          await remove({ input: { id: s.id } });
                          refetch({ requestPolicy: 'network-only' });
                        }}
                      >
                        Remove
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ReplicasPanel />
      <Dialog open={adding} title="Add a server" onClose={() => setAdding(false)}>
        {adding ? (
          <AddServerForm
            onDone={() => {
              setAdding(false);
              refetch({ requestPolicy: 'network-only' });
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}

function AddServerForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [parallel, setParallel] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [state, add] = useMutation(AddServerMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const p = optionalNumber(parallel, { int: true });
    if (!name.trim()) return setProblem('The name must not be empty.');
    if (!/^https?:\/\/.+/.test(url.trim())) return setProblem('The URL must start with http:// or https://.');
    if (p === 'invalid' || (p !== null && (p < 1 || p > 256))) return setProblem('Slots must be a whole number from 1 to 256, or empty for the default.');
    setProblem(null);
    const result = await add({ input: { name: name.trim(), url: url.trim(), parallel: p } });
    if (!result.error) onDone();
  }

  return (
    <form onSubmit={submit} noValidate>
      <label className="field">
        <span className="field-label">Name</span>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label className="field">
        <span className="field-label">URL</span>
        <input type="url" value={url} placeholder="http://gpu-2:11434" onChange={(e) => setUrl(e.target.value)} required />
      </label>
      <label className="field">
        <span className="field-label">Slots (its OLLAMA_NUM_PARALLEL; empty for OLLAMA_PARALLEL)</span>
        <input type="number" inputMode="numeric" min="1" max="256" step="1" value={parallel} onChange={(e) => setParallel(e.target.value)} />
      </label>
      <FormFooter problem={problem} error={state.error} errorTitle="Not added" busy={state.fetching} busyLabel="Adding…" submitLabel="Add" onCancel={onDone} />
    </form>
  );
}
