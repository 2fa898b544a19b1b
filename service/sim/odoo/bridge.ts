// The paypal_bridge module's RPC entry points (odoo_addon/README.md), simulated on top of Odoo's
// payment state machine (payment-flow.ts). The rules follow the module's Python
// (models/payment_transaction_rpc.py, models/paypal_dispute.py) so that one contract suite passes
// against both; where the module decides something the README leaves open (e.g. what a refund's
// TxInfo amount looks like), the module's choice is the one made here.
import { accessError, missingError, validationError } from './faults.ts';
import { abs, formatDecimal, isKnownCurrency, toMinorUnits } from './money.ts';
import { PaymentFlow } from './payment-flow.ts';
import { RECONCILE_ENTRY_POINTS } from './reconcile.ts';
import {
  disputeOrderId,
  INVOICING_GROUP,
  MANAGER_GROUP,
  SERVICE_GROUP,
  type SimDatabase,
  type SimDispute,
  type SimTransaction,
  type SimUser,
  type TxStateName,
} from './records.ts';

export const MODULE_VERSION = '18.0.1.0.0';
const MAX_ID_LENGTH = 128;

type ApplyTarget = Exclude<TxStateName, 'draft'>;
const PAYMENT_STATES: readonly ApplyTarget[] = ['pending', 'authorized', 'done', 'cancel', 'error'];

// PayPal capture status → Odoo state; REFUNDED/PARTIALLY_REFUNDED captures were completed first.
const CAPTURE_STATES: Record<string, ApplyTarget> = {
  COMPLETED: 'done',
  PARTIALLY_REFUNDED: 'done',
  REFUNDED: 'done',
  PENDING: 'pending',
  DECLINED: 'error',
  FAILED: 'error',
  DENIED: 'cancel',
};
const REFUND_STATES: Record<string, ApplyTarget> = { COMPLETED: 'done', PENDING: 'pending', FAILED: 'cancel', CANCELLED: 'cancel' };

const APPLY_PAYMENT_KEYS = new Set([
  'paypal_order_id', 'capture_id', 'authorization_id', 'authorization_expiry', 'amount', 'currency',
  'fee', 'net', 'payer_id', 'payer_email', 'status_detail', 'message', 'event_id',
]);
const REGISTER_CAPTURE_KEYS = new Set(['fee', 'net', 'status_detail', 'message', 'event_id']);
const REGISTER_REFUND_KEYS = new Set(['capture_id', 'reason', 'event_id']);
const DISPUTE_KEYS = new Set([
  'dispute_id', 'status', 'reason', 'stage', 'amount', 'currency', 'seller_response_due_date',
  'outcome', 'capture_id', 'reference', 'update_time', 'event_id',
]);

// PayPal's documented values (customer_disputes_v1); anything else is stored as OTHER.
const DISPUTE_SELECTIONS = {
  status: new Set(['OPEN', 'WAITING_FOR_BUYER_RESPONSE', 'WAITING_FOR_SELLER_RESPONSE', 'UNDER_REVIEW', 'RESOLVED', 'OTHER']),
  reason: new Set([
    'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED', 'UNAUTHORISED', 'CREDIT_NOT_PROCESSED',
    'DUPLICATE_TRANSACTION', 'INCORRECT_AMOUNT', 'PAYMENT_BY_OTHER_MEANS', 'CANCELED_RECURRING_BILLING', 'PROBLEM_WITH_REMITTANCE', 'OTHER',
  ]),
  stage: new Set(['INQUIRY', 'CHARGEBACK', 'PRE_ARBITRATION', 'ARBITRATION', 'OTHER']),
  outcome: new Set(['RESOLVED_BUYER_FAVOUR', 'RESOLVED_SELLER_FAVOUR', 'RESOLVED_WITH_PAYOUT', 'CANCELED_BY_BUYER', 'ACCEPTED', 'DENIED', 'NONE', 'OTHER']),
};

type Values = Record<string, string>;
type Result = 'applied' | 'unchanged' | 'mismatch' | 'conflict';

/**
 * One entry point: its parameters in Python's order. Every parameter has a default (None unless
 * given) and unknown keyword arguments are collected (`**unknown`), so that a missing or misspelt
 * argument is the module's ValidationError rather than Python's TypeError.
 */
export interface EntryPoint {
  params: readonly { name: string; default?: unknown }[];
  run(bridge: BridgeEntryPoints, args: Record<string, unknown>): unknown;
}

const named = (...names: string[]) => names.map((name) => ({ name }));

export const ENTRY_POINTS: Record<string, EntryPoint> = {
  paypal_bridge_ping: { params: [], run: (b) => b.ping() },
  paypal_bridge_find: {
    params: named('reference', 'paypal_order_id', 'capture_id', 'authorization_id', 'refund_id'),
    run: (b, a) => b.find(a),
  },
  paypal_bridge_apply_payment: {
    params: named('reference', 'state', 'values'),
    run: (b, a) => b.applyPayment(a['reference'], a['state'], a['values']),
  },
  paypal_bridge_register_capture: {
    params: named('source_reference', 'capture_id', 'amount', 'currency', 'status', 'values'),
    run: (b, a) => b.registerCapture(a['source_reference'], a['capture_id'], a['amount'], a['currency'], a['status'], a['values']),
  },
  paypal_bridge_register_refund: {
    params: [...named('source_reference', 'refund_id', 'amount', 'currency', 'status'), { name: 'kind', default: 'refund' }, { name: 'values' }],
    run: (b, a) => b.registerRefund(a['source_reference'], a['refund_id'], a['amount'], a['currency'], a['status'], a['kind'], a['values']),
  },
  paypal_bridge_upsert_dispute: { params: named('values'), run: (b, a) => b.upsertDispute(a['values']) },
  paypal_bridge_flag_review: { params: named('reference', 'reason'), run: (b, a) => b.flagReview(a['reference'], a['reason']) },
  ...RECONCILE_ENTRY_POINTS,
};

