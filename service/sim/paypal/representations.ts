// PayPal's JSON for each resource, built from the simulator's records. Shapes follow the OpenAPI
// schemas: `order` (Orders v2), `capture-2`, `refund`, `authorization-2` (Payments v2), `dispute` and
// `dispute_info` (Disputes v1), `webhook` (Webhooks v1). HATEOAS links point at the simulator.
import { money } from './money.ts';
import type { AuthorizationRecord, CaptureRecord, DisputeRecord, Link, OrderRecord, RefundRecord, SimContext, WebhookRecord } from './state.ts';

type Json = Record<string, unknown>;

function link(ctx: SimContext, path: string, rel: string, method = 'GET'): Link {
  return { href: `${ctx.apiBase()}${path}`, rel, method };
}

const SELLER_PROTECTION = { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] };

function optional<T>(key: string, value: T | undefined): Json {
  return value === undefined ? {} : { [key]: value };
}

/**
 * A capture. `embedded` is the form inside an order's `purchase_units[].payments.captures[]`
 * (schema `capture`), otherwise the Payments API form (`capture-2`, which adds `payee`).
 */
export function captureJson(ctx: SimContext, c: CaptureRecord, embedded = false): Json {
  const settled = c.status === 'COMPLETED' || c.status === 'PARTIALLY_REFUNDED' || c.status === 'REFUNDED';
  const refundable = c.status === 'COMPLETED' || c.status === 'PARTIALLY_REFUNDED';
  return {
    id: c.id,
    status: c.status,
    ...optional('status_details', c.statusReason ? { reason: c.statusReason } : undefined),
    amount: money(c.amountMinor, c.currency),
    final_capture: c.finalCapture,
    seller_protection: SELLER_PROTECTION,
    // "This is not available for transactions that are in pending state."
    ...optional(
      'seller_receivable_breakdown',
      settled
        ? { gross_amount: money(c.amountMinor, c.currency), paypal_fee: money(c.feeMinor, c.currency), net_amount: money(c.amountMinor - c.feeMinor, c.currency) }
        : undefined,
    ),
    ...optional('invoice_id', c.invoiceId),
    ...optional('custom_id', c.customId),
    supplementary_data: { related_ids: { order_id: c.orderId, ...optional('authorization_id', c.authorizationId) } },
    ...(embedded ? {} : { payee: ctx.merchant }),
    links: [
      link(ctx, `/v2/payments/captures/${c.id}`, 'self'),
      ...(refundable ? [link(ctx, `/v2/payments/captures/${c.id}/refund`, 'refund', 'POST')] : []),
      c.authorizationId ? link(ctx, `/v2/payments/authorizations/${c.authorizationId}`, 'up') : link(ctx, `/v2/checkout/orders/${c.orderId}`, 'up'),
    ],
    create_time: c.createTime,
    update_time: c.updateTime,
  };
}

export function refundJson(ctx: SimContext, r: RefundRecord): Json {
  return {
    id: r.id,
    status: r.status,
    amount: money(r.amountMinor, r.currency),
    ...optional('invoice_id', r.invoiceId),
    ...optional('custom_id', r.customId),
    ...optional('note_to_payer', r.noteToPayer),
    seller_payable_breakdown: {
      gross_amount: money(r.amountMinor, r.currency),
      paypal_fee: money(r.feeMinor, r.currency),
      net_amount: money(r.amountMinor - r.feeMinor, r.currency),
      total_refunded_amount: money(r.totalRefundedMinor, r.currency),
    },
    // The refund schema names the merchant block `payer` ("The details associated with the merchant").
    payer: ctx.merchant,
    links: [link(ctx, `/v2/payments/refunds/${r.id}`, 'self'), link(ctx, `/v2/payments/captures/${r.captureId}`, 'up')],
    create_time: r.createTime,
    update_time: r.updateTime,
  };
}

