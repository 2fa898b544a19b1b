// Orders v2: create, show, buyer approval (a test action), capture, authorize, approval reversal.
//
// PayPal semantics kept here:
// - an order must be APPROVED by the buyer before it can be captured or authorized (422
//   ORDER_NOT_APPROVED), and only once (ORDER_ALREADY_CAPTURED / ORDER_ALREADY_AUTHORIZED);
// - the action must match the intent (ACTION_DOES_NOT_MATCH_INTENT);
// - INSTRUMENT_DECLINED on capture sends the buyer back to choose another funding source: the order
//   needs approval again;
// - a capture that PayPal declines still completes the order (status COMPLETED with a DECLINED
//   capture inside), as live PayPal does;
// - with duplicate invoice ids blocked (PayPal's default account setting), a second payment for an
//   invoice id already paid is refused (DUPLICATE_INVOICE_ID).
import { currencyDecimals } from '../openapi/currencies.ts';
import { resourceNotFound, unprocessable } from './errors.ts';
import { accountId, resourceId } from './ids.ts';
import { asObject, missingParameter, readMoney, stringField, type JsonObject } from './input.ts';
import { captureFee, formatAmount, money } from './money.ts';
import { authorizationJson, captureJson, orderJson } from './representations.ts';
import {
  timestamp,
  type ApiAnswer,
  type ApprovalRecord,
  type AuthorizationRecord,
  type CaptureOutcome,
  type CaptureRecord,
  type OrderRecord,
  type Payer,
  type PurchaseUnitRecord,
  type SimContext,
} from './state.ts';

const ORDER_MONEY_ISSUES = { tooManyDecimals: 'DECIMAL_PRECISION', decimalsNotSupported: 'DECIMAL_PRECISION' } as const;
const MAX_MINOR_TWO_DECIMALS = 99_999_999_999_999_999n; // "Should be less than or equal to 999999999999999.99."
const BREAKDOWN_ADD = ['item_total', 'tax_total', 'shipping', 'handling', 'insurance'];
const BREAKDOWN_SUBTRACT = ['shipping_discount', 'discount'];
const AUTHORIZATION_DAYS = 29;

export function findOrder(ctx: SimContext, id: string): OrderRecord {
  const order = ctx.state.orders.get(id);
  if (!order) throw resourceNotFound('order_id', id);
  return order;
}

function unitField(unit: { referenceId: string }, rest: string): string {
  return `/purchase_units/@reference_id=='${unit.referenceId}'/${rest}`;
}

/** Checks `amount.breakdown` and item totals the way PayPal does, in minor units. */
function checkBreakdown(unit: PurchaseUnitRecord, amount: JsonObject): void {
  const breakdown = asObject(amount['breakdown']);
  const items = Array.isArray(unit.request['items']) ? (unit.request['items'] as unknown[]).map(asObject) : [];
  const part = (key: string): bigint | undefined => {
    const m = breakdown?.[key];
    if (m === undefined) return undefined;
    const parsed = readMoney(m, unitField(unit, `amount/breakdown/${key}`), ORDER_MONEY_ISSUES);
    if (parsed.currency !== unit.currency) throw unprocessable('MULTI_CURRENCY_ORDER', { field: unitField(unit, `amount/breakdown/${key}/currency_code`), value: parsed.currency, location: 'body' });
    return parsed.minor;
  };
  if (items.length > 0) {
    let itemTotal = 0n;
    let taxTotal = 0n;
    let anyTax = false;
    items.forEach((item, i) => {
      const quantity = BigInt(stringField(item, 'quantity') ?? '1');
      itemTotal += readMoney(item?.['unit_amount'], unitField(unit, `items/${i}/unit_amount`), ORDER_MONEY_ISSUES).minor * quantity;
      if (item?.['tax'] !== undefined) {
        anyTax = true;
        taxTotal += readMoney(item['tax'], unitField(unit, `items/${i}/tax`), ORDER_MONEY_ISSUES).minor * quantity;
      }
    });
    const declaredItems = part('item_total');
    if (declaredItems === undefined) throw unprocessable('ITEM_TOTAL_REQUIRED', { field: unitField(unit, 'amount/breakdown/item_total'), location: 'body' });
    if (declaredItems !== itemTotal) throw unprocessable('ITEM_TOTAL_MISMATCH', { field: unitField(unit, 'amount/breakdown/item_total/value'), value: formatAmount(declaredItems, unit.currency), location: 'body' });
    if (anyTax) {
      const declaredTax = part('tax_total');
      if (declaredTax === undefined) throw unprocessable('TAX_TOTAL_REQUIRED', { field: unitField(unit, 'amount/breakdown/tax_total'), location: 'body' });
      if (declaredTax !== taxTotal) throw unprocessable('TAX_TOTAL_MISMATCH', { field: unitField(unit, 'amount/breakdown/tax_total/value'), value: formatAmount(declaredTax, unit.currency), location: 'body' });
    }
  }
  if (breakdown) {
    let sum = 0n;
    for (const key of BREAKDOWN_ADD) sum += part(key) ?? 0n;
    for (const key of BREAKDOWN_SUBTRACT) sum -= part(key) ?? 0n;
    if (sum !== unit.amountMinor) throw unprocessable('AMOUNT_MISMATCH', { field: unitField(unit, 'amount/value'), value: formatAmount(unit.amountMinor, unit.currency), location: 'body' });
  }
}