export class BridgeEntryPoints {
  /** Public for the reconciliation entry points (reconcile.ts), which work on the same records. */
  readonly db: SimDatabase;
  private readonly user: SimUser;
  private readonly dbName: string;
  private readonly flow: PaymentFlow;
  readonly now: () => Date;

  constructor(db: SimDatabase, user: SimUser, dbName: string, now: () => Date) {
    this.db = db;
    this.user = user;
    this.dbName = dbName;
    this.now = now;
    this.flow = new PaymentFlow(db, now);
  }

  /** `_paypal_bridge_check_caller`: the service group, then no unknown keyword arguments. */
  checkCaller(unknownArguments: readonly string[] = []): void {
    if (!this.user.groups.has(SERVICE_GROUP)) {
      throw accessError('Only the PayPal Bridge service user (group "PayPal Bridge Service") may call the PayPal Bridge entry points.');
    }
    if (unknownArguments.length > 0) throw validationError(`Unknown arguments: ${[...unknownArguments].sort().join(', ')}.`);
  }

  // === entry points ==========================================================================

  ping() {
    return { ok: true, module_version: MODULE_VERSION, uid: this.user.id, db: this.dbName, company_currency: this.db.companyCurrency };
  }

  find(args: Record<string, unknown>) {
    const keys: Record<string, string> = {};
    for (const name of ['reference', 'paypal_order_id', 'capture_id', 'authorization_id', 'refund_id']) {
      const value = args[name];
      if (value !== null && value !== undefined && value !== false && value !== '') keys[name] = checkId(value, name);
    }
    if (Object.keys(keys).length === 0) {
      throw validationError('paypal_bridge_find needs at least one of: reference, paypal_order_id, capture_id, authorization_id, refund_id.');
    }
    const tx = this.search(keys);
    return tx ? this.txInfo(tx) : false;
  }

  // Arguments are checked before anything is looked up (README: bad arguments are ValidationError).

  applyPayment(reference: unknown, state: unknown, rawValues: unknown) {
    checkId(reference, 'reference');
    if (typeof state !== 'string' || !(PAYMENT_STATES as readonly string[]).includes(state)) {
      throw validationError(`state must be one of ${PAYMENT_STATES.join(', ')}, got ${pyRepr(state)}.`);
    }
    const values = checkValues(rawValues, APPLY_PAYMENT_KEYS);
    const tx = this.get(reference);
    const result = this.applyPaymentTo(tx, state as ApplyTarget, values);
    return { result, tx: this.txInfo(tx) };
  }

  registerCapture(sourceReference: unknown, captureId: unknown, amount: unknown, currency: unknown, status: unknown, rawValues: unknown) {
    checkId(sourceReference, 'source_reference');
    const values = checkValues(rawValues, REGISTER_CAPTURE_KEYS);
    captureArgs(captureId, amount, currency, status);
    const source = this.get(sourceReference);
    const [result, tx] = this.bookCapture(source, captureId, amount, currency, status, values);
    return { result, tx: this.txInfo(tx) };
  }

  registerRefund(sourceReference: unknown, refundId: unknown, amount: unknown, currency: unknown, status: unknown, rawKind: unknown, rawValues: unknown) {
    const kind = rawKind === null || rawKind === undefined || rawKind === false || rawKind === '' ? 'refund' : rawKind;
    checkId(sourceReference, 'source_reference');
    const values = checkValues(rawValues, REGISTER_REFUND_KEYS);
    refundArgs(refundId, amount, currency, status, kind);
    const source = this.get(sourceReference);
    const parent = this.refundParent(source, values['capture_id']);
    const [result, tx] = this.bookRefund(parent, refundId, amount, currency, status, kind, values['reason'], values['event_id']);
    return { result, tx: this.txInfo(tx) };
  }

  flagReview(reference: unknown, reason: unknown) {
    checkId(reference, 'reference');
    if (typeof reason !== 'string' || reason.trim() === '') throw validationError('reason must be a non-empty string.');
    const tx = this.get(reference);
    const flagged = this.flag(tx, reason);
    return { result: flagged ? 'applied' : 'unchanged', tx: this.txInfo(tx) };
  }

