/** Formatting shared by the pages: numbers, dates and durations the way a person reads them. */
const nf = new Intl.NumberFormat('en');
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const dtf = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const df = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export const formatNumber = (n: number | null | undefined) => (n == null ? '—' : nf.format(n));
export const formatCompact = (n: number | null | undefined) => (n == null ? '—' : n < 10_000 ? nf.format(n) : compact.format(n));
export const formatDateTime = (v: string | null | undefined) => (v ? dtf.format(new Date(v)) : '—');
export const formatDate = (v: string | null | undefined) => (v ? df.format(new Date(v)) : '—');

export function formatMs(ms: number | null | undefined): string {
  if (ms == null || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatRelative(v: string | null | undefined, now = Date.now()): string {
  if (!v) return 'never';
  const diff = (new Date(v).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return diff < 0 ? 'just now' : 'in a moment';
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 30 * 86_400) return rtf.format(Math.round(diff / 86_400), 'day');
  return formatDate(v);
}

/** `YYYY-MM-DD` of a date in local time, for <input type="date">. */
export function toDateInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function startOfMonth(d = new Date()): Date {
  return new Date(d.getFullYear(), d.getMonth(), 1);
}
