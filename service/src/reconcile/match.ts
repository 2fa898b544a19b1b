// Matching PayPal's ledger with Odoo's transactions: pure, no I/O. The runner feeds it the Odoo
// transactions of the range, then every PayPal record; what cannot be decided from those (a PayPal
// record whose Odoo transaction lies outside the range, an Odoo transaction PayPal's report does
// not show) comes back as a lookup for the runner to make, and the answers are fed back in.
//
// Rules:
// - A capture is matched by its capture id, a refund or reversal by its refund id. Not found by id,
//   the Odoo transaction named by the record's custom_id (our reference) or invoice_id (the order
//   name) is looked up, to say which payment the missing capture belongs to.
// - Matched: currency first (a different currency makes the amounts incomparable), then the amount
//   to the smallest unit, the state (PayPal's S/V → done, P → pending, D → cancel or error), that a
//   done transaction's payment is in the books, and for a settled capture the fee: PayPal's fee must
//   be booked in Odoo (fee entry), at the same amount — when the provider has a fee account.
// - Timing: an Odoo transaction that changed after PayPal's last refresh is not compared for its
//   state (PayPal's report is older than Odoo's news), and is not expected in the report at all.
// - Dispute holds and releases move money inside PayPal only, and fees not tied to a payment have
//   no Odoo counterpart: they are counted, not compared.
import { absDecimal, isZero, sameAmount } from '../shared/decimal.ts';
import { RECORD_KINDS, type RecordKind } from './event-codes.ts';
import type { ReconcileRecord } from './odoo-reconcile-api.ts';
import { DISCREPANCY_KINDS, type Discrepancy, type DiscrepancyKind, type PayPalRecord, type RepairAction, type RunCounts, type SideValues } from './types.ts';

export interface MatchOptions {
  /** PayPal's last_refreshed_datetime; null when PayPal sent none. */
  lastRefreshed: Date | null;
}

/** What PayPal's Payments API says of a capture or refund looked up by id. */
export interface PayPalResourceFacts {
  kind: 'capture' | 'refund';
  id: string;
  /** The resource's status: COMPLETED, PENDING, DECLINED, REFUNDED, … */
  status: string;
  amount: string;
  currency: string;
}

export interface LookupRequest {
  captureIds: string[];
  refundIds: string[];
  references: string[];
  orderNames: string[];
}

type OdooState = ReconcileRecord['state'];

/**
 * An Odoo transaction as the matcher keeps it: only what it compares and reports (a month may hold
 * a hundred thousand of them).
 */
export interface OdooTx {
  id: number;
  reference: string;
  state: OdooState;
  operation: string | null;
  amount: string;
  currency: string;
  captureId: string | null;
  refundId: string | null;
  feeBooked: string | null;
  /** Its provider has a fee account: Odoo books PayPal's fees. */
  feeAccountSet: boolean;
  paypalFee: string;
  sourceReference: string | null;
  /** The state of its account.payment; null when it has none. */
  paymentState: string | null;
  /** ISO 8601, as Odoo sent it. */
  lastStateChange: string;
  lastStateChangeMs: number;
}

export function toOdooTx(r: ReconcileRecord): OdooTx {
  return {
    id: r.id,
    reference: r.reference,
    state: r.state,
    operation: r.operation,
    amount: r.amount,
    currency: r.currency,
    captureId: r.paypal_capture_id,
    refundId: r.paypal_refund_id,
    feeBooked: r.fee_booked,
    feeAccountSet: r.fee_account_set,
    paypalFee: r.paypal_fee,
    sourceReference: r.source_reference,
    paymentState: r.payment_state,
    lastStateChange: r.last_state_change,
    lastStateChangeMs: Date.parse(r.last_state_change),
  };
}
type Compared = Pick<PayPalRecord, 'kind' | 'status' | 'currency' | 'amount' | 'fee' | 'transactionId'> &
  Partial<Pick<PayPalRecord, 'initiatedAt' | 'customField' | 'invoiceId' | 'referenceId'>> & { eventCode: string | null };

