// The simulated Odoo's database: the records of the models the bridge touches, in memory, and
// how each record reads through the ORM (Odoo's `read` format: many2one → [id, display name] or
// false, x2many → ids, empty char → false, Monetary → float, Datetime → "YYYY-MM-DD HH:MM:SS").
import { currencyRecordId, formatDecimal, toFloat } from './money.ts';

export const SERVICE_GROUP = 'paypal_bridge.group_paypal_bridge_service';
export const MANAGER_GROUP = 'paypal_bridge.group_paypal_bridge_manager';
export const SYSTEM_GROUP = 'base.group_system';
export const INTERNAL_GROUP = 'base.group_user';
export const INVOICING_GROUP = 'account.group_account_invoice';

export type TxStateName = 'draft' | 'pending' | 'authorized' | 'done' | 'cancel' | 'error';
export type TxOperationName = 'online_redirect' | 'online_direct' | 'online_token' | 'validation' | 'offline' | 'refund';

export interface SimUser {
  id: number;
  login: string;
  name: string;
  /** undefined: no password login (the technical user). */
  password: string | undefined;
  apiKeys: string[];
  groups: Set<string>;
  active: boolean;
  /** Odoo's `share`: true for portal/public users. */
  share: boolean;
  partnerId: number;
}

export interface SimProvider {
  id: number;
  name: string;
  code: 'paypal';
  state: 'disabled' | 'enabled' | 'test';
  paypal_bridge_enabled: boolean;
  capture_manually: boolean;
  paypal_bridge_dispute_user_id: number | undefined;
}

export interface SimPartner {
  id: number;
  name: string;
  email: string | undefined;
  paypal_payer_id: string | undefined;
}

export type SaleOrderState = 'draft' | 'sent' | 'sale' | 'cancel';

export interface SimSaleOrder {
  id: number;
  name: string;
  state: SaleOrderState;
  amount_total: bigint;
  currency: string;
  partner_id: number;
  /** The salesperson. */
  user_id: number | undefined;
  /** Chatter, newest last (message_post bodies). */
  messages: string[];
}

export interface SimTransaction {
  id: number;
  reference: string;
  provider_id: number;
  /** Odoo's sign: negative for refunds. */
  amount: bigint;
  currency: string;
  state: TxStateName;
  state_message: string | undefined;
  last_state_change: Date;
  operation: TxOperationName;
  source_transaction_id: number | undefined;
  partner_id: number;
  sale_order_ids: number[];
  payment_id: number | undefined;
  is_post_processed: boolean;
  /** The provider's id of the payment (the bridge sets the capture, authorization or refund id). */
  provider_reference: string | undefined;
  paypal_order_id: string | undefined;
  paypal_capture_id: string | undefined;
  paypal_authorization_id: string | undefined;
  paypal_authorization_expiry: Date | undefined;
  paypal_refund_id: string | undefined;
  paypal_refund_status: 'none' | 'partially_refunded' | 'refunded';
  paypal_payer_id: string | undefined;
  paypal_payer_email: string | undefined;
  paypal_fee: bigint | undefined;
  paypal_net_amount: bigint | undefined;
  paypal_status_detail: string | undefined;
  paypal_needs_review: boolean;
  paypal_review_reason: string | undefined;
  paypal_last_event_id: string | undefined;
}

/** Odoo 18's account.payment states: a posted payment is `in_process` (or `paid` once matched). */
export type PaymentState = 'draft' | 'in_process' | 'paid' | 'canceled' | 'rejected';

export interface SimPayment {
  id: number;
  name: string;
  amount: bigint;
  currency: string;
  payment_type: 'inbound' | 'outbound';
  state: PaymentState;
  memo: string;
  partner_id: number;
  payment_transaction_id: number;
}

export interface SimDispute {
  id: number;
  dispute_id: string;
  name: string;
  status: string | undefined;
  reason: string | undefined;
  stage: string | undefined;
  amount: bigint | undefined;
  currency: string | undefined;
  seller_response_due_date: Date | undefined;
  outcome: string | undefined;
  capture_id: string | undefined;
  transaction_id: number | undefined;
  partner_id: number | undefined;
  /** The responsible user. */
  user_id: number | undefined;
  update_time: Date | undefined;
  last_event_id: string | undefined;
  /** Chatter, newest last. */
  messages: string[];
}

export interface SimActivity {
  id: number;
  res_model: string;
  res_id: number;
  user_id: number;
  /** YYYY-MM-DD */
  date_deadline: string;
  summary: string;
  note: string;
  activity_type: 'To-Do';
}

/** Odoo's Datetime string form (UTC, no zone): "2025-01-31 12:00:00". */
export function odooDatetime(value: Date | undefined): string | false {
  if (!value) return false;
  return value.toISOString().slice(0, 19).replace('T', ' ');
}

