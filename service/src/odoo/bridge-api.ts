// The paypal_bridge module's RPC entry points (odoo_addon/README.md, "The RPC contract"), typed.
// Every entry point is an @api.model method on payment.transaction called with keyword arguments
// only; every result is checked against the contract here, so that a module of another version
// fails loudly (OdooResultError) instead of booking something half-understood.
//
// Field names stay those of the wire (snake_case), so that this file, the module's README and the
// Python code use one vocabulary. Amounts are decimal strings formatted with the currency's
// decimal places ("10.00", "1000" for JPY), always positive: a refund transaction, which Odoo 18
// stores with a negative amount, is told apart by its `operation` ("refund"), not by a sign.
import { z } from 'zod';
import type { OdooClient } from './json-rpc-client.ts';
import { OdooResultError } from './odoo-errors.ts';

const MODEL = 'payment.transaction';

/** A decimal amount as the contract sends it: "10.00", "1000" (JPY). Never a float, never negative. */
export const decimalString = z.string().regex(/^\d+(\.\d+)?$/, 'a positive decimal string such as "10.00"');
export type DecimalString = z.infer<typeof decimalString>;

// Odoo writes an empty char / many2one as false; a dict built in Python may also hold None.
const optionalString = z
  .union([z.string(), z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined || v === '' ? null : v));
const optionalDecimal = z
  .union([decimalString, z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));
const optionalId = z
  .union([z.number().int().positive(), z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));

export const TX_STATES = ['draft', 'pending', 'authorized', 'done', 'cancel', 'error'] as const;
export type TxState = (typeof TX_STATES)[number];
export const txState = z.enum(TX_STATES);

export const TX_OPERATIONS = ['online_redirect', 'online_direct', 'online_token', 'validation', 'offline', 'refund'] as const;
export type TxOperation = (typeof TX_OPERATIONS)[number];

