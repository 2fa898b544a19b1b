// What PayPal's resources say, in the terms the Odoo side needs. Pure functions: no I/O.
import type { ApplyPaymentValues, ApplyState, CaptureStatus, RefundStatusAtPayPal } from '../odoo/bridge-api.ts';
import type { Money, PayPalAuthorization, PayPalCapture, PayPalOrder, PayPalRefund } from '../paypal/schemas.ts';

/** PayPal amounts are decimal strings; Odoo wants them without a sign or exponent. */
export function amountOf(money: Money | undefined): { amount: string; currency: string } | null {
  if (!money || !/^\d+(\.\d+)?$/.test(money.value)) return null;
  return { amount: money.value, currency: money.currency_code };
}

/** The Odoo transaction reference we put in `custom_id` when creating the order. */
export function referenceOfOrder(order: PayPalOrder): string | null {
  for (const unit of order.purchase_units ?? []) if (unit.custom_id) return unit.custom_id;
  return null;
}

export function relatedOrderId(resource: PayPalCapture | PayPalAuthorization): string | null {
  return resource.supplementary_data?.related_ids?.order_id ?? null;
}

export function relatedAuthorizationId(resource: PayPalCapture): string | null {
  return resource.supplementary_data?.related_ids?.authorization_id ?? null;
}

/** The capture a refund (or reversal) belongs to: PayPal links it as rel "up". */
export function captureIdOfRefund(refund: Pick<PayPalRefund, 'links'>): string | null {
  for (const link of refund.links ?? []) {
    if (link.rel !== 'up') continue;
    const m = /\/v2\/payments\/captures\/([^/?#]+)/.exec(link.href);
    if (m) return decodeURIComponent(m[1]!);
  }
  return null;
}

/** Fee and net amount from the capture's seller_receivable_breakdown. */
export function feeAndNet(capture: PayPalCapture): Pick<ApplyPaymentValues, 'fee' | 'net'> {
  const b = capture.seller_receivable_breakdown;
  const out: Pick<ApplyPaymentValues, 'fee' | 'net'> = {};
  const fee = amountOf(b?.paypal_fee);
  const net = amountOf(b?.net_amount);
  if (fee) out.fee = fee.amount;
  if (net) out.net = net.amount;
  return out;
}

export type CaptureEventKind = 'COMPLETED' | 'PENDING' | 'DENIED' | 'DECLINED';

/**
 * The Odoo state for a capture. The event type decides where there is one (PayPal reports a
 * denied pending capture with status DECLINED, the same as a capture declined on the spot, but
 * the design books the first as cancelled and the second as an error).
 */
export function captureState(capture: PayPalCapture, event?: CaptureEventKind): { state: ApplyState; detail: string | undefined } | null {
  const reason = capture.status_details?.reason;
  if (event === 'DENIED') return { state: 'cancel', detail: reason ?? 'DENIED' };
  switch (capture.status) {
    case 'COMPLETED':
    case 'PARTIALLY_REFUNDED':
    case 'REFUNDED':
      return { state: 'done', detail: undefined };
    case 'PENDING':
      // A capture PayPal holds because the receiving account cannot take it: nobody can fix that
      // from Odoo's side by waiting; it needs a person.
      return reason === 'UNILATERAL' ? { state: 'error', detail: reason } : { state: 'pending', detail: reason ?? 'PENDING' };
    case 'DECLINED':
    case 'FAILED':
      return { state: 'error', detail: reason ?? capture.status };
  }
}

/** The status register_capture expects. */
export function registerCaptureStatus(capture: PayPalCapture, event?: CaptureEventKind): CaptureStatus {
  if (event === 'DENIED') return 'DENIED';
  return capture.status;
}

export function refundStatus(refund: PayPalRefund): RefundStatusAtPayPal {
  return refund.status;
}

export function payerValues(order: PayPalOrder | null | undefined): Pick<ApplyPaymentValues, 'payer_id' | 'payer_email'> {
  const out: Pick<ApplyPaymentValues, 'payer_id' | 'payer_email'> = {};
  if (order?.payer?.payer_id) out.payer_id = order.payer.payer_id;
  if (order?.payer?.email_address) out.payer_email = order.payer.email_address;
  return out;
}
