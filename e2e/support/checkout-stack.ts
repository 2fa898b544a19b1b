// Everything a checkout browser test needs, started for real on 127.0.0.1: the PayPal simulator
// (serving the stand-in JS SDK), the Odoo simulator, the service (service/test/support/
// service-harness.ts: the real composition root, SQLite store, worker on) configured against both,
// the shop pages (shop-server.ts) serving the built asset, Chromium, and a forwarder that delivers
// every webhook event the simulator emits to the service (webhook-forwarder.ts).
// The service's event handlers are its production ones; only their clock can be moved forward,
// past the head start they give the shopper's browser before finishing an approved order from the
// CHECKOUT.ORDER.APPROVED webhook (BROWSER_HEAD_START_MS), so that a test need not wait for it.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startOdooSim, type OdooSim } from '../../service/sim/odoo/server.ts';
import { createEventHandlers } from '../../service/src/sync/event-handlers.ts';
import { BROWSER_HEAD_START_MS } from '../../service/src/sync/payment-sync.ts';
import type { SdkBuyer } from '../../service/sim/paypal/js-sdk.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../service/sim/paypal/index.ts';
import { ensureTestPki, testPkiDir } from '../../service/sim/pki.ts';
import { startHarness, TEST_BRIDGE_SECRET, waitFor, type Harness } from '../../service/test/support/service-harness.ts';
import { launchChromium } from './browser.ts';
import { startShopServer, type Cart, type ShopServer } from './shop-server.ts';
import { forwardWebhooks } from './webhook-forwarder.ts';

export { waitFor };

export interface ShopperPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions of the page. */
  errors: string[];
  /** What the page POSTed to the service, in order; `status` once the answer came (0: none). */
  serviceCalls: { path: string; body: unknown; status?: number }[];
  /** Resolves once every call made so far has its answer's status. */
  callsSettled(): Promise<void>;
}

export interface CheckoutStack {
  paypal: PayPalSimulator;
  odoo: OdooSim;
  harness: Harness;
  shop: ShopServer;
  browser: Browser;
  /** A new shopper (fresh browser context) on the payment page of `cart`, once its widgets started. */
  openPayment(cart: Cart, options?: { terms?: boolean }): Promise<ShopperPage>;
  /** How the stand-in SDK's buyer acts at PayPal on the next clicks. */
  setBuyer(buyer: SdkBuyer, extra?: { patchAmount?: string }): Promise<void>;
  setEligibility(eligibility: Record<string, boolean>): Promise<void>;
  /** The simulator's captures (and authorizations) of the orders created for `reference`. */
  paymentsAtPayPal(reference: string): { captures: number; authorizations: number; orders: number };
  odooTx(reference: string): ReturnType<OdooSim['state']>['transactions'][number] | undefined;
  /**
   * Resolves once every event the simulator emitted so far was delivered to the service and its
   * worker handled those that are due (an approval still within the browser's head start waits).
   */
  webhooksDelivered(): Promise<void>;
  /** From now on the webhook handlers see the browser's head start as elapsed (true) or not. */
  skipBrowserHeadStart(skip: boolean): void;
  close(): Promise<void>;
}

export async function startCheckoutStack(): Promise<CheckoutStack> {
  const pki = await ensureTestPki(testPkiDir());
  const paypal = await startPayPalSimulator({ pki });
  const odoo = await startOdooSim();
  const shop = await startShopServer({ odoo, bridgeSecret: TEST_BRIDGE_SECRET, paypalClientId: paypal.clientId, sdkUrl: `${paypal.httpBase}/sdk/js` });
  let clockSkewMs = 0;
  const harness = await startHarness({
    sim: paypal,
    overrides: {
      registry: ({ sync }) => createEventHandlers(sync, { clock: () => new Date(Date.now() + clockSkewMs) }),
    },
    env: {
      ODOO_URL: odoo.url,
      ODOO_DB: odoo.db,
      ODOO_LOGIN: odoo.service.login,
      ODOO_API_KEY: odoo.service.password,
      BRIDGE_ALLOWED_ORIGINS: shop.url,
    },
  });
  shop.setServiceUrl(harness.service.url);
  const browser = await launchChromium();

  const webhooks = forwardWebhooks(paypal, harness);

  const simPost = async (path: string, body: unknown) => {
    const response = await fetch(`${paypal.httpBase}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  };
  await simPost('/__sim/sdk/settings', { reset: true });

  const contexts = new Set<BrowserContext>();

  return {
    paypal,
    odoo,
    harness,
    shop,
    browser,
    async openPayment(cart, options = {}) {
      const context = await browser.newContext();
      contexts.add(context);
      const page = await context.newPage();
      const errors: string[] = [];
      const serviceCalls: ShopperPage['serviceCalls'] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(`${err.name}: ${err.message}`));
      page.on('request', (request) => {
        if (request.url().startsWith(harness.service.url) && request.method() === 'POST') {
          serviceCalls.push({ path: new URL(request.url()).pathname, body: JSON.parse(request.postData() ?? 'null') as unknown });
        }
      });
      const settle = (url: string, status: number) => {
        const call = serviceCalls.find((c) => c.status === undefined && url.endsWith(c.path));
        if (call) call.status = status;
      };
      page.on('response', (response) => {
        if (response.request().method() === 'POST') settle(response.url(), response.status());
      });
      page.on('requestfailed', (request) => {
        if (request.method() === 'POST') settle(request.url(), 0);
      });
      await page.goto(shop.paymentUrl(cart, options));
      await page.waitForSelector('body[data-public-root-started="1"]');
      const callsSettled = () => waitFor(() => serviceCalls.every((c) => c.status !== undefined), "the service's answers to reach the page");
      return { page, context, errors, serviceCalls, callsSettled };
    },
    setBuyer: (buyer, extra = {}) => simPost('/__sim/sdk/settings', { buyer, ...extra }),
    setEligibility: (eligibility) => simPost('/__sim/sdk/settings', { eligibility }),
    paymentsAtPayPal(reference) {
      const orders = [...paypal.state.orders.values()].filter((o) => o.purchaseUnits.some((u) => u.customId === reference));
      const ids = new Set(orders.map((o) => o.id));
      return {
        orders: orders.length,
        captures: [...paypal.state.captures.values()].filter((c) => ids.has(c.orderId)).length,
        authorizations: [...paypal.state.authorizations.values()].filter((a) => ids.has(a.orderId)).length,
      };
    },
    odooTx: (reference) => odoo.state().transactions.find((t) => t.reference === reference),
    async webhooksDelivered() {
      await webhooks.delivered();
      await waitFor(async () => {
        const stats = await harness.service.store.stats();
        return stats.due === 0 && (stats.byStatus.processing ?? 0) === 0;
      }, 'the service\'s worker to process the delivered events');
    },
    skipBrowserHeadStart(skip) {
      clockSkewMs = skip ? BROWSER_HEAD_START_MS + 1000 : 0;
    },
    async close() {
      await webhooks.stop();
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await harness.close();
      await shop.close();
      await odoo.close();
      await paypal.close();
    },
  };
}