const DISCREPANCY_ORDER = new Map<DiscrepancyKind, number>(DISCREPANCY_KINDS.map((k, i) => [k, i]));

const DONE: readonly OdooState[] = ['done'];
const PENDING: readonly OdooState[] = ['pending'];
const CAPTURE_DENIED: readonly OdooState[] = ['cancel', 'error'];
const REFUND_DENIED: readonly OdooState[] = ['cancel'];

function expectedStates(kind: RecordKind, status: string): readonly OdooState[] | null {
  switch (status) {
    case 'S':
    case 'V':
      return DONE;
    case 'P':
      return PENDING;
    case 'D':
      return kind === 'capture' ? CAPTURE_DENIED : REFUND_DENIED;
    default:
      return null;
  }
}

/** account.payment states of a posted payment (Odoo 18: in_process until matched, then paid; before 18: posted). */
const POSTED_PAYMENT_STATES = new Set(['in_process', 'paid', 'posted']);

const RESOURCE_STATUS: Record<string, string> = {
  COMPLETED: 'S',
  PARTIALLY_REFUNDED: 'S',
  REFUNDED: 'V',
  PENDING: 'P',
  DECLINED: 'D',
  FAILED: 'D',
  CANCELLED: 'D',
};

function paypalSide(r: Compared): SideValues {
  return {
    transaction_id: r.transactionId,
    event_code: r.eventCode,
    kind: r.kind,
    status: r.status || null,
    amount: r.amount,
    currency: r.currency,
    fee: r.fee,
    date: r.initiatedAt ? r.initiatedAt.toISOString() : null,
    custom_field: r.customField ?? null,
    invoice_id: r.invoiceId ?? null,
    reference_id: r.referenceId ?? null,
  };
}

function odooSide(o: OdooTx): SideValues {
  return {
    reference: o.reference,
    state: o.state,
    operation: o.operation,
    amount: o.amount,
    currency: o.currency,
    capture_id: o.captureId,
    refund_id: o.refundId,
    fee_booked: o.feeBooked,
    paypal_fee: o.paypalFee,
    source_reference: o.sourceReference,
    payment_state: o.paymentState,
    last_state_change: o.lastStateChange,
  };
}

function label(kind: RecordKind): string {
  return kind === 'capture' ? 'capture' : kind === 'refund' ? 'refund' : 'reversal';
}

function syncAction(kind: RecordKind): RepairAction {
  return kind === 'capture' ? 'sync_capture' : 'sync_refund';
}

function isMoneyMovement(kind: RecordKind): boolean {
  return kind === 'capture' || kind === 'refund' || kind === 'reversal';
}

export class Matcher {
  private readonly byCapture = new Map<string, OdooTx>();
  private readonly byRefund = new Map<string, OdooTx>();
  private readonly inRange: OdooTx[] = [];
  private readonly matchedOdoo = new Set<number>();
  private readonly pending: PayPalRecord[] = [];
  private readonly byReference = new Map<string, OdooTx>();
  private readonly byOrderName = new Map<string, OdooTx>();
  private readonly discrepancies: Discrepancy[] = [];
  private readonly counts: RunCounts;
  private readonly lastRefreshedMs: number | null;

  /** `odooInRange`: the Odoo transactions of the range; more can be added with addOdoo(). */
  constructor(odooInRange: Iterable<ReconcileRecord>, options: MatchOptions) {
    this.lastRefreshedMs = options.lastRefreshed ? options.lastRefreshed.getTime() : null;
    this.counts = {
      paypalRecords: 0,
      byKind: Object.fromEntries(RECORD_KINDS.map((k) => [k, 0])) as Record<RecordKind, number>,
      odooRecords: 0,
      matched: 0,
      matchedOutsideReport: 0,
      tooRecent: 0,
      feesNotBooked: 0,
      discrepancies: Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as Record<DiscrepancyKind, number>,
      open: 0,
      repaired: 0,
      needsPerson: 0,
    };
    this.addOdoo(odooInRange);
  }

