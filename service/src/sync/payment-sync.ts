// The one place where PayPal's records become Odoo's. Webhook handlers, the checkout API, the
// back office and reconciliation all go through these functions, so a capture or a refund is
// booked by the same code whichever path sees it first, and Odoo's idempotent entry points (keyed
// by PayPal's ids, forward-only through Odoo's own state machine) make the second path a no-op.
//
// Order of arrival does not matter:
// - capture events apply the status their event names (completed, pending, denied, declined);
//   Odoo's allowed-state rules refuse backward moves (a late PENDING after COMPLETED changes
//   nothing);
// - order-level syncs (CHECKOUT.ORDER.*, reconciliation) re-read the order and apply what is
//   final (completed, pending) but leave a DECLINED capture to its own event, because a declined
//   status alone cannot tell "denied after review" (cancel) from "declined on the spot" (error);
// - refunds re-read the refund (its status moves) and first make sure their capture is booked;
// - disputes re-read the dispute; Odoo ignores updates older than what it holds.
import type { AuditEntry } from '../inbox/types.ts';
import type { ApplyPaymentValues, BridgeApi, TxInfo, TxResult } from '../odoo/bridge-api.ts';
import { OdooMissingError } from '../odoo/odoo-errors.ts';
import {
  isAlreadyAuthorized,
  isAlreadyCaptured,
  isInstrumentDeclined,
  isNotFound,
  stableRequestId,
  type PayPalAuthorization,
  type PayPalCapture,
  type PayPalClient,
  type PayPalDispute,
  type PayPalOrder,
  type PayPalRefund,
} from '../paypal/index.ts';
import { FinalError, isRetryable, RetryableError } from '../shared/errors.ts';
import { compareAmounts } from '../shared/money.ts';
import { createAuditor, type AuditSink } from '../shared/audit.ts';
import type { Logger } from '../shared/logger.ts';
import {
  amountOf,
  captureIdOfRefund,
  captureState,
  feeAndNet,
  payerValues,
  referenceOfOrder,
  registerCaptureStatus,
  relatedAuthorizationId,
  relatedOrderId,
  type CaptureEventKind,
} from './paypal-facts.ts';

export type SyncOutcome = 'applied' | 'unchanged' | 'mismatch' | 'conflict' | 'not_found' | 'declined';

export interface SyncResult {
  outcome: SyncOutcome;
  /** The Odoo transaction it concerns, when known. */
  reference?: string;
  /** Its state after the sync. */
  state?: string;
  /** For people: what happened. */
  detail: string;
}

export interface SyncContext {
  /** The PayPal event being applied, for Odoo's audit fields and ours. */
  eventId?: string;
}

/** Books a capture's PayPal fee in Odoo (`paypal_bridge_book_fee`; idempotent per capture id). */
export type FeeBooker = (input: { reference: string; fee: string; currency: string; captureId: string }) => Promise<{ result: string }>;

export interface PaymentSyncDeps {
  paypal: PayPalClient;
  odoo: BridgeApi;
  /**
   * Books PayPal's fee as soon as a capture is booked, so the PayPal journal shows what PayPal
   * holds; without a fee account on the provider Odoo refuses, and fees are left to the
   * reconciliation's report.
   */
  bookFee?: FeeBooker;
  logger: Logger;
  /** Where every change written to Odoo is recorded (the audit trail). */
  audit?: AuditSink;
  clock?: () => Date;
}

/** The PayPal-Request-Id of capturing (or authorizing) an order: the checkout API and the
 * CHECKOUT.ORDER.APPROVED handler use the same one, so PayPal executes the operation once. */
export function finishRequestId(reference: string, orderId: string, intent: 'CAPTURE' | 'AUTHORIZE'): string {
  return stableRequestId('odoo-tx', reference, orderId, intent === 'CAPTURE' ? 'capture' : 'authorize');
}

