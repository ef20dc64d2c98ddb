import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Provider } from 'urql';
import { createConsoleClient } from './client.ts';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/Notice.tsx';
import { QuotaBanner } from './components/Quota.tsx';
import { ApiKeysPage } from './pages/ApiKeysPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { KeyPage } from './pages/KeyPage.tsx';
import { ModelsPage } from './pages/ModelsPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { PlaygroundPage } from './pages/PlaygroundPage.tsx';
import { ServersPage } from './pages/ServersPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { TeamPage, TeamsPage } from './pages/TeamsPage.tsx';
import { useRoute } from './router.ts';
import { clearSession, loadSession, saveSession, SessionContext, type Session } from './session.ts';

// The charts library is only needed on the usage page: load it with that page.
const UsagePage = lazy(() => import('./pages/UsagePage.tsx').then((m) => ({ default: m.UsagePage })));

const TITLES: Record<string, string> = {
  '': 'Overview',
  '/api-keys': 'API keys',
  '/teams': 'Teams',
  '/models': 'Models',
  '/servers': 'Servers',
  '/usage': 'Usage',
  '/playground': 'Playground',
  '/audit': 'Audit log',
};

const ADMIN_ONLY = new Set(['/models', '/servers', '/audit']);

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [signOutReason, setSignOutReason] = useState<string | null>(null);
  const route = useRoute();

  const signOut = useCallback((reason: string | null = null) => {
    clearSession();
    setSignOutReason(reason);
    setSession(null);
  }, []);

  const consoleClient = useMemo(
    () =>
      session
        ? createConsoleClient({
            key: session.key,
            onAuthError: () => signOut('The gateway no longer accepts this key (revoked, expired or rotated). Sign in again.'),
          })
        : null,
    [session, signOut],
  );
  useEffect(() => () => consoleClient?.close(), [consoleClient]);

  useEffect(() => {
    const title = TITLES[route] ?? (route.startsWith('/api-keys/') ? 'API key' : route.startsWith('/teams/') ? 'Team' : 'Not found');
    document.title = `${session ? title : 'Sign in'} · Ollama Gateway`;
  }, [route, session]);

  if (!session || !consoleClient) {
    return (
      <SignInPage
        notice={signOutReason}
        onSignedIn={(s) => {
          saveSession(s);
          setSignOutReason(null);
          setSession(s);
        }}
      />
    );
  }

  // A team admin sees its team's keys, its team, its usage and the playground; the gateway refuses the rest anyway.
  const teamAdmin = session.role === 'TEAM_ADMIN';
  let page: ReactNode;
  switch (teamAdmin && ADMIN_ONLY.has(route) ? '/not-found' : route) {
    case '':
      page = teamAdmin ? <ApiKeysPage /> : <OverviewPage />;
      break;
    case '/teams':
      page = <TeamsPage />;
      break;
    case '/api-keys':
      page = <ApiKeysPage />;
      break;
    case '/models':
      page = <ModelsPage />;
      break;
    case '/servers':
      page = <ServersPage />;
      break;
    case '/usage':
      page = <UsagePage />;
      break;
    case '/playground':
      page = <PlaygroundPage />;
      break;
    case '/audit':
      page = <AuditPage />;
      break;
    default:
      page = route.startsWith('/api-keys/') ? (
        <KeyPage id={decodeURIComponent(route.slice('/api-keys/'.length))} />
      ) : route.startsWith('/teams/') ? (
        <TeamPage id={decodeURIComponent(route.slice('/teams/'.length))} />
      ) : (
        <NotFoundPage />
      );
  }

  return (
    <Provider value={consoleClient.client}>
      <SessionContext.Provider value={session}>
        <Layout who={session.name} teamAdminOf={teamAdmin ? (session.team?.name ?? '') : null} banner={<QuotaBanner />} onSignOut={() => signOut()}>
          <Suspense fallback={<Loading />}>{page}</Suspense>
        </Layout>
      </SessionContext.Provider>
    </Provider>
  );
}
