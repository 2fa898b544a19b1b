// Helpers for the write-back, checkout API and operations API tests: the real service (startHarness)
// with the production handlers, the PayPal simulator delivering signed webhooks to it and the Odoo
// simulator behind it; tokens as Odoo issues them; payments played at PayPal the way a shopper's
// browser and PayPal make them happen; waiting until everything PayPal emitted has been applied.
import { createHash } from 'node:crypto';
import { issueToken, type TokenPayload } from '../../src/auth/bridge-token.ts';
import { exponentialBackoff } from '../../src/inbox/retry-policy.ts';
import type { InboxEvent } from '../../src/inbox/types.ts';
import { stableRequestId, type PayPalClient } from '../../src/paypal/index.ts';
import type { ServiceOverrides } from '../../src/service.ts';
import { createEventHandlers } from '../../src/sync/event-handlers.ts';
import { finishRequestId } from '../../src/sync/payment-sync.ts';
import type { OdooSim } from '../../sim/odoo/server.ts';
import type { ApproveOptions, PayPalSimulator } from '../../sim/paypal/index.ts';
import { paypalClientFor } from './lifecycles.ts';
import { startHarness, TEST_BRIDGE_SECRET, waitFor, type Harness, type StoreKind } from './service-harness.ts';

export { TEST_BRIDGE_SECRET };

export interface WritebackHarnessOptions {
  store?: StoreKind;
  /** How long CHECKOUT.ORDER.APPROVED waits for the browser to capture (production: 30 s). Default 300 ms. */
  browserHeadStartMs?: number;
  /** An Odoo simulator shared with another harness; default a new one; false: none (`env` names a real Odoo). */
  odoo?: OdooSim | false;
  /** A PayPal simulator shared with another harness; default a new one. */
  sim?: PayPalSimulator;
  env?: Record<string, string>;
  /** Register the service's webhook at the simulator (default true). */
  subscribe?: boolean;
  worker?: ServiceOverrides['worker'];
}

/**
 * Backoffs short enough for a test: a retried event comes back within 40–400 ms, and probing an
 * Odoo that is down happens every 50–300 ms (production: 2 s → 15 min and 1 s → 60 s).
 */
export const TEST_WORKER: NonNullable<ServiceOverrides['worker']> = {
  pollIntervalMs: 25,
  retryPolicy: exponentialBackoff({ baseMs: 40, capMs: 400 }),
  outagePolicy: exponentialBackoff({ baseMs: 50, capMs: 300 }),
};

/** The real service with the production event handlers, subscribed to the simulator's webhooks. */
export async function startWriteback(options: WritebackHarnessOptions = {}): Promise<Harness> {
  const headStart = options.browserHeadStartMs ?? 300;
  return startHarness({
    ...(options.store ? { store: options.store } : {}),
    ...(options.sim ? { sim: options.sim } : {}),
    ...(options.env ? { env: options.env } : {}),
    odoo: options.odoo ?? true,
    subscribe: options.subscribe ?? true,
    overrides: {
      registry: ({ sync }) => createEventHandlers(sync, { browserHeadStartMs: headStart }),
      worker: { ...TEST_WORKER, ...options.worker },
    },
  });
}

/**
 * Waits until every event PayPal emitted so far has been delivered and the inbox holds nothing
 * pending or processing (handlers may call PayPal and make it emit more: those are waited for too).
 */
export async function settle(h: Harness, what = 'the inbox to settle', timeoutMs = 60_000): Promise<InboxEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const emitted = h.sim.state.events.length;
    await h.sim.idle();
    await waitFor(
      async () => {
        const stats = await h.service.store.stats();
        return stats.byStatus.pending === 0 && stats.byStatus.processing === 0;
      },
      what,
      Math.max(deadline - Date.now(), 1),
    );
    if (h.sim.state.events.length === emitted) break;
  }
  return h.service.store.list({ limit: 10_000 });
}

// --- tokens, as Odoo issues them (odoo_addon/README.md, "Tokens") ---------------------------------

export function token(typ: TokenPayload['typ'], reference: string | undefined, overrides: Partial<TokenPayload> = {}, secret = TEST_BRIDGE_SECRET): string {
  const iat = Math.floor(Date.now() / 1000);
  const payload: TokenPayload = {
    typ,
    sub: typ === 'checkout' ? 4 : 2,
    db: 'odoo18',
    scp: typ === 'checkout' ? ['checkout'] : typ === 'server' ? ['operations'] : ['read', 'sync', 'capture', 'void', 'refund', 'replay'],
    ...(reference !== undefined ? { ref: reference } : {}),
    iat,
    exp: iat + (typ === 'checkout' ? 3600 : typ === 'server' ? 60 : 600),
    ...overrides,
  };
  return issueToken(secret, payload);
}