export interface PaymentSync {
  /** Capture (or authorize) an approved order if that has not happened yet, then book the result. */
  finishOrder(orderId: string, ctx?: SyncContext & { reference?: string }): Promise<SyncResult & { order?: PayPalOrder }>;
  /** Re-read an order and book its captures and authorizations. */
  syncOrder(orderId: string, ctx?: SyncContext & { reference?: string }): Promise<SyncResult>;
  /** Book an order returned by PayPal (by our own capture call, or a re-read). */
  applyOrder(order: PayPalOrder, ctx?: SyncContext & { fromOwnCall?: boolean }): Promise<SyncResult>;
  /** Book a capture (from an event, or from a re-read when `event` is absent). */
  applyCapture(capture: PayPalCapture, ctx?: SyncContext & { event?: CaptureEventKind; order?: PayPalOrder | null; fromOwnCall?: boolean }): Promise<SyncResult>;
  syncCapture(captureId: string, ctx?: SyncContext): Promise<SyncResult>;
  applyAuthorization(authorization: PayPalAuthorization, ctx?: SyncContext): Promise<SyncResult>;
  /** The buyer's approval was reversed before anything was captured. */
  reverseApproval(orderId: string, ctx?: SyncContext): Promise<SyncResult>;
  /** Book a refund (or a reversal) with its own amount. `resource` is used when PayPal cannot return it. */
  syncRefund(refundId: string, ctx?: SyncContext & { kind?: 'refund' | 'reversal'; resource?: PayPalRefund; captureId?: string }): Promise<SyncResult>;
  syncDispute(disputeId: string, ctx?: SyncContext & { resource?: PayPalDispute }): Promise<SyncResult>;
  /** Re-read everything PayPal knows of an Odoo transaction and book it (back office "Sync"). */
  syncTransaction(reference: string, ctx?: SyncContext): Promise<SyncResult>;
}

/** How long the shopper's browser has to capture an approved order before the worker does. */
export const BROWSER_HEAD_START_MS = 30_000;

