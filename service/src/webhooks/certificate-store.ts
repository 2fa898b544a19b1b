// Fetches, checks and caches PayPal's webhook signing certificates.
//
// A certificate is used only if:
//   - its URL is https, on a host of PAYPAL_CERT_HOSTS (checked before any request is made);
//   - it is within its validity dates (checked at every use, not only when fetched);
//   - it names PayPal's message-verification host;
//   - it chains, through intermediates the service carries (PayPal serves the leaf only), to a
//     trusted root, every certificate of the chain valid now and every signature checked.
import { X509Certificate, type KeyObject } from 'node:crypto';
import * as https from 'node:https';
import type { Logger } from '../shared/logger.ts';
import type { TrustStore } from './trust-store.ts';
import { failure, type VerificationFailure } from './verification-failure.ts';

export const PAYPAL_SIGNER_HOSTS = {
  live: 'messageverificationcerts.paypal.com',
  sandbox: 'messageverificationcerts.sandbox.paypal.com',
} as const;

const MAX_CERT_BYTES = 64 * 1024;
const MAX_CHAIN_DEPTH = 6;

export type CertificateResult = { ok: true; key: KeyObject; cert: X509Certificate } | { ok: false; failure: VerificationFailure };

export type CertificateFetcher = (url: URL) => Promise<string>;

export interface CertificateStoreOptions {
  /** Allowed hosts: "host" (port 443) or "host:port". */
  allowedHosts: readonly string[];
  /** Host names a signing certificate may carry. */
  signerHosts: readonly string[];
  trust: TrustStore;
  logger: Logger;
  clock?: () => Date;
  fetchCertificate?: CertificateFetcher;
  /** How many certificates to keep (PayPal rotates them rarely; a few URLs are in use at once). */
  maxEntries?: number;
  /** How long a failed fetch is remembered, so a burst of deliveries does not hammer PayPal. */
  failureTtlMs?: number;
}

interface CacheEntry {
  result: Promise<CertificateResult>;
  /** For failures: when to forget them. */
  expiresAt: number;
}

