// Why a webhook delivery was refused. Every code maps to a 4xx with a message that says what was
// wrong and, where the operator can act, what to do.

export type VerificationFailureCode =
  | 'MISSING_HEADER'
  | 'UNSUPPORTED_AUTH_ALGO'
  | 'MALFORMED_HEADER'
  | 'CERT_URL_INVALID'
  | 'CERT_URL_NOT_HTTPS'
  | 'CERT_URL_HOST_NOT_ALLOWED'
  | 'CERT_FETCH_FAILED'
  | 'CERT_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_WRONG_NAME'
  | 'CERT_UNTRUSTED'
  | 'SIGNATURE_MISMATCH';

export interface VerificationFailure {
  code: VerificationFailureCode;
  message: string;
}

export function failure(code: VerificationFailureCode, message: string): VerificationFailure {
  return { code, message };
}

/**
 * Failures that may be ours rather than the sender's (we could not fetch the certificate, or we do
 * not carry the intermediate PayPal now uses): the only ones for which asking PayPal's
 * verify-webhook-signature API, when enabled, may rescue a genuine event.
 */
export function mayBeRescuedByPostback(code: VerificationFailureCode): boolean {
  return code === 'CERT_FETCH_FAILED' || code === 'CERT_UNTRUSTED';
}