function normalizedMoney(value: unknown, field: string): JsonObject {
  const parsed = readMoney(value, field, ORDER_MONEY_ISSUES);
  return { ...asObject(value), ...money(parsed.minor, parsed.currency) };
}

function readPurchaseUnits(body: JsonObject): PurchaseUnitRecord[] {
  const raw = body['purchase_units'];
  if (!Array.isArray(raw) || raw.length === 0) throw missingParameter('/purchase_units');
  const units: PurchaseUnitRecord[] = raw.map((u, index) => {
    const request = asObject(u);
    if (!request) throw missingParameter(`/purchase_units/${index}`);
    const referenceId = stringField(request, 'reference_id');
    if (raw.length > 1 && referenceId === undefined) throw unprocessable('REFERENCE_ID_REQUIRED', { field: `/purchase_units/${index}/reference_id`, location: 'body' });
    const amount = asObject(request['amount']);
    if (!amount) throw missingParameter(`/purchase_units/${index}/amount`);
    const unit: PurchaseUnitRecord = {
      referenceId: referenceId ?? 'default',
      currency: '',
      amountMinor: 0n,
      request,
      captureIds: [],
      authorizationIds: [],
    };
    const parsed = readMoney(amount, unitField(unit, 'amount'), ORDER_MONEY_ISSUES);
    const max = MAX_MINOR_TWO_DECIMALS / 10n ** BigInt(2 - currencyDecimals(parsed.currency));
    if (parsed.minor > max) throw unprocessable('MAX_VALUE_EXCEEDED', { field: unitField(unit, 'amount/value'), value: stringField(amount, 'value'), location: 'body' });
    unit.currency = parsed.currency;
    unit.amountMinor = parsed.minor;
    const customId = stringField(request, 'custom_id');
    const invoiceId = stringField(request, 'invoice_id');
    if (customId !== undefined) unit.customId = customId;
    if (invoiceId !== undefined) unit.invoiceId = invoiceId;
    checkBreakdown(unit, amount);
    const breakdown = asObject(amount['breakdown']);
    const normalizedBreakdown = breakdown
      ? Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, normalizedMoney(v, unitField(unit, `amount/breakdown/${k}`))]))
      : undefined;
    unit.request = { ...request, amount: { ...money(parsed.minor, parsed.currency), ...(normalizedBreakdown ? { breakdown: normalizedBreakdown } : {}) } };
    return unit;
  });
  const currencies = new Set(units.map((u) => u.currency));
  if (currencies.size > 1) throw unprocessable('MULTI_CURRENCY_ORDER', { field: '/purchase_units', location: 'body' });
  const refs = new Set<string>();
  for (const u of units) {
    if (refs.has(u.referenceId)) throw unprocessable('DUPLICATE_REFERENCE_ID', { field: '/purchase_units/reference_id', value: u.referenceId, location: 'body' });
    refs.add(u.referenceId);
  }
  return units;
}

export function createOrder(ctx: SimContext, bodyIn: unknown, representation: boolean): ApiAnswer {
  const body = asObject(bodyIn);
  if (!body) throw missingParameter('/intent');
  const intent = stringField(body, 'intent');
  if (intent === undefined) throw missingParameter('/intent');
  if (intent !== 'CAPTURE' && intent !== 'AUTHORIZE') throw unprocessable('UNSUPPORTED_INTENT', { field: '/intent', value: intent, location: 'body' });
  const purchaseUnits = readPurchaseUnits(body);
  const now = timestamp(ctx.now());
  const order: OrderRecord = { id: resourceId(), intent, status: 'CREATED', purchaseUnits, createTime: now, updateTime: now };
  ctx.state.orders.set(order.id, order);
  return { status: 201, body: orderJson(ctx, order, representation ? 'full' : 'minimal') };
}

export function getOrder(ctx: SimContext, id: string): ApiAnswer {
  return { status: 200, body: orderJson(ctx, findOrder(ctx, id), 'full') };
}

