/**
 * Self-service: what a key may know about its own budget (GET /api/usage): the limits in force, every
 * quota with what is left until it resets, and its usage today and this month (the quota periods).
 */
import type { Principal } from '../auth/key-store.ts';
import { UsageReport } from '../usage/reports.ts';
import { subjectsOf, type QuotaUsage, type Quotas } from './quotas.ts';

interface Totals {
  /** The period's first instant. */
  since: Date;
  /** Every recorded request (refused ones too, as in the usage reports). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface Account {
  principal: Principal;
  quotas: QuotaUsage[];
  today: Totals;
  thisMonth: Totals;
  timeZone: string;
}

/** The key's usage since a period's start, from the usage reports (rollups for whole hours). */
async function totalsSince(keyId: string, since: number): Promise<Totals> {
  const t = await new UsageReport({ from: new Date(since), apiKeyId: keyId }).totals();
  return { since: new Date(since), requests: t.requests, promptTokens: t.promptTokens, completionTokens: t.completionTokens };
}

/** A key's own account; `flush` first writes the usage records still pending, so the totals include the last requests. */
export async function accountOf({ principal, quotas, flush }: { principal: Principal; quotas: Quotas; flush?: () => Promise<void> }): Promise<Account> {
  if (flush) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([flush().catch(() => {}), new Promise((r) => (timer = setTimeout(r, 1000)))]).finally(() => clearTimeout(timer));
  }
  const [usage, today, thisMonth] = await Promise.all([
    quotas.usage(subjectsOf(principal)),
    totalsSince(principal.keyId, quotas.periodOf('day').start),
    totalsSince(principal.keyId, quotas.periodOf('month').start),
  ]);
  return { principal, quotas: usage, today, thisMonth, timeZone: quotas.timeZone };
}
