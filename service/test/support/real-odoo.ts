// A real Odoo 18 with paypal_bridge behind the real service (ODOO_URL, ODOO_DB; ODOO_ADMIN_LOGIN /
// ODOO_ADMIN_PASSWORD, default admin/admin; ODOO_LOGIN + ODOO_API_KEY for the technical user, else a
// key is generated through the module's own action). The fixtures are the contract suite's
// (service/test/contract/real-odoo-target.ts); this adds what a write-back test needs on top: the
// provider's bridge secret (the service must share it), pointing the provider at the running
// service, a website order paid the way the shop pays it, and reads as an administrator.
import { createRealOdooTarget } from '../contract/real-odoo-target.ts';
import { lockRealOdooProvider } from './real-odoo-lock.ts';
import type { ContractTarget } from '../contract/odoo-bridge.contract.ts';
import type { OdooClient } from '../../src/odoo/json-rpc-client.ts';
import { formatDecimal } from '../../sim/odoo/money.ts';
import { odooDatetime, type SimTransaction } from '../../sim/odoo/records.ts';
import type { OdooSim } from '../../sim/odoo/server.ts';

export interface RealOdoo {
  url: string;
  db: string;
  target: ContractTarget;
  admin: OdooClient;
  adminUid: number;
  providerId: number;
  paymentMethodId: number;
  /** The provider's Bridge Secret: the service's BRIDGE_SECRET must be the same. */
  bridgeSecret: string;
  /** The service environment that points at this Odoo. */
  serviceEnv(): Record<string, string>;
  /** Points the provider's Service URL at the running service (Odoo's Refund/Capture/Void buttons call it). */
  useService(serviceUrl: string): Promise<void>;
  /**
   * Throws, saying so, when the provider no longer has our Service URL and Bridge Secret: another
   * process changed them (a test file that does not take the lock of real-odoo-lock.ts).
   */
  assertProviderIsOurs(): Promise<void>;
  /** Puts the provider back as it was and releases the lock. */
  restore(): Promise<void>;
}

export async function connectRealOdoo(url: string, holder: string): Promise<RealOdoo> {
  const db = process.env['ODOO_DB'];
  if (!db) throw new Error('ODOO_URL is set but ODOO_DB is not: name the database that has paypal_bridge installed.');
  const apiKey = process.env['ODOO_API_KEY'];
  const release = await lockRealOdooProvider(holder);
  try {
    return await connect(url, db, apiKey, release);
  } catch (err) {
    release();
    throw err;
  }
}

async function connect(url: string, db: string, apiKey: string | undefined, release: () => void): Promise<RealOdoo> {
  const target = await createRealOdooTarget({
    url,
    db,
    adminLogin: process.env['ODOO_ADMIN_LOGIN'] || 'admin',
    adminPassword: process.env['ODOO_ADMIN_PASSWORD'] || 'admin',
    service: apiKey ? { login: process.env['ODOO_LOGIN'] || 'paypal-bridge-service', secret: apiKey } : undefined,
  });
  const admin = target.admin;
  const adminUid = await admin.authenticate();
  const [provider] = await admin.call<{ id: number; paypal_bridge_secret: string | false; paypal_bridge_service_url: string | false }[]>(
    'payment.provider',
    'search_read',
    [[['code', '=', 'paypal']]],
    { fields: ['paypal_bridge_secret', 'paypal_bridge_service_url'], limit: 1 },
  );
  if (!provider?.paypal_bridge_secret) throw new Error('The PayPal provider has no Bridge Secret after the fixture set-up.');
  const [method] = await admin.call<{ id: number }[]>('payment.method', 'search_read', [[['code', '=', 'paypal']]], { fields: ['id'], limit: 1 });
  if (!method) throw new Error('No paypal payment.method');
  const originalServiceUrl = provider.paypal_bridge_service_url;
  let ourServiceUrl: string | undefined;
  return {
    url,
    db,
    target,
    admin,
    adminUid,
    providerId: provider.id,
    paymentMethodId: method.id,
    bridgeSecret: provider.paypal_bridge_secret,
    serviceEnv: () => ({
      ODOO_URL: url,
      ODOO_DB: db,
      ODOO_LOGIN: target.service.login,
      ODOO_API_KEY: target.service.secret,
      BRIDGE_SECRET: provider.paypal_bridge_secret as string,
    }),
    async useService(serviceUrl) {
      await admin.call('payment.provider', 'write', [[provider.id], { paypal_bridge_service_url: serviceUrl }]);
      ourServiceUrl = serviceUrl;
    },
    async assertProviderIsOurs() {
      const [now] = await admin.call<{ paypal_bridge_secret: string | false; paypal_bridge_service_url: string | false }[]>('payment.provider', 'read', [[provider.id]], {
        fields: ['paypal_bridge_secret', 'paypal_bridge_service_url'],
      });
      const changed = [
        now?.paypal_bridge_secret !== provider.paypal_bridge_secret ? 'Bridge Secret' : null,
        ourServiceUrl !== undefined && now?.paypal_bridge_service_url !== ourServiceUrl ? `Service URL (now ${String(now?.paypal_bridge_service_url)}, ours ${ourServiceUrl})` : null,
      ].filter((c) => c !== null);
      if (changed.length > 0) {
        throw new Error(
          `Another process changed the PayPal provider's ${changed.join(' and ')} while this file ran. Test files that configure the real Odoo's ` +
            'provider must take the lock of service/test/support/real-odoo-lock.ts, or run one at a time (npm test -- --test-concurrency=1 …).',
        );
      }
    },
    async restore() {
      try {
        if (originalServiceUrl) await admin.call('payment.provider', 'write', [[provider.id], { paypal_bridge_service_url: originalServiceUrl }]);
        await target.close();
      } finally {
        release();
      }
    },
  };
}

