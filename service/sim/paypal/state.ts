// What the simulated PayPal account holds. Records keep amounts in integer minor units; the
// representations module turns them into PayPal's JSON.
import type { FeeSchedule } from './money.ts';

export type OrderStatus = 'CREATED' | 'APPROVED' | 'VOIDED' | 'COMPLETED';
export type CaptureStatus = 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'PENDING' | 'REFUNDED' | 'FAILED';
export type AuthorizationStatus = 'CREATED' | 'CAPTURED' | 'DENIED' | 'PARTIALLY_CAPTURED' | 'VOIDED' | 'PENDING';
export type CaptureOutcome = 'COMPLETED' | 'PENDING' | 'DECLINED';

export type DisputeReason =
  | 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED'
  | 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED'
  | 'UNAUTHORISED'
  | 'CREDIT_NOT_PROCESSED'
  | 'DUPLICATE_TRANSACTION'
  | 'INCORRECT_AMOUNT'
  | 'PAYMENT_BY_OTHER_MEANS'
  | 'CANCELED_RECURRING_BILLING'
  | 'PROBLEM_WITH_REMITTANCE'
  | 'OTHER';
export type DisputeStatus = 'OPEN' | 'WAITING_FOR_BUYER_RESPONSE' | 'WAITING_FOR_SELLER_RESPONSE' | 'UNDER_REVIEW' | 'RESOLVED' | 'OTHER';
export type DisputeStage = 'INQUIRY' | 'CHARGEBACK' | 'PRE_ARBITRATION' | 'ARBITRATION';
export type DisputeOutcome = 'RESOLVED_BUYER_FAVOUR' | 'RESOLVED_SELLER_FAVOUR' | 'RESOLVED_WITH_PAYOUT' | 'CANCELED_BY_BUYER' | 'ACCEPTED' | 'DENIED' | 'NONE';

export interface Payer {
  payer_id: string;
  email_address: string;
  name: { given_name: string; surname: string };
  address: { country_code: string };
}

export interface PurchaseUnitRecord {
  referenceId: string;
  currency: string;
  amountMinor: bigint;
  /** The purchase unit as the merchant sent it (breakdown, items, shipping, …), echoed back. */
  request: Record<string, unknown>;
  customId?: string;
  invoiceId?: string;
  captureIds: string[];
  authorizationIds: string[];
}

/** How the buyer's approval plays out when the merchant captures. */
export interface ApprovalRecord {
  captureOutcome: CaptureOutcome;
  /** status_details.reason of a PENDING (or DECLINED) capture. */
  statusReason?: string;
  instrumentDeclined: boolean;
}

export interface OrderRecord {
  id: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  status: OrderStatus;
  purchaseUnits: PurchaseUnitRecord[];
  payer?: Payer;
  approval?: ApprovalRecord;
  createTime: string;
  updateTime: string;
}

export interface CaptureRecord {
  id: string;
  orderId: string;
  authorizationId?: string;
  purchaseUnitIndex: number;
  currency: string;
  amountMinor: bigint;
  feeMinor: bigint;
  status: CaptureStatus;
  statusReason?: string;
  customId?: string;
  invoiceId?: string;
  finalCapture: boolean;
  refundIds: string[];
  /** Refunded or reversed so far. */
  refundedMinor: bigint;
  feeRefundedMinor: bigint;
  reversed: boolean;
  createTime: string;
  updateTime: string;
}

export interface RefundRecord {
  id: string;
  captureId: string;
  /** A merchant refund, or a reversal PayPal made (chargeback, dispute lost). */
  kind: 'refund' | 'reversal';
  currency: string;
  amountMinor: bigint;
  feeMinor: bigint;
  /** Refunded from the capture to date, including this one. */
  totalRefundedMinor: bigint;
  status: 'COMPLETED';
  customId?: string;
  invoiceId?: string;
  noteToPayer?: string;
  createTime: string;
  updateTime: string;
}

export interface AuthorizationRecord {
  id: string;
  orderId: string;
  purchaseUnitIndex: number;
  currency: string;
  amountMinor: bigint;
  capturedMinor: bigint;
  status: AuthorizationStatus;
  customId?: string;
  invoiceId?: string;
  captureIds: string[];
  expirationTime: string;
  createTime: string;
  updateTime: string;
}

export interface DisputeRecord {
  id: string;
  captureId: string;
  reason: DisputeReason;
  status: DisputeStatus;
  stage: DisputeStage;
  currency: string;
  amountMinor: bigint;
  outcome?: DisputeOutcome;
  refundedMinor?: bigint;
  sellerResponseDueDate: string;
  createTime: string;
  updateTime: string;
}

export interface WebhookRecord {
  id: string;
  url: string;
  eventTypes: string[];
}

export interface Link {
  href: string;
  rel: string;
  method: string;
}

/** A webhook event as PayPal sends it. */
export interface WebhookEvent {
  id: string;
  event_version: string;
  create_time: string;
  resource_type: string;
  resource_version?: string;
  event_type: string;
  summary: string;
  resource: Record<string, unknown>;
  links: Link[];
}

export class SimState {
  readonly orders = new Map<string, OrderRecord>();
  readonly captures = new Map<string, CaptureRecord>();
  readonly refunds = new Map<string, RefundRecord>();
  readonly authorizations = new Map<string, AuthorizationRecord>();
  readonly disputes = new Map<string, DisputeRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();
  /** Every event the simulator emitted or was asked to deliver, in order. */
  readonly events: WebhookEvent[] = [];
  /** The exact bytes each event was first sent with; postback verification recomputes over them. */
  readonly eventBodies = new Map<string, Buffer>();
}

/** Read-only view of the state for test assertions. */
export interface SimStateView {
  readonly orders: ReadonlyMap<string, Readonly<OrderRecord>>;
  readonly captures: ReadonlyMap<string, Readonly<CaptureRecord>>;
  readonly refunds: ReadonlyMap<string, Readonly<RefundRecord>>;
  readonly authorizations: ReadonlyMap<string, Readonly<AuthorizationRecord>>;
  readonly disputes: ReadonlyMap<string, Readonly<DisputeRecord>>;
  readonly webhooks: ReadonlyMap<string, Readonly<WebhookRecord>>;
  readonly events: readonly WebhookEvent[];
}

/** What a domain operation answers: the HTTP status and the JSON body (none for 204). */
export interface ApiAnswer {
  status: number;
  body?: unknown;
}

/** Everything the domain modules need from the running simulator. */
export interface SimContext {
  readonly state: SimState;
  now(): Date;
  /** Base URL of the https API, for HATEOAS links. Known once the server listens. */
  apiBase(): string;
  readonly merchant: { email_address: string; merchant_id: string };
  readonly fees: FeeSchedule;
  readonly blockDuplicateInvoiceId: boolean;
  /** Records an event and queues it for every subscribed webhook. */
  emit(eventType: string, resource: Record<string, unknown>): WebhookEvent;
}

/** PayPal's resource timestamps: RFC 3339, whole seconds, UTC. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
