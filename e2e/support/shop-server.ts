// A stand-in of the Odoo 18 website pages the checkout goes through, serving the BUILT checkout
// asset the way Odoo serves it, on top of the Odoo simulator (service/sim/odoo). What it models:
// - GET /shop/payment?order=<id>[&tc=1]: website_sale's payment step with payment's form
//   (payment.form / payment.method_form markup and data-* attributes, payment_paypal's submit
//   button container, our container from views/payment_form_templates.xml, the terms checkbox of
//   website_sale.accept_terms_and_conditions when tc=1) and a second, non-PayPal option;
// - the asset bundle: real OWL (@odoo/owl's IIFE build, wrapped like web/static/lib/owl/
//   odoo_module.js), the stand-in modules under odoo-page/modules (each documents what it
//   models) and our built odoo_addon/paypal_bridge/static/src/checkout/index.js, every file run
//   through odoo-transpile.ts (the built file first through the post-build check), joined like
//   Odoo's bundle and loaded by the stand-in module loader;
// - POST /shop/payment/transaction/<order_id> (JSON-RPC): website_sale's transaction route with
//   paypal_bridge's processing values: checks the access token and that the amount is the
//   order's, creates a draft payment.transaction (reference S00001, S00001-1, … as Odoo computes
//   it) in the Odoo simulator, answers {provider_id, provider_code, reference, amount, currency,
//   partner_id, should_tokenize, bridge_public_url, bridge_checkout_token} and remembers the
//   transaction for the status page, as Odoo's session does;
// - GET /payment/status: the transaction's state and its order's, read from the simulator.
// Not modelled: sessions and logins, carts and products, delivery, taxes, CSRF, translations.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOdooAssetSource, formatProblems } from '../../scripts/check-odoo-assets.ts';
import { formatDecimal, parseDecimal } from '../../service/sim/odoo/money.ts';
import { blankPayPalFields, PaymentFlow } from '../../service/sim/odoo/payment-flow.ts';
import type { OdooSim } from '../../service/sim/odoo/server.ts';
import { issueToken } from '../../service/src/auth/bridge-token.ts';
import { odooBundle } from './odoo-transpile.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const MODULES_DIR = path.join(here, 'odoo-page', 'modules');
export const BUILT_CHECKOUT_ASSET = path.join(root, 'odoo_addon', 'paypal_bridge', 'static', 'src', 'checkout', 'index.js');
const OWL_IIFE = path.join(root, 'node_modules', '@odoo', 'owl', 'dist', 'owl.iife.js');

/** The stand-in modules, in the order of Odoo's bundle (web, payment, payment_paypal, website_sale). */
const STAND_IN_FILES = [
  'web/static/src/core/l10n/translation.js',
  'web/static/src/core/templates.js',
  'web/static/src/core/network/rpc.js',
  'web/static/src/legacy/js/public/public_widget.js',
  'web/static/src/legacy/js/public/public_root.js',
  'payment/static/src/js/payment_form.js',
  'payment/static/src/js/payment_button.js',
  'payment_paypal/static/src/js/payment_form.js',
  'payment_paypal/static/src/js/payment_button.js',
  'website_sale/static/src/js/payment_form.js',
  'website_sale/static/src/js/payment_button.js',
  'website_sale/static/src/js/terms_and_conditions_checkbox.js',
];

/** Odoo's public user, who creates a guest's transactions (the `sub` of its checkout token). */
const PUBLIC_USER_ID = 4;
/** The ids the page uses for the PayPal payment method and the other option. */
const PAYPAL_METHOD_ID = 114;
const WIRE_METHOD_ID = 7;
const WIRE_PROVIDER_ID = 900;

export interface Cart {
  orderId: number;
  name: string;
  accessToken: string;
  amount: string;
  currency: string;
}

/** What the next transaction route call does wrong on purpose (tests of the service's checks). */
export type Tampering = { kind: 'forged-token' } | { kind: 'foreign-token'; reference: string };

export interface ShopOptions {
  odoo: OdooSim;
  bridgeSecret: string;
  paypalClientId: string;
  /** PayPal's JS SDK base URL (the simulator's stand-in). */
  sdkUrl: string;
  /** Default: the real build output. */
  checkoutAsset?: string;
}

