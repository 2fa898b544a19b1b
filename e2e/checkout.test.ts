// The checkout button in Chromium: the BUILT asset (npm run build) running in the form Odoo 18
// would serve it (e2e/support/shop-server.ts), against the real service, the PayPal simulator
// (with its stand-in JS SDK) and the Odoo simulator. See e2e/README.md for what is real and what
// is a stand-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSuite } from './support/browser.ts';
import { startCheckoutStack, waitFor, type CheckoutStack, type ShopperPage } from './support/checkout-stack.ts';

const SOURCES = ['paypal', 'venmo', 'paylater', 'card'];

/** The stand-in SDK's log (window.__paypalSimLog). */
async function sdkLog(page: Page): Promise<{ type: string; orderID?: string; fundingSource?: string }[]> {
  return (await page.evaluate('window.__paypalSimLog || []')) as { type: string; orderID?: string }[];
}

function payPalButton(shopper: ShopperPage, source = 'paypal') {
  return shopper.page.locator(`.o_paypal_bridge_button[data-funding-source="${source}"] button`);
}

async function expectMessage(shopper: ShopperPage, pattern: RegExp): Promise<void> {
  const alert = shopper.page.locator('.o_paypal_bridge_message');
  await alert.waitFor();
  await waitFor(async () => pattern.test((await alert.textContent()) ?? ''), `a message matching ${pattern}`);
}

async function buttonsReady(shopper: ShopperPage): Promise<void> {
  await shopper.page.waitForSelector('.o_paypal_bridge[data-phase="ready"]');
}

