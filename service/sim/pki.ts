// A private PKI that plays PayPal's certificate hierarchy in tests, the demo and benchmarks.
//
// Real PayPal: a leaf certificate for messageverificationcerts[.sandbox].paypal.com, issued by a
// DigiCert intermediate, under a root every system store holds; the certificate URL serves the leaf
// only. Here: a leaf with the same name, issued by our "intermediate", under our own root, which the
// processes that must trust it receive through NODE_EXTRA_CA_CERTS. The service carries the
// intermediate the way it carries DigiCert's (PAYPAL_CERT_INTERMEDIATES), so the same chain-building
// code runs. Besides the good signer there are deliberately bad ones (expired, wrong name, issued by
// an untrusted CA) and a TLS certificate for the simulator's https listener on localhost.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY = 24 * 3600 * 1000;

export const PAYPAL_SANDBOX_SIGNER_HOST = 'messageverificationcerts.sandbox.paypal.com';

/** Files of the test PKI, all PEM. */
export interface TestPki {
  dir: string;
  /** Our root: trust it through NODE_EXTRA_CA_CERTS. */
  rootCert: string;
  /** Our intermediate: the service carries it (PAYPAL_CERT_INTERMEDIATES). */
  intermediateCert: string;
  signers: Record<SignerName, { cert: string; key: string }>;
  /** TLS server certificate for localhost / 127.0.0.1, issued by the root. */
  tls: { cert: string; key: string };
}

export type SignerName = 'good' | 'expired' | 'notYetValid' | 'wrongName' | 'untrusted';

const VERSION = 3; // bump when the layout changes so cached PKIs are rebuilt

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function makeCa(name: string, issuer: Issued | null, notBefore: Date, notAfter: Date): Promise<Issued> {
  const keys = await newKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, issuer ? 0 : undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: issuer ? issuer.cert.subject : name,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: (issuer ?? { keys }).keys.privateKey,
    extensions,
  });
  return { cert, keys };
}

async function makeLeaf(
  subject: string,
  dnsNames: string[],
  ips: string[],
  issuer: Issued,
  notBefore: Date,
  notAfter: Date,
  usage: 'signing' | 'tls',
): Promise<Issued> {
  const keys = await newKeys();
  const altNames: x509.JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.SubjectAlternativeNameExtension(altNames),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
  ];
  if (usage === 'tls') extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  else extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuer.cert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions,
  });
  return { cert, keys };
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(12));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

function filesOf(dir: string): TestPki {
  const f = (name: string) => path.join(dir, name);
  const signer = (name: string) => ({ cert: f(`signer-${name}.pem`), key: f(`signer-${name}.key`) });
  return {
    dir,
    rootCert: f('root-ca.pem'),
    intermediateCert: f('intermediate-ca.pem'),
    signers: {
      good: signer('good'),
      expired: signer('expired'),
      notYetValid: signer('not-yet-valid'),
      wrongName: signer('wrong-name'),
      untrusted: signer('untrusted'),
    },
    tls: { cert: f('tls-localhost.pem'), key: f('tls-localhost.key') },
  };
}

function isFresh(dir: string): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(dir, 'pki.json'), 'utf8')) as { version: number; validUntil: string };
    // Rebuild well before the good certificates expire.
    return stamp.version === VERSION && Date.parse(stamp.validUntil) - Date.now() > 30 * DAY;
  } catch {
    return false;
  }
}

/**
 * Returns the test PKI in `dir`, creating it when it is missing or close to expiry. Safe to call
 * from several processes: the PKI is built in a temporary folder and renamed into place.
 */
export async function ensureTestPki(dir: string): Promise<TestPki> {
  if (isFresh(dir)) return filesOf(dir);
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  const now = Date.now();
  const from = new Date(now - DAY);
  const until = new Date(now + 400 * DAY);

  const root = await makeCa('CN=PayPal Bridge Test Root CA, O=PayPal Bridge Tests', null, from, new Date(now + 800 * DAY));
  const intermediate = await makeCa('CN=PayPal Bridge Test Signing CA, O=PayPal Bridge Tests', root, from, new Date(now + 600 * DAY));
  const rogueRoot = await makeCa('CN=Rogue Root CA, O=Not Trusted', null, from, until);

  const host = PAYPAL_SANDBOX_SIGNER_HOST;
  const subject = `CN=${host}, O=PayPal Inc., L=San Jose, ST=California, C=US`;
  const signers: Record<SignerName, Issued> = {
    good: await makeLeaf(subject, [host], [], intermediate, from, until, 'signing'),
    expired: await makeLeaf(subject, [host], [], intermediate, new Date(now - 400 * DAY), new Date(now - 2 * DAY), 'signing'),
    notYetValid: await makeLeaf(subject, [host], [], intermediate, new Date(now + 10 * DAY), until, 'signing'),
    wrongName: await makeLeaf('CN=www.example.com, O=Example', ['www.example.com'], [], intermediate, from, until, 'signing'),
    untrusted: await makeLeaf(subject, [host], [], rogueRoot, from, until, 'signing'),
  };
  const tlsLeaf = await makeLeaf('CN=localhost', ['localhost'], ['127.0.0.1', '::1'], root, from, until, 'tls');

  const files = filesOf(tmp);
  fs.writeFileSync(files.rootCert, root.cert.toString('pem') + '\n');
  fs.writeFileSync(files.intermediateCert, intermediate.cert.toString('pem') + '\n');
  for (const name of Object.keys(signers) as SignerName[]) {
    const s = signers[name];
    fs.writeFileSync(files.signers[name].cert, s.cert.toString('pem') + '\n');
    fs.writeFileSync(files.signers[name].key, await keyPem(s.keys.privateKey), { mode: 0o600 });
  }
  fs.writeFileSync(files.tls.cert, tlsLeaf.cert.toString('pem') + '\n');
  fs.writeFileSync(files.tls.key, await keyPem(tlsLeaf.keys.privateKey), { mode: 0o600 });
  fs.writeFileSync(path.join(tmp, 'pki.json'), JSON.stringify({ version: VERSION, validUntil: until.toISOString() }) + '\n');

  if (isFresh(dir)) {
    fs.rmSync(tmp, { recursive: true, force: true }); // another process won the race
  } else {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.renameSync(tmp, dir);
  }
  return filesOf(dir);
}

/** Where tests find the PKI: the folder scripts/test.ts created and exported. */
export function testPkiDir(): string {
  return path.resolve(process.env['TEST_PKI_DIR'] ?? '.cache/test-pki');
}
