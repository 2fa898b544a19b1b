// Issue 3's write-back against a REAL Odoo 18 with paypal_bridge installed (and demo data): the
// real service, the PayPal simulator delivering signed webhooks to it, and Odoo's own records read
// back over JSON-RPC as an administrator. Runs when ODOO_URL is set (with ODOO_DB; see
// service/test/support/real-odoo.ts for the other variables):
//
//   ODOO_URL=http://127.0.0.1:8069 ODOO_DB=odoo18 npm test -- real-odoo
//
// It changes the PayPal provider's Service URL to the running service for the length of the run
// (Odoo's Refund button calls it) and puts it back afterwards, holding the lock of
// service/test/support/real-odoo-lock.ts meanwhile. Every PayPal id is new (a fresh
// simulator), so runs do not collide with the unique indexes on capture and refund ids.
//
// The same PayPal history also reaches a second service whose Odoo is the simulator, with a
// transaction of the same reference: after each lifecycle the two Odoos must agree on every field
// an accountant sees (the simulator is only worth what this comparison proves).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOdooSim, type OdooSim } from '../../sim/odoo/server.ts';
import type { Harness } from '../support/service-harness.ts';
import {
  activitiesOf,
  comparableRealPayment,
  comparableSimPayment,
  connectRealOdoo,
  POSTED,
  readDispute,
  readPayment,
  startWebsiteCheckout,
  type RealOdoo,
} from '../support/real-odoo.ts';
import { realOdooNotRun } from '../support/real-odoo-gate.ts';
import {
  authorizeAtPayPal,
  checkoutApi,
  createOrderAtPayPal,
  nextSecondAfter,
  payAtPayPal,
  paypalSide,
  settle,
  startWriteback,
  type PayPalSide,
} from '../support/writeback.ts';

const url = process.env['ODOO_URL'];
const AMOUNT = '42.50';
/** A real Odoo posts payments and confirms orders inside each call: give the inbox time. */
const SETTLE_MS = 240_000;