browserSuite('checkout in Chromium', () => {
  describe('checkout in Chromium', () => {
    let stack: CheckoutStack;

    before(async () => {
      stack = await startCheckoutStack();
    });

    after(async () => {
      await stack?.close();
    });

    test('the built asset starts in the Odoo page: our module loads, the SDK comes in under its own namespace, one button per eligible funding source', async () => {
      const cart = stack.shop.createCart('42.00');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);

      assert.equal(await shopper.page.evaluate('document.body.dataset.moduleErrors || ""'), '');
      assert.equal(await shopper.page.evaluate('typeof odoo.loader.modules.get("@paypal_bridge/checkout").PayPalBridgeButtons'), 'function');
      const script = await shopper.page.locator('script[data-namespace="paypalBridge"]').getAttribute('src');
      assert.ok(script, 'the SDK script tag carries our namespace');
      const url = new URL(script);
      assert.equal(`${url.origin}${url.pathname}`, `${stack.paypal.httpBase}/sdk/js`);
      assert.equal(url.searchParams.get('client-id'), stack.paypal.clientId);
      assert.equal(url.searchParams.get('components'), 'buttons');
      assert.equal(url.searchParams.get('currency'), 'USD');
      assert.equal(url.searchParams.get('intent'), 'capture');
      assert.deepEqual(url.searchParams.get('enable-funding')?.split(','), ['venmo', 'paylater']);
      assert.equal(await shopper.page.evaluate('typeof window.paypal'), 'undefined', 'window.paypal is left alone');

      const rendered = await shopper.page.locator('.o_paypal_bridge_button').evaluateAll((els) => els.map((el) => (el as unknown as { dataset: { fundingSource: string } }).dataset.fundingSource));
      assert.deepEqual(rendered, SOURCES);
      const ids = await shopper.page.locator('.o_paypal_bridge_button').evaluateAll((els) => els.map((el) => (el as unknown as { id: string }).id));
      assert.equal(new Set(ids).size, ids.length, 'unique container ids');
      assert.deepEqual(shopper.errors, []);
    });

    test('pays: one capture at PayPal, the Odoo transaction done and its order confirmed, the shopper on /payment/status', async () => {
      await stack.setBuyer('approve');
      const cart = stack.shop.createCart('25.50');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      await payPalButton(shopper).click();
      await shopper.page.waitForURL(/\/payment\/status$/);
      const reference = stack.shop.transactions.at(-1) as string;
      await shopper.page.waitForSelector('#o_payment_status[data-state="done"]');
      assert.equal(await shopper.page.locator('#o_payment_status').getAttribute('data-order-state'), 'sale');

      assert.deepEqual(stack.paymentsAtPayPal(reference), { orders: 1, captures: 1, authorizations: 0 });
      const order = [...stack.paypal.state.orders.values()].find((o) => o.purchaseUnits[0]?.customId === reference);
      assert.equal(order?.purchaseUnits[0]?.invoiceId, cart.name, 'invoice_id = the sale order');
      const tx = stack.odooTx(reference);
      assert.equal(tx?.state, 'done');
      assert.equal(tx?.amount, '25.50');
      assert.ok(tx?.paypal_capture_id);
      assert.equal(stack.odoo.state().payments.filter((p) => p.transaction_reference === reference).length, 1, 'one payment posted');
      // The browser only ever sent the transaction reference: amounts come from Odoo.
      await shopper.callsSettled();
      assert.deepEqual(shopper.serviceCalls.map((c) => [c.path.replace(/orders\/[^/]+\/capture/, 'orders/:id/capture'), c.body]), [
        ['/v1/checkout/orders', { reference }],
        ['/v1/checkout/orders/:id/capture', { reference }],
      ]);
      await stack.webhooksDelivered();
      assert.deepEqual(stack.paymentsAtPayPal(reference), { orders: 1, captures: 1, authorizations: 0 }, 'the webhooks add no capture');
      assert.deepEqual(shopper.errors, []);
    });

    test('cancel at PayPal: a clear message, nothing captured, the buttons usable again, and a retry pays', async () => {
      await stack.setBuyer('cancel');
      const cart = stack.shop.createCart('12.00');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      await payPalButton(shopper).click();
      await expectMessage(shopper, /cancelled the payment at PayPal; nothing was charged/);
      const first = stack.shop.transactions.at(-1) as string;
      assert.deepEqual(stack.paymentsAtPayPal(first), { orders: 1, captures: 0, authorizations: 0 });
      await shopper.page.waitForSelector('.o_paypal_bridge:not(.o_paypal_bridge_disabled)');
      assert.equal(await shopper.page.locator('.o_blockUI').count(), 0, "Odoo's UI block is lifted");

      await stack.setBuyer('approve');
      await payPalButton(shopper).click();
      await shopper.page.waitForURL(/\/payment\/status$/);
      const second = stack.shop.transactions.at(-1) as string;
      assert.notEqual(second, first, 'the retry is a new Odoo transaction');
      await waitFor(() => stack.odooTx(second)?.state === 'done', 'the retry to be paid');
      assert.equal(stack.odoo.state().orders.find((o) => o.name === cart.name)?.state, 'sale');
      assert.deepEqual(stack.paymentsAtPayPal(second), { orders: 1, captures: 1, authorizations: 0 });
      assert.equal(stack.paymentsAtPayPal(first).captures, 0);
      assert.deepEqual(shopper.errors, []);
    });

    test('INSTRUMENT_DECLINED: back to PayPal (actions.restart), the second funding source pays, captured once', async () => {
      await stack.setBuyer('decline-then-approve');
      const cart = stack.shop.createCart('30.00');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      await payPalButton(shopper).click();
      await shopper.page.waitForURL(/\/payment\/status$/);
      const reference = stack.shop.transactions.at(-1) as string;
      await waitFor(() => stack.odooTx(reference)?.state === 'done', 'the payment to be done');
      assert.deepEqual(stack.paymentsAtPayPal(reference), { orders: 1, captures: 1, authorizations: 0 });
      await shopper.callsSettled();
      const captureCalls = shopper.serviceCalls.filter((c) => c.path.endsWith('/capture'));
      assert.deepEqual(captureCalls.map((c) => c.status), [422, 200], 'declined once, then captured');
      await stack.webhooksDelivered();
      assert.equal(stack.paymentsAtPayPal(reference).captures, 1);
    });

    test('a double click, racing the CHECKOUT.ORDER.APPROVED webhook, creates one order and captures once', async (t) => {
      await stack.setBuyer('approve');
      // The webhook path does not wait for the browser here: both finish the same order at once.
      stack.skipBrowserHeadStart(true);
      t.after(() => stack.skipBrowserHeadStart(false));
      const cart = stack.shop.createCart('18.00');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      await payPalButton(shopper).dblclick();
      await shopper.page.waitForURL(/\/payment\/status$/);
      const reference = stack.shop.transactions.at(-1) as string;
      assert.equal(stack.shop.transactions.filter((r) => r.startsWith(cart.name)).length, 1, 'one Odoo transaction');
      await waitFor(() => stack.odooTx(reference)?.state === 'done', 'the payment to be done');
      await stack.webhooksDelivered();
      assert.deepEqual(stack.paymentsAtPayPal(reference), { orders: 1, captures: 1, authorizations: 0 });
      assert.equal(shopper.serviceCalls.filter((c) => c.path === '/v1/checkout/orders').length, 1, 'one order creation asked of the service');
      assert.equal(shopper.serviceCalls.filter((c) => c.path.endsWith('/capture')).length, 1, 'one capture asked of the service');
    });

    test('the browser closes right after approval: the CHECKOUT.ORDER.APPROVED webhook finishes the payment, captured exactly once', async (t) => {
      await stack.setBuyer('approve-then-close');
      // As if the browser's head start had passed: the webhook path finishes the order now.
      stack.skipBrowserHeadStart(true);
      t.after(() => stack.skipBrowserHeadStart(false));
      const cart = stack.shop.createCart('64.10');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      await payPalButton(shopper).click();
      await waitFor(async () => (await sdkLog(shopper.page)).some((e) => e.type === 'closed-after-approval'), 'the buyer to approve at PayPal');
      await shopper.context.close();
      const reference = stack.shop.transactions.at(-1) as string;
      assert.equal(shopper.serviceCalls.filter((c) => c.path.endsWith('/capture')).length, 0, 'the browser never asked for the capture');
      await waitFor(() => stack.odooTx(reference)?.state === 'done', 'the webhook path to capture and book the payment');
      assert.equal(stack.odoo.state().orders.find((o) => o.name === cart.name)?.state, 'sale');
      await stack.webhooksDelivered();
      assert.deepEqual(stack.paymentsAtPayPal(reference), { orders: 1, captures: 1, authorizations: 0 });
    });

    test('a forged checkout token and a token for another transaction are refused; nothing reaches PayPal', async () => {
      await stack.setBuyer('approve');
      const cart = stack.shop.createCart('9.99');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);

      stack.shop.tamperNextTransaction({ kind: 'forged-token' });
      await payPalButton(shopper).click();
      await expectMessage(shopper, /checkout session has expired/);
      await shopper.callsSettled();
      const forged = stack.shop.transactions.at(-1) as string;
      assert.equal(shopper.serviceCalls.at(-1)?.status, 401);
      assert.deepEqual(stack.paymentsAtPayPal(forged), { orders: 0, captures: 0, authorizations: 0 });

      const other = stack.shop.createCart('1.00');
      const victim = await stack.openPayment(other);
      await victim.page.locator('#o_payment_method_114').check();
      await buttonsReady(victim);
      await stack.setBuyer('cancel');
      await payPalButton(victim).click();
      await expectMessage(victim, /cancelled/);
      const otherReference = stack.shop.transactions.at(-1) as string;

      stack.shop.tamperNextTransaction({ kind: 'foreign-token', reference: otherReference });
      await shopper.page.waitForSelector('.o_paypal_bridge:not(.o_paypal_bridge_disabled)');
      await payPalButton(shopper).click();
      await expectMessage(shopper, /does not belong to your order/);
      await shopper.callsSettled();
      assert.equal(shopper.serviceCalls.at(-1)?.status, 403);
      const foreign = stack.shop.transactions.at(-1) as string;
      assert.deepEqual(stack.paymentsAtPayPal(foreign), { orders: 0, captures: 0, authorizations: 0 });

      // A page holding one transaction's token cannot capture another transaction's order.
      const otherOrder = [...stack.paypal.state.orders.values()].find((o) => o.purchaseUnits[0]?.customId === otherReference);
      assert.ok(otherOrder);
      const token = await tokenOfLastTransaction(stack, shopper, cart.orderId, cart.accessToken);
      const answer = await callService(shopper.page, `${stack.harness.service.url}/v1/checkout/orders/${otherOrder.id}/capture`, token.token, { reference: token.reference });
      assert.equal(answer.status, 403);
      assert.equal((answer.body as { error: string }).error, 'ORDER_MISMATCH');
      assert.equal(stack.paymentsAtPayPal(otherReference).captures, 0);
    });

    test('changing the amount is refused: an amount in the request, or a PayPal order whose amount was changed', async () => {
      await stack.setBuyer('approve');
      const cart = stack.shop.createCart('80.00');
      const shopper = await stack.openPayment(cart);
      const token = await tokenOfLastTransaction(stack, shopper, cart.orderId, cart.accessToken);
      const withAmount = await callService(shopper.page, `${stack.harness.service.url}/v1/checkout/orders`, token.token, { reference: token.reference, amount: '0.01' });
      assert.equal(withAmount.status, 400);
      assert.equal((withAmount.body as { error: string }).error, 'BAD_REQUEST');
      assert.equal(stack.paymentsAtPayPal(token.reference).orders, 0);

      await stack.setBuyer('patch-amount', { patchAmount: '0.01' });
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      await payPalButton(shopper).click();
      await expectMessage(shopper, /amount approved at PayPal does not match your order/);
      await shopper.callsSettled();
      const reference = stack.shop.transactions.at(-1) as string;
      assert.equal(shopper.serviceCalls.at(-1)?.status, 409);
      assert.deepEqual(stack.paymentsAtPayPal(reference), { orders: 1, captures: 0, authorizations: 0 });
      const tx = stack.odooTx(reference);
      assert.notEqual(tx?.state, 'done');
      assert.equal(tx?.paypal_needs_review, true, 'flagged for manual review');
      await stack.webhooksDelivered();
      assert.equal(stack.paymentsAtPayPal(reference).captures, 0, 'the webhook path does not capture it either');
    });

    test('the buttons stay disabled until the terms are accepted', async () => {
      await stack.setBuyer('approve');
      const cart = stack.shop.createCart('15.00');
      const shopper = await stack.openPayment(cart, { terms: true });
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      assert.equal(await shopper.page.locator('.o_paypal_bridge').getAttribute('class'), 'o_paypal_bridge o_paypal_bridge_disabled');
      assert.deepEqual(await shopper.page.locator('.paypal-sim-button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-disabled'))), ['true', 'true', 'true', 'true']);
      // PayPal's buttons still take clicks when disabled (onClick runs, nothing else).
      await payPalButton(shopper).click({ force: true });
      await expectMessage(shopper, /accept the terms and conditions/);
      assert.equal(stack.shop.transactions.filter((r) => r.startsWith(cart.name)).length, 0, 'no transaction was created');

      await shopper.page.locator('#website_sale_tc_checkbox').check();
      await shopper.page.waitForSelector('.o_paypal_bridge:not(.o_paypal_bridge_disabled)');
      assert.deepEqual(await shopper.page.locator('.paypal-sim-button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-disabled'))), ['false', 'false', 'false', 'false']);
      await shopper.page.locator('#website_sale_tc_checkbox').uncheck();
      await shopper.page.waitForSelector('.o_paypal_bridge.o_paypal_bridge_disabled');
      await shopper.page.locator('#website_sale_tc_checkbox').check();
      await payPalButton(shopper).click();
      await shopper.page.waitForURL(/\/payment\/status$/);
      await shopper.page.waitForSelector('#o_payment_status[data-state="done"]');
    });

    test("never two buttons: Odoo's own PayPal button never renders, and switching options keeps one set", async () => {
      const cart = stack.shop.createCart('5.00');
      const shopper = await stack.openPayment(cart);
      const pay = shopper.page.locator('button[name="o_payment_submit_button"]');
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      assert.equal(await shopper.page.locator('.paypal-buttons').count(), SOURCES.length);
      assert.equal(await pay.isVisible(), false, "Odoo's Pay button gives way to PayPal's");
      await shopper.page.locator('#o_payment_method_7').check();
      await waitFor(async () => await pay.isVisible(), "Odoo's Pay button for the other option");
      assert.equal(await shopper.page.locator('.o_paypal_bridge_container').isVisible(), false);
      await shopper.page.locator('#o_payment_method_114').check();
      await waitFor(async () => await shopper.page.locator('.o_paypal_bridge_container').isVisible(), 'PayPal again');
      assert.equal(await shopper.page.locator('.paypal-buttons').count(), SOURCES.length);
      assert.equal(await shopper.page.locator('.o_paypal_bridge').count(), 1);
      assert.equal(await shopper.page.locator('.o_odoo_own_paypal_button').count(), 0);
      assert.equal(await shopper.page.locator('script[data-namespace]').count(), 1, 'the SDK is loaded once');
      assert.deepEqual(shopper.errors, []);
    });

    test('a provider that captures manually: the SDK loads with intent=authorize and the payment is authorized, not captured', async (t) => {
      const provider = stack.odoo.database.paypalProvider();
      provider.capture_manually = true;
      t.after(() => {
        provider.capture_manually = false;
      });
      await stack.setBuyer('approve');
      const cart = stack.shop.createCart('55.00');
      const shopper = await stack.openPayment(cart);
      await shopper.page.locator('#o_payment_method_114').check();
      await buttonsReady(shopper);
      const script = await shopper.page.locator('script[data-namespace="paypalBridge"]').getAttribute('src');
      assert.equal(new URL(script ?? '').searchParams.get('intent'), 'authorize');
      await payPalButton(shopper, 'card').click();
      await shopper.page.waitForURL(/\/payment\/status$/);
      const reference = stack.shop.transactions.at(-1) as string;
      await waitFor(() => stack.odooTx(reference)?.state === 'authorized', 'the payment to be authorized');
      assert.deepEqual(stack.paymentsAtPayPal(reference), { orders: 1, captures: 0, authorizations: 1 });
      assert.equal(stack.odoo.state().orders.find((o) => o.name === cart.name)?.state, 'sale', 'Odoo confirms an authorized order');
      assert.deepEqual(shopper.errors, []);
    });

    test('only the funding sources PayPal finds eligible get a button', async () => {
      await stack.setEligibility({ venmo: false, paylater: false });
      try {
        const cart = stack.shop.createCart('7.00');
        const shopper = await stack.openPayment(cart);
        await shopper.page.locator('#o_payment_method_114').check();
        await buttonsReady(shopper);
        const rendered = await shopper.page.locator('.o_paypal_bridge_button').evaluateAll((els) => els.map((el) => el.getAttribute('data-funding-source')));
        assert.deepEqual(rendered, ['paypal', 'card']);
      } finally {
        await stack.setEligibility({ venmo: true, paylater: true });
      }
    });
  });
});