  /** `paypal.dispute._paypal_bridge_upsert` (models/paypal_dispute.py). */
  upsertDispute(rawValues: unknown) {
    const values = checkValues(rawValues, DISPUTE_KEYS);
    if (values['dispute_id'] === undefined) throw validationError('values.dispute_id is required.');
    const disputeId = checkId(values['dispute_id'], 'dispute_id');
    const updateTime = parseDatetime(values['update_time'], 'update_time');
    const existing = this.db.disputes.find((d) => d.dispute_id === disputeId);
    if (existing?.update_time && updateTime && updateTime.getTime() < existing.update_time.getTime()) {
      // Older (or the same) news than what is stored: events may arrive in any order.
      return { result: 'unchanged', dispute_id: disputeId, id: existing.id };
    }
    const { vals, unknown } = this.disputeValues(values, disputeId, existing);
    vals.update_time = updateTime ?? existing?.update_time;
    let dispute: SimDispute;
    let result: 'created' | 'updated';
    const oldStatus = existing?.status;
    const oldDue = existing?.seller_response_due_date;
    let changed: string[];
    if (existing) {
      const changes = Object.entries(vals).filter(([key, value]) => differs((existing as unknown as Record<string, unknown>)[key], value));
      if (changes.length === 0) return { result: 'unchanged', dispute_id: disputeId, id: existing.id };
      for (const [key, value] of changes) (existing as unknown as Record<string, unknown>)[key] = value;
      changed = changes.map(([key]) => key);
      dispute = existing;
      result = 'updated';
    } else {
      dispute = {
        id: this.db.nextId('paypal.dispute'),
        dispute_id: disputeId,
        name: `Dispute ${disputeId}`,
        status: undefined,
        reason: undefined,
        stage: undefined,
        amount: undefined,
        currency: undefined,
        seller_response_due_date: undefined,
        outcome: undefined,
        capture_id: undefined,
        transaction_id: undefined,
        partner_id: undefined,
        user_id: undefined,
        update_time: undefined,
        last_event_id: undefined,
        messages: [],
        ...vals,
      };
      this.db.disputes.push(dispute);
      dispute.user_id = this.disputeResponsible(dispute);
      changed = Object.keys(vals);
      result = 'created';
    }
    for (const [field, message] of Object.entries(unknown)) if (changed.includes(field)) dispute.messages.push(message);
    this.disputeFollowUp(dispute, result === 'created', oldStatus, oldDue);
    return { result, dispute_id: disputeId, id: dispute.id };
  }

  /** `_paypal_bridge_prepare_values`: field values, and chatter notes about values not known. */
  private disputeValues(values: Values, disputeId: string, dispute: SimDispute | undefined): { vals: Partial<SimDispute>; unknown: Record<string, string> } {
    const unknown: Record<string, string> = {};
    const vals: Partial<SimDispute> = { dispute_id: disputeId };
    if (values['event_id'] !== undefined) vals.last_event_id = values['event_id'];
    for (const key of ['status', 'reason', 'stage', 'outcome'] as const) {
      const value = values[key];
      if (value === undefined) continue;
      vals[key] = DISPUTE_SELECTIONS[key].has(value) ? value : 'OTHER';
      if (vals[key] !== value) unknown[key] = `PayPal sent a ${key} this module does not know: ${value}.`;
    }
    if (values['seller_response_due_date'] !== undefined) vals.seller_response_due_date = parseDatetime(values['seller_response_due_date'], 'seller_response_due_date');
    if (values['currency'] !== undefined) {
      if (!isKnownCurrency(values['currency'])) throw validationError(`Unknown currency ${pyRepr(values['currency'])}.`);
      vals.currency = values['currency'];
    }
    if (values['amount'] !== undefined) {
      const currency = vals.currency ?? dispute?.currency;
      if (!currency) throw validationError('A dispute amount needs its currency.');
      vals.amount = this.parseAmount(values['amount'], 'amount', currency, true);
      this.checkPrecision(values['amount'], currency, 'amount');
    }
    let tx: SimTransaction | undefined;
    if (values['capture_id'] !== undefined) {
      vals.capture_id = checkId(values['capture_id'], 'capture_id');
      tx = this.searchCapture(vals.capture_id);
    }
    if (!tx && values['reference'] !== undefined) tx = this.search({ reference: checkId(values['reference'], 'reference') });
    if (tx && (!dispute || dispute.transaction_id === undefined)) {
      vals.transaction_id = tx.id;
      vals.partner_id = tx.partner_id;
    }
    return { vals, unknown };
  }

  /**
   * `_paypal_bridge_responsible`: the salesperson when they may see disputes (invoicing or PayPal
   * manager), else the provider's dispute responsible, else the first active PayPal manager.
   */
  private disputeResponsible(dispute: SimDispute): number | undefined {
    const orderId = disputeOrderId(this.db, dispute);
    const salesperson = orderId === undefined ? undefined : this.db.user(this.db.order(orderId)?.user_id ?? 0);
    if (salesperson?.active && (salesperson.groups.has(INVOICING_GROUP) || salesperson.groups.has(MANAGER_GROUP))) return salesperson.id;
    const providerUser = this.db.user(this.db.paypalProvider().paypal_bridge_dispute_user_id ?? 0);
    if (providerUser?.active) return providerUser.id;
    return this.db.users.filter((u) => u.active && !u.share && u.groups.has(MANAGER_GROUP)).sort((a, b) => a.id - b.id)[0]?.id;
  }

  /** `_paypal_bridge_follow_up`: the to-do activity and the news on the sale order. */
  private disputeFollowUp(dispute: SimDispute, created: boolean, oldStatus: string | undefined, oldDue: Date | undefined): void {
    const todos = () => this.db.activities.filter((a) => a.res_model === 'paypal.dispute' && a.res_id === dispute.id && a.activity_type === 'To-Do');
    if (dispute.status === 'RESOLVED') {
      // activity_feedback: the to-do is marked done, which removes it (its feedback is logged).
      for (const todo of todos()) {
        this.db.activities.splice(this.db.activities.indexOf(todo), 1);
        dispute.messages.push(`${todo.summary}: done. Dispute resolved: ${dispute.outcome ?? 'unknown'}`);
      }
    } else if (created || (dispute.seller_response_due_date && dispute.seller_response_due_date.getTime() !== oldDue?.getTime())) {
      const deadline = (dispute.seller_response_due_date ?? this.now()).toISOString().slice(0, 10);
      const open = created ? [] : todos();
      if (open.length > 0) {
        for (const todo of open) todo.date_deadline = deadline; // activity_reschedule
      } else if (dispute.user_id !== undefined) {
        this.db.activities.push({
          id: this.db.nextId('mail.activity'),
          res_model: 'paypal.dispute',
          res_id: dispute.id,
          user_id: dispute.user_id,
          date_deadline: deadline,
          summary: `Answer PayPal dispute ${dispute.dispute_id}`,
          note: '',
          activity_type: 'To-Do',
        });
      }
    }
    const order = this.db.order(disputeOrderId(this.db, dispute) ?? 0);
    if (order && (created || dispute.status !== oldStatus)) {
      order.messages.push(
        created
          ? `PayPal dispute ${dispute.dispute_id} opened (${dispute.reason ?? 'unknown'}), status: ${dispute.status ?? 'unknown'}.`
          : `PayPal dispute ${dispute.dispute_id} is now: ${dispute.status ?? 'unknown'}.`,
      );
    }
  }