export class SimDatabase {
  readonly users: SimUser[] = [];
  readonly providers: SimProvider[] = [];
  readonly partners: SimPartner[] = [];
  readonly orders: SimSaleOrder[] = [];
  readonly transactions: SimTransaction[] = [];
  readonly payments: SimPayment[] = [];
  readonly disputes: SimDispute[] = [];
  readonly activities: SimActivity[] = [];
  private readonly sequences = new Map<string, number>();
  readonly companyCurrency = 'USD';

  nextId(model: string): number {
    const next = (this.sequences.get(model) ?? 0) + 1;
    this.sequences.set(model, next);
    return next;
  }

  user(id: number): SimUser | undefined {
    return this.users.find((u) => u.id === id);
  }
  partner(id: number): SimPartner | undefined {
    return this.partners.find((p) => p.id === id);
  }
  order(id: number): SimSaleOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }
  tx(id: number): SimTransaction | undefined {
    return this.transactions.find((t) => t.id === id);
  }
  payment(id: number): SimPayment | undefined {
    return this.payments.find((p) => p.id === id);
  }
  provider(id: number): SimProvider | undefined {
    return this.providers.find((p) => p.id === id);
  }
  paypalProvider(): SimProvider {
    const provider = this.providers.find((p) => p.code === 'paypal');
    if (!provider) throw new Error('the simulated database has no PayPal provider');
    return provider;
  }
  children(tx: SimTransaction): SimTransaction[] {
    return this.transactions.filter((t) => t.source_transaction_id === tx.id);
  }
  /** sale.order.transaction_ids: the transactions that name the order. */
  orderTransactions(order: SimSaleOrder): SimTransaction[] {
    return this.transactions.filter((t) => t.sale_order_ids.includes(order.id));
  }
}

// --- ORM read format ------------------------------------------------------------------------

type OdooValue = string | number | boolean | null | OdooValue[] | [number, string];
export type OdooRecord = Record<string, OdooValue> & { id: number };

function m2o(id: number | undefined, name: (id: number) => string | undefined): [number, string] | false {
  if (id === undefined) return false;
  return [id, name(id) ?? `#${id}`];
}

function str(value: string | undefined): string | false {
  return value === undefined || value === '' ? false : value;
}

