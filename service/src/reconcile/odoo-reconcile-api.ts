// The paypal_bridge module's reconciliation entry points (odoo_addon/README.md, "Reconciliation"),
// typed and checked like the rest of the contract (service/src/odoo/bridge-api.ts): a result that
// does not match fails loudly (OdooResultError) instead of being half understood.
import { z } from 'zod';
import { txInfoSchema, type DecimalString, type TxInfo } from '../odoo/bridge-api.ts';
import type { OdooClient } from '../odoo/json-rpc-client.ts';
import { OdooResultError } from '../odoo/odoo-errors.ts';

const MODEL = 'payment.transaction';

/** The most records (or looked-up ids) one call may ask for. */
export const RECONCILE_DATA_MAX_LIMIT = 5000;

const falseToNull = <T extends z.ZodType>(schema: T) =>
  z
    .union([schema, z.literal(false), z.null()])
    .optional()
    .transform((v) => (v === false || v === undefined ? null : (v as z.output<T>)));

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a positive decimal string such as "10.00"');

export const reconcileRecordSchema = z.object({
  id: z.number().int().positive(),
  reference: z.string(),
  state: z.enum(['draft', 'pending', 'authorized', 'done', 'cancel', 'error']),
  operation: falseToNull(z.string()),
  /** Positive, refunds included (`operation` "refund" tells the direction). */
  amount: decimal,
  currency: z.string().length(3),
  paypal_order_id: falseToNull(z.string()),
  paypal_capture_id: falseToNull(z.string()),
  paypal_refund_id: falseToNull(z.string()),
  source_reference: falseToNull(z.string()),
  sale_order_names: z.array(z.string()),
  /** The fee stored on the transaction ("0.00" when PayPal reported none). */
  paypal_fee: decimal,
  /** The fee of the posted fee entry of this capture, or null when none is booked. */
  fee_booked: falseToNull(decimal),
  fee_move_id: falseToNull(z.number().int().positive()),
  /** Whether the transaction's provider has a PayPal Fee Account: fees are booked only then. */
  fee_account_set: z.boolean(),
  payment_id: falseToNull(z.number().int().positive()),
  /** The state of the transaction's account.payment (in_process/paid once posted), null when it has none. */
  payment_state: falseToNull(z.string()),
  /** ISO 8601, UTC. */
  last_state_change: z.string(),
  paypal_needs_review: z.boolean(),
});
export type ReconcileRecord = z.infer<typeof reconcileRecordSchema>;

const reconcileDataEnvelope = z.object({
  records: z.array(z.unknown()),
  next_after_id: z.union([z.number().int().positive(), z.literal(false)]),
});

const STATES = new Set(reconcileRecordSchema.shape.state.options);
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * One record of reconcile_data, checked field by field like `reconcileRecordSchema` but without its
 * per-record allocations: a month is read a hundred thousand records at a time, and zod's copies
 * would more than double the reconciliation's memory.
 */
