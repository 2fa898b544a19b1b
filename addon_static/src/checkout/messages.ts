// What the shopper is told, as message ids (texts.ts holds the translatable wording: Odoo's
// extractor needs literal `_t("…")` calls, and esbuild would rename a `_t` that is declared more
// than once in the bundle, so exactly one module imports it).
import { CheckoutServiceError } from './service-client.ts';

export type MessageLevel = 'danger' | 'warning' | 'info' | 'success';

export type MessageId =
  | 'SESSION_EXPIRED'
  | 'NOT_YOUR_ORDER'
  | 'TRANSACTION_NOT_FOUND'
  | 'NOT_PAYABLE'
  | 'AMOUNT_MISMATCH'
  | 'REQUEST_REFUSED'
  | 'PAYPAL_ERROR'
  | 'SERVICE_UNREACHABLE'
  | 'INSTRUMENT_DECLINED'
  | 'PAYMENT_FAILED'
  | 'CAPTURE_CANCELLED'
  | 'CAPTURE_REFUSED'
  | 'CANCELLED_BY_BUYER'
  | 'PAYPAL_REPORTED_ERROR'
  | 'FOREIGN_ORDER'
  | 'FORM_INCOMPLETE'
  | 'PAYPAL_UNAVAILABLE'
  | 'NO_FUNDING_SOURCE'
  | 'REDIRECTING'
  | 'OUTCOME_PENDING'
  | 'START_FAILED'
  | 'MISCONFIGURED';

export interface Message {
  level: MessageLevel;
  id: MessageId;
  /** Text from the service, PayPal or the browser that completes the message, if any. */
  detail?: string;
  /** PayPal's debug id, for the merchant's support request. */
  paypalDebugId?: string;
}

function message(level: MessageLevel, id: MessageId, detail?: string, paypalDebugId?: string): Message {
  return { level, id, ...(detail ? { detail } : {}), ...(paypalDebugId ? { paypalDebugId } : {}) };
}

/** The shopper-facing message for a failed service call. */
export function serviceErrorMessage(error: CheckoutServiceError): Message {
  const debugId = error.paypal?.debugId;
  switch (error.code) {
    case 'TOKEN_INVALID':
      return message('danger', 'SESSION_EXPIRED');
    case 'TOKEN_REFERENCE_MISMATCH':
    case 'ORDER_MISMATCH':
      return message('danger', 'NOT_YOUR_ORDER');
    case 'TRANSACTION_NOT_FOUND':
      return message('danger', 'TRANSACTION_NOT_FOUND');
    case 'TRANSACTION_NOT_PAYABLE':
      return message('warning', 'NOT_PAYABLE');
    case 'AMOUNT_MISMATCH':
      return message('danger', 'AMOUNT_MISMATCH');
    case 'BAD_REQUEST':
      return message('danger', 'REQUEST_REFUSED', error.message);
    case 'PAYPAL_ERROR':
      return message('danger', 'PAYPAL_ERROR', error.message, debugId);
    case 'UNAVAILABLE':
    case 'NETWORK':
      return message('warning', 'SERVICE_UNREACHABLE');
    case 'INSTRUMENT_DECLINED':
      return message('warning', 'INSTRUMENT_DECLINED');
    default:
      return message('danger', 'PAYMENT_FAILED', error.message, debugId);
  }
}

/** The message for a capture that PayPal answered without completing the payment. */
export function captureFailedMessage(status: 'error' | 'cancel', detail: string | undefined): Message {
  return status === 'cancel' ? message('warning', 'CAPTURE_CANCELLED', detail) : message('danger', 'CAPTURE_REFUSED', detail);
}

export const cancelledMessage = (): Message => message('info', 'CANCELLED_BY_BUYER');
export const unexpectedErrorMessage = (detail?: string): Message => message('danger', 'PAYPAL_REPORTED_ERROR', detail);
export const foreignOrderMessage = (): Message => message('danger', 'FOREIGN_ORDER');
export const formIncompleteMessage = (): Message => message('warning', 'FORM_INCOMPLETE');
export const unavailableMessage = (detail: string): Message => message('danger', 'PAYPAL_UNAVAILABLE', detail);
export const noFundingMessage = (): Message => message('warning', 'NO_FUNDING_SOURCE');
export const redirectingMessage = (): Message => message('success', 'REDIRECTING');
export const outcomePendingMessage = (): Message => message('info', 'OUTCOME_PENDING');
export const startFailedMessage = (detail?: string): Message => message('danger', 'START_FAILED', detail);
export const misconfiguredMessage = (detail: string): Message => message('danger', 'MISCONFIGURED', detail);
