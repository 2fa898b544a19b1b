// The checkout API the shopper's browser calls (service/ARCHITECTURE.md, "Flows", flow 1), on the
// real service with the PayPal simulator and the Odoo simulator: the order is made from Odoo's
// amount with the transaction's reference and order name, captured exactly once whatever the
// browser does, and only for the transaction the checkout token names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { finishRequestId } from '../../src/sync/payment-sync.ts';
import type { Harness } from '../support/service-harness.ts';
import {
  callApi,
  checkoutApi,
  checkoutToken,
  createOrderAtPayPal,
  paymentView,
  paypalSide,
  serverToken,
  settle,
  startWriteback,
  token,
} from '../support/writeback.ts';

const AMOUNT = '42.50';
const SHOP = 'https://shop.example.com';

let fixtures = 0;
function fixture(h: Harness, amount = AMOUNT, captureManually = false) {
  fixtures += 1;
  // A reference that is not the order name (Odoo adds "-1", "-2" when the shopper retries), so that
  // custom_id and invoice_id are told apart. "Capture manually" is a provider setting: set every time.
  const fx = h.odoo!.createSaleOrderWithTransaction({ amount, reference: `CHK${fixtures}-1`, captureManually });
  const name = h.odoo!.state().orders.find((o) => o.id === fx.saleOrderId)?.name;
  assert.ok(name);
  return { ...fx, orderName: name };
}

function ordersAtPayPal(h: Harness, reference: string) {
  return [...h.sim.state.orders.values()].filter((o) => o.purchaseUnits[0]?.customId === reference);
}

function captureRequests(h: Harness, orderId: string) {
  return h.sim.requests.filter((r) => r.method === 'POST' && r.path === `/v2/checkout/orders/${orderId}/capture` && r.status < 300);
}

function capturesOf(h: Harness, orderId: string): string[] {
  return h.sim.state.orders.get(orderId)?.purchaseUnits.flatMap((u) => u.captureIds) ?? [];
}