  /** More Odoo transactions of the range (a page at a time: only a compact copy is kept). */
  addOdoo(records: Iterable<ReconcileRecord>): void {
    for (const r of records) {
      const o = toOdooTx(r);
      this.inRange.push(o);
      this.index(o);
    }
    this.counts.odooRecords = this.inRange.length;
  }

  private index(o: OdooTx): void {
    if (o.captureId) this.byCapture.set(o.captureId, o);
    if (o.refundId) this.byRefund.set(o.refundId, o);
  }

  private odooFor(r: PayPalRecord): OdooTx | undefined {
    return r.kind === 'capture' ? this.byCapture.get(r.transactionId) : this.byRefund.get(r.transactionId);
  }

  /** Whether Odoo's news about this transaction is newer than PayPal's report. */
  private isTooRecent(o: OdooTx): boolean {
    return this.lastRefreshedMs !== null && o.lastStateChangeMs > this.lastRefreshedMs;
  }

  /** One PayPal record of the report. */
  offer(r: PayPalRecord): void {
    this.counts.paypalRecords++;
    this.counts.byKind[r.kind]++;
    if (!isMoneyMovement(r.kind)) return;
    const odoo = this.odooFor(r);
    if (odoo) this.matchWith(r, odoo);
    else this.pending.push(r);
  }

  /** What the runner must look up in Odoo for the records not found by id among the range's transactions. */
  lookups(): LookupRequest {
    const captureIds = new Set<string>();
    const refundIds = new Set<string>();
    const references = new Set<string>();
    const orderNames = new Set<string>();
    for (const r of this.pending) {
      if (r.kind === 'capture') captureIds.add(r.transactionId);
      else {
        refundIds.add(r.transactionId);
        // The refunded capture, to say where the refund belongs.
        if (r.referenceId) captureIds.add(r.referenceId);
      }
      if (r.customField) references.add(r.customField);
      if (r.invoiceId) orderNames.add(r.invoiceId);
    }
    return { captureIds: [...captureIds], refundIds: [...refundIds], references: [...references], orderNames: [...orderNames] };
  }

  /** The answers to `lookups()`: every record found, whatever its date. Decides the waiting records. */
  resolveLookups(found: readonly ReconcileRecord[]): void {
    for (const r of found) {
      const o = (r.paypal_capture_id ? this.byCapture.get(r.paypal_capture_id) : r.paypal_refund_id ? this.byRefund.get(r.paypal_refund_id) : undefined) ?? toOdooTx(r);
      this.index(o);
      this.byReference.set(o.reference, o);
      for (const name of r.sale_order_names) if (!this.byOrderName.has(name)) this.byOrderName.set(name, o);
    }
    const waiting = this.pending.splice(0);
    for (const r of waiting) {
      const odoo = this.odooFor(r);
      if (odoo) this.matchWith(r, odoo);
      else this.missingInOdoo(r);
    }
  }

  /** Odoo transactions of the range that PayPal's report did not show and that it should have. */
  unmatchedOdoo(): OdooTx[] {
    const out: OdooTx[] = [];
    for (const o of this.inRange) {
      if (this.matchedOdoo.has(o.id)) continue;
      if (o.state !== 'done' && o.state !== 'pending') continue; // nothing moved at PayPal
      if (this.isTooRecent(o)) {
        this.counts.tooRecent++;
        continue;
      }
      out.push(o);
    }
    return out;
  }

  /** What PayPal answered for one of `unmatchedOdoo()`: its capture or refund, or null when unknown. */
  resolveOdoo(o: OdooTx, atPayPal: PayPalResourceFacts | null): void {
    if (!atPayPal) {
      const what = o.captureId ? `capture ${o.captureId}` : `refund ${o.refundId ?? ''}`;
      this.add({
        kind: 'missing_in_paypal',
        status: 'needs_person',
        action: null,
        paypalId: o.captureId ?? o.refundId,
        eventCode: null,
        reference: o.reference,
        paypal: null,
        odoo: odooSide(o),
        note: `Odoo transaction ${o.reference} (${o.state}, ${o.amount} ${o.currency}) holds PayPal ${what}, which PayPal does not know.`,
      });
      return;
    }
    this.counts.matchedOutsideReport++;
    const compared: Compared = {
      kind: atPayPal.kind,
      transactionId: atPayPal.id,
      eventCode: null,
      status: RESOURCE_STATUS[atPayPal.status] ?? '',
      currency: atPayPal.currency,
      amount: atPayPal.amount,
      fee: null,
    };
    this.compare(compared, o);
  }

