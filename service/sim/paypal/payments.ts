// Payments v2: authorizations (show, capture, void), captures (show, refund), refunds (show), and
// the things that happen to a capture at PayPal without an API call from the merchant (a pending
// capture completing or being denied, a refund made in the PayPal dashboard, a reversal).
//
// PayPal semantics kept here:
// - an authorization can be captured in parts until `final_capture` or until the authorized amount
//   is used (MAX_CAPTURE_AMOUNT_EXCEEDED beyond it); voiding releases what is left, and is refused
//   once fully captured (PREVIOUSLY_CAPTURED) or voided (PREVIOUSLY_VOIDED);
// - a capture can be refunded in parts up to what is left (REFUND_AMOUNT_EXCEEDED beyond it,
//   CAPTURE_FULLY_REFUNDED once nothing is left); an empty body refunds the rest; a pending capture
//   cannot be refunded (PENDING_CAPTURE); each refund is its own resource with its own amount.
import { resourceNotFound, unprocessable } from './errors.ts';
import { resourceId } from './ids.ts';
import { asObject, readMoney, stringField } from './input.ts';
import { formatAmount, refundedFee } from './money.ts';
import { findOrder, newCapture } from './orders.ts';
import { authorizationJson, captureJson, refundJson } from './representations.ts';
import { timestamp, type ApiAnswer, type AuthorizationRecord, type CaptureRecord, type RefundRecord, type SimContext } from './state.ts';

const PAYMENTS_MONEY_ISSUES = { tooManyDecimals: 'DECIMAL_PRECISION', decimalsNotSupported: 'DECIMALS_NOT_SUPPORTED' } as const;

function findAuthorization(ctx: SimContext, id: string): AuthorizationRecord {
  const a = ctx.state.authorizations.get(id);
  if (!a) throw resourceNotFound('authorization_id', id);
  return a;
}

export function findCapture(ctx: SimContext, id: string): CaptureRecord {
  const c = ctx.state.captures.get(id);
  if (!c) throw resourceNotFound('capture_id', id);
  return c;
}

/** Minimal answers carry id, status and links, as `Prefer: return=minimal` asks. */
function minimal(json: Record<string, unknown>): Record<string, unknown> {
  return { id: json['id'], status: json['status'], links: json['links'] };
}

export function getAuthorization(ctx: SimContext, id: string): ApiAnswer {
  return { status: 200, body: authorizationJson(ctx, findAuthorization(ctx, id)) };
}

export function captureAuthorization(ctx: SimContext, id: string, bodyIn: unknown, representation: boolean): ApiAnswer {
  const auth = findAuthorization(ctx, id);
  const now = ctx.now();
  if (auth.status === 'VOIDED') throw unprocessable('AUTHORIZATION_VOIDED');
  if (auth.status === 'CAPTURED') throw unprocessable('AUTHORIZATION_ALREADY_CAPTURED');
  if (auth.status === 'DENIED') throw unprocessable('AUTHORIZATION_DENIED');
  if (Date.parse(auth.expirationTime) <= now.getTime()) throw unprocessable('AUTHORIZATION_EXPIRED');

  const body = asObject(bodyIn) ?? {};
  const remaining = auth.amountMinor - auth.capturedMinor;
  let amountMinor = remaining;
  if (body['amount'] !== undefined) {
    const requested = readMoney(body['amount'], '/amount', PAYMENTS_MONEY_ISSUES);
    if (requested.currency !== auth.currency) throw unprocessable('AUTH_CAPTURE_CURRENCY_MISMATCH', { field: '/amount/currency_code', value: requested.currency, location: 'body' });
    if (requested.minor > remaining) throw unprocessable('MAX_CAPTURE_AMOUNT_EXCEEDED', { field: '/amount/value', value: String((body['amount'] as Record<string, unknown>)['value']), location: 'body' });
    amountMinor = requested.minor;
  }
  const finalCapture = body['final_capture'] === true || amountMinor === remaining;
  const order = findOrder(ctx, auth.orderId);
  const extra: { authorizationId: string; finalCapture: boolean; invoiceId?: string; customId?: string } = { authorizationId: auth.id, finalCapture };
  const invoiceId = stringField(body, 'invoice_id') ?? auth.invoiceId;
  if (invoiceId !== undefined) extra.invoiceId = invoiceId;
  if (auth.customId !== undefined) extra.customId = auth.customId;
  const capture = newCapture(ctx, order, auth.purchaseUnitIndex, amountMinor, auth.currency, extra);

  if (capture.status !== 'DECLINED') auth.capturedMinor += amountMinor;
  auth.captureIds.push(capture.id);
  if (capture.status !== 'DECLINED') auth.status = finalCapture ? 'CAPTURED' : 'PARTIALLY_CAPTURED';
  auth.updateTime = timestamp(now);
  const json = captureJson(ctx, capture);
  return { status: 201, body: representation ? json : minimal(json) };
}

