// The back office in Chromium: the BUILT back-office asset running in the form Odoo 18 would
// serve it (e2e/support/backoffice-server.ts: the client action and the transaction form's
// widget, with stand-ins of the web client services it uses), reading Odoo through the orm
// stand-in backed by the Odoo simulator, and calling the real service (admin API) with the
// tokens the page obtains, against the PayPal simulator. See e2e/README.md.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSuite } from './support/browser.ts';
import { startBackofficeStack, waitFor, type BackofficePage, type BackofficeStack } from './support/backoffice-stack.ts';

/** The references of the rows shown (read once: wait for an expected content with waitFor). */
async function rows(page: Page): Promise<string[]> {
  return page.locator('.o_paypal_tx_row').evaluateAll((els) => els.map((el) => el.getAttribute('data-reference') ?? ''));
}

async function pager(page: Page): Promise<string> {
  return ((await page.locator('.o_pager_counter').textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Types `text` in the search box, presses Enter, and waits until the list shows `expected` (none: the empty-list message). */
async function search(app: BackofficePage, text: string, expected: string[]): Promise<void> {
  const before = app.serviceCalls.length;
  await app.page.locator('.o_paypal_search').fill(text);
  await app.page.locator('.o_paypal_search').press('Enter');
  if (expected.length === 0) await app.page.waitForSelector('.o_paypal_no_result');
  else await waitFor(async () => JSON.stringify(await rows(app.page)) === JSON.stringify(expected), `the list to show ${expected.join(', ')}`);
  assert.equal(app.serviceCalls.length, before, 'searching is an ORM read, not a service call');
}

/** The detail pane of `reference`, with its timeline loaded. */
async function openDetail(app: BackofficePage, reference: string): Promise<void> {
  await app.page.locator(`.o_paypal_tx_row[data-reference="${reference}"]`).click();
  await app.page.waitForSelector(`.o_paypal_detail .o_paypal_tx_panel[data-reference="${reference}"]`);
  await app.page.waitForSelector('.o_paypal_detail .o_paypal_timeline_entry, .o_paypal_detail .o_paypal_timeline_error');
}

function text(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().textContent().then((t) => (t ?? '').replace(/\s+/g, ' ').trim());
}

browserSuite('back office in Chromium', () => {
  describe('back office in Chromium', () => {
    let stack: BackofficeStack;

    before(async () => {
      stack = await startBackofficeStack();
    });

    after(async () => {
      await stack?.close();
    });

    test('health before any webhook: the "never received" warning, an empty queue, the closed circuit, and Chart.js loaded only when the panel opens', async () => {
      const app = await stack.open(stack.web.actionUrl());
      assert.equal(await app.page.evaluate('document.body.dataset.moduleErrors || ""'), '');
      assert.equal(await app.page.evaluate('typeof window.Chart'), 'undefined', 'Chart.js is not loaded with the list');
      await app.page.locator('.o_paypal_tab_health').click();
      await app.page.waitForSelector('.o_paypal_health_figures');
      assert.match(await text(app.page, '.o_paypal_silence_alert'), /never received a webhook/);
      assert.equal(await text(app.page, '.o_paypal_last_webhook'), 'never');
      assert.equal(await app.page.locator('.o_paypal_circuit').getAttribute('data-state'), 'closed');
      assert.deepEqual(await app.page.evaluate('window.__loadedBundles'), ['web.chartjs_lib']);
      await waitFor(() => app.page.evaluate('!!Chart.getChart(document.querySelector(".o_paypal_activity_chart"))') as Promise<boolean>, 'the chart to be drawn');
      assert.deepEqual(app.errors, []);
    });

    test('the list pages through the transactions on the server (80 a page, counted), sorts by amount, and filters', async () => {
      stack.seedTransactions(100, 'PAGE');
      const app = await stack.open(stack.web.actionUrl());
      const total = stack.odoo.state().transactions.length;
      // The first page is read before the action mounts.
      const first = await rows(app.page);
      assert.equal(first.length, 80);
      assert.equal(await pager(app.page), `1-80 / ${total}`);
      // Newest first (id desc): the last seeded transaction is on top.
      assert.equal(first[0], 'PAGE-00099');
      const lastRead = stack.web.calls.filter((c) => c.method === 'search_read').at(-1);
      assert.deepEqual({ offset: lastRead?.kwargs['offset'], limit: lastRead?.kwargs['limit'], order: lastRead?.kwargs['order'] }, { offset: 0, limit: 80, order: 'id desc' });
      assert.ok(stack.web.calls.some((c) => c.method === 'search_count'));

      await app.page.locator('.o_pager_next').click();
      await waitFor(async () => (await pager(app.page)) === `81-${total} / ${total}`, 'the second page');
      const second = await rows(app.page);
      assert.equal(second.length, total - 80);
      assert.deepEqual(second.filter((r) => first.includes(r)), [], 'pages do not overlap');
      await app.page.locator('.o_pager_previous').click();
      await waitFor(async () => (await pager(app.page)) === `1-80 / ${total}`, 'back to the first page');

      await app.page.locator('.o_paypal_sort_amount').click();
      await waitFor(async () => (await rows(app.page))[0] === 'PAGE-00000', 'the smallest amount first');
      assert.equal(stack.web.calls.filter((c) => c.method === 'search_read').at(-1)?.kwargs['order'], 'amount asc, id asc');
      await app.page.locator('.o_paypal_sort_amount').click();
      await waitFor(async () => (await rows(app.page))[0] === 'PAGE-00099', 'the largest amount first');

      await app.page.locator('.o_paypal_filter_min').fill('10.50');
      await app.page.locator('.o_paypal_filter_min').press('Tab');
      await app.page.locator('.o_paypal_filter_max').fill('10.52');
      await app.page.locator('.o_paypal_filter_max').press('Tab');
      await waitFor(async () => (await pager(app.page)) === '1-3 / 3', 'the amount range to apply').catch(async (err: Error) => {
        throw new Error(`${err.message}: the pager shows ${await pager(app.page)} for ${JSON.stringify(stack.web.calls.filter((c) => c.method === 'search_count').slice(-3).map((c) => c.args[0]))}`);
      });
      assert.deepEqual((await rows(app.page)).sort(), ['PAGE-00050', 'PAGE-00051', 'PAGE-00052']);
      await app.page.locator('.o_paypal_filter_refunded').click();
      await app.page.waitForSelector('.o_paypal_no_result');
      await app.page.locator('.o_paypal_filter_clear').click();
      await waitFor(async () => (await pager(app.page)) === `1-80 / ${total}`, 'the filters to be cleared');
      assert.deepEqual(app.errors, []);
    });

    test('search by a PayPal capture id finds the paid order; the detail pane shows amounts, fee and net, and the timeline', async () => {
      const paid = await stack.payment('42.50');
      assert.ok(paid.captureId);
      await stack.paypal.idle();
      const app = await stack.open(stack.web.actionUrl());
      await search(app, paid.captureId.toLowerCase(), [paid.reference]);
      assert.equal(await pager(app.page), '1-1 / 1');
      await openDetail(app, paid.reference);
      const pane = '.o_paypal_detail';
      assert.equal(await text(app.page, `${pane} .o_paypal_capture_id`), paid.captureId);
      assert.equal(await text(app.page, `${pane} .o_paypal_amount`), '$42.50');
      const tx = stack.odoo.state().transactions.find((t) => t.reference === paid.reference);
      assert.ok(await text(app.page, `${pane} .o_paypal_fee`));
      assert.equal(await text(app.page, `${pane} .o_paypal_refundable`), '$42.50');
      assert.equal(tx?.state, 'done');
      await waitFor(async () => (await app.page.locator(`${pane} .o_paypal_timeline_entry[data-kind="webhook.received"]`).count()) > 0, 'the capture webhook in the timeline');
      assert.ok((await app.page.locator(`${pane} .o_paypal_timeline_entry[data-kind="odoo.write"]`).count()) > 0);
      // The timeline came from the service with the page's admin token.
      const timeline = app.serviceCalls.find((c) => c.path === `/v1/admin/transactions/${paid.reference}/timeline`);
      assert.equal(timeline?.status, 200);
      assert.equal(timeline?.token, stack.web.sessions.at(-1)?.token);
      // Searching an unknown id finds nothing.
      await search(app, 'NO-SUCH-CAPTURE', []);
      assert.deepEqual(app.errors, []);
    });

    test('a partial refund: too much is refused in the page and by the service; then 12.50 is refunded and the list, the refunds and the timeline follow without a reload', async () => {
      const paid = await stack.payment('42.50');
      await stack.paypal.idle();
      const app = await stack.open(stack.web.actionUrl());
      const pageId = await app.page.evaluate('window.__pageId');
      await search(app, paid.captureId as string, [paid.reference]);
      await openDetail(app, paid.reference);
      const pane = app.page.locator('.o_paypal_detail');

      // More than the payment: refused in the page, nothing sent.
      await pane.locator('.o_paypal_refund_amount').fill('42.51');
      await pane.locator('.o_paypal_refund').click();
      assert.match(await text(app.page, '.o_paypal_detail .o_paypal_refund_problem'), /At most \$42\.50 can still be refunded/);
      assert.equal(await app.page.locator('.o_dialog').count(), 0, 'no confirmation for an amount that cannot be refunded');
      assert.equal(app.serviceCalls.filter((c) => c.path.endsWith('/refund')).length, 0);

      // Another manager refunds 10.00 meanwhile: the page still believes 42.50 is left, the service knows better.
      const elsewhere = await stack.admin('POST', `/v1/admin/transactions/${paid.reference}/refund`, { amount: '10.00', idempotency_key: randomUUID() });
      assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body));
      await pane.locator('.o_paypal_refund_amount').fill('40.00');
      await pane.locator('.o_paypal_refund').click();
      await app.confirmDialog(/Refund \$40\.00 of .* through PayPal/);
      await app.expectNotification('danger', /at most 32\.50 USD can be refunded/);
      const refused = app.serviceCalls.filter((c) => c.path.endsWith('/refund'));
      assert.equal(refused.length, 1);
      assert.equal(refused[0]?.status, 422);
      // The pane re-read Odoo: the other refund is there and 32.50 is left.
      await waitFor(async () => (await text(app.page, '.o_paypal_detail .o_paypal_refundable')) === '$32.50', 'the pane to show what is left');
      assert.equal(await pane.locator('.o_paypal_refunds .o_paypal_child').count(), 1);

      // A partial refund that fits.
      await pane.locator('.o_paypal_refund_amount').fill('12.50');
      await pane.locator('.o_paypal_refund').click();
      await app.confirmDialog(/Refund \$12\.50 of/);
      await app.expectNotification('success', /PayPal refunded \$12\.50 of .* \(refund \w+, COMPLETED\)/);
      const sent = app.serviceCalls.filter((c) => c.path.endsWith('/refund')).at(-1);
      assert.equal(sent?.status, 200);
      assert.deepEqual(Object.keys(sent?.body as object).sort(), ['amount', 'idempotency_key']);
      assert.equal((sent?.body as { amount: string }).amount, '12.50');
      assert.notEqual((sent?.body as { idempotency_key: string }).idempotency_key, (refused[0]?.body as { idempotency_key: string }).idempotency_key, 'a new action, a new key');
      await waitFor(async () => (await text(app.page, '.o_paypal_detail .o_paypal_refundable')) === '$20.00', 'what is left after the refund');
      assert.equal(await pane.locator('.o_paypal_refunds .o_paypal_child').count(), 2);
      assert.equal(await text(app.page, '.o_paypal_detail .o_paypal_refunded'), '$22.50');
      const refunds = stack.odoo.state().transactions.filter((t) => t.operation === 'refund' && t.source_reference === paid.reference);
      assert.deepEqual(refunds.map((r) => r.amount).sort(), ['-10.00', '-12.50'], 'one Odoo refund transaction per PayPal refund (negative, as Odoo stores refunds)');
      // The list row and the timeline follow, in the same page.
      await waitFor(async () => (await text(app.page, `.o_paypal_tx_row[data-reference="${paid.reference}"] td:last-child`)) === 'Partially refunded', 'the list row to show the refund');
      await waitFor(async () => /refunded 12\.50 USD/.test((await pane.locator('.o_paypal_timeline_entry[data-kind="admin.action"]').allTextContents()).join('\n')), 'the refund in the timeline');
      assert.equal(await app.page.evaluate('window.__pageId'), pageId, 'no reload');
      assert.deepEqual(app.errors, []);
    });

    test('a dead webhook is replayed from the health panel: the event is applied and the chart shows the failure', async () => {
      stack.odoo.failNext(1, 'ValidationError', { method: 'paypal_bridge_apply_payment' });
      const fx = stack.odoo.createSaleOrderWithTransaction({ amount: '5.00', currency: 'USD' });
      const event = stack.paypal.buildEvent('PAYMENT.CAPTURE.COMPLETED', { id: `CAP-${randomUUID().slice(0, 8).toUpperCase()}`, status: 'COMPLETED', amount: { currency_code: 'USD', value: '5.00' }, custom_id: fx.reference });
      assert.equal((await stack.harness.deliver(event)).status, 200);
      await waitFor(async () => (await stack.harness.service.store.get(event.id))?.status === 'dead', 'the event to go dead');

      const app = await stack.open(stack.web.actionUrl());
      await app.page.locator('.o_paypal_tab_health').click();
      const row = app.page.locator(`.o_paypal_dead_event[data-event-id="${event.id}"]`);
      await row.waitFor();
      assert.ok(Number(await text(app.page, '.o_paypal_dead_count')) >= 1);
      assert.equal(await app.page.locator('.o_paypal_silence_alert').count(), 0, 'webhooks arrive: no warning');
      assert.notEqual(await text(app.page, '.o_paypal_last_webhook'), 'never');
      await waitFor(() => app.page.evaluate('!!Chart.getChart(document.querySelector(".o_paypal_activity_chart"))') as Promise<boolean>, 'the chart');
      const chart = (await app.page.evaluate(`(() => { const c = Chart.getChart(document.querySelector(".o_paypal_activity_chart")); return { labels: c.data.labels.length, received: c.data.datasets[0].data.reduce((a, b) => a + b, 0), failed: c.data.datasets[1].data.reduce((a, b) => a + b, 0) }; })()`)) as { labels: number; received: number; failed: number };
      const health = await stack.admin('GET', '/v1/admin/health?hours=24');
      const activity = health.body['activity'] as { received: number; failed: number }[];
      assert.equal(chart.labels, activity.length);
      assert.ok(chart.failed >= 1, 'the dead event is counted as failed');
      assert.equal(chart.failed, activity.reduce((n, b) => n + b.failed, 0));
      assert.ok(chart.received >= 1);

      await row.locator('.o_paypal_replay').click();
      await app.confirmDialog(new RegExp(`Apply PayPal event ${event.id}`));
      await app.expectNotification('success', new RegExp(`Event ${event.id} is queued again`));
      await waitFor(async () => (await stack.harness.service.store.get(event.id))?.status === 'done', 'the replayed event to be applied');
      assert.equal(stack.odoo.state().transactions.find((t) => t.reference === fx.reference)?.state, 'done');
      await app.page.locator('.o_paypal_health_refresh').click();
      await row.waitFor({ state: 'detached' });
      assert.deepEqual(app.errors, []);
    });

    test('the token: one refused by the service (401) is renewed once and the request goes through; one about to expire is renewed before use', async () => {
      const paid = await stack.payment('20.00');
      await stack.paypal.idle();
      stack.web.queueSessions({ forged: true });
      const issuedBefore = stack.web.sessions.length;
      const app = await stack.open(stack.web.actionUrl());
      await search(app, paid.reference, [paid.reference]);
      await openDetail(app, paid.reference);
      assert.equal(await app.page.locator('.o_paypal_detail .o_paypal_timeline_error').count(), 0);
      const timelines = app.serviceCalls.filter((c) => c.path.endsWith('/timeline'));
      assert.deepEqual(timelines.map((c) => c.status), [401, 200]);
      assert.equal(stack.web.sessions.length, issuedBefore + 2);
      assert.notEqual(timelines[0]?.token, timelines[1]?.token);

      // A session that expires within the renewal margin: used once, renewed before the next call.
      stack.web.queueSessions({ expiresIn: 30 });
      const short = await stack.open(stack.web.actionUrl());
      await search(short, paid.reference, [paid.reference]);
      await openDetail(short, paid.reference);
      const shortToken = stack.web.sessions.at(-1)?.token;
      await short.page.locator('.o_paypal_detail .o_paypal_sync').click();
      await short.confirmDialog(/Read .* at PayPal/);
      await short.expectNotification('success', new RegExp(`${paid.reference} synced from PayPal`));
      const sync = short.serviceCalls.find((c) => c.path.endsWith('/sync'));
      assert.equal(sync?.status, 200);
      assert.notEqual(sync?.token, shortToken, 'a fresh token for the sync');
      assert.equal(sync?.token, stack.web.sessions.at(-1)?.token);
      assert.deepEqual(app.errors, []);
      assert.deepEqual(short.errors, []);
    });

    test('disputes: the nearest response deadline first; a row opens its transaction', async () => {
      const paid = await stack.payment('30.00');
      const tx = stack.odoo.state().transactions.find((t) => t.reference === paid.reference);
      const db = stack.odoo.database;
      const day = 86_400_000;
      const dispute = (id: string, dueInDays: number | null, status = 'WAITING_FOR_SELLER_RESPONSE') =>
        db.disputes.push({
          id: db.nextId('paypal.dispute'), dispute_id: id, name: id, status, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', stage: 'INQUIRY', amount: 3000n, currency: 'USD',
          seller_response_due_date: dueInDays === null ? undefined : new Date(Date.now() + dueInDays * day), outcome: undefined, capture_id: paid.captureId ?? undefined,
          transaction_id: tx?.id, partner_id: undefined, user_id: undefined, update_time: undefined, last_event_id: undefined, messages: [],
        });
      dispute('PP-D-LATER', 9);
      dispute('PP-D-NONE', null, 'OPEN');
      dispute('PP-D-SOON', 2);
      dispute('PP-D-DONE', 1, 'RESOLVED');
      const app = await stack.open(stack.web.actionUrl());
      await app.page.locator('.o_paypal_tab_disputes').click();
      await app.page.waitForSelector('.o_paypal_dispute_row');
      const order = () => app.page.locator('.o_paypal_dispute_row').evaluateAll((els) => els.map((el) => el.getAttribute('data-dispute-id')));
      assert.deepEqual(await order(), ['PP-D-SOON', 'PP-D-LATER', 'PP-D-NONE']);
      await app.page.locator('.o_paypal_disputes_resolved').check();
      await waitFor(async () => (await order()).length === 4, 'resolved disputes too');
      assert.deepEqual(await order(), ['PP-D-DONE', 'PP-D-SOON', 'PP-D-LATER', 'PP-D-NONE']);
      await app.page.locator('.o_paypal_dispute_row[data-dispute-id="PP-D-SOON"]').press('Enter');
      await app.page.waitForSelector(`.o_paypal_detail .o_paypal_tx_panel[data-reference="${paid.reference}"]`);
      assert.equal(await app.page.locator('.o_paypal_detail .o_paypal_dispute').count(), 4);
      await app.page.keyboard.press('Escape');
      await app.page.locator('.o_paypal_detail').waitFor({ state: 'detached' });
      assert.deepEqual(app.errors, []);
    });

    test("the transaction form's PayPal panel: capture part of an authorization, then void the rest; the form's record is reloaded", async () => {
      const authorized = await stack.payment('30.00', { authorize: true });
      await stack.paypal.idle();
      const app = await stack.open(stack.web.formUrl(authorized.txId));
      const panel = app.page.locator('.o_paypal_tx_widget');
      await panel.locator(`.o_paypal_tx_panel[data-reference="${authorized.reference}"]`).waitFor();
      assert.equal(await text(app.page, '.o_paypal_capturable'), '$30.00');
      assert.equal(await panel.locator('.o_paypal_refund_form').count(), 0, 'nothing to refund before a capture');
      await panel.locator('.o_paypal_capture_amount').fill('30.01');
      await panel.locator('.o_paypal_capture').click();
      assert.match(await text(app.page, '.o_paypal_capture_problem'), /At most \$30\.00 can still be captured/);
      await panel.locator('.o_paypal_capture_amount').fill('12');
      await panel.locator('.o_paypal_capture').click();
      await app.confirmDialog(/Capture \$12\.00 of the authorization/);
      await app.expectNotification('success', /PayPal captured \$12\.00 of/);
      await waitFor(async () => (await text(app.page, '.o_paypal_capturable')) === '$18.00', 'what is left to capture');
      assert.equal(await panel.locator('.o_paypal_captures .o_paypal_child').count(), 1);
      assert.ok((await app.page.evaluate('window.__recordLoads')) as number >= 2, "the form's record was reloaded");

      await panel.locator('.o_paypal_void').click();
      await app.confirmDialog(/Void what is left of the authorization/);
      await app.expectNotification('success', /PayPal voided the authorization/);
      await waitFor(() => stack.odoo.state().transactions.find((t) => t.reference === authorized.reference)?.state !== 'authorized', 'the authorization to be settled');
      await waitFor(async () => (await panel.locator('.o_paypal_capture_form').count()) === 0, 'no capture left to offer');
      const capture = app.serviceCalls.find((c) => c.path.endsWith('/capture'));
      assert.equal((capture?.body as { amount: string }).amount, '12.00');
      assert.deepEqual(app.errors, []);
    });
  });
});
