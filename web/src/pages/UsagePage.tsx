import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/Notice.tsx';
import { TimeChart, type ChartSeries } from '../components/TimeChart.tsx';
import { formatCompact, formatMs, formatNumber, toDateInput } from '../format.ts';
import { graphql } from '../gql';
import type { UsageInterval, UsageLiveFeedSubscription, UsagePageQuery } from '../gql/graphql.ts';
import { useIsAdmin } from '../session.ts';

const UsagePageQueryDoc = graphql(`
  query UsagePage($filter: UsageFilter!, $interval: UsageInterval!) {
    usage(filter: $filter) {
      totals {
        requests
        errors
        promptTokens
        completionTokens
        totalTokens
        avgLatencyMs
        avgTtftMs
        cost
      }
      currency
      byModel {
        model
        totals {
          requests
          errors
          promptTokens
          completionTokens
          totalTokens
          avgLatencyMs
          avgTtftMs
          cost
        }
      }
      byKey {
        apiKeyId
        apiKey {
          id
          name
          prefix
        }
        totals {
          requests
          errors
          promptTokens
          completionTokens
          totalTokens
          avgLatencyMs
          avgTtftMs
          cost
        }
      }
      byTeam {
        teamId
        name
        totals {
          requests
          errors
          promptTokens
          completionTokens
          totalTokens
          avgLatencyMs
          avgTtftMs
          cost
        }
      }
      series(interval: $interval) {
        start
        totals {
          requests
          totalTokens
        }
        byModel {
          model
          totals {
            requests
            errors
            promptTokens
            completionTokens
            totalTokens
            avgLatencyMs
            avgTtftMs
            cost
          }
        }
        byKey {
          apiKeyId
          totals {
            requests
            errors
            promptTokens
            completionTokens
            totalTokens
            avgLatencyMs
            avgTtftMs
            cost
          }
        }
      }
    }
  }
`);

const UsageLiveFeedDoc = graphql(`
  subscription UsageLiveFeed {
    usageEvents {
      id
      model
      surface
      endpoint
      status
      totalTokens
      latencyMs
      ttftMs
      createdAt
      apiKey {
        id
        name
      }
    }
  }
`);

type Report = UsagePageQuery['usage'];
type Numbers = Report['totals'];
type FeedItem = UsageLiveFeedSubscription['usageEvents'];

const PRESETS = [
  { hours: 24, label: '24 hours' },
  { hours: 7 * 24, label: '7 days' },
  { hours: 30 * 24, label: '30 days' },
];
const MAX_SERIES = 6;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A rolling range ends now and reaches back `hours`; a calendar range covers whole local days. */
type Range = { kind: 'rolling'; hours: number; at: number } | { kind: 'days'; fromDay: string; toDay: string };

function rangeFor(range: Range) {
  let from: Date;
  let to: Date;
  if (range.kind === 'rolling') {
    to = new Date(range.at);
    from = new Date(range.at - range.hours * HOUR);
  } else {
    from = new Date(`${range.fromDay}T00:00:00`);
    to = new Date(new Date(`${range.toDay}T00:00:00`).getTime() + DAY);
  }
  return { from, to, interval: (to.getTime() - from.getTime() <= 3 * DAY ? 'HOUR' : 'DAY') as UsageInterval };
}