export interface ApproveOptions {
  payer?: Partial<Payer>;
  captureOutcome?: CaptureOutcome;
  /** status_details.reason of the capture when it is PENDING (default PENDING_REVIEW) or DECLINED. */
  pendingReason?: string;
  /** The buyer's funding source fails on the next capture: 422 INSTRUMENT_DECLINED. */
  instrumentDeclined?: boolean;
}

let buyerCounter = 0;

function defaultPayer(): Payer {
  buyerCounter++;
  return { payer_id: accountId(), email_address: `buyer${buyerCounter}@example.com`, name: { given_name: 'John', surname: 'Doe' }, address: { country_code: 'US' } };
}

/** The buyer approves the order at PayPal; emits CHECKOUT.ORDER.APPROVED. */
export function approveOrder(ctx: SimContext, id: string, options: ApproveOptions = {}): void {
  const order = findOrder(ctx, id);
  if (order.status !== 'CREATED' && order.status !== 'APPROVED') {
    throw new Error(`Order ${id} is ${order.status}; only a CREATED or APPROVED order can be approved by the buyer.`);
  }
  const outcome = options.captureOutcome ?? 'COMPLETED';
  if (!['COMPLETED', 'PENDING', 'DECLINED'].includes(outcome)) throw new Error(`captureOutcome must be COMPLETED, PENDING or DECLINED, got ${String(outcome)}.`);
  const base = order.payer ?? defaultPayer();
  order.payer = {
    ...base,
    ...options.payer,
    name: { ...base.name, ...options.payer?.name },
    address: { ...base.address, ...options.payer?.address },
  };
  const reason = options.pendingReason ?? (outcome === 'PENDING' ? 'PENDING_REVIEW' : undefined);
  const approval: ApprovalRecord = { captureOutcome: outcome, instrumentDeclined: options.instrumentDeclined ?? false };
  if (reason !== undefined) approval.statusReason = reason;
  order.approval = approval;
  order.status = 'APPROVED';
  order.updateTime = timestamp(ctx.now());
  ctx.emit('CHECKOUT.ORDER.APPROVED', orderJson(ctx, order, 'full'));
}

/** An approved order was never captured; PayPal cancels it (CHECKOUT.PAYMENT-APPROVAL.REVERSED). */
export function reverseApproval(ctx: SimContext, id: string): void {
  const order = findOrder(ctx, id);
  if (order.status !== 'APPROVED') throw new Error(`Order ${id} is ${order.status}; only an APPROVED order that was never captured can have its approval reversed.`);
  order.status = 'VOIDED';
  order.updateTime = timestamp(ctx.now());
  ctx.emit('CHECKOUT.PAYMENT-APPROVAL.REVERSED', {
    order_id: order.id,
    purchase_units: order.purchaseUnits.map((u) => ({
      reference_id: u.referenceId,
      ...(u.customId !== undefined ? { custom_id: u.customId } : {}),
      ...(u.invoiceId !== undefined ? { invoice_id: u.invoiceId } : {}),
    })),
    ...(order.payer ? { payer: { payer_id: order.payer.payer_id, email_address: order.payer.email_address } } : {}),
  });
}

function requireApproved(order: OrderRecord, action: 'capture' | 'authorize'): ApprovalRecord {
  if (order.status === 'COMPLETED') throw unprocessable(action === 'capture' ? 'ORDER_ALREADY_CAPTURED' : 'ORDER_ALREADY_AUTHORIZED');
  if (order.status === 'VOIDED' && action === 'authorize') throw unprocessable('ORDER_COMPLETED_OR_VOIDED');
  if (order.status !== 'APPROVED' || !order.approval) throw unprocessable('ORDER_NOT_APPROVED');
  return order.approval;
}

function checkDuplicateInvoice(ctx: SimContext, order: OrderRecord): void {
  if (!ctx.blockDuplicateInvoiceId) return;
  for (const unit of order.purchaseUnits) {
    if (unit.invoiceId === undefined) continue;
    for (const c of ctx.state.captures.values()) {
      if (c.orderId !== order.id && c.invoiceId === unit.invoiceId && c.status !== 'DECLINED' && c.status !== 'FAILED') {
        throw unprocessable('DUPLICATE_INVOICE_ID', { field: unitField(unit, 'invoice_id'), value: unit.invoiceId, location: 'body' });
      }
    }
  }
}