  // === lookups ===============================================================================

  /** `_paypal_bridge_get`: the PayPal transaction with this reference, or MissingError. */
  private get(reference: unknown): SimTransaction {
    const ref = checkId(reference, 'reference');
    const tx = this.paypalTransactions().find((t) => t.reference === ref);
    if (!tx) throw missingError(`No PayPal transaction with reference ${ref}.`);
    return tx;
  }

  private paypalTransactions(): SimTransaction[] {
    return this.db.transactions.filter((t) => this.db.provider(t.provider_id)?.code === 'paypal');
  }

  /** `_paypal_bridge_search`: capture id, then refund, authorization, order id, reference. */
  private search(keys: Record<string, string>): SimTransaction | undefined {
    const captureId = keys['capture_id'];
    if (captureId) {
      const tx = this.searchCapture(captureId);
      if (tx) return tx;
    }
    const txs = this.paypalTransactions();
    for (const [field, key] of [
      ['paypal_refund_id', 'refund_id'],
      ['paypal_authorization_id', 'authorization_id'],
      ['paypal_order_id', 'paypal_order_id'],
      ['reference', 'reference'],
    ] as const) {
      const value = keys[key];
      if (value) {
        const tx = txs.find((t) => t[field] === value);
        if (tx) return tx;
      }
    }
    return undefined;
  }

  /** `_paypal_bridge_search_capture`: by capture id, or a pre-bridge capture in provider_reference. */
  private searchCapture(captureId: string): SimTransaction | undefined {
    return (
      this.db.transactions.find((t) => t.paypal_capture_id === captureId) ??
      this.paypalTransactions().find((t) => t.paypal_capture_id === undefined && t.provider_reference === captureId && t.operation !== 'refund')
    );
  }

  /** Partial captures and voids (Odoo gives them the operation of their source). */
  private captureChildren(tx: SimTransaction): SimTransaction[] {
    return this.db.children(tx).filter((c) => c.operation !== 'refund');
  }

  /** `_paypal_bridge_refund_parent`: the transaction whose capture is refunded. */
  private refundParent(source: SimTransaction, captureId: string | undefined): SimTransaction {
    if (captureId !== undefined) {
      const id = checkId(captureId, 'capture_id');
      const tx = this.searchCapture(id);
      if (!tx) throw missingError(`PayPal capture ${id} is not booked in Odoo yet.`);
      if (tx !== source && tx.source_transaction_id !== source.id) {
        throw validationError(`PayPal capture ${id} belongs to ${tx.reference}, not to ${source.reference}.`);
      }
      return tx;
    }
    if (source.paypal_capture_id || (source.state === 'done' && this.captureChildren(source).length === 0)) return source;
    const captured = this.captureChildren(source).filter((c) => c.paypal_capture_id);
    if (captured.length === 1 && captured[0]) return captured[0];
    if (captured.length === 0) throw missingError(`No PayPal capture of ${source.reference} is booked in Odoo yet.`);
    throw validationError(`${source.reference} has several PayPal captures: give capture_id.`);
  }

  // === amounts ===============================================================================

  private parseAmount(value: unknown, label: string, currency: string, allowZero = false): bigint {
    if (typeof value !== 'string') throw validationError(`${label} must be a decimal string such as "10.00", got ${pyRepr(value)}.`);
    if (!isKnownCurrency(currency)) throw validationError(`Unknown currency ${currency}.`);
    const parsed = toMinorUnits(value, currency);
    if (!parsed) throw validationError(`${label} is not a decimal number: ${pyRepr(value)}.`);
    if (parsed.negative || (!allowZero && parsed.minor === 0n && parsed.exact)) {
      throw validationError(`${label} must be greater than zero, got ${pyRepr(value)}.`);
    }
    return parsed.minor;
  }

  /** `check_amount_precision`: no more decimals than the currency has. */
  private checkPrecision(value: string, currency: string, label: string): void {
    const parsed = toMinorUnits(value, currency);
    if (parsed && !parsed.exact) throw validationError(`${label} ${value} has more decimals than ${currency} allows.`);
  }

  private capturableAmount(tx: SimTransaction): bigint {
    const used = this.captureChildren(tx).filter((c) => ['pending', 'authorized', 'done', 'cancel'].includes(c.state));
    return tx.amount - used.reduce((s, c) => s + c.amount, 0n);
  }

  private capturedAmount(tx: SimTransaction): bigint {
    if (tx.operation === 'refund') return 0n;
    const captures = this.captureChildren(tx);
    if (captures.length > 0) return captures.filter((c) => c.state === 'done').reduce((s, c) => s + c.amount, 0n);
    return tx.state === 'done' ? tx.amount : 0n;
  }

  /** Refunds of this transaction and of its partial captures, in `states`. */
  private refunds(tx: SimTransaction, states: readonly TxStateName[]): SimTransaction[] {
    const holders = [tx, ...this.captureChildren(tx)];
    return holders.flatMap((h) => this.db.children(h)).filter((c) => c.operation === 'refund' && states.includes(c.state));
  }

