// PayPal-Request-Id: PayPal's idempotency key. One key names one logical operation ("capture the
// order of Odoo transaction S00042-1") and is sent unchanged on every attempt, by the browser flow
// and by the webhook worker alike, so that PayPal performs the operation once and answers repeats
// with the result of the first.
//
// Limits: Orders v2 declares the header as a string of 1..108 characters; Payments v2 declares no
// limit. We enforce the stricter one for every call. The specs give no character set; we accept
// printable ASCII without spaces, which is what an HTTP header carries safely.
import { createHash } from 'node:crypto';
import { PayPalRequestError } from './paypal-errors.ts';

export const PAYPAL_REQUEST_ID_MAX_LENGTH = 108;
const ALLOWED = /^[\x21-\x7E]+$/;

/** Throws PayPalRequestError, before anything is sent, when PayPal would not accept `requestId`. */
export function assertValidRequestId(requestId: unknown, operation: string): asserts requestId is string {
  const hint =
    'Pass a stable key per logical operation (e.g. "odoo-tx-<reference>-capture"), the same on every attempt; ' +
    'stableRequestId() builds one from any parts.';
  if (typeof requestId !== 'string' || requestId.length === 0) {
    throw new PayPalRequestError(`PayPal ${operation} needs a PayPal-Request-Id. ${hint}`);
  }
  if (requestId.length > PAYPAL_REQUEST_ID_MAX_LENGTH) {
    throw new PayPalRequestError(
      `PayPal-Request-Id for ${operation} is ${requestId.length} characters; PayPal accepts at most ${PAYPAL_REQUEST_ID_MAX_LENGTH}. ${hint}`,
    );
  }
  if (!ALLOWED.test(requestId)) {
    throw new PayPalRequestError(
      `PayPal-Request-Id for ${operation} contains spaces, control or non-ASCII characters; use printable ASCII only. ${hint}`,
    );
  }
}

/**
 * Builds a valid PayPal-Request-Id from parts, deterministically: the same parts always give the
 * same key. Parts are joined with '-'; when the result is too long or has characters PayPal would
 * refuse, a readable prefix plus a SHA-256 digest of the parts is used instead, so distinct parts
 * still give distinct keys (as distinct as their joined forms).
 */
export function stableRequestId(...parts: string[]): string {
  if (parts.length === 0 || parts.some((p) => p.length === 0)) {
    throw new PayPalRequestError('stableRequestId needs at least one part, and no empty part');
  }
  const joined = parts.join('-');
  if (joined.length <= PAYPAL_REQUEST_ID_MAX_LENGTH && ALLOWED.test(joined)) return joined;
  const digest = createHash('sha256').update(joined).digest('hex');
  const prefix = joined.replace(/[^\x21-\x7E]+/g, '_').slice(0, PAYPAL_REQUEST_ID_MAX_LENGTH - digest.length - 1);
  return `${prefix}-${digest}`;
}
