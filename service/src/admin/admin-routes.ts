// The back office API (service/ARCHITECTURE.md, "Flows", flow 3): what the PayPal views inside Odoo
// call, with an `admin` token Odoo issues to a PayPal manager (HMAC with BRIDGE_SECRET; user,
// scopes, minutes of life). 401 on a missing, forged or expired token; 403 on a missing scope; CORS
// only for the configured Odoo origins. Every action is written to the audit trail with the user
// who asked.
//
//   GET  /v1/admin/transactions/:reference/timeline            read
//   POST /v1/admin/transactions/:reference/sync                sync
//   POST /v1/admin/transactions/:reference/capture {amount?, idempotency_key}   capture
//   POST /v1/admin/transactions/:reference/void    {idempotency_key}            void
//   POST /v1/admin/transactions/:reference/refund  {amount, idempotency_key}    refund
//   GET  /v1/admin/events?status=dead&limit=&before=            read
//   POST /v1/admin/events/:eventId/replay                      replay
//   GET  /v1/admin/health?hours=24                             read
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { requireToken, tokenOf } from '../auth/require-token.ts';
import { ApiError, apiErrorHandler } from '../http/api-errors.ts';
import { cors } from '../http/cors.ts';
import { INBOX_STATUSES, type AuditEntry, type InboxStatus, type InboxStore } from '../inbox/types.ts';
import type { BridgeApi, TxInfo } from '../odoo/bridge-api.ts';
import { isAlreadyVoided, stableRequestId, type PayPalClient } from '../paypal/index.ts';
import { createAuditor } from '../shared/audit.ts';
import type { Logger } from '../shared/logger.ts';
import { compareAmounts, hasTooManyDecimals, isDecimalAmount, subtractAmounts } from '../shared/money.ts';
import type { PaymentSync } from '../sync/payment-sync.ts';

export interface AdminRouteOptions {
  store: InboxStore;
  paypal: PayPalClient;
  odoo: BridgeApi;
  sync: PaymentSync;
  logger: Logger;
  bridgeSecret: string;
  odooDb: string;
  allowedOrigins: readonly string[];
  /** Called after an event is re-queued (wakes the worker). */
  onReplay?: () => void;
  /** A warning shows when no webhook has arrived for longer than this. */
  webhookSilenceMinutes: number;
  clock?: () => Date;
}

/** Currencies PayPal settles without decimals; every other one it supports has two. */
const ZERO_DECIMAL_CURRENCIES = new Set(['HUF', 'JPY', 'TWD']);

