// The paypal_bridge module's reconciliation entry points (odoo_addon/README.md, "Reconciliation"),
// as models/payment_transaction_reconcile.py implements them:
//
// - paypal_bridge_reconcile_data: the PayPal transactions Odoo holds, page by page, for the
//   service to compare with PayPal's Transaction Search; or a lookup of given PayPal ids and
//   references;
// - paypal_bridge_book_fee: the journal entry moving a capture's PayPal fee from the PayPal
//   journal's account to the fee account of the provider, once per capture;
// - paypal_bridge_repost_payment: a done transaction's payment put back in the books (posted
//   again, or made again when it was cancelled or deleted).
//
// Journal entries are not otherwise simulated: a fee entry is kept here as a small record (capture
// id, transaction, amount, state) per simulated database. Fixtures for tests and benchmarks seed
// transactions in bulk and switch the provider's fee account on and off.
import type { BridgeEntryPoints, EntryPoint } from './bridge.ts';
import { missingError, userError, validationError } from './faults.ts';
import { abs, formatDecimal, isKnownCurrency, toMinorUnits } from './money.ts';
import { blankPayPalFields } from './payment-flow.ts';
import type { SimDatabase, SimPayment, SimTransaction } from './records.ts';

export const RECONCILE_MAX_LIMIT = 5000;
const MAX_ID_LENGTH = 128;

export interface SimFeeMove {
  id: number;
  captureId: string;
  transactionId: number;
  amount: bigint;
  currency: string;
  state: 'posted' | 'cancel';
}

/** A statement line of the PayPal journal booked by paypal_bridge_import_ledger (no accounting: which line, and whether it is matched). */
export interface SimLedgerLine {
  id: number;
  key: string;
  amount: bigint;
  currency: string;
  /** The payment it is matched with. */
  paymentId: number | undefined;
}

interface ReconcileState {
  /** By capture id. */
  feeMoves: Map<string, SimFeeMove>;
  /** By ledger key (tx:<id>, fee:<id>). */
  ledgerLines: Map<string, SimLedgerLine>;
  /** Whether the PayPal provider has a fee account (`paypal_bridge_fee_account_id`). */
  feeAccount: boolean;
  byId: { length: number; map: Map<number, SimTransaction> } | undefined;
  paymentsById: { length: number; map: Map<number, SimPayment> } | undefined;
}

const states = new WeakMap<SimDatabase, ReconcileState>();

export function reconcileStateOf(db: SimDatabase): ReconcileState {
  let state = states.get(db);
  if (!state) {
    state = { feeMoves: new Map(), ledgerLines: new Map(), feeAccount: true, byId: undefined, paymentsById: undefined };
    states.set(db, state);
  }
  return state;
}

/** A transaction by id, through an index rebuilt when transactions were added (bulk data). */
function txById(db: SimDatabase, id: number): SimTransaction | undefined {
  const state = reconcileStateOf(db);
  if (!state.byId || state.byId.length !== db.transactions.length) {
    state.byId = { length: db.transactions.length, map: new Map(db.transactions.map((t) => [t.id, t])) };
  }
  const found = state.byId.map.get(id);
  return found && found.id === id ? found : db.tx(id);
}

function paymentById(db: SimDatabase, id: number): SimPayment | undefined {
  const state = reconcileStateOf(db);
  if (!state.paymentsById || state.paymentsById.length !== db.payments.length) {
    state.paymentsById = { length: db.payments.length, map: new Map(db.payments.map((p) => [p.id, p])) };
  }
  const found = state.paymentsById.map.get(id);
  return found && found.id === id ? found : db.payment(id);
}

// === argument checks (as the Python module makes them) =========================================

function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

function checkId(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_ID_LENGTH) {
    throw validationError(`${label} must be a non-empty string of at most ${MAX_ID_LENGTH} characters, got ${pyRepr(value)}.`);
  }
  return value.trim();
}

