// The whole checkout on a real Odoo 18 with paypal_bridge installed (and `npm run build`'s assets
// in it), when one is named: ODOO_URL (e.g. http://127.0.0.1:8069) and ODOO_DB; ODOO_ADMIN_LOGIN /
// ODOO_ADMIN_PASSWORD (default admin / admin) configure it; ODOO_SHOPPER_LOGIN /
// ODOO_SHOPPER_PASSWORD (default portal / portal, a demo-data customer with an address) shop;
// ODOO_PRODUCT_PATH (default /shop/furn-8888-office-lamp-6, a demo product) is bought.
// The service and the PayPal simulator run here; the PayPal provider is pointed at them for the run
// (client id, bridge secret, service URL, the simulator's JS SDK through the system parameter
// paypal_bridge.paypal_sdk_url) and restored afterwards, under the lock other real-Odoo test files
// take (service/test/support/real-odoo-lock.ts); one service API key is generated per run,
// through the module's own action. Screenshots of the payment page with our buttons and of the
// confirmation are written to e2e/screenshots/. Without ODOO_URL this file says so and defines no test.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startPayPalSimulator, type PayPalSimulator } from '../service/sim/paypal/index.ts';
import { ensureTestPki, testPkiDir } from '../service/sim/pki.ts';
import { lockRealOdooProvider } from '../service/test/support/real-odoo-lock.ts';
import { startHarness, TEST_BRIDGE_SECRET, waitFor, type Harness } from '../service/test/support/service-harness.ts';
import { browserSuite, launchChromium, SCREENSHOT_DIR } from './support/browser.ts';
import { connectRealOdoo, isOfflineNoise, logIn, reachPaymentPage, type RealOdooAdmin } from './support/real-odoo.ts';
import { forwardWebhooks, type WebhookForwarder } from './support/webhook-forwarder.ts';
import { realOdooNotRun } from '../service/test/support/real-odoo-gate.ts';

const url = process.env['ODOO_URL']?.replace(/\/+$/, '');
const SCREENSHOT = path.join(SCREENSHOT_DIR, 'real-odoo-payment.png');
const CONFIRMATION_SCREENSHOT = path.join(path.dirname(SCREENSHOT), 'real-odoo-confirmation.png');

