import type { ReactNode } from 'react';
import { Link } from './Link.tsx';

const NAV = [
  { to: '', label: 'Overview' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/models', label: 'Models' },
  { to: '/servers', label: 'Servers' },
  { to: '/usage', label: 'Usage' },
  { to: '/playground', label: 'Playground' },
  { to: '/audit', label: 'Audit log' },
];

/** The signed-in frame: brand, navigation, who is signed in, and the page. */
export function Layout({ who, onSignOut, children }: { who: string; onSignOut: () => void; children: ReactNode }) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Ollama Gateway
        </Link>
        <nav aria-label="Main" className="nav">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className="nav-link">
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <span className="who-name" title="Signed in with this admin key">
            {who}
          </span>
          <button type="button" className="btn btn-ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