export const checkoutToken = (reference: string, overrides: Partial<TokenPayload> = {}, secret?: string) => token('checkout', reference, overrides, secret);
export const serverToken = (reference: string, overrides: Partial<TokenPayload> = {}, secret?: string) => token('server', reference, overrides, secret);

// --- the service's JSON APIs --------------------------------------------------------------------

export interface ApiAnswer {
  status: number;
  // Tests read deep into the answers; `unknown` would only add casts.
  body: any;
  headers: Headers;
}

export async function callApi(
  baseUrl: string,
  path: string,
  options: { token?: string | undefined; body?: unknown; method?: string; origin?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.origin !== undefined) headers['origin'] = options.origin;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + path, {
    method: options.method ?? 'POST',
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the test sees the text.
  }
  return { status: response.status, body, headers: response.headers };
}

/** The browser's two calls: create the PayPal order of a transaction, capture it after approval. `null`: no token at all. */
export function checkoutApi(baseUrl: string) {
  return {
    createOrder: (reference: string, tok: string | null = checkoutToken(reference), extra: Record<string, unknown> = {}) =>
      callApi(baseUrl, '/v1/checkout/orders', { token: tok ?? undefined, body: { reference, ...extra } }),
    capture: (orderId: string, reference: string, tok: string | null = checkoutToken(reference), extra: Record<string, unknown> = {}) =>
      callApi(baseUrl, `/v1/checkout/orders/${encodeURIComponent(orderId)}/capture`, { token: tok ?? undefined, body: { reference, ...extra } }),
  };
}

/** Odoo's server calling the operations API (a `server` token for the reference in the body). */
export function operationsApi(baseUrl: string) {
  const call = (operation: 'capture' | 'void' | 'refund', body: Record<string, unknown>, tok?: string) =>
    callApi(baseUrl, `/v1/operations/${operation}`, { token: tok ?? serverToken(String(body['reference'])), body });
  return {
    capture: (body: { reference: string; authorization_id: string; amount: string; currency: string; final_capture: boolean; request_id: string }, tok?: string) => call('capture', body, tok),
    void: (body: { reference: string; authorization_id: string; request_id: string }, tok?: string) => call('void', body, tok),
    refund: (body: { reference: string; capture_id: string; amount: string; currency: string; request_id: string }, tok?: string) => call('refund', body, tok),
  };
}

/** A request id as Odoo makes them: "odoo-" + 64 hex. */
export function odooRequestId(seed: string): string {
  return `odoo-${createHash('sha256').update(seed).digest('hex')}`;
}

// --- payments played at PayPal --------------------------------------------------------------------

export interface PayPalSide {
  sim: PayPalSimulator;
  paypal: PayPalClient;
}

export function paypalSide(sim: PayPalSimulator): PayPalSide {
  return { sim, paypal: paypalClientFor(sim) };
}

export interface OrderInput {
  reference: string;
  amount: string;
  currency?: string;
  /** invoice_id, the order name; default `INV-<reference>`. */
  invoiceId?: string;
  intent?: 'CAPTURE' | 'AUTHORIZE';
}

/** The PayPal order of an Odoo transaction, made as the checkout API makes it. */
export async function createOrderAtPayPal(side: PayPalSide, input: OrderInput): Promise<string> {
  const order = await side.paypal.createOrder(
    {
      intent: input.intent ?? 'CAPTURE',
      purchase_units: [
        {
          reference_id: input.reference,
          custom_id: input.reference,
          invoice_id: input.invoiceId ?? `INV-${input.reference}`,
          amount: { currency_code: input.currency ?? 'USD', value: input.amount },
        },
      ],
    },
    { requestId: stableRequestId('test', input.reference, 'create-order', input.amount) },
  );
  return order.id;
}

/** Order created, approved by the buyer, captured by the browser (with the checkout's request id). */
export async function payAtPayPal(side: PayPalSide, input: OrderInput, approve: ApproveOptions = {}): Promise<{ orderId: string; captureId: string }> {
  const orderId = await createOrderAtPayPal(side, input);
  await side.sim.approveOrder(orderId, approve);
  const order = await side.paypal.captureOrder(orderId, { requestId: finishRequestId(input.reference, orderId, 'CAPTURE') });
  const captureId = order.purchase_units?.[0]?.payments?.captures?.[0]?.id;
  if (!captureId) throw new Error(`order ${orderId} has no capture`);
  return { orderId, captureId };
}

