/** A tiny history router for the console's handful of pages under /admin. */
import { useSyncExternalStore } from 'react';

export const BASE = '/admin';

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** The path below /admin, without a trailing slash: '' for the overview, '/api-keys', ... */
function currentRoute(): string {
  const p = window.location.pathname;
  const rest = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return rest.replace(/\/+$/, '');
}

export function useRoute(): string {
  return useSyncExternalStore(subscribe, currentRoute);
}

export function navigate(route: string, { replace = false }: { replace?: boolean } = {}) {
  const url = BASE + route;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  notify();
}