function given(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false;
}

function checkInteger(value: unknown, label: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(`${label} must be a whole number from ${min} to ${max}, got ${pyRepr(value)}.`);
  }
  return value;
}

function checkIdList(value: unknown, label: string): string[] {
  if (!given(value)) return [];
  if (!Array.isArray(value)) throw validationError(`${label} must be a list of strings, got ${pyRepr(value)}.`);
  return value.map((v) => checkId(v, label));
}

/** `parse_datetime`: ISO 8601 (a zone or UTC) → a UTC moment in whole seconds. */
function parseDatetime(value: unknown, label: string): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    throw validationError(`${label} is not an ISO 8601 date-time: ${pyRepr(value)}.`);
  }
  const trimmed = value.trim();
  const hasZone = trimmed.length > 10 && /(Z|[+-]\d{2}:?\d{2})$/.test(trimmed);
  const moment = new Date(hasZone ? trimmed : `${trimmed.length === 10 ? `${trimmed}T00:00:00` : trimmed.replace(' ', 'T')}Z`);
  if (Number.isNaN(moment.getTime())) throw validationError(`${label} is not an ISO 8601 date-time: ${pyRepr(value)}.`);
  moment.setUTCMilliseconds(0);
  return moment;
}

function isoUtc(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

// === paypal_bridge_reconcile_data ===============================================================

function isPayPal(db: SimDatabase, tx: SimTransaction): boolean {
  return db.provider(tx.provider_id)?.code === 'paypal';
}

function record(db: SimDatabase, tx: SimTransaction) {
  const state = reconcileStateOf(db);
  const move = tx.paypal_capture_id ? state.feeMoves.get(tx.paypal_capture_id) : undefined;
  const booked = move && move.state === 'posted' && move.transactionId === tx.id ? move : undefined;
  const source = tx.source_transaction_id === undefined ? undefined : txById(db, tx.source_transaction_id);
  return {
    id: tx.id,
    reference: tx.reference,
    state: tx.state,
    operation: tx.operation,
    amount: formatDecimal(abs(tx.amount), tx.currency),
    currency: tx.currency,
    paypal_order_id: tx.paypal_order_id ?? false,
    paypal_capture_id: tx.paypal_capture_id ?? false,
    paypal_refund_id: tx.paypal_refund_id ?? false,
    source_reference: source?.reference ?? false,
    sale_order_names: tx.sale_order_ids.map((id) => db.order(id)?.name).filter((n): n is string => n !== undefined),
    paypal_fee: formatDecimal(abs(tx.paypal_fee ?? 0n), tx.currency),
    fee_booked: booked ? formatDecimal(booked.amount, booked.currency) : false,
    fee_move_id: booked ? booked.id : false,
    fee_account_set: reconcileStateOf(db).feeAccount,
    payment_id: tx.payment_id ?? false,
    payment_state: (tx.payment_id === undefined ? undefined : paymentById(db, tx.payment_id)?.state) ?? false,
    last_state_change: isoUtc(tx.last_state_change),
    paypal_needs_review: tx.paypal_needs_review,
  };
}

export type ReconcileRecord = ReturnType<typeof record>;

function reconcileData(bridge: BridgeEntryPoints, a: Record<string, unknown>): { records: ReconcileRecord[]; next_after_id: number | false } {
  const db = bridge.db;
  const captureIds = checkIdList(a['capture_ids'], 'capture_ids');
  const refundIds = checkIdList(a['refund_ids'], 'refund_ids');
  const references = checkIdList(a['references'], 'references');
  const orderNames = checkIdList(a['order_names'], 'order_names');
  const lookup = captureIds.length + refundIds.length + references.length + orderNames.length;
  const ranged = given(a['date_from']) || given(a['date_to']);
  if (lookup > 0 && ranged) throw validationError('Give either date_from and date_to, or ids to look up (capture_ids, refund_ids, references, order_names), not both.');

  if (lookup > 0) {
    if (lookup > RECONCILE_MAX_LIMIT) throw validationError(`At most ${RECONCILE_MAX_LIMIT} ids per lookup, got ${lookup}.`);
    const captures = new Set(captureIds);
    const refunds = new Set(refundIds);
    const refs = new Set(references);
    const names = new Set(orderNames);
    const orderIds = new Set(db.orders.filter((o) => names.has(o.name)).map((o) => o.id));
    const found = db.transactions.filter(
      (t) =>
        isPayPal(db, t) &&
        ((t.paypal_capture_id !== undefined && captures.has(t.paypal_capture_id)) ||
          (t.paypal_refund_id !== undefined && refunds.has(t.paypal_refund_id)) ||
          refs.has(t.reference) ||
          t.sale_order_ids.some((id) => orderIds.has(id))),
    );
    return { records: found.sort((x, y) => x.id - y.id).map((t) => record(db, t)), next_after_id: false };
  }

  if (!given(a['date_from']) || !given(a['date_to'])) throw validationError('date_from and date_to are required (or ids to look up).');
  const from = parseDatetime(a['date_from'], 'date_from').getTime();
  const to = parseDatetime(a['date_to'], 'date_to').getTime();
  if (!(from < to)) throw validationError('date_from must be before date_to.');
  const afterId = checkInteger(a['after_id'] ?? 0, 'after_id', 0, Number.MAX_SAFE_INTEGER);
  const limit = checkInteger(a['limit'] ?? 1000, 'limit', 1, RECONCILE_MAX_LIMIT);

  const selected = (t: SimTransaction) => {
    if (t.id <= afterId || (t.paypal_capture_id === undefined && t.paypal_refund_id === undefined) || !isPayPal(db, t)) return false;
    const changed = t.last_state_change.getTime();
    return changed >= from && changed < to;
  };
  // Transactions are appended with increasing ids; the scan stops once a page is full. Should the
  // order ever not hold, every match is collected and sorted instead.
  let page: SimTransaction[] = [];
  let previousId = 0;
  let ordered = true;
  for (const t of db.transactions) {
    if (t.id < previousId) {
      ordered = false;
      break;
    }
    previousId = t.id;
    if (selected(t)) {
      page.push(t);
      if (page.length === limit) break;
    }
  }
  if (!ordered) page = db.transactions.filter(selected).sort((x, y) => x.id - y.id).slice(0, limit);
  const last = page[page.length - 1];
  return { records: page.map((t) => record(db, t)), next_after_id: page.length === limit && last ? last.id : false };
}

// === paypal_bridge_book_fee =====================================================================

function bookFee(bridge: BridgeEntryPoints, a: Record<string, unknown>) {
  const db = bridge.db;
  const reference = checkId(a['reference'], 'reference');
  const captureId = checkId(a['capture_id'], 'capture_id');
  const currency = a['currency'];
  if (typeof currency !== 'string' || currency.length !== 3) throw validationError(`currency must be an ISO 4217 code such as "USD", got ${pyRepr(currency)}.`);
  const rawFee = a['fee'];
  if (typeof rawFee !== 'string') throw validationError(`fee must be a decimal string such as "10.00", got ${pyRepr(rawFee)}.`);
  const parsedFee = toMinorUnits(rawFee, isKnownCurrency(currency) ? currency : 'USD');
  if (!parsedFee) throw validationError(`fee is not a decimal number: ${pyRepr(rawFee)}.`);
  if (parsedFee.negative || !/[1-9]/.test(rawFee)) throw validationError(`fee must be greater than zero, got ${pyRepr(rawFee)}.`);

  const tx = db.transactions.find((t) => t.reference === reference && isPayPal(db, t));
  if (!tx) throw missingError(`No PayPal transaction with reference ${reference}.`);
  if (tx.paypal_capture_id !== captureId) {
    throw validationError(`PayPal capture ${captureId} is not the capture of ${reference} (it holds ${tx.paypal_capture_id ?? 'none'}).`);
  }
  if (tx.state !== 'done') throw missingError(`The PayPal capture of ${reference} is not confirmed in Odoo yet; book the capture before its fee.`);
  if (currency !== tx.currency) {
    bridge.flag(tx, `PayPal fee of capture ${captureId} is in ${currency}, the payment in ${tx.currency}; nothing booked.`);
    return { result: 'mismatch', move_id: false, fee_booked: false, tx: bridge.txInfo(tx) };
  }
  if (!parsedFee.exact) throw validationError(`fee ${rawFee} has more decimals than ${currency} allows.`);
  const state = reconcileStateOf(db);
  if (!state.feeAccount) {
    throw userError('PayPal Bridge: set the PayPal Fee Account on the PayPal provider (tab PayPal Bridge) before fees can be booked.');
  }
  const fee = parsedFee.minor;
  const existing = state.feeMoves.get(captureId);
  if (existing && existing.state === 'posted') {
    const booked = formatDecimal(existing.amount, existing.currency);
    if (existing.amount === fee) return { result: 'unchanged', move_id: existing.id, fee_booked: booked, tx: bridge.txInfo(tx) };
    bridge.flag(tx, `PayPal fee of capture ${captureId} reads ${rawFee} ${currency}; Odoo booked ${booked}.`);
    return { result: 'mismatch', move_id: existing.id, fee_booked: booked, tx: bridge.txInfo(tx) };
  }
  const move: SimFeeMove = { id: db.nextId('account.move'), captureId, transactionId: tx.id, amount: fee, currency, state: 'posted' };
  state.feeMoves.set(captureId, move);
  if (tx.paypal_fee === undefined || tx.paypal_fee === 0n) tx.paypal_fee = fee;
  return { result: 'applied', move_id: move.id, fee_booked: formatDecimal(fee, currency), tx: bridge.txInfo(tx) };
}

// === paypal_bridge_repost_payment ================================================================

const POSTED = new Set(['in_process', 'paid']);

/** account_payment `_create_payment`: a posted payment of |amount|, linked both ways. */
function createPayment(db: SimDatabase, tx: SimTransaction, now: Date): SimPayment {
  const partner = db.partner(tx.partner_id);
  const id = db.nextId('account.payment');
  const payment: SimPayment = {
    id,
    name: `PBNK1/${now.getUTCFullYear()}/${String(id).padStart(5, '0')}`,
    amount: abs(tx.amount),
    currency: tx.currency,
    payment_type: tx.amount > 0n ? 'inbound' : 'outbound',
    state: 'in_process',
    memo: `${tx.reference} - ${partner?.name ?? ''} - ${tx.paypal_capture_id ?? tx.paypal_refund_id ?? ''}`,
    partner_id: tx.partner_id,
    payment_transaction_id: tx.id,
  };
  db.payments.push(payment);
  tx.payment_id = id;
  return payment;
}

function repostPayment(bridge: BridgeEntryPoints, a: Record<string, unknown>) {
  const db = bridge.db;
  const reference = checkId(a['reference'], 'reference');
  const tx = db.transactions.find((t) => t.reference === reference && isPayPal(db, t));
  if (!tx) throw missingError(`No PayPal transaction with reference ${reference}.`);
  if (tx.paypal_capture_id === undefined && tx.paypal_refund_id === undefined) {
    throw validationError(`${reference} holds no PayPal capture or refund: it has no PayPal money to book.`);
  }
  if (tx.state !== 'done') throw missingError(`${reference} is ${tx.state}, not done: Odoo books a payment once the transaction is confirmed.`);
  const current = tx.payment_id === undefined ? undefined : paymentById(db, tx.payment_id);
  if (current && POSTED.has(current.state)) return { result: 'unchanged', payment_id: current.id, payment_state: current.state, tx: bridge.txInfo(tx) };
  const before = current ? (current.state === 'draft' ? 'in draft' : current.state) : 'deleted';
  let payment: SimPayment;
  if (current && current.state === 'draft') {
    current.state = 'in_process';
    payment = current;
  } else {
    payment = createPayment(db, tx, bridge.now());
  }
  const note = `PayPal Bridge reconciliation: the payment of ${tx.reference} was ${before} although PayPal holds the money; ${payment.name} is posted.`;
  for (const id of tx.sale_order_ids) db.order(id)?.messages.push(note);
  return { result: 'applied', payment_id: payment.id, payment_state: payment.state, tx: bridge.txInfo(tx) };
}

// === paypal_bridge_import_ledger =================================================================
// The addon books statement lines and reconciles them with payments (Odoo's accounting, tested on
// the real Odoo); the simulator keeps which lines exist and which payment each is matched with, and
// answers what the addon answers.

const LEDGER_KEYS = new Set(['id', 'event_code', 'date', 'amount', 'fee', 'currency', 'reference', 'note']);

interface LedgerInput {
  id: string;
  amount: bigint;
  fee: bigint;
  currency: string;
}

function signedAmount(value: unknown, label: string, currency: string): bigint {
  if (typeof value !== 'string' || !/^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    throw validationError(`${label} must be a signed decimal string such as "-3.49", got ${pyRepr(value)}.`);
  }
  const parsed = toMinorUnits(value, currency);
  if (!parsed?.exact) throw validationError(`${label} ${value.trim()} has more decimals than ${currency} allows.`);
  return parsed.negative ? -parsed.minor : parsed.minor;
}

function checkLedgerRecord(raw: unknown, index: number): LedgerInput {
  const where = `records[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw validationError(`${where} must be an object.`);
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !LEDGER_KEYS.has(k)).sort();
  if (unknown.length) throw validationError(`${where} has unknown keys: ${unknown.join(', ')}.`);
  const id = checkId(r['id'], `${where}.id`);
  const code = r['event_code'];
  if (typeof code !== 'string' || !/^T\d{4}$/.test(code)) throw validationError(`${where}.event_code must be a PayPal event code such as "T0006", got ${pyRepr(code)}.`);
  const date = r['date'];
  if (typeof date !== 'string' || Number.isNaN(Date.parse(date))) throw validationError(`${where}.date is not an ISO 8601 date-time: ${pyRepr(date)}.`);
  const currency = r['currency'];
  if (typeof currency !== 'string' || currency.length !== 3) throw validationError(`currency must be an ISO 4217 code such as "USD", got ${pyRepr(currency)}.`);
  if (!isKnownCurrency(currency)) throw validationError(`${where}.currency ${currency} is not a currency Odoo knows.`);
  return { id, amount: signedAmount(r['amount'], `${where}.amount`, currency), fee: signedAmount(r['fee'] ?? '0', `${where}.fee`, currency), currency };
}

function importLedger(bridge: BridgeEntryPoints, a: Record<string, unknown>) {
  const db = bridge.db;
  const records = a['records'];
  if (!Array.isArray(records) || records.length === 0) throw validationError('records must be a non-empty list of PayPal ledger records.');
  if (records.length > 500) throw validationError(`At most 500 records per call, got ${records.length}.`);
  const checked = records.map((r, i) => checkLedgerRecord(r, i));
  const state = reconcileStateOf(db);
  const matchedPayments = new Set([...state.ledgerLines.values()].map((l) => l.paymentId).filter((id) => id !== undefined));
  return {
    results: checked.map((r) => {
      const tx =
        db.transactions.find((t) => isPayPal(db, t) && (r.amount >= 0n ? t.paypal_capture_id === r.id : t.paypal_refund_id === r.id)) ??
        db.transactions.find((t) => isPayPal(db, t) && (t.paypal_capture_id === r.id || t.paypal_refund_id === r.id));
      const answer = { id: r.id, line_id: false as number | false, result: 'unchanged', matched: false, transaction: tx?.reference ?? false, reason: false as string | false, fee_line_id: false as number | false };
      let line = state.ledgerLines.get(`tx:${r.id}`);
      if (!line && r.amount !== 0n) {
        line = { id: db.nextId('account.bank.statement.line'), key: `tx:${r.id}`, amount: r.amount, currency: r.currency, paymentId: undefined };
        state.ledgerLines.set(line.key, line);
        answer.result = 'created';
      }
      if (line) {
        answer.line_id = line.id;
        const payment = tx?.payment_id === undefined ? undefined : paymentById(db, tx.payment_id);
        if (line.paymentId !== undefined && paymentById(db, line.paymentId) && POSTED.has(paymentById(db, line.paymentId)!.state)) answer.matched = true;
        else if (!tx) answer.reason = 'No Odoo transaction holds this PayPal transaction: the money needs a person.';
        else if (!payment || !POSTED.has(payment.state)) answer.reason = `${tx.reference} has no posted payment (${payment?.state ?? 'none'}).`;
        else if (matchedPayments.has(payment.id)) answer.reason = `The payment ${payment.name} is already matched with another line.`;
        else if (payment.amount !== abs(r.amount) || payment.currency !== r.currency) answer.reason = `The amount differs from the payment ${payment.name} (${formatDecimal(payment.amount, payment.currency)}).`;
        else {
          line.paymentId = payment.id;
          matchedPayments.add(payment.id);
          payment.state = 'paid';
          answer.matched = true;
        }
      }
      if (r.fee !== 0n) {
        if (tx && state.feeAccount && r.fee < 0n && tx.paypal_capture_id === r.id) {
          const booked = bookFee(bridge, { reference: tx.reference, fee: formatDecimal(-r.fee, r.currency), currency: r.currency, capture_id: r.id });
          answer.fee_line_id = booked.result !== 'mismatch' && typeof booked.move_id === 'number' ? booked.move_id : false;
        } else if (tx && state.feeAccount) {
          const key = `fee:${r.id}`;
          let fee = state.ledgerLines.get(key);
          if (!fee) {
            fee = { id: db.nextId('account.bank.statement.line'), key, amount: r.fee, currency: r.currency, paymentId: undefined };
            state.ledgerLines.set(key, fee);
          }
          answer.fee_line_id = fee.id;
        }
        if (answer.fee_line_id === false && answer.reason === false) answer.reason = `PayPal's fee of ${r.id} is left for a person: no Odoo payment to book it with.`;
      }
      return answer;
    }),
  };
}

