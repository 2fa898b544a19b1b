// The back office on a real Odoo 18 with paypal_bridge installed (and `npm run build`'s assets in
// it: restart Odoo after a build, since it keeps its bundles in memory; upgrade the module after
// changing its XML or Python), when one is named: ODOO_URL and
// ODOO_DB (ODOO_ADMIN_LOGIN / ODOO_ADMIN_PASSWORD, default admin / admin, set it up). Otherwise
// this file says NOT RUN and defines no test.
//
// The service and the PayPal simulator run here; the PayPal provider's Service URL and Public
// Service URL point at the service for the run (restored afterwards), under the lock every
// real-Odoo test file takes (service/test/support/real-odoo-lock.ts). A paid order is made the
// way the checkout makes it (a quotation and its PayPal transaction, an order at PayPal approved
// by the buyer, finished by the service). Then an accountant, a user of the Accounting
// administrator group (so a PayPal manager; created once, its password reset on every run),
// opens PayPal from the Invoicing menu, finds the order by its capture id, refunds part of it,
// sees the refund transaction and the timeline update, and opens the health panel; and on a
// transaction form, Odoo's own Capture button and the PayPal panel work on the same payment; and
// the Reconciliation tab reconciles the days of the test against PayPal's ledger (the
// simulator's Transaction Search) and repairs a capture whose webhooks never came, in one click.
// Screenshots of the list, the detail pane, the health panel, the form and the reconciliation go
// to e2e/screenshots/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { OdooClient } from '../service/src/odoo/json-rpc-client.ts';
import { connectRealOdoo, readPayment, type RealOdoo } from '../service/test/support/real-odoo.ts';
import { startHarness, waitFor, type Harness } from '../service/test/support/service-harness.ts';
import { issueToken } from '../service/src/auth/bridge-token.ts';
import { createOrderAtPayPal, payAtPayPal, paypalSide, settle } from '../service/test/support/writeback.ts';
import { browserSuite, launchChromium, SCREENSHOT_DIR } from './support/browser.ts';
import { BUILT_BACKOFFICE_ASSET } from './support/backoffice-server.ts';
import { isOfflineNoise, logIn } from './support/real-odoo.ts';
import { realOdooNotRun } from '../service/test/support/real-odoo-gate.ts';

const url = process.env['ODOO_URL']?.replace(/\/+$/, '');
const SCREENSHOTS = SCREENSHOT_DIR;
const ACCOUNTANT_LOGIN = 'paypal-bridge-accountant';

/** An Accounting administrator (hence a PayPal manager) who is not the administrator; password reset each run. */
async function ensureAccountant(admin: OdooClient): Promise<{ login: string; password: string }> {
  const password = randomBytes(12).toString('base64url');
  const groupIds: number[] = [];
  for (const [module, name] of [['base', 'group_user'], ['account', 'group_account_manager']] as const) {
    const [data] = await admin.call<{ res_id: number }[]>('ir.model.data', 'search_read', [[['module', '=', module], ['name', '=', name]]], { fields: ['res_id'], limit: 1 });
    if (!data) throw new Error(`No group ${module}.${name} on the real Odoo`);
    groupIds.push(data.res_id);
  }
  const [existing] = await admin.call<number[]>('res.users', 'search', [[['login', '=', ACCOUNTANT_LOGIN]]], { context: { active_test: false } });
  const values = { name: 'PayPal Accountant', login: ACCOUNTANT_LOGIN, password, active: true, groups_id: [[4, groupIds[0]], [4, groupIds[1]]] };
  if (existing) await admin.call('res.users', 'write', [[existing], values]);
  else await admin.call('res.users', 'create', [values], {}, { retry: false });
  return { login: ACCOUNTANT_LOGIN, password };
}

/**
 * Odoo (outside --dev=assets) keeps its asset bundles' file list and versions in memory: after
 * `npm run build` it goes on serving the previous build until it restarts. Checks that every
 * translatable term of the built asset is in the bundle the page loaded.
 */