export class CertificateStore {
  private readonly allowed: ReadonlySet<string>;
  private readonly signerHosts: readonly string[];
  private readonly trust: TrustStore;
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly fetchCertificate: CertificateFetcher;
  private readonly maxEntries: number;
  private readonly failureTtlMs: number;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: CertificateStoreOptions) {
    this.allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
    this.signerHosts = options.signerHosts;
    this.trust = options.trust;
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
    this.fetchCertificate = options.fetchCertificate ?? fetchOverHttps;
    this.maxEntries = options.maxEntries ?? 32;
    this.failureTtlMs = options.failureTtlMs ?? 10_000;
  }

  /** Checks the URL and returns the public key of a valid, trusted PayPal signing certificate. */
  async get(rawUrl: string): Promise<CertificateResult> {
    const urlCheck = this.checkUrl(rawUrl);
    if (!urlCheck.ok) return urlCheck;
    const key = urlCheck.url.href;
    const now = this.clock().getTime();
    let entry = this.cache.get(key);
    if (entry && entry.expiresAt <= now) {
      this.cache.delete(key);
      entry = undefined;
    }
    if (!entry) {
      const fresh: CacheEntry = { result: this.load(urlCheck.url), expiresAt: Infinity };
      this.remember(key, fresh);
      void fresh.result.then((r) => {
        if (!r.ok) fresh.expiresAt = this.clock().getTime() + this.failureTtlMs;
      });
      entry = fresh;
    }
    const result = await entry.result;
    if (!result.ok) return result;
    // Dates are checked at every use: a cached certificate expires like any other.
    const dates = this.checkDates(result.cert, 'the signing certificate');
    return dates ?? result;
  }

  /** Number of cached certificates (for tests and diagnostics). */
  get size(): number {
    return this.cache.size;
  }

  private remember(key: string, entry: CacheEntry): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, entry);
  }

  private checkUrl(rawUrl: string): { ok: true; url: URL } | { ok: false; failure: VerificationFailure } {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return { ok: false, failure: failure('CERT_URL_INVALID', `PAYPAL-CERT-URL is not a URL: ${JSON.stringify(rawUrl.slice(0, 200))}`) };
    }
    if (url.protocol !== 'https:') {
      return { ok: false, failure: failure('CERT_URL_NOT_HTTPS', `PAYPAL-CERT-URL must be https; refusing ${url.protocol}// (no request was made)`) };
    }
    if (url.username || url.password) {
      return { ok: false, failure: failure('CERT_URL_INVALID', 'PAYPAL-CERT-URL must not carry credentials (no request was made)') };
    }
    const hostPort = url.port ? `${url.hostname}:${url.port}` : url.hostname;
    if (!this.allowed.has(hostPort.toLowerCase())) {
      return {
        ok: false,
        failure: failure(
          'CERT_URL_HOST_NOT_ALLOWED',
          `PAYPAL-CERT-URL host ${hostPort} is not in PAYPAL_CERT_HOSTS (${[...this.allowed].join(', ')}); no request was made`,
        ),
      };
    }
    return { ok: true, url };
  }

  private async load(url: URL): Promise<CertificateResult> {
    let pem: string;
    try {
      pem = await this.fetchCertificate(url);
    } catch (err) {
      this.logger.warn('could not fetch the PayPal signing certificate', { certUrl: url.href, err });
      return { ok: false, failure: failure('CERT_FETCH_FAILED', `could not fetch the signing certificate from ${url.href}: ${(err as Error).message}`) };
    }
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
      return { ok: false, failure: failure('CERT_INVALID', `${url.href} did not return a PEM certificate`) };
    }
    let chain: X509Certificate[];
    try {
      chain = blocks.map((b) => new X509Certificate(b));
    } catch (err) {
      return { ok: false, failure: failure('CERT_INVALID', `the certificate at ${url.href} does not parse: ${(err as Error).message}`) };
    }
    const leaf = chain[0]!;
    const checked = this.checkLeaf(leaf) ?? this.checkChain(leaf, chain.slice(1));
    if (checked) {
      this.logger.warn('refused a webhook signing certificate', { certUrl: url.href, code: checked.failure.code, reason: checked.failure.message });
      return checked;
    }
    this.logger.info('PayPal signing certificate verified and cached', {
      certUrl: url.href,
      subject: leaf.subject.replace(/\n/g, ', '),
      validTo: leaf.validTo,
      fingerprint256: leaf.fingerprint256,
    });
    return { ok: true, key: leaf.publicKey, cert: leaf };
  }

  private checkDates(cert: X509Certificate, what: string): { ok: false; failure: VerificationFailure } | null {
    const now = this.clock().getTime();
    if (now < Date.parse(cert.validFrom)) {
      return { ok: false, failure: failure('CERT_NOT_YET_VALID', `${what} is not valid before ${cert.validFrom}`) };
    }
    if (now > Date.parse(cert.validTo)) {
      return { ok: false, failure: failure('CERT_EXPIRED', `${what} expired on ${cert.validTo}`) };
    }
    return null;
  }

  private checkLeaf(leaf: X509Certificate): { ok: false; failure: VerificationFailure } | null {
    const dates = this.checkDates(leaf, 'the signing certificate');
    if (dates) return dates;
    if (!this.signerHosts.some((host) => leaf.checkHost(host) !== undefined)) {
      return {
        ok: false,
        failure: failure(
          'CERT_WRONG_NAME',
          `the signing certificate is for ${describeNames(leaf)}, not PayPal's message-verification host (${this.signerHosts.join(' or ')})`,
        ),
      };
    }
    return null;
  }

  /**
   * Walks from the leaf to a trusted root. Candidates for each issuer: trusted roots first (the
   * chain ends there), then carried intermediates, then extra certificates the URL served (never
   * trusted by themselves, only as links).
   */
  private checkChain(leaf: X509Certificate, served: X509Certificate[]): { ok: false; failure: VerificationFailure } | null {
    let current = leaf;
    for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
      const root = (this.trust.roots.get(current.issuer) ?? []).find((r) => isIssuer(r, current));
      if (root) {
        return this.checkDates(root, `the root certificate "${shortName(root.subject)}"`);
      }
      const next =
        (this.trust.intermediates.get(current.issuer) ?? []).find((c) => isIssuer(c, current)) ??
        served.find((c) => c.subject === current.issuer && isIssuer(c, current));
      if (!next) break;
      const dates = this.checkDates(next, `the intermediate certificate "${shortName(next.subject)}"`);
      if (dates) return dates;
      current = next;
    }
    return {
      ok: false,
      failure: failure(
        'CERT_UNTRUSTED',
        `the signing certificate does not chain to a trusted root: no trusted issuer for "${shortName(current.issuer)}". ` +
          'If PayPal moved to a new intermediate, add it with PAYPAL_CERT_INTERMEDIATES.',
      ),
    };
  }
}

function isIssuer(candidate: X509Certificate, cert: X509Certificate): boolean {
  if (!candidate.ca) return false;
  if (!cert.checkIssued(candidate)) return false;
  try {
    return cert.verify(candidate.publicKey);
  } catch {
    return false;
  }
}

function shortName(dn: string): string {
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(dn);
  return cn?.[1] ?? dn.replace(/\n/g, ', ');
}

function describeNames(cert: X509Certificate): string {
  return cert.subjectAltName ?? shortName(cert.subject);
}

/** GET over https with the process's trust store; no redirects; small bodies only. */
export function fetchOverHttps(url: URL, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: timeoutMs, headers: { accept: 'application/x-pem-file, text/plain, */*' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode ?? '?'}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_CERT_BYTES) {
          req.destroy(new Error(`certificate response larger than ${MAX_CERT_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}