let websiteOrders = 0;

export interface WebsiteCheckout {
  saleOrderId: number;
  orderName: string;
  partnerId: number;
  txId: number;
  /** What Odoo's /shop/payment/transaction answered: the processing values the browser gets. */
  processing: { reference: string; amount: string; currency: string; bridge_checkout_token: string; bridge_public_url: string; provider_code: string };
}

/**
 * A shop order paid the way website_sale pays it: a quotation of the website (a service product,
 * so no shipping method is needed; no taxes, so the total is `amount`) for a customer with an
 * address, then Odoo's own `/shop/payment/transaction/<order>` route (public, with the order's
 * access token, as the payment form calls it), which creates the transaction and answers the
 * processing values with the checkout token Odoo issued.
 */
export async function startWebsiteCheckout(odoo: RealOdoo, amount: string): Promise<WebsiteCheckout> {
  const { admin } = odoo;
  const n = ++websiteOrders;
  const [website] = await admin.call<{ id: number }[]>('website', 'search_read', [[]], { fields: ['id'], limit: 1, order: 'id' });
  const [product] = await admin.call<{ id: number }[]>('product.product', 'search_read', [[['sale_ok', '=', true], ['type', '=', 'service']]], { fields: ['id'], limit: 1, order: 'id' });
  if (!website || !product) throw new Error('The database needs a website and a saleable service product (demo data has both).');
  const [country] = await admin.call<{ id: number }[]>('res.country', 'search_read', [[['code', '=', 'US']]], { fields: ['id'], limit: 1 });
  const stamp = `${Date.now().toString(36)}${n}`;
  const partnerId = await admin.call<number>(
    'res.partner',
    'create',
    [{ name: `PayPal Bridge shopper ${stamp}`, email: `shopper-${stamp}@example.com`, street: '1 Main Street', city: 'Springfield', zip: '12345', country_id: country?.id ?? false }],
    {},
    { retry: false },
  );
  const saleOrderId = await admin.call<number>(
    'sale.order',
    'create',
    [{ partner_id: partnerId, website_id: website.id, user_id: odoo.adminUid, order_line: [[0, 0, { product_id: product.id, product_uom_qty: 1, price_unit: Number(amount), tax_id: [[6, 0, []]] }]] }],
    {},
    { retry: false },
  );
  const [order] = await admin.call<{ name: string; amount_total: number }[]>('sale.order', 'read', [[saleOrderId]], { fields: ['name', 'amount_total'] });
  if (!order || order.amount_total !== Number(amount)) throw new Error(`The website order totals ${order?.amount_total}, not ${amount}`);
  const portalUrl = await admin.call<string>('sale.order', 'get_portal_url', [[saleOrderId]]);
  const accessToken = new URL(portalUrl, odoo.url).searchParams.get('access_token');
  if (!accessToken) throw new Error(`No access token in ${portalUrl}`);

  const response = await fetch(`${odoo.url}/shop/payment/transaction/${saleOrderId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      id: 1,
      params: {
        access_token: accessToken,
        provider_id: odoo.providerId,
        payment_method_id: odoo.paymentMethodId,
        token_id: null,
        amount: Number(amount),
        flow: 'direct',
        tokenization_requested: false,
        landing_route: '/shop/payment/validate',
      },
    }),
  });
  const body = (await response.json()) as { result?: WebsiteCheckout['processing'] & { reference: string }; error?: { data?: { name?: string; message?: string } } };
  if (!body.result) throw new Error(`/shop/payment/transaction refused: ${body.error?.data?.name}: ${body.error?.data?.message}`);
  const [tx] = await admin.call<{ id: number }[]>('payment.transaction', 'search_read', [[['reference', '=', body.result.reference]]], { fields: ['id'], limit: 1 });
  if (!tx) throw new Error(`No transaction ${body.result.reference}`);
  return { saleOrderId, orderName: order.name, partnerId, txId: tx.id, processing: body.result };
}

// --- reads as an administrator ---------------------------------------------------------------------

export interface RealTx {
  id: number;
  reference: string;
  state: string;
  operation: string | false;
  amount: number;
  paypal_order_id: string | false;
  paypal_capture_id: string | false;
  paypal_authorization_id: string | false;
  paypal_authorization_expiry: string | false;
  paypal_refund_id: string | false;
  paypal_refund_status: string;
  paypal_payer_id: string | false;
  paypal_status_detail: string | false;
  paypal_needs_review: boolean;
  paypal_review_reason: string | false;
  paypal_fee: number;
  paypal_net_amount: number;
  payment_id: [number, string] | false;
}

const TX_FIELDS = [
  'reference', 'state', 'operation', 'amount', 'paypal_order_id', 'paypal_capture_id', 'paypal_authorization_id',
  'paypal_authorization_expiry', 'paypal_refund_id', 'paypal_refund_status', 'paypal_payer_id', 'paypal_status_detail',
  'paypal_needs_review', 'paypal_review_reason', 'paypal_fee', 'paypal_net_amount', 'payment_id',
];

export interface RealPaymentView {
  tx: RealTx;
  children: RealTx[];
  refunds: RealTx[];
  /** account.payment of the transaction and its children: "inbound 42.5 in_process". */
  payments: string[];
  orderState: string;
  partnerPayer: string | false;
}

export async function readPayment(admin: OdooClient, txId: number, saleOrderId: number, partnerId: number): Promise<RealPaymentView> {
  const [tx] = await admin.call<RealTx[]>('payment.transaction', 'read', [[txId]], { fields: TX_FIELDS });
  if (!tx) throw new Error(`payment.transaction ${txId} not found`);
  const children = await admin.call<RealTx[]>('payment.transaction', 'search_read', [[['source_transaction_id', '=', txId]]], { fields: TX_FIELDS, order: 'id' });
  const payments = await admin.call<{ amount: number; payment_type: string; state: string }[]>(
    'account.payment',
    'search_read',
    [[['payment_transaction_id', 'in', [txId, ...children.map((c) => c.id)]]]],
    { fields: ['amount', 'payment_type', 'state'], order: 'id' },
  );
  const [order] = await admin.call<{ state: string }[]>('sale.order', 'read', [[saleOrderId]], { fields: ['state'] });
  const [partner] = await admin.call<{ paypal_payer_id: string | false }[]>('res.partner', 'read', [[partnerId]], { fields: ['paypal_payer_id'] });
  return {
    tx,
    children,
    refunds: children.filter((c) => c.operation === 'refund'),
    payments: payments.map((p) => `${p.payment_type} ${p.amount.toFixed(2)} ${p.state}`),
    orderState: order?.state ?? 'missing',
    partnerPayer: partner?.paypal_payer_id ?? false,
  };
}

export interface RealDispute {
  id: number;
  dispute_id: string;
  status: string | false;
  reason: string | false;
  stage: string | false;
  amount: number;
  seller_response_due_date: string | false;
  outcome: string | false;
  transaction_id: [number, string] | false;
  user_id: [number, string] | false;
}

export async function readDispute(admin: OdooClient, disputeId: string): Promise<RealDispute | undefined> {
  const [row] = await admin.call<RealDispute[]>('paypal.dispute', 'search_read', [[['dispute_id', '=', disputeId]]], {
    fields: ['dispute_id', 'status', 'reason', 'stage', 'amount', 'seller_response_due_date', 'outcome', 'transaction_id', 'user_id'],
    limit: 1,
  });
  return row;
}

export async function activitiesOf(admin: OdooClient, model: string, id: number) {
  return admin.call<{ id: number; user_id: [number, string] | false; date_deadline: string; summary: string | false; activity_type_id: [number, string] | false }[]>(
    'mail.activity',
    'search_read',
    [[['res_model', '=', model], ['res_id', '=', id]]],
    { fields: ['user_id', 'date_deadline', 'summary', 'activity_type_id'] },
  );
}

/** Odoo 18 has no "posted" payment state: a posted payment is in_process until matched, then paid. */
export const POSTED = /^(in_process|paid)$/;

// --- the same payment in the real Odoo and in the simulator ------------------------------------------

/**
 * One payment as an accountant sees it, in a form both a real Odoo and the simulator give: amounts as
 * positive decimal strings (USD), date-times as Odoo writes them, children keyed by their PayPal id.
 */
export interface ComparableTx {
  state: string;
  amount: string;
  paypal_order_id: string | null;
  paypal_capture_id: string | null;
  paypal_authorization_id: string | null;
  paypal_authorization_expiry: string | null;
  paypal_refund_id: string | null;
  paypal_refund_status: string;
  paypal_payer_id: string | null;
  paypal_status_detail: string | null;
  paypal_needs_review: boolean;
  paypal_review_reason: string | null;
  fee: string;
  net: string;
  has_payment: boolean;
}

export interface ComparablePayment {
  tx: ComparableTx;
  /** operation: "refund" for refunds and reversals, "capture_or_void" for partial captures and voids. */
  children: (ComparableTx & { operation: string })[];
  payments: string[];
  orderState: string;
  customerPayer: string | null;
}

const money = (value: number) => Math.abs(value).toFixed(2);
const orNull = <T>(value: T | false | undefined): T | null => (value === false || value === undefined ? null : value);

export function comparableRealPayment(v: RealPaymentView): ComparablePayment {
  const tx = (t: RealTx): ComparableTx => ({
    state: t.state,
    amount: money(t.amount),
    paypal_order_id: orNull(t.paypal_order_id),
    paypal_capture_id: orNull(t.paypal_capture_id),
    paypal_authorization_id: orNull(t.paypal_authorization_id),
    paypal_authorization_expiry: orNull(t.paypal_authorization_expiry),
    paypal_refund_id: orNull(t.paypal_refund_id),
    paypal_refund_status: t.paypal_refund_status,
    paypal_payer_id: orNull(t.paypal_payer_id),
    paypal_status_detail: orNull(t.paypal_status_detail),
    paypal_needs_review: t.paypal_needs_review,
    paypal_review_reason: orNull(t.paypal_review_reason),
    fee: money(t.paypal_fee),
    net: money(t.paypal_net_amount),
    has_payment: t.payment_id !== false,
  });
  return {
    tx: tx(v.tx),
    children: v.children.map((c) => ({ operation: c.operation === 'refund' ? 'refund' : 'capture_or_void', ...tx(c) })).sort(byChildKey),
    payments: [...v.payments].sort(),
    orderState: v.orderState,
    customerPayer: orNull(v.partnerPayer),
  };
}

export function comparableSimPayment(odoo: OdooSim, reference: string): ComparablePayment {
  const db = odoo.database;
  const root = db.transactions.find((t) => t.reference === reference);
  if (!root) throw new Error(`the Odoo simulator has no transaction ${reference}`);
  const children = db.children(root);
  const tx = (t: SimTransaction): ComparableTx => ({
    state: t.state,
    amount: formatDecimal(t.amount < 0n ? -t.amount : t.amount, t.currency),
    paypal_order_id: t.paypal_order_id ?? null,
    paypal_capture_id: t.paypal_capture_id ?? null,
    paypal_authorization_id: t.paypal_authorization_id ?? null,
    paypal_authorization_expiry: odooDatetime(t.paypal_authorization_expiry) || null,
    paypal_refund_id: t.paypal_refund_id ?? null,
    paypal_refund_status: t.paypal_refund_status,
    paypal_payer_id: t.paypal_payer_id ?? null,
    paypal_status_detail: t.paypal_status_detail ?? null,
    paypal_needs_review: t.paypal_needs_review,
    paypal_review_reason: t.paypal_review_reason ?? null,
    fee: formatDecimal(t.paypal_fee ?? 0n, t.currency),
    net: formatDecimal(t.paypal_net_amount ?? 0n, t.currency),
    has_payment: t.payment_id !== undefined,
  });
  const ids = new Set([root.id, ...children.map((c) => c.id)]);
  return {
    tx: tx(root),
    children: children.map((c) => ({ operation: c.operation === 'refund' ? 'refund' : 'capture_or_void', ...tx(c) })).sort(byChildKey),
    payments: db.payments.filter((p) => ids.has(p.payment_transaction_id)).map((p) => `${p.payment_type} ${formatDecimal(p.amount, p.currency)} ${p.state}`).sort(),
    orderState: db.order(root.sale_order_ids[0] ?? 0)?.state ?? 'missing',
    customerPayer: db.partner(root.partner_id)?.paypal_payer_id ?? null,
  };
}

function byChildKey(a: ComparableTx, b: ComparableTx): number {
  const key = (c: ComparableTx) => `${c.paypal_refund_id ?? ''}|${c.paypal_capture_id ?? ''}|${c.state}|${c.amount}`;
  return key(a).localeCompare(key(b));
}