export const REFUND_STATUSES = ['none', 'partially_refunded', 'refunded'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

const optionalOperation = z
  .union([z.enum(TX_OPERATIONS), z.literal(false), z.null()])
  .optional()
  .transform((v) => (v === false || v === undefined ? null : v));

export const txChildSchema = z.object({
  reference: z.string(),
  /** `refund` for a refund or reversal; the source's operation for a partial capture or void. */
  operation: optionalOperation,
  state: txState,
  /** Positive, also for a refund. */
  amount: decimalString,
  paypal_capture_id: optionalString,
  paypal_refund_id: optionalString,
});
export type TxChild = z.infer<typeof txChildSchema>;

export const txInfoSchema = z.object({
  id: z.number().int().positive(),
  reference: z.string(),
  state: txState,
  /** null when Odoo left it empty (a transaction created outside the payment flow). */
  operation: optionalOperation,
  /**
   * Positive. For a refund transaction this is the refund's own amount, although Odoo 18 stores it
   * negated (`_create_child_transaction(amount, is_refund=True)`); `operation` is then "refund".
   */
  amount: decimalString,
  currency: z.string().length(3),
  provider_code: z.string(),
  bridge_enabled: z.boolean(),
  capture_manually: z.boolean(),
  partner_id: optionalId,
  partner_name: optionalString,
  sale_order_ids: z.array(z.number().int()),
  sale_order_names: z.array(z.string()),
  invoice_ids: z.array(z.number().int()),
  payment_id: optionalId,
  is_post_processed: z.boolean(),
  /** The source transaction's reference, for a child (partial capture or refund). */
  source_reference: optionalString,
  paypal_order_id: optionalString,
  paypal_capture_id: optionalString,
  paypal_authorization_id: optionalString,
  paypal_authorization_expiry: optionalString,
  paypal_refund_id: optionalString,
  paypal_refund_status: z.enum(REFUND_STATUSES),
  paypal_payer_id: optionalString,
  /** "0.00" when PayPal sent none. */
  paypal_fee: optionalDecimal,
  paypal_net_amount: optionalDecimal,
  paypal_status_detail: optionalString,
  paypal_needs_review: z.boolean(),
  paypal_review_reason: optionalString,
  /** Sum of the done refunds (positive). */
  refunded_amount: decimalString,
  /** What was captured: the amount when done, or the sum of done partial captures. */
  captured_amount: decimalString,
  children: z.array(txChildSchema),
});
export type TxInfo = z.infer<typeof txInfoSchema>;

export const pingSchema = z.object({
  ok: z.literal(true),
  module_version: z.string(),
  uid: z.number().int().positive(),
  db: z.string(),
  company_currency: z.string(),
});
export type PingInfo = z.infer<typeof pingSchema>;

/** `applied`: booked or moved; `unchanged`: already so; `mismatch` / `conflict`: flagged for review, nothing booked. */
export const TX_RESULTS = ['applied', 'unchanged', 'mismatch', 'conflict'] as const;
export type TxResultKind = (typeof TX_RESULTS)[number];

export const txResultSchema = z.object({ result: z.enum(TX_RESULTS), tx: txInfoSchema });
export type TxResult = z.infer<typeof txResultSchema>;

export const disputeResultSchema = z.object({
  result: z.enum(['created', 'updated', 'unchanged']),
  dispute_id: z.string(),
  id: z.number().int().positive(),
});
export type DisputeResult = z.infer<typeof disputeResultSchema>;

/** `paypal_bridge_find` criteria; the first match wins in this order: capture, refund, authorization, order, reference. */
export interface FindQuery {
  reference?: string;
  paypal_order_id?: string;
  capture_id?: string;
  authorization_id?: string;
  refund_id?: string;
}

export type ApplyState = 'pending' | 'authorized' | 'done' | 'cancel' | 'error';

export interface ApplyPaymentValues {
  paypal_order_id?: string;
  capture_id?: string;
  authorization_id?: string;
  /** ISO 8601. */
  authorization_expiry?: string;
  /** PayPal's amount, compared with Odoo's: a difference flags the transaction (`mismatch`). */
  amount?: DecimalString;
  currency?: string;
  fee?: DecimalString;
  net?: DecimalString;
  payer_id?: string;
  payer_email?: string;
  /** PayPal's status detail, e.g. PENDING_REVIEW, ECHECK, UNILATERAL. */
  status_detail?: string;
  message?: string;
  event_id?: string;
}

/**
 * PayPal capture statuses: COMPLETED (and PARTIALLY_REFUNDED / REFUNDED, which were completed
 * first) → done, PENDING → pending, DECLINED/FAILED → error, DENIED → cancel (error for a partial
 * capture: a cancelled child would count as voided).
 */
export type CaptureStatus = 'COMPLETED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'PENDING' | 'DECLINED' | 'FAILED' | 'DENIED';

export interface RegisterCaptureInput {
  sourceReference: string;
  captureId: string;
  amount: DecimalString;
  currency: string;
  status: CaptureStatus;
  values?: Pick<ApplyPaymentValues, 'fee' | 'net' | 'status_detail' | 'message' | 'event_id'>;
}

/** PayPal refund statuses: COMPLETED → done, PENDING → pending, FAILED/CANCELLED → cancel. */
export type RefundStatusAtPayPal = 'COMPLETED' | 'PENDING' | 'FAILED' | 'CANCELLED';

export interface RegisterRefundInput {
  sourceReference: string;
  refundId: string;
  /** This refund's own amount, positive (never the cumulative total). */
  amount: DecimalString;
  currency: string;
  status: RefundStatusAtPayPal;
  /** `reversal` for a chargeback / PAYMENT.CAPTURE.REVERSED: booked like a refund and flagged. */
  kind?: 'refund' | 'reversal';
  values?: { capture_id?: string; reason?: string; event_id?: string };
}

export interface DisputeValues {
  dispute_id: string;
  status?: string;
  reason?: string;
  stage?: string;
  amount?: DecimalString;
  currency?: string;
  /** ISO 8601. */
  seller_response_due_date?: string;
  outcome?: string;
  capture_id?: string;
  reference?: string;
  /** ISO 8601; an update older than the stored one is ignored. */
  update_time?: string;
  event_id?: string;
}

export interface BridgeApi {
  readonly client: OdooClient;
  ping(): Promise<PingInfo>;
  /** The transaction, or null when none matches. */
  find(query: FindQuery): Promise<TxInfo | null>;
  applyPayment(reference: string, state: ApplyState, values?: ApplyPaymentValues): Promise<TxResult>;
  registerCapture(input: RegisterCaptureInput): Promise<TxResult>;
  registerRefund(input: RegisterRefundInput): Promise<TxResult>;
  upsertDispute(values: DisputeValues): Promise<DisputeResult>;
  flagReview(reference: string, reason: string): Promise<TxResult>;
}

/** Keyword arguments without the undefined entries (Odoo would get them as missing anyway). */
function defined<T extends object>(values: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function parse<S extends z.ZodType>(schema: S, call: string, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(result)'}: ${i.message}`);
  throw new OdooResultError(`${MODEL}.${call}`, issues);
}

const findResultSchema = z.union([z.literal(false), z.null(), txInfoSchema]);

export function createBridgeApi(client: OdooClient): BridgeApi {
  async function invoke<S extends z.ZodType>(method: string, schema: S, kwargs: Record<string, unknown>): Promise<z.output<S>> {
    const result = await client.call<unknown>(MODEL, method, [], kwargs);
    return parse(schema, method, result);
  }

  return {
    client,
    ping: () => invoke('paypal_bridge_ping', pingSchema, {}),
    async find(query) {
      const kwargs = defined(query);
      if (Object.keys(kwargs).length === 0) throw new TypeError('find() needs at least one of reference, paypal_order_id, capture_id, authorization_id, refund_id');
      const found = await invoke('paypal_bridge_find', findResultSchema, kwargs);
      return found === false || found === null ? null : found;
    },
    applyPayment: (reference, state, values = {}) => invoke('paypal_bridge_apply_payment', txResultSchema, { reference, state, values: defined(values) }),
    registerCapture: (input) =>
      invoke('paypal_bridge_register_capture', txResultSchema, {
        source_reference: input.sourceReference,
        capture_id: input.captureId,
        amount: input.amount,
        currency: input.currency,
        status: input.status,
        values: defined(input.values ?? {}),
      }),
    registerRefund: (input) =>
      invoke('paypal_bridge_register_refund', txResultSchema, {
        source_reference: input.sourceReference,
        refund_id: input.refundId,
        amount: input.amount,
        currency: input.currency,
        status: input.status,
        kind: input.kind ?? 'refund',
        values: defined(input.values ?? {}),
      }),
    upsertDispute: (values) => invoke('paypal_bridge_upsert_dispute', disputeResultSchema, { values: defined(values) }),
    flagReview: (reference, reason) => invoke('paypal_bridge_flag_review', txResultSchema, { reference, reason }),
  };
}
