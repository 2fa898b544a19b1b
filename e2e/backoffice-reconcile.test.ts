// The Reconciliation tab in Chromium: the BUILT back-office asset in the stand-in web client
// (e2e/support/backoffice-server.ts), the real service (its reconciliation runs in the
// background, as in production) against the PayPal simulator's Transaction Search and the Odoo
// simulator. Discrepancies are planted the way they happen: a capture whose webhooks never
// reached the service (the simulator's delivery paused), an amount changed by a cent in Odoo, and
// fees PayPal took while the provider had no fee account. See e2e/README.md.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { feeMoves, setFeeAccount } from '../service/sim/odoo/reconcile.ts';
import { stableRequestId } from '../service/src/paypal/index.ts';
import { paypalClientFor } from '../service/test/support/lifecycles.ts';
import { lastMonth, localToday } from '../addon_static/src/backoffice/reconcile-model.ts';
import { browserSuite } from './support/browser.ts';
import { startBackofficeStack, waitFor, type BackofficePage, type BackofficeStack } from './support/backoffice-stack.ts';

const DAY = 86_400_000;

function text(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().textContent().then((t) => (t ?? '').replace(/\s+/g, ' ').trim());
}

interface Planted {
  clean: { reference: string; captureId: string };
  /** Captured at PayPal; its webhooks never reached the service, so Odoo's transaction is a draft. */
  missing: { reference: string; captureId: string };
  /** Odoo holds 29.99 where PayPal captured 30.00. */
  cent: { reference: string; captureId: string };
  /** PayPal took a fee Odoo did not book (the provider had no fee account then). */
  fees: { reference: string; captureId: string }[];
}

/** The rows of the discrepancy table as [kind, PayPal id, status]. */
async function discrepancyRows(page: Page): Promise<string[][]> {
  return page
    .locator('.o_paypal_discrepancy')
    .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-kind') ?? '', r.getAttribute('data-paypal-id') ?? '', r.getAttribute('data-status') ?? '']));
}

async function runCell(page: Page, runId: number, cell: string): Promise<string> {
  return text(page, `.o_paypal_run_row[data-run-id="${runId}"] .o_paypal_run_${cell}`);
}

async function openTab(stack: BackofficeStack): Promise<BackofficePage> {
  const app = await stack.open(stack.web.actionUrl());
  await app.page.locator('.o_paypal_tab_reconcile').click();
  await app.page.locator('.o_paypal_reconcile_form').waitFor();
  return app;
}