  private matchWith(r: PayPalRecord, o: OdooTx): void {
    this.matchedOdoo.add(o.id);
    this.counts.matched++;
    this.compare(r, o);
  }

  private compare(r: Compared, o: OdooTx): void {
    // Built only for a discrepancy: most records agree, and a month holds many.
    const base = () => ({ paypalId: r.transactionId, eventCode: r.eventCode, reference: o.reference, paypal: paypalSide(r), odoo: odooSide(o) });
    const what = `PayPal ${label(r.kind)} ${r.transactionId}`;
    if (r.currency !== o.currency) {
      this.add({ ...base(), kind: 'currency_mismatch', status: 'needs_person', action: null, note: `${what} is in ${r.currency}; Odoo transaction ${o.reference} is in ${o.currency}.` });
      return;
    }
    const amount = absDecimal(r.amount);
    if (!sameAmount(amount, o.amount)) {
      this.add({ ...base(), kind: 'amount_mismatch', status: 'needs_person', action: null, note: `${what} is ${amount} ${r.currency}; Odoo transaction ${o.reference} has ${o.amount} ${o.currency}.` });
    }
    const expected = expectedStates(r.kind, r.status);
    if (this.isTooRecent(o)) this.counts.tooRecent++;
    else if (expected && !expected.includes(o.state)) {
      this.add({
        ...base(),
        kind: 'state_mismatch',
        status: 'open',
        action: syncAction(r.kind),
        note: `${what} is ${r.status === 'P' ? 'pending' : r.status === 'D' ? 'denied' : 'completed'} (${r.status}); Odoo transaction ${o.reference} is ${o.state}.`,
      });
    }
    // Confirmed in Odoo means an account.payment in the books: one cancelled, reset to draft or
    // deleted in Odoo leaves PayPal's money out of the accounts.
    if (o.state === 'done' && (o.paymentState === null || !POSTED_PAYMENT_STATES.has(o.paymentState)) && !this.isTooRecent(o)) {
      const payment = o.paymentState === null ? 'has no payment (deleted?)' : `has its payment in state ${o.paymentState}`;
      this.add({
        ...base(),
        kind: 'missing_in_odoo',
        status: 'open',
        action: 'repost_payment',
        note: `${what} is booked on Odoo transaction ${o.reference} (done), which ${payment}: the money is not in Odoo's books.`,
      });
    }
    // PayPal takes its fee when a capture settles; Odoo books it once the capture is confirmed,
    // if the provider has a fee account (without one the merchant does not book fees this way).
    if (r.kind === 'capture' && r.fee !== null && !isZero(r.fee) && o.state === 'done' && !o.feeAccountSet) this.counts.feesNotBooked++;
    else if (r.kind === 'capture' && r.fee !== null && !isZero(r.fee) && o.state === 'done') {
      const fee = absDecimal(r.fee);
      if (o.feeBooked === null) {
        this.add({ ...base(), kind: 'fee_missing', status: 'open', action: 'book_fee', note: `PayPal's fee of ${fee} ${r.currency} on capture ${r.transactionId} is not booked in Odoo (${o.reference}).` });
      } else if (!sameAmount(fee, o.feeBooked)) {
        this.add({
          ...base(),
          kind: 'fee_missing',
          status: 'needs_person',
          action: null,
          note: `PayPal's fee on capture ${r.transactionId} is ${fee} ${r.currency}; Odoo booked ${o.feeBooked} (${o.reference}). Correct the fee entry by hand.`,
        });
      }
    }
  }