export interface ShopServer {
  readonly url: string;
  /** The service's public URL, given once the service runs (it needs the shop's origin first). */
  setServiceUrl(url: string): void;
  createCart(amount: string, currency?: string): Cart;
  paymentUrl(cart: Cart, options?: { terms?: boolean }): string;
  tamperNextTransaction(tampering: Tampering): void;
  /** References of the transactions the route created, in order. */
  readonly transactions: string[];
  close(): Promise<void>;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;');
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #222; }
.container { max-width: 980px; margin: 0 auto; padding: 24px; }
.row { display: flex; gap: 24px; align-items: flex-start; }
.oe_cart { flex: 3; } .o_total_card { flex: 2; background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 16px; }
.list-group { list-style: none; padding: 0; margin: 0; }
.list-group-item { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 14px; margin-bottom: 8px; }
.d-none { display: none !important; }
.btn-primary { background: #714b67; color: #fff; border: 0; border-radius: 6px; padding: 10px 24px; font-size: 15px; width: 100%; }
.btn-primary:disabled { opacity: .5; }
.o_blockUI { position: fixed; inset: 0; background: rgba(0, 0, 0, .15); z-index: 1000; }
.o_dialog { position: fixed; top: 20%; left: 30%; right: 30%; background: #fff; border: 1px solid #999; padding: 16px; z-index: 1100; }
.alert { border-radius: 6px; padding: 10px 12px; } .alert-danger { background: #f8d7da; } .alert-warning { background: #fff3cd; }
.alert-info { background: #cff4fc; } .alert-success { background: #d1e7dd; }
.mt-2 { margin-top: 8px; } .mb-2 { margin-bottom: 8px; } .text-600 { color: #666; font-size: 13px; }
`;

export async function startShopServer(options: ShopOptions): Promise<ShopServer> {
  const { odoo } = options;
  const db = odoo.database;
  const flow = new PaymentFlow(db, () => new Date());
  const carts = new Map<number, Cart>();
  const monitored = new Map<string, string>();
  const transactions: string[] = [];
  let serviceUrl = '';
  let tampering: Tampering | null = null;

  function bundle(): string {
    const assetPath = options.checkoutAsset ?? BUILT_CHECKOUT_ASSET;
    if (!fs.existsSync(assetPath)) throw new Error(`${assetPath} is missing: run npm run build first`);
    const asset = fs.readFileSync(assetPath, 'utf8');
    const problems = checkOdooAssetSource(asset, assetPath);
    if (problems.length > 0) throw new Error(`the built checkout asset fails the post-build check:\n${formatProblems(problems)}`);
    const files = [
      ...STAND_IN_FILES.map((f) => ({ url: `/${f}`, source: fs.readFileSync(path.join(MODULES_DIR, f), 'utf8') })),
      { url: '/paypal_bridge/static/src/checkout/index.js', source: asset },
    ];
    // web/static/lib/owl/odoo_module.js: OWL's global, as the module @odoo/owl.
    return `odoo.define("@odoo/owl", [], function () { return owl; });\n${odooBundle(files)}`;
  }

  function paymentPage(cart: Cart, terms: boolean): string {
    const provider = db.paypalProvider();
    const config = {
      client_id: options.paypalClientId,
      currency: cart.currency,
      intent: provider.capture_manually ? 'authorize' : 'capture',
      sdk_url: options.sdkUrl,
    };
    const radio = (id: number, providerId: number, code: string, methodCode: string, label: string, inline: string) => `
          <li name="o_payment_option" class="list-group-item">
            <input id="o_payment_method_${id}" name="o_payment_radio" type="radio" data-payment-option-type="payment_method"
                   data-payment-option-id="${id}" data-payment-method-code="${methodCode}" data-provider-id="${providerId}"
                   data-provider-code="${code}" data-provider-state="test"/>
            <label for="o_payment_method_${id}">${label}</label>
            <div name="o_payment_inline_form" class="d-none">${inline}
              <p name="o_payment_secured_by" class="text-600">Secured by ${code === 'paypal' ? 'PayPal' : 'Wire Transfer'}</p>
            </div>
          </li>`;
    const bridgeContainer = provider.paypal_bridge_enabled
      ? `\n              <div name="o_paypal_bridge_container" class="o_paypal_bridge_container mt-2" data-paypal-bridge="${escapeAttr(JSON.stringify(config))}"></div>`
      : '';
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Payment | My Website</title>
<style>${STYLE}</style>
<script src="/web/static/lib/owl/owl.js"></script>
<script src="/web/module_loader.js"></script>
<script src="/web/assets/frontend.js"></script>
</head><body>
<div id="wrap"><div class="o_website_sale_checkout container">
  <div class="row">
    <div class="oe_cart">
      <h3>Payment</h3>
      <form id="o_payment_form" class="o_payment_form" data-mode="payment" data-amount="${Number(cart.amount)}" data-currency-id="1"
            data-partner-id="${db.orders.find((o) => o.id === cart.orderId)?.partner_id ?? 0}" data-transaction-route="/shop/payment/transaction/${cart.orderId}"
            data-landing-route="/shop/payment/validate" data-access-token="${escapeAttr(cart.accessToken)}">
        <div id="o_payment_form_options"><div id="o_payment_methods">
          <h4>Choose a payment method</h4>
          <ul class="list-group">${radio(PAYPAL_METHOD_ID, provider.id, 'paypal', 'paypal', 'PayPal', bridgeContainer)}${radio(WIRE_METHOD_ID, WIRE_PROVIDER_ID, 'custom', 'wire_transfer', 'Wire Transfer', '')}
          </ul>
        </div></div>
      </form>
    </div>
    <div class="o_total_card">
      <p>Order <strong>${escapeHtml(cart.name)}</strong></p>
      <p>Total: <strong id="order_total">${escapeHtml(cart.amount)} ${escapeHtml(cart.currency)}</strong></p>
      ${terms ? `<div name="website_sale_terms_and_conditions_checkbox" class="form-check mb-2">
        <input type="checkbox" id="website_sale_tc_checkbox" class="form-check-input"/>
        <label for="website_sale_tc_checkbox">I agree to the terms &amp; conditions</label>
      </div>` : ''}
      <div id="o_paypal_button_container" name="o_payment_submit_button" data-is-paypal="true">
        <div id="o_paypal_enabled_button" class="d-none"></div>
        <div id="o_paypal_disabled_button"></div>
      </div>
      <button name="o_payment_submit_button" type="submit" class="btn btn-primary" disabled="true">Pay now</button>
    </div>
  </div>
</div></div>
<script>
document.addEventListener("DOMContentLoaded", function () {
  var errors = odoo.loader.findErrors();
  if (errors.missing.length || errors.failed.length || errors.unstarted.length) {
    document.body.dataset.moduleErrors = JSON.stringify(errors);
    console.error("Odoo modules not started: " + JSON.stringify(errors));
  }
  odoo.loader.modules.get("@web/legacy/js/public/public_root").startPublicRoot().then(
    function () { document.body.dataset.publicRootStarted = "1"; },
    function (error) { document.body.dataset.publicRootError = String(error); console.error(error); }
  );
});
</script>
</body></html>`;
  }

  function statusPage(reference: string | undefined): string {
    const tx = reference ? odoo.state().transactions.find((t) => t.reference === reference) : undefined;
    const order = tx ? odoo.state().orders.find((o) => tx.sale_order_ids.includes(o.id)) : undefined;
    return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Payment status</title><style>${STYLE}</style></head><body>
<div class="container"><h3>Payment status</h3>
<div id="o_payment_status" data-reference="${escapeAttr(reference ?? '')}" data-state="${escapeAttr(tx?.state ?? '')}" data-order-state="${escapeAttr(order?.state ?? '')}">
${tx ? `Transaction ${escapeHtml(tx.reference)}: ${escapeHtml(tx.state)}; order ${escapeHtml(order?.name ?? '?')}: ${escapeHtml(order?.state ?? '?')}` : 'No payment to show.'}
</div></div></body></html>`;
  }

  /** website_sale's transaction route, with paypal_bridge's processing values. */
  function createTransaction(orderId: number, params: Record<string, unknown>, setCookie: (v: string) => void): Record<string, unknown> {
    const cart = carts.get(orderId);
    const order = db.orders.find((o) => o.id === orderId);
    if (!cart || !order) throw odooError('odoo.exceptions.MissingError', 'This document does not exist.');
    if (params['access_token'] !== cart.accessToken) throw odooError('odoo.exceptions.AccessError', 'The access token is invalid.');
    if (typeof params['amount'] === 'number' && Math.abs(params['amount'] - Number(formatDecimal(order.amount_total, order.currency))) > 1e-9) {
      throw odooError('odoo.exceptions.ValidationError', 'The cart has been updated. Please refresh the page.');
    }
    const provider = db.paypalProvider();
    if (params['provider_id'] !== provider.id) throw odooError('odoo.exceptions.UserError', 'Only the PayPal provider is simulated on this page.');
    const reference = flow.computeReference(order.name);
    db.transactions.push({
      ...blankPayPalFields(),
      id: db.nextId('payment.transaction'),
      reference,
      provider_id: provider.id,
      amount: order.amount_total,
      currency: order.currency,
      state: 'draft',
      state_message: undefined,
      last_state_change: new Date(),
      operation: 'online_direct',
      source_transaction_id: undefined,
      partner_id: order.partner_id,
      sale_order_ids: [order.id],
      payment_id: undefined,
      is_post_processed: false,
    });
    transactions.push(reference);
    const session = randomBytes(8).toString('hex');
    monitored.set(session, reference);
    setCookie(`bridge_test_session=${session}; Path=/; SameSite=Lax`);
    const now = Math.floor(Date.now() / 1000);
    const tamper = tampering;
    tampering = null;
    const secret = tamper?.kind === 'forged-token' ? 'a-secret-that-is-not-the-bridge-secret-0123' : options.bridgeSecret;
    const tokenRef = tamper?.kind === 'foreign-token' ? tamper.reference : reference;
    const values: Record<string, unknown> = {
      provider_id: provider.id,
      provider_code: 'paypal',
      reference,
      amount: formatDecimal(order.amount_total, order.currency),
      currency_id: 1,
      partner_id: order.partner_id,
      should_tokenize: false,
      bridge_public_url: serviceUrl,
      currency: order.currency,
    };
    if (provider.paypal_bridge_enabled) {
      values['bridge_checkout_token'] = issueToken(secret, { typ: 'checkout', sub: PUBLIC_USER_ID, db: odoo.db, scp: ['checkout'], ref: tokenRef, iat: now, exp: now + 3600 });
    }
    return values;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop.invalid');
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    try {
      if (req.method === 'GET' && url.pathname === '/shop/payment') {
        const cart = carts.get(Number(url.searchParams.get('order')));
        if (!cart) return send(404, 'text/plain', 'no such cart');
        return send(200, 'text/html; charset=utf-8', paymentPage(cart, url.searchParams.get('tc') === '1'));
      }
      if (req.method === 'GET' && url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
      if (req.method === 'GET' && url.pathname === '/web/static/lib/owl/owl.js') return send(200, 'application/javascript', fs.readFileSync(OWL_IIFE, 'utf8'));
      if (req.method === 'GET' && url.pathname === '/web/module_loader.js') {
        return send(200, 'application/javascript', fs.readFileSync(path.join(here, 'odoo-page', 'module-loader.js'), 'utf8'));
      }
      if (req.method === 'GET' && url.pathname === '/web/assets/frontend.js') return send(200, 'application/javascript', bundle());
      if (req.method === 'GET' && (url.pathname === '/payment/status' || url.pathname === '/shop/payment/validate')) {
        const session = /bridge_test_session=([0-9a-f]+)/.exec(req.headers.cookie ?? '')?.[1];
        return send(200, 'text/html; charset=utf-8', statusPage(session ? monitored.get(session) : undefined));
      }
      const txRoute = /^\/shop\/payment\/transaction\/(\d+)$/.exec(url.pathname);
      if (req.method === 'POST' && txRoute) {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          let id: unknown = null;
          const headers: Record<string, string> = {};
          try {
            const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown; params?: Record<string, unknown> };
            id = call.id ?? null;
            const result = createTransaction(Number(txRoute[1]), call.params ?? {}, (cookie) => (headers['set-cookie'] = cookie));
            send(200, 'application/json', JSON.stringify({ jsonrpc: '2.0', id, result }), headers);
          } catch (err) {
            const fault = err instanceof OdooRouteError ? err : new OdooRouteError('builtins.Exception', String(err));
            send(200, 'application/json', JSON.stringify({ jsonrpc: '2.0', id, error: { code: 200, message: 'Odoo Server Error', data: { name: fault.odooName, message: fault.message, arguments: [fault.message], context: {} } } }));
          }
        });
        return undefined;
      }
      return send(404, 'text/plain', 'not found');
    } catch (err) {
      return send(500, 'text/plain', String((err as Error).stack ?? err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const shopUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: shopUrl,
    transactions,
    setServiceUrl(url) {
      serviceUrl = url.replace(/\/+$/, '');
    },
    createCart(amount, currency = 'USD') {
      const parsed = parseDecimal(amount, currency);
      if (!parsed.ok || parsed.minor <= 0n) throw new Error(`bad amount ${amount}`);
      const partnerId = db.nextId('res.partner');
      db.partners.push({ id: partnerId, name: `Shopper ${partnerId}`, email: `shopper${partnerId}@example.com`, paypal_payer_id: undefined });
      const orderId = db.nextId('sale.order');
      const name = `S${String(orderId).padStart(5, '0')}`;
      db.orders.push({ id: orderId, name, state: 'draft', amount_total: parsed.minor, currency, partner_id: partnerId, user_id: odoo.admin.uid, messages: [] });
      const cart: Cart = { orderId, name, accessToken: randomBytes(16).toString('hex'), amount: formatDecimal(parsed.minor, currency), currency };
      carts.set(orderId, cart);
      return cart;
    },
    paymentUrl(cart, opts = {}) {
      return `${shopUrl}/shop/payment?order=${cart.orderId}${opts.terms ? '&tc=1' : ''}`;
    },
    tamperNextTransaction(t) {
      tampering = t;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

class OdooRouteError extends Error {
  readonly odooName: string;

  constructor(odooName: string, message: string) {
    super(message);
    this.odooName = odooName;
  }
}

function odooError(name: string, message: string): OdooRouteError {
  return new OdooRouteError(name, message);
}
