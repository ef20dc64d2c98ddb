import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Dialog, FormFooter } from '../components/Dialog.tsx';
import { numberText, optionalNumber } from '../components/fields.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading, Notice } from '../components/Notice.tsx';
import { formatRelative } from '../format.ts';
import { graphql } from '../gql';
import type { ModelsPageQuery } from '../gql/graphql.ts';

const ModelsPageQueryDoc = graphql(`
  query ModelsPage {
    models(includeInactive: true) {
      id
      name
      description
      isActive
      available
      provider
      temperature
      topP
      topK
      upstream
      lastSeenAt
      details {
        family
        parameterSize
        quantizationLevel
      }
    }
  }
`);

const UpdateModelMutation = graphql(`
  mutation UpdateModel($input: UpdateModelInput!) {
    updateModel(input: $input) {
      id
      name
      description
      isActive
      temperature
      topP
      topK
    }
  }
`);

const SyncModelsMutation = graphql(`
  mutation SyncModels {
    syncModels {
      upstreams {
        upstream
        ok
        error
        seen
        added
        missing
      }
      models {
        id
        isActive
        available
      }
    }
  }
`);

type ModelRow = ModelsPageQuery['models'][number];

export function ModelsPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: ModelsPageQueryDoc });
  const [update, runUpdate] = useMutation(UpdateModelMutation);
  const [sync, runSync] = useMutation(SyncModelsMutation);
  const [editing, setEditing] = useState<ModelRow | null>(null);
  const [pending, setPending] = useState<string | null>(null);

  const models = data?.models ?? [];
  const syncResult = sync.data?.syncModels;

  async function toggle(m: ModelRow) {
    setPending(m.id);
    await runUpdate({ input: { id: m.id, isActive: !m.isActive } });
    setPending(null);
  }

  return (
    <>
      <PageHeader
        title="Models"
        description="The catalogue keys can use. Inactive models are refused and hidden from /api/models; defaults apply when a request sets no parameter."
        actions={
          <button type="button" className="btn" disabled={sync.fetching} onClick={() => void runSync({})}>
            {sync.fetching ? 'Syncing…' : 'Sync from Ollama'}
          </button>
        }
      />
      <ErrorNotice error={sync.error} title="Sync failed" />
      {syncResult ? (
        <Notice tone={syncResult.upstreams.every((u) => u.ok) ? 'success' : 'warning'}>
          <div>
            {syncResult.upstreams.length === 0 ? 'No Ollama server is configured.' : null}
            {syncResult.upstreams.map((u) => (
              <div key={u.upstream}>
                <strong>{u.upstream}</strong>:{' '}
                {u.ok
                  ? `${u.seen} model${u.seen === 1 ? '' : 's'} listed${u.added.length ? `, added ${u.added.join(', ')}` : ''}${u.missing.length ? `, no longer listed: ${u.missing.join(', ')}` : ''}.`
                  : `unreachable (${u.error ?? 'no answer'}).`}
              </div>
            ))}
          </div>
        </Notice>
      ) : null}
      <ErrorNotice error={update.error} title="Could not change the model" />
      <ErrorNotice error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      {fetching && !data ? (
        <Loading label="Loading models…" />
      ) : models.length === 0 && !error ? (
        <div className="card">
          <Empty title="No models yet">Start Ollama (or point OLLAMA_URL at it) and press “Sync from Ollama”.</Empty>
        </div>
      ) : models.length ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Models in the catalogue</caption>
            <thead>
              <tr>
                <th scope="col">Active</th>
                <th scope="col">Model</th>
                <th scope="col">Description</th>
                <th scope="col">Defaults</th>
                <th scope="col">Source</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.id} className={m.isActive ? undefined : 'is-inactive'}>
                  <td>
                    <label className="switch">
                      <input
                        type="checkbox"
                        role="switch"
                        checked={m.isActive}
                        aria-checked={m.isActive}
                        disabled={pending === m.id}
                        aria-label={`Active: ${m.id}`}
                        onChange={() => void toggle(m)}
                      />
                    </label>
                  </td>
                  <td>
                    <div className="cell-main">{m.name}</div>
                    <div className="cell-sub mono">{m.id}</div>
                  </td>
                  <td className="cell-sub" style={{ maxWidth: '22rem' }}>
                    {m.description || <span className="muted">—</span>}
                  </td>
                  <td className="mono small">
                    <Defaults m={m} />
                  </td>
                  <td>
                    <div className="btn-row">
                      <span className="badge">{m.provider === 'builtin' ? 'built-in' : 'Ollama'}</span>
                      {m.available ? null : <span className="badge badge-warning">unavailable</span>}
                    </div>
                    <div className="cell-sub">
                      {m.details?.parameterSize ? `${m.details.parameterSize} ` : ''}
                      {m.details?.quantizationLevel ?? ''}
                      {m.provider !== 'builtin' && m.lastSeenAt ? ` · seen ${formatRelative(m.lastSeenAt)}` : ''}
                    </div>
                  </td>
                  <td className="actions">
                    <button type="button" className="btn btn-small" aria-label={`Edit ${m.id}`} onClick={() => setEditing(m)}>
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Dialog open={!!editing} title={editing ? `Edit ${editing.id}` : 'Edit model'} onClose={() => setEditing(null)}>
        {editing ? <EditModelForm model={editing} onDone={() => setEditing(null)} /> : null}
      </Dialog>
    </>
  );
}