/** An authorization; `embedded` is the form inside an order (`authorization_with_additional_data`). */
export function authorizationJson(ctx: SimContext, a: AuthorizationRecord, embedded = false): Json {
  const open = a.status === 'CREATED' || a.status === 'PARTIALLY_CAPTURED';
  return {
    id: a.id,
    status: a.status,
    amount: money(a.amountMinor, a.currency),
    ...optional('invoice_id', a.invoiceId),
    ...optional('custom_id', a.customId),
    seller_protection: SELLER_PROTECTION,
    expiration_time: a.expirationTime,
    supplementary_data: { related_ids: { order_id: a.orderId } },
    ...(embedded ? {} : { payee: ctx.merchant }),
    links: [
      link(ctx, `/v2/payments/authorizations/${a.id}`, 'self'),
      ...(open
        ? [
            link(ctx, `/v2/payments/authorizations/${a.id}/capture`, 'capture', 'POST'),
            link(ctx, `/v2/payments/authorizations/${a.id}/void`, 'void', 'POST'),
            link(ctx, `/v2/payments/authorizations/${a.id}/reauthorize`, 'reauthorize', 'POST'),
          ]
        : []),
      link(ctx, `/v2/checkout/orders/${a.orderId}`, 'up'),
    ],
    create_time: a.createTime,
    update_time: a.updateTime,
  };
}

function orderLinks(ctx: SimContext, o: OrderRecord): Link[] {
  const self = link(ctx, `/v2/checkout/orders/${o.id}`, 'self');
  if (o.status === 'COMPLETED' || o.status === 'VOIDED') return [self];
  const action = o.intent === 'CAPTURE' ? 'capture' : 'authorize';
  return [
    self,
    ...(o.status === 'CREATED' ? [link(ctx, `/checkoutnow?token=${o.id}`, 'approve')] : []),
    link(ctx, `/v2/checkout/orders/${o.id}`, 'update', 'PATCH'),
    link(ctx, `/v2/checkout/orders/${o.id}/${action}`, action, 'POST'),
  ];
}

function payments(ctx: SimContext, o: OrderRecord, index: number): Json | undefined {
  const unit = o.purchaseUnits[index];
  if (!unit) return undefined;
  const captures = unit.captureIds.map((id) => ctx.state.captures.get(id)).filter((c): c is CaptureRecord => c !== undefined);
  const authorizations = unit.authorizationIds.map((id) => ctx.state.authorizations.get(id)).filter((a): a is AuthorizationRecord => a !== undefined);
  const refunds = captures.flatMap((c) => c.refundIds.map((id) => ctx.state.refunds.get(id)).filter((r): r is RefundRecord => r !== undefined));
  if (captures.length === 0 && authorizations.length === 0) return undefined;
  return {
    ...(authorizations.length > 0 ? { authorizations: authorizations.map((a) => authorizationJson(ctx, a, true)) } : {}),
    ...(captures.length > 0 ? { captures: captures.map((c) => captureJson(ctx, c, true)) } : {}),
    ...(refunds.length > 0 ? { refunds: refunds.map((r) => refundJson(ctx, r)) } : {}),
  };
}

function payerParts(o: OrderRecord): Json {
  if (!o.payer) return {};
  const p = o.payer;
  return {
    payment_source: { paypal: { email_address: p.email_address, account_id: p.payer_id, account_status: 'VERIFIED', name: p.name, address: p.address } },
    payer: { name: p.name, email_address: p.email_address, payer_id: p.payer_id, address: p.address },
  };
}

export type OrderView = 'full' | 'minimal' | 'payments';

/**
 * An order. `minimal` is what `Prefer: return=minimal` gets on create (id, status, links);
 * `payments` is the minimal answer of capture/authorize (payer, payment source, and each purchase
 * unit's payments); `full` is the complete representation.
 */
export function orderJson(ctx: SimContext, o: OrderRecord, view: OrderView): Json {
  const links = orderLinks(ctx, o);
  if (view === 'minimal') return { id: o.id, status: o.status, links };
  if (view === 'payments') {
    return {
      id: o.id,
      status: o.status,
      ...payerParts(o),
      purchase_units: o.purchaseUnits.map((u, i) => ({ reference_id: u.referenceId, ...optional('payments', payments(ctx, o, i)) })),
      links,
    };
  }
  return {
    id: o.id,
    intent: o.intent,
    status: o.status,
    ...payerParts(o),
    purchase_units: o.purchaseUnits.map((u, i) => ({
      ...u.request,
      reference_id: u.referenceId,
      amount: u.request['amount'],
      payee: ctx.merchant,
      ...optional('payments', payments(ctx, o, i)),
    })),
    create_time: o.createTime,
    update_time: o.updateTime,
    links,
  };
}