if (!url) {
  realOdooNotRun('the checkout on a real Odoo');
} else {
  browserSuite(`checkout on the real Odoo at ${url}`, () => {
    describe(`checkout on the real Odoo at ${url}`, () => {
      let paypal: PayPalSimulator;
      let odoo: RealOdooAdmin;
      let harness: Harness;
      let webhooks: WebhookForwarder;
      let browser: Browser;
      let releaseProvider: (() => void) | undefined;

      before(async () => {
        const db = process.env['ODOO_DB'];
        if (!db) throw new Error('ODOO_URL is set but ODOO_DB is not: name the database that has paypal_bridge installed.');
        const adminLogin = process.env['ODOO_ADMIN_LOGIN'] || 'admin';
        const adminPassword = process.env['ODOO_ADMIN_PASSWORD'] || 'admin';
        // Other test files point the same provider at their own service: one at a time, and the
        // settings to restore are read once the provider is ours.
        releaseProvider = await lockRealOdooProvider('e2e/real-odoo-checkout.test.ts');
        odoo = await connectRealOdoo({ url, db, adminLogin, adminPassword });
        browser = await launchChromium();
        const adminContext = await browser.newContext();
        const key = await odoo.generateServiceKey(adminContext);
        await adminContext.close();
        paypal = await startPayPalSimulator({ pki: await ensureTestPki(testPkiDir()) });
        harness = await startHarness({
          sim: paypal,
          env: { ODOO_URL: url, ODOO_DB: db, ODOO_LOGIN: key.login, ODOO_API_KEY: key.key, BRIDGE_ALLOWED_ORIGINS: new URL(url).origin },
        });
        await odoo.configure({ clientId: paypal.clientId, serviceUrl: harness.service.url, secret: TEST_BRIDGE_SECRET, sdkUrl: `${paypal.httpBase}/sdk/js` });
        webhooks = forwardWebhooks(paypal, harness);
      });

      after(async () => {
        await odoo?.restore();
        releaseProvider?.();
        await webhooks?.stop();
        await browser?.close();
        await harness?.close();
        await paypal?.close();
      });

      test('a shopper buys a demo product with our PayPal button, lands on /payment/status, and the order is confirmed and paid', async () => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
        const page = await context.newPage();
        const errors: string[] = [];
        const references: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' && !isOfflineNoise(m.text())) errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
        page.on('request', (r) => {
          if (r.method() === 'POST' && r.url() === `${harness.service.url}/v1/checkout/orders`) references.push((JSON.parse(r.postData() ?? '{}') as { reference: string }).reference);
        });

        await logIn(page, url, process.env['ODOO_SHOPPER_LOGIN'] || 'portal', process.env['ODOO_SHOPPER_PASSWORD'] || 'portal');
        await reachPaymentPage(page, url, process.env['ODOO_PRODUCT_PATH'] || '/shop/furn-8888-office-lamp-6');
        const radio = page.locator(`input[name="o_payment_radio"][data-provider-code="paypal"]`);
        if (!(await radio.isChecked())) await radio.check();
        await page.locator('.o_paypal_bridge[data-phase="ready"]').waitFor();
        assert.equal(await page.locator('[name="o_paypal_bridge_container"]').count(), 1);
        assert.deepEqual(
          await page.locator('.o_paypal_bridge_button').evaluateAll((els) => els.map((el) => el.getAttribute('data-funding-source'))),
          ['paypal', 'venmo', 'paylater', 'card'],
        );
        assert.equal(await page.locator('#o_paypal_enabled_button *').count(), 0, "Odoo's own PayPal button is not rendered");
        fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });

        await page.locator('.o_paypal_bridge_button[data-funding-source="paypal"] button').click();
        await page.waitForURL(/\/payment\/status/, { waitUntil: 'domcontentloaded' });
        const reference = references.at(-1);
        assert.ok(reference, 'the page asked the service for a PayPal order');
        await waitFor(async () => (await odoo.transaction(reference))?.state === 'done', `Odoo's transaction ${reference} to be done`, 60_000);
        const tx = await odoo.transaction(reference);
        const order = await odoo.order(tx?.sale_order_ids[0] ?? 0);
        assert.equal(order?.state, 'sale', 'the order is confirmed');
        const captures = [...paypal.state.captures.values()].filter((c) => c.customId === reference);
        assert.equal(captures.length, 1, 'one capture at PayPal');
        assert.equal(tx?.provider_reference, captures[0]?.id);
        await webhooks.delivered();
        assert.equal([...paypal.state.captures.values()].filter((c) => c.customId === reference).length, 1);
        // Odoo's status page polls the transaction, then hands over to website_sale's confirmation.
        await page.waitForURL(/\/shop\/confirmation/, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await page.getByText('Your payment has been successfully processed').waitFor();
        await page.screenshot({ path: CONFIRMATION_SCREENSHOT, fullPage: true });
        assert.deepEqual(errors, []);
        await context.close();
      });

      test("Odoo's back office still loads its asset bundle without errors", async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' && !isOfflineNoise(m.text())) errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
        await logIn(page, url, process.env['ODOO_ADMIN_LOGIN'] || 'admin', process.env['ODOO_ADMIN_PASSWORD'] || 'admin');
        await page.goto(`${url}/odoo`, { waitUntil: 'domcontentloaded' });
        await page.locator('.o_navbar, .o_main_navbar').first().waitFor({ timeout: 60_000 });
        assert.deepEqual(errors, []);
        await context.close();
      });
    });
  });
}
