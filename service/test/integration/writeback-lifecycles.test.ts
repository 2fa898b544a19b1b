// Issue 3's write-back end to end: every payment lifecycle is played at the PayPal simulator (a
// shopper's browser, PayPal's own decisions, the merchant at PayPal's dashboard), the simulator
// delivers its signed webhooks to the real service (SQLite inbox, production handlers, the real
// Odoo client), and the Odoo simulator ends as the event table of service/ARCHITECTURE.md says.
// Where a lifecycle passes through a state worth seeing (pending, authorized, a dispute waiting for
// the seller), the test lets the inbox settle there and checks it too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBridgeApi, createOdooClient } from '../../src/odoo/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Harness } from '../support/service-harness.ts';
import {
  authorizeAtPayPal,
  checkoutApi,
  checkoutToken,
  createOrderAtPayPal,
  nextSecondAfter,
  odooRequestId,
  operationsApi,
  payAtPayPal,
  paymentView,
  paypalSide,
  serverToken,
  settle,
  simTx,
  startWriteback,
  TEST_BRIDGE_SECRET,
  type PayPalSide,
} from '../support/writeback.ts';

const AMOUNT = '42.50';
/** The salesperson of every fixture order (the simulator's administrator): a user who may see disputes. */
const SALESPERSON = 2;

let h: Harness;
let side: PayPalSide;
/** Every bridge token this file sent: none may appear in a log line. */
const tokensSent: string[] = [];

before(async () => {
  h = await startWriteback({ store: 'sqlite' });
  side = paypalSide(h.sim);
});
after(async () => {
  await h?.close();
});

function fixture(amount = AMOUNT) {
  const odoo = h.odoo!;
  return odoo.createSaleOrderWithTransaction({ amount });
}

function order(reference: string) {
  return { reference, amount: AMOUNT, invoiceId: `INV-${reference}` };
}

/** The inbox events of one PayPal order or capture, by status. */
async function statusesOf(key: string): Promise<string[]> {
  return (await h.service.store.list({ reference: key, limit: 100 })).map((e) => `${e.eventType}:${e.status}`).sort();
}

function captureOf(captureId: string) {
  const capture = h.sim.state.captures.get(captureId);
  assert.ok(capture, `PayPal has no capture ${captureId}`);
  return capture;
}

