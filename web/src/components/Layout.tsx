import type { ReactNode } from 'react';
import { Link } from './Link.tsx';

const NAV = [
  { to: '', label: 'Overview' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/teams', label: 'Teams' },
  { to: '/models', label: 'Models' },
  { to: '/servers', label: 'Servers' },
  { to: '/usage', label: 'Usage' },
  { to: '/playground', label: 'Playground' },
  { to: '/audit', label: 'Audit log' },
];

/** What a team admin may open: its team's keys, its team, its team's usage, and the playground. */
const TEAM_ADMIN_NAV = [
  { to: '/api-keys', label: 'API keys' },
  { to: '/teams', label: 'Team' },
  { to: '/usage', label: 'Usage' },
  { to: '/playground', label: 'Playground' },
];

/** The signed-in frame: brand, navigation, who is signed in, the quota banner, and the page. */
export function Layout({
  who,
  teamAdminOf,
  banner,
  onSignOut,
  children,
}: {
  who: string;
  /** A team admin's team name: the navigation shows only what it may use. */
  teamAdminOf?: string | null;
  banner?: ReactNode;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const nav = teamAdminOf ? TEAM_ADMIN_NAV : NAV;
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
          {nav.map((n) => (
            <Link key={n.to} to={n.to} className="nav-link">
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <span className="who-name" title={teamAdminOf ? `Signed in with this team admin key of ${teamAdminOf}` : 'Signed in with this admin key'}>
            {who}
          </span>
          {teamAdminOf ? <span className="badge badge-accent">team admin · {teamAdminOf}</span> : null}
          <button type="button" className="btn btn-ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {banner}
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
