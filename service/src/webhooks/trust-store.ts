// The certificates a webhook signing certificate may chain to.
//
// Roots: Node's bundled Mozilla store plus NODE_EXTRA_CA_CERTS ("default") and the operating
// system's store ("system"). Intermediates: PayPal's certificate URL serves only the leaf, whose
// issuer is an intermediate that no root store holds, so the service carries the public
// intermediates PayPal's signing certificates use (service/certs/*.pem) and, optionally, an extra
// PEM file named by PAYPAL_CERT_INTERMEDIATES (a private test PKI, or a new PayPal intermediate
// before the next release ships it).
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export const CARRIED_INTERMEDIATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'certs');

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits a PEM text into certificates; throws with the source named when one does not parse. */
export function parsePemBundle(pem: string, source: string): X509Certificate[] {
  const blocks = pem.match(PEM_RE) ?? [];
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new Error(`certificate ${i + 1} in ${source} does not parse: ${(err as Error).message}`);
    }
  });
}

export interface TrustStore {
  /** Trusted roots, by subject. */
  readonly roots: ReadonlyMap<string, readonly X509Certificate[]>;
  /** Carried intermediates, by subject. */
  readonly intermediates: ReadonlyMap<string, readonly X509Certificate[]>;
}

function indexBySubject(certs: Iterable<X509Certificate>): Map<string, X509Certificate[]> {
  const seen = new Set<string>();
  const map = new Map<string, X509Certificate[]>();
  for (const cert of certs) {
    if (seen.has(cert.fingerprint256)) continue;
    seen.add(cert.fingerprint256);
    const list = map.get(cert.subject);
    if (list) list.push(cert);
    else map.set(cert.subject, [cert]);
  }
  return map;
}

function loadRoots(): X509Certificate[] {
  const pems = new Set<string>([...tls.getCACertificates('default'), ...tls.getCACertificates('system')]);
  const out: X509Certificate[] = [];
  for (const pem of pems) {
    try {
      out.push(new X509Certificate(pem));
    } catch {
      // A store entry Node cannot parse cannot anchor a chain either.
    }
  }
  return out;
}

export function loadIntermediates(extraFile?: string): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const name of fs.readdirSync(CARRIED_INTERMEDIATES_DIR).filter((n) => n.endsWith('.pem')).sort()) {
    const file = path.join(CARRIED_INTERMEDIATES_DIR, name);
    certs.push(...parsePemBundle(fs.readFileSync(file, 'utf8'), file));
  }
  if (extraFile) {
    let text: string;
    try {
      text = fs.readFileSync(extraFile, 'utf8');
    } catch (err) {
      throw new Error(`PAYPAL_CERT_INTERMEDIATES: cannot read ${extraFile}: ${(err as Error).message}`);
    }
    const extra = parsePemBundle(text, extraFile);
    if (extra.length === 0) throw new Error(`PAYPAL_CERT_INTERMEDIATES: ${extraFile} holds no PEM certificate`);
    certs.push(...extra);
  }
  return certs;
}

export function createTrustStore(options: { extraIntermediatesFile?: string | undefined; roots?: X509Certificate[]; intermediates?: X509Certificate[] } = {}): TrustStore {
  return {
    roots: indexBySubject(options.roots ?? loadRoots()),
    intermediates: indexBySubject(options.intermediates ?? loadIntermediates(options.extraIntermediatesFile)),
  };
}
