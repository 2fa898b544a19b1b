// Transaction Search v1 (`GET /v1/reporting/transactions`): PayPal's ledger of the account, as the
// reconciliation reads it.
//
// The ledger is made of two sources, merged in date order:
// - the payments the simulator has seen: every capture (T0006, "PayPal Checkout APIs"), refund
//   (T1107), reversal (T1106, or T1201 "Chargeback" when the capture is disputed), and the hold a
//   dispute puts on the money (T1110) and its release when the dispute is resolved (T1111);
// - records seeded in bulk by tests and benchmarks (`seedRecords`, `addRecords`), which need no
//   order behind them.
//
// PayPal rules kept here: `start_date`/`end_date` are required and at most 31 days apart (400
// INVALID_REQUEST "Date range is greater than 31 days"); data appears only up to
// `last_refreshed_datetime` (the simulated reporting delay; a start after it is 400 "Data for the
// given start date is not available."); both ends are inclusive; pages of `page_size` (1..500,
// default 100) numbered from 1; `balance_affecting_records_only` (default Y) hides what moves no
// money (a denied or failed capture). Records are selected and ordered by
// `transaction_initiation_date`. Money signs follow PayPal's report: a capture is positive and its
// fee negative; a refund is negative and the fee it gives back positive.
//
// Not modelled: `payment_instrument_type`, `store_id`, `terminal_id` filters match nothing the
// simulator holds (its payments are PayPal wallet payments, without store or terminal), so they
// select no record; `ending_balance` and `available_balance` in search results; `cart_info`,
// `shipping_info`, `auction_info`, `incentive_info`. `/v1/reporting/balances` is the sum, per
// currency, of every record that moved the balance (settled or later reversed; amount and fee),
// all of it available (no reserve is modelled).
import { createHash } from 'node:crypto';
import { PayPalApiError } from './errors.ts';
import { captureFee, money } from './money.ts';
import { timestamp, type ApiAnswer, type CaptureRecord, type SimContext, type SimState } from './state.ts';

const DAY_MS = 24 * 3600 * 1000;
const MAX_RANGE_MS = 31 * DAY_MS;
const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;

