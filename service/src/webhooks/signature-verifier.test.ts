import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureTestPki, testPkiDir, type SignerName, type TestPki } from '../../sim/pki.ts';
import { createMemoryLogger } from '../shared/logger.ts';
import { CertificateStore, PAYPAL_SIGNER_HOSTS } from './certificate-store.ts';
import { SignatureVerifier, signedMessage } from './signature-verifier.ts';
import { createTrustStore, type TrustStore } from './trust-store.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/real-paypal-webhooks');
const BOTH_SIGNER_HOSTS = [PAYPAL_SIGNER_HOSTS.live, PAYPAL_SIGNER_HOSTS.sandbox];

interface RealDelivery {
  name: string;
  body: Buffer;
  headers: Record<string, string>;
  webhookId: string;
  certPem: string;
  cert: crypto.X509Certificate;
}

function loadRealDeliveries(): RealDelivery[] {
  return fs
    .readdirSync(FIXTURES)
    .sort()
    .map((name) => {
      const dir = path.join(FIXTURES, name);
      const rawHeaders = JSON.parse(fs.readFileSync(path.join(dir, 'headers.json'), 'utf8')) as Record<string, string>;
      const headers = Object.fromEntries(Object.entries(rawHeaders).map(([k, v]) => [k.toLowerCase(), v]));
      const certPem = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      return {
        name,
        body: fs.readFileSync(path.join(dir, 'body.json')),
        headers,
        webhookId: fs.readFileSync(path.join(dir, 'webhook-id.txt'), 'utf8').trim(),
        certPem,
        cert: new crypto.X509Certificate(certPem),
      };
    });
}

/** A moment inside the certificate's validity window. */
function insideValidity(cert: crypto.X509Certificate): Date {
  return new Date((Date.parse(cert.validFrom) + Date.parse(cert.validTo)) / 2);
}

