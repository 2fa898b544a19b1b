// The simulator's post-processing and money handling, through the entry points. (The transition
// table itself is checked by the contract suite, against the simulator and a real Odoo alike.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createBridgeApi, type BridgeApi } from '../../src/odoo/bridge-api.ts';
import { createOdooClient } from '../../src/odoo/json-rpc-client.ts';
import { OdooValidationError } from '../../src/odoo/odoo-errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { formatDecimal, parseDecimal, toMinorUnits } from './money.ts';
import { startOdooSim, type OdooSim } from './server.ts';

let sim: OdooSim;
let api: BridgeApi;

before(async () => {
  sim = await startOdooSim();
  api = createBridgeApi(createOdooClient({ url: sim.url, db: sim.db, login: sim.service.login, apiKey: sim.service.password, logger: createLogger({ level: 'silent' }) }));
});
after(async () => {
  await sim.close();
});

describe('post-processing, as sale and account_payment do it', () => {
  test('authorized confirms the order (amount reached) without a payment; done then posts one', async () => {
    const f = sim.createSaleOrderWithTransaction({ amount: '10.00' });
    await api.applyPayment(f.reference, 'authorized', {});
    let state = sim.state();
    assert.equal(state.orders.find((o) => o.id === f.saleOrderId)?.state, 'sale');
    assert.equal(state.payments.filter((p) => p.payment_transaction_id === f.txId).length, 0);
    await api.applyPayment(f.reference, 'done', {});
    state = sim.state();
    const payments = state.payments.filter((p) => p.payment_transaction_id === f.txId);
    assert.equal(payments.length, 1);
    assert.equal(payments[0]?.state, 'in_process');
    assert.equal(payments[0]?.payment_type, 'inbound');
  });

  test('an order whose total is not reached stays a quotation', async () => {
    const f = sim.createSaleOrderWithTransaction({ amount: '10.00' });
    const order = sim.database.order(f.saleOrderId);
    assert.ok(order);
    order.amount_total = 2_000n; // 20.00: the transaction pays half
    await api.applyPayment(f.reference, 'done', {});
    assert.equal(sim.state().orders.find((o) => o.id === f.saleOrderId)?.state, 'draft');
    assert.equal(sim.state().payments.filter((p) => p.payment_transaction_id === f.txId).length, 1);
  });

  test('a voided authorization cancels the transaction; its order stays confirmed, nothing is posted', async () => {
    const f = sim.createSaleOrderWithTransaction({ amount: '10.00' });
    await api.applyPayment(f.reference, 'authorized', {});
    const voided = await api.applyPayment(f.reference, 'cancel', { message: 'PAYMENT.AUTHORIZATION.VOIDED' });
    assert.equal(voided.tx.state, 'cancel');
    assert.equal(sim.state().payments.filter((p) => p.payment_transaction_id === f.txId).length, 0);
  });

  test('refund children: Odoo stores them negative (R-<ref>, operation refund); the wire shows the refund\'s own amount', async () => {
    const f = sim.createSaleOrderWithTransaction({ amount: '10.00' });
    await api.applyPayment(f.reference, 'done', { capture_id: 'CAP-NEG' });
    const refund = await api.registerRefund({ sourceReference: f.reference, refundId: 'REF-NEG', amount: '2.50', currency: 'USD', status: 'COMPLETED' });
    assert.equal(refund.tx.amount, '2.50');
    const stored = sim.state().transactions.find((t) => t.id === refund.tx.id);
    assert.equal(stored?.amount, '-2.50');
    assert.equal(stored?.reference, `R-${f.reference}`);
    const payment = sim.state().payments.find((p) => p.payment_transaction_id === refund.tx.id);
    assert.equal(payment?.payment_type, 'outbound');
    assert.equal(payment?.amount, '2.50');
  });
});

describe('currencies with other decimal places', () => {
  test('JPY has no decimals: "1000" on the wire, and "10.5" is refused', async () => {
    const f = sim.createSaleOrderWithTransaction({ amount: '1000', currency: 'JPY' });
    const done = await api.applyPayment(f.reference, 'done', { capture_id: 'CAP-JPY', amount: '1000', currency: 'JPY', fee: '40' });
    assert.equal(done.result, 'applied');
    assert.equal(done.tx.amount, '1000');
    assert.equal(done.tx.paypal_fee, '40');
    await assert.rejects(api.registerRefund({ sourceReference: f.reference, refundId: 'REF-JPY', amount: '10.5', currency: 'JPY', status: 'COMPLETED' }), OdooValidationError);
    const refund = await api.registerRefund({ sourceReference: f.reference, refundId: 'REF-JPY', amount: '300', currency: 'JPY', status: 'COMPLETED' });
    assert.equal(refund.tx.amount, '300');
  });

  test('money helpers: parse, round and format per currency', () => {
    assert.deepEqual(parseDecimal('10.5', 'USD'), { ok: true, minor: 1050n });
    assert.deepEqual(parseDecimal('10.001', 'USD'), { ok: false, problem: 'too_precise' });
    assert.deepEqual(parseDecimal('abc', 'USD'), { ok: false, problem: 'not_decimal' });
    assert.equal(formatDecimal(-300n, 'USD'), '-3.00');
    assert.equal(formatDecimal(5n, 'USD'), '0.05');
    assert.equal(formatDecimal(1000n, 'JPY'), '1000');
    assert.deepEqual(toMinorUnits('10.005', 'USD'), { minor: 1001n, exact: false, negative: false });
    assert.deepEqual(toMinorUnits('-1', 'USD'), { minor: 100n, exact: true, negative: true });
    assert.equal(toMinorUnits('1e3', 'USD'), undefined);
  });
});
