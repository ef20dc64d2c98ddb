/** The signed-in admin key lives in this tab's sessionStorage only: closing the tab forgets it. */
import { createContext, useContext } from 'react';

export interface Session {
  key: string;
  name: string;
  /** The signed-in key's id (to warn before revoking it). */
  keyId?: string;
}

export const SessionContext = createContext<Session | null>(null);
export const useSession = () => useContext(SessionContext);

const STORAGE_KEY = 'ogw.console.session';

export function loadSession(): Session | null {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    return typeof s.key === 'string' && s.key ? { key: s.key, name: String(s.name ?? ''), keyId: typeof s.keyId === 'string' ? s.keyId : undefined } : null;
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