/** Order created with intent AUTHORIZE, approved, authorized by the browser. */
export async function authorizeAtPayPal(side: PayPalSide, input: OrderInput): Promise<{ orderId: string; authorizationId: string }> {
  const orderId = await createOrderAtPayPal(side, { ...input, intent: 'AUTHORIZE' });
  await side.sim.approveOrder(orderId);
  const order = await side.paypal.authorizeOrder(orderId, { requestId: finishRequestId(input.reference, orderId, 'AUTHORIZE') });
  const authorizationId = order.purchase_units?.[0]?.payments?.authorizations?.[0]?.id;
  if (!authorizationId) throw new Error(`order ${orderId} has no authorization`);
  return { orderId, authorizationId };
}

// --- Odoo simulator state ---------------------------------------------------------------------------

/** The simulated Odoo's transaction (raw record: expiry, fee and net included). */
export function simTx(odoo: OdooSim, reference: string) {
  const tx = odoo.database.transactions.find((t) => t.reference === reference);
  if (!tx) throw new Error(`the Odoo simulator has no transaction ${reference}`);
  return tx;
}

/** The snapshot view of everything that belongs to one payment (its transaction, children, order, payments). */
export function paymentView(odoo: OdooSim, reference: string) {
  const s = odoo.state();
  const tx = s.transactions.find((t) => t.reference === reference);
  if (!tx) throw new Error(`the Odoo simulator has no transaction ${reference}`);
  const children = s.transactions.filter((t) => t.source_reference === reference);
  const ids = new Set([tx.id, ...children.map((c) => c.id)]);
  const orders = s.orders.filter((o) => tx.sale_order_ids.includes(o.id));
  return {
    tx,
    children,
    refunds: children.filter((c) => c.operation === 'refund'),
    payments: s.payments.filter((p) => ids.has(p.payment_transaction_id)),
    order: orders[0],
    partner: s.partners.find((p) => p.id === simTx(odoo, reference).partner_id),
    disputes: s.disputes.filter((d) => d.transaction_id !== null && ids.has(d.transaction_id)),
  };
}

/**
 * Odoo's state with what legitimately depends on processing order taken out (record ids, the
 * `-1` suffixes of child references, chatter order, event ids): two Odoo databases that applied
 * the same PayPal history give equal values.
 */
export function comparableOdooState(odoo: OdooSim) {
  const s = odoo.state();
  const byId = new Map(s.transactions.map((t) => [t.id, t]));
  const keyOf = (t: (typeof s.transactions)[number]): string =>
    t.operation === 'refund' ? `refund:${t.paypal_refund_id}` : t.source_reference ? `capture:${t.paypal_capture_id ?? t.reference}` : t.reference;
  const byReference = new Map(s.transactions.map((t) => [t.reference, t]));
  const rootOf = (t: (typeof s.transactions)[number]): string => {
    const source = t.source_reference ? byReference.get(t.source_reference) : undefined;
    return source ? rootOf(source) : t.reference;
  };
  return {
    transactions: s.transactions
      .map((t) => ({
        key: keyOf(t),
        root: rootOf(t),
        state: t.state,
        operation: t.operation,
        amount: t.amount,
        currency: t.currency,
        has_payment: t.payment_id !== null,
        paypal_order_id: t.paypal_order_id,
        paypal_capture_id: t.paypal_capture_id,
        paypal_authorization_id: t.paypal_authorization_id,
        paypal_refund_id: t.paypal_refund_id,
        paypal_refund_status: t.paypal_refund_status,
        paypal_payer_id: t.paypal_payer_id,
        paypal_status_detail: t.paypal_status_detail,
        paypal_needs_review: t.paypal_needs_review,
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    payments: s.payments
      .map((p) => {
        const tx = byId.get(p.payment_transaction_id);
        return `${tx ? keyOf(tx) : '?'} ${p.payment_type} ${p.amount} ${p.currency} ${p.state}`;
      })
      .sort(),
    orders: s.orders.map((o) => `${o.name} ${o.state}`).sort(),
    disputes: s.disputes
      .map((d) => ({ dispute_id: d.dispute_id, status: d.status, reason: d.reason, stage: d.stage, amount: d.amount, outcome: d.outcome, due: d.seller_response_due_date, tx: d.transaction_id === null ? null : (byId.get(d.transaction_id)?.reference ?? null) }))
      .sort((a, b) => a.dispute_id.localeCompare(b.dispute_id)),
    activities: s.activities.map((a) => `${a.res_model} ${a.user_id} ${a.date_deadline} ${a.summary}`).sort(),
    payers: s.partners.map((p) => `${p.name}:${p.paypal_payer_id ?? ''}`).sort(),
  };
}

/** Resolves once the wall clock's second differs from `time` (PayPal's timestamps have whole seconds). */
export async function nextSecondAfter(time: string): Promise<void> {
  const after = Date.parse(time);
  await waitFor(() => Math.floor(Date.now() / 1000) > Math.floor(after / 1000), `the clock to pass ${time}`, 5_000);
}