describe('write-back of every lifecycle through the real service (SQLite)', () => {
  test('paid through the checkout API: done with capture id, fee and net; inbound payment posted; order confirmed; payer on the customer', async () => {
    const fx = fixture();
    const api = checkoutApi(h.service.url);
    const tok = checkoutToken(fx.reference);
    tokensSent.push(tok);
    const created = await api.createOrder(fx.reference, tok);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const orderId: string = created.body.order_id;
    await h.sim.approveOrder(orderId);
    const captured = await api.capture(orderId, fx.reference, tok);
    assert.equal(captured.status, 200, JSON.stringify(captured.body));
    assert.equal(captured.body.status, 'done');
    const events = await settle(h);

    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.tx.paypal_order_id, orderId);
    assert.equal(v.tx.paypal_capture_id, captured.body.capture_id);
    assert.equal(v.tx.paypal_needs_review, false);
    const capture = captureOf(captured.body.capture_id);
    const raw = simTx(h.odoo!, fx.reference);
    assert.ok(capture.feeMinor > 0n);
    assert.equal(raw.paypal_fee, capture.feeMinor, 'the fee PayPal charged');
    assert.equal(raw.paypal_net_amount, capture.amountMinor - capture.feeMinor, 'the net amount');
    assert.deepEqual(v.payments.map((p) => `${p.payment_type} ${p.amount} ${p.currency} ${p.state}`), ['inbound 42.50 USD in_process']);
    assert.equal(v.order?.state, 'sale');
    const payer = h.sim.state.orders.get(orderId)?.payer?.payer_id;
    assert.ok(payer);
    assert.equal(v.tx.paypal_payer_id, payer);
    assert.equal(v.partner?.paypal_payer_id, payer, 'the payer id is stored on the customer');
    assert.equal(h.sim.state.orders.get(orderId)?.purchaseUnits[0]?.captureIds.length, 1, 'one capture at PayPal');
    const mine = events.filter((e) => e.partitionKey === orderId);
    assert.deepEqual(mine.map((e) => e.eventType).sort(), ['CHECKOUT.ORDER.APPROVED', 'CHECKOUT.ORDER.COMPLETED', 'PAYMENT.CAPTURE.COMPLETED']);
    assert.ok(mine.every((e) => e.status === 'done'), JSON.stringify(mine.map((e) => [e.eventType, e.status, e.outcome])));
  });

  test('a capture pending with its reason, then completed: pending (PENDING_REVIEW, quotation sent), then done with a posted payment', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference), { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
    await settle(h);
    let v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'pending');
    assert.equal(v.tx.paypal_status_detail, 'PENDING_REVIEW', 'the pending reason is shown');
    assert.equal(v.tx.paypal_capture_id, captureId);
    assert.equal(v.order?.state, 'sent');
    assert.deepEqual(v.payments, []);

    await h.sim.completePendingCapture(captureId);
    await settle(h);
    v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.tx.paypal_status_detail, null, 'the pending reason is cleared once done');
    assert.deepEqual(v.payments.map((p) => `${p.payment_type} ${p.amount} ${p.state}`), ['inbound 42.50 in_process']);
    assert.equal(v.order?.state, 'sale');
  });

  test('a capture pending, then denied: cancelled, no payment, the order not confirmed', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference), { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
    await settle(h);
    assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'pending');
    await h.sim.denyPendingCapture(captureId);
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'cancel');
    assert.deepEqual(v.payments, []);
    assert.notEqual(v.order?.state, 'sale');
    assert.deepEqual(await statusesOf(captureId), ['PAYMENT.CAPTURE.DENIED:done', 'PAYMENT.CAPTURE.PENDING:done']);
  });

  test('a capture declined on the spot: error with the reason, flagged for review, nothing paid', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference), { captureOutcome: 'DECLINED' });
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'error');
    assert.equal(v.tx.paypal_capture_id, captureId);
    assert.equal(v.tx.paypal_status_detail, 'DECLINED');
    assert.equal(v.tx.paypal_needs_review, true);
    assert.match(v.tx.paypal_review_reason ?? '', /DECLINED/);
    assert.deepEqual(v.payments, []);
    assert.equal(v.order?.state, 'draft');
  });

  test('two partial refunds with different ids at PayPal: two refund transactions with their own amounts, "partially refunded"', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference));
    await settle(h);
    const first = (await h.sim.refundFromDashboard(captureId, '10.00')) as { id: string };
    const second = (await h.sim.refundFromDashboard(captureId, '5.50')) as { id: string };
    assert.notEqual(first.id, second.id);
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.tx.paypal_refund_status, 'partially_refunded');
    const refunds = v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`).sort();
    assert.deepEqual(refunds, [`${first.id} done -10.00`, `${second.id} done -5.50`].sort(), 'each refund with its own amount (stored negative, as Odoo does)');
    assert.deepEqual(v.payments.map((p) => `${p.payment_type} ${p.amount}`).sort(), ['inbound 42.50', 'outbound 10.00', 'outbound 5.50']);
    assert.equal(v.order?.state, 'sale');
    assert.equal(v.tx.paypal_needs_review, false);
  });

  test('a full refund at PayPal: one refund transaction of the whole amount, "refunded"', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference));
    await settle(h);
    const refund = (await h.sim.refundFromDashboard(captureId)) as { id: string };
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.paypal_refund_status, 'refunded');
    assert.deepEqual(v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`), [`${refund.id} done -42.50`]);
    assert.deepEqual(v.payments.map((p) => `${p.payment_type} ${p.amount}`).sort(), ['inbound 42.50', 'outbound 42.50']);
  });

  test('a reversal (chargeback): booked like a refund and flagged for review; the sale order stays confirmed', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference));
    await settle(h);
    const reversal = (await h.sim.reverseCapture(captureId)) as { id: string };
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.deepEqual(v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`), [`${reversal.id} done -42.50`]);
    assert.equal(v.tx.paypal_needs_review, true);
    assert.match(v.tx.paypal_review_reason ?? '', new RegExp(`reversed 42\\.50 USD of capture ${captureId}`));
    assert.equal(v.order?.state, 'sale', 'a reversal never cancels the sale order');
    assert.ok(v.order?.messages.some((m) => m.includes('needs a manual review')), 'the review flag is posted on the order');
  });

  test('a dispute created, updated, resolved: the record follows with status, amount, reason and deadline; a to-do for the salesperson, moved, then done', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference));
    await settle(h);
    const created = (await h.sim.createDispute(captureId, { reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' })) as { dispute_id: string; update_time: string; seller_response_due_date: string };
    await settle(h);
    const disputeOf = () => h.odoo!.state().disputes.find((d) => d.dispute_id === created.dispute_id);
    const todosOf = (id: number) => h.odoo!.state().activities.filter((a) => a.res_model === 'paypal.dispute' && a.res_id === id);
    const odooTime = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');

    let d = disputeOf();
    assert.ok(d, 'the dispute is recorded');
    assert.equal(d.status, 'WAITING_FOR_SELLER_RESPONSE');
    assert.equal(d.reason, 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED');
    assert.equal(d.amount, '42.50');
    assert.equal(d.currency, 'USD');
    assert.equal(d.seller_response_due_date, odooTime(created.seller_response_due_date));
    assert.equal(d.transaction_id, simTx(h.odoo!, fx.reference).id);
    assert.equal(d.user_id, SALESPERSON);
    let todos = todosOf(d.id);
    assert.equal(todos.length, 1, 'one to-do for the responsible user');
    assert.equal(todos[0]?.user_id, SALESPERSON);
    assert.equal(todos[0]?.date_deadline, created.seller_response_due_date.slice(0, 10));

    // PayPal's timestamps have whole seconds; Odoo ignores an update as old as what it holds.
    await nextSecondAfter(created.update_time);
    const later = new Date(Date.parse(created.seller_response_due_date) + 5 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const updated = (await h.sim.updateDispute(created.dispute_id, { stage: 'CHARGEBACK', sellerResponseDueDate: later })) as { update_time: string };
    await settle(h);
    d = disputeOf();
    assert.ok(d);
    assert.equal(d.stage, 'CHARGEBACK');
    assert.equal(d.seller_response_due_date, odooTime(later));
    todos = todosOf(d.id);
    assert.equal(todos.length, 1, 'the later deadline moves the open to-do instead of adding one');
    assert.equal(todos[0]?.date_deadline, later.slice(0, 10));

    await nextSecondAfter(updated.update_time);
    await h.sim.resolveDispute(created.dispute_id, 'RESOLVED_SELLER_FAVOUR');
    await settle(h);
    d = disputeOf();
    assert.ok(d);
    assert.equal(d.status, 'RESOLVED');
    assert.equal(d.outcome, 'RESOLVED_SELLER_FAVOUR');
    assert.deepEqual(todosOf(d.id), [], 'the to-do is marked done when PayPal resolves the dispute');
    assert.ok(d.messages.some((m) => m.includes('RESOLVED_SELLER_FAVOUR')), JSON.stringify(d.messages));
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.order?.state, 'sale');
    assert.deepEqual(await statusesOf(captureId), ['CUSTOMER.DISPUTE.CREATED:done', 'CUSTOMER.DISPUTE.RESOLVED:done', 'CUSTOMER.DISPUTE.UPDATED:done', 'PAYMENT.CAPTURE.COMPLETED:done']);
  });

  test('authorized then captured: authorized with the authorization id and expiry (order confirmed), then done with a posted payment', async () => {
    const fx = fixture();
    const { orderId, authorizationId } = await authorizeAtPayPal(side, order(fx.reference));
    await settle(h);
    let v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'authorized');
    assert.equal(v.tx.paypal_authorization_id, authorizationId);
    const expiry = h.sim.state.authorizations.get(authorizationId)?.expirationTime;
    assert.ok(expiry);
    assert.equal(simTx(h.odoo!, fx.reference).paypal_authorization_expiry?.toISOString().replace(/\.\d{3}Z$/, 'Z'), expiry);
    assert.equal(v.order?.state, 'sale', 'an authorization covering the order confirms it');
    assert.deepEqual(v.payments, [], 'nothing is paid before the capture');
    const payer = h.sim.state.orders.get(orderId)?.payer?.payer_id;
    assert.ok(payer);
    assert.equal(v.tx.paypal_payer_id, payer);
    assert.equal(v.partner?.paypal_payer_id, payer, 'the payer id is stored on the customer for an authorization too');

    const capture = await side.paypal.captureAuthorization(authorizationId, { finalCapture: true }, { requestId: `test-capture-${fx.reference}` });
    await settle(h);
    v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.tx.paypal_capture_id, capture.id);
    assert.deepEqual(v.payments.map((p) => `${p.payment_type} ${p.amount} ${p.state}`), ['inbound 42.50 in_process']);
  });

  test('authorized then voided: authorized, then cancelled with no payment', async () => {
    const fx = fixture();
    const { authorizationId } = await authorizeAtPayPal(side, order(fx.reference));
    await settle(h);
    assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'authorized');
    await side.paypal.voidAuthorization(authorizationId, { requestId: `test-void-${fx.reference}` });
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'cancel');
    assert.equal(v.tx.paypal_authorization_id, authorizationId);
    assert.deepEqual(v.payments, []);
  });

  test('approval reversed before any capture: cancelled, nothing captured at PayPal, the order not confirmed', async () => {
    const fx = fixture();
    const orderId = await createOrderAtPayPal(side, order(fx.reference));
    await h.sim.approveOrder(orderId);
    await h.sim.reverseApproval(orderId);
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.equal(v.tx.state, 'cancel');
    assert.equal(v.tx.paypal_order_id, orderId);
    assert.deepEqual(v.payments, []);
    assert.equal(v.order?.state, 'draft');
    assert.equal(h.sim.state.orders.get(orderId)?.purchaseUnits[0]?.captureIds.length, 0, 'the worker did not capture a reversed approval');
  });

  test("a refund from Odoo's Refund button: the service refunds at PayPal with Odoo's request id, Odoo books it, the webhook then changes nothing", async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, order(fx.reference));
    await settle(h);
    // Odoo holds the transaction row while it calls the service, so PayPal's webhook is applied after Odoo booked the refund.
    h.sim.pauseDelivery();
    const requestId = odooRequestId(`${fx.reference}|refund|0|12.00`);
    const tok = serverToken(fx.reference);
    tokensSent.push(tok);
    const answer = await operationsApi(h.service.url).refund({ reference: fx.reference, capture_id: captureId, amount: '12.00', currency: 'USD', request_id: requestId }, tok);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.amount, '12.00');
    assert.equal(answer.body.status, 'COMPLETED');
    const refundCall = h.sim.requests.filter((r) => r.method === 'POST' && r.path === `/v2/payments/captures/${captureId}/refund`);
    assert.deepEqual(refundCall.map((r) => r.headers['paypal-request-id']), [requestId]);

    // Odoo's _send_refund_request books PayPal's answer through the same registration as the webhook path.
    const odooSide = createBridgeApi(createOdooClient({ url: h.odoo!.url, db: h.odoo!.db, login: h.odoo!.service.login, apiKey: h.odoo!.service.password, logger: createLogger({ level: 'silent' }) }));
    const booked = await odooSide.registerRefund({ sourceReference: fx.reference, refundId: answer.body.refund_id, amount: answer.body.amount, currency: answer.body.currency, status: answer.body.status, values: { capture_id: captureId } });
    assert.equal(booked.result, 'applied');
    h.sim.resumeDelivery();
    await settle(h);

    const v = paymentView(h.odoo!, fx.reference);
    assert.deepEqual(v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`), [`${answer.body.refund_id} done -12.00`]);
    assert.equal(v.tx.paypal_refund_status, 'partially_refunded');
    assert.deepEqual(v.payments.map((p) => `${p.payment_type} ${p.amount}`).sort(), ['inbound 42.50', 'outbound 12.00']);
    const refundEvents = (await h.service.store.list({ reference: captureId, limit: 10 })).filter((e) => e.eventType === 'PAYMENT.CAPTURE.REFUNDED');
    assert.equal(refundEvents.length, 1);
    assert.equal(refundEvents[0]?.status, 'done');
    assert.match(refundEvents[0]?.outcome ?? '', /already booked; no change/);
  });

  test('an amount changed at PayPal (an order made outside the service for another amount): flagged for review, never done', async () => {
    const fx = fixture();
    const { captureId } = await payAtPayPal(side, { reference: fx.reference, amount: '40.00', invoiceId: `INV-${fx.reference}` });
    await settle(h);
    const v = paymentView(h.odoo!, fx.reference);
    assert.notEqual(v.tx.state, 'done');
    assert.equal(v.tx.state, 'draft');
    assert.equal(v.tx.paypal_needs_review, true);
    assert.match(v.tx.paypal_review_reason ?? '', /amount 40\.00 at PayPal, 42\.50 in Odoo/);
    assert.equal(v.tx.paypal_capture_id, null, 'nothing of the mismatched capture is booked');
    assert.deepEqual(v.payments, []);
    assert.equal(v.order?.state, 'draft');
    assert.ok((await statusesOf(captureId)).length > 0);
  });

  test('no secret and no payer e-mail in any log line (webhooks, checkout API, operations API)', async () => {
    const lines = h.logger.lines;
    assert.ok(lines.some((l) => l['component'] === 'checkout') && lines.some((l) => l['component'] === 'inbox-worker'));
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    const accessTokens = new Set(
      h.sim.requests.map((r) => /^Bearer (.+)$/.exec(r.headers['authorization'] ?? '')?.[1]).filter((t): t is string => t !== undefined),
    );
    const secrets: [string, string][] = [
      ['the Odoo API key', h.odoo!.service.password],
      ['the PayPal client secret', h.sim.clientSecret],
      ['BRIDGE_SECRET', TEST_BRIDGE_SECRET],
      ...[...accessTokens].map((t): [string, string] => ['a PayPal access token', t]),
      ...tokensSent.map((t): [string, string] => ['a bridge token', t]),
    ];
    assert.ok(accessTokens.size > 0);
    for (const [what, secret] of secrets) assert.ok(!text.includes(secret), `${what} appears in the logs`);
    const emails = [...h.sim.state.orders.values()].map((o) => o.payer?.email_address).filter((e): e is string => typeof e === 'string');
    assert.ok(emails.length > 0);
    for (const email of emails) assert.ok(!text.includes(email), `the payer e-mail ${email} appears in the logs`);
  });
});
