// The checkout API the shopper's browser calls (service/ARCHITECTURE.md, "Flows", flow 1). Every
// request carries the checkout token Odoo issued for one transaction; amounts and currencies are
// read from Odoo, never taken from the browser.
//
//   POST /v1/checkout/orders                  {reference}  → 201 {order_id, status}
//   POST /v1/checkout/orders/:orderId/capture {reference}  → 200 {status, order_status, capture_id?, authorization_id?, message}
import express, { type Request, type Response, type Router } from 'express';
import { requireToken, tokenOf } from '../auth/require-token.ts';
import { ApiError, apiErrorHandler } from '../http/api-errors.ts';
import { cors } from '../http/cors.ts';
import type { BridgeApi, TxInfo } from '../odoo/bridge-api.ts';
import { stableRequestId, type CreateOrderRequest, type PayPalClient, type PayPalOrder } from '../paypal/index.ts';
import { FinalError } from '../shared/errors.ts';
import { createAuditor, type AuditSink } from '../shared/audit.ts';
import type { Logger } from '../shared/logger.ts';
import type { PaymentSync } from '../sync/payment-sync.ts';

export interface CheckoutRouteOptions {
  paypal: PayPalClient;
  odoo: BridgeApi;
  sync: PaymentSync;
  logger: Logger;
  bridgeSecret: string;
  odooDb: string;
  allowedOrigins: readonly string[];
  audit?: AuditSink;
  clock?: () => Date;
}

const PAYABLE_STATES = new Set(['draft', 'pending']);
const MONEY_KEYS = ['amount', 'value', 'currency', 'currency_code', 'purchase_units', 'total'];

/** The body the browser may send: the transaction reference, nothing else. */
function referenceFrom(req: Request, res: Response): string {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'BAD_REQUEST', 'the body must be a JSON object {reference}');
  const record = body as Record<string, unknown>;
  const money = Object.keys(record).filter((k) => MONEY_KEYS.includes(k));
  if (money.length > 0) {
    throw new ApiError(400, 'BAD_REQUEST', `amounts are taken from Odoo only; the request must not carry ${money.join(', ')}`);
  }
  const extra = Object.keys(record).filter((k) => k !== 'reference');
  if (extra.length > 0) throw new ApiError(400, 'BAD_REQUEST', `unexpected field${extra.length > 1 ? 's' : ''}: ${extra.join(', ')}`);
  const reference = record['reference'];
  if (typeof reference !== 'string' || reference.length === 0 || reference.length > 128) throw new ApiError(400, 'BAD_REQUEST', 'reference is required');
  if (tokenOf(res).ref !== reference) {
    throw new ApiError(403, 'TOKEN_REFERENCE_MISMATCH', 'this checkout token was issued for another transaction');
  }
  return reference;
}