if (!url) {
  realOdooNotRun('the write-back suite against a real Odoo');
} else {
  describe(`write-back against the real Odoo 18 at ${url}`, () => {
    let odoo: RealOdoo;
    let h: Harness;
    let side: PayPalSide;
    /** The twin: the same PayPal events applied to the Odoo simulator. */
    let simOdoo: OdooSim;
    let twin: Harness;

    before(async () => {
      odoo = await connectRealOdoo(url, 'service/test/integration/real-odoo-writeback.test.ts');
      h = await startWriteback({ odoo: false, env: odoo.serviceEnv() });
      side = paypalSide(h.sim);
      await odoo.useService(h.service.url);
      simOdoo = await startOdooSim();
      twin = await startWriteback({ sim: h.sim, odoo: simOdoo });
    });
    after(async () => {
      await twin?.close();
      await simOdoo?.close();
      await h?.close();
      await odoo?.restore();
    });

    /** A quotation with a draft transaction in the real Odoo, and its twin (same reference and amount) in the simulator. */
    async function fixture(amount = AMOUNT) {
      const fx = await odoo.target.createSaleOrderWithTransaction({ amount });
      simOdoo.createSaleOrderWithTransaction({ amount, reference: fx.reference });
      return fx;
    }
    /** Both services have applied everything PayPal emitted. */
    async function settleBoth(what: string) {
      const events = await settle(h, what, SETTLE_MS);
      await settle(twin, `${what} (simulator twin)`, SETTLE_MS);
      return events;
    }
    async function assertSimulatorAgrees(fx: { reference: string; txId: number; saleOrderId: number; partnerId: number }) {
      const real = comparableRealPayment(await view(fx));
      assert.deepEqual(comparableSimPayment(simOdoo, fx.reference), real, 'the Odoo simulator ends where the real Odoo does');
    }
    async function view(fx: { txId: number; saleOrderId: number; partnerId: number }) {
      return readPayment(odoo.admin, fx.txId, fx.saleOrderId, fx.partnerId);
    }
    const order = (reference: string, amount = AMOUNT) => ({ reference, amount, invoiceId: `INV-${reference}` });

    test('a website order paid through the checkout API (token issued by Odoo\'s /shop/payment/transaction): done, a posted account.payment, the order confirmed, the payer on the customer', async () => {
      await odoo.assertProviderIsOurs();
      const w = await startWebsiteCheckout(odoo, '37.25');
      assert.equal(w.processing.provider_code, 'paypal');
      assert.equal(w.processing.amount, '37.25');
      assert.equal(w.processing.currency, 'USD');
      assert.match(w.processing.bridge_checkout_token, /^pbt1\./);
      const api = checkoutApi(h.service.url);
      const created = await api.createOrder(w.processing.reference, w.processing.bridge_checkout_token);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const orderId: string = created.body.order_id;
      const unit = h.sim.state.orders.get(orderId)?.purchaseUnits[0];
      assert.equal(unit?.customId, w.processing.reference);
      assert.equal(unit?.invoiceId, w.orderName);
      assert.equal(unit?.amountMinor, 3725n, 'the amount comes from Odoo');
      await h.sim.approveOrder(orderId);
      const captured = await api.capture(orderId, w.processing.reference, w.processing.bridge_checkout_token);
      assert.equal(captured.status, 200, JSON.stringify(captured.body));
      assert.equal(captured.body.status, 'done');
      const events = await settleBoth('the checkout webhooks');
      const mine = events.filter((e) => e.partitionKey === orderId);
      assert.deepEqual(mine.map((e) => e.status), mine.map(() => 'done'), JSON.stringify(mine.map((e) => [e.eventType, e.status, e.lastError])));

      const v = await view(w);
      assert.equal(v.tx.state, 'done');
      assert.equal(v.tx.paypal_order_id, orderId);
      assert.equal(v.tx.paypal_capture_id, captured.body.capture_id);
      assert.ok(v.tx.paypal_fee > 0, 'the fee is stored');
      assert.equal(v.payments.length, 1, v.payments.join(', '));
      assert.match(v.payments[0] ?? '', /^inbound 37\.25 /);
      assert.match(v.payments[0]?.split(' ')[2] ?? '', POSTED);
      assert.equal(v.orderState, 'sale');
      const payer = h.sim.state.orders.get(orderId)?.payer?.payer_id;
      assert.equal(v.tx.paypal_payer_id, payer);
      assert.equal(v.partnerPayer, payer, 'the payer id is on the customer');
    });

    test('two partial refunds with different ids at PayPal: two refund transactions with their own amounts, "partially refunded"', async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference));
      await settleBoth('the payment');
      await assertSimulatorAgrees(fx);
      const first = (await h.sim.refundFromDashboard(captureId, '10.00')) as { id: string };
      const second = (await h.sim.refundFromDashboard(captureId, '5.50')) as { id: string };
      await settleBoth('the refunds');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.equal(v.tx.state, 'done');
      assert.equal(v.tx.paypal_refund_status, 'partially_refunded');
      assert.deepEqual(v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`).sort(), [`${first.id} done -10`, `${second.id} done -5.5`].sort());
      assert.deepEqual(v.payments.map((p) => p.split(' ').slice(0, 2).join(' ')).sort(), ['inbound 42.50', 'outbound 10.00', 'outbound 5.50']);
      assert.equal(v.orderState, 'sale');
    });

    test('a full refund at PayPal: one refund transaction of the whole amount, "refunded"', async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference));
      await settleBoth('the payment');
      await assertSimulatorAgrees(fx);
      const refund = (await h.sim.refundFromDashboard(captureId)) as { id: string };
      await settleBoth('the refund');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.equal(v.tx.paypal_refund_status, 'refunded');
      assert.deepEqual(v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`), [`${refund.id} done -42.5`]);
      assert.deepEqual(v.payments.map((p) => p.split(' ').slice(0, 2).join(' ')).sort(), ['inbound 42.50', 'outbound 42.50']);
    });

    test('refunds at PayPal of an invoiced order: a posted credit note per refund, for its share of the invoice (taxes in proportion), reconciled with the refund payment; the customer owes nothing', async () => {
      // Odoo invoices an order paid online when automatic invoicing is on (Sales settings).
      const before = await odoo.admin.call<string | false>('ir.config_parameter', 'get_param', ['sale.automatic_invoice']);
      await odoo.admin.call('ir.config_parameter', 'set_param', ['sale.automatic_invoice', 'True']);
      try {
        const fx = await fixture('50.00');
        const { captureId } = await payAtPayPal(side, order(fx.reference, '50.00'));
        await settleBoth('the payment');
        const [so] = await odoo.admin.call<{ invoice_ids: number[] }[]>('sale.order', 'read', [[fx.saleOrderId]], { fields: ['invoice_ids'] });
        assert.equal(so?.invoice_ids.length, 1, 'Odoo invoiced the paid order');
        const invoiceId = so!.invoice_ids[0]!;
        await h.sim.refundFromDashboard(captureId, '12.34');
        await settleBoth('the partial refund');
        await h.sim.refundFromDashboard(captureId, '37.66');
        await settleBoth('the rest refunded');
        const notes = await odoo.admin.call<{ move_type: string; state: string; amount_total: number; payment_state: string; reversed_entry_id: [number, string] | false; paypal_bridge_refund_transaction_id: [number, string] | false }[]>(
          'account.move',
          'search_read',
          [[['reversed_entry_id', '=', invoiceId]]],
          { fields: ['move_type', 'state', 'amount_total', 'payment_state', 'reversed_entry_id', 'paypal_bridge_refund_transaction_id'], order: 'amount_total' },
        );
        assert.deepEqual(
          notes.map((n) => `${n.move_type} ${n.state} ${n.amount_total.toFixed(2)} ${n.payment_state}`),
          ['out_refund posted 12.34 paid', 'out_refund posted 37.66 paid'],
        );
        assert.ok(notes.every((n) => n.paypal_bridge_refund_transaction_id), 'each credit note names its PayPal refund');
        const payments = await odoo.admin.call<{ payment_type: string; is_reconciled: boolean }[]>('account.payment', 'search_read', [[['payment_transaction_id.source_transaction_id', '=', fx.txId]]], { fields: ['payment_type', 'is_reconciled'] });
        assert.deepEqual(payments.map((p) => `${p.payment_type} ${p.is_reconciled}`), ['outbound true', 'outbound true']);
        const [invoice] = await odoo.admin.call<{ payment_state: string; amount_residual: number }[]>('account.move', 'read', [[invoiceId]], { fields: ['payment_state', 'amount_residual'] });
        assert.deepEqual(invoice, { id: invoiceId, payment_state: 'paid', amount_residual: 0 });
      } finally {
        await odoo.admin.call('ir.config_parameter', 'set_param', ['sale.automatic_invoice', before || false]);
      }
    });

    test('a capture pending (PENDING_REVIEW), then completed: pending with the reason and the quotation sent, then done with a posted payment and the order confirmed', async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference), { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
      await settleBoth('the pending capture');
      await assertSimulatorAgrees(fx);
      let v = await view(fx);
      assert.equal(v.tx.state, 'pending');
      assert.equal(v.tx.paypal_status_detail, 'PENDING_REVIEW');
      assert.equal(v.orderState, 'sent');
      assert.deepEqual(v.payments, []);
      await h.sim.completePendingCapture(captureId);
      await settleBoth('the completed capture');
      await assertSimulatorAgrees(fx);
      v = await view(fx);
      assert.equal(v.tx.state, 'done');
      assert.equal(v.tx.paypal_status_detail, false);
      assert.equal(v.payments.length, 1);
      assert.match(v.payments[0] ?? '', /^inbound 42\.50 (in_process|paid)$/);
      assert.equal(v.orderState, 'sale');
    });

    test('a capture pending, then denied: cancelled, no payment, the order not confirmed', async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference), { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
      await settleBoth('the pending capture');
      await assertSimulatorAgrees(fx);
      await h.sim.denyPendingCapture(captureId);
      await settleBoth('the denied capture');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.equal(v.tx.state, 'cancel');
      assert.deepEqual(v.payments, []);
      assert.equal(v.orderState, 'sent', 'the quotation was sent while pending, and is not confirmed');
    });

    test('a capture declined on the spot: error with the reason, flagged for review, nothing paid', async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference), { captureOutcome: 'DECLINED' });
      await settleBoth('the declined capture');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.equal(v.tx.state, 'error');
      assert.equal(v.tx.paypal_capture_id, captureId);
      assert.equal(v.tx.paypal_status_detail, 'DECLINED');
      assert.equal(v.tx.paypal_needs_review, true);
      assert.deepEqual(v.payments, []);
      assert.equal(v.orderState, 'draft');
    });

    test('approval reversed before any capture: cancelled, nothing captured', async () => {
      const fx = await fixture();
      const orderId = await createOrderAtPayPal(side, order(fx.reference));
      await h.sim.approveOrder(orderId);
      await h.sim.reverseApproval(orderId);
      await settleBoth('the reversed approval');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.equal(v.tx.state, 'cancel');
      assert.equal(v.tx.paypal_order_id, orderId);
      assert.deepEqual(v.payments, []);
      assert.equal(v.orderState, 'draft');
    });

    test('authorized then voided at PayPal: cancelled, no payment', async () => {
      const fx = await fixture();
      const { authorizationId } = await authorizeAtPayPal(side, order(fx.reference));
      await settleBoth('the authorization');
      await assertSimulatorAgrees(fx);
      await side.paypal.voidAuthorization(authorizationId, { requestId: `test-void-${fx.reference}` });
      await settleBoth('the void');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.equal(v.tx.state, 'cancel');
      assert.equal(v.tx.paypal_authorization_id, authorizationId);
      assert.deepEqual(v.payments, []);
    });

    test('a reversal: booked like a refund, the payment flagged for review, the sale order still confirmed', async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference));
      await settleBoth('the payment');
      await assertSimulatorAgrees(fx);
      const reversal = (await h.sim.reverseCapture(captureId)) as { id: string };
      await settleBoth('the reversal');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.deepEqual(v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`), [`${reversal.id} done -42.5`]);
      assert.equal(v.tx.paypal_needs_review, true);
      assert.match(String(v.tx.paypal_review_reason), new RegExp(`reversed 42\\.50 USD of capture ${captureId}`));
      assert.equal(v.orderState, 'sale');
    });

    test('a dispute created, updated and resolved: the record with status, amount, reason and deadline; a to-do for the salesperson, moved, then done', async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference));
      await settleBoth('the payment');
      await assertSimulatorAgrees(fx);
      const created = (await h.sim.createDispute(captureId, { reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' })) as { dispute_id: string; update_time: string; seller_response_due_date: string };
      await settleBoth('the new dispute');
      await assertSimulatorAgrees(fx);
      let d = await readDispute(odoo.admin, created.dispute_id);
      assert.ok(d, 'the dispute is recorded');
      assert.equal(d.status, 'WAITING_FOR_SELLER_RESPONSE');
      assert.equal(d.reason, 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED');
      assert.equal(d.amount, 42.5);
      assert.equal(d.seller_response_due_date, created.seller_response_due_date.replace('T', ' ').replace('Z', ''));
      assert.equal(d.transaction_id && d.transaction_id[0], fx.txId);
      assert.equal(d.user_id && d.user_id[0], odoo.adminUid, 'the salesperson is responsible');
      let todos = await activitiesOf(odoo.admin, 'paypal.dispute', d.id);
      assert.equal(todos.length, 1, JSON.stringify(todos));
      assert.equal(todos[0]?.user_id && todos[0].user_id[0], odoo.adminUid);
      assert.equal(todos[0]?.date_deadline, created.seller_response_due_date.slice(0, 10));
      assert.equal(todos[0]?.summary, `Answer PayPal dispute ${created.dispute_id}`);
      assert.equal(todos[0]?.activity_type_id && todos[0].activity_type_id[1], 'To-Do');

      await nextSecondAfter(created.update_time);
      const later = new Date(Date.parse(created.seller_response_due_date) + 5 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const updated = (await h.sim.updateDispute(created.dispute_id, { stage: 'CHARGEBACK', sellerResponseDueDate: later })) as { update_time: string };
      await settleBoth('the dispute update');
      await assertSimulatorAgrees(fx);
      d = await readDispute(odoo.admin, created.dispute_id);
      assert.ok(d);
      assert.equal(d.stage, 'CHARGEBACK');
      todos = await activitiesOf(odoo.admin, 'paypal.dispute', d.id);
      assert.equal(todos.length, 1, 'the later deadline moves the open to-do');
      assert.equal(todos[0]?.date_deadline, later.slice(0, 10));

      await nextSecondAfter(updated.update_time);
      await h.sim.resolveDispute(created.dispute_id, 'RESOLVED_SELLER_FAVOUR');
      await settleBoth('the resolution');
      await assertSimulatorAgrees(fx);
      d = await readDispute(odoo.admin, created.dispute_id);
      assert.ok(d);
      assert.equal(d.status, 'RESOLVED');
      assert.equal(d.outcome, 'RESOLVED_SELLER_FAVOUR');
      assert.deepEqual(await activitiesOf(odoo.admin, 'paypal.dispute', d.id), [], 'the to-do is done');
    });

    test('an amount that differs at PayPal: flagged for review, never done', async () => {
      const fx = await fixture();
      await payAtPayPal(side, { reference: fx.reference, amount: '40.00', invoiceId: `INV-${fx.reference}` });
      await settleBoth('the mismatched capture');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.equal(v.tx.state, 'draft');
      assert.equal(v.tx.paypal_needs_review, true);
      assert.match(String(v.tx.paypal_review_reason), /amount 40\.00 at PayPal, 42\.50 in Odoo/);
      assert.equal(v.tx.paypal_capture_id, false, 'nothing of the mismatched capture is booked');
      assert.deepEqual(v.payments, []);
      assert.equal(v.orderState, 'draft');
    });

    test('authorized then captured at PayPal: authorized with the authorization id and expiry, then done with a posted payment', async () => {
      const fx = await fixture();
      const { orderId, authorizationId } = await authorizeAtPayPal(side, order(fx.reference));
      await settleBoth('the authorization');
      await assertSimulatorAgrees(fx);
      let v = await view(fx);
      assert.equal(v.tx.state, 'authorized');
      assert.equal(v.tx.paypal_authorization_id, authorizationId);
      const expiry = h.sim.state.authorizations.get(authorizationId)?.expirationTime;
      assert.equal(v.tx.paypal_authorization_expiry, expiry?.replace('T', ' ').replace('Z', ''));
      assert.deepEqual(v.payments, []);
      assert.equal(v.orderState, 'sale', 'an authorization covering the order confirms it');
      const payer = h.sim.state.orders.get(orderId)?.payer?.payer_id;
      assert.equal(v.partnerPayer, payer, 'the payer id is on the customer');
      const capture = await side.paypal.captureAuthorization(authorizationId, { finalCapture: true }, { requestId: `test-capture-${fx.reference}` });
      await settleBoth('the capture');
      await assertSimulatorAgrees(fx);
      v = await view(fx);
      assert.equal(v.tx.state, 'done');
      assert.equal(v.tx.paypal_capture_id, capture.id);
      assert.equal(v.payments.length, 1);
      assert.equal(v.orderState, 'sale');
    });

    test("Odoo's Capture button (partial, through Odoo's capture wizard) and Void button: the service captures and voids at PayPal with Odoo's request ids; Odoo books a partial capture and a void and settles the payment", async () => {
      const fx = await fixture();
      const { authorizationId } = await authorizeAtPayPal(side, order(fx.reference));
      await settleBoth('the authorization');
      await assertSimulatorAgrees(fx);
      await odoo.assertProviderIsOurs();
      const wizardId = await odoo.admin.call<number>(
        'payment.capture.wizard',
        'create',
        [{ amount_to_capture: 10 }],
        { context: { active_model: 'payment.transaction', active_ids: [fx.txId] } },
        { retry: false },
      );
      await odoo.admin.call('payment.capture.wizard', 'action_capture', [[wizardId]], {}, { retry: false });
      const auth = h.sim.state.authorizations.get(authorizationId);
      assert.equal(auth?.status, 'PARTIALLY_CAPTURED');
      assert.equal(auth?.captureIds.length, 1);
      const captureId = auth!.captureIds[0]!;
      assert.equal(h.sim.state.captures.get(captureId)?.amountMinor, 1000n);
      const captureCalls = h.sim.requests.filter((r) => r.method === 'POST' && r.path === `/v2/payments/authorizations/${authorizationId}/capture`);
      assert.equal(captureCalls.length, 1);
      assert.match(captureCalls[0]?.headers['paypal-request-id'] ?? '', /^odoo-[0-9a-f]{64}$/);
      await settleBoth('the capture webhook');
      await assertSimulatorAgrees(fx);
      let v = await view(fx);
      assert.equal(v.tx.state, 'authorized', 'the rest is still authorized');
      assert.deepEqual(v.children.map((c) => `${c.state} ${c.amount} ${c.paypal_capture_id}`), [`done 10 ${captureId}`]);
      assert.equal(v.payments.length, 1);
      assert.match(v.payments[0] ?? '', /^inbound 10\.00 (in_process|paid)$/);

      await odoo.admin.call('payment.transaction', 'action_void', [[fx.txId]], {}, { retry: false });
      assert.equal(h.sim.state.authorizations.get(authorizationId)?.status, 'VOIDED');
      await settleBoth('the void webhook');
      await assertSimulatorAgrees(fx);
      v = await view(fx);
      assert.equal(v.tx.state, 'done', 'Odoo settles the source once its captures and voids cover it');
      assert.deepEqual(v.children.map((c) => `${c.state} ${c.amount}`), ['done 10', 'cancel 32.5']);
      assert.deepEqual(v.payments.map((p) => p.split(' ').slice(0, 2).join(' ')), ['inbound 10.00'], 'only what was captured is paid');
      const events = await h.service.store.list({ reference: authorizationId, limit: 20 });
      assert.ok(events.every((e) => e.status === 'done'), JSON.stringify(events.map((e) => [e.eventType, e.status, e.lastError])));
    });

    test("Odoo's Refund button (action_refund as the administrator): Odoo's server calls the service, PayPal refunds once, Odoo books one refund; the webhook changes nothing", async () => {
      const fx = await fixture();
      const { captureId } = await payAtPayPal(side, order(fx.reference));
      await settleBoth('the payment');
      await assertSimulatorAgrees(fx);
      await odoo.assertProviderIsOurs();
      await odoo.admin.call('payment.transaction', 'action_refund', [[fx.txId]], { amount_to_refund: 12 }, { retry: false });
      const refundIds = h.sim.state.captures.get(captureId)?.refundIds ?? [];
      assert.equal(refundIds.length, 1, 'one refund at PayPal');
      const calls = h.sim.requests.filter((r) => r.method === 'POST' && r.path === `/v2/payments/captures/${captureId}/refund`);
      assert.equal(calls.length, 1);
      assert.match(calls[0]?.headers['paypal-request-id'] ?? '', /^odoo-[0-9a-f]{64}$/, "Odoo's request_id is PayPal's idempotency key");
      await settleBoth('the refund webhook');
      await assertSimulatorAgrees(fx);
      const v = await view(fx);
      assert.deepEqual(v.refunds.map((r) => `${r.paypal_refund_id} ${r.state} ${r.amount}`), [`${refundIds[0]} done -12`]);
      assert.equal(v.tx.paypal_refund_status, 'partially_refunded');
      assert.deepEqual(v.payments.map((p) => p.split(' ').slice(0, 2).join(' ')).sort(), ['inbound 42.50', 'outbound 12.00']);
      const refundEvents = (await h.service.store.list({ reference: captureId, limit: 20 })).filter((e) => e.eventType === 'PAYMENT.CAPTURE.REFUNDED');
      assert.deepEqual(refundEvents.map((e) => e.status), ['done']);
    });
  });
}