export function UsagePage() {
  const today = toDateInput(new Date());
  const [range, setRange] = useState<Range>({ kind: 'rolling', hours: 7 * 24, at: Date.now() });
  const fromDay = range.kind === 'days' ? range.fromDay : toDateInput(new Date(range.at - range.hours * HOUR));
  const toDay = range.kind === 'days' ? range.toDay : toDateInput(new Date(range.at));
  const setFromDay = (d: string) => setRange({ kind: 'days', fromDay: d, toDay });
  const setToDay = (d: string) => setRange({ kind: 'days', fromDay, toDay: d });
  const [by, setBy] = useState<'model' | 'key'>('model');
  const { from, to, interval } = useMemo(() => rangeFor(range), [range]);
  const badRange = !fromDay || !toDay || from >= to;
  const xRange = useMemo((): [number, number] => [Math.floor(from.getTime() / 1000), Math.floor(to.getTime() / 1000)], [from, to]);
  const variables = useMemo(() => ({ filter: { from: from.toISOString(), to: to.toISOString() }, interval }), [from, to, interval]);
  const [{ data, fetching, error }, refetch] = useQuery({ query: UsagePageQueryDoc, variables, pause: badRange });

  // The live feed: newest first, the last 50.
  // The live feed is every key's requests: an admin's only (a team admin sees its team's in the report).
  const admin = useIsAdmin();
  const [live, setLive] = useState(true);
  const [feed] = useSubscription({ query: UsageLiveFeedDoc, pause: !live || !admin }, (prev: FeedItem[] | undefined, event) =>
    [event.usageEvents, ...(prev ?? [])].slice(0, 50),
  );
  const events = feed.data ?? [];

  // A rolling range moves its end to now; a calendar range asks again for the same days.
  const refresh = useCallback(
    () => (range.kind === 'rolling' ? setRange({ ...range, at: Date.now() }) : refetch({ requestPolicy: 'network-only' })),
    [range, refetch],
  );
  // New records make the report stale. The feed announces a record before the batched write lands,
  // so refresh a moment after the latest one (a burst of records costs one refresh). The timer reads
  // refresh through a ref: a rolling range's refresh changes with every refresh, and re-arming on
  // that would refresh every 1.5 s for good.
  const latestEventId = events[0]?.id;
  const refreshRef = useRef(refresh);
  useEffect(() => {
    refreshRef.current = refresh;
  }, [refresh]);
  useEffect(() => {
    if (latestEventId === undefined || badRange) return;
    const t = setTimeout(() => refreshRef.current(), 1500);
    return () => clearTimeout(t);
  }, [latestEventId, badRange]);

  const report = data?.usage;
  const keyNames = useMemo(
    () => new Map((report?.byKey ?? []).map((k) => [k.apiKeyId, k.apiKey ? `${k.apiKey.name} (${k.apiKey.prefix})` : k.apiKeyId])),
    [report],
  );
  const charts = useMemo(() => (report ? buildCharts(report, by, keyNames) : null), [report, by, keyNames]);
  // Costs show only when some model has a price (the totals' cost is null otherwise).
  const currency = report?.totals.cost != null ? report.currency : null;

  return (
    <>
      <PageHeader
        title="Usage"
        description="Requests and tokens over time, by model and by key. “Last 24 hours” ends now; times are bucketed in UTC hours or days."
        actions={
          <button type="button" className="btn" disabled={!report} onClick={() => report && downloadCsv(report, keyNames, fromDay, toDay)}>
            Export CSV
          </button>
        }
      />
      <div className="card" style={{ marginBottom: '1rem' }}>
        <div className="inline-fields">
          <label className="field">
            <span className="field-label">From</span>
            <input type="date" value={fromDay} max={toDay} onChange={(e) => setFromDay(e.target.value)} />
          </label>
          <label className="field">
            <span className="field-label">To</span>
            <input type="date" value={toDay} min={fromDay} max={today} onChange={(e) => setToDay(e.target.value)} />
          </label>
          <fieldset className="btn-row" aria-label="Quick ranges">
            {PRESETS.map((p) => (
              <button
                key={p.hours}
                type="button"
                className="btn btn-small"
                aria-pressed={range.kind === 'rolling' && range.hours === p.hours}
                onClick={() => setRange({ kind: 'rolling', hours: p.hours, at: Date.now() })}
              >
                Last {p.label}
              </button>
            ))}
          </fieldset>
          <button type="button" className="btn btn-small btn-ghost" onClick={refresh} disabled={fetching}>
            {fetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
        {badRange ? (
          <p className="field-error" role="alert" style={{ marginTop: '0.5rem' }}>
            Choose a start date on or before the end date.
          </p>
        ) : null}
      </div>

      <ErrorNotice error={error} onRetry={refresh} />
      {!report && fetching ? <Loading label="Loading usage…" /> : null}
      {report ? (
        <>
          <Totals t={report.totals} currency={report.currency} />
          <div className="card">
            <div className="card-title">
              <h2>Over time</h2>
              <fieldset className="segmented" aria-label="Break down by">
                <button type="button" aria-pressed={by === 'model'} onClick={() => setBy('model')}>
                  By model
                </button>
                <button type="button" aria-pressed={by === 'key'} onClick={() => setBy('key')}>
                  By key
                </button>
              </fieldset>
            </div>
            {report.totals.requests === 0 ? (
              <Empty title="No requests in this range">Send one from the Playground, or widen the dates.</Empty>
            ) : charts ? (
              <div className="grid">
                <div>
                  <h3>Requests</h3>
                  <TimeChart
                    title={`Requests per ${interval === 'HOUR' ? 'hour' : 'day'} by ${by}`}
                    x={charts.x}
                    series={charts.requests}
                    step={interval === 'HOUR' ? 'hour' : 'day'}
                    range={xRange}
                  />
                </div>
                <div>
                  <h3>Tokens</h3>
                  <TimeChart
                    title={`Tokens per ${interval === 'HOUR' ? 'hour' : 'day'} by ${by}`}
                    x={charts.x}
                    series={charts.tokens}
                    step={interval === 'HOUR' ? 'hour' : 'day'}
                    range={xRange}
                  />
                </div>
              </div>
            ) : null}
          </div>
          <div className="two-col">
            <div className="grid">
              <Breakdown title="By model" label="Model" currency={currency} rows={report.byModel.map((m) => ({ id: m.model, name: m.model, t: m.totals }))} />
              <Breakdown
                title="By key"
                label="Key"
                currency={currency}
                rows={report.byKey.map((k) => ({ id: k.apiKeyId, name: keyNames.get(k.apiKeyId) ?? k.apiKeyId, t: k.totals }))}
              />
              {report.byTeam.some((t) => t.teamId !== null) ? (
                <Breakdown
                  title="By team"
                  label="Team"
                  currency={currency}
                  rows={report.byTeam.map((t) => ({ id: t.teamId ?? '', name: t.teamId ? (t.name ?? t.teamId) : 'No team', t: t.totals }))}
                />
              ) : null}
            </div>
            {admin ? <LiveFeed events={events} live={live} setLive={setLive} error={feed.error} /> : null}
          </div>
        </>
      ) : null}
    </>
  );
}

function Totals({ t, currency }: { t: Numbers; currency: string }) {
  return (
    <section className="stats" aria-label="Totals">
      <Stat label="Requests" value={formatNumber(t.requests)} sub={t.errors ? `${formatNumber(t.errors)} failed or cancelled` : 'none failed'} />
      <Stat
        label="Tokens"
        value={formatCompact(t.totalTokens)}
        sub={`${formatCompact(t.promptTokens)} prompt · ${formatCompact(t.completionTokens)} completion`}
      />
      <Stat label="Avg latency" value={formatMs(t.avgLatencyMs)} sub="start to last token" />
      <Stat label="Avg time to first token" value={formatMs(t.avgTtftMs)} sub="streamed and not" />
      {t.cost != null ? <Stat label="Cost" value={formatCost(t.cost)} sub={`${currency}, at current model prices`} /> : null}
    </section>
  );
}

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub ? <div className="stat-sub">{sub}</div> : null}
    </div>
  );
}