  private missingInOdoo(r: PayPalRecord): void {
    const byText = (r.customField ? this.byReference.get(r.customField) : undefined) ?? (r.invoiceId ? this.byOrderName.get(r.invoiceId) : undefined);
    const what = `PayPal ${label(r.kind)} ${r.transactionId} of ${absDecimal(r.amount)} ${r.currency} (${r.initiatedAt.toISOString()})`;
    let note = `${what} is not booked in Odoo.`;
    let status: Discrepancy['status'] = 'open';
    let action: RepairAction | null = syncAction(r.kind);
    let holder: OdooTx | undefined = byText;
    if (r.kind === 'capture') {
      if (byText?.captureId && byText.captureId !== r.transactionId) {
        // The payment's transaction already holds another capture: paid twice? A person decides.
        note += ` Its Odoo transaction ${byText.reference} already holds capture ${byText.captureId}: the customer may have paid twice.`;
        status = 'needs_person';
        action = null;
      } else if (byText) {
        note += ` Its Odoo transaction ${byText.reference} is ${byText.state}.`;
      }
    } else {
      const capture = r.referenceId ? this.byCapture.get(r.referenceId) : undefined;
      holder = capture ?? byText;
      note += capture ? ` Its capture ${r.referenceId} is booked on ${capture.reference}.` : r.referenceId ? ` Its capture ${r.referenceId} is not booked in Odoo either.` : '';
    }
    this.add({ kind: 'missing_in_odoo', status, action, paypalId: r.transactionId, eventCode: r.eventCode, reference: holder?.reference ?? null, paypal: paypalSide(r), odoo: holder ? odooSide(holder) : null, note });
  }

  private add(d: Discrepancy): void {
    this.discrepancies.push(d);
    this.counts.discrepancies[d.kind]++;
    if (d.status === 'open') this.counts.open++;
    else if (d.status === 'needs_person') this.counts.needsPerson++;
  }

  /** The discrepancies in a stable order (kind, PayPal id, reference) and the counts. */
  result(): { discrepancies: Discrepancy[]; counts: RunCounts } {
    const discrepancies = [...this.discrepancies].sort(
      (a, b) =>
        (DISCREPANCY_ORDER.get(a.kind) ?? 0) - (DISCREPANCY_ORDER.get(b.kind) ?? 0) ||
        (a.paypalId ?? '').localeCompare(b.paypalId ?? '') ||
        (a.eventCode ?? '').localeCompare(b.eventCode ?? '') ||
        (a.reference ?? '').localeCompare(b.reference ?? ''),
    );
    return { discrepancies, counts: structuredClone(this.counts) };
  }
}

/** Re-checks one discrepancy against Odoo's transaction as it is now (after a repair). */
export function stillDiscrepant(d: Discrepancy, odoo: ReconcileRecord | undefined, options: MatchOptions): boolean {
  if (!d.paypal) return true;
  if (!odoo) return true;
  const p = d.paypal;
  const record: PayPalRecord = {
    transactionId: p['transaction_id'] ?? '',
    eventCode: p['event_code'] ?? '',
    kind: (p['kind'] ?? 'capture') as RecordKind,
    status: p['status'] ?? '',
    currency: p['currency'] ?? '',
    amount: p['amount'] ?? '0',
    fee: p['fee'] ?? null,
    referenceId: p['reference_id'] ?? null,
    invoiceId: p['invoice_id'] ?? null,
    customField: p['custom_field'] ?? null,
    initiatedAt: new Date(p['date'] ?? 0),
    updatedAt: new Date(p['date'] ?? 0),
  };
  const matcher = new Matcher([odoo], options);
  matcher.offer(record);
  const { discrepancies } = matcher.result();
  // A transaction found by its PayPal id is no longer missing, unless its payment still is.
  if (d.kind === 'missing_in_odoo') return d.action === 'repost_payment' && discrepancies.some((x) => x.kind === 'missing_in_odoo');
  return discrepancies.some((x) => x.kind === d.kind);
}