  private refundedAmount(tx: SimTransaction): bigint {
    return -this.refunds(tx, ['done']).reduce((s, c) => s + c.amount, 0n);
  }

  private refundableAmount(tx: SimTransaction): bigint {
    if (tx.state !== 'done') return 0n;
    const reserved = this.db.children(tx).filter((c) => c.operation === 'refund' && c.state !== 'cancel' && c.state !== 'error');
    return tx.amount + reserved.reduce((s, c) => s + c.amount, 0n);
  }

  private updateRefundStatus(tx: SimTransaction): void {
    const source = tx.source_transaction_id === undefined ? undefined : this.db.tx(tx.source_transaction_id);
    for (const t of source ? [tx, source] : [tx]) {
      const refunded = this.refundedAmount(t);
      t.paypal_refund_status = refunded <= 0n ? 'none' : refunded >= this.capturedAmount(t) ? 'refunded' : 'partially_refunded';
    }
  }

  // === registration ==========================================================================

  private applyPaymentTo(tx: SimTransaction, state: ApplyTarget, input: Values): Result {
    const values = { ...input };
    for (const key of ['paypal_order_id', 'capture_id', 'authorization_id', 'payer_id', 'event_id']) {
      if (values[key] !== undefined) values[key] = checkId(values[key], key);
    }
    const captureId = values['capture_id'];
    if ((state === 'done' || state === 'pending') && captureId && tx.state === 'authorized' && captureId !== tx.paypal_capture_id) {
      // A capture of this authorization, possibly partial: booked as register_capture does.
      const captureValues = Object.fromEntries(Object.entries(values).filter(([key]) => REGISTER_CAPTURE_KEYS.has(key)));
      const [result] = this.bookCapture(
        tx,
        captureId,
        values['amount'] ?? formatDecimal(this.capturableAmount(tx), tx.currency),
        values['currency'] ?? tx.currency,
        state === 'done' ? 'COMPLETED' : 'PENDING',
        captureValues,
      );
      return result;
    }
    const mismatches: string[] = [];
    if (values['currency'] && values['currency'] !== tx.currency) mismatches.push(`currency ${values['currency']} at PayPal, ${tx.currency} in Odoo`);
    if (values['amount'] !== undefined) {
      const amount = this.parseAmount(values['amount'], 'amount', tx.currency);
      if (amount !== tx.amount) mismatches.push(`amount ${values['amount']} at PayPal, ${formatDecimal(tx.amount, tx.currency)} in Odoo`);
    }
    if (mismatches.length > 0) {
      this.flag(tx, `PayPal ${state} with ${mismatches.join('; ')}; state left unchanged.`);
      return 'mismatch';
    }
    const conflict = this.findConflict(tx, values);
    if (conflict) {
      this.flag(tx, conflict);
      return 'conflict';
    }
    const vals: Partial<SimTransaction> = {};
    if (values['paypal_order_id']) vals.paypal_order_id = values['paypal_order_id'];
    if (values['authorization_id']) {
      vals.paypal_authorization_id = values['authorization_id'];
      vals.provider_reference = values['authorization_id'];
    }
    if (values['capture_id']) {
      vals.paypal_capture_id = values['capture_id'];
      vals.provider_reference = values['capture_id'];
    }
    if (values['authorization_expiry'] !== undefined) vals.paypal_authorization_expiry = parseDatetime(values['authorization_expiry'], 'authorization_expiry');
    Object.assign(vals, this.feeValues(tx, values));
    if (values['payer_id']) vals.paypal_payer_id = values['payer_id'];
    if (values['payer_email'] !== undefined) vals.paypal_payer_email = values['payer_email'];
    if (state === 'cancel' && tx.state === 'authorized' && this.captureChildren(tx).some((c) => c.state === 'pending' || c.state === 'done')) {
      // The void of a partly captured authorization only voids what is left of it.
      const changed = write(tx, vals);
      const [result] = this.bookVoid(tx, vals.paypal_authorization_id, values['message'], values['event_id']);
      return changed ? 'applied' : result;
    }
    const result = this.apply(tx, state, vals, values['message'] ?? values['status_detail'], values['status_detail'], values['event_id']);
    // The payer on the customer: the first time only.
    const partner = this.db.partner(tx.partner_id);
    if (tx.paypal_payer_id && partner && !partner.paypal_payer_id) partner.paypal_payer_id = tx.paypal_payer_id;
    return result;
  }

  private findConflict(tx: SimTransaction, values: Values): string | undefined {
    const captureId = values['capture_id'];
    if (captureId) {
      const other = this.searchCapture(captureId);
      if (other && other !== tx) return `PayPal capture ${captureId} is already booked on ${other.reference}.`;
      if (tx.paypal_capture_id && tx.paypal_capture_id !== captureId) {
        return `Second PayPal capture ${captureId} for a transaction already captured by ${tx.paypal_capture_id}: the customer may have paid twice; refund one of them.`;
      }
    }
    const authorizationId = values['authorization_id'];
    if (authorizationId && tx.paypal_authorization_id && tx.paypal_authorization_id !== authorizationId) {
      return `Second PayPal authorization ${authorizationId} for a transaction already authorized by ${tx.paypal_authorization_id}.`;
    }
    const orderId = values['paypal_order_id'];
    if (orderId && tx.paypal_order_id && orderId !== tx.paypal_order_id && tx.state !== 'draft' && tx.state !== 'pending') {
      // A new order is normal while the shopper retries; not once this one was paid.
      return `PayPal order ${orderId} for a transaction already paid through order ${tx.paypal_order_id}.`;
    }
    return undefined;
  }

