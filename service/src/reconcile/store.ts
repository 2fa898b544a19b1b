// Where the reconciliation keeps its runs: in the inbox's own database (the SQLite file in DATA_DIR
// or the PostgreSQL database at DATABASE_URL), in tables of its own (`reconcile_*`) with their own
// migration table, so that the inbox's schema and this one evolve independently.
//
// A run survives its process: its windows remember the next page to fetch, each page is saved with
// that progress in one transaction (so a crash between pages loses nothing and repeats nothing),
// PayPal's lines are keyed by (transaction id, event code) and upserted, and the discrepancies of
// a match replace the previous ones in one transaction. A run belongs to one owner at a time (a
// process); a heartbeat that stops lets another process take it over.
import type { QueryWindow } from './windows.ts';
import type {
  Discrepancy,
  DiscrepancyKind,
  DiscrepancyStatus,
  PayPalRecord,
  ReconcileRun,
  RunCounts,
  RunPhase,
  RunStatus,
  RunWindow,
  StoredDiscrepancy,
} from './types.ts';

export interface RunPatch {
  status?: RunStatus;
  phase?: RunPhase;
  lastRefreshedAt?: Date | null;
  coverageEnd?: Date | null;
  counts?: RunCounts | null;
  error?: string | null;
  finishedAt?: Date | null;
}

export interface SavePageInput {
  runId: number;
  owner: string;
  windowIndex: number;
  /** The page these records came from; the window's next page becomes page + 1. */
  page: number;
  totalPages: number;
  records: readonly PayPalRecord[];
  /** This was the window's last page. */
  windowDone: boolean;
  now: Date;
}

export interface DiscrepancyFilter {
  status?: DiscrepancyStatus | readonly DiscrepancyStatus[];
  kind?: DiscrepancyKind;
  /** Discrepancy id to page from (exclusive), ascending. */
  afterId?: number;
  limit?: number;
}

export interface DiscrepancySummary {
  byKind: Record<DiscrepancyKind, number>;
  byStatus: Record<DiscrepancyStatus, number>;
}

export interface RecordCursor {
  transactionId: string;
  eventCode: string;
}

export interface ReconcileStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the reconcile_* tables. Idempotent; safe with several processes. */
  migrate(): Promise<void>;
  createRun(input: { from: Date; to: Date; windows: readonly QueryWindow[]; owner: string; now: Date }): Promise<ReconcileRun>;
  getRun(id: number): Promise<ReconcileRun | null>;
  /** Newest first. */
  listRuns(options?: { limit?: number; beforeId?: number }): Promise<ReconcileRun[]>;
  /** The newest run of exactly this range that has not completed (running or failed). */
  findUnfinishedRun(from: Date, to: Date): Promise<ReconcileRun | null>;
  /** A running run whose heartbeat is newer than `staleBefore`: someone is working on it. */
  findLiveRun(staleBefore: Date): Promise<ReconcileRun | null>;
  /**
   * Makes `owner` the run's owner, when it has not completed and is either already `owner`'s or
   * its heartbeat is older than `staleBefore` (its owner died). Sets it running.
   */
  claimRun(id: number, owner: string, now: Date, staleBefore: Date): Promise<boolean>;
  /** False when `owner` no longer holds the run. */
  heartbeat(id: number, owner: string, now: Date): Promise<boolean>;
  updateRun(id: number, owner: string, patch: RunPatch, now: Date): Promise<boolean>;
  listWindows(runId: number): Promise<RunWindow[]>;
  /** One page of PayPal's lines and the progress it makes, in one transaction. False when not the owner. */
  savePage(input: SavePageInput): Promise<boolean>;
  /** Marks the window and every later one as not available from PayPal yet. */
  markWindowsUnavailable(runId: number, owner: string, fromIndex: number, now: Date): Promise<boolean>;
  /** The run's PayPal lines in key order, after `cursor` (exclusive). */
  readRecords(runId: number, cursor: RecordCursor | null, limit: number): Promise<PayPalRecord[]>;
  countRecords(runId: number): Promise<number>;
  /** The match's result: replaces the run's discrepancies and sets its counts and phase, atomically. */
  replaceDiscrepancies(runId: number, owner: string, discrepancies: readonly Discrepancy[], counts: RunCounts, phase: RunPhase, now: Date): Promise<boolean>;
  listDiscrepancies(runId: number, filter?: DiscrepancyFilter): Promise<StoredDiscrepancy[]>;
  getDiscrepancy(id: number): Promise<StoredDiscrepancy | null>;
  /** Moves a discrepancy to `status` if it is still in one of `from` (two repairs never both win). */
  updateDiscrepancy(id: number, change: { from: readonly DiscrepancyStatus[]; status: DiscrepancyStatus; repairNote: string; now: Date }): Promise<boolean>;
  summarizeDiscrepancies(runId: number): Promise<DiscrepancySummary>;
  close(): Promise<void>;
}