export function voidAuthorization(ctx: SimContext, id: string, representation: boolean): ApiAnswer {
  const auth = findAuthorization(ctx, id);
  if (auth.status === 'CAPTURED') throw unprocessable('PREVIOUSLY_CAPTURED');
  if (auth.status === 'VOIDED') throw unprocessable('PREVIOUSLY_VOIDED');
  auth.status = 'VOIDED';
  auth.updateTime = timestamp(ctx.now());
  const json = authorizationJson(ctx, auth);
  ctx.emit('PAYMENT.AUTHORIZATION.VOIDED', json);
  // "return=minimal" (the default) answers 204 No Content; the representation answers 200.
  return representation ? { status: 200, body: json } : { status: 204 };
}

export function getCapture(ctx: SimContext, id: string): ApiAnswer {
  return { status: 200, body: captureJson(ctx, findCapture(ctx, id)) };
}

export function getRefund(ctx: SimContext, id: string): ApiAnswer {
  const r = ctx.state.refunds.get(id);
  if (!r) throw resourceNotFound('refund_id', id);
  return { status: 200, body: refundJson(ctx, r) };
}

function hasOpenDispute(ctx: SimContext, captureId: string): boolean {
  for (const d of ctx.state.disputes.values()) if (d.captureId === captureId && d.status !== 'RESOLVED') return true;
  return false;
}

/** Books a refund or a reversal against a capture; returns the new refund record. */
function bookRefund(
  ctx: SimContext,
  capture: CaptureRecord,
  amountMinor: bigint,
  kind: RefundRecord['kind'],
  extra: { customId?: string; invoiceId?: string; noteToPayer?: string },
): RefundRecord {
  const now = timestamp(ctx.now());
  const fee = refundedFee(capture.feeMinor, capture.amountMinor, amountMinor, capture.refundedMinor, capture.feeRefundedMinor);
  capture.refundedMinor += amountMinor;
  capture.feeRefundedMinor += fee;
  const refund: RefundRecord = {
    id: resourceId(),
    captureId: capture.id,
    kind,
    currency: capture.currency,
    amountMinor,
    feeMinor: fee,
    totalRefundedMinor: capture.refundedMinor,
    status: 'COMPLETED',
    createTime: now,
    updateTime: now,
  };
  const customId = extra.customId ?? capture.customId;
  const invoiceId = extra.invoiceId ?? capture.invoiceId;
  if (customId !== undefined) refund.customId = customId;
  if (invoiceId !== undefined) refund.invoiceId = invoiceId;
  if (extra.noteToPayer !== undefined) refund.noteToPayer = extra.noteToPayer;
  ctx.state.refunds.set(refund.id, refund);
  capture.refundIds.push(refund.id);
  capture.status = capture.refundedMinor >= capture.amountMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  if (kind === 'reversal') {
    capture.reversed = true;
    capture.statusReason = 'CHARGEBACK';
  }
  capture.updateTime = now;
  return refund;
}

/** Refund through the API (`captures.refund`) or from the PayPal dashboard; emits PAYMENT.CAPTURE.REFUNDED. */
export function refundCapture(ctx: SimContext, captureId: string, bodyIn: unknown, representation: boolean): ApiAnswer {
  const capture = findCapture(ctx, captureId);
  if (capture.status === 'PENDING') throw unprocessable('PENDING_CAPTURE');
  if (capture.status === 'DECLINED' || capture.status === 'FAILED') throw unprocessable('REFUND_NOT_ALLOWED');
  if (capture.reversed) throw unprocessable('REFUND_NOT_PERMITTED_DUE_TO_CHARGEBACK');
  const remaining = capture.amountMinor - capture.refundedMinor;
  if (remaining <= 0n) throw unprocessable('CAPTURE_FULLY_REFUNDED');

  const body = asObject(bodyIn) ?? {};
  let amountMinor = remaining;
  if (body['amount'] !== undefined) {
    const requested = readMoney(body['amount'], '/amount', PAYMENTS_MONEY_ISSUES);
    if (requested.currency !== capture.currency) throw unprocessable('REFUND_CAPTURE_CURRENCY_MISMATCH', { field: '/amount/currency_code', value: requested.currency, location: 'body' });
    if (requested.minor > remaining) throw unprocessable('REFUND_AMOUNT_EXCEEDED', { field: '/amount/value', value: String((body['amount'] as Record<string, unknown>)['value']), location: 'body' });
    amountMinor = requested.minor;
  }
  if (amountMinor < remaining && hasOpenDispute(ctx, capture.id)) throw unprocessable('TRANSACTION_DISPUTED');

  const extra: { customId?: string; invoiceId?: string; noteToPayer?: string } = {};
  const customId = stringField(body, 'custom_id');
  const invoiceId = stringField(body, 'invoice_id');
  const note = stringField(body, 'note_to_payer');
  if (customId !== undefined) extra.customId = customId;
  if (invoiceId !== undefined) extra.invoiceId = invoiceId;
  if (note !== undefined) extra.noteToPayer = note;
  const refund = bookRefund(ctx, capture, amountMinor, 'refund', extra);
  const json = refundJson(ctx, refund);
  ctx.emit('PAYMENT.CAPTURE.REFUNDED', json);
  return { status: 201, body: representation ? json : minimal(json) };
}