describe('checkout API', () => {
  let h: Harness;
  let api: ReturnType<typeof checkoutApi>;

  before(async () => {
    // The webhook fallback waits longer than any test here: the browser's calls are what is tested.
    h = await startWriteback({ browserHeadStartMs: 10 * 60_000, env: { BRIDGE_ALLOWED_ORIGINS: SHOP } });
    api = checkoutApi(h.service.url);
  });
  after(async () => {
    await h?.close();
  });

  test('create order: 201; at PayPal custom_id is the reference, invoice_id the order name, the amount and currency Odoo\'s', async () => {
    const fx = fixture(h, '37.25');
    const created = await api.createOrder(fx.reference);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, 'CREATED');
    const order = h.sim.state.orders.get(created.body.order_id);
    assert.ok(order, 'the order exists at PayPal');
    assert.equal(order.intent, 'CAPTURE');
    const unit = order.purchaseUnits[0];
    assert.equal(unit?.customId, fx.reference);
    assert.equal(unit?.invoiceId, fx.orderName);
    assert.equal(unit?.amountMinor, 3725n);
    assert.equal(unit?.currency, 'USD');
  });

  test('a second create for the same transaction answers the same order (double click, retry)', async () => {
    const fx = fixture(h);
    const [a, b] = await Promise.all([api.createOrder(fx.reference), api.createOrder(fx.reference)]);
    const c = await api.createOrder(fx.reference);
    assert.deepEqual([a.status, b.status, c.status], [201, 201, 201]);
    assert.equal(b.body.order_id, a.body.order_id);
    assert.equal(c.body.order_id, a.body.order_id);
    assert.equal(ordersAtPayPal(h, fx.reference).length, 1, 'one order at PayPal');
  });

  test('capture after approval: done, one capture at PayPal with the stable PayPal-Request-Id; Odoo has the payment', async () => {
    const fx = fixture(h);
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    await h.sim.approveOrder(orderId);
    const captured = await api.capture(orderId, fx.reference);
    assert.equal(captured.status, 200, JSON.stringify(captured.body));
    assert.equal(captured.body.status, 'done');
    assert.equal(captured.body.order_status, 'COMPLETED');
    assert.deepEqual(capturesOf(h, orderId), [captured.body.capture_id]);
    assert.deepEqual(captureRequests(h, orderId).map((r) => r.headers['paypal-request-id']), [finishRequestId(fx.reference, orderId, 'CAPTURE')]);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.tx.paypal_capture_id, captured.body.capture_id);
    assert.equal(v.payments.length, 1);
    assert.equal(v.order?.state, 'sale');
  });

  test('a provider that captures manually: the order is made to AUTHORIZE, approval authorizes it, Odoo holds the authorization', async () => {
    const fx = fixture(h, AMOUNT, true);
    const created = await api.createOrder(fx.reference);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const orderId: string = created.body.order_id;
    assert.equal(h.sim.state.orders.get(orderId)?.intent, 'AUTHORIZE');
    await h.sim.approveOrder(orderId);
    const r = await api.capture(orderId, fx.reference);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'authorized');
    const auth = h.sim.state.authorizations.get(r.body.authorization_id);
    assert.ok(auth, 'the authorization exists at PayPal');
    assert.equal(auth.status, 'CREATED');
    assert.deepEqual(capturesOf(h, orderId), [], 'nothing captured yet');
    const authorize = h.sim.requests.filter((q) => q.method === 'POST' && q.path === `/v2/checkout/orders/${orderId}/authorize`);
    assert.deepEqual(authorize.map((q) => q.headers['paypal-request-id']), [finishRequestId(fx.reference, orderId, 'AUTHORIZE')]);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'authorized');
    assert.equal(v.tx.paypal_authorization_id, r.body.authorization_id);
    assert.deepEqual(v.payments, []);
  });

  test('the same capture twice, and a double click: one capture at PayPal, one payment in Odoo', async () => {
    const fx = fixture(h);
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    await h.sim.approveOrder(orderId);
    const [first, second] = await Promise.all([api.capture(orderId, fx.reference), api.capture(orderId, fx.reference)]);
    const third = await api.capture(orderId, fx.reference);
    for (const r of [first, second, third]) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, 'done');
      assert.equal(r.body.capture_id, first.body.capture_id);
    }
    assert.equal(capturesOf(h, orderId).length, 1, 'one capture at PayPal');
    assert.equal(paymentView(h.odoo!, fx.reference).payments.length, 1, 'one payment in Odoo');
  });

  test('INSTRUMENT_DECLINED: 422 and nothing booked; the buyer approves again with another funding source and the capture succeeds', async () => {
    const fx = fixture(h);
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    await h.sim.approveOrder(orderId, { instrumentDeclined: true });
    const declined = await api.capture(orderId, fx.reference);
    assert.equal(declined.status, 422, JSON.stringify(declined.body));
    assert.equal(declined.body.error, 'INSTRUMENT_DECLINED');
    assert.match(declined.body.message, /choose another/);
    assert.deepEqual(capturesOf(h, orderId), []);
    assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'draft');

    await h.sim.approveOrder(orderId);
    const captured = await api.capture(orderId, fx.reference);
    assert.equal(captured.status, 200, JSON.stringify(captured.body));
    assert.equal(captured.body.status, 'done');
    assert.equal(capturesOf(h, orderId).length, 1);
    assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'done');
  });

  test('the buyer cancels at PayPal: nothing is captured (a capture attempt is refused with 409) and the transaction stays payable', async () => {
    const fx = fixture(h);
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    const refused = await api.capture(orderId, fx.reference);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'ORDER_NOT_APPROVED');
    assert.deepEqual(capturesOf(h, orderId), []);
    assert.equal(captureRequests(h, orderId).length, 0, 'no capture was even tried at PayPal');
    assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'draft');
    // Paying again later works.
    await h.sim.approveOrder(orderId);
    assert.equal((await api.capture(orderId, fx.reference)).body.status, 'done');
  });

  test('PayPal already captured the order (from another tab) before Odoo heard of it: 409 ALREADY_PAID, Odoo booked from PayPal, no second order', async () => {
    const fx = fixture(h);
    const created = await api.createOrder(fx.reference);
    assert.equal(created.status, 201);
    const orderId: string = created.body.order_id;
    h.sim.pauseDelivery();
    try {
      await h.sim.approveOrder(orderId);
      await paypalSide(h.sim).paypal.captureOrder(orderId, { requestId: `another-tab-${orderId}` });
      assert.equal(h.odoo!.state().transactions.find((t) => t.reference === fx.reference)?.state, 'draft', 'Odoo has not heard of it yet');
      const again = await api.createOrder(fx.reference);
      assert.equal(again.status, 409, JSON.stringify(again.body));
      assert.equal(again.body.error, 'ALREADY_PAID');
      assert.equal(again.body.order_id, orderId);
      assert.deepEqual(ordersAtPayPal(h, fx.reference).map((o) => o.id), [orderId], 'no second order at PayPal');
      assert.equal(h.odoo!.state().transactions.find((t) => t.reference === fx.reference)?.state, 'done');
      assert.equal(capturesOf(h, orderId).length, 1);
    } finally {
      h.sim.resumeDelivery();
    }
  });

  test('forged, expired, foreign, wrong-database, wrong-type, scope-less and missing tokens are refused before anything reaches PayPal', async () => {
    const fx = fixture(h);
    const other = fixture(h);
    const posts = () => h.sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v2/checkout/orders')).length;
    const ordersBefore = posts();
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string | null, number, string, RegExp][] = [
      ['forged (another secret)', checkoutToken(fx.reference, {}, 'not-the-bridge-secret-0123456789abcdef'), 401, 'TOKEN_INVALID', /not signed with this service's BRIDGE_SECRET/],
      ['expired', checkoutToken(fx.reference, { iat: now - 7200, exp: now - 3600 }), 401, 'TOKEN_INVALID', /expired/],
      ['for another transaction', checkoutToken(other.reference), 403, 'TOKEN_REFERENCE_MISMATCH', /another transaction/],
      ['for another database', checkoutToken(fx.reference, { db: 'other-db' }), 401, 'TOKEN_INVALID', /database "other-db", not "odoo18"/],
      ['a server token', serverToken(fx.reference), 401, 'TOKEN_INVALID', /a server token cannot be used here/],
      ['without the checkout scope', checkoutToken(fx.reference, { scp: ['read'] }), 403, 'TOKEN_SCOPE_MISSING', /"checkout"/],
      ['missing', null, 401, 'TOKEN_INVALID', /no bridge token/],
      ['malformed', 'pbt1.garbage', 401, 'TOKEN_INVALID', /malformed/],
    ];
    for (const [what, tok, status, error, message] of cases) {
      const r = await api.createOrder(fx.reference, tok);
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, error, what);
      assert.match(r.body.message, message, what);
    }
    // The capture endpoint checks the same way: a token of another transaction cannot capture this one.
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    await h.sim.approveOrder(orderId);
    const foreign = await api.capture(orderId, fx.reference, checkoutToken(other.reference));
    assert.equal(foreign.status, 403);
    const expired = await api.capture(orderId, fx.reference, checkoutToken(fx.reference, { iat: now - 7200, exp: now - 1 }));
    assert.equal(expired.status, 401);
    assert.deepEqual(capturesOf(h, orderId), []);
    const ordersAfter = posts();
    assert.equal(ordersAfter - ordersBefore, 1, 'only the one valid create reached PayPal');
  });

  test('a body that carries an amount (or anything but the reference) is refused with 400', async () => {
    const fx = fixture(h);
    for (const extra of [{ amount: '1.00' }, { value: '1.00' }, { currency: 'EUR' }, { purchase_units: [] }, { note: 'hi' }]) {
      const r = await api.createOrder(fx.reference, undefined, extra);
      assert.equal(r.status, 400, `${JSON.stringify(extra)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'BAD_REQUEST');
    }
    const notJson = await callApi(h.service.url, '/v1/checkout/orders', { token: checkoutToken(fx.reference), body: '{"reference":' });
    assert.equal(notJson.status, 400, JSON.stringify(notJson.body));
    assert.deepEqual(notJson.body, { error: 'BAD_REQUEST', message: 'the body is not valid JSON' });
    const tooLarge = await callApi(h.service.url, '/v1/checkout/orders', { token: checkoutToken(fx.reference), body: { reference: 'x'.repeat(10_000) } });
    assert.equal(tooLarge.status, 413, JSON.stringify(tooLarge.body));
    assert.equal(tooLarge.body.error, 'PAYLOAD_TOO_LARGE');
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    await h.sim.approveOrder(orderId);
    const r = await api.capture(orderId, fx.reference, undefined, { amount: '1.00' });
    assert.equal(r.status, 400);
    assert.deepEqual(capturesOf(h, orderId), []);
    assert.equal(ordersAtPayPal(h, fx.reference).length, 1);
  });

  test('an order whose amount differs from Odoo\'s (made outside the service): 409, nothing captured, the transaction flagged for review', async () => {
    const fx = fixture(h);
    const orderId = await createOrderAtPayPal(paypalSide(h.sim), { reference: fx.reference, amount: '1.00' });
    await h.sim.approveOrder(orderId);
    const r = await api.capture(orderId, fx.reference);
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error, 'AMOUNT_MISMATCH');
    assert.deepEqual(capturesOf(h, orderId), []);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'draft');
    assert.equal(v.tx.paypal_needs_review, true);
    assert.match(v.tx.paypal_review_reason ?? '', new RegExp(`PayPal order ${orderId} is for 1\\.00 USD, Odoo expects 42\\.50 USD; not captured`));
  });

  test('the order of another transaction: 403, nothing captured', async () => {
    const fx = fixture(h);
    const other = fixture(h);
    const otherOrder: string = (await api.createOrder(other.reference)).body.order_id;
    await h.sim.approveOrder(otherOrder);
    const r = await api.capture(otherOrder, fx.reference);
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error, 'ORDER_MISMATCH');
    assert.deepEqual(capturesOf(h, otherOrder), []);
    assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'draft');
    assert.equal(paymentView(h.odoo!, other.reference).tx.state, 'draft');
  });

  test('a transaction that is not payable (already paid, unknown) is refused', async () => {
    const fx = fixture(h);
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    await h.sim.approveOrder(orderId);
    assert.equal((await api.capture(orderId, fx.reference)).status, 200);
    const again = await api.createOrder(fx.reference);
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'TRANSACTION_NOT_PAYABLE');
    const unknown = await api.createOrder('NOPE-1');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'TRANSACTION_NOT_FOUND');
  });

  test('CORS: the shop\'s origin gets the headers (preflight and request); any other origin does not', async () => {
    const fx = fixture(h);
    const preflight = (origin: string) =>
      callApi(h.service.url, '/v1/checkout/orders', { method: 'OPTIONS', origin, headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const allowed = await preflight(SHOP);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), SHOP);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null, 'no credentials: the token travels in a header');

    const refused = await preflight('https://evil.example.com');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);

    const fromShop = await callApi(h.service.url, '/v1/checkout/orders', { token: checkoutToken(fx.reference), body: { reference: fx.reference }, origin: SHOP });
    assert.equal(fromShop.status, 201);
    assert.equal(fromShop.headers.get('access-control-allow-origin'), SHOP);
    const fromElsewhere = await callApi(h.service.url, '/v1/checkout/orders', { token: checkoutToken(fx.reference), body: { reference: fx.reference }, origin: 'https://evil.example.com' });
    assert.equal(fromElsewhere.headers.get('access-control-allow-origin'), null);
    // An error answer to the shop still carries the headers, or the browser could not read why.
    const unauthorized = await callApi(h.service.url, '/v1/checkout/orders', { body: { reference: fx.reference }, origin: SHOP });
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('access-control-allow-origin'), SHOP);
  });

  test('an admin token is not a checkout token', async () => {
    const fx = fixture(h);
    const r = await api.createOrder(fx.reference, token('admin', fx.reference));
    assert.equal(r.status, 401);
  });
});

describe('checkout API: the browser closes right after approval', () => {
  const HEAD_START_MS = 1500;
  let h: Harness;
  before(async () => {
    h = await startWriteback({ browserHeadStartMs: HEAD_START_MS });
  });
  after(async () => {
    await h?.close();
  });

  test('CHECKOUT.ORDER.APPROVED makes the worker capture after the browser\'s head start, once, with the same PayPal-Request-Id; the late browser finds it paid', async () => {
    const api = checkoutApi(h.service.url);
    const fx = fixture(h);
    const orderId: string = (await api.createOrder(fx.reference)).body.order_id;
    await h.sim.approveOrder(orderId);
    // The browser is gone: nobody calls the capture endpoint.
    await settle(h, 'the worker to finish the checkout');

    const approval = h.sim.state.events.find((e) => e.event_type === 'CHECKOUT.ORDER.APPROVED' && e.resource['id'] === orderId);
    assert.ok(approval);
    const requests = captureRequests(h, orderId);
    assert.equal(requests.length, 1, 'one capture call');
    assert.equal(requests[0]?.headers['paypal-request-id'], finishRequestId(fx.reference, orderId, 'CAPTURE'), 'the checkout API\'s own PayPal-Request-Id');
    assert.ok(requests[0]!.at.getTime() >= Date.parse(approval.create_time) + HEAD_START_MS, 'the browser had its head start');
    const stored = await h.service.store.get(approval.id);
    assert.equal(stored?.status, 'done');
    const audit = await h.service.store.listAudit({ eventId: approval.id, limit: 20 });
    assert.ok(audit.some((a) => a.kind === 'worker.deferred'), 'the event was deferred first');
    assert.equal(capturesOf(h, orderId).length, 1);
    let v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.payments.length, 1);
    assert.equal(v.order?.state, 'sale');

    // The browser comes back after all: it is told the payment is done, and nothing happens twice.
    const late = await api.capture(orderId, fx.reference);
    assert.equal(late.status, 200, JSON.stringify(late.body));
    assert.equal(late.body.status, 'done');
    assert.equal(late.body.capture_id, capturesOf(h, orderId)[0]);
    await settle(h);
    assert.equal(captureRequests(h, orderId).length, 1);
    assert.equal(capturesOf(h, orderId).length, 1);
    v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.payments.length, 1);
  });
});