function readRecord(value: unknown, index: number, issues: string[]): ReconcileRecord | null {
  const where = `records.${index}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push(`${where}: expected an object`);
    return null;
  }
  const v = value as Record<string, unknown>;
  const before = issues.length;
  const str = (key: string): string => {
    const x = v[key];
    if (typeof x !== 'string') issues.push(`${where}.${key}: expected a string`);
    return x as string;
  };
  const optStr = (key: string): string | null => {
    const x = v[key];
    if (x === false || x === null || x === undefined) return null;
    if (typeof x !== 'string') issues.push(`${where}.${key}: expected a string or false`);
    return x as string;
  };
  const dec = (x: unknown, key: string): string => {
    if (typeof x !== 'string' || !DECIMAL.test(x)) issues.push(`${where}.${key}: expected a positive decimal string such as "10.00"`);
    return x as string;
  };
  const optId = (key: string): number | null => {
    const x = v[key];
    if (x === false || x === null || x === undefined) return null;
    if (typeof x !== 'number' || !Number.isInteger(x) || x <= 0) issues.push(`${where}.${key}: expected a positive integer or false`);
    return x as number;
  };
  const id = v['id'];
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) issues.push(`${where}.id: expected a positive integer`);
  const state = v['state'];
  if (typeof state !== 'string' || !STATES.has(state as ReconcileRecord['state'])) issues.push(`${where}.state: expected one of ${[...STATES].join(', ')}`);
  const currency = str('currency');
  if (typeof currency === 'string' && currency.length !== 3) issues.push(`${where}.currency: expected a three-letter code`);
  const feeBooked = v['fee_booked'] === false || v['fee_booked'] === null || v['fee_booked'] === undefined ? null : dec(v['fee_booked'], 'fee_booked');
  const names = v['sale_order_names'];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) issues.push(`${where}.sale_order_names: expected a list of strings`);
  if (typeof v['paypal_needs_review'] !== 'boolean') issues.push(`${where}.paypal_needs_review: expected a boolean`);
  if (typeof v['fee_account_set'] !== 'boolean') issues.push(`${where}.fee_account_set: expected a boolean`);
  const record: ReconcileRecord = {
    id: id as number,
    reference: str('reference'),
    state: state as ReconcileRecord['state'],
    operation: optStr('operation'),
    amount: dec(v['amount'], 'amount'),
    currency,
    paypal_order_id: optStr('paypal_order_id'),
    paypal_capture_id: optStr('paypal_capture_id'),
    paypal_refund_id: optStr('paypal_refund_id'),
    source_reference: optStr('source_reference'),
    sale_order_names: names as string[],
    paypal_fee: dec(v['paypal_fee'], 'paypal_fee'),
    fee_booked: feeBooked,
    fee_move_id: optId('fee_move_id'),
    fee_account_set: v['fee_account_set'] as boolean,
    payment_id: optId('payment_id'),
    payment_state: optStr('payment_state'),
    last_state_change: str('last_state_change'),
    paypal_needs_review: v['paypal_needs_review'] as boolean,
  };
  return issues.length === before ? record : null;
}

function readReconcileData(value: unknown): { records: ReconcileRecord[]; next_after_id: number | false } {
  const envelope = parse(reconcileDataEnvelope, 'paypal_bridge_reconcile_data', value);
  const issues: string[] = [];
  const records: ReconcileRecord[] = [];
  envelope.records.forEach((r, i) => {
    const record = issues.length < 10 ? readRecord(r, i, issues) : null;
    if (record) records.push(record);
  });
  if (issues.length > 0) throw new OdooResultError(`${MODEL}.paypal_bridge_reconcile_data`, issues.slice(0, 10));
  return { records, next_after_id: envelope.next_after_id };
}

const repostPaymentSchema = z.object({
  result: z.enum(['applied', 'unchanged']),
  payment_id: falseToNull(z.number().int().positive()),
  payment_state: falseToNull(z.string()),
  tx: txInfoSchema,
});

const bookFeeSchema = z.object({
  result: z.enum(['applied', 'unchanged', 'mismatch']),
  move_id: falseToNull(z.number().int().positive()),
  fee_booked: falseToNull(decimal),
  tx: txInfoSchema,
});

export interface ReconcileDataPage {
  records: ReconcileRecord[];
  /** Pass as `afterId` for the next page; null when this was the last one. */
  nextAfterId: number | null;
}

export interface ReconcileLookup {
  captureIds?: readonly string[];
  refundIds?: readonly string[];
  references?: readonly string[];
  /** Sale order names (what PayPal reports as invoice_id). */
  orderNames?: readonly string[];
}

export interface BookFeeInput {
  /** The transaction holding the capture (for a partial capture, its `P-…` child). */
  reference: string;
  fee: DecimalString;
  currency: string;
  captureId: string;
}

export interface RepostPaymentResult {
  result: 'applied' | 'unchanged';
  paymentId: number | null;
  paymentState: string | null;
  tx: TxInfo;
}

export interface BookFeeResult {
  result: 'applied' | 'unchanged' | 'mismatch';
  moveId: number | null;
  feeBooked: string | null;
  tx: TxInfo;
}

/** One line of PayPal's ledger, as `paypal_bridge_import_ledger` takes it (amounts signed, as PayPal's balance moved). */
export interface LedgerImportRecord {
  id: string;
  event_code: string;
  /** ISO 8601, UTC. */
  date: string;
  amount: string;
  fee?: string;
  currency: string;
  reference?: string;
  note?: string;
}

/** The most records one `importLedger` call takes (one Transaction Search page). */
export const LEDGER_IMPORT_MAX_RECORDS = 500;

const ledgerResultSchema = z.object({
  id: z.string(),
  line_id: falseToNull(z.number().int().positive()),
  result: z.enum(['created', 'unchanged']),
  matched: z.boolean(),
  transaction: falseToNull(z.string()),
  reason: falseToNull(z.string()),
  fee_line_id: falseToNull(z.number().int().positive()),
});
export type LedgerImportResult = z.output<typeof ledgerResultSchema>;
const importLedgerSchema = z.object({ results: z.array(ledgerResultSchema) });

export interface ReconcileOdooApi {
  /** PayPal transactions (with a capture or refund id) whose last state change is in [from, to), by id. */
  reconcileData(range: { from: Date; to: Date; afterId?: number; limit?: number }): Promise<ReconcileDataPage>;
  /** The transactions holding these PayPal ids, references or sale orders (at most 5000 in all). */
  lookup(query: ReconcileLookup): Promise<ReconcileRecord[]>;
  /** Books a capture's PayPal fee (idempotent per capture id). */
  bookFee(input: BookFeeInput): Promise<BookFeeResult>;
  /** Puts a done PayPal transaction's payment back in the books (posts a draft one, re-creates a cancelled or deleted one). */
  repostPayment(reference: string): Promise<RepostPaymentResult>;
  /** Books a page of PayPal's ledger as statement lines of the PayPal journal, matched with Odoo's payments; one result per record. */
  importLedger(records: readonly LedgerImportRecord[]): Promise<LedgerImportResult[]>;
}

function parse<S extends z.ZodType>(schema: S, call: string, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new OdooResultError(`${MODEL}.${call}`, parsed.error.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.join('.') : '(result)'}: ${i.message}`));
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function createReconcileOdooApi(client: OdooClient): ReconcileOdooApi {
  return {
    async reconcileData(range) {
      const result = await client.call<unknown>(MODEL, 'paypal_bridge_reconcile_data', [], {
        date_from: iso(range.from),
        date_to: iso(range.to),
        after_id: range.afterId ?? 0,
        limit: range.limit ?? 1000,
      });
      const page = readReconcileData(result);
      return { records: page.records, nextAfterId: page.next_after_id === false ? null : page.next_after_id };
    },

    async lookup(query) {
      const kwargs: Record<string, unknown> = {};
      if (query.captureIds?.length) kwargs['capture_ids'] = [...query.captureIds];
      if (query.refundIds?.length) kwargs['refund_ids'] = [...query.refundIds];
      if (query.references?.length) kwargs['references'] = [...query.references];
      if (query.orderNames?.length) kwargs['order_names'] = [...query.orderNames];
      const total = Object.values(kwargs).reduce<number>((n, list) => n + (list as unknown[]).length, 0);
      if (total === 0) return [];
      if (total > RECONCILE_DATA_MAX_LIMIT) throw new RangeError(`lookup() takes at most ${RECONCILE_DATA_MAX_LIMIT} ids at once (got ${total}); split the list.`);
      const result = await client.call<unknown>(MODEL, 'paypal_bridge_reconcile_data', [], kwargs);
      return readReconcileData(result).records;
    },

    async bookFee(input) {
      const result = await client.call<unknown>(MODEL, 'paypal_bridge_book_fee', [], {
        reference: input.reference,
        fee: input.fee,
        currency: input.currency,
        capture_id: input.captureId,
      });
      const parsed = parse(bookFeeSchema, 'paypal_bridge_book_fee', result);
      return { result: parsed.result, moveId: parsed.move_id, feeBooked: parsed.fee_booked, tx: parsed.tx };
    },

    async importLedger(records) {
      if (records.length === 0) return [];
      if (records.length > LEDGER_IMPORT_MAX_RECORDS) throw new RangeError(`importLedger() takes at most ${LEDGER_IMPORT_MAX_RECORDS} records at once (got ${records.length}); split the page.`);
      const result = await client.call<unknown>(MODEL, 'paypal_bridge_import_ledger', [], { records: [...records] });
      const parsed = parse(importLedgerSchema, 'paypal_bridge_import_ledger', result);
      if (parsed.results.length !== records.length) {
        throw new OdooResultError(`${MODEL}.paypal_bridge_import_ledger`, [`${parsed.results.length} results for ${records.length} records`]);
      }
      return parsed.results;
    },

    async repostPayment(reference) {
      const result = await client.call<unknown>(MODEL, 'paypal_bridge_repost_payment', [], { reference });
      const parsed = parse(repostPaymentSchema, 'paypal_bridge_repost_payment', result);
      return { result: parsed.result, paymentId: parsed.payment_id, paymentState: parsed.payment_state, tx: parsed.tx };
    },
  };
}