export const RECONCILE_ENTRY_POINTS: Record<string, EntryPoint> = {
  paypal_bridge_reconcile_data: {
    params: [
      { name: 'date_from' },
      { name: 'date_to' },
      { name: 'after_id', default: 0 },
      { name: 'limit', default: 1000 },
      { name: 'capture_ids' },
      { name: 'refund_ids' },
      { name: 'references' },
      { name: 'order_names' },
    ],
    run: (b, a) => reconcileData(b, a),
  },
  paypal_bridge_book_fee: {
    params: [{ name: 'reference' }, { name: 'fee' }, { name: 'currency' }, { name: 'capture_id' }],
    run: (b, a) => bookFee(b, a),
  },
  paypal_bridge_repost_payment: { params: [{ name: 'reference' }], run: (b, a) => repostPayment(b, a) },
  paypal_bridge_import_ledger: { params: [{ name: 'records' }], run: (b, a) => importLedger(b, a) },
};

/** The statement lines paypal_bridge_import_ledger booked (tests, demo). */
export function ledgerLines(db: SimDatabase): SimLedgerLine[] {
  return [...reconcileStateOf(db).ledgerLines.values()];
}

// === fixtures for tests and benchmarks ===========================================================

/** What one seeded payment needs (the PayPal simulator's SeededPayment fits). Amounts as decimal strings. */
export interface ReconcileSeed {
  captureId: string;
  reference: string;
  currency: string;
  amount: string;
  fee: string;
  at: Date;
  refund?: { refundId: string; amount: string; at: Date };
}