  private feeValues(tx: SimTransaction, values: Values): Partial<SimTransaction> {
    const vals: Partial<SimTransaction> = {};
    if (values['fee'] !== undefined) vals.paypal_fee = this.parseAmount(values['fee'], 'fee', tx.currency, true);
    if (values['net'] !== undefined) vals.paypal_net_amount = this.parseAmount(values['net'], 'net', tx.currency, true);
    return vals;
  }

  private bookCapture(source: SimTransaction, rawCaptureId: unknown, rawAmount: unknown, currency: unknown, status: unknown, values: Values): [Result, SimTransaction] {
    const captureId = captureArgs(rawCaptureId, rawAmount, currency, status);
    let target = CAPTURE_STATES[status as string] as ApplyTarget;
    const amount = this.parseAmount(rawAmount, 'amount', source.currency);
    const existing = this.searchCapture(captureId);
    if (existing) {
      if (existing !== source && existing.source_transaction_id !== source.id) {
        this.flag(source, `PayPal capture ${captureId} is already booked on ${existing.reference}.`);
        return ['conflict', source];
      }
      return [this.applyCapture(existing, target, values, captureId), existing];
    }
    if (currency !== source.currency) {
      this.flag(source, `PayPal capture ${captureId} is in ${String(currency)}, the transaction in ${source.currency}; nothing booked.`);
      return ['mismatch', source];
    }
    this.checkPrecision(rawAmount as string, source.currency, 'amount');
    if (source.paypal_capture_id) {
      this.flag(source, `Second PayPal capture ${captureId} for a transaction already captured by ${source.paypal_capture_id}.`);
      return ['conflict', source];
    }
    const remaining = this.capturableAmount(source);
    if (amount > remaining) {
      this.flag(source, `PayPal capture ${captureId} of ${String(rawAmount)} exceeds the ${formatDecimal(remaining, source.currency)} left to capture; nothing booked.`);
      return ['mismatch', source];
    }
    const isFull = this.captureChildren(source).length === 0 && amount === source.amount;
    if (isFull) return [this.applyCapture(source, target, values, captureId), source];
    if (source.state !== 'authorized') {
      throw missingError(`The PayPal authorization of ${source.reference} is not booked in Odoo yet; a partial capture needs it.`);
    }
    const child = this.flow.createChild(source, amount, false);
    child.paypal_capture_id = captureId;
    // A denied partial capture is a failure, not a void: a cancelled child would count as voided.
    if (target === 'cancel') target = 'error';
    this.applyCapture(child, target, values, captureId);
    return ['applied', child];
  }

  private applyCapture(tx: SimTransaction, target: ApplyTarget, values: Values, captureId: string): Result {
    const vals: Partial<SimTransaction> = { paypal_capture_id: captureId, provider_reference: captureId, ...this.feeValues(tx, values) };
    return this.apply(tx, target, vals, values['message'] ?? values['status_detail'], values['status_detail'], values['event_id']);
  }

  /** `_paypal_bridge_book_void`: void what is left of the authorization. */
  private bookVoid(tx: SimTransaction, authorizationId: string | undefined, message: string | undefined, eventId: string | undefined): [Result, SimTransaction] {
    if (tx.state !== 'authorized') return ['unchanged', tx];
    const vals: Partial<SimTransaction> = authorizationId ? { paypal_authorization_id: authorizationId } : {};
    if (!this.captureChildren(tx).some((c) => c.state === 'pending' || c.state === 'done')) return [this.apply(tx, 'cancel', vals, message, undefined, eventId), tx];
    // Partly captured: Odoo settles the source once its children cover the whole amount.
    write(tx, vals);
    const voidTx = this.flow.createChild(tx, this.capturableAmount(tx), false);
    this.apply(voidTx, 'cancel', {}, message, undefined, eventId);
    return ['applied', voidTx];
  }

  private bookRefund(
    parent: SimTransaction,
    rawRefundId: unknown,
    rawAmount: unknown,
    currency: unknown,
    status: unknown,
    kind: unknown,
    reason: string | undefined,
    eventId: string | undefined,
  ): [Result, SimTransaction] {
    const refundId = refundArgs(rawRefundId, rawAmount, currency, status, kind);
    const target = REFUND_STATES[status as string] as ApplyTarget;
    const amount = this.parseAmount(rawAmount, 'amount', parent.currency);

    const existing = this.db.transactions.find((t) => t.paypal_refund_id === refundId);
    if (existing) {
      if (existing.source_transaction_id !== parent.id) {
        this.flag(parent, `PayPal refund ${refundId} is already booked on ${existing.reference}.`);
        return ['conflict', parent];
      }
      if (currency !== parent.currency || amount !== -existing.amount) {
        this.flag(parent, `PayPal refund ${refundId} now reads ${String(rawAmount)} ${String(currency)}; Odoo booked ${formatDecimal(-existing.amount, parent.currency)}.`);
        return ['mismatch', existing];
      }
      let result = this.apply(existing, target, {}, reason, undefined, eventId);
      this.updateRefundStatus(parent);
      if (kind === 'reversal' && this.flagReversal(parent, refundId, rawAmount as string, reason)) result = 'applied';
      return [result, existing];
    }
    if (currency !== parent.currency) {
      this.flag(parent, `PayPal ${kind} ${refundId} is in ${String(currency)}, the payment in ${parent.currency}; nothing booked.`);
      return ['mismatch', parent];
    }
    this.checkPrecision(rawAmount as string, parent.currency, 'amount');
    if (parent.state !== 'done') {
      throw missingError(`The PayPal capture of ${parent.reference} is not confirmed in Odoo yet; book the capture before its refunds.`);
    }
    const refundable = this.refundableAmount(parent);
    if (amount > refundable) {
      this.flag(parent, `PayPal ${kind} ${refundId} of ${String(rawAmount)} exceeds the ${formatDecimal(refundable, parent.currency)} left to refund; nothing booked.`);
      return ['mismatch', parent];
    }
    const refund = this.flow.createChild(parent, amount, true);
    refund.paypal_refund_id = refundId;
    refund.provider_reference = refundId;
    this.apply(refund, target, {}, reason, undefined, eventId);
    this.updateRefundStatus(parent);
    if (kind === 'reversal') this.flagReversal(parent, refundId, rawAmount as string, reason);
    return ['applied', refund];
  }