export function createPaymentSync(deps: PaymentSyncDeps): PaymentSync {
  const { paypal, odoo } = deps;
  const log = deps.logger.child('payment-sync');

  const write = createAuditor(deps.audit, log, deps.clock);
  async function audit(ctx: SyncContext, subjects: (string | null | undefined)[], summary: string, outcome: AuditEntry['outcome'], detail?: Record<string, unknown>) {
    await write({ kind: 'odoo.write', subjects: subjects.filter((s): s is string => !!s), eventId: ctx.eventId ?? null, outcome, summary, detail: detail ?? null });
  }

  function fromTxResult(r: TxResult, what: string): SyncResult {
    const flagged = r.result === 'mismatch' || r.result === 'conflict';
    return {
      outcome: r.result,
      reference: r.tx.reference,
      state: r.tx.state,
      detail: flagged ? `${what}: flagged for review (${r.tx.paypal_review_reason ?? r.result})` : `${what}: ${r.result === 'applied' ? 'booked' : 'already booked; no change'} (${r.tx.state})`,
    };
  }

  async function record(ctx: SyncContext, subjects: (string | null | undefined)[], what: string, r: TxResult): Promise<SyncResult> {
    const result = fromTxResult(r, what);
    if (r.result !== 'unchanged') {
      await audit(ctx, [r.tx.reference, ...subjects], result.detail, r.result === 'applied' ? 'ok' : 'error', { result: r.result, state: r.tx.state });
    }
    return result;
  }

  async function getOrNull<T>(read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * The Odoo transaction a PayPal record belongs to, by what it carries: its capture id, its
   * authorization, our custom_id (the transaction reference), its order (also read back from PayPal
   * for its custom_id), and, for a capture of an authorization without a custom_id, the
   * authorization read back from PayPal.
   */
  async function locate(q: { captureId?: string; authorizationId?: string | null; customId?: string | undefined; orderId?: string | null; readAuthorization?: boolean }): Promise<TxInfo | null> {
    if (q.captureId) {
      const byCapture = await odoo.find({ capture_id: q.captureId });
      if (byCapture) return byCapture;
    }
    if (q.authorizationId) {
      const byAuth = await odoo.find({ authorization_id: q.authorizationId });
      if (byAuth) return byAuth;
    }
    if (q.customId) {
      const byRef = await odoo.find({ reference: q.customId });
      if (byRef) return byRef;
    }
    if (q.orderId) {
      const orderId = q.orderId;
      const byOrder = await odoo.find({ paypal_order_id: orderId });
      if (byOrder) return byOrder;
      const order = await getOrNull(() => paypal.getOrder(orderId));
      const ref = order ? referenceOfOrder(order) : null;
      if (ref) return odoo.find({ reference: ref });
    }
    if (q.readAuthorization && q.authorizationId) {
      const authId = q.authorizationId;
      const auth = await getOrNull(() => paypal.getAuthorization(authId));
      if (auth?.custom_id) return odoo.find({ reference: auth.custom_id });
    }
    return null;
  }

  const transactionOfCapture = (capture: PayPalCapture) =>
    locate({ captureId: capture.id, authorizationId: relatedAuthorizationId(capture), customId: capture.custom_id, orderId: relatedOrderId(capture), readAuthorization: true });
  const transactionOfAuthorization = (auth: PayPalAuthorization) =>
    locate({ authorizationId: auth.id, customId: auth.custom_id, orderId: relatedOrderId(auth) });

  /** After a capture is booked done: its fee, when PayPal gave one and the provider has a fee account. */
  async function bookFee(ctx: SyncContext, tx: TxInfo, capture: PayPalCapture): Promise<void> {
    const fee = feeAndNet(capture).fee;
    if (!deps.bookFee || !fee || tx.state !== 'done' || tx.paypal_capture_id !== capture.id || compareAmounts(fee, '0') <= 0) return;
    try {
      const r = await deps.bookFee({ reference: tx.reference, fee, currency: capture.amount.currency_code, captureId: capture.id });
      if (r.result !== 'unchanged') await audit(ctx, [tx.reference, capture.id], `PayPal fee ${fee} ${capture.amount.currency_code} of capture ${capture.id}: ${r.result === 'applied' ? 'booked' : r.result}`, r.result === 'applied' ? 'ok' : 'error');
    } catch (err) {
      // Odoo down or busy: the event runs again and books it then. Refused (no fee account set,
      // or another amount already booked): the reconciliation reports it.
      if (isRetryable(err)) throw err;
      log.info('PayPal fee not booked', { reference: tx.reference, captureId: capture.id, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  const sync: PaymentSync = {
    async applyCapture(capture, ctx = {}) {
      const state = captureState(capture, ctx.event);
      if (!state) throw new FinalError(`capture ${capture.id} has an unknown status ${capture.status}`, 'UNKNOWN_STATUS');
      if (!ctx.event && !ctx.fromOwnCall && (capture.status === 'DECLINED' || capture.status === 'FAILED')) {
        return { outcome: 'unchanged', detail: `capture ${capture.id} is ${capture.status}; left to its own event (denied or declined)` };
      }
      const tx = await transactionOfCapture(capture);
      if (!tx) return { outcome: 'not_found', detail: `no Odoo transaction for PayPal capture ${capture.id} (custom_id ${capture.custom_id ?? 'none'})` };
      const money = amountOf(capture.amount);
      if (!money) throw new FinalError(`capture ${capture.id} has no usable amount`, 'BAD_RESOURCE');
      const authId = relatedAuthorizationId(capture);
      const orderId = relatedOrderId(capture) ?? ctx.order?.id;

      if (authId && tx.operation !== 'refund') {
        // A capture of an authorization: full → the source itself, partial → a child transaction.
        const sourceReference = tx.source_reference ?? tx.reference;
        try {
          const r = await odoo.registerCapture({
            sourceReference,
            captureId: capture.id,
            amount: money.amount,
            currency: money.currency,
            status: registerCaptureStatus(capture, ctx.event),
            values: { ...feeAndNet(capture), ...(state.detail ? { status_detail: state.detail } : {}), ...(ctx.eventId ? { event_id: ctx.eventId } : {}) },
          });
          const booked = await record(ctx, [capture.id, authId, orderId], `capture ${capture.id} of authorization ${authId}`, r);
          await bookFee(ctx, r.tx, capture);
          return booked;
        } catch (err) {
          if (err instanceof OdooMissingError) throw new RetryableError(`the authorization of capture ${capture.id} is not booked in Odoo yet: ${err.message}`, 'NOT_BOOKED_YET', { cause: err });
          throw err;
        }
      }

      if (ctx.event === 'DENIED' && tx.state === 'draft') {
        // A denied capture was pending (under review) first; book that step too, so Odoo ends
        // where it would have had it seen every event in order (a pending payment marks the
        // quotation as sent).
        const pending: ApplyPaymentValues = { capture_id: capture.id, status_detail: 'PENDING_REVIEW' };
        if (orderId) pending.paypal_order_id = orderId;
        await odoo.applyPayment(tx.reference, 'pending', pending);
      }
      let order = ctx.order ?? null;
      if (!order && !tx.paypal_payer_id && state.state === 'done' && orderId) order = await getOrNull(() => paypal.getOrder(orderId));
      const values: ApplyPaymentValues = {
        capture_id: capture.id,
        amount: money.amount,
        currency: money.currency,
        ...feeAndNet(capture),
        ...payerValues(order),
      };
      if (orderId) values.paypal_order_id = orderId;
      if (state.detail) values.status_detail = state.detail;
      if (ctx.eventId) values.event_id = ctx.eventId;
      const r = await odoo.applyPayment(tx.reference, state.state, values);
      const booked = await record(ctx, [capture.id, orderId], `capture ${capture.id} ${capture.status.toLowerCase()}`, r);
      await bookFee(ctx, r.tx, capture);
      return booked;
    },

    async syncCapture(captureId, ctx = {}) {
      const capture = await getOrNull(() => paypal.getCapture(captureId));
      if (!capture) throw new FinalError(`PayPal does not know capture ${captureId}`, 'NOT_FOUND_AT_PAYPAL');
      return sync.applyCapture(capture, ctx);
    },

    async applyAuthorization(auth, ctx = {}) {
      const tx = await transactionOfAuthorization(auth);
      if (!tx) return { outcome: 'not_found', detail: `no Odoo transaction for PayPal authorization ${auth.id}` };
      const money = amountOf(auth.amount);
      const orderId = relatedOrderId(auth);
      const base: ApplyPaymentValues = { authorization_id: auth.id };
      if (orderId) base.paypal_order_id = orderId;
      if (ctx.eventId) base.event_id = ctx.eventId;
      switch (auth.status) {
        case 'CREATED':
        case 'PENDING': {
          const values: ApplyPaymentValues = { ...base };
          if (money) Object.assign(values, { amount: money.amount, currency: money.currency });
          if (auth.expiration_time) values.authorization_expiry = auth.expiration_time;
          if (auth.status === 'PENDING') values.status_detail = auth.status_details?.reason ?? 'PENDING';
          // The payer is on the order, not on the authorization; Odoo keeps it on the customer.
          if (!tx.paypal_payer_id && orderId) Object.assign(values, payerValues(await getOrNull(() => paypal.getOrder(orderId))));
          const r = await odoo.applyPayment(tx.reference, auth.status === 'CREATED' ? 'authorized' : 'pending', values);
          return record(ctx, [auth.id, orderId], `authorization ${auth.id}`, r);
        }
        case 'VOIDED':
        case 'DENIED': {
          if (tx.state === 'draft' && auth.status === 'VOIDED') {
            // A voided authorization was an authorization first: book that step too, so Odoo ends
            // where it would have had it seen every event in order (authorizing confirms the order).
            const authorized: ApplyPaymentValues = { ...base };
            if (money) Object.assign(authorized, { amount: money.amount, currency: money.currency });
            if (auth.expiration_time) authorized.authorization_expiry = auth.expiration_time;
            await odoo.applyPayment(tx.reference, 'authorized', authorized);
          }
          const r = await odoo.applyPayment(tx.reference, 'cancel', { ...base, message: `PayPal authorization ${auth.id} ${auth.status.toLowerCase()}` });
          return record(ctx, [auth.id, orderId], `authorization ${auth.id} ${auth.status.toLowerCase()}`, r);
        }
        case 'CAPTURED':
        case 'PARTIALLY_CAPTURED':
          return { outcome: 'unchanged', reference: tx.reference, state: tx.state, detail: `authorization ${auth.id} is ${auth.status}; its captures are booked by their own events` };
      }
    },

    async applyOrder(order, ctx = {}) {
      const reference = referenceOfOrder(order);
      if (!reference) return { outcome: 'not_found', detail: `PayPal order ${order.id} carries no Odoo reference (custom_id)` };
      const results: SyncResult[] = [];
      for (const unit of order.purchase_units ?? []) {
        for (const capture of unit.payments?.captures ?? []) {
          const c = capture.custom_id ? capture : { ...capture, custom_id: reference };
          results.push(await sync.applyCapture(c, { ...ctx, order }));
        }
        if (!unit.payments?.captures?.length) {
          for (const auth of unit.payments?.authorizations ?? []) {
            const a = auth.custom_id ? auth : { ...auth, custom_id: reference };
            results.push(await sync.applyAuthorization(a, ctx));
          }
        }
      }
      if (results.length === 0) return { outcome: 'unchanged', reference, detail: `order ${order.id} is ${order.status}; nothing captured or authorized yet` };
      return combine(results);
    },

    async syncOrder(orderId, ctx = {}) {
      const order = await getOrNull(() => paypal.getOrder(orderId));
      if (!order) throw new FinalError(`PayPal does not know order ${orderId}`, 'NOT_FOUND_AT_PAYPAL');
      if (ctx.reference && referenceOfOrder(order) !== ctx.reference) {
        throw new FinalError(`PayPal order ${orderId} belongs to ${referenceOfOrder(order) ?? 'no Odoo transaction'}, not ${ctx.reference}`, 'ORDER_MISMATCH');
      }
      return sync.applyOrder(order, ctx);
    },

    async finishOrder(orderId, ctx = {}) {
      let order = await getOrNull(() => paypal.getOrder(orderId));
      if (!order) throw new FinalError(`PayPal does not know order ${orderId}`, 'NOT_FOUND_AT_PAYPAL');
      const reference = referenceOfOrder(order);
      if (!reference) return { outcome: 'not_found', detail: `PayPal order ${orderId} carries no Odoo reference (custom_id)` };
      if (ctx.reference && ctx.reference !== reference) {
        throw new FinalError(`PayPal order ${orderId} belongs to ${reference}, not ${ctx.reference}`, 'ORDER_MISMATCH');
      }
      if (order.status !== 'APPROVED') {
        const applied = await sync.applyOrder(order, ctx);
        return { ...applied, order };
      }
      const tx = await odoo.find({ reference });
      if (!tx) return { outcome: 'not_found', detail: `no Odoo transaction ${reference} for PayPal order ${orderId}` };
      const money = amountOf(order.purchase_units?.[0]?.amount);
      if (!money || money.amount !== tx.amount || money.currency !== tx.currency) {
        // Never capture money Odoo did not ask for: someone changed the order at PayPal.
        const r = await odoo.flagReview(reference, `PayPal order ${orderId} is for ${money?.amount ?? '?'} ${money?.currency ?? '?'}, Odoo expects ${tx.amount} ${tx.currency}; not captured`);
        await audit(ctx, [reference, orderId], `order ${orderId} not captured: amount differs from Odoo's`, 'error');
        return { outcome: 'mismatch', reference, state: r.tx.state, detail: `order ${orderId} amount differs from Odoo's; not captured, flagged for review`, order };
      }
      const intent = order.intent ?? 'CAPTURE';
      const requestId = finishRequestId(reference, orderId, intent);
      try {
        order = intent === 'CAPTURE' ? await paypal.captureOrder(orderId, { requestId }) : await paypal.authorizeOrder(orderId, { requestId });
      } catch (err) {
        if (isAlreadyCaptured(err) || isAlreadyAuthorized(err)) {
          order = await paypal.getOrder(orderId);
        } else if (isInstrumentDeclined(err)) {
          return { outcome: 'declined', reference, state: tx.state, detail: `PayPal declined the buyer's funding source for order ${orderId}; the buyer must choose another`, order };
        } else {
          throw err;
        }
      }
      await audit(ctx, [reference, orderId], `order ${orderId} ${intent === 'CAPTURE' ? 'captured' : 'authorized'} at PayPal`, 'ok', { status: order.status });
      const applied = await sync.applyOrder(order, { ...ctx, fromOwnCall: true });
      return { ...applied, order };
    },

    async reverseApproval(orderId, ctx = {}) {
      const order = await getOrNull(() => paypal.getOrder(orderId));
      const reference = order ? referenceOfOrder(order) : null;
      const tx = reference ? await odoo.find({ reference }) : await odoo.find({ paypal_order_id: orderId });
      if (!tx) return { outcome: 'not_found', detail: `no Odoo transaction for PayPal order ${orderId}` };
      const captured = (order?.purchase_units ?? []).some((u) => (u.payments?.captures ?? []).some((c) => c.status !== 'DECLINED' && c.status !== 'FAILED'));
      if (captured) return { outcome: 'unchanged', reference: tx.reference, state: tx.state, detail: `order ${orderId} was captured after all; approval reversal ignored` };
      const values: ApplyPaymentValues = { paypal_order_id: orderId, message: 'PayPal reversed the buyer approval; nothing was captured' };
      if (ctx.eventId) values.event_id = ctx.eventId;
      const r = await odoo.applyPayment(tx.reference, 'cancel', values);
      return record(ctx, [orderId], `approval of order ${orderId} reversed`, r);
    },

    async syncRefund(refundId, ctx = {}) {
      const kind = ctx.kind ?? 'refund';
      // A reversal is not a refund PayPal lets us read back; a refund is re-read for its current status.
      const refund = kind === 'refund' ? ((await getOrNull(() => paypal.getRefund(refundId))) ?? ctx.resource) : ctx.resource;
      if (!refund) throw new FinalError(`PayPal does not know refund ${refundId}`, 'NOT_FOUND_AT_PAYPAL');
      const captureId = captureIdOfRefund(refund) ?? ctx.captureId;
      if (!captureId) throw new FinalError(`${kind} ${refundId} does not name its capture`, 'BAD_RESOURCE');
      const money = amountOf(refund.amount);
      if (!money) throw new FinalError(`${kind} ${refundId} has no usable amount`, 'BAD_RESOURCE');

      // A refund that arrives before its capture: book the capture first, from PayPal's record.
      let source = await odoo.find({ capture_id: captureId });
      if (!source || source.state !== 'done') {
        const capture = await getOrNull(() => paypal.getCapture(captureId));
        if (!capture) throw new FinalError(`PayPal does not know capture ${captureId} of ${kind} ${refundId}`, 'NOT_FOUND_AT_PAYPAL');
        const booked = await sync.applyCapture(capture, ctx);
        if (booked.outcome === 'not_found') return { outcome: 'not_found', detail: `no Odoo transaction for capture ${captureId} of ${kind} ${refundId}` };
        source = await odoo.find({ capture_id: captureId });
        if (!source) throw new RetryableError(`capture ${captureId} is not booked in Odoo yet (${booked.detail})`, 'NOT_BOOKED_YET');
      }
      try {
        const values: { capture_id: string; reason?: string; event_id?: string } = { capture_id: captureId };
        const reason = refund.status_details?.reason ?? (kind === 'reversal' ? 'reversed by PayPal (chargeback or reversal)' : undefined);
        if (reason) values.reason = reason;
        if (ctx.eventId) values.event_id = ctx.eventId;
        const r = await odoo.registerRefund({
          sourceReference: source.reference,
          refundId: refund.id,
          amount: money.amount,
          currency: money.currency,
          status: refund.status,
          kind,
          values,
        });
        return await record(ctx, [refund.id, captureId], `${kind} ${refund.id} of ${money.amount} ${money.currency}`, r);
      } catch (err) {
        if (err instanceof OdooMissingError) throw new RetryableError(`capture ${captureId} is not booked in Odoo yet: ${err.message}`, 'NOT_BOOKED_YET', { cause: err });
        throw err;
      }
    },

    async syncDispute(disputeId, ctx = {}) {
      const dispute = (await getOrNull(() => paypal.getDispute(disputeId))) ?? ctx.resource;
      if (!dispute) throw new FinalError(`PayPal does not know dispute ${disputeId}`, 'NOT_FOUND_AT_PAYPAL');
      const txn = dispute.disputed_transactions?.[0];
      const money = amountOf(dispute.dispute_amount);
      const values: Parameters<BridgeApi['upsertDispute']>[0] = { dispute_id: dispute.dispute_id, status: dispute.status };
      if (dispute.reason) values.reason = dispute.reason;
      if (dispute.dispute_life_cycle_stage) values.stage = dispute.dispute_life_cycle_stage;
      if (money) Object.assign(values, { amount: money.amount, currency: money.currency });
      if (dispute.seller_response_due_date) values.seller_response_due_date = dispute.seller_response_due_date;
      if (dispute.dispute_outcome?.outcome_code) values.outcome = dispute.dispute_outcome.outcome_code;
      if (txn?.seller_transaction_id) values.capture_id = txn.seller_transaction_id;
      if (txn?.custom) values.reference = txn.custom;
      if (dispute.update_time) values.update_time = dispute.update_time;
      if (ctx.eventId) values.event_id = ctx.eventId;
      const r = await odoo.upsertDispute(values);
      const result: SyncResult = {
        outcome: r.result === 'unchanged' ? 'unchanged' : 'applied',
        detail: `dispute ${dispute.dispute_id} ${r.result} (${dispute.status})`,
      };
      if (r.result !== 'unchanged') await audit(ctx, [dispute.dispute_id, txn?.seller_transaction_id, txn?.custom], result.detail, 'ok', { status: dispute.status });
      return result;
    },

    async syncTransaction(reference, ctx = {}) {
      const tx = await odoo.find({ reference });
      if (!tx) return { outcome: 'not_found', detail: `no Odoo transaction ${reference}` };
      const results: SyncResult[] = [];
      if (tx.paypal_order_id) results.push(await sync.syncOrder(tx.paypal_order_id, ctx));
      else if (tx.paypal_capture_id) results.push(await sync.syncCapture(tx.paypal_capture_id, ctx));
      else if (tx.paypal_authorization_id) {
        const auth = await getOrNull(() => paypal.getAuthorization(tx.paypal_authorization_id!));
        if (auth) results.push(await sync.applyAuthorization(auth, ctx));
      }
      for (const child of tx.children) {
        if (child.paypal_capture_id && child.paypal_capture_id !== tx.paypal_capture_id) results.push(await sync.syncCapture(child.paypal_capture_id, ctx));
        if (child.paypal_refund_id && child.state !== 'done') results.push(await sync.syncRefund(child.paypal_refund_id, ctx));
      }
      if (results.length === 0) return { outcome: 'unchanged', reference, state: tx.state, detail: `${reference} has no PayPal record to sync yet` };
      return combine(results);
    },
  };
  return sync;
}

const OUTCOME_RANK: Record<SyncOutcome, number> = { conflict: 5, mismatch: 4, declined: 3, applied: 2, unchanged: 1, not_found: 0 };

/** One result for several: the most significant outcome, every detail. */
function combine(results: SyncResult[]): SyncResult {
  const top = results.reduce((a, b) => (OUTCOME_RANK[b.outcome] > OUTCOME_RANK[a.outcome] ? b : a));
  const last = [...results].reverse().find((r) => r.state !== undefined);
  const out: SyncResult = { outcome: top.outcome, detail: results.map((r) => r.detail).join('; ') };
  const reference = top.reference ?? last?.reference;
  if (reference) out.reference = reference;
  if (last?.state) out.state = last.state;
  return out;
}
