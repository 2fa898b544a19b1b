// Everything a back-office browser test needs, started for real on 127.0.0.1: the PayPal
// simulator, the Odoo simulator, the web client pages (backoffice-server.ts) serving the built
// asset, the service (service/test/support/service-harness.ts: the real composition root, SQLite
// store, worker on) subscribed to the simulator's webhooks and allowing the pages' origin, and
// Chromium. Payments are made the way the checkout makes them (an order for the transaction,
// approved, then finished by the service); list fillers are written straight into the Odoo
// simulator's records.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startOdooSim, type OdooSim } from '../../service/sim/odoo/server.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../service/sim/paypal/index.ts';
import { ensureTestPki, testPkiDir } from '../../service/sim/pki.ts';
import { issueToken } from '../../service/src/auth/bridge-token.ts';
import { stableRequestId } from '../../service/src/paypal/index.ts';
import { createEventHandlers } from '../../service/src/sync/event-handlers.ts';
import { paypalClientFor } from '../../service/test/support/lifecycles.ts';
import { startHarness, TEST_BRIDGE_SECRET, waitFor, type Harness } from '../../service/test/support/service-harness.ts';
import { ADMIN_SCOPES, startBackofficeServer, type BackofficeServer } from './backoffice-server.ts';
import { seedPayPalTransactions } from './backoffice-seed.ts';
import { launchChromium } from './browser.ts';

export { waitFor };

export interface BackofficePage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions of the page. */
  errors: string[];
  /** What the page asked of the service, in order, with the answer's status once it came (0: none). */
  serviceCalls: { method: string; path: string; body: unknown; token: string; status?: number }[];
  /** The notifications shown so far ({message, title, type}). */
  notifications(): Promise<{ message: string; title: string; type: string }[]>;
  /** Waits for a notification of `type` whose message matches. */
  expectNotification(type: string, pattern: RegExp): Promise<string>;
  /** Confirms the open confirmation dialog (after checking its body), and waits until it closed. */
  confirmDialog(body?: RegExp): Promise<void>;
}

