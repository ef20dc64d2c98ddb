/**
 * Calendar periods for quotas: the day or month a moment falls in, in UTC or an IANA time zone
 * (QUOTA_TIMEZONE), with its start and end as Unix milliseconds. Zone math uses Intl only.
 *
 * @example
 *   periodOf('day', Date.parse('2026-12-01T23:30:00Z'), 'Europe/Paris')
 *   // { id: '2026-12-02', start: Date.parse('2026-12-01T23:00:00Z'), end: Date.parse('2026-12-02T23:00:00Z') }
 */
export type PeriodKind = 'day' | 'month';

export interface Period {
  /** "2026-12-01" for a day, "2026-12" for a month (the QuotaAlert.period format). */
  id: string;
  /** Unix ms of the period's first instant. */
  start: number;
  /** Unix ms of the next period's first instant. */
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone name this Node knows (config validation). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of a moment in a zone. */
function wallClock(ms: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year, m: parts.month, d: parts.day, h: parts.hour, mi: parts.minute, s: parts.second };
}

/** The zone's offset from UTC at a moment, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant of a wall-clock midnight in a zone (two passes, so a DST change that day is taken into account). */
function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}

const pad = (n: number) => String(n).padStart(2, '0');

export function periodOf(kind: PeriodKind, now: number, timeZone = 'UTC'): Period {
  const { y, m, d } = wallClock(now, timeZone);
  if (kind === 'day') {
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    return {
      id: `${y}-${pad(m)}-${pad(d)}`,
      start: zonedMidnight(y, m, d, timeZone),
      end: zonedMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
    };
  }
  const next = new Date(Date.UTC(y, m, 1));
  return { id: `${y}-${pad(m)}`, start: zonedMidnight(y, m, 1, timeZone), end: zonedMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, timeZone) };
}