const DISPUTE_STATE: Record<DisputeRecord['status'], string> = {
  OPEN: 'OPEN_INQUIRIES',
  WAITING_FOR_BUYER_RESPONSE: 'REQUIRED_OTHER_PARTY_ACTION',
  WAITING_FOR_SELLER_RESPONSE: 'REQUIRED_ACTION',
  UNDER_REVIEW: 'UNDER_PAYPAL_REVIEW',
  RESOLVED: 'RESOLVED',
  OTHER: 'OPEN_INQUIRIES',
};

export function disputeState(d: DisputeRecord): string {
  return DISPUTE_STATE[d.status];
}

// `transaction_info.invoice_number` only admits these characters; an invoice id with others (an
// Odoo name such as "INV/2024/0001") is left out rather than sent in a shape the document forbids.
const INVOICE_NUMBER = /^[A-Za-z0-9:\-|]{1,127}$/;

function disputedTransaction(ctx: SimContext, d: DisputeRecord): Json {
  const capture = ctx.state.captures.get(d.captureId);
  const order = capture ? ctx.state.orders.get(capture.orderId) : undefined;
  const payer = order?.payer;
  return {
    seller_transaction_id: d.captureId,
    ...(capture
      ? {
          create_time: capture.createTime,
          transaction_status: capture.status === 'DECLINED' ? 'DENIED' : capture.status,
          gross_amount: money(capture.amountMinor, capture.currency),
          ...optional('invoice_number', capture.invoiceId && INVOICE_NUMBER.test(capture.invoiceId) ? capture.invoiceId : undefined),
          ...optional('custom', capture.customId),
        }
      : {}),
    ...optional('buyer', payer ? { name: `${payer.name.given_name} ${payer.name.surname}` } : undefined),
    seller: { merchant_id: ctx.merchant.merchant_id, email: ctx.merchant.email_address },
  };
}

export function disputeJson(ctx: SimContext, d: DisputeRecord): Json {
  return {
    dispute_id: d.id,
    create_time: d.createTime,
    update_time: d.updateTime,
    disputed_transactions: [disputedTransaction(ctx, d)],
    reason: d.reason,
    status: d.status,
    dispute_amount: money(d.amountMinor, d.currency),
    ...optional(
      'dispute_outcome',
      d.outcome ? { outcome_code: d.outcome, ...optional('amount_refunded', d.refundedMinor !== undefined ? money(d.refundedMinor, d.currency) : undefined) } : undefined,
    ),
    dispute_life_cycle_stage: d.stage,
    dispute_channel: 'INTERNAL',
    ...optional('seller_response_due_date', d.status === 'WAITING_FOR_SELLER_RESPONSE' ? d.sellerResponseDueDate : undefined),
    links: [link(ctx, `/v1/customer/disputes/${d.id}`, 'self')],
  };
}

export function disputeInfoJson(ctx: SimContext, d: DisputeRecord): Json {
  return {
    dispute_id: d.id,
    create_time: d.createTime,
    update_time: d.updateTime,
    reason: d.reason,
    status: d.status,
    dispute_state: disputeState(d),
    dispute_amount: money(d.amountMinor, d.currency),
    dispute_life_cycle_stage: d.stage,
    dispute_channel: 'INTERNAL',
    ...optional('seller_response_due_date', d.status === 'WAITING_FOR_SELLER_RESPONSE' ? d.sellerResponseDueDate : undefined),
    links: [link(ctx, `/v1/customer/disputes/${d.id}`, 'self')],
  };
}

export function webhookJson(ctx: SimContext, w: WebhookRecord): Json {
  return {
    id: w.id,
    url: w.url,
    event_types: w.eventTypes.map((name) => ({ name })),
    links: [
      link(ctx, `/v1/notifications/webhooks/${w.id}`, 'self'),
      link(ctx, `/v1/notifications/webhooks/${w.id}`, 'update', 'PATCH'),
      link(ctx, `/v1/notifications/webhooks/${w.id}`, 'delete', 'DELETE'),
    ],
  };
}