function minor(value: string, currency: string): bigint {
  const parsed = toMinorUnits(value, currency);
  if (!parsed || !parsed.exact || parsed.negative) throw new Error(`"${value}" is not a ${currency} amount`);
  return parsed.minor;
}

/**
 * Books payments straight into the simulated database, as the bridge would have: a done
 * transaction per capture (with its fee, and its fee entry when `feesBooked`), a done refund child
 * per refund, each with its posted account.payment. No sale order: the reconciliation matches by
 * PayPal ids.
 */
export function seedReconcileTransactions(db: SimDatabase, seeds: readonly ReconcileSeed[], options: { feesBooked?: boolean } = {}): void {
  const provider = db.paypalProvider();
  const partnerId = db.nextId('res.partner');
  db.partners.push({ id: partnerId, name: 'Seeded customer', email: undefined, paypal_payer_id: undefined });
  const state = reconcileStateOf(db);
  const known = new Set(db.transactions.map((t) => t.reference));
  for (const seed of seeds) {
    if (known.has(seed.reference)) throw new Error(`A transaction with reference ${seed.reference} exists already (reference_uniq)`);
    known.add(seed.reference);
    const fee = minor(seed.fee, seed.currency);
    const capture: SimTransaction = {
      ...blankPayPalFields(),
      id: db.nextId('payment.transaction'),
      reference: seed.reference,
      provider_id: provider.id,
      amount: minor(seed.amount, seed.currency),
      currency: seed.currency,
      state: 'done',
      state_message: undefined,
      last_state_change: seed.at,
      operation: 'online_redirect',
      source_transaction_id: undefined,
      partner_id: partnerId,
      sale_order_ids: [],
      payment_id: undefined,
      is_post_processed: true,
      provider_reference: seed.captureId,
      paypal_capture_id: seed.captureId,
      paypal_fee: fee,
    };
    db.transactions.push(capture);
    createPayment(db, capture, seed.at);
    if (options.feesBooked && fee > 0n) {
      state.feeMoves.set(seed.captureId, { id: db.nextId('account.move'), captureId: seed.captureId, transactionId: capture.id, amount: fee, currency: seed.currency, state: 'posted' });
    }
    if (seed.refund) {
      const refundMinor = minor(seed.refund.amount, seed.currency);
      const refund: SimTransaction = {
        ...blankPayPalFields(),
        id: db.nextId('payment.transaction'),
        reference: `R-${seed.reference}`,
        provider_id: provider.id,
        amount: -refundMinor,
        currency: seed.currency,
        state: 'done',
        state_message: undefined,
        last_state_change: seed.refund.at,
        operation: 'refund',
        source_transaction_id: capture.id,
        partner_id: partnerId,
        sale_order_ids: [],
        payment_id: undefined,
        is_post_processed: true,
        provider_reference: seed.refund.refundId,
        paypal_refund_id: seed.refund.refundId,
      };
      db.transactions.push(refund);
      createPayment(db, refund, seed.refund.at);
      capture.paypal_refund_status = refundMinor >= capture.amount ? 'refunded' : 'partially_refunded';
    }
  }
}

/** Sets or clears the PayPal provider's fee account. */
export function setFeeAccount(db: SimDatabase, configured: boolean): void {
  reconcileStateOf(db).feeAccount = configured;
}

/** The fee entries booked so far, for assertions. */
export function feeMoves(db: SimDatabase): SimFeeMove[] {
  return [...reconcileStateOf(db).feeMoves.values()];
}
