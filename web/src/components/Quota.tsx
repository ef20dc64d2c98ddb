import { useEffect, useMemo } from 'react';
import { useQuery } from 'urql';
import { formatDateTime, formatNumber } from '../format.ts';
import { graphql } from '../gql';
import type { QuotaMetric, QuotaScope } from '../gql/graphql.ts';
import { Link } from './Link.tsx';

export interface QuotaLine {
  scope: QuotaScope;
  metric: QuotaMetric;
  limit: number;
  used: number;
  remaining: number;
  resetsAt: string;
}

const METRIC: Record<QuotaMetric, string> = {
  DAILY_TOKENS: 'Tokens today',
  MONTHLY_TOKENS: 'Tokens this month',
  DAILY_REQUESTS: 'Requests today',
};

const quotaLabel = (q: Pick<QuotaLine, 'scope' | 'metric'>) => `${METRIC[q.metric]}${q.scope === 'TEAM' ? ' (team)' : ''}`;

/** One bar per quota in force: green, amber from 80%, red at 100%. */
export function QuotaBars({ quota, empty = 'No quotas: only the per-minute limits hold.' }: { quota: QuotaLine[]; empty?: string }) {
  if (!quota.length) return <p className="muted small">{empty}</p>;
  return (
    <div className="quota-list">
      {quota.map((q) => {
        const share = q.limit > 0 ? Math.min(1, q.used / q.limit) : 1;
        const tone = share >= 1 ? ' is-exceeded' : share >= 0.8 ? ' is-warning' : '';
        const label = quotaLabel(q);
        return (
          <div key={`${q.scope}-${q.metric}`} className="quota">
            <div className="quota-head">
              <span>{label}</span>
              <span className="mono">
                {formatNumber(q.used)} / {formatNumber(q.limit)}
              </span>
            </div>
            <div
              className="quota-bar"
              role="progressbar"
              aria-label={label}
              aria-valuemin={0}
              aria-valuemax={q.limit}
              aria-valuenow={Math.min(q.used, q.limit)}
              aria-valuetext={`${formatNumber(q.used)} of ${formatNumber(q.limit)} used, ${formatNumber(q.remaining)} left`}
            >
              <div className={`quota-fill${tone}`} style={{ width: `${Math.round(share * 100)}%` }} />
            </div>
            <div className="cell-sub">
              {formatNumber(q.remaining)} left · resets {formatDateTime(q.resetsAt)}
            </div>
          </div>
        );
      })}
    </div>
  );
}

const KeysNearQuotaDoc = graphql(`
  query KeysNearQuota {
    keysNearQuota {
      id
      name
      quotaState
      quota {
        scope
        metric
        limit
        used
        remaining
        resetsAt
      }
    }
  }
`);

const BANNER_REFRESH_MS = 15_000;

/** On every page: the keys at 80% or more of a quota (a team admin: its team's), asked again every 15 s. */
export function QuotaBanner() {
  const context = useMemo(() => ({ additionalTypenames: ['ApiKey', 'Team'] }), []);
  const [{ data }, refetch] = useQuery({ query: KeysNearQuotaDoc, context });
  useEffect(() => {
    const t = setInterval(() => refetch({ requestPolicy: 'network-only' }), BANNER_REFRESH_MS);
    return () => clearInterval(t);
  }, [refetch]);
  const keys = data?.keysNearQuota ?? [];
  if (!keys.length) return null;
  const over = keys.filter((k) => k.quotaState === 'EXCEEDED');
  const near = keys.filter((k) => k.quotaState !== 'EXCEEDED');
  const worst = (k: (typeof keys)[number]) => {
    const q = [...k.quota].sort((a, b) => b.used / b.limit - a.used / a.limit)[0];
    return q ? `${quotaLabel(q).toLowerCase()}: ${formatNumber(q.used)} of ${formatNumber(q.limit)}` : '';
  };
  return (
    <section className={`notice ${over.length ? 'notice-error' : 'notice-warning'} quota-banner`} aria-label="Quota warnings" role="status">
      <div>
        <strong>
          {over.length ? `${over.length} key${over.length === 1 ? ' is' : 's are'} over quota` : ''}
          {over.length && near.length ? '; ' : ''}
          {near.length ? `${near.length} key${near.length === 1 ? ' is' : 's are'} near quota` : ''}
        </strong>
        <ul>
          {keys.slice(0, 5).map((k) => (
            <li key={k.id}>
              <Link to={`/api-keys/${encodeURIComponent(k.id)}`}>{k.name}</Link> {k.quotaState === 'EXCEEDED' ? 'over quota' : 'near quota'} ({worst(k)})
            </li>
          ))}
          {keys.length > 5 ? <li>and {keys.length - 5} more</li> : null}
        </ul>
      </div>
    </section>
  );
}