function Defaults({ m }: { m: ModelRow }) {
  const parts = [
    m.temperature != null ? `temperature ${m.temperature}` : null,
    m.topP != null ? `top_p ${m.topP}` : null,
    m.topK != null ? `top_k ${m.topK}` : null,
  ].filter(Boolean);
  return parts.length ? parts.map((p) => <div key={p}>{p}</div>) : <span className="muted">gateway defaults</span>;
}

function EditModelForm({ model, onDone }: { model: ModelRow; onDone: () => void }) {
  const [name, setName] = useState(model.name);
  const [description, setDescription] = useState(model.description);
  const [temperature, setTemperature] = useState(numberText(model.temperature));
  const [topP, setTopP] = useState(numberText(model.topP));
  const [topK, setTopK] = useState(numberText(model.topK));
  const [problem, setProblem] = useState<string | null>(null);
  const [state, save] = useMutation(UpdateModelMutation);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const t = optionalNumber(temperature);
    const p = optionalNumber(topP);
    const k = optionalNumber(topK, { int: true });
    if (!name.trim()) return setProblem('The name must not be empty.');
    if (t === 'invalid' || (t !== null && (t < 0 || t > 2))) return setProblem('Temperature must be a number from 0 to 2, or empty.');
    if (p === 'invalid' || (p !== null && (p <= 0 || p > 1))) return setProblem('Top P must be above 0 and at most 1, or empty.');
    if (k === 'invalid' || (k !== null && k < 1)) return setProblem('Top K must be a whole number of at least 1, or empty.');
    setProblem(null);
    const result = await save({ input: { id: model.id, name: name.trim(), description, temperature: t, topP: p, topK: k } });
    if (!result.error) onDone();
  }

  return (
    <form onSubmit={submit} noValidate>
      <label className="field">
        <span className="field-label">Name</span>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label className="field">
        <span className="field-label">Description</span>
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      </label>
      <fieldset className="form-grid plain">
        <legend className="field-label">Default parameters (empty for none)</legend>
        <label className="field">
          <span className="field-label">Temperature</span>
          <input type="number" inputMode="decimal" step="0.05" min="0" max="2" value={temperature} onChange={(e) => setTemperature(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">Top P</span>
          <input type="number" inputMode="decimal" step="0.05" min="0" max="1" value={topP} onChange={(e) => setTopP(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">Top K</span>
          <input type="number" inputMode="numeric" step="1" min="1" value={topK} onChange={(e) => setTopK(e.target.value)} />
        </label>
      </fieldset>
      <FormFooter problem={problem} error={state.error} errorTitle="Not saved" busy={state.fetching} busyLabel="Saving…" submitLabel="Save" onCancel={onDone} />
    </form>
  );
}