/** Cost with enough digits for small amounts (0.0042) and none wasted on large ones. */
function formatCost(v: number | null | undefined): string {
  if (v == null) return '—';
  return v.toLocaleString('en', { maximumFractionDigits: v >= 100 ? 2 : 4 });
}

function Breakdown({
  title,
  label,
  currency,
  rows,
}: {
  title: string;
  label: string;
  /** Shows a cost column (in this currency) when set. */
  currency: string | null;
  rows: Array<{ id: string; name: string; t: Numbers }>;
}) {
  return (
    <section className="table-wrap" aria-label={title}>
      <table>
        <caption style={{ textAlign: 'left', padding: '0.75rem 0.75rem 0.25rem', fontWeight: 600 }}>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Avg latency
            </th>
            <th scope="col" className="num">
              Avg TTFT
            </th>
            <th scope="col" className="num">
              Errors
            </th>
            {currency ? (
              <th scope="col" className="num">
                Cost ({currency})
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={currency ? 7 : 6} className="muted">
                Nothing yet.
              </td>
            </tr>
          ) : (
            rows.map((r) => (
              <tr key={r.id}>
                <td className="mono small">{r.name}</td>
                <td className="num">{formatNumber(r.t.requests)}</td>
                <td className="num">{formatNumber(r.t.totalTokens)}</td>
                <td className="num">{formatMs(r.t.avgLatencyMs)}</td>
                <td className="num">{formatMs(r.t.avgTtftMs)}</td>
                <td className="num">{formatNumber(r.t.errors)}</td>
                {currency ? <td className="num">{formatCost(r.t.cost)}</td> : null}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

function LiveFeed({ events, live, setLive, error }: { events: FeedItem[]; live: boolean; setLive: (v: boolean) => void; error: unknown }) {
  return (
    <section className="card" aria-labelledby="live-feed-title">
      <div className="card-title">
        <h2 id="live-feed-title">
          <span className={live && !error ? 'live-dot on' : 'live-dot'} aria-hidden="true" />
          Live feed
        </h2>
        <label className="switch small">
          <input type="checkbox" role="switch" checked={live} aria-checked={live} onChange={(e) => setLive(e.target.checked)} />
          Live
        </label>
      </div>
      <ErrorNotice error={error} title="Live feed stopped" />
      {events.length === 0 ? (
        <p className="muted small">{live ? 'Waiting for requests… each one appears here as it finishes.' : 'Paused.'}</p>
      ) : (
        <ol className="feed" aria-label="Latest requests" aria-live="polite">
          {events.map((e) => (
            <li key={e.id}>
              <time dateTime={e.createdAt} className="muted">
                {new Date(e.createdAt).toLocaleTimeString('en', { hour12: false })}
              </time>
              <span>
                <span className="mono">{e.model}</span> · {e.apiKey?.name ?? 'key'} · {e.surface}
                <div className="cell-sub">
                  {formatNumber(e.totalTokens)} tokens · {formatMs(e.latencyMs)}
                  {e.ttftMs != null ? ` · first token ${formatMs(e.ttftMs)}` : ''}
                </div>
              </span>
              <span
                className={`badge ${e.status < 400 ? 'badge-success' : e.status === 499 ? 'badge-warning' : 'badge-danger'}`}
                title={e.status === 499 ? 'cancelled by the client' : undefined}
              >
                {e.status === 499 ? 'cancelled' : e.status}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function buildCharts(report: Report, by: 'model' | 'key', keyNames: Map<string, string>) {
  const x = report.series.map((p) => Math.floor(new Date(p.start).getTime() / 1000));
  const overall = by === 'model' ? report.byModel.map((m) => m.model) : report.byKey.map((k) => k.apiKeyId);
  const top = overall.slice(0, MAX_SERIES);
  const hasOther = overall.length > top.length;
  const groupsOf = (p: Report['series'][number]) =>
    by === 'model' ? p.byModel.map((g) => ({ id: g.model, t: g.totals })) : p.byKey.map((g) => ({ id: g.apiKeyId, t: g.totals }));
  const make = (field: 'requests' | 'totalTokens'): ChartSeries[] => {
    const out: ChartSeries[] = top.map((id) => ({
      label: by === 'model' ? id : (keyNames.get(id) ?? id),
      values: report.series.map((p) => groupsOf(p).find((g) => g.id === id)?.t[field] ?? 0),
    }));
    if (hasOther)
      out.push({
        label: 'Other',
        values: report.series.map((p) =>
          groupsOf(p)
            .filter((g) => !top.includes(g.id))
            .reduce((n, g) => n + g.t[field], 0),
        ),
      });
    return out;
  };
  return { x, requests: make('requests'), tokens: make('totalTokens') };
}

function csvCell(v: string | number | null | undefined): string {
  if (v == null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function downloadCsv(report: Report, keyNames: Map<string, string>, fromDay: string, toDay: string) {
  const header = [
    'bucket_start',
    'dimension',
    'id',
    'name',
    'requests',
    'errors',
    'prompt_tokens',
    'completion_tokens',
    'total_tokens',
    'avg_latency_ms',
    'avg_ttft_ms',
    'cost',
  ];
  const lines = [header.join(',')];
  const row = (start: string, dim: string, id: string, name: string, t: Numbers) =>
    lines.push(
      [
        start,
        dim,
        id,
        name,
        t.requests,
        t.errors,
        t.promptTokens,
        t.completionTokens,
        t.totalTokens,
        t.avgLatencyMs?.toFixed(1),
        t.avgTtftMs?.toFixed(1),
        t.cost,
      ]
        .map(csvCell)
        .join(','),
    );
  for (const p of report.series) {
    for (const g of p.byModel) row(p.start, 'model', g.model, g.model, g.totals);
    for (const g of p.byKey) row(p.start, 'key', g.apiKeyId, keyNames.get(g.apiKeyId) ?? g.apiKeyId, g.totals);
  }
  const blob = new Blob([`${lines.join('\n')}\n`], { type: 'text/csv;charset=utf-8' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `usage-${fromDay}-to-${toDay}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
