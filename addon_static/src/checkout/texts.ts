// The wording of every message, translated with Odoo's `_t`. This is the only module that imports
// `_t`: esbuild keeps the name only when it is declared once in the bundle, and Odoo's extractor
// only finds literal `_t("…")` calls.
import { _t } from '@web/core/l10n/translation';
import type { Message } from './messages.ts';

/** Odoo's translation function, for OWL's translateFn. */
export const translate = _t;

function wording(message: Message): string {
  const detail = message.detail ?? '';
  switch (message.id) {
    case 'SESSION_EXPIRED':
      return _t('Your checkout session has expired. Reload the page and pay again; nothing was charged.');
    case 'NOT_YOUR_ORDER':
      return _t('This PayPal payment does not belong to your order and was refused; nothing was charged. Reload the page and pay again.');
    case 'TRANSACTION_NOT_FOUND':
      return _t('Your payment could not be found. Reload the page and pay again; nothing was charged.');
    case 'NOT_PAYABLE':
      return _t('This order can no longer be paid here (it may be paid or cancelled already). Reload the page to see its status.');
    case 'AMOUNT_MISMATCH':
      return _t('The amount approved at PayPal does not match your order, so the payment was refused; nothing was charged. Reload the page and pay again.');
    case 'REQUEST_REFUSED':
      return _t('The payment request was refused: %s', detail);
    case 'PAYPAL_ERROR':
      return _t('PayPal could not process the payment (%s). Try again, or choose another payment method.', detail);
    case 'SERVICE_UNREACHABLE':
      return _t('The payment service is unreachable right now; nothing was charged. Try again in a moment.');
    case 'INSTRUMENT_DECLINED':
      return _t('Your payment method was declined by PayPal. Choose another way to pay in the PayPal window.');
    case 'PAYMENT_FAILED':
      return _t('The payment could not be completed: %s', detail);
    case 'CAPTURE_CANCELLED':
      return detail ? _t('PayPal cancelled the payment (%s). You were not charged; you can try again.', detail) : _t('PayPal cancelled the payment. You were not charged; you can try again.');
    case 'CAPTURE_REFUSED':
      return detail ? _t('PayPal refused the payment (%s). Try again, or choose another payment method.', detail) : _t('PayPal refused the payment. Try again, or choose another payment method.');
    case 'CANCELLED_BY_BUYER':
      return _t('You cancelled the payment at PayPal; nothing was charged. You can pay again whenever you are ready.');
    case 'PAYPAL_REPORTED_ERROR':
      return detail ? _t('PayPal reported an error (%s). Try again, or choose another payment method.', detail) : _t('PayPal reported an error. Try again, or choose another payment method.');
    case 'FOREIGN_ORDER':
      return _t('PayPal approved an order that this page did not create; it was not charged. Reload the page and pay again.');
    case 'FORM_INCOMPLETE':
      return _t('Complete the order first (for example, accept the terms and conditions), then pay with PayPal.');
    case 'PAYPAL_UNAVAILABLE':
      return _t('PayPal is unavailable right now (%s). Reload the page, or choose another payment method.', detail);
    case 'NO_FUNDING_SOURCE':
      return _t('PayPal offers no way to pay this order. Choose another payment method.');
    case 'REDIRECTING':
      return _t('Payment approved. Taking you to your order status…');
    case 'OUTCOME_PENDING':
      return _t('Your payment is being confirmed. Taking you to your order status…');
    case 'START_FAILED':
      return detail ? _t('The payment could not be started (%s). Reload the page and try again.', detail) : _t('The payment could not be started. Reload the page and try again.');
    case 'MISCONFIGURED':
      return _t('PayPal cannot be used right now: %s', detail);
  }
}

/** The shopper-facing text of a message, in the page's language. */
export function messageText(message: Message): string {
  const text = String(wording(message));
  return message.paypalDebugId ? `${text} ${String(_t('(PayPal reference: %s)', message.paypalDebugId))}` : text;
}
