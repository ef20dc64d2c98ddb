import { useId, useState, type FormEvent } from 'react';
import { createConsoleClient } from '../client.ts';
import { describeError } from '../errors.ts';
import { graphql } from '../gql';
import type { Session } from '../session.ts';

const RecordSignInMutation = graphql(`
  mutation RecordConsoleSignIn {
    recordConsoleSignIn
  }
`);

const SignInViewerQuery = graphql(`
  query SignInViewer {
    viewer {
      id
      name
      prefix
      role
      team {
        id
        name
      }
    }
  }
`);

/** Checks the key against the gateway before keeping it: a live admin key, or a team admin key of a team. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (s: Session) => void; notice?: string | null }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter an admin key.');
      return;
    }
    setBusy(true);
    setError(null);
    const probe = createConsoleClient({ key: trimmed });
    try {
      const result = await probe.client.query(SignInViewerQuery, {}, { requestPolicy: 'network-only' }).toPromise();
      if (result.error) {
        const p = describeError(result.error);
        setError(p.kind === 'auth' ? 'That key was not accepted: check it and try again.' : p.message);
        return;
      }
      const viewer = result.data?.viewer;
      if (!viewer) {
        setError('That key was not accepted: check it and try again.');
        return;
      }
      if (viewer.role === 'USER') {
        setError(`"${viewer.name}" is a user key; the console needs an admin key or a team admin key.`);
        return;
      }
      if (viewer.role === 'TEAM_ADMIN' && !viewer.team) {
        setError(`"${viewer.name}" is a team admin key in no team, so it manages nothing; an admin must put it in a team first.`);
        return;
      }
      // Recorded in the audit log; a failure to record does not keep an admin out.
      await probe.client.mutation(RecordSignInMutation, {}).toPromise();
      onSignedIn({
        key: trimmed,
        name: `${viewer.name} (${viewer.prefix}…)`,
        keyId: viewer.id,
        role: viewer.role === 'TEAM_ADMIN' ? 'TEAM_ADMIN' : 'ADMIN',
        team: viewer.team ? { id: viewer.team.id, name: viewer.team.name } : null,
      });
    } finally {
      probe.close();
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={submit} noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Ollama Gateway
        </div>
        <h1>Sign in to the admin console</h1>
        <p className="muted">
          Use an admin API key, or a team admin key to manage your team. It stays in this browser tab only and is forgotten when you sign out or close the tab.
        </p>
        {notice ? (
          <div className="notice notice-warning" role="alert">
            {notice}
          </div>
        ) : null}
        <label className="field">
          <span className="field-label">Admin key</span>
          <input
            type="password"
            name="admin-key"
            autoComplete="current-password"
            spellCheck={false}
            // biome-ignore lint/a11y/noAutofocus: the sign-in page has one field and nothing else to do first; focusing it lets the user paste the key at once.
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            placeholder="ogw_…"
          />
        </label>
        {error ? (
          <p id={errorId} className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          The gateway prints an admin key at its first start; <code>npm run keys</code> creates more.
        </p>
      </form>
    </main>
  );
}
