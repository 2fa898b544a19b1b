// POST /webhooks/paypal: raw body → size limit → the five PAYPAL-* headers → local signature
// verification → envelope → durable insert (group commit) → 2xx. Nothing is processed here: no
// Odoo call happens on the request path, and nothing from a failed verification is ever stored
// as processable. PayPal gets:
//   200  stored (or already stored: a redelivery)
//   400  malformed request (headers, JSON, envelope, certificate URL)
//   401  the signature or the certificate does not prove the event came from PayPal
//   413  body larger than WEBHOOK_MAX_BODY_BYTES
//   503  we could not store it (or could not fetch PayPal's certificate): PayPal retries later
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import type { InsertResult, NewInboxEvent } from '../inbox/types.ts';
import type { Logger } from '../shared/logger.ts';
import type { ServiceMetrics } from '../shared/metrics.ts';
import { parseEnvelope } from './envelope.ts';
import type { SignatureVerifier } from './signature-verifier.ts';
import type { VerificationFailureCode } from './verification-failure.ts';

export const WEBHOOK_PATH = '/webhooks/paypal';

/** Where a verified event goes: the intake batcher in production. */
export interface EventSink {
  submit(event: NewInboxEvent): Promise<InsertResult>;
}

export interface WebhookRouteOptions {
  verifier: SignatureVerifier;
  sink: EventSink;
  maxBodyBytes: number;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Groups the events of one payment; see sync/event-catalogue.ts. */
  partitionKeyOf: (envelope: unknown) => string | null;
  /** Called after an event was stored for the first time (wakes the worker). */
  onStored?: () => void;
  clock?: () => Date;
}

const AUDIT_HEADERS = [
  'paypal-transmission-id',
  'paypal-transmission-time',
  'paypal-transmission-sig',
  'paypal-cert-url',
  'paypal-auth-algo',
  'content-type',
  'user-agent',
  'correlation-id',
];

function statusFor(code: VerificationFailureCode): number {
  switch (code) {
    case 'MISSING_HEADER':
    case 'MALFORMED_HEADER':
    case 'UNSUPPORTED_AUTH_ALGO':
    case 'CERT_URL_INVALID':
    case 'CERT_URL_NOT_HTTPS':
    case 'CERT_URL_HOST_NOT_ALLOWED':
      return 400;
    case 'CERT_FETCH_FAILED':
      return 503;
    case 'CERT_INVALID':
    case 'CERT_EXPIRED':
    case 'CERT_NOT_YET_VALID':
    case 'CERT_WRONG_NAME':
    case 'CERT_UNTRUSTED':
    case 'SIGNATURE_MISMATCH':
      return 401;
  }
}

/**
 * What the sender is told about a failed verification. The verifier's own message, which names
 * our webhook id, the allowed certificate hosts or the certificate fetch's error, goes to the log
 * only: an unauthenticated caller learns the kind of failure, not the configuration.
 */
const PUBLIC_MESSAGES: Record<VerificationFailureCode, string> = {
  MISSING_HEADER: 'a PAYPAL-* signature header is missing',
  UNSUPPORTED_AUTH_ALGO: 'PAYPAL-AUTH-ALGO is not SHA256withRSA',
  MALFORMED_HEADER: 'a PAYPAL-* signature header is malformed',
  CERT_URL_INVALID: 'PAYPAL-CERT-URL is not a valid URL; no request was made to it',
  CERT_URL_NOT_HTTPS: 'PAYPAL-CERT-URL is not https; no request was made to it',
  CERT_URL_HOST_NOT_ALLOWED: "PAYPAL-CERT-URL is not on PayPal's certificate hosts; no request was made to it",
  CERT_FETCH_FAILED: 'the signing certificate could not be fetched; retry later',
  CERT_INVALID: 'the signing certificate is not a valid certificate',
  CERT_EXPIRED: 'the signing certificate has expired',
  CERT_NOT_YET_VALID: 'the signing certificate is not valid yet',
  CERT_WRONG_NAME: "the signing certificate does not name PayPal's message-verification host",
  CERT_UNTRUSTED: 'the signing certificate does not chain to a trusted root',
  SIGNATURE_MISMATCH: 'the signature does not match the event and this endpoint',
};

function pickHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of AUDIT_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

export function createWebhookRouter(options: WebhookRouteOptions): Router {
  const { verifier, sink, logger, metrics, partitionKeyOf } = options;
  const clock = options.clock ?? (() => new Date());
  const log = logger.child('webhook');
  const router = express.Router();

  /** `reason` is logged; `message` (by default the same) is what the sender reads. */
  function reject(res: Response, status: number, code: string, reason: string, extra: Record<string, unknown> = {}, message = reason): void {
    metrics.webhooksReceived.inc({ outcome: `rejected_${code.toLowerCase()}` });
    log.warn('webhook rejected', { status, code, reason, ...extra });
    if (status === 503) res.set('Retry-After', '30');
    res.status(status).json({ error: code, message });
  }

  router.post(
    WEBHOOK_PATH,
    express.raw({ type: () => true, limit: options.maxBodyBytes }),
    async (req: Request, res: Response) => {
      const started = process.hrtime.bigint();
      const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (rawBody.length === 0) {
        reject(res, 400, 'EMPTY_BODY', 'the request has no body');
        return;
      }

      const verification = await verifier.verify(rawBody, req.headers);
      if (!verification.ok) {
        const { code, message } = verification.failure;
        reject(res, statusFor(code), code, message, { transmissionId: req.headers['paypal-transmission-id'] }, PUBLIC_MESSAGES[code]);
        return;
      }

      const parsed = parseEnvelope(rawBody);
      if (!parsed.ok) {
        reject(res, 400, parsed.code, parsed.message);
        return;
      }
      const { envelope, json } = parsed;

      const event: NewInboxEvent = {
        eventId: envelope.id,
        eventType: envelope.event_type,
        resourceType: envelope.resource_type ?? null,
        resourceId: envelope.resource?.id ?? envelope.resource?.dispute_id ?? null,
        partitionKey: partitionKeyOf(json),
        rawBody,
        headers: pickHeaders(req),
        receivedAt: clock(),
      };

      let result: InsertResult;
      try {
        result = await sink.submit(event);
      } catch (err) {
        metrics.webhooksReceived.inc({ outcome: 'store_failed' });
        log.error('could not store a verified webhook; PayPal will retry it', { paypalEventId: event.eventId, eventType: event.eventType, err });
        res.set('Retry-After', '30');
        res.status(503).json({ error: 'STORE_UNAVAILABLE', message: 'the event could not be stored; retry later' });
        return;
      }

      const outcome = result.inserted ? 'stored' : 'duplicate';
      metrics.webhooksReceived.inc({ outcome });
      metrics.webhookAckSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      log.info(result.inserted ? 'webhook stored' : 'webhook already stored (redelivery)', {
        paypalEventId: event.eventId,
        eventType: event.eventType,
        verifiedBy: verification.method,
      });
      if (result.inserted) options.onStored?.();
      res.status(200).json({ status: outcome, event_id: event.eventId });
    },
  );

  // Errors raised while reading the body (too large, aborted, bad encoding).
  router.use(WEBHOOK_PATH, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      reject(res, 413, 'BODY_TOO_LARGE', `the body is larger than ${options.maxBodyBytes} bytes`);
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      reject(res, e.status, 'BAD_REQUEST', e.message ?? 'the request could not be read');
      return;
    }
    next(err);
  });

  return router;
}