/** The models the simulator serves over the ORM, each as a list of records in read format. */
export function readModel(db: SimDatabase, model: string): OdooRecord[] | undefined {
  const partnerName = (id: number) => db.partner(id)?.name;
  const userName = (id: number) => db.user(id)?.name;
  const txName = (id: number) => db.tx(id)?.reference;
  const orderName = (id: number) => db.order(id)?.name;
  const currencyId = (code: string): [number, string] => [currencyRecordId(code), code];
  switch (model) {
    case 'res.users':
      return db.users.map((u) => ({ id: u.id, login: u.login, name: u.name, active: u.active, share: u.share, partner_id: m2o(u.partnerId, partnerName) }));
    case 'res.partner':
      return db.partners.map((p) => ({ id: p.id, name: p.name, display_name: p.name, email: str(p.email), paypal_payer_id: str(p.paypal_payer_id) }));
    case 'payment.provider':
      return db.providers.map((p) => ({
        id: p.id,
        name: p.name,
        code: p.code,
        state: p.state,
        capture_manually: p.capture_manually,
        paypal_bridge_enabled: p.paypal_bridge_enabled,
        paypal_bridge_dispute_user_id: m2o(p.paypal_bridge_dispute_user_id, userName),
        support_refund: p.paypal_bridge_enabled ? 'partial' : 'none',
        support_manual_capture: p.paypal_bridge_enabled ? 'partial' : false,
      }));
    case 'sale.order':
      return db.orders.map((o) => ({
        id: o.id,
        name: o.name,
        display_name: o.name,
        state: o.state,
        amount_total: toFloat(o.amount_total, o.currency),
        currency_id: currencyId(o.currency),
        partner_id: m2o(o.partner_id, partnerName),
        user_id: m2o(o.user_id, userName),
        transaction_ids: db.orderTransactions(o).map((t) => t.id),
      }));
    case 'payment.transaction': {
      // Children and disputes grouped once: per-record scans would make a read of 10,000
      // transactions quadratic (the back office's benchmark reads that many).
      const group = (pairs: [number | undefined, number][]) => {
        const ids = new Map<number, number[]>();
        for (const [key, id] of pairs) if (key !== undefined) ids.set(key, [...(ids.get(key) ?? []), id]);
        return ids;
      };
      const childIds = group(db.transactions.map((c) => [c.source_transaction_id, c.id]));
      const disputeIds = group(db.disputes.map((d) => [d.transaction_id, d.id]));
      return db.transactions.map((t) => ({
        id: t.id,
        reference: t.reference,
        display_name: t.reference,
        provider_id: [t.provider_id, db.provider(t.provider_id)?.name ?? 'PayPal'],
        provider_code: 'paypal',
        amount: toFloat(t.amount, t.currency),
        currency_id: currencyId(t.currency),
        state: t.state,
        state_message: str(t.state_message),
        last_state_change: odooDatetime(t.last_state_change),
        operation: t.operation,
        source_transaction_id: m2o(t.source_transaction_id, txName),
        child_transaction_ids: childIds.get(t.id) ?? [],
        partner_id: m2o(t.partner_id, partnerName),
        sale_order_ids: [...t.sale_order_ids],
        payment_id: m2o(t.payment_id, (id) => db.payment(id)?.name),
        is_post_processed: t.is_post_processed,
        provider_reference: str(t.provider_reference),
        paypal_order_id: str(t.paypal_order_id),
        paypal_capture_id: str(t.paypal_capture_id),
        paypal_authorization_id: str(t.paypal_authorization_id),
        paypal_authorization_expiry: odooDatetime(t.paypal_authorization_expiry),
        paypal_refund_id: str(t.paypal_refund_id),
        paypal_refund_status: t.paypal_refund_status,
        paypal_payer_id: str(t.paypal_payer_id),
        paypal_payer_email: str(t.paypal_payer_email),
        paypal_fee: t.paypal_fee === undefined ? 0 : toFloat(t.paypal_fee, t.currency),
        paypal_net_amount: t.paypal_net_amount === undefined ? 0 : toFloat(t.paypal_net_amount, t.currency),
        paypal_status_detail: str(t.paypal_status_detail),
        paypal_needs_review: t.paypal_needs_review,
        paypal_review_reason: str(t.paypal_review_reason),
        paypal_last_event_id: str(t.paypal_last_event_id),
        paypal_dispute_ids: disputeIds.get(t.id) ?? [],
      }));
    }
    case 'account.payment':
      return db.payments.map((p) => ({
        id: p.id,
        name: p.name,
        display_name: p.name,
        amount: toFloat(p.amount, p.currency),
        currency_id: currencyId(p.currency),
        payment_type: p.payment_type,
        state: p.state,
        memo: p.memo,
        partner_id: m2o(p.partner_id, partnerName),
        payment_transaction_id: m2o(p.payment_transaction_id, txName),
      }));
    case 'paypal.dispute':
      return db.disputes.map((d) => ({
        id: d.id,
        dispute_id: d.dispute_id,
        name: d.name,
        display_name: d.name,
        status: str(d.status),
        reason: str(d.reason),
        stage: str(d.stage),
        amount: d.amount === undefined || d.currency === undefined ? 0 : toFloat(d.amount, d.currency),
        currency_id: d.currency === undefined ? false : currencyId(d.currency),
        seller_response_due_date: odooDatetime(d.seller_response_due_date),
        outcome: str(d.outcome),
        capture_id: str(d.capture_id),
        transaction_id: m2o(d.transaction_id, txName),
        sale_order_id: m2o(disputeOrderId(db, d), orderName),
        partner_id: m2o(d.partner_id, partnerName),
        user_id: m2o(d.user_id, userName),
        update_time: odooDatetime(d.update_time),
        last_event_id: str(d.last_event_id),
      }));
    case 'mail.activity':
      return db.activities.map((a) => ({
        id: a.id,
        res_model: a.res_model,
        res_id: a.res_id,
        user_id: m2o(a.user_id, userName),
        date_deadline: a.date_deadline,
        summary: a.summary,
        note: a.note,
        activity_type_id: [4, a.activity_type],
      }));
    default:
      return undefined;
  }
}

/** paypal.dispute.sale_order_id (computed): the transaction's order, or its source's. */
export function disputeOrderId(db: SimDatabase, dispute: SimDispute): number | undefined {
  const tx = dispute.transaction_id === undefined ? undefined : db.tx(dispute.transaction_id);
  if (!tx) return undefined;
  const source = tx.source_transaction_id === undefined ? undefined : db.tx(tx.source_transaction_id);
  return tx.sale_order_ids[0] ?? source?.sale_order_ids[0];
}

/** A snapshot of one transaction with amounts as decimal strings: for assertions and the demo. */
export function snapshotTx(db: SimDatabase, t: SimTransaction) {
  return {
    id: t.id,
    reference: t.reference,
    state: t.state,
    operation: t.operation,
    amount: formatDecimal(t.amount, t.currency),
    currency: t.currency,
    source_reference: t.source_transaction_id === undefined ? null : (db.tx(t.source_transaction_id)?.reference ?? null),
    sale_order_ids: [...t.sale_order_ids],
    payment_id: t.payment_id ?? null,
    is_post_processed: t.is_post_processed,
    paypal_order_id: t.paypal_order_id ?? null,
    paypal_capture_id: t.paypal_capture_id ?? null,
    paypal_authorization_id: t.paypal_authorization_id ?? null,
    paypal_refund_id: t.paypal_refund_id ?? null,
    paypal_refund_status: t.paypal_refund_status,
    paypal_payer_id: t.paypal_payer_id ?? null,
    paypal_status_detail: t.paypal_status_detail ?? null,
    paypal_needs_review: t.paypal_needs_review,
    paypal_review_reason: t.paypal_review_reason ?? null,
  };
}