  private flagReversal(tx: SimTransaction, refundId: string, amount: string, reason: string | undefined): boolean {
    return this.flag(
      tx,
      `PayPal reversed ${amount} ${tx.currency} of capture ${tx.paypal_capture_id ?? tx.reference} (${refundId}): ${reason ?? 'no reason given'}. ` +
        'The sale order stays confirmed; check the chargeback or dispute.',
    );
  }

  /** `_paypal_bridge_apply`: store PayPal's values, move forward if Odoo allows it, post-process. */
  private apply(tx: SimTransaction, target: ApplyTarget, vals: Partial<SimTransaction>, message: string | undefined, statusDetail: string | undefined, eventId: string | undefined): Result {
    let changed = write(tx, vals);
    const moved = this.flow.setState(tx, target, target === 'error' ? (message ?? 'PayPal reported an error.') : message);
    if (moved || tx.state === target) {
      // A detail describes the state it came with: clear it when moving without one.
      const detail = statusDetail ?? (moved ? undefined : tx.paypal_status_detail);
      changed = write(tx, { paypal_status_detail: detail }) || changed;
    }
    if (target === 'done' && tx.state === 'cancel') {
      changed = this.flag(tx, 'PayPal confirmed a payment that Odoo had cancelled: the customer was charged; refund the payment or re-open the order.') || changed;
    }
    if (target === 'error' && tx.state === 'error') {
      changed = this.flag(tx, `PayPal reported an error: ${message ?? statusDetail ?? 'no detail'}`) || changed;
    }
    if ((moved || changed) && eventId && tx.paypal_last_event_id !== eventId) tx.paypal_last_event_id = eventId;
    if (moved) this.postProcess(tx);
    return moved || changed ? 'applied' : 'unchanged';
  }

  /** `_paypal_bridge_post_process`: the transaction and its source, when they need it. */
  private postProcess(tx: SimTransaction): void {
    const source = tx.source_transaction_id === undefined ? undefined : this.db.tx(tx.source_transaction_id);
    for (const t of source ? [tx, source] : [tx]) {
      if (t.state !== 'draft' && !t.is_post_processed) this.flow.postProcess(t);
    }
  }

  /** `_paypal_bridge_flag_review`: false when already flagged for that very reason. */
  flag(tx: SimTransaction, rawReason: string): boolean {
    const reason = rawReason.trim();
    const lines = (tx.paypal_review_reason ?? '').split('\n').filter((l) => l !== '');
    if (tx.paypal_needs_review && lines.includes(reason)) return false;
    if (!lines.includes(reason)) lines.push(reason);
    tx.paypal_needs_review = true;
    tx.paypal_review_reason = lines.join('\n');
    const message = `PayPal: transaction ${tx.reference} needs a manual review. ${reason}`;
    for (const id of tx.sale_order_ids) this.db.order(id)?.messages.push(message);
    return true;
  }

  // === TxInfo ================================================================================

  /** `_paypal_bridge_tx_info`: amounts positive, with the currency's decimal places. */
  txInfo(tx: SimTransaction) {
    const provider = this.db.provider(tx.provider_id);
    const partner = this.db.partner(tx.partner_id);
    const money = (value: bigint | undefined) => formatDecimal(abs(value ?? 0n), tx.currency);
    const orders = tx.sale_order_ids.map((id) => this.db.order(id)).filter((o) => o !== undefined);
    return {
      id: tx.id,
      reference: tx.reference,
      state: tx.state,
      operation: tx.operation,
      amount: money(tx.amount),
      currency: tx.currency,
      provider_code: provider?.code ?? 'paypal',
      bridge_enabled: provider?.paypal_bridge_enabled ?? false,
      capture_manually: provider?.capture_manually ?? false,
      partner_id: tx.partner_id,
      partner_name: partner?.name ?? '',
      sale_order_ids: orders.map((o) => o.id),
      sale_order_names: orders.map((o) => o.name),
      invoice_ids: [],
      payment_id: tx.payment_id ?? false,
      is_post_processed: tx.is_post_processed,
      source_reference: tx.source_transaction_id === undefined ? false : (this.db.tx(tx.source_transaction_id)?.reference ?? false),
      paypal_order_id: tx.paypal_order_id ?? false,
      paypal_capture_id: tx.paypal_capture_id ?? false,
      paypal_authorization_id: tx.paypal_authorization_id ?? false,
      paypal_authorization_expiry: tx.paypal_authorization_expiry ? tx.paypal_authorization_expiry.toISOString().slice(0, 19) + 'Z' : false,
      paypal_refund_id: tx.paypal_refund_id ?? false,
      paypal_refund_status: tx.paypal_refund_status,
      paypal_payer_id: tx.paypal_payer_id ?? false,
      paypal_fee: money(tx.paypal_fee),
      paypal_net_amount: money(tx.paypal_net_amount),
      paypal_status_detail: tx.paypal_status_detail ?? false,
      paypal_needs_review: tx.paypal_needs_review,
      paypal_review_reason: tx.paypal_review_reason ?? false,
      refunded_amount: money(this.refundedAmount(tx)),
      captured_amount: money(this.capturedAmount(tx)),
      children: this.db
        .children(tx)
        .sort((a, b) => a.id - b.id)
        .map((c) => ({
          reference: c.reference,
          operation: c.operation,
          state: c.state,
          amount: money(c.amount),
          paypal_capture_id: c.paypal_capture_id ?? false,
          paypal_refund_id: c.paypal_refund_id ?? false,
        })),
    };
  }
}

