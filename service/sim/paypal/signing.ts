// Webhook signatures exactly as PayPal makes them.
//
// PayPal signs the UTF-8 string `<transmission id>|<transmission time>|<webhook id>|<crc32>` with
// SHA256withRSA, where crc32 is the CRC-32 of the raw request body as an unsigned decimal integer
// and the webhook id is the id of the receiving webhook subscription. The signature travels base64
// in PAYPAL-TRANSMISSION-SIG; PAYPAL-CERT-URL names the certificate (leaf only, PEM) that verifies it.
import { createHash, createPrivateKey, createPublicKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { SignerName, TestPki } from '../pki.ts';
import { transmissionId as newTransmissionId } from './ids.ts';

export const AUTH_ALGO = 'SHA256withRSA';

/** CRC-32 of the exact body bytes, as the unsigned decimal PayPal puts in the signed message. */
export function crc32Decimal(body: Buffer): string {
  return String(zlib.crc32(body) >>> 0);
}

export function signedMessage(transmissionId: string, transmissionTime: string, webhookId: string, body: Buffer): string {
  return `${transmissionId}|${transmissionTime}|${webhookId}|${crc32Decimal(body)}`;
}

interface Signer {
  name: SignerName;
  certId: string;
  certPem: string;
  key: KeyObject;
  publicKey: KeyObject;
  certificate: X509Certificate;
}

export interface SignOptions {
  webhookId: string;
  signer?: SignerName;
  /** Overrides PAYPAL-CERT-URL (e.g. to point at a host that is not PayPal's). */
  certUrl?: string;
  transmissionId?: string;
  transmissionTime?: string;
}

export interface SignedDelivery {
  body: Buffer;
  headers: Record<string, string>;
}

/** The test PKI's signing keys and the certificate URLs the simulator serves them at. */
export class WebhookSigner {
  private readonly signers = new Map<SignerName, Signer>();
  private readonly byCertId = new Map<string, Signer>();
  private readonly baseUrl: () => string;
  private readonly now: () => Date;

  constructor(pki: TestPki, baseUrl: () => string, now: () => Date) {
    this.baseUrl = baseUrl;
    this.now = now;
    for (const name of Object.keys(pki.signers) as SignerName[]) {
      const files = pki.signers[name];
      const certPem = fs.readFileSync(files.cert, 'utf8');
      const certificate = new X509Certificate(certPem);
      // PayPal's certificate ids look like CERT-360caa42-fca2a594-1d93a270; derive a stable one per cert.
      const digest = createHash('sha256').update(certificate.raw).digest('hex');
      const signer: Signer = {
        name,
        certId: `CERT-${digest.slice(0, 8)}-${digest.slice(8, 16)}-${digest.slice(16, 24)}`,
        certPem,
        key: createPrivateKey(fs.readFileSync(files.key, 'utf8')),
        publicKey: createPublicKey(certPem),
        certificate,
      };
      this.signers.set(name, signer);
      this.byCertId.set(signer.certId, signer);
    }
  }

  private signer(name: SignerName): Signer {
    const s = this.signers.get(name);
    if (!s) throw new Error(`Unknown signer "${name}"; the test PKI has ${[...this.signers.keys()].join(', ')}.`);
    return s;
  }

  certUrl(name: SignerName = 'good'): string {
    return `${this.baseUrl()}/v1/notifications/certs/${this.signer(name).certId}`;
  }

  /** The PEM served at a certificate URL path segment (`CERT-…`), or undefined. */
  certificatePem(certId: string): string | undefined {
    return this.byCertId.get(certId)?.certPem;
  }

  sign(body: Buffer, options: SignOptions): SignedDelivery {
    const signer = this.signer(options.signer ?? 'good');
    const transmissionId = options.transmissionId ?? newTransmissionId();
    const transmissionTime = options.transmissionTime ?? this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const message = signedMessage(transmissionId, transmissionTime, options.webhookId, body);
    const signature = sign('sha256', Buffer.from(message, 'utf8'), signer.key).toString('base64');
    return {
      body,
      headers: {
        'Content-Type': 'application/json',
        'PAYPAL-TRANSMISSION-ID': transmissionId,
        'PAYPAL-TRANSMISSION-TIME': transmissionTime,
        'PAYPAL-TRANSMISSION-SIG': signature,
        'PAYPAL-CERT-URL': options.certUrl ?? this.certUrl(signer.name),
        'PAYPAL-AUTH-ALGO': AUTH_ALGO,
      },
    };
  }

  /**
   * PayPal's postback check (`verify-webhook-signature`): true only for a signature made with
   * PayPal's own current key — the `good` signer, whose certificate must be served at `certUrl` by
   * this simulator and be valid now.
   */
  verify(input: { authAlgo: string; certUrl: string; transmissionId: string; transmissionTime: string; transmissionSig: string; webhookId: string; body: Buffer }): boolean {
    if (input.authAlgo !== AUTH_ALGO) return false;
    let certId: string | undefined;
    try {
      const url = new URL(input.certUrl);
      if (url.origin !== new URL(this.baseUrl()).origin) return false;
      certId = url.pathname.split('/').pop();
    } catch {
      return false;
    }
    const signer = certId ? this.byCertId.get(certId) : undefined;
    if (!signer || signer.name !== 'good') return false;
    const now = this.now().getTime();
    if (Date.parse(signer.certificate.validFrom) > now || Date.parse(signer.certificate.validTo) < now) return false;
    const message = signedMessage(input.transmissionId, input.transmissionTime, input.webhookId, input.body);
    return verify('sha256', Buffer.from(message, 'utf8'), signer.publicKey, Buffer.from(input.transmissionSig, 'base64'));
  }
}