export interface BackofficeStack {
  paypal: PayPalSimulator;
  odoo: OdooSim;
  harness: Harness;
  web: BackofficeServer;
  browser: Browser;
  /** A fresh browser context on `url`, once the web client started. */
  open(url: string): Promise<BackofficePage>;
  /** A paid (or, with `authorize`, authorized) PayPal transaction, through PayPal and the service. */
  payment(amount: string, options?: { authorize?: boolean }): Promise<{ reference: string; txId: number; captureId: string | null }>;
  /** `count` PayPal transactions written straight into Odoo's records (list fillers). */
  seedTransactions(count: number, prefix: string): void;
  /** The service's admin API, called as another PayPal manager would (another browser, a script). */
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface BackofficeStackOptions {
  /** More of the service's environment (e.g. RECONCILE_HOUR_UTC=off, so that no daily run comes in between). */
  env?: Record<string, string>;
  /**
   * How long the production event handlers let the shopper's browser capture an approved order
   * before CHECKOUT.ORDER.APPROVED finishes it (default: the production 30 s). 0 lets a test wait
   * until every event of its payments was applied.
   */
  browserHeadStartMs?: number;
}

export async function startBackofficeStack(options: BackofficeStackOptions = {}): Promise<BackofficeStack> {
  const pki = await ensureTestPki(testPkiDir());
  const paypal = await startPayPalSimulator({ pki });
  const odoo = await startOdooSim();
  const web = await startBackofficeServer({ odoo, bridgeSecret: TEST_BRIDGE_SECRET });
  const headStart = options.browserHeadStartMs;
  const harness = await startHarness({
    sim: paypal,
    odoo,
    subscribe: true,
    env: { ...options.env, BRIDGE_ALLOWED_ORIGINS: web.url },
    ...(headStart === undefined ? {} : { overrides: { registry: ({ sync }) => createEventHandlers(sync, { browserHeadStartMs: headStart }) } }),
  });
  web.setServiceUrl(harness.service.url);
  const browser = await launchChromium();
  const contexts = new Set<BrowserContext>();
  const client = paypalClientFor(paypal);

  return {
    paypal,
    odoo,
    harness,
    web,
    browser,
    async open(url) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      contexts.add(context);
      const page = await context.newPage();
      const errors: string[] = [];
      const serviceCalls: BackofficePage['serviceCalls'] = [];
      page.on('console', (msg) => {
        // A refused request is logged by Chromium itself; the tests check those through serviceCalls.
        if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(`${err.name}: ${err.message}`));
      page.on('request', (request) => {
        if (request.url().startsWith(harness.service.url) && request.method() !== 'OPTIONS') {
          const u = new URL(request.url());
          serviceCalls.push({
            method: request.method(),
            path: `${u.pathname}${u.search}`,
            body: request.method() === 'POST' ? (JSON.parse(request.postData() ?? 'null') as unknown) : undefined,
            token: (request.headers()['authorization'] ?? '').replace(/^Bearer /, ''),
          });
        }
      });
      const settle = (url: string, method: string, status: number) => {
        const u = new URL(url);
        const call = serviceCalls.find((c) => c.status === undefined && c.method === method && c.path === `${u.pathname}${u.search}`);
        if (call) call.status = status;
      };
      page.on('response', (response) => {
        if (response.url().startsWith(harness.service.url) && response.request().method() !== 'OPTIONS') settle(response.url(), response.request().method(), response.status());
      });
      page.on('requestfailed', (request) => {
        if (request.url().startsWith(harness.service.url)) settle(request.url(), request.method(), 0);
      });
      await page.goto(url);
      await page.waitForSelector('body[data-started="1"], body[data-start-error]');
      const startError = await page.locator('body').getAttribute('data-start-error');
      assert.equal(startError, null, `the web client did not start: ${startError}`);
      const notifications = () => page.evaluate('window.__notifications || []') as Promise<{ message: string; title: string; type: string }[]>;
      return {
        page,
        context,
        errors,
        serviceCalls,
        notifications,
        async expectNotification(type, pattern) {
          let found = '';
          await waitFor(async () => {
            found = (await notifications()).find((n) => n.type === type && pattern.test(n.message))?.message ?? '';
            return found !== '';
          }, `a ${type} notification matching ${pattern} (got ${JSON.stringify(await notifications())})`);
          return found;
        },
        async confirmDialog(body) {
          const dialog = page.locator('.o_dialog .modal');
          await dialog.waitFor();
          if (body) assert.match((await dialog.locator('.modal-body').textContent()) ?? '', body);
          await dialog.locator('.modal-footer .btn-primary').click();
          await page.locator('.o_dialog').waitFor({ state: 'detached', timeout: 60_000 });
        },
      };
    },
    async payment(amount, options = {}) {
      const fx = odoo.createSaleOrderWithTransaction({ amount, currency: 'USD', captureManually: !!options.authorize });
      const order = await client.createOrder(
        { intent: options.authorize ? 'AUTHORIZE' : 'CAPTURE', purchase_units: [{ custom_id: fx.reference, invoice_id: fx.reference, amount: { currency_code: 'USD', value: amount } }] },
        { requestId: stableRequestId('e2e', fx.reference, 'create') },
      );
      await paypal.approveOrder(order.id);
      const result = await harness.service.sync.finishOrder(order.id, { reference: fx.reference });
      assert.equal(result.state, options.authorize ? 'authorized' : 'done', result.detail);
      const tx = odoo.state().transactions.find((t) => t.reference === fx.reference);
      return { reference: fx.reference, txId: fx.txId, captureId: tx?.paypal_capture_id ?? null };
    },
    seedTransactions(count, prefix) {
      seedPayPalTransactions(odoo.database, count, prefix);
    },
    async admin(method, path, body) {
      const now = Math.floor(Date.now() / 1000);
      const token = issueToken(TEST_BRIDGE_SECRET, { typ: 'admin', sub: odoo.admin.uid, db: odoo.db, scp: ADMIN_SCOPES, iat: now, exp: now + 600 });
      const response = await fetch(`${harness.service.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await harness.close();
      await web.close();
      await odoo.close();
      await paypal.close();
    },
  };
}