// === argument checks ============================================================================

/** `_paypal_bridge_check_id`: a non-empty string of at most 128 characters, trimmed. */
function checkId(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_ID_LENGTH) {
    throw validationError(`${label} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${pyRepr(value)}.`);
  }
  return value.trim();
}

/** `_paypal_bridge_check_currency`: an ISO 4217 code's shape (its value is compared later). */
function checkCurrency(currency: unknown): void {
  if (typeof currency !== 'string' || currency.length !== 3) throw validationError(`currency must be an ISO 4217 code such as "USD", got ${pyRepr(currency)}.`);
}

/** `parse_amount` without a currency: a non-negative decimal string, zero refused. */
function checkAmountString(value: unknown, label: string): void {
  if (typeof value !== 'string') throw validationError(`${label} must be a decimal string such as "10.00", got ${pyRepr(value)}.`);
  const parsed = toMinorUnits(value, 'USD');
  if (!parsed) throw validationError(`${label} is not a decimal number: ${pyRepr(value)}.`);
  if (parsed.negative || !/[1-9]/.test(value)) throw validationError(`${label} must be greater than zero, got ${pyRepr(value)}.`);
}

/** `_paypal_bridge_capture_args`: capture id, currency, status, amount; answers the clean id. */
function captureArgs(captureId: unknown, amount: unknown, currency: unknown, status: unknown): string {
  const id = checkId(captureId, 'capture_id');
  checkCurrency(currency);
  if (typeof status !== 'string' || !Object.hasOwn(CAPTURE_STATES, status)) {
    throw validationError(`Unknown PayPal capture status ${pyRepr(status)} (expected one of ${Object.keys(CAPTURE_STATES).join(', ')}).`);
  }
  checkAmountString(amount, 'amount');
  return id;
}

/** `_paypal_bridge_refund_args`: refund id, currency, status, kind, amount; answers the clean id. */
function refundArgs(refundId: unknown, amount: unknown, currency: unknown, status: unknown, kind: unknown): string {
  const id = checkId(refundId, 'refund_id');
  checkCurrency(currency);
  if (typeof status !== 'string' || !Object.hasOwn(REFUND_STATES, status)) {
    throw validationError(`Unknown PayPal refund status ${pyRepr(status)} (expected one of ${Object.keys(REFUND_STATES).join(', ')}).`);
  }
  if (kind !== 'refund' && kind !== 'reversal') throw validationError(`kind must be "refund" or "reversal", got ${pyRepr(kind)}.`);
  checkAmountString(amount, 'amount');
  return id;
}

/** `_paypal_bridge_check_values`: an object of strings with known keys; null entries dropped. */
function checkValues(values: unknown, allowed: ReadonlySet<string>): Values {
  if (values === null || values === undefined || values === false) return {};
  if (typeof values !== 'object' || Array.isArray(values)) throw validationError(`values must be an object, got ${pyRepr(values)}.`);
  const unknown = Object.keys(values).filter((k) => !allowed.has(k)).sort();
  if (unknown.length > 0) {
    throw validationError(`Unknown keys in values: ${unknown.join(', ')} (allowed: ${[...allowed].sort().join(', ')}).`);
  }
  const out: Values = {};
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    if (value === null || value === false) continue;
    if (typeof value !== 'string') throw validationError(`values.${key} must be a string, got ${pyRepr(value)}.`);
    out[key] = value;
  }
  return out;
}

/** `parse_datetime`: ISO 8601 → a UTC moment (seconds), or undefined when empty. */
function parseDatetime(value: string | undefined, label: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const trimmed = value.trim();
  // Python's fromisoformat (3.11) accepts "2025-01-31", "2025-01-31T12:00:00", with a zone or Z.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    throw validationError(`${label} is not an ISO 8601 date-time: ${pyRepr(value)}.`);
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) && trimmed.length > 10;
  const moment = new Date(hasZone ? trimmed : `${trimmed.length === 10 ? `${trimmed}T00:00:00` : trimmed.replace(' ', 'T')}Z`);
  if (Number.isNaN(moment.getTime())) throw validationError(`${label} is not an ISO 8601 date-time: ${pyRepr(value)}.`);
  moment.setUTCMilliseconds(0);
  return moment;
}

function differs(current: unknown, value: unknown): boolean {
  if (current instanceof Date || value instanceof Date) return (current as Date | undefined)?.getTime() !== (value as Date | undefined)?.getTime();
  return current !== value;
}

/** Writes only what differs; answers whether anything did. */
function write(tx: SimTransaction, vals: Partial<SimTransaction>): boolean {
  let changed = false;
  const target = tx as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(vals)) {
    const current = target[key];
    const same = current instanceof Date && value instanceof Date ? current.getTime() === value.getTime() : current === value;
    if (!same) {
      target[key] = value;
      changed = true;
    }
  }
  return changed;
}

/** Python's repr() of a JSON value, for messages that quote what was received. */
function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `'${k}': ${pyRepr(v)}`).join(', ')}}`;
}