/** A PENDING capture clears (eCheck cleared, review passed); emits PAYMENT.CAPTURE.COMPLETED. */
export function completePendingCapture(ctx: SimContext, captureId: string): CaptureRecord {
  const capture = findCapture(ctx, captureId);
  if (capture.status !== 'PENDING') throw new Error(`Capture ${captureId} is ${capture.status}; only a PENDING capture can complete.`);
  capture.status = 'COMPLETED';
  delete capture.statusReason;
  capture.updateTime = timestamp(ctx.now());
  ctx.emit('PAYMENT.CAPTURE.COMPLETED', captureJson(ctx, capture));
  return capture;
}

/**
 * A PENDING capture is denied; emits PAYMENT.CAPTURE.DENIED. The capture's status becomes DECLINED:
 * the Payments v2 capture status has no DENIED value, the event type carries the distinction.
 */
export function denyPendingCapture(ctx: SimContext, captureId: string): CaptureRecord {
  const capture = findCapture(ctx, captureId);
  if (capture.status !== 'PENDING') throw new Error(`Capture ${captureId} is ${capture.status}; only a PENDING capture can be denied.`);
  capture.status = 'DECLINED';
  capture.updateTime = timestamp(ctx.now());
  ctx.emit('PAYMENT.CAPTURE.DENIED', captureJson(ctx, capture));
  return capture;
}

function amountOrRest(capture: CaptureRecord, amount: string | undefined, action: string): bigint {
  const remaining = capture.amountMinor - capture.refundedMinor;
  if (remaining <= 0n) throw new Error(`Capture ${capture.id} has nothing left to ${action}.`);
  if (amount === undefined) return remaining;
  const parsed = readMoney({ currency_code: capture.currency, value: amount }, '/amount', PAYMENTS_MONEY_ISSUES);
  if (parsed.minor > remaining) throw new Error(`Cannot ${action} ${amount} ${capture.currency} of capture ${capture.id}: only ${formatAmount(remaining, capture.currency)} is left.`);
  return parsed.minor;
}

/** The merchant refunds in the PayPal dashboard: same booking and event as the API refund. */
export function refundFromDashboard(ctx: SimContext, captureId: string, amount?: string): RefundRecord {
  const capture = findCapture(ctx, captureId);
  if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') throw new Error(`Capture ${captureId} is ${capture.status}; it cannot be refunded.`);
  const refund = bookRefund(ctx, capture, amountOrRest(capture, amount, 'refund'), 'refund', {});
  ctx.emit('PAYMENT.CAPTURE.REFUNDED', refundJson(ctx, refund));
  return refund;
}

/**
 * PayPal takes money back (chargeback, dispute decided for the buyer); emits
 * PAYMENT.CAPTURE.REVERSED whose resource is a refund, as PayPal sends it.
 */
export function reverseCapture(ctx: SimContext, captureId: string, amount?: string): RefundRecord {
  const capture = findCapture(ctx, captureId);
  return reverseCaptureBy(ctx, capture.id, amountOrRest(capture, amount, 'reverse'));
}

export function reverseCaptureBy(ctx: SimContext, captureId: string, amountMinor: bigint): RefundRecord {
  const capture = findCapture(ctx, captureId);
  if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') throw new Error(`Capture ${captureId} is ${capture.status}; it cannot be reversed.`);
  const reversal = bookRefund(ctx, capture, amountMinor, 'reversal', { noteToPayer: 'Payment reversed' });
  ctx.emit('PAYMENT.CAPTURE.REVERSED', refundJson(ctx, reversal));
  return reversal;
}