/** Creates a capture of `amountMinor` with the outcome the buyer's approval asked for, and emits its event. */
export function newCapture(
  ctx: SimContext,
  order: OrderRecord,
  unitIndex: number,
  amountMinor: bigint,
  currency: string,
  extra: { authorizationId?: string; finalCapture: boolean; invoiceId?: string; customId?: string },
): CaptureRecord {
  const approval = order.approval ?? { captureOutcome: 'COMPLETED', instrumentDeclined: false };
  const now = timestamp(ctx.now());
  const capture: CaptureRecord = {
    id: resourceId(),
    orderId: order.id,
    purchaseUnitIndex: unitIndex,
    currency,
    amountMinor,
    feeMinor: captureFee(amountMinor, currency, ctx.fees),
    status: approval.captureOutcome,
    finalCapture: extra.finalCapture,
    refundIds: [],
    refundedMinor: 0n,
    feeRefundedMinor: 0n,
    reversed: false,
    createTime: now,
    updateTime: now,
  };
  if (approval.captureOutcome !== 'COMPLETED' && approval.statusReason !== undefined) capture.statusReason = approval.statusReason;
  if (extra.authorizationId !== undefined) capture.authorizationId = extra.authorizationId;
  if (extra.invoiceId !== undefined) capture.invoiceId = extra.invoiceId;
  if (extra.customId !== undefined) capture.customId = extra.customId;
  ctx.state.captures.set(capture.id, capture);
  order.purchaseUnits[unitIndex]?.captureIds.push(capture.id);
  ctx.emit(`PAYMENT.CAPTURE.${capture.status}`, captureJson(ctx, capture));
  return capture;
}

export function captureOrder(ctx: SimContext, id: string, representation: boolean): ApiAnswer {
  const order = findOrder(ctx, id);
  if (order.intent !== 'CAPTURE') {
    throw unprocessable('ACTION_DOES_NOT_MATCH_INTENT', {
      description: "Order was created with an intent to 'AUTHORIZE'. Please use v2/checkout/orders/order_id/authorize to complete the transaction or alternately Create an order with an intent of 'CAPTURE'.",
    });
  }
  const approval = requireApproved(order, 'capture');
  if (approval.instrumentDeclined) {
    // The buyer must pick another funding source: the order goes back to awaiting approval.
    order.status = 'CREATED';
    delete order.approval;
    order.updateTime = timestamp(ctx.now());
    throw unprocessable('INSTRUMENT_DECLINED');
  }
  checkDuplicateInvoice(ctx, order);
  const captures = order.purchaseUnits.map((unit, i) => {
    const extra: { finalCapture: boolean; invoiceId?: string; customId?: string } = { finalCapture: true };
    if (unit.invoiceId !== undefined) extra.invoiceId = unit.invoiceId;
    if (unit.customId !== undefined) extra.customId = unit.customId;
    return newCapture(ctx, order, i, unit.amountMinor, unit.currency, extra);
  });
  order.status = 'COMPLETED';
  order.updateTime = timestamp(ctx.now());
  if (captures.some((c) => c.status !== 'DECLINED')) ctx.emit('CHECKOUT.ORDER.COMPLETED', orderJson(ctx, order, 'full'));
  return { status: 201, body: orderJson(ctx, order, representation ? 'full' : 'payments') };
}

export function authorizeOrder(ctx: SimContext, id: string, representation: boolean): ApiAnswer {
  const order = findOrder(ctx, id);
  if (order.intent !== 'AUTHORIZE') throw unprocessable('ACTION_DOES_NOT_MATCH_INTENT');
  const approval = requireApproved(order, 'authorize');
  if (approval.instrumentDeclined) {
    // The authorize operation documents no INSTRUMENT_DECLINED; PayPal refuses the transaction.
    order.status = 'CREATED';
    delete order.approval;
    order.updateTime = timestamp(ctx.now());
    throw unprocessable('TRANSACTION_REFUSED');
  }
  const now = ctx.now();
  const created = timestamp(now);
  const expiration = timestamp(new Date(now.getTime() + AUTHORIZATION_DAYS * 24 * 3600 * 1000));
  order.purchaseUnits.forEach((unit, i) => {
    const authorization: AuthorizationRecord = {
      id: resourceId(),
      orderId: order.id,
      purchaseUnitIndex: i,
      currency: unit.currency,
      amountMinor: unit.amountMinor,
      capturedMinor: 0n,
      status: 'CREATED',
      captureIds: [],
      expirationTime: expiration,
      createTime: created,
      updateTime: created,
    };
    if (unit.customId !== undefined) authorization.customId = unit.customId;
    if (unit.invoiceId !== undefined) authorization.invoiceId = unit.invoiceId;
    ctx.state.authorizations.set(authorization.id, authorization);
    unit.authorizationIds.push(authorization.id);
    ctx.emit('PAYMENT.AUTHORIZATION.CREATED', authorizationJson(ctx, authorization));
  });
  order.status = 'COMPLETED';
  order.updateTime = created;
  return { status: 201, body: orderJson(ctx, order, representation ? 'full' : 'payments') };
}

