// Reading PayPal transactions through Odoo's ORM, the system of record: the list's pages (one
// search_read and one search_count, sent together) and one transaction's detail (its refunds and
// partial captures are its child transactions; its dispute is a paypal.dispute). Also what is
// left to refund or capture, computed as the service and Odoo's module compute it.
import { orderClause, transactionDomain, type SortField, type TxFilters, type TxState } from './domain.ts';
import { toMinor } from './money.ts';

/** A domain in Odoo's list form. */
export type OrmDomain = readonly (string | readonly [string, string, unknown])[];

/**
 * What these readers need of Odoo's orm service (whose signatures types/odoo.d.ts declares):
 * declared here so that the benchmark can run this module in Node with an orm of its own.
 */
export interface OrmReader {
  read<T>(model: string, ids: number[], fields: string[]): Promise<T[]>;
  searchRead<T>(model: string, domain: OrmDomain, fields: string[], kwargs?: { offset?: number; limit?: number; order?: string }): Promise<T[]>;
  searchCount(model: string, domain: OrmDomain): Promise<number>;
}

type Many2one = [number, string] | false;

export const PAGE_SIZE = 80;

export const LIST_FIELDS = [
  'reference',
  'last_state_change',
  'partner_id',
  'amount',
  'currency_id',
  'state',
  'operation',
  'paypal_order_id',
  'paypal_capture_id',
  'paypal_refund_status',
  'paypal_needs_review',
  'source_transaction_id',
] as const;

export interface TxRow {
  id: number;
  reference: string;
  last_state_change: string | false;
  partner_id: Many2one;
  amount: number;
  currency_id: Many2one;
  state: TxState;
  operation: string | false;
  paypal_order_id: string | false;
  paypal_capture_id: string | false;
  paypal_refund_status: 'none' | 'partially_refunded' | 'refunded';
  paypal_needs_review: boolean;
  source_transaction_id: Many2one;
}

export const DETAIL_FIELDS = [
  ...LIST_FIELDS,
  'state_message',
  'paypal_fee',
  'paypal_net_amount',
  'paypal_authorization_id',
  'paypal_authorization_expiry',
  'paypal_refund_id',
  'paypal_payer_id',
  'paypal_payer_email',
  'paypal_status_detail',
  'paypal_review_reason',
  'sale_order_ids',
] as const;

export interface TxDetailRecord extends TxRow {
  state_message: string | false;
  paypal_fee: number;
  paypal_net_amount: number;
  paypal_authorization_id: string | false;
  paypal_authorization_expiry: string | false;
  paypal_refund_id: string | false;
  paypal_payer_id: string | false;
  paypal_payer_email: string | false;
  paypal_status_detail: string | false;
  paypal_review_reason: string | false;
  sale_order_ids: number[];
}

const CHILD_FIELDS = ['reference', 'operation', 'state', 'amount', 'currency_id', 'last_state_change', 'paypal_capture_id', 'paypal_refund_id', 'source_transaction_id'] as const;

export interface TxChild {
  id: number;
  reference: string;
  operation: string | false;
  state: TxState;
  amount: number;
  currency_id: Many2one;
  last_state_change: string | false;
  paypal_capture_id: string | false;
  paypal_refund_id: string | false;
  source_transaction_id: Many2one;
}

const DISPUTE_FIELDS = ['dispute_id', 'status', 'reason', 'stage', 'amount', 'currency_id', 'seller_response_due_date', 'outcome', 'transaction_id', 'sale_order_id', 'partner_id'] as const;

export interface DisputeRecord {
  id: number;
  dispute_id: string;
  status: string | false;
  reason: string | false;
  stage: string | false;
  amount: number;
  currency_id: Many2one;
  seller_response_due_date: string | false;
  outcome: string | false;
  transaction_id: Many2one;
  sale_order_id: Many2one;
  partner_id: Many2one;
}

export interface TxDetail {
  tx: TxDetailRecord;
  currency: string;
  /** Refunds and reversals of this transaction's own capture (newest first). */
  refunds: TxChild[];
  /** Partial captures of this transaction's authorization, and what voided the rest. */
  captures: TxChild[];
  disputes: DisputeRecord[];
  saleOrders: { id: number; name: string }[];
  /** Minor units PayPal may still refund (0 when the transaction cannot be refunded). */
  refundable: number;
  /** Minor units PayPal may still capture (0 when it holds no open authorization). */
  capturable: number;
}