export function createCheckoutRouter(options: CheckoutRouteOptions): Router {
  const { paypal, odoo, sync } = options;
  const log = options.logger.child('checkout');
  const router = express.Router();
  const audit = createAuditor(options.audit, log, options.clock);

  router.use('/v1/checkout', cors(options.allowedOrigins));
  router.use(
    '/v1/checkout',
    express.json({ limit: '8kb', type: () => true }),
    requireToken({ secret: options.bridgeSecret, db: options.odooDb, types: ['checkout'], scope: 'checkout', ...(options.clock ? { clock: options.clock } : {}) }),
  );

  async function payableTransaction(reference: string): Promise<TxInfo> {
    const tx = await odoo.find({ reference });
    if (!tx) throw new ApiError(404, 'TRANSACTION_NOT_FOUND', `Odoo has no transaction ${reference}`);
    if (tx.provider_code !== 'paypal' || !tx.bridge_enabled) throw new ApiError(409, 'TRANSACTION_NOT_PAYABLE', `${reference} is not a PayPal Bridge transaction`);
    if (!PAYABLE_STATES.has(tx.state)) throw new ApiError(409, 'TRANSACTION_NOT_PAYABLE', `${reference} is ${tx.state === 'done' ? 'already paid' : tx.state}`);
    return tx;
  }

  /** 409: PayPal already holds this payment; Odoo is brought up to date from PayPal's order first. */
  async function answerAlreadyPaid(res: Response, reference: string, order: PayPalOrder): Promise<void> {
    const applied = await sync.applyOrder(order);
    await audit({ kind: 'checkout.order', subjects: [reference, order.id], eventId: null, outcome: 'ok', summary: `PayPal order ${order.id} is already completed: booked in Odoo (${applied.outcome}); no new order` });
    log.warn('checkout asked for an order that PayPal already completed; booked it instead', { reference, orderId: order.id, outcome: applied.outcome });
    res.status(409).json({
      error: 'ALREADY_PAID',
      message: 'PayPal already holds a payment for this transaction; Odoo has been updated. Reload the page to see it.',
      order_id: order.id,
      status: applied.state ?? null,
    });
  }

  router.post('/v1/checkout/orders', async (req, res) => {
    const reference = referenceFrom(req, res);
    const tx = await payableTransaction(reference);
    const intent = tx.capture_manually ? 'AUTHORIZE' : 'CAPTURE';
    const invoiceId = tx.sale_order_names[0] ?? reference;
    const body: CreateOrderRequest = {
      intent,
      purchase_units: [
        {
          reference_id: reference,
          custom_id: reference,
          invoice_id: invoiceId,
          description: invoiceId.slice(0, 127),
          amount: { currency_code: tx.currency, value: tx.amount },
        },
      ],
    };
    // The same transaction asks for the same order within the hour (a double click, a retry):
    // PayPal answers with the order it created the first time. PayPal replays its first answer
    // for hours, even once the order has expired, so the key changes every hour: an order handed
    // out again is never older than that.
    // PayPal may hold a payment Odoo has not heard of yet (its webhook not applied yet, a capture
    // made from another tab): book it and say so, never open a second order that would charge the
    // buyer twice. That is the order Odoo knows of, and the one the key of this hour replays.
    const known = tx.paypal_order_id ? await paypal.getOrder(tx.paypal_order_id).catch(() => null) : null;
    if (known?.status === 'COMPLETED') {
      await answerAlreadyPaid(res, reference, known);
      return;
    }
    const now = (options.clock ?? (() => new Date()))().getTime();
    const hour = String(Math.floor(now / 3_600_000));
    let order: PayPalOrder = await paypal.createOrder(body, { requestId: stableRequestId('odoo-tx', reference, 'create-order', hour) });
    // A replay (the key of this hour was used before: a double click, a second tab) carries
    // PayPal's first answer, not the order's state now, and PayPal does not say which it is: read
    // the order back. One more call per click, so that a paid order is never handed out again.
    order = await paypal.getOrder(order.id);
    if (order.status === 'COMPLETED') {
      await answerAlreadyPaid(res, reference, order);
      return;
    }
    // A voided order cannot be paid any more: a new one, under a key of its own.
    for (let attempt = 2; order.status === 'VOIDED' && attempt <= 5; attempt++) {
      order = await paypal.createOrder(body, { requestId: stableRequestId('odoo-tx', reference, 'create-order', hour, String(attempt)) });
    }
    await audit({ kind: 'checkout.order', subjects: [reference, order.id], eventId: null, outcome: 'ok', summary: `PayPal order ${order.id} created for ${tx.amount} ${tx.currency} (${intent.toLowerCase()})` });
    log.info('PayPal order created for a checkout', { reference, orderId: order.id, intent });
    res.status(201).json({ order_id: order.id, status: order.status });
  });

  router.post('/v1/checkout/orders/:orderId/capture', async (req, res) => {
    const reference = referenceFrom(req, res);
    const orderId = String(req.params['orderId'] ?? '');
    if (!/^[A-Za-z0-9-]{1,64}$/.test(orderId)) throw new ApiError(400, 'BAD_REQUEST', 'not a PayPal order id');
    let result: Awaited<ReturnType<PaymentSync['finishOrder']>>;
    try {
      result = await sync.finishOrder(orderId, { reference });
    } catch (err) {
      if (err instanceof FinalError && err.code === 'ORDER_MISMATCH') throw new ApiError(403, 'ORDER_MISMATCH', 'this PayPal order does not belong to this transaction');
      throw err;
    }
    const order = result.order;
    if (result.outcome === 'declined') {
      res.status(422).json({ error: 'INSTRUMENT_DECLINED', message: 'PayPal declined this funding source; please choose another one' });
      return;
    }
    if (result.outcome === 'mismatch') {
      res.status(409).json({ error: 'AMOUNT_MISMATCH', message: 'the PayPal order does not match the amount to pay; nothing was captured' });
      return;
    }
    if (result.outcome === 'not_found') throw new ApiError(404, 'TRANSACTION_NOT_FOUND', result.detail);
    if (order && order.status !== 'COMPLETED' && result.state === undefined) {
      res.status(409).json({ error: 'ORDER_NOT_APPROVED', message: 'the buyer has not approved this PayPal order yet' });
      return;
    }
    const unit = order?.purchase_units?.[0];
    const capture = unit?.payments?.captures?.[0];
    const authorization = unit?.payments?.authorizations?.[0];
    res.json({
      status: result.state ?? 'pending',
      order_status: order?.status,
      ...(capture ? { capture_id: capture.id } : {}),
      ...(authorization ? { authorization_id: authorization.id } : {}),
      message: result.detail,
    });
  });

  router.use('/v1/checkout', apiErrorHandler(log));
  return router;
}
