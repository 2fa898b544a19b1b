// The reconciliation's vocabulary: PayPal's ledger lines as stored, the discrepancies found between
// them and Odoo, runs and their windows, and the payment sync the repairs go through.
import type { PaymentSync } from '../sync/payment-sync.ts';
import type { RecordKind } from './event-codes.ts';

export type { PaymentSync, SyncResult } from '../sync/payment-sync.ts';

export type { RecordKind } from './event-codes.ts';

/** One line of PayPal's Transaction Search, as the reconciliation keeps it. */
export interface PayPalRecord {
  transactionId: string;
  /** T-code, e.g. T0006. Together with transactionId the record's key. */
  eventCode: string;
  kind: RecordKind;
  /** S (success), P (pending), D (denied), V (reversed); empty when PayPal sent none. */
  status: string;
  currency: string;
  /** Signed, as PayPal reports it: a refund is negative. */
  amount: string;
  /** Signed, as PayPal reports it (a capture's fee is negative); null when there is none. */
  fee: string | null;
  /** The related transaction: the order of a capture, the capture of a refund or hold. */
  referenceId: string | null;
  invoiceId: string | null;
  /** The order's custom_id: our Odoo transaction reference. */
  customField: string | null;
  initiatedAt: Date;
  updatedAt: Date;
}

export const DISCREPANCY_KINDS = ['missing_in_odoo', 'missing_in_paypal', 'amount_mismatch', 'currency_mismatch', 'state_mismatch', 'fee_missing'] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** open: a certain repair is available; repaired: done (and checked); needs_person: a person must decide. */
export const DISCREPANCY_STATUSES = ['open', 'repaired', 'needs_person'] as const;
export type DiscrepancyStatus = (typeof DISCREPANCY_STATUSES)[number];

/**
 * The certain repairs: re-read PayPal and apply through the webhook handlers' code, book a fee, or
 * put a payment Odoo removed from its books back.
 */
export type RepairAction = 'sync_capture' | 'sync_refund' | 'book_fee' | 'repost_payment';

/** One side of a discrepancy, as shown to people and exported: plain strings. */
export type SideValues = Record<string, string | null>;

export interface Discrepancy {
  kind: DiscrepancyKind;
  status: DiscrepancyStatus;
  action: RepairAction | null;
  /** The PayPal transaction id (capture, refund, reversal), when PayPal has one. */
  paypalId: string | null;
  eventCode: string | null;
  /** The Odoo transaction reference, when Odoo has one. */
  reference: string | null;
  paypal: SideValues | null;
  odoo: SideValues | null;
  /** What differs, in words. */
  note: string;
}

export interface StoredDiscrepancy extends Discrepancy {
  id: number;
  runId: number;
  /** What a repair did, or why it could not. */
  repairNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type RunStatus = 'running' | 'completed' | 'failed';
export type RunPhase = 'pull' | 'match' | 'repair' | 'done';

/** What booking PayPal's ledger in Odoo did: lines booked or found, created now, matched with a payment, left open. */
export interface LedgerCounts {
  lines: number;
  created: number;
  matched: number;
  unmatched: number;
}

export interface RunCounts {
  paypalRecords: number;
  byKind: Record<RecordKind, number>;
  odooRecords: number;
  matched: number;
  /** Odoo records in the range whose PayPal record lies outside the report (found by id at PayPal). */
  matchedOutsideReport: number;
  /** Odoo records that changed after PayPal's last refresh: not compared yet. */
  tooRecent: number;
  /** Settled captures whose fee is not checked: their provider has no PayPal Fee Account. */
  feesNotBooked: number;
  discrepancies: Record<DiscrepancyKind, number>;
  open: number;
  repaired: number;
  needsPerson: number;
  /** Present when the run booked PayPal's ledger in the PayPal journal. */
  ledger?: LedgerCounts;
}

export interface ReconcileRun {
  id: number;
  /** The range asked for: [from, to). */
  from: Date;
  to: Date;
  status: RunStatus;
  phase: RunPhase;
  /** Who runs it (process) and when it last said so; a stale heartbeat means the runner died. */
  owner: string;
  heartbeatAt: Date;
  startedAt: Date;
  finishedAt: Date | null;
  windowsTotal: number;
  windowsDone: number;
  pagesDone: number;
  recordsPulled: number;
  /** PayPal's last_refreshed_datetime, fixed at the start of the run. */
  lastRefreshedAt: Date | null;
  /** Where PayPal's data ends for this run (≤ to): later records are for a later run. */
  coverageEnd: Date | null;
  counts: RunCounts | null;
  error: string | null;
}

export type WindowStatus = 'pending' | 'done' | 'unavailable';

/** One Transaction Search query range (≤ 31 days, both ends inclusive, whole seconds). */
export interface RunWindow {
  runId: number;
  index: number;
  start: Date;
  end: Date;
  status: WindowStatus;
  /** The next page to fetch (from 1). */
  nextPage: number;
  totalPages: number | null;
  records: number;
}

export interface Progress {
  runId: number;
  phase: RunPhase;
  windowsDone: number;
  windowsTotal: number;
  pagesDone: number;
  /** Known once the current window's first page has come back. */
  pagesTotal: number | null;
  records: number;
  /** Match and repair: items handled so far and in all. */
  done?: number;
  total?: number;
}

/**
 * What the repairs need of the payment sync (service/src/sync/payment-sync.ts): re-read a capture
 * or a refund at PayPal and apply it to Odoo through the code the webhook handlers use.
 */
export type ReconcileSync = Pick<PaymentSync, 'syncCapture' | 'syncRefund'>;