/** A fresh transaction of `orderId`, created through the shop's own route from the page: its reference and checkout token. */
async function tokenOfLastTransaction(stack: CheckoutStack, shopper: ShopperPage, orderId: number, accessToken: string): Promise<{ reference: string; token: string }> {
  const provider = stack.odoo.database.paypalProvider();
  const cart = stack.odoo.database.orders.find((o) => o.id === orderId);
  const amount = Number(cart?.amount_total ?? 0n) / 100;
  const result = (await shopper.page.evaluate(
    `fetch("/shop/payment/transaction/${orderId}", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "call", params: { provider_id: ${provider.id}, amount: ${amount}, flow: "direct", access_token: ${JSON.stringify(accessToken)} } }) }).then((r) => r.json())`,
  )) as { result: { reference: string; bridge_checkout_token: string } };
  return { reference: result.result.reference, token: result.result.bridge_checkout_token };
}

/** A request the page's own code could make to the service (cross-origin, with CORS). */
async function callService(page: Page, url: string, token: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return (await page.evaluate(
    `fetch(${JSON.stringify(url)}, { method: "POST", headers: { "Authorization": ${JSON.stringify(`Bearer ${token}`)}, "Content-Type": "application/json" }, body: ${JSON.stringify(JSON.stringify(body))} }).then(async (r) => ({ status: r.status, body: await r.json() }))`,
  )) as { status: number; body: unknown };
}