export const DEFAULT_DISCREPANCY_LIST_LIMIT = 1000;
export const MAX_DISCREPANCY_LIST_LIMIT = 10_000;

// --- shared helpers -----------------------------------------------------------------------------

export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_DISCREPANCY_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number ≥ 1 (got ${limit})`);
  return Math.min(limit, MAX_DISCREPANCY_LIST_LIMIT);
}

export function statusList(status: DiscrepancyFilter['status']): DiscrepancyStatus[] | undefined {
  if (status === undefined) return undefined;
  return typeof status === 'string' ? [status as DiscrepancyStatus] : [...(status as readonly DiscrepancyStatus[])];
}

/** The discrepancy's identity within a run: its PayPal line, or the Odoo transaction PayPal lacks. */
export function discrepancySubject(d: Discrepancy): string {
  if (d.paypalId !== null && d.kind !== 'missing_in_paypal') return `paypal:${d.paypalId}/${d.eventCode ?? ''}`;
  return `odoo:${d.reference ?? ''}/${d.paypalId ?? ''}`;
}

export function parseJsonObject<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

// --- rows, as both stores read them back (same columns, same shapes) ---

type Row = Record<string, unknown>;

export const RUN_COLUMNS =
  'id, range_from, range_to, status, phase, owner, heartbeat_at, started_at, finished_at, windows_total, windows_done, pages_done, records_pulled, last_refreshed_at, coverage_end, counts, error';
export const RECORD_COLUMNS = 'transaction_id, event_code, kind, status, currency, amount, fee, reference_id, invoice_id, custom_field, initiated_at, updated_at';
export const DISCREPANCY_COLUMNS = 'id, run_id, kind, status, action, paypal_id, event_code, reference, paypal, odoo, note, repair_note, created_at, updated_at';

/** A stored time: a Date from PostgreSQL, milliseconds since 1970 from SQLite. */
export const storedTime = (v: unknown): Date => new Date(v instanceof Date ? v.getTime() : Number(v));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : storedTime(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toRun(r: Row): ReconcileRun {
  return {
    id: Number(r['id']),
    from: storedTime(r['range_from']),
    to: storedTime(r['range_to']),
    status: r['status'] as ReconcileRun['status'],
    phase: r['phase'] as ReconcileRun['phase'],
    owner: String(r['owner']),
    heartbeatAt: storedTime(r['heartbeat_at']),
    startedAt: storedTime(r['started_at']),
    finishedAt: dateOrNull(r['finished_at']),
    windowsTotal: Number(r['windows_total']),
    windowsDone: Number(r['windows_done']),
    pagesDone: Number(r['pages_done']),
    recordsPulled: Number(r['records_pulled']),
    lastRefreshedAt: dateOrNull(r['last_refreshed_at']),
    coverageEnd: dateOrNull(r['coverage_end']),
    counts: parseJsonObject<RunCounts>(r['counts']),
    error: text(r['error']),
  };
}

export function toRecord(r: Row): PayPalRecord {
  return {
    transactionId: String(r['transaction_id']),
    eventCode: String(r['event_code']),
    kind: r['kind'] as PayPalRecord['kind'],
    status: String(r['status']),
    currency: String(r['currency']),
    amount: String(r['amount']),
    fee: text(r['fee']),
    referenceId: text(r['reference_id']),
    invoiceId: text(r['invoice_id']),
    customField: text(r['custom_field']),
    initiatedAt: storedTime(r['initiated_at']),
    updatedAt: storedTime(r['updated_at']),
  };
}

export function toDiscrepancy(r: Row): StoredDiscrepancy {
  return {
    id: Number(r['id']),
    runId: Number(r['run_id']),
    kind: r['kind'] as StoredDiscrepancy['kind'],
    status: r['status'] as StoredDiscrepancy['status'],
    action: (r['action'] ?? null) as StoredDiscrepancy['action'],
    paypalId: text(r['paypal_id']),
    eventCode: text(r['event_code']),
    reference: text(r['reference']),
    paypal: parseJsonObject(r['paypal']),
    odoo: parseJsonObject(r['odoo']),
    note: String(r['note']),
    repairNote: text(r['repair_note']),
    createdAt: storedTime(r['created_at']),
    updatedAt: storedTime(r['updated_at']),
  };
}