async function assertServesCurrentBuild(page: Page): Promise<void> {
  const built = fs.readFileSync(BUILT_BACKOFFICE_ASSET, 'utf8');
  const terms = [...built.matchAll(/_t\("((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
  assert.ok(terms.length > 50, 'the built asset has its _t("…") terms');
  const sources = (await page.evaluate('[...document.scripts].map((s) => s.src).filter((src) => /web\\.assets_web.*\\.js/.test(src))')) as string[];
  const served = (await Promise.all(sources.map(async (src) => (await page.request.get(src)).text()))).join('\n');
  const missing = terms.filter((term) => !served.includes(term));
  assert.deepEqual(missing, [], 'Odoo serves an older build of the back office: restart Odoo after npm run build (it caches its asset bundles)');
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

if (!url) {
  realOdooNotRun('the back office on a real Odoo');
} else {
  browserSuite(`back office on the real Odoo at ${url}`, () => {
    describe(`back office on the real Odoo at ${url}`, () => {
      let odoo: RealOdoo;
      let harness: Harness;
      let browser: Browser;
      let originalPublicUrl: string | false = false;

      before(async () => {
        odoo = await connectRealOdoo(url, 'e2e/real-odoo-backoffice.test.ts');
        harness = await startHarness({ odoo: false, subscribe: true, env: { ...odoo.serviceEnv(), BRIDGE_ALLOWED_ORIGINS: new URL(url).origin } });
        await odoo.useService(harness.service.url);
        const [provider] = await odoo.admin.call<{ paypal_bridge_public_url: string | false }[]>('payment.provider', 'read', [[odoo.providerId]], { fields: ['paypal_bridge_public_url'] });
        originalPublicUrl = provider?.paypal_bridge_public_url ?? false;
        await odoo.admin.call('payment.provider', 'write', [[odoo.providerId], { paypal_bridge_public_url: harness.service.url }]);
        browser = await launchChromium();
      });

      after(async () => {
        await browser?.close();
        await odoo?.admin.call('payment.provider', 'write', [[odoo.providerId], { paypal_bridge_public_url: originalPublicUrl }]).catch(() => undefined);
        await harness?.close();
        await odoo?.restore();
      });

      test('an accountant opens PayPal from the menu, finds a paid order by its capture id, refunds part of it, and sees the refund, the timeline and the health panel', async () => {
        // A paid order, as the checkout pays it.
        const fx = await odoo.target.createSaleOrderWithTransaction({ amount: '42.50' });
        const side = paypalSide(harness.sim);
        const orderId = await createOrderAtPayPal(side, { reference: fx.reference, amount: '42.50' });
        await harness.sim.approveOrder(orderId);
        const finished = await harness.service.sync.finishOrder(orderId, { reference: fx.reference });
        assert.equal(finished.state, 'done', finished.detail);
        await settle(harness, 'the capture webhooks to be applied', 240_000);
        const paid = await readPayment(odoo.admin, fx.txId, fx.saleOrderId, fx.partnerId);
        const captureId = paid.tx.paypal_capture_id;
        assert.ok(captureId, 'Odoo holds the capture id');
        await odoo.assertProviderIsOurs();

        const accountant = await ensureAccountant(odoo.admin);
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' && !isOfflineNoise(m.text())) errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
        await logIn(page, url, accountant.login, accountant.password);

        // Invoicing → PayPal → Operations.
        await page.goto(`${url}/odoo`, { waitUntil: 'domcontentloaded' });
        await page.locator('.o_navbar_apps_menu .dropdown-toggle').click();
        await page.locator('.o_app[data-menu-xmlid="account.menu_finance"]').click();
        await page.locator('.o_menu_sections .dropdown-toggle[data-menu-xmlid="paypal_bridge.menu_paypal_bridge_root"]').click();
        await page.locator('.dropdown-item[data-menu-xmlid="paypal_bridge.menu_paypal_backoffice"]').click();
        await page.waitForURL(/\/odoo\/paypal(\?|$)/);
        await assertServesCurrentBuild(page);
        await page.locator('.o_paypal_tx_list[aria-busy="false"]').waitFor({ timeout: 60_000 });
        assert.equal(await text(page, '.o_control_panel .breadcrumb'), 'PayPal');
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOTS, 'real-odoo-backoffice-list.png') });

        // Find it by its capture id.
        await page.locator('.o_paypal_search').fill(captureId);
        await page.locator('.o_paypal_search').press('Enter');
        const row = page.locator(`.o_paypal_tx_row[data-reference="${fx.reference}"]`);
        await row.waitFor();
        await waitFor(async () => (await page.locator('.o_paypal_tx_row').count()) === 1, 'one transaction for the capture id');
        await row.click();
        const pane = page.locator('.o_paypal_detail');
        await pane.locator(`.o_paypal_tx_panel[data-reference="${fx.reference}"]`).waitFor();
        await pane.locator('.o_paypal_timeline_entry').first().waitFor({ timeout: 60_000 });
        assert.equal(await text(page, '.o_paypal_detail .o_paypal_capture_id'), captureId);
        assert.equal(await text(page, '.o_paypal_detail .o_paypal_refundable'), '$42.50');
        const entriesBefore = await pane.locator('.o_paypal_timeline_entry').count();

        // Refund part of it.
        await pane.locator('.o_paypal_refund_amount').fill('12.50');
        await pane.locator('.o_paypal_refund').click();
        const dialog = page.locator('.o_dialog .modal');
        await dialog.waitFor();
        assert.match(await text(page, '.o_dialog .modal-body'), /Refund \$12\.50 of .* through PayPal/);
        await dialog.locator('.modal-footer .btn-primary').click();
        await page.locator('.o_notification').filter({ hasText: /PayPal refunded \$12\.50/ }).waitFor({ timeout: 120_000 });
        await pane.locator('.o_paypal_refunds .o_paypal_child').first().waitFor();
        await waitFor(async () => (await text(page, '.o_paypal_detail .o_paypal_refundable')) === '$30.00', 'what is left to refund', 60_000);
        await waitFor(async () => /refunded 12\.50 USD/.test((await pane.locator('.o_paypal_timeline_entry[data-kind="admin.action"]').allTextContents()).join('\n')), 'the refund in the timeline', 60_000);
        assert.ok((await pane.locator('.o_paypal_timeline_entry').count()) > entriesBefore);
        await waitFor(async () => (await text(page, `.o_paypal_tx_row[data-reference="${fx.reference}"] td:last-child`)) === 'Partially refunded', 'the list row to follow', 60_000);
        await page.screenshot({ path: path.join(SCREENSHOTS, 'real-odoo-backoffice-detail.png') });

        // Odoo's records: one refund transaction of 12.50, done.
        await settle(harness, 'the refund webhooks to be applied', 240_000);
        const refunded = await readPayment(odoo.admin, fx.txId, fx.saleOrderId, fx.partnerId);
        assert.deepEqual(refunded.refunds.map((r) => [Math.abs(r.amount).toFixed(2), r.state]), [['12.50', 'done']]);
        assert.equal(refunded.tx.paypal_refund_status, 'partially_refunded');

        // The health panel, with the service's real figures.
        await page.locator('.o_paypal_tab_health').click();
        await page.locator('.o_paypal_health_figures').waitFor({ timeout: 60_000 });
        await waitFor(() => page.evaluate('!!(window.Chart && Chart.getChart(document.querySelector(".o_paypal_activity_chart")))') as Promise<boolean>, 'the chart', 60_000);
        const received = (await page.evaluate('Chart.getChart(document.querySelector(".o_paypal_activity_chart")).data.datasets[0].data.reduce((a, b) => a + b, 0)')) as number;
        const stats = await harness.service.store.stats();
        assert.ok(received >= 2, `the chart counts the webhooks received (${received})`);
        assert.equal(Number(await text(page, '.o_paypal_queue')), (stats.byStatus.pending ?? 0) + (stats.byStatus.processing ?? 0));
        assert.notEqual(await text(page, '.o_paypal_last_webhook'), 'never');
        assert.equal(await page.locator('.o_paypal_silence_alert').count(), 0);
        assert.equal(await page.locator('.o_paypal_circuit').getAttribute('data-state'), 'closed');
        await page.screenshot({ path: path.join(SCREENSHOTS, 'real-odoo-backoffice-health.png') });
        assert.deepEqual(errors, []);
        await context.close();
      });

      test("the transaction form: Odoo's own Capture button (its wizard, through Odoo's server) and the PayPal panel's Void reach the same service; the panel follows the form", async () => {
        const fx = await odoo.target.createSaleOrderWithTransaction({ amount: '30.00', captureManually: true });
        const side = paypalSide(harness.sim);
        const orderId = await createOrderAtPayPal(side, { reference: fx.reference, amount: '30.00', intent: 'AUTHORIZE' });
        await harness.sim.approveOrder(orderId);
        const finished = await harness.service.sync.finishOrder(orderId, { reference: fx.reference });
        assert.equal(finished.state, 'authorized', finished.detail);
        await settle(harness, 'the authorization webhooks to be applied', 240_000);
        await odoo.assertProviderIsOurs();

        const accountant = await ensureAccountant(odoo.admin);
        const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' && !isOfflineNoise(m.text())) errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
        await logIn(page, url, accountant.login, accountant.password);
        await page.goto(`${url}/odoo/payment.transaction/${fx.txId}`, { waitUntil: 'domcontentloaded' });
        const panel = page.locator('.o_paypal_tx_widget');
        await panel.locator(`.o_paypal_tx_panel[data-reference="${fx.reference}"]`).waitFor({ timeout: 60_000 });
        await panel.locator('.o_paypal_capturable').waitFor();
        assert.equal(await text(page, '.o_paypal_tx_widget .o_paypal_capturable'), '$30.00');

        // Odoo's standard Capture button and its wizard: Odoo's server calls /v1/operations/capture.
        const header = page.locator('.o_form_statusbar');
        await header.locator('button[name="action_void"]').waitFor();
        await header.locator('button[name="action_capture"]').click();
        const wizard = page.locator('.modal:has(div[name="amount_to_capture"])');
        await wizard.waitFor();
        await wizard.locator('div[name="amount_to_capture"] input').fill('10.00');
        await wizard.locator('.modal-footer button[name="action_capture"]').click();
        await wizard.waitFor({ state: 'detached', timeout: 120_000 });
        await waitFor(async () => (await text(page, '.o_paypal_tx_widget .o_paypal_capturable')) === '$20.00', 'the panel to follow the form after Odoo\'s capture', 60_000);
        assert.equal(await panel.locator('.o_paypal_captures .o_paypal_child').count(), 1);
        const authorizationCaptures = harness.sim.requests.filter((r) => r.method === 'POST' && /\/v2\/payments\/authorizations\/[^/]+\/capture$/.test(r.path) && r.headers['paypal-request-id']?.startsWith('odoo-'));
        assert.equal(authorizationCaptures.length, 1, "the capture came from Odoo's button (Odoo's request id)");
        await page.screenshot({ path: path.join(SCREENSHOTS, 'real-odoo-backoffice-form.png'), fullPage: true });

        // The panel's Void: the admin API, then Odoo settles the transaction.
        await panel.locator('.o_paypal_void').click();
        const dialog = page.locator('.o_dialog .modal');
        await dialog.waitFor();
        assert.match(await text(page, '.o_dialog .modal-body'), /Void what is left of the authorization of .* \(\$20\.00\)/);
        await dialog.locator('.modal-footer .btn-primary').click();
        await page.locator('.o_notification').filter({ hasText: /PayPal voided the authorization/ }).waitFor({ timeout: 120_000 });
        await settle(harness, 'the void webhook to be applied', 240_000);
        const settled = await readPayment(odoo.admin, fx.txId, fx.saleOrderId, fx.partnerId);
        assert.equal(settled.tx.state, 'done', 'Odoo settles the source once its captures and voids cover it');
        assert.deepEqual(settled.children.map((c) => `${c.state} ${c.amount}`), ['done 10', 'cancel 20']);
        await waitFor(async () => (await header.locator('button[name="action_capture"]:visible').count()) === 0, "Odoo's form to drop its Capture button", 60_000);
        await waitFor(async () => (await panel.locator('.o_paypal_capture_form').count()) === 0, 'the panel to offer no capture', 60_000);
        assert.deepEqual(errors, []);
        await context.close();
      });

      test("reconciliation: the accountant reconciles the test's days from the Reconciliation tab; this PayPal's payments agree with Odoo but for a capture whose webhooks never came, repaired in one click", async () => {
        // A paid order, as the checkout pays it.
        const side = paypalSide(harness.sim);
        const paid = await odoo.target.createSaleOrderWithTransaction({ amount: '18.00' });
        const paidOrder = await createOrderAtPayPal(side, { reference: paid.reference, amount: '18.00' });
        await harness.sim.approveOrder(paidOrder);
        const finished = await harness.service.sync.finishOrder(paidOrder, { reference: paid.reference });
        assert.equal(finished.state, 'done', finished.detail);
        await settle(harness, 'the capture webhooks to be applied', 240_000);
        await odoo.assertProviderIsOurs();
        // A payment PayPal captured whose webhooks never reached the service: Odoo's transaction is still a draft.
        const lost = await odoo.target.createSaleOrderWithTransaction({ amount: '27.00' });
        harness.sim.pauseDelivery();
        try {
          const { captureId } = await payAtPayPal(side, { reference: lost.reference, amount: '27.00' });
          assert.equal((await readPayment(odoo.admin, lost.txId, lost.saleOrderId, lost.partnerId)).tx.state, 'draft');

          const accountant = await ensureAccountant(odoo.admin);
          const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('console', (m) => {
            if (m.type() === 'error' && !isOfflineNoise(m.text())) errors.push(m.text());
          });
          page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
          await logIn(page, url, accountant.login, accountant.password);
          await page.goto(`${url}/odoo/paypal`, { waitUntil: 'domcontentloaded' });
          await assertServesCurrentBuild(page);
          await page.locator('.o_paypal_tab_reconcile').click();
          await page.locator('.o_paypal_reconcile_form').waitFor({ timeout: 60_000 });

          // Yesterday and today, UTC days as PayPal counts them, both included.
          const day = 86_400_000;
          const today = new Date().toISOString().slice(0, 10);
          const yesterday = new Date(Date.now() - day).toISOString().slice(0, 10);
          await page.locator('.o_paypal_reconcile_from').fill(yesterday);
          await page.locator('.o_paypal_reconcile_to').fill(today);
          const started = page.waitForResponse((r) => r.url() === `${harness.service.url}/v1/admin/reconcile/runs` && r.request().method() === 'POST');
          await page.locator('.o_paypal_reconcile_start').click();
          const runId = ((await (await started).json()) as { run: { id: number } }).run.id;
          const row = page.locator(`.o_paypal_run_row[data-run-id="${runId}"]`);
          await page.locator(`.o_paypal_run_row[data-run-id="${runId}"][data-status="completed"]`).waitFor({ timeout: 300_000 });

          // What the run found, read from the service: this simulator's payments (every one this
          // file made) agree with Odoo, but for the capture whose webhooks never came. Odoo's other
          // PayPal transactions of these days were paid at other PayPal simulators (earlier runs):
          // this PayPal does not know them.
          const now = Math.floor(Date.now() / 1000);
          const adminToken = issueToken(odoo.bridgeSecret, { typ: 'admin', sub: odoo.adminUid, db: odoo.db, scp: ['read'], iat: now, exp: now + 600 });
          type Found = { id: number; kind: string; status: string; action: string | null; paypal_id: string | null; reference: string | null };
          const found: Found[] = [];
          for (let after = 0; ; ) {
            const response = await fetch(`${harness.service.url}/v1/admin/reconcile/runs/${runId}/discrepancies?limit=1000&after=${after}`, { headers: { authorization: `Bearer ${adminToken}` } });
            const body = (await response.json()) as { discrepancies: Found[]; next_after: number | null };
            found.push(...body.discrepancies);
            if (body.next_after === null) break;
            after = body.next_after;
          }
          const state = harness.sim.state;
          const ours = (id: string | null) => !!id && (state.captures.has(id) || state.refunds.has(id) || state.authorizations.has(id));
          const planted = found.filter((d) => d.paypal_id === captureId);
          assert.deepEqual(planted.map((d) => [d.kind, d.status, d.action, d.reference]), [['missing_in_odoo', 'open', 'sync_capture', lost.reference]]);
          const others = found.filter((d) => d.paypal_id !== captureId);
          assert.deepEqual(others.filter((d) => d.kind !== 'missing_in_paypal' || ours(d.paypal_id) || d.reference === paid.reference), [], 'nothing else about this PayPal\'s payments');
          assert.equal(await text(page, `.o_paypal_run_row[data-run-id="${runId}"] .o_paypal_run_open`), '1');

          // The planted one, found with the kind filter, repaired in one click.
          await page.locator('.o_paypal_kind_filter').selectOption('missing_in_odoo');
          const lostRow = page.locator(`.o_paypal_discrepancy[data-paypal-id="${captureId}"]`);
          await lostRow.waitFor({ timeout: 60_000 });
          assert.equal(await text(page, `.o_paypal_discrepancy[data-paypal-id="${captureId}"] .o_paypal_discrepancy_reference`), lost.reference);
          await lostRow.locator('.o_paypal_repair').click();
          const dialog = page.locator('.o_dialog .modal');
          await dialog.waitFor();
          assert.match(await text(page, '.o_dialog .modal-body'), new RegExp(`Read capture ${captureId} at PayPal and book it in Odoo`));
          await dialog.locator('.modal-footer .btn-primary').click();
          await page.locator('.o_notification').filter({ hasText: new RegExp(`Missing in Odoo ${captureId} repaired`) }).waitFor({ timeout: 120_000 });
          await waitFor(async () => (await lostRow.getAttribute('data-status')) === 'repaired', 'the row to say repaired', 60_000);
          const repaired = await readPayment(odoo.admin, lost.txId, lost.saleOrderId, lost.partnerId);
          assert.equal(repaired.tx.state, 'done');
          assert.equal(repaired.tx.paypal_capture_id, captureId);
          await waitFor(async () => (await text(page, `.o_paypal_run_row[data-run-id="${runId}"] .o_paypal_run_repaired`)) === '1', 'the run to count the repair', 60_000);
          assert.equal(await text(page, `.o_paypal_run_row[data-run-id="${runId}"] .o_paypal_run_open`), '0');

          await page.locator('.o_paypal_kind_filter').selectOption('');
          await page.locator('.o_paypal_discrepancy').first().waitFor();
          await row.scrollIntoViewIfNeeded();
          await page.screenshot({ path: path.join(SCREENSHOTS, 'real-odoo-reconciliation.png') });
          assert.deepEqual(errors, []);
          await context.close();
        } finally {
          harness.sim.resumeDelivery();
        }
      });
    });
  });
}
