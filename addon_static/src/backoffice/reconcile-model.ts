// The reconciliation view's arithmetic, kept free of Odoo imports so that it runs in Node's tests:
// the date range a person picks (whole days, both ends included) and the UTC bounds the service
// takes ([from 00:00 UTC, day after `to` 00:00 UTC), as PayPal's reports count days), how a run's
// range reads back, its progress, which discrepancies have a certain repair and in which order
// "repair all" applies them, and the service's decimal strings as minor units.
import { currencyDecimals } from './money.ts';

export const DISCREPANCY_KINDS = ['missing_in_odoo', 'missing_in_paypal', 'amount_mismatch', 'currency_mismatch', 'state_mismatch', 'fee_missing'] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];
export const DISCREPANCY_STATUSES = ['open', 'needs_person', 'repaired'] as const;
export type DiscrepancyStatus = (typeof DISCREPANCY_STATUSES)[number];
export type RepairAction = 'sync_capture' | 'sync_refund' | 'book_fee' | 'repost_payment';
export type RunStatus = 'running' | 'completed' | 'failed';
export type RunPhase = 'pull' | 'match' | 'repair' | 'done';

/** A run as GET /v1/admin/reconcile/runs answers it (service/src/admin/reconcile-routes.ts). */
export interface RunInfo {
  id: number;
  /** ISO 8601, UTC: the range [from, to). */
  from: string;
  to: string;
  status: RunStatus;
  phase: RunPhase;
  started_at: string;
  finished_at: string | null;
  heartbeat_at: string;
  /** Running, but its process stopped beating: starting the same range again resumes it. */
  stalled: boolean;
  windows_total: number;
  windows_done: number;
  records_pulled: number;
  /** Where PayPal's data ended for this run (≤ to). */
  coverage_end: string | null;
  counts: RunCounts | null;
  /** How many discrepancies are in each status now (repairs move them); null before the match. */
  statuses: Record<DiscrepancyStatus, number> | null;
  error: string | null;
}

export interface RunCounts {
  paypalRecords: number;
  odooRecords: number;
  matched: number;
  matchedOutsideReport: number;
  tooRecent: number;
  feesNotBooked: number;
  discrepancies: Record<DiscrepancyKind, number>;
  open: number;
  repaired: number;
  needsPerson: number;
}

export type SideValues = Record<string, string | null>;

export interface DiscrepancyInfo {
  id: number;
  run_id: number;
  kind: DiscrepancyKind;
  status: DiscrepancyStatus;
  action: RepairAction | null;
  paypal_id: string | null;
  event_code: string | null;
  /** The Odoo transaction's reference, when Odoo has one. */
  reference: string | null;
  paypal: SideValues | null;
  odoo: SideValues | null;
  note: string;
  repair_note: string | null;
  updated_at: string;
}

const DAY_MS = 86_400_000;
/** PayPal's Transaction Search keeps three years of history. */
export const HISTORY_YEARS = 3;

/** YYYY-MM-DD of a calendar date (no time, no zone). */
function isoDay(year: number, monthIndex: number, day: number): string {
  return new Date(Date.UTC(year, monthIndex, day)).toISOString().slice(0, 10);
}

/** Today in the person's own calendar (the browser's time zone), as YYYY-MM-DD. */
export function localToday(now: Date): string {
  return isoDay(now.getFullYear(), now.getMonth(), now.getDate());
}

/** The previous calendar month of `today` (YYYY-MM-DD), both ends included: the default range. */
export function lastMonth(today: string): { from: string; to: string } {
  const [year, month] = today.split('-').map(Number) as [number, number];
  return { from: isoDay(year, month - 2, 1), to: isoDay(year, month - 1, 0) };
}

function parseDay(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse accepts 2026-02-30 as March 2nd: a day that does not exist is refused.
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value ? null : ms;
}

export type RangeProblem = 'missing' | 'order' | 'future' | 'too_old';

