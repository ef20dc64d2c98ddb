/** The signed-in admin (or team admin) key lives in this tab's sessionStorage only: closing the tab forgets it. */
import { createContext, useContext } from 'react';

export interface Session {
  key: string;
  name: string;
  /** The signed-in key's id (to warn before revoking it). */
  keyId?: string;
  /** ADMIN sees everything; TEAM_ADMIN only its team's keys and usage (the gateway enforces it; the console only hides the rest). */
  role?: 'ADMIN' | 'TEAM_ADMIN';
  /** A team admin's team. */
  team?: { id: string; name: string } | null;
}

export const SessionContext = createContext<Session | null>(null);
export const useSession = () => useContext(SessionContext);
/** Whether the signed-in key is a gateway admin (older sessions without a role were admin-only). */
export const useIsAdmin = () => (useContext(SessionContext)?.role ?? 'ADMIN') === 'ADMIN';

const STORAGE_KEY = 'ogw.console.session';

export function loadSession(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.key !== 'string' || !s.key) return null;
    const team = s.team && typeof s.team.id === 'string' ? { id: s.team.id, name: String(s.team.name ?? '') } : null;
    return {
      key: s.key,
      name: String(s.name ?? ''),
      keyId: typeof s.keyId === 'string' ? s.keyId : undefined,
      role: s.role === 'TEAM_ADMIN' ? 'TEAM_ADMIN' : 'ADMIN',
      team,
    };
  } catch {
    return null;
  }
}

export function saveSession(session: Session) {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage may be disabled; the session then lasts as long as the page.
  }
}

export function clearSession() {
  try {
    window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}