const keyedBody = z.strictObject({ idempotency_key: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'a client-generated key of 8 to 64 letters, digits or dashes') });
const captureBody = keyedBody.extend({ amount: z.string().optional() });
const refundBody = keyedBody.extend({ amount: z.string() });

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new ApiError(400, 'BAD_REQUEST', r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

function checkAmount(amount: string, tx: TxInfo, max: string, what: string): void {
  if (!isDecimalAmount(amount) || compareAmounts(amount, '0') <= 0) throw new ApiError(400, 'BAD_AMOUNT', `${what} amount must be a positive amount such as "10.00"`);
  if (hasTooManyDecimals(amount, ZERO_DECIMAL_CURRENCIES.has(tx.currency) ? 0 : 2)) throw new ApiError(400, 'BAD_AMOUNT', `${tx.currency} amounts have no more than ${ZERO_DECIMAL_CURRENCIES.has(tx.currency) ? 0 : 2} decimals`);
  if (compareAmounts(amount, max) > 0) throw new ApiError(422, 'AMOUNT_TOO_LARGE', `at most ${max} ${tx.currency} can be ${what === 'refund' ? 'refunded' : 'captured'} on ${tx.reference}`);
}

export function createAdminRouter(options: AdminRouteOptions): Router {
  const { store, paypal, odoo, sync } = options;
  const clock = options.clock ?? (() => new Date());
  const log = options.logger.child('admin');
  const router = express.Router();
  const base = { secret: options.bridgeSecret, db: options.odooDb, types: ['admin'] as const, ...(options.clock ? { clock: options.clock } : {}) };
  const need = (scope: string) => requireToken({ ...base, scope });

  const write = createAuditor((entry) => store.appendAudit([entry]), log, clock);
  async function audit(res: Response, subjects: (string | null | undefined)[], summary: string, outcome: AuditEntry['outcome'] = 'ok', detail?: Record<string, unknown>) {
    const user = tokenOf(res).sub;
    await write({ kind: 'admin.action', subjects: subjects.filter((s): s is string => !!s), eventId: null, outcome, summary: `${summary} (Odoo user ${user})`, detail: { user, ...detail } });
  }

  async function transaction(req: Request): Promise<TxInfo> {
    const reference = String(req.params['reference'] ?? '');
    const tx = reference ? await odoo.find({ reference }) : null;
    if (!tx) throw new ApiError(404, 'TRANSACTION_NOT_FOUND', `Odoo has no PayPal transaction ${reference}`);
    return tx;
  }

  router.use('/v1/admin', cors(options.allowedOrigins), express.json({ limit: '8kb' }));

  router.get('/v1/admin/transactions/:reference/timeline', need('read'), async (req, res) => {
    const tx = await transaction(req);
    const subjects = new Set<string>([tx.reference]);
    for (const id of [tx.paypal_order_id, tx.paypal_capture_id, tx.paypal_authorization_id, tx.paypal_refund_id]) if (id) subjects.add(id);
    for (const child of tx.children) {
      subjects.add(child.reference);
      if (child.paypal_capture_id) subjects.add(child.paypal_capture_id);
      if (child.paypal_refund_id) subjects.add(child.paypal_refund_id);
    }
    const limit = Math.min(Number(req.query['limit'] ?? 200) || 200, 500);
    const entries = new Map<number, { at: Date; kind: string; outcome: string; summary: string; eventId: string | null }>();
    for (const subject of subjects) {
      for (const e of await store.listAudit({ subject, limit })) entries.set(e.id, { at: e.at, kind: e.kind, outcome: e.outcome, summary: e.summary, eventId: e.eventId ?? null });
    }
    const received = new Map<string, { at: Date; kind: string; outcome: string; summary: string; eventId: string | null }>();
    for (const subject of subjects) {
      for (const e of await store.list({ reference: subject, limit })) {
        received.set(e.eventId, {
          at: e.receivedAt,
          kind: 'webhook.received',
          outcome: e.status === 'dead' ? 'error' : 'info',
          summary: `${e.eventType} received${e.deliveries > 1 ? ` (${e.deliveries} deliveries)` : ''}: ${e.status}${e.outcome ? ` — ${e.outcome}` : ''}${e.lastError && e.status !== 'done' ? ` — ${e.lastError}` : ''}`,
          eventId: e.eventId,
        });
      }
    }
    const timeline = [...entries.values(), ...received.values()]
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, limit)
      .map((e) => ({ at: e.at.toISOString(), kind: e.kind, outcome: e.outcome, summary: e.summary, event_id: e.eventId }));
    res.json({ reference: tx.reference, subjects: [...subjects], timeline });
  });

  router.post('/v1/admin/transactions/:reference/sync', need('sync'), async (req, res) => {
    const tx = await transaction(req);
    const result = await sync.syncTransaction(tx.reference);
    await audit(res, [tx.reference], `sync from PayPal: ${result.detail}`);
    res.json({ result: result.outcome, detail: result.detail, transaction: await odoo.find({ reference: tx.reference }) });
  });

  router.post('/v1/admin/transactions/:reference/capture', need('capture'), async (req, res) => {
    const body = parse(captureBody, req.body);
    const tx = await transaction(req);
    if (tx.state !== 'authorized' || !tx.paypal_authorization_id) throw new ApiError(409, 'NOT_AUTHORIZED', `${tx.reference} is ${tx.state}, not an open authorization`);
    const remaining = subtractAmounts(tx.amount, tx.captured_amount);
    const amount = body.amount ?? remaining;
    checkAmount(amount, tx, remaining, 'capture');
    const capture = await paypal.captureAuthorization(
      tx.paypal_authorization_id,
      { amount: { currency_code: tx.currency, value: amount }, finalCapture: compareAmounts(amount, remaining) === 0 },
      { requestId: stableRequestId('admin', tx.reference, 'capture', body.idempotency_key) },
    );
    const result = await sync.applyCapture(capture, {});
    await audit(res, [tx.reference, capture.id], `captured ${amount} ${tx.currency}: ${result.detail}`);
    res.json({ result: result.outcome, detail: result.detail, capture_id: capture.id, transaction: await odoo.find({ reference: tx.reference }) });
  });

  router.post('/v1/admin/transactions/:reference/void', need('void'), async (req, res) => {
    parse(keyedBody, req.body);
    const tx = await transaction(req);
    if (tx.state !== 'authorized' || !tx.paypal_authorization_id) throw new ApiError(409, 'NOT_AUTHORIZED', `${tx.reference} is ${tx.state}, not an open authorization`);
    const authId = tx.paypal_authorization_id;
    let auth;
    try {
      auth = await paypal.voidAuthorization(authId, { requestId: stableRequestId('admin', tx.reference, 'void', authId) });
    } catch (err) {
      if (!isAlreadyVoided(err)) throw err;
      auth = await paypal.getAuthorization(authId);
    }
    const result = await sync.applyAuthorization(auth, {});
    await audit(res, [tx.reference, authId], `voided authorization ${authId}: ${result.detail}`);
    res.json({ result: result.outcome, detail: result.detail, transaction: await odoo.find({ reference: tx.reference }) });
  });

  router.post('/v1/admin/transactions/:reference/refund', need('refund'), async (req, res) => {
    const body = parse(refundBody, req.body);
    const tx = await transaction(req);
    if (tx.operation === 'refund') throw new ApiError(409, 'NOT_REFUNDABLE', `${tx.reference} is itself a refund`);
    if (tx.state !== 'done' || !tx.paypal_capture_id) throw new ApiError(409, 'NOT_REFUNDABLE', `${tx.reference} is ${tx.state}; only a captured payment can be refunded`);
    const remaining = subtractAmounts(tx.amount, tx.refunded_amount);
    checkAmount(body.amount, tx, remaining, 'refund');
    const refund = await paypal.refundCapture(
      tx.paypal_capture_id,
      { amount: { currency_code: tx.currency, value: body.amount } },
      { requestId: stableRequestId('admin', tx.reference, 'refund', body.idempotency_key) },
    );
    const result = await sync.syncRefund(refund.id, { resource: refund, captureId: tx.paypal_capture_id });
    await audit(res, [tx.reference, tx.paypal_capture_id, refund.id], `refunded ${body.amount} ${tx.currency}: ${result.detail}`);
    res.json({ result: result.outcome, detail: result.detail, refund_id: refund.id, refund_status: refund.status, transaction: await odoo.find({ reference: tx.reference }) });
  });

  router.get('/v1/admin/events', need('read'), async (req, res) => {
    const status = String(req.query['status'] ?? 'dead');
    if (!(INBOX_STATUSES as readonly string[]).includes(status)) throw new ApiError(400, 'BAD_REQUEST', `status must be one of ${INBOX_STATUSES.join(', ')}`);
    const limit = Math.min(Number(req.query['limit'] ?? 50) || 50, 200);
    const before = req.query['before'] ? Number(req.query['before']) : undefined;
    const events = await store.list({ status: status as InboxStatus, limit, ...(before ? { beforeId: before } : {}) });
    res.json({
      events: events.map((e) => ({
        id: e.id,
        event_id: e.eventId,
        event_type: e.eventType,
        resource_id: e.resourceId,
        status: e.status,
        attempts: e.attempts,
        deliveries: e.deliveries,
        received_at: e.receivedAt.toISOString(),
        next_attempt_at: e.nextAttemptAt.toISOString(),
        last_error: e.lastError,
        outcome: e.outcome,
      })),
    });
  });

  router.post('/v1/admin/events/:eventId/replay', need('replay'), async (req, res) => {
    const eventId = String(req.params['eventId'] ?? '');
    const event = await store.get(eventId);
    if (!event) throw new ApiError(404, 'EVENT_NOT_FOUND', `no event ${eventId} in the inbox`);
    if (event.status === 'pending' || event.status === 'processing') throw new ApiError(409, 'ALREADY_QUEUED', `${eventId} is already ${event.status}`);
    await store.replay({ eventIds: [eventId] });
    options.onReplay?.();
    await audit(res, [event.resourceId, event.partitionKey], `replayed ${event.eventType} ${eventId} (was ${event.status})`, 'info', { eventId });
    res.json({ event_id: eventId, status: 'pending' });
  });

  router.get('/v1/admin/health', need('read'), async (req, res) => {
    const hours = Math.min(Math.max(Number(req.query['hours'] ?? 24) || 24, 1), 24 * 14);
    const now = clock();
    const [stats, activity] = await Promise.all([
      store.stats(now),
      store.activity({ since: new Date(now.getTime() - hours * 3_600_000), bucketMs: hours <= 48 ? 3_600_000 : 6 * 3_600_000, now }),
    ]);
    const last = stats.lastReceivedAt;
    const silentMinutes = last ? Math.floor((now.getTime() - last.getTime()) / 60_000) : null;
    res.json({
      now: now.toISOString(),
      store: store.kind,
      queue: stats.byStatus,
      due: stats.due,
      oldest_pending_at: stats.oldestPendingReceivedAt?.toISOString() ?? null,
      last_webhook_at: last?.toISOString() ?? null,
      webhook_silence_minutes: options.webhookSilenceMinutes,
      webhook_silence_alert: silentMinutes === null || silentMinutes > options.webhookSilenceMinutes,
      paypal_circuit: paypal.circuitState(),
      activity: activity.map((b) => ({ start: b.start.toISOString(), received: b.received, failed: b.failed })),
    });
  });

  router.use('/v1/admin', apiErrorHandler(log));
  return router;
}
