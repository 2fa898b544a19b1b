// Disputes v1: the buyer's side is a test action (open, update, resolve); the merchant's side is
// the API (show, list). A dispute decided for the buyer takes the money back: the capture is
// reversed (PAYMENT.CAPTURE.REVERSED) as well as the dispute resolved.
import { resourceNotFound } from './errors.ts';
import { disputeId } from './ids.ts';
import { parseAmount } from './money.ts';
import { findCapture, reverseCaptureBy } from './payments.ts';
import { disputeInfoJson, disputeJson, disputeState } from './representations.ts';
import { timestamp, type ApiAnswer, type DisputeOutcome, type DisputeReason, type DisputeRecord, type DisputeStage, type DisputeStatus, type SimContext } from './state.ts';

const SELLER_RESPONSE_DAYS = 10;

export interface CreateDisputeOptions {
  reason?: DisputeReason;
  /** Disputed amount as a decimal string in the capture's currency; default the whole capture. */
  amount?: string;
  stage?: DisputeStage;
  status?: DisputeStatus;
}

export interface DisputePatch {
  status?: DisputeStatus;
  stage?: DisputeStage;
  reason?: DisputeReason;
  amount?: string;
  sellerResponseDueDate?: string;
}

function findDispute(ctx: SimContext, id: string): DisputeRecord {
  const d = ctx.state.disputes.get(id);
  if (!d) throw resourceNotFound('dispute_id', id);
  return d;
}

function amountMinor(amount: string, currency: string): bigint {
  const parsed = parseAmount(amount, currency);
  if (!parsed.ok) throw new Error(`Dispute amount "${amount}" is not a valid ${currency} amount (${parsed.problem}).`);
  return parsed.minor;
}

function dueDate(ctx: SimContext): string {
  return timestamp(new Date(ctx.now().getTime() + SELLER_RESPONSE_DAYS * 24 * 3600 * 1000));
}

/** The buyer opens a dispute on a capture; emits CUSTOMER.DISPUTE.CREATED. */
export function createDispute(ctx: SimContext, captureId: string, options: CreateDisputeOptions = {}): DisputeRecord {
  const capture = findCapture(ctx, captureId);
  const now = timestamp(ctx.now());
  const dispute: DisputeRecord = {
    id: disputeId(),
    captureId,
    reason: options.reason ?? 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
    status: options.status ?? 'WAITING_FOR_SELLER_RESPONSE',
    stage: options.stage ?? 'INQUIRY',
    currency: capture.currency,
    amountMinor: options.amount !== undefined ? amountMinor(options.amount, capture.currency) : capture.amountMinor,
    sellerResponseDueDate: dueDate(ctx),
    createTime: now,
    updateTime: now,
  };
  ctx.state.disputes.set(dispute.id, dispute);
  ctx.emit('CUSTOMER.DISPUTE.CREATED', disputeJson(ctx, dispute));
  return dispute;
}

/** The dispute moves on (buyer answered, escalated to a claim, …); emits CUSTOMER.DISPUTE.UPDATED. */
export function updateDispute(ctx: SimContext, id: string, patch: DisputePatch): DisputeRecord {
  const dispute = findDispute(ctx, id);
  if (dispute.status === 'RESOLVED') throw new Error(`Dispute ${id} is resolved; it can no longer change.`);
  if (patch.status === 'RESOLVED') throw new Error('Use resolveDispute to resolve a dispute: it needs an outcome.');
  if (patch.status !== undefined) dispute.status = patch.status;
  if (patch.stage !== undefined) dispute.stage = patch.stage;
  if (patch.reason !== undefined) dispute.reason = patch.reason;
  if (patch.amount !== undefined) dispute.amountMinor = amountMinor(patch.amount, dispute.currency);
  if (patch.sellerResponseDueDate !== undefined) dispute.sellerResponseDueDate = patch.sellerResponseDueDate;
  else if (patch.status === 'WAITING_FOR_SELLER_RESPONSE') dispute.sellerResponseDueDate = dueDate(ctx);
  dispute.updateTime = timestamp(ctx.now());
  ctx.emit('CUSTOMER.DISPUTE.UPDATED', disputeJson(ctx, dispute));
  return dispute;
}

/**
 * PayPal decides the dispute; emits CUSTOMER.DISPUTE.RESOLVED. For the buyer (RESOLVED_BUYER_FAVOUR)
 * the disputed amount is reversed first, as far as the capture still holds it.
 */
export function resolveDispute(ctx: SimContext, id: string, outcome: DisputeOutcome): DisputeRecord {
  const dispute = findDispute(ctx, id);
  if (dispute.status === 'RESOLVED') throw new Error(`Dispute ${id} is already resolved.`);
  if (outcome === 'RESOLVED_BUYER_FAVOUR') {
    const capture = findCapture(ctx, dispute.captureId);
    const left = capture.amountMinor - capture.refundedMinor;
    const take = dispute.amountMinor < left ? dispute.amountMinor : left;
    if (take > 0n && (capture.status === 'COMPLETED' || capture.status === 'PARTIALLY_REFUNDED')) {
      const reversal = reverseCaptureBy(ctx, capture.id, take);
      dispute.refundedMinor = reversal.amountMinor;
    } else {
      dispute.refundedMinor = 0n;
    }
  }
  dispute.status = 'RESOLVED';
  dispute.outcome = outcome;
  dispute.updateTime = timestamp(ctx.now());
  ctx.emit('CUSTOMER.DISPUTE.RESOLVED', disputeJson(ctx, dispute));
  return dispute;
}

export function getDispute(ctx: SimContext, id: string): ApiAnswer {
  return { status: 200, body: disputeJson(ctx, findDispute(ctx, id)) };
}

/** `GET /v1/customer/disputes` with the filters the bridge uses: transaction, state, page size. */
export function listDisputes(ctx: SimContext, query: URLSearchParams): ApiAnswer {
  const transaction = query.get('disputed_transaction_id');
  const states = query.get('dispute_state')?.split(',');
  const pageSize = Math.min(Math.max(Number(query.get('page_size') ?? 10) || 10, 1), 50);
  const matching = [...ctx.state.disputes.values()]
    .filter((d) => transaction === null || d.captureId === transaction)
    .filter((d) => !states || states.includes(disputeState(d)))
    .sort((a, b) => b.updateTime.localeCompare(a.updateTime))
    .slice(0, pageSize);
  return {
    status: 200,
    body: {
      // `items` has minItems 1 in the document: an empty result carries no `items` at all.
      ...(matching.length > 0 ? { items: matching.map((d) => disputeInfoJson(ctx, d)) } : {}),
      links: [{ href: `${ctx.apiBase()}/v1/customer/disputes`, rel: 'self', method: 'GET' }],
    },
  };
}
