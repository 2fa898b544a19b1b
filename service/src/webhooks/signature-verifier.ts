// Verifies that a webhook delivery came from PayPal, locally, from the raw bytes received.
//
// PayPal signs `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body>` (the
// CRC32 as an unsigned decimal number) with SHA256withRSA, using the key of the certificate at
// PAYPAL-CERT-URL. The webhook id is ours (PAYPAL_WEBHOOK_ID) and is not sent: an event signed for
// another webhook fails exactly like a tampered one. Verifying the raw bytes (never a re-encoded
// body) avoids the false failures that PayPal's postback API gives integrations that re-serialise
// the JSON.
import * as crypto from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Logger } from '../shared/logger.ts';
import type { CertificateStore } from './certificate-store.ts';
import { failure, mayBeRescuedByPostback, type VerificationFailure } from './verification-failure.ts';

export const PAYPAL_HEADERS = {
  transmissionId: 'paypal-transmission-id',
  transmissionTime: 'paypal-transmission-time',
  transmissionSig: 'paypal-transmission-sig',
  certUrl: 'paypal-cert-url',
  authAlgo: 'paypal-auth-algo',
} as const;

export interface PayPalSignatureHeaders {
  transmissionId: string;
  transmissionTime: string;
  transmissionSig: string;
  certUrl: string;
  authAlgo: string;
}

/** Asks PayPal's verify-webhook-signature API; resolves true only on SUCCESS. */
export type PostbackVerifier = (input: PayPalSignatureHeaders & { webhookId: string; rawBody: Buffer }) => Promise<boolean>;

export type VerificationResult = { ok: true; method: 'local' | 'postback' } | { ok: false; failure: VerificationFailure };

const SUPPORTED_ALGO = 'SHA256withRSA';

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads the five PAYPAL-* headers; every missing one is named. */
export function readSignatureHeaders(headers: HeaderBag): { ok: true; value: PayPalSignatureHeaders } | { ok: false; failure: VerificationFailure } {
  const value: Partial<PayPalSignatureHeaders> = {};
  const missing: string[] = [];
  for (const [key, header] of Object.entries(PAYPAL_HEADERS) as [keyof PayPalSignatureHeaders, string][]) {
    const v = single(headers, header)?.trim();
    if (!v) missing.push(header.toUpperCase());
    else value[key] = v;
  }
  if (missing.length > 0) {
    return { ok: false, failure: failure('MISSING_HEADER', `missing header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`) };
  }
  return { ok: true, value: value as PayPalSignatureHeaders };
}

export interface SignatureVerifierOptions {
  webhookId: string;
  certificates: CertificateStore;
  logger: Logger;
  /** PayPal's verify-webhook-signature API, tried only when local verification could not decide. Off when absent. */
  postback?: PostbackVerifier | undefined;
}

export class SignatureVerifier {
  private readonly webhookId: string;
  private readonly certificates: CertificateStore;
  private readonly logger: Logger;
  private readonly postback: PostbackVerifier | undefined;

  constructor(options: SignatureVerifierOptions) {
    this.webhookId = options.webhookId;
    this.certificates = options.certificates;
    this.logger = options.logger;
    this.postback = options.postback;
  }

  async verify(rawBody: Buffer, headers: HeaderBag): Promise<VerificationResult> {
    const read = readSignatureHeaders(headers);
    if (!read.ok) return read;
    const h = read.value;
    if (h.authAlgo !== SUPPORTED_ALGO) {
      return { ok: false, failure: failure('UNSUPPORTED_AUTH_ALGO', `PAYPAL-AUTH-ALGO ${h.authAlgo} is not supported (PayPal uses ${SUPPORTED_ALGO})`) };
    }
    const signature = decodeSignature(h.transmissionSig);
    if (!signature) {
      return { ok: false, failure: failure('MALFORMED_HEADER', 'PAYPAL-TRANSMISSION-SIG is not base64') };
    }
    const cert = await this.certificates.get(h.certUrl);
    if (!cert.ok) return this.tryPostback(cert.failure, h, rawBody);

    const message = signedMessage(h.transmissionId, h.transmissionTime, this.webhookId, rawBody);
    let valid = false;
    try {
      valid = crypto.verify('sha256', message, cert.key, signature);
    } catch {
      valid = false;
    }
    if (!valid) {
      return {
        ok: false,
        failure: failure(
          'SIGNATURE_MISMATCH',
          `signature does not match: the body or the PAYPAL-TRANSMISSION-* headers were altered, or the event was signed for a webhook other than PAYPAL_WEBHOOK_ID (${this.webhookId})`,
        ),
      };
    }
    return { ok: true, method: 'local' };
  }

  private async tryPostback(localFailure: VerificationFailure, h: PayPalSignatureHeaders, rawBody: Buffer): Promise<VerificationResult> {
    if (!this.postback || !mayBeRescuedByPostback(localFailure.code)) return { ok: false, failure: localFailure };
    try {
      const ok = await this.postback({ ...h, webhookId: this.webhookId, rawBody });
      if (ok) {
        this.logger.warn('webhook verified by PayPal postback after local verification could not decide', { localFailure: localFailure.code });
        return { ok: true, method: 'postback' };
      }
      return { ok: false, failure: failure(localFailure.code, `${localFailure.message}; PayPal's verify-webhook-signature API also answered FAILURE`) };
    } catch (err) {
      this.logger.warn('PayPal postback verification failed', { err });
      return { ok: false, failure: failure(localFailure.code, `${localFailure.message}; PayPal's verify-webhook-signature API could not be reached`) };
    }
  }
}

/** The exact string PayPal signs, as bytes. */
export function signedMessage(transmissionId: string, transmissionTime: string, webhookId: string, rawBody: Buffer): Buffer {
  return Buffer.from(`${transmissionId}|${transmissionTime}|${webhookId}|${crc32(rawBody)}`, 'utf8');
}

function decodeSignature(sig: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(sig)) return null;
  const buf = Buffer.from(sig, 'base64');
  return buf.length > 0 ? buf : null;
}