/** `custom_field` and `invoice_id` admit only these characters; other values are left out. */
const REPORT_TEXT = /^[a-zA-Z0-9_'\-., ":;!?]{1,127}$/;

/** One line of PayPal's ledger, amounts in minor units (signed as PayPal reports them). */
export interface LedgerRecord {
  transactionId: string;
  eventCode: string;
  /** S (success), P (pending), D (denied), V (reversed). */
  status: string;
  currency: string;
  amountMinor: bigint;
  /** Undefined when PayPal charged or returned no fee. */
  feeMinor?: bigint;
  referenceId?: string;
  referenceIdType?: 'ODR' | 'TXN' | 'SUB' | 'PAP';
  invoiceId?: string;
  customField?: string;
  payer?: { accountId: string; email: string; givenName: string; surname: string; countryCode: string };
  /** Milliseconds since 1970, whole seconds. */
  initiatedMs: number;
  updatedMs: number;
  /** False for records that move no money (a denied capture). */
  balanceAffecting: boolean;
}

export interface SeedRecordsOptions {
  /** Initiation dates are spread evenly over [from, to). */
  from: Date;
  to: Date;
  /** Default USD. */
  currency?: string;
  /** Every n-th payment is followed by a partial refund (half its amount); 0 for none. Default 10. */
  refundEvery?: number;
}

/** A seeded payment, with what the Odoo side needs to book it. Amounts are decimal strings. */
export interface SeededPayment {
  orderId: string;
  captureId: string;
  /** The Odoo transaction reference, sent as custom_id. */
  reference: string;
  /** The Odoo order name, sent as invoice_id. */
  invoiceId: string;
  currency: string;
  amount: string;
  fee: string;
  at: Date;
  refund?: { refundId: string; amount: string; fee: string; at: Date };
}

export interface ReportingControls {
  /**
   * Adds exactly `count` ledger records without going through orders: captures, each n-th one
   * followed by its refund. Returns the payments, so that the Odoo side can be seeded to match.
   */
  seedRecords(count: number, options: SeedRecordsOptions): SeededPayment[];
  /** Adds ledger records as given (to plant what the payment flow cannot produce). */
  addRecords(records: readonly LedgerRecord[]): void;
  /** How far PayPal's reporting lags behind (default 0 s; PayPal's own is up to 3 hours). */
  setDelaySeconds(seconds: number): void;
  /** `last_refreshed_datetime`: now minus the delay, whole seconds. */
  lastRefreshed(): Date;
}

interface Ledger {
  /** Seeded records, kept sorted by (initiatedMs, transactionId). */
  seeded: LedgerRecord[];
  delayMs: number;
  seedCounter: number;
}

const ledgers = new WeakMap<SimState, Ledger>();

function ledgerOf(state: SimState): Ledger {
  let ledger = ledgers.get(state);
  if (!ledger) {
    ledger = { seeded: [], delayMs: 0, seedCounter: 0 };
    ledgers.set(state, ledger);
  }
  return ledger;
}

function compareRecords(a: LedgerRecord, b: LedgerRecord): number {
  if (a.initiatedMs !== b.initiatedMs) return a.initiatedMs - b.initiatedMs;
  return a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0;
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function lastRefreshedMs(ctx: SimContext): number {
  return wholeSeconds(ctx.now().getTime() - ledgerOf(ctx.state).delayMs);
}

/** An id shaped like PayPal's (17 upper-case letters and digits), derived from a name. */
function derivedId(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase();
}

function reportText(value: string | undefined): string | undefined {
  return value !== undefined && REPORT_TEXT.test(value) ? value : undefined;
}

/** The ledger records of the simulator's own payments, computed from its state. */
function paymentRecords(ctx: SimContext): LedgerRecord[] {
  const { state } = ctx;
  const out: LedgerRecord[] = [];
  const disputedCaptures = new Set([...state.disputes.values()].map((d) => d.captureId));
  for (const capture of state.captures.values()) out.push(captureRecord(ctx, capture));
  for (const refund of state.refunds.values()) {
    const record: LedgerRecord = {
      transactionId: refund.id,
      eventCode: refund.kind === 'refund' ? 'T1107' : disputedCaptures.has(refund.captureId) ? 'T1201' : 'T1106',
      status: 'S',
      currency: refund.currency,
      amountMinor: -refund.amountMinor,
      referenceId: refund.captureId,
      referenceIdType: 'TXN',
      initiatedMs: Date.parse(refund.createTime),
      updatedMs: Date.parse(refund.updateTime),
      balanceAffecting: true,
    };
    if (refund.feeMinor > 0n) record.feeMinor = refund.feeMinor;
    const invoiceId = reportText(refund.invoiceId);
    const customField = reportText(refund.customId);
    if (invoiceId !== undefined) record.invoiceId = invoiceId;
    if (customField !== undefined) record.customField = customField;
    out.push(record);
  }
  for (const dispute of state.disputes.values()) {
    const capture = state.captures.get(dispute.captureId);
    const base = { status: 'S', currency: dispute.currency, referenceId: dispute.captureId, referenceIdType: 'TXN' as const, balanceAffecting: true };
    const invoiceId = reportText(capture?.invoiceId);
    const customField = reportText(capture?.customId);
    const text = { ...(invoiceId !== undefined ? { invoiceId } : {}), ...(customField !== undefined ? { customField } : {}) };
    const created = Date.parse(dispute.createTime);
    out.push({ ...base, ...text, transactionId: derivedId(`${dispute.id}:hold`), eventCode: 'T1110', amountMinor: -dispute.amountMinor, initiatedMs: created, updatedMs: created });
    if (dispute.status === 'RESOLVED') {
      const resolved = Date.parse(dispute.updateTime);
      out.push({ ...base, ...text, transactionId: derivedId(`${dispute.id}:release`), eventCode: 'T1111', amountMinor: dispute.amountMinor, initiatedMs: resolved, updatedMs: resolved });
    }
  }
  return out;
}

function captureRecord(ctx: SimContext, capture: CaptureRecord): LedgerRecord {
  const settled = capture.status === 'COMPLETED' || capture.status === 'PARTIALLY_REFUNDED' || capture.status === 'REFUNDED';
  const status = capture.status === 'PENDING' ? 'P' : capture.status === 'REFUNDED' ? 'V' : settled ? 'S' : 'D';
  const record: LedgerRecord = {
    transactionId: capture.id,
    eventCode: 'T0006',
    status,
    currency: capture.currency,
    amountMinor: capture.amountMinor,
    referenceId: capture.orderId,
    referenceIdType: 'ODR',
    initiatedMs: Date.parse(capture.createTime),
    updatedMs: Date.parse(capture.updateTime),
    balanceAffecting: status !== 'D',
  };
  // PayPal takes its fee when the payment settles; a pending capture shows none yet.
  if (settled && capture.feeMinor > 0n) record.feeMinor = -capture.feeMinor;
  const invoiceId = reportText(capture.invoiceId);
  const customField = reportText(capture.customId);
  if (invoiceId !== undefined) record.invoiceId = invoiceId;
  if (customField !== undefined) record.customField = customField;
  const payer = ctx.state.orders.get(capture.orderId)?.payer;
  if (payer) {
    record.payer = { accountId: payer.payer_id, email: payer.email_address, givenName: payer.name.given_name, surname: payer.name.surname, countryCode: payer.address.country_code };
  }
  return record;
}

// --- the search operation ----------------------------------------------------------------------

function invalid(field: string, value: string | null, issue: string, description?: string): PayPalApiError {
  return new PayPalApiError(400, [
    { field, ...(value !== null ? { value } : {}), location: 'query', issue, ...(description !== undefined ? { description } : {}) },
  ]);
}

function dateParameter(query: URLSearchParams, name: string): number {
  const value = query.get(name);
  if (value === null) throw invalid(name, null, 'MISSING_REQUIRED_PARAMETER', `${name} is required.`);
  const ms = Date.parse(value);
  // Seconds are required (RFC 3339 date-time); the OpenAPI check refuses other shapes in strict mode.
  if (!/T\d{2}:\d{2}:\d{2}/.test(value) || Number.isNaN(ms)) throw invalid(name, value, 'INVALID_PARAMETER_SYNTAX', `${name} must be an RFC 3339 date-time with seconds.`);
  return ms;
}

function integerParameter(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, value, 'INVALID_PARAMETER_VALUE', `${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

/** `transaction_amount` is "[<from> TO <to>]" in minor units, compared with the gross amount's size. */
function amountRange(value: string | null): ((minor: bigint) => boolean) | undefined {
  if (value === null) return undefined;
  const m = /^\s*\[?\s*(-?\d+)\s+TO\s+(-?\d+)\s*\]?\s*$/i.exec(value);
  if (!m?.[1] || !m[2]) throw invalid('transaction_amount', value, 'INVALID_PARAMETER_SYNTAX', 'transaction_amount must look like "[500 TO 1005]" (minor units).');
  const low = BigInt(m[1]);
  const high = BigInt(m[2]);
  return (minor) => {
    const size = minor < 0n ? -minor : minor;
    return size >= low && size <= high;
  };
}

function recordFilter(query: URLSearchParams): (r: LedgerRecord) => boolean {
  const transactionId = query.get('transaction_id');
  const type = query.get('transaction_type');
  const status = query.get('transaction_status');
  const currency = query.get('transaction_currency');
  const amount = amountRange(query.get('transaction_amount'));
  const balanceOnly = (query.get('balance_affecting_records_only') ?? 'Y').toUpperCase() !== 'N';
  // The simulator's payments have neither a card instrument nor a store or terminal.
  const impossible = query.get('payment_instrument_type') !== null || query.get('store_id') !== null || query.get('terminal_id') !== null;
  return (r) =>
    !impossible &&
    (!balanceOnly || r.balanceAffecting) &&
    (transactionId === null || r.transactionId === transactionId) &&
    (type === null || r.eventCode === type) &&
    (status === null || r.status === status) &&
    (currency === null || r.currency === currency) &&
    (amount === undefined || amount(r.amountMinor));
}

/** Index of the first seeded record initiated at or after `ms` (binary search). */
function lowerBound(records: readonly LedgerRecord[], ms: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((records[mid] as LedgerRecord).initiatedMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function wantsField(fields: string[], name: string): boolean {
  return fields.includes('all') || fields.includes(name);
}

function detailJson(r: LedgerRecord, fields: string[]): Record<string, unknown> {
  const info: Record<string, unknown> = {
    ...(r.payer ? { paypal_account_id: r.payer.accountId } : {}),
    transaction_id: r.transactionId,
    ...(r.referenceId !== undefined ? { paypal_reference_id: r.referenceId } : {}),
    ...(r.referenceIdType !== undefined ? { paypal_reference_id_type: r.referenceIdType } : {}),
    transaction_event_code: r.eventCode,
    transaction_initiation_date: timestamp(new Date(r.initiatedMs)),
    transaction_updated_date: timestamp(new Date(r.updatedMs)),
    transaction_amount: money(r.amountMinor, r.currency),
    ...(r.feeMinor !== undefined ? { fee_amount: money(r.feeMinor, r.currency) } : {}),
    transaction_status: r.status,
    ...(r.invoiceId !== undefined ? { invoice_id: r.invoiceId } : {}),
    ...(r.customField !== undefined ? { custom_field: r.customField } : {}),
    protection_eligibility: '01',
  };
  const detail: Record<string, unknown> = { transaction_info: info };
  if (r.payer && wantsField(fields, 'payer_info')) {
    detail['payer_info'] = {
      account_id: r.payer.accountId,
      email_address: r.payer.email,
      address_status: 'Y',
      payer_status: 'Y',
      payer_name: { given_name: r.payer.givenName, surname: r.payer.surname },
      country_code: r.payer.countryCode,
    };
  }
  return detail;
}

/** `search.get`. */
export function searchTransactions(ctx: SimContext, query: URLSearchParams): ApiAnswer {
  const start = dateParameter(query, 'start_date');
  const end = dateParameter(query, 'end_date');
  if (end < start) throw invalid('end_date', query.get('end_date'), 'INVALID_PARAMETER_VALUE', 'end_date must not be earlier than start_date.');
  if (end - start > MAX_RANGE_MS) throw invalid('end_date', query.get('end_date'), 'Date range is greater than 31 days');
  const refreshed = lastRefreshedMs(ctx);
  if (start > refreshed) throw invalid('start_date', query.get('start_date'), 'Data for the given start date is not available.');
  const pageSize = integerParameter(query, 'page_size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const page = integerParameter(query, 'page', 1, 1, 2147483647);
  const fields = (query.get('fields') ?? 'transaction_info').split(',').map((f) => f.trim());

  // Data exists only up to the last refresh: that is where the served range ends.
  const servedEnd = Math.min(end, refreshed);
  const keep = recordFilter(query);
  const own = paymentRecords(ctx)
    .filter((r) => r.initiatedMs >= start && r.initiatedMs <= servedEnd && keep(r))
    .sort(compareRecords);
  const seeded = ledgerOf(ctx.state).seeded;
  const from = lowerBound(seeded, start);
  const to = lowerBound(seeded, servedEnd + 1);
  const unfiltered = query.get('transaction_id') === null && query.get('transaction_type') === null && query.get('transaction_status') === null &&
    query.get('transaction_currency') === null && query.get('transaction_amount') === null && query.get('payment_instrument_type') === null &&
    query.get('store_id') === null && query.get('terminal_id') === null;
  // Without filters the seeded range is used in place (a benchmark pages through 100,000 records).
  const seededInRange = unfiltered ? null : seeded.slice(from, to).filter(keep);
  const seededCount = seededInRange ? seededInRange.length : to - from;
  const seededAt = (i: number): LedgerRecord => (seededInRange ? seededInRange[i] : seeded[from + i]) as LedgerRecord;

  const total = own.length + seededCount;
  const totalPages = Math.ceil(total / pageSize);
  const items: LedgerRecord[] = [];
  // Merge the two sorted sequences, skipping to the requested page.
  let i = 0;
  let j = 0;
  const skip = (page - 1) * pageSize;
  for (let position = 0; position < skip + pageSize && (i < own.length || j < seededCount); position++) {
    let next: LedgerRecord;
    if (j >= seededCount || (i < own.length && compareRecords(own[i] as LedgerRecord, seededAt(j)) <= 0)) next = own[i++] as LedgerRecord;
    else next = seededAt(j++);
    if (position >= skip) items.push(next);
  }

  const self = new URL('/v1/reporting/transactions', ctx.apiBase());
  query.forEach((value, key) => self.searchParams.set(key, value));
  return {
    status: 200,
    body: {
      // `transaction_details` has minItems 1 in the document: an empty page carries none.
      ...(items.length > 0 ? { transaction_details: items.map((r) => detailJson(r, fields)) } : {}),
      account_number: ctx.merchant.merchant_id,
      start_date: timestamp(new Date(start)),
      end_date: timestamp(new Date(servedEnd)),
      last_refreshed_datetime: timestamp(new Date(refreshed)),
      page,
      total_items: total,
      total_pages: totalPages,
      links: [{ href: self.toString(), rel: 'self', method: 'GET' }],
    },
  };
}

/** GET /v1/reporting/balances: what the ledger's records add up to, per currency. */
export function getBalances(ctx: SimContext, query: URLSearchParams): ApiAnswer {
  const totals = new Map<string, bigint>();
  const add = (r: LedgerRecord) => {
    if (!r.balanceAffecting || (r.status !== 'S' && r.status !== 'V')) return;
    totals.set(r.currency, (totals.get(r.currency) ?? 0n) + r.amountMinor + (r.feeMinor ?? 0n));
  };
  for (const r of paymentRecords(ctx)) add(r);
  for (const r of ledgerOf(ctx.state).seeded) add(r);
  const wanted = query.get('currency_code');
  if (wanted !== null && !/^[A-Z]{3}$/.test(wanted)) throw invalid('currency_code', wanted, 'INVALID_PARAMETER_VALUE');
  const currencies = [...totals.keys()].filter((c) => wanted === null || c === wanted).sort();
  const now = timestamp(new Date(lastRefreshedMs(ctx)));
  return {
    status: 200,
    body: {
      balances: currencies.map((currency, i) => {
        const value = { currency_code: currency, value: formatMinor(totals.get(currency) ?? 0n, currency) };
        return { currency, primary: i === 0, total_balance: value, available_balance: value, withheld_balance: { currency_code: currency, value: formatMinor(0n, currency) } };
      }),
      account_id: ctx.merchant.merchant_id,
      as_of_time: now,
      last_refresh_time: now,
    },
  };
}

// --- seeding ------------------------------------------------------------------------------------

function formatMinor(minor: bigint, currency: string): string {
  return money(minor, currency).value;
}

function insertSorted(ledger: Ledger, records: readonly LedgerRecord[]): void {
  const sorted = [...records].sort(compareRecords);
  const last = ledger.seeded[ledger.seeded.length - 1];
  if (!last || (sorted[0] !== undefined && compareRecords(last, sorted[0]) <= 0)) {
    for (const r of sorted) ledger.seeded.push(r);
    return;
  }
  ledger.seeded.push(...sorted);
  ledger.seeded.sort(compareRecords);
}

/** The simulator's reporting controls (for `PayPalSimulator.reporting`). */
export function reportingControls(ctx: SimContext, options: { delaySeconds?: number } = {}): ReportingControls {
  const ledger = ledgerOf(ctx.state);
  ledger.delayMs = Math.max(0, options.delaySeconds ?? 0) * 1000;
  return {
    seedRecords(count, opts) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`seedRecords needs a whole number of records, got ${count}.`);
      const fromMs = opts.from.getTime();
      const spanMs = opts.to.getTime() - fromMs;
      if (!(spanMs > 0)) throw new Error('seedRecords needs from < to.');
      const currency = opts.currency ?? 'USD';
      const refundEvery = opts.refundEvery ?? 10;
      // Ids unique across calls and simulators: a tag per call, then a counter.
      const tag = derivedId(`${ctx.merchant.merchant_id}:${ledger.seedCounter++}`).slice(0, 4);
      const id = (kind: string, n: number) => `${kind}${tag}${n.toString(36).toUpperCase().padStart(12, '0')}`;
      const payments: SeededPayment[] = [];
      const records: LedgerRecord[] = [];
      for (let n = 0; records.length < count; n++) {
        const at = wholeSeconds(fromMs + Math.floor((spanMs * records.length) / count));
        const amountMinor = BigInt(1000 + ((n * 7919) % 90000));
        const feeMinor = captureFee(amountMinor, currency, ctx.fees);
        const payment: SeededPayment = {
          orderId: id('O', n),
          captureId: id('C', n),
          reference: `SIM-${tag}-${n}`,
          invoiceId: `INV-${tag}-${n}`,
          currency,
          amount: formatMinor(amountMinor, currency),
          fee: formatMinor(feeMinor, currency),
          at: new Date(at),
        };
        records.push({
          transactionId: payment.captureId,
          eventCode: 'T0006',
          status: 'S',
          currency,
          amountMinor,
          feeMinor: -feeMinor,
          referenceId: payment.orderId,
          referenceIdType: 'ODR',
          invoiceId: payment.invoiceId,
          customField: payment.reference,
          initiatedMs: at,
          updatedMs: at,
          balanceAffecting: true,
        });
        if (refundEvery > 0 && n % refundEvery === refundEvery - 1 && records.length < count) {
          const refundAt = wholeSeconds(fromMs + Math.floor((spanMs * records.length) / count));
          const refundMinor = amountMinor / 2n;
          const refundFee = (feeMinor * refundMinor) / amountMinor;
          payment.refund = { refundId: id('R', n), amount: formatMinor(refundMinor, currency), fee: formatMinor(refundFee, currency), at: new Date(refundAt) };
          records.push({
            transactionId: payment.refund.refundId,
            eventCode: 'T1107',
            status: 'S',
            currency,
            amountMinor: -refundMinor,
            ...(refundFee > 0n ? { feeMinor: refundFee } : {}),
            referenceId: payment.captureId,
            referenceIdType: 'TXN',
            invoiceId: payment.invoiceId,
            customField: payment.reference,
            initiatedMs: refundAt,
            updatedMs: refundAt,
            balanceAffecting: true,
          });
        }
        payments.push(payment);
      }
      insertSorted(ledger, records);
      return payments;
    },
    addRecords(records) {
      insertSorted(ledger, records);
    },
    setDelaySeconds(seconds) {
      if (!(seconds >= 0)) throw new Error(`The reporting delay must be ≥ 0 seconds, got ${seconds}.`);
      ledger.delayMs = seconds * 1000;
    },
    lastRefreshed: () => new Date(lastRefreshedMs(ctx)),
  };
}