function verifierFor(opts: {
  webhookId: string;
  trust: TrustStore;
  allowedHosts: string[];
  fetchCertificate: (url: URL) => Promise<string>;
  clock?: () => Date;
  signerHosts?: string[];
}) {
  const logger = createMemoryLogger();
  const certificates = new CertificateStore({
    allowedHosts: opts.allowedHosts,
    signerHosts: opts.signerHosts ?? BOTH_SIGNER_HOSTS,
    trust: opts.trust,
    logger,
    fetchCertificate: opts.fetchCertificate,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return { verifier: new SignatureVerifier({ webhookId: opts.webhookId, certificates, logger }), certificates, logger };
}

describe('real PayPal deliveries (PayPal-signed, certificates chained through the carried DigiCert intermediate)', () => {
  const deliveries = loadRealDeliveries();
  const trust = createTrustStore(); // the system/default roots and the intermediates in service/certs

  test('the fixtures are there', () => {
    assert.ok(deliveries.length >= 4, `expected real deliveries in ${FIXTURES}`);
  });

  for (const d of deliveries) {
    const fetchFor = (served: string[]) => async (url: URL) => {
      served.push(url.href);
      assert.equal(url.href, d.headers['paypal-cert-url']);
      return d.certPem;
    };

    test(`${d.name}: verifies at a time the certificate was valid`, async () => {
      const served: string[] = [];
      const { verifier } = verifierFor({
        webhookId: d.webhookId,
        trust,
        allowedHosts: ['api.paypal.com', 'api.sandbox.paypal.com'],
        fetchCertificate: fetchFor(served),
        clock: () => insideValidity(d.cert),
      });
      const result = await verifier.verify(d.body, d.headers);
      assert.deepEqual(result, { ok: true, method: 'local' });
      assert.equal(served.length, 1);
    });

    test(`${d.name}: one changed byte, another webhook id or an altered transmission time are refused`, async () => {
      const served: string[] = [];
      const base = { trust, allowedHosts: ['api.paypal.com', 'api.sandbox.paypal.com'], fetchCertificate: fetchFor(served), clock: () => insideValidity(d.cert) };
      const tampered = Buffer.from(d.body);
      tampered[tampered.length - 2] = tampered[tampered.length - 2]! ^ 0x01;
      const v = verifierFor({ ...base, webhookId: d.webhookId }).verifier;
      assert.equal((await v.verify(tampered, d.headers)) .ok, false);
      const other = verifierFor({ ...base, webhookId: `${d.webhookId}X` }).verifier;
      const r2 = await other.verify(d.body, d.headers);
      assert.equal(r2.ok, false);
      assert.equal(!r2.ok && r2.failure.code, 'SIGNATURE_MISMATCH');
      const r3 = await v.verify(d.body, { ...d.headers, 'paypal-transmission-time': '2030-01-01T00:00:00Z' });
      assert.equal(!r3.ok && r3.failure.code, 'SIGNATURE_MISMATCH');
    });

    test(`${d.name}: refused today because its certificate has expired`, async () => {
      const { verifier } = verifierFor({
        webhookId: d.webhookId,
        trust,
        allowedHosts: ['api.paypal.com', 'api.sandbox.paypal.com'],
        fetchCertificate: fetchFor([]),
        clock: () => new Date(Date.parse(d.cert.validTo) + 24 * 3600 * 1000),
      });
      const result = await verifier.verify(d.body, d.headers);
      assert.equal(!result.ok && result.failure.code, 'CERT_EXPIRED');
    });
  }

  test('without the carried intermediate, a real PayPal certificate does not chain to a trusted root', async () => {
    const d = deliveries[0]!;
    const noIntermediates = createTrustStore({ intermediates: [] });
    const { verifier } = verifierFor({
      webhookId: d.webhookId,
      trust: noIntermediates,
      allowedHosts: ['api.paypal.com', 'api.sandbox.paypal.com'],
      fetchCertificate: async () => d.certPem,
      clock: () => insideValidity(d.cert),
    });
    const result = await verifier.verify(d.body, d.headers);
    assert.equal(!result.ok && result.failure.code, 'CERT_UNTRUSTED');
  });
});

describe('the test PKI (root trusted through NODE_EXTRA_CA_CERTS, intermediate carried)', () => {
  let pki: TestPki;
  let trust: TrustStore;
  const webhookId = 'WH-TEST-0001';
  const host = 'certs.test:8443';
  const body = Buffer.from(JSON.stringify({ id: 'WH-1', event_type: 'PAYMENT.CAPTURE.COMPLETED', resource: { id: 'CAP1', note: 'naïve €' } }));

  before(async () => {
    pki = await ensureTestPki(testPkiDir());
    assert.ok(process.env['NODE_EXTRA_CA_CERTS'], 'run through npm test: NODE_EXTRA_CA_CERTS must name the test root');
    trust = createTrustStore({ extraIntermediatesFile: pki.intermediateCert });
  });

  function signed(signer: SignerName, overrides: { webhookId?: string; certUrl?: string } = {}) {
    const transmissionId = crypto.randomUUID();
    const transmissionTime = new Date().toISOString();
    const key = fs.readFileSync(pki.signers[signer].key, 'utf8');
    const sig = crypto.sign('sha256', signedMessage(transmissionId, transmissionTime, overrides.webhookId ?? webhookId, body), key).toString('base64');
    return {
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': transmissionTime,
      'paypal-transmission-sig': sig,
      'paypal-cert-url': overrides.certUrl ?? `https://${host}/v1/notifications/certs/CERT-${signer}`,
      'paypal-auth-algo': 'SHA256withRSA',
    };
  }

  function setup(fetched: string[] = []) {
    return verifierFor({
      webhookId,
      trust,
      allowedHosts: [host],
      fetchCertificate: async (url) => {
        fetched.push(url.href);
        const signer = url.pathname.split('CERT-')[1] as SignerName;
        return fs.readFileSync(pki.signers[signer].cert, 'utf8');
      },
    });
  }

  test('a good signature verifies, and the certificate is fetched once for many events', async () => {
    const fetched: string[] = [];
    const { verifier, certificates } = setup(fetched);
    for (let i = 0; i < 5; i++) assert.deepEqual(await verifier.verify(body, signed('good')), { ok: true, method: 'local' });
    assert.equal(fetched.length, 1);
    assert.equal(certificates.size, 1);
  });

  const refusals: Array<[SignerName, string]> = [
    ['expired', 'CERT_EXPIRED'],
    ['notYetValid', 'CERT_NOT_YET_VALID'],
    ['wrongName', 'CERT_WRONG_NAME'],
    ['untrusted', 'CERT_UNTRUSTED'],
  ];
  for (const [signer, code] of refusals) {
    test(`a certificate that is ${signer} is refused with ${code}`, async () => {
      const { verifier } = setup();
      const result = await verifier.verify(body, signed(signer));
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.failure.code, code);
      assert.match(!result.ok ? result.failure.message : '', /\S/);
    });
  }

  test('an http or off-list certificate URL is refused before any request is made', async () => {
    const fetched: string[] = [];
    const { verifier } = setup(fetched);
    const http = await verifier.verify(body, signed('good', { certUrl: `http://${host}/v1/notifications/certs/CERT-good` }));
    assert.equal(!http.ok && http.failure.code, 'CERT_URL_NOT_HTTPS');
    const offList = await verifier.verify(body, signed('good', { certUrl: 'https://evil.example.com/v1/notifications/certs/CERT-good' }));
    assert.equal(!offList.ok && offList.failure.code, 'CERT_URL_HOST_NOT_ALLOWED');
    const otherPort = await verifier.verify(body, signed('good', { certUrl: 'https://certs.test:9999/v1/notifications/certs/CERT-good' }));
    assert.equal(!otherPort.ok && otherPort.failure.code, 'CERT_URL_HOST_NOT_ALLOWED');
    const creds = await verifier.verify(body, signed('good', { certUrl: `https://user:pw@${host}/CERT-good` }));
    assert.equal(!creds.ok && creds.failure.code, 'CERT_URL_INVALID');
    assert.deepEqual(fetched, []);
  });

  test('each missing header is named; an unknown algorithm and a non-base64 signature are refused', async () => {
    const { verifier } = setup();
    const headers = signed('good');
    const missing = await verifier.verify(body, { ...headers, 'paypal-cert-url': undefined, 'paypal-transmission-sig': '' });
    assert.equal(!missing.ok && missing.failure.code, 'MISSING_HEADER');
    assert.match(!missing.ok ? missing.failure.message : '', /PAYPAL-TRANSMISSION-SIG, PAYPAL-CERT-URL/);
    const algo = await verifier.verify(body, { ...headers, 'paypal-auth-algo': 'SHA1withRSA' });
    assert.equal(!algo.ok && algo.failure.code, 'UNSUPPORTED_AUTH_ALGO');
    const sig = await verifier.verify(body, { ...headers, 'paypal-transmission-sig': 'not base64!' });
    assert.equal(!sig.ok && sig.failure.code, 'MALFORMED_HEADER');
  });

  test('a tampered body, signature, transmission id or time is refused', async () => {
    const { verifier } = setup();
    const headers = signed('good');
    const cases: Array<[Buffer, Record<string, string>]> = [
      [Buffer.concat([body, Buffer.from(' ')]), headers],
      [body, { ...headers, 'paypal-transmission-id': crypto.randomUUID() }],
      [body, { ...headers, 'paypal-transmission-time': new Date(Date.now() + 1000).toISOString() }],
      [body, { ...headers, 'paypal-transmission-sig': Buffer.from(headers['paypal-transmission-sig'], 'base64').reverse().toString('base64') }],
    ];
    for (const [b, h] of cases) {
      const r = await verifier.verify(b, h);
      assert.equal(!r.ok && r.failure.code, 'SIGNATURE_MISMATCH');
    }
    assert.equal((await verifier.verify(body, headers)).ok, true);
  });

  test('a certificate that expires while cached is refused from then on', async () => {
    let now = new Date();
    const { verifier } = verifierFor({
      webhookId,
      trust,
      allowedHosts: [host],
      fetchCertificate: async () => fs.readFileSync(pki.signers.good.cert, 'utf8'),
      clock: () => now,
    });
    assert.equal((await verifier.verify(body, signed('good'))).ok, true);
    const leaf = new crypto.X509Certificate(fs.readFileSync(pki.signers.good.cert));
    now = new Date(Date.parse(leaf.validTo) + 1000);
    const r = await verifier.verify(body, signed('good'));
    assert.equal(!r.ok && r.failure.code, 'CERT_EXPIRED');
  });

  test('a failed fetch is reported as such and retried after a short while, not forever cached', async () => {
    let calls = 0;
    let now = Date.now();
    const logger = createMemoryLogger();
    const certificates = new CertificateStore({
      allowedHosts: [host],
      signerHosts: BOTH_SIGNER_HOSTS,
      trust,
      logger,
      clock: () => new Date(now),
      failureTtlMs: 5000,
      fetchCertificate: async () => {
        calls++;
        if (calls === 1) throw new Error('connect ECONNREFUSED');
        return fs.readFileSync(pki.signers.good.cert, 'utf8');
      },
    });
    const verifier = new SignatureVerifier({ webhookId, certificates, logger });
    const first = await verifier.verify(body, signed('good'));
    assert.equal(!first.ok && first.failure.code, 'CERT_FETCH_FAILED');
    const cached = await verifier.verify(body, signed('good'));
    assert.equal(!cached.ok && cached.failure.code, 'CERT_FETCH_FAILED');
    assert.equal(calls, 1);
    now += 6000;
    assert.equal((await verifier.verify(body, signed('good'))).ok, true);
    assert.equal(calls, 2);
  });

  test('the postback fallback is used only when local verification could not decide, and only if it says SUCCESS', async () => {
    const logger = createMemoryLogger();
    const asked: string[] = [];
    const make = (answer: boolean, fetchFails: boolean) =>
      new SignatureVerifier({
        webhookId,
        logger,
        certificates: new CertificateStore({
          allowedHosts: [host],
          signerHosts: BOTH_SIGNER_HOSTS,
          trust,
          logger,
          fetchCertificate: async () => {
            if (fetchFails) throw new Error('timed out');
            return fs.readFileSync(pki.signers.good.cert, 'utf8');
          },
        }),
        postback: async (input) => {
          asked.push(input.transmissionId);
          return answer;
        },
      });
    assert.deepEqual(await make(true, true).verify(body, signed('good')), { ok: true, method: 'postback' });
    const refused = await make(false, true).verify(body, signed('good'));
    assert.equal(!refused.ok && refused.failure.code, 'CERT_FETCH_FAILED');
    assert.equal(asked.length, 2);
    // A signature that does not match is never sent to PayPal for a second opinion.
    const mismatch = await make(true, false).verify(Buffer.from('{}'), signed('good'));
    assert.equal(!mismatch.ok && mismatch.failure.code, 'SIGNATURE_MISMATCH');
    assert.equal(asked.length, 2);
  });
});
