// Signature verification cost per event with a cached certificate: what one webhook costs the
// service's CPU before anything is stored.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../service/src/shared/logger.ts';
import { CertificateStore } from '../../service/src/webhooks/certificate-store.ts';
import { SignatureVerifier, signedMessage } from '../../service/src/webhooks/signature-verifier.ts';
import { createTrustStore } from '../../service/src/webhooks/trust-store.ts';
import type { TestPki } from '../../service/sim/pki.ts';

export interface VerificationFigures {
  iterations: number;
  medianMicros: number;
  p99Micros: number;
  bodyBytes: number;
}

export async function benchVerification(pki: TestPki, iterations = 20_000): Promise<VerificationFigures> {
  const webhookId = 'WH-BENCH';
  const host = 'certs.bench:443';
  const logger = createLogger({ level: 'silent' });
  const certificates = new CertificateStore({
    allowedHosts: [host.replace(/:443$/, '')],
    signerHosts: ['messageverificationcerts.sandbox.paypal.com'],
    trust: createTrustStore({ extraIntermediatesFile: pki.intermediateCert }),
    logger,
    fetchCertificate: async () => fs.readFileSync(pki.signers.good.cert, 'utf8'),
  });
  const verifier = new SignatureVerifier({ webhookId, certificates, logger });
  const key = fs.readFileSync(pki.signers.good.key, 'utf8');
  // A realistic PAYMENT.CAPTURE.COMPLETED body (~1.6 KB).
  const body = Buffer.from(
    JSON.stringify({
      id: 'WH-2WR32451HC0233532-67976317FL4543714',
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: 'capture',
      resource_version: '2.0',
      event_type: 'PAYMENT.CAPTURE.COMPLETED',
      summary: 'Payment completed for $ 42.5 USD',
      resource: {
        id: '3C679366HH908993F',
        status: 'COMPLETED',
        amount: { currency_code: 'USD', value: '42.50' },
        final_capture: true,
        seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
        seller_receivable_breakdown: { gross_amount: { currency_code: 'USD', value: '42.50' }, paypal_fee: { currency_code: 'USD', value: '1.97' }, net_amount: { currency_code: 'USD', value: '40.53' } },
        custom_id: 'S00042-1',
        invoice_id: 'S00042',
        supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
        links: [
          { href: 'https://api.sandbox.paypal.com/v2/payments/captures/3C679366HH908993F', rel: 'self', method: 'GET' },
          { href: 'https://api.sandbox.paypal.com/v2/payments/captures/3C679366HH908993F/refund', rel: 'refund', method: 'POST' },
          { href: 'https://api.sandbox.paypal.com/v2/checkout/orders/5O190127TN364715T', rel: 'up', method: 'GET' },
        ],
        create_time: new Date().toISOString(),
        update_time: new Date().toISOString(),
      },
      links: [{ href: 'https://api.sandbox.paypal.com/v1/notifications/webhooks-events/WH-2WR32451HC0233532-67976317FL4543714', rel: 'self', method: 'GET' }],
    }),
  );
  const transmissionId = crypto.randomUUID();
  const transmissionTime = new Date().toISOString();
  const headers = {
    'paypal-transmission-id': transmissionId,
    'paypal-transmission-time': transmissionTime,
    'paypal-transmission-sig': crypto.sign('sha256', signedMessage(transmissionId, transmissionTime, webhookId, body), key).toString('base64'),
    'paypal-cert-url': `https://${host.replace(/:443$/, '')}/v1/notifications/certs/CERT-bench`,
    'paypal-auth-algo': 'SHA256withRSA',
  };
  const first = await verifier.verify(body, headers);
  if (!first.ok) throw new Error(`benchmark setup: verification failed: ${first.failure.message}`);
  for (let i = 0; i < 2000; i++) await verifier.verify(body, headers); // warm-up
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await verifier.verify(body, headers);
    samples[i] = (performance.now() - t0) * 1000;
  }
  samples.sort();
  return {
    iterations,
    medianMicros: round(samples[Math.floor(iterations / 2)]!),
    p99Micros: round(samples[Math.floor(iterations * 0.99)]!),
    bodyBytes: body.length,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