export interface ListQuery {
  filters: TxFilters;
  offset: number;
  sort: SortField;
  ascending: boolean;
}

export function currencyOf(record: { currency_id: Many2one }): string {
  return record.currency_id ? record.currency_id[1] : '';
}

/** One page of the list and the number of matching transactions, in one round trip. */
export async function loadTransactionPage(orm: OrmReader, query: ListQuery): Promise<{ records: TxRow[]; count: number }> {
  const domain: OrmDomain = transactionDomain(query.filters);
  const [records, count] = await Promise.all([
    orm.searchRead<TxRow>('payment.transaction', domain, [...LIST_FIELDS], { offset: query.offset, limit: PAGE_SIZE, order: orderClause(query.sort, query.ascending) }),
    orm.searchCount('payment.transaction', domain),
  ]);
  return { records, count };
}

/** Refund and capture children that still count: a cancelled or failed one moved no money. */
function counts(child: TxChild): boolean {
  return child.state !== 'cancel' && child.state !== 'error';
}

export function refundableMinor(tx: TxDetailRecord, refunds: readonly TxChild[]): number {
  const currency = currencyOf(tx);
  if (tx.operation === 'refund' || tx.state !== 'done' || !tx.paypal_capture_id) return 0;
  const refunded = refunds.filter(counts).reduce((sum, r) => sum + Math.abs(toMinor(r.amount, currency)), 0);
  return Math.max(0, toMinor(tx.amount, currency) - refunded);
}

export function capturableMinor(tx: TxDetailRecord, captures: readonly TxChild[]): number {
  const currency = currencyOf(tx);
  if (tx.state !== 'authorized' || !tx.paypal_authorization_id) return 0;
  const captured = captures.filter(counts).reduce((sum, c) => sum + toMinor(c.amount, currency), 0);
  return Math.max(0, toMinor(tx.amount, currency) - captured);
}

/** The transaction with its refunds, partial captures, disputes and sale orders. */
export async function loadTransactionDetail(orm: OrmReader, id: number): Promise<TxDetail> {
  const [[tx], children] = await Promise.all([
    orm.read<TxDetailRecord>('payment.transaction', [id], [...DETAIL_FIELDS]),
    orm.searchRead<TxChild>('payment.transaction', [['source_transaction_id', 'in', [id]]], [...CHILD_FIELDS], { order: 'id desc' }),
  ]);
  if (!tx) throw new Error(`payment.transaction ${id} was not found`);
  const related = [id, ...children.map((c) => c.id)];
  const [disputes, saleOrders] = await Promise.all([
    orm.searchRead<DisputeRecord>('paypal.dispute', [['transaction_id', 'in', related]], [...DISPUTE_FIELDS], { order: 'seller_response_due_date asc, id desc' }),
    tx.sale_order_ids.length ? orm.read<{ id: number; name: string }>('sale.order', tx.sale_order_ids, ['name']) : Promise.resolve([]),
  ]);
  const refunds = children.filter((c) => c.operation === 'refund');
  const captures = children.filter((c) => c.operation !== 'refund');
  return {
    tx,
    currency: currencyOf(tx),
    refunds,
    captures,
    disputes,
    saleOrders,
    refundable: refundableMinor(tx, refunds),
    capturable: capturableMinor(tx, captures),
  };
}

/** Disputes, the nearest seller response deadline first (those without one last). */
export async function loadDisputes(orm: OrmReader, includeResolved: boolean): Promise<DisputeRecord[]> {
  const domain: OrmDomain = includeResolved ? [] : [['status', '!=', 'RESOLVED']];
  const disputes = await orm.searchRead<DisputeRecord>('paypal.dispute', domain, [...DISPUTE_FIELDS], { order: 'seller_response_due_date asc, id desc', limit: 200 });
  // PostgreSQL already puts NULLs last in ascending order; keep that whatever the server does.
  return [...disputes].sort((a, b) => {
    if (a.seller_response_due_date === b.seller_response_due_date) return 0;
    if (!a.seller_response_due_date) return 1;
    if (!b.seller_response_due_date) return -1;
    return a.seller_response_due_date < b.seller_response_due_date ? -1 : 1;
  });
}
