// The endpoints Odoo's server calls when a user presses Odoo's standard Capture, Void or Refund
// button on a PayPal Bridge transaction (odoo_addon/README.md, "Service endpoints Odoo's server
// calls"). The service makes the PayPal call with Odoo's idempotency key and answers with PayPal's
// result; Odoo books it itself, through the same registration code the webhooks use, so the
// webhook that follows finds it booked.
//
//   POST /v1/operations/capture {reference, authorization_id, amount, currency, final_capture, request_id}
//   POST /v1/operations/void    {reference, authorization_id, request_id}
//   POST /v1/operations/refund  {reference, capture_id, amount, currency, request_id}
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { requireToken, tokenOf } from '../auth/require-token.ts';
import { ApiError, apiErrorHandler } from '../http/api-errors.ts';
import type { BridgeApi } from '../odoo/bridge-api.ts';
import { isAlreadyVoided, type PayPalClient } from '../paypal/index.ts';
import { createAuditor, type AuditSink } from '../shared/audit.ts';
import type { Logger } from '../shared/logger.ts';

export interface OperationsRouteOptions {
  paypal: PayPalClient;
  odoo: BridgeApi;
  logger: Logger;
  bridgeSecret: string;
  odooDb: string;
  audit?: AuditSink;
  clock?: () => Date;
}

const amount = z.string().regex(/^\d+(\.\d+)?$/, 'a positive decimal string such as "10.00"');
const currency = z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code');
const requestId = z.string().regex(/^[\x21-\x7e]{1,108}$/, 'printable ASCII, at most 108 characters');
const id = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a PayPal id');

const captureBody = z.strictObject({ reference: z.string().min(1), authorization_id: id, amount, currency, final_capture: z.boolean(), request_id: requestId });
const voidBody = z.strictObject({ reference: z.string().min(1), authorization_id: id, request_id: requestId });
const refundBody = z.strictObject({ reference: z.string().min(1), capture_id: id, amount, currency, request_id: requestId });

function parseBody<S extends z.ZodType>(schema: S, req: Request, res: Response): z.output<S> {
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) {
    throw new ApiError(400, 'BAD_REQUEST', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  const body = parsed.data as { reference: string };
  if (tokenOf(res).ref !== body.reference) throw new ApiError(403, 'TOKEN_REFERENCE_MISMATCH', 'this token was issued for another transaction');
  return parsed.data;
}

export function createOperationsRouter(options: OperationsRouteOptions): Router {
  const { paypal, odoo } = options;
  const log = options.logger.child('operations');
  const router = express.Router();
  const audit = createAuditor(options.audit, log, options.clock);

  router.use(
    '/v1/operations',
    express.json({ limit: '8kb' }),
    requireToken({ secret: options.bridgeSecret, db: options.odooDb, types: ['server'], scope: 'operations', ...(options.clock ? { clock: options.clock } : {}) }),
  );

  /** The PayPal id must belong to the transaction named in the token: a token is not a blank cheque. */
  async function assertBelongs(reference: string, query: { authorization_id: string } | { capture_id: string }): Promise<void> {
    const tx = await odoo.find(query);
    if (!tx || (tx.reference !== reference && tx.source_reference !== reference)) {
      throw new ApiError(403, 'NOT_THIS_TRANSACTION', `${Object.values(query)[0]} does not belong to ${reference}`);
    }
  }

  router.post('/v1/operations/capture', async (req, res) => {
    const body = parseBody(captureBody, req, res);
    await assertBelongs(body.reference, { authorization_id: body.authorization_id });
    const capture = await paypal.captureAuthorization(
      body.authorization_id,
      { amount: { currency_code: body.currency, value: body.amount }, finalCapture: body.final_capture },
      { requestId: body.request_id },
    );
    const b = capture.seller_receivable_breakdown;
    await audit({ kind: 'paypal.capture', subjects: [body.reference, body.authorization_id, capture.id], eventId: null, outcome: 'ok', summary: `captured ${capture.amount.value} ${capture.amount.currency_code} of authorization ${body.authorization_id} (${capture.status}), user ${tokenOf(res).sub}` });
    res.json({
      capture_id: capture.id,
      status: capture.status,
      amount: capture.amount.value,
      currency: capture.amount.currency_code,
      ...(b?.paypal_fee ? { fee: b.paypal_fee.value } : {}),
      ...(b?.net_amount ? { net: b.net_amount.value } : {}),
    });
  });

  router.post('/v1/operations/void', async (req, res) => {
    const body = parseBody(voidBody, req, res);
    await assertBelongs(body.reference, { authorization_id: body.authorization_id });
    let status: string;
    try {
      status = (await paypal.voidAuthorization(body.authorization_id, { requestId: body.request_id })).status;
    } catch (err) {
      // Voided already (by an earlier attempt, or at PayPal): read it back rather than fail.
      if (!isAlreadyVoided(err)) throw err;
      status = (await paypal.getAuthorization(body.authorization_id)).status;
    }
    await audit({ kind: 'paypal.void', subjects: [body.reference, body.authorization_id], eventId: null, outcome: 'ok', summary: `authorization ${body.authorization_id} ${status.toLowerCase()}, user ${tokenOf(res).sub}` });
    res.json({ authorization_id: body.authorization_id, status });
  });

  router.post('/v1/operations/refund', async (req, res) => {
    const body = parseBody(refundBody, req, res);
    await assertBelongs(body.reference, { capture_id: body.capture_id });
    const refund = await paypal.refundCapture(body.capture_id, { amount: { currency_code: body.currency, value: body.amount } }, { requestId: body.request_id });
    await audit({ kind: 'paypal.refund', subjects: [body.reference, body.capture_id, refund.id], eventId: null, outcome: 'ok', summary: `refunded ${refund.amount.value} ${refund.amount.currency_code} of capture ${body.capture_id} (${refund.status}), user ${tokenOf(res).sub}` });
    res.json({ refund_id: refund.id, status: refund.status, amount: refund.amount.value, currency: refund.amount.currency_code });
  });

  router.use('/v1/operations', apiErrorHandler(log));
  return router;
}