/**
 * The days a person picked, both included, as the bounds the service takes: `from` at 00:00 UTC
 * and the day after `to` at 00:00 UTC (exclusive). The range must start by `today` and not
 * before PayPal's history does.
 */
export function dayRange(from: string, to: string, today: string): { ok: true; from: string; to: string } | { ok: false; problem: RangeProblem } {
  const start = parseDay(from);
  const end = parseDay(to);
  const now = parseDay(today);
  if (start === null || end === null || now === null) return { ok: false, problem: 'missing' };
  if (end < start) return { ok: false, problem: 'order' };
  if (start > now) return { ok: false, problem: 'future' };
  const [year, month, day] = today.split('-').map(Number) as [number, number, number];
  if (start < Date.UTC(year - HISTORY_YEARS, month - 1, day)) return { ok: false, problem: 'too_old' };
  return { ok: true, from, to: new Date(end + DAY_MS).toISOString().slice(0, 10) };
}

/**
 * A run's range for people: whole UTC days (the end day included) when both bounds are midnights,
 * as the view and the daily run make them; otherwise the exact instants (the command line and
 * the demo may start anywhere).
 */
export function runRange(run: Pick<RunInfo, 'from' | 'to'>): { days: true; from: string; to: string } | { days: false; from: Date; to: Date } {
  const from = new Date(run.from);
  const to = new Date(run.to);
  if (from.getTime() % DAY_MS === 0 && to.getTime() % DAY_MS === 0) {
    return { days: true, from: from.toISOString().slice(0, 10), to: new Date(to.getTime() - DAY_MS).toISOString().slice(0, 10) };
  }
  return { days: false, from, to };
}

/** How far a running run is, from 0 to 1; null while it cannot say (matching, repairing). */
export function runProgress(run: Pick<RunInfo, 'status' | 'phase' | 'windows_done' | 'windows_total'>): number | null {
  if (run.status === 'completed') return 1;
  if (run.phase !== 'pull' || run.windows_total <= 0) return null;
  return Math.min(1, run.windows_done / run.windows_total);
}

/** The report stopped short of the range: PayPal's data did not reach its end yet. */
export function coverageShort(run: Pick<RunInfo, 'to' | 'coverage_end' | 'status'>): boolean {
  return run.status === 'completed' && run.coverage_end !== null && Date.parse(run.coverage_end) < Date.parse(run.to);
}

/** A discrepancy the one-click repair can fix: the service knows the right fix and it was not applied yet. */
export function isRepairable(d: Pick<DiscrepancyInfo, 'action' | 'status'>): boolean {
  return d.action !== null && d.status === 'open';
}

// As the service's own "repair all" (service/src/reconcile/repair.ts): captures first, since a
// refund is booked under its capture and a fee once the capture is confirmed.
const REPAIR_ORDER: Record<RepairAction, number> = { sync_capture: 0, sync_refund: 1, repost_payment: 2, book_fee: 3 };

/** The repairable ones among `list`, in the order to apply them. */
export function repairQueue<T extends Pick<DiscrepancyInfo, 'id' | 'action' | 'status'>>(list: readonly T[]): T[] {
  return list.filter(isRepairable).sort((a, b) => REPAIR_ORDER[a.action as RepairAction] - REPAIR_ORDER[b.action as RepairAction] || a.id - b.id);
}

/** A decimal string of the service ("27.00", "-3.49") in minor units of `currency`; null if it is not one. */
export function decimalToMinor(value: string | null | undefined, currency: string): number | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value ?? '');
  if (!match) return null;
  const decimals = currencyDecimals(currency);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) return null;
  const minor = Number(match[2]) * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
  if (!Number.isSafeInteger(minor)) return null;
  return match[1] && minor !== 0 ? -minor : minor;
}

/** The CSV's file name, as the service names it (its Content-Disposition is not readable across origins). */
export function csvFileName(run: Pick<RunInfo, 'from' | 'to'>): string {
  return `paypal-reconciliation-${run.from.slice(0, 10)}-${run.to.slice(0, 10)}.csv`;
}