browserSuite('reconciliation in the back office', () => {
  describe('reconciliation in the back office', () => {
    let stack: BackofficeStack;
    let planted: Planted;
    let runId = 0;

    /** Until PayPal delivered its webhooks and the service applied them all. */
    async function settle(): Promise<void> {
      await stack.paypal.idle();
      await waitFor(async () => {
        const stats = await stack.harness.service.store.stats();
        return stats.byStatus.pending + stats.byStatus.processing === 0;
      }, 'the webhooks to be applied');
    }

    before(async () => {
      // No daily run in between; CHECKOUT.ORDER.APPROVED applied at once, so that settle() can wait for every event.
      // The view shows the comparison's findings (missing fees among them), so the run does not
      // book PayPal's ledger first (which books those fees): that mode is tested on the real Odoo.
      stack = await startBackofficeStack({ env: { RECONCILE_HOUR_UTC: 'off', RECONCILE_BOOK_LEDGER: 'false' }, browserHeadStartMs: 0 });
      const capture = (reference: string) => stack.odoo.state().transactions.find((t) => t.reference === reference)?.paypal_capture_id ?? '';
      const pay = async (amount: string) => {
        const { reference } = await stack.payment(amount);
        return { reference, captureId: capture(reference) };
      };
      const clean = await pay('20.00');
      const cent = await pay('30.00');
      // Fees PayPal took while the provider had no PayPal Fee Account: Odoo refused to book them.
      setFeeAccount(stack.odoo.database, false);
      await settle();
      const fees = [await pay('40.00'), await pay('50.00')];
      await settle();
      setFeeAccount(stack.odoo.database, true);
      // Someone changed the amount in Odoo by a cent.
      const centTx = stack.odoo.database.transactions.find((t) => t.reference === cent.reference);
      assert.ok(centTx);
      centTx.amount -= 1n;
      // A payment PayPal captured whose webhooks never reached the service.
      stack.paypal.pauseDelivery();
      const fx = stack.odoo.createSaleOrderWithTransaction({ amount: '27.00', currency: 'USD' });
      const paypal = paypalClientFor(stack.paypal);
      const order = await paypal.createOrder(
        { intent: 'CAPTURE', purchase_units: [{ custom_id: fx.reference, invoice_id: fx.reference, amount: { currency_code: 'USD', value: '27.00' } }] },
        { requestId: stableRequestId('e2e', fx.reference, 'create') },
      );
      await stack.paypal.approveOrder(order.id);
      const captured = await paypal.captureOrder(order.id, { requestId: stableRequestId('e2e', fx.reference, 'capture') });
      const missing = { reference: fx.reference, captureId: captured.purchase_units?.[0]?.payments?.captures?.[0]?.id ?? '' };
      assert.ok(missing.captureId);
      assert.equal(stack.odoo.state().transactions.find((t) => t.reference === fx.reference)?.state, 'draft');
      assert.ok([clean, cent, ...fees].every((p) => p.captureId));
      assert.deepEqual(feeMoves(stack.odoo.database).map((m) => m.captureId).sort(), [clean.captureId, cent.captureId].sort(), 'fees booked for the first two payments only');
      planted = { clean, missing, cent, fees };
    });

    after(async () => {
      stack?.paypal.resumeDelivery();
      await stack?.close();
    });

    test('the form: last month by default; a range it cannot reconcile is refused in the page', async () => {
      const app = await openTab(stack);
      const month = lastMonth(localToday(new Date()));
      assert.equal(await app.page.locator('.o_paypal_reconcile_from').inputValue(), month.from);
      assert.equal(await app.page.locator('.o_paypal_reconcile_to').inputValue(), month.to);
      await app.page.locator('.o_paypal_no_run').waitFor();

      await app.page.locator('.o_paypal_reconcile_from').fill(month.to);
      await app.page.locator('.o_paypal_reconcile_to').fill(month.from);
      await app.page.locator('.o_paypal_reconcile_start').click();
      assert.match(await text(app.page, '.o_paypal_reconcile_problem'), /first day must not be after the last one/);
      const tomorrow = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
      await app.page.locator('.o_paypal_reconcile_from').fill(tomorrow);
      await app.page.locator('.o_paypal_reconcile_to').fill(tomorrow);
      await app.page.locator('.o_paypal_reconcile_start').click();
      assert.match(await text(app.page, '.o_paypal_reconcile_problem'), /in the future/);
      assert.deepEqual(app.serviceCalls.filter((c) => c.method === 'POST'), [], 'nothing sent');
      assert.deepEqual(app.errors, []);
    });

    test('a run started from the view: its progress while PayPal answers, then exactly the planted discrepancies with both sides', async () => {
      // PayPal's report answers slowly: the run is seen running, then completing, without a reload.
      stack.paypal.faults.add({ method: 'GET', path: '/v1/reporting/transactions', delayMs: 0, times: 1 });
      stack.paypal.faults.add({ method: 'GET', path: '/v1/reporting/transactions', delayMs: 4000, times: 1 });
      const app = await openTab(stack);
      const pageId = await app.page.evaluate('window.__pageId');
      // Yesterday and today (UTC days, as PayPal counts them), both included.
      const today = new Date().toISOString().slice(0, 10);
      const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
      await app.page.locator('.o_paypal_reconcile_from').fill(yesterday);
      await app.page.locator('.o_paypal_reconcile_to').fill(today);
      await app.page.locator('.o_paypal_reconcile_start').click();

      await app.page.locator('.o_paypal_run_row[data-status="running"] .o_paypal_run_progress').waitFor({ timeout: 60_000 });
      const start = app.serviceCalls.find((c) => c.method === 'POST' && c.path === '/v1/admin/reconcile/runs');
      const tomorrow = new Date(Date.parse(today) + DAY).toISOString().slice(0, 10);
      assert.deepEqual(start?.body, { from: yesterday, to: tomorrow }, 'UTC day bounds, the last day included');
      runId = Number(await app.page.locator('.o_paypal_run_row[data-status="running"]').getAttribute('data-run-id'));
      assert.ok(runId > 0);
      assert.match(await text(app.page, `.o_paypal_run_row[data-run-id="${runId}"] .o_paypal_run_phase`), /Reading PayPal's report: 0 of 1 periods/);
      await app.page.locator(`.o_paypal_run_row[data-run-id="${runId}"][data-status="completed"]`).waitFor({ timeout: 60_000 });
      const polls = app.serviceCalls.filter((c) => c.method === 'GET' && c.path.startsWith('/v1/admin/reconcile/runs?'));
      assert.ok(polls.length >= 2, 'the runs were read again while the run was running');
      assert.equal(await app.page.evaluate('window.__pageId'), pageId, 'no reload');

      // The run's line: what PayPal reported, what matched, the discrepancies by kind and by status.
      assert.equal(await runCell(app.page, runId, 'range'), `${fmtDay(yesterday)} – ${fmtDay(today)}`);
      assert.equal(await runCell(app.page, runId, 'records'), '5');
      const kinds = await app.page.locator(`.o_paypal_run_row[data-run-id="${runId}"] .o_paypal_run_kind`).evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim()));
      assert.deepEqual(kinds, ['Missing in Odoo: 1', 'Amount differs: 1', 'Fee not booked: 2']);
      assert.deepEqual([await runCell(app.page, runId, 'open'), await runCell(app.page, runId, 'repaired'), await runCell(app.page, runId, 'needs_person')], ['3', '0', '1']);

      // Exactly the planted discrepancies, nothing about the clean payment.
      await app.page.locator('.o_paypal_discrepancy').first().waitFor();
      const { missing, cent, fees, clean } = planted;
      assert.deepEqual(
        (await discrepancyRows(app.page)).sort(),
        [
          ['missing_in_odoo', missing.captureId, 'open'],
          ['amount_mismatch', cent.captureId, 'needs_person'],
          ['fee_missing', fees[0]!.captureId, 'open'],
          ['fee_missing', fees[1]!.captureId, 'open'],
        ].sort(),
      );
      assert.equal(await app.page.locator(`.o_paypal_discrepancy[data-reference="${clean.reference}"]`).count(), 0);

      // Both sides' values: the cent, the fee, the Odoo reference.
      const centRow = `.o_paypal_discrepancy[data-paypal-id="${cent.captureId}"]`;
      assert.equal(await text(app.page, `${centRow} .o_paypal_discrepancy_paypal_amount`), '$30.00');
      assert.equal(await text(app.page, `${centRow} .o_paypal_discrepancy_odoo_amount`), '$29.99');
      assert.equal(await text(app.page, `${centRow} .o_paypal_discrepancy_reference`), cent.reference);
      assert.match(await text(app.page, `${centRow} .o_paypal_discrepancy_note`), /is 30\.00 USD; Odoo transaction .* has 29\.99 USD/);
      assert.equal(await text(app.page, `${centRow} .o_paypal_discrepancy_status`), 'Needs a person');
      assert.equal(await app.page.locator(`${centRow} .o_paypal_repair`).count(), 0, 'no one-click repair for an amount that differs');
      const feeRow = `.o_paypal_discrepancy[data-paypal-id="${fees[0]!.captureId}"]`;
      assert.match(await text(app.page, `${feeRow} .o_paypal_discrepancy_paypal`), /fee \$\d+\.\d\d/);
      const missingRow = `.o_paypal_discrepancy[data-paypal-id="${missing.captureId}"]`;
      assert.match(await text(app.page, `${missingRow} .o_paypal_discrepancy_odoo`), /Draft/);
      assert.equal(await app.page.locator(`${missingRow} .o_paypal_repair`).getAttribute('aria-label'), `Repair: Missing in Odoo, ${missing.captureId}`);

      // Filters: by status, then by kind (read from the service each time).
      await app.page.locator('.o_paypal_status_filter_needs_person').click();
      await waitFor(async () => (await discrepancyRows(app.page)).length === 1, 'only the one that needs a person');
      assert.deepEqual(await discrepancyRows(app.page), [['amount_mismatch', cent.captureId, 'needs_person']]);
      assert.ok(app.serviceCalls.some((c) => c.path === `/v1/admin/reconcile/runs/${runId}/discrepancies?status=needs_person&limit=200`));
      await app.page.locator('.o_paypal_status_filter_all').click();
      await app.page.locator('.o_paypal_kind_filter').selectOption('fee_missing');
      await waitFor(async () => (await discrepancyRows(app.page)).every((r) => r[0] === 'fee_missing') && (await discrepancyRows(app.page)).length === 2, 'the fees only');
      await app.page.locator('.o_paypal_kind_filter').selectOption('currency_mismatch');
      await app.page.locator('.o_paypal_no_discrepancy').waitFor();
      assert.equal(await text(app.page, '.o_paypal_no_discrepancy'), 'No discrepancy with these filters.');

      // The Odoo reference opens the transaction.
      await app.page.locator('.o_paypal_kind_filter').selectOption('');
      await app.page.locator(`${centRow} .o_paypal_discrepancy_reference`).click();
      await app.page.locator(`.o_paypal_detail .o_paypal_tx_panel[data-reference="${cent.reference}"]`).waitFor();
      assert.deepEqual(app.errors, []);
    });

    test('repairs from the view: the missing capture is booked; a fee Odoo refuses goes to a person with why; "repair all" books the other; the CSV has it all', async () => {
      assert.ok(runId, 'the run of the previous test');
      const { missing, fees } = planted;
      const app = await openTab(stack);
      await app.page.locator(`.o_paypal_reconcile_run[data-run-id="${runId}"] .o_paypal_discrepancy`).first().waitFor();

      // The capture whose webhooks never came: read at PayPal and booked, Odoo's transaction done.
      const missingRow = app.page.locator(`.o_paypal_discrepancy[data-paypal-id="${missing.captureId}"]`);
      await missingRow.locator('.o_paypal_repair').click();
      await app.confirmDialog(new RegExp(`Read capture ${missing.captureId} at PayPal and book it in Odoo`));
      const done = await app.expectNotification('success', new RegExp(`Missing in Odoo ${missing.captureId} repaired\\. syncCapture\\(${missing.captureId}\\)`));
      assert.match(done, /Checked: Odoo now agrees with PayPal/);
      await waitFor(async () => (await missingRow.getAttribute('data-status')) === 'repaired', 'the row to say repaired');
      assert.equal(await missingRow.locator('.o_paypal_discrepancy_status').textContent(), 'Repaired');
      assert.match((await missingRow.locator('.o_paypal_discrepancy_repair_note').textContent()) ?? '', /Odoo now agrees with PayPal/);
      assert.equal(await missingRow.locator('.o_paypal_repair').count(), 0);
      const tx = stack.odoo.state().transactions.find((t) => t.reference === missing.reference);
      assert.equal(tx?.state, 'done');
      assert.equal(tx?.paypal_capture_id, missing.captureId);
      await waitFor(async () => (await runCell(app.page, runId, 'repaired')) === '1', 'the run to count it');
      assert.equal(await runCell(app.page, runId, 'open'), '2');

      // Odoo refuses to book a fee: the repair says so and hands it to a person.
      const [first, second] = fees as [Planted['fees'][0], Planted['fees'][0]];
      stack.odoo.failNext(1, 'ValidationError', { method: 'paypal_bridge_book_fee', message: 'The PayPal journal is locked until the end of the month.' });
      const refusedRow = app.page.locator(`.o_paypal_discrepancy[data-paypal-id="${first.captureId}"]`);
      await refusedRow.locator('.o_paypal_repair').click();
      await app.confirmDialog(new RegExp(`Book PayPal's fee of \\$\\d+\\.\\d\\d on capture ${first.captureId} in Odoo \\(${first.reference}\\)`));
      const refused = await app.expectNotification('warning', new RegExp(`Fee not booked ${first.captureId} needs a person: Repair refused: .*journal is locked`));
      assert.ok(refused);
      await waitFor(async () => (await refusedRow.getAttribute('data-status')) === 'needs_person', 'the row to say a person must look');
      assert.match((await refusedRow.locator('.o_paypal_discrepancy_repair_note').textContent()) ?? '', /journal is locked/);

      // "Repair all certain ones": the one left.
      await waitFor(async () => (await text(app.page, '.o_paypal_repair_all .badge')) === '1', 'one certain repair left');
      await app.page.locator('.o_paypal_repair_all').click();
      await app.confirmDialog(new RegExp(`Apply the one certain repair of run ${runId}\\?`));
      await app.expectNotification('success', /1 repaired, 0 need a person, 0 still open\./);
      const allRow = app.page.locator(`.o_paypal_discrepancy[data-paypal-id="${second.captureId}"]`);
      await waitFor(async () => (await allRow.getAttribute('data-status')) === 'repaired', 'the fee to be booked');
      assert.deepEqual(feeMoves(stack.odoo.database).filter((m) => fees.some((f) => f.captureId === m.captureId)).map((m) => m.captureId), [second.captureId]);
      await waitFor(async () => (await runCell(app.page, runId, 'open')) === '0', 'nothing left open');
      assert.deepEqual([await runCell(app.page, runId, 'repaired'), await runCell(app.page, runId, 'needs_person')], ['2', '2']);
      assert.equal(await app.page.locator('.o_paypal_repair_all').isDisabled(), true);
      const repairs = app.serviceCalls.filter((c) => c.path.endsWith('/repair'));
      assert.deepEqual(repairs.map((c) => c.status), [200, 200, 200], 'three repairs, one per click');

      // The CSV, fetched with the token in a header and saved from a Blob URL.
      const download = app.page.waitForEvent('download');
      await app.page.locator('.o_paypal_export_csv').click();
      const file = await download;
      assert.match(file.suggestedFilename(), /^paypal-reconciliation-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
      assert.match(file.url(), /^blob:/);
      const csv = fs.readFileSync(await file.path(), 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      assert.match(lines[0] ?? '', /^run_id,discrepancy_id,kind,status,repair,paypal_id,/);
      const byCapture = (captureId: string) => (lines.find((l) => l.includes(`,${captureId},`)) ?? '').split(',').slice(2, 4).join(',');
      assert.equal(lines.length, 5, csv);
      assert.equal(byCapture(missing.captureId), 'missing_in_odoo,repaired');
      assert.equal(byCapture(planted.cent.captureId), 'amount_mismatch,needs_person');
      assert.equal(byCapture(first.captureId), 'fee_missing,needs_person');
      assert.equal(byCapture(second.captureId), 'fee_missing,repaired');
      const csvCall = app.serviceCalls.find((c) => c.path === `/v1/admin/reconcile/runs/${runId}/csv`);
      assert.equal(csvCall?.status, 200);
      assert.equal(csvCall?.token, stack.web.sessions.at(-1)?.token, 'the token went in the Authorization header');
      assert.ok(!app.serviceCalls.some((c) => c.path.includes(csvCall?.token ?? '-')), 'and never in a URL');
      assert.deepEqual(app.errors, []);
    });
  });
});

/** A UTC day as the view shows it (en-US, the stand-in user's language). */
function fmtDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { dateStyle: 'medium', timeZone: 'UTC' });
}
