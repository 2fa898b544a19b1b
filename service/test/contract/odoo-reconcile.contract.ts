// The reconciliation entry points of the paypal_bridge contract (odoo_addon/README.md,
// "Reconciliation"), as one suite for the Odoo simulator and for a real Odoo 18 with the module:
// paypal_bridge_reconcile_data (a range, paged; a lookup), paypal_bridge_book_fee,
// paypal_bridge_repost_payment and paypal_bridge_import_ledger. The service
// side is the production client (createReconcileOdooApi) logged in as the technical user.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createBridgeApi, type BridgeApi } from '../../src/odoo/bridge-api.ts';
import { OdooMissingError, OdooValidationError } from '../../src/odoo/odoo-errors.ts';
import { createReconcileOdooApi, type LedgerImportRecord, type ReconcileOdooApi } from '../../src/reconcile/odoo-reconcile-api.ts';
import { clientFor, type ContractTarget } from './odoo-bridge.contract.ts';

export interface ReconcileContractTarget extends ContractTarget {
  /** Sets (true) or clears the PayPal provider's fee account. */
  setFeeAccount(configured: boolean): Promise<void>;
  /** What an accountant does to an account.payment: reset it to draft, or cancel it. */
  changePayment(paymentId: number, action: 'draft' | 'cancel'): Promise<void>;
}

export function odooReconcileContract(label: string, setup: () => Promise<ReconcileContractTarget>): void {
  const run = randomBytes(4).toString('hex').toUpperCase();
  let counter = 0;
  const pid = (kind: string) => `${kind}${run}${String(++counter).padStart(4, '0')}`;
  let target: ReconcileContractTarget;
  let bridge: BridgeApi;
  let odoo: ReconcileOdooApi;

  async function paid(amount = '10.00', fee?: string) {
    const f = await target.createSaleOrderWithTransaction({ amount });
    const captureId = pid('CAP');
    const applied = await bridge.applyPayment(f.reference, 'done', { capture_id: captureId, amount, currency: 'USD', ...(fee ? { fee } : {}) });
    assert.equal(applied.tx.state, 'done');
    return { ...f, captureId };
  }

  const around = () => ({ from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 3600_000) });

  describe(`paypal_bridge reconciliation contract against ${label}`, () => {
    before(async () => {
      target = await setup();
      const service = clientFor(target, target.service);
      bridge = createBridgeApi(service);
      odoo = createReconcileOdooApi(service);
      await target.setFeeAccount(true);
    });
    after(async () => {
      await target?.close();
    });

    test('a range holds captures and refunds, amounts positive, fee not booked yet', async () => {
      const p = await paid('30.00', '1.20');
      const refundId = pid('REF');
      await bridge.registerRefund({ sourceReference: p.reference, refundId, amount: '12.50', currency: 'USD', status: 'COMPLETED' });
      const untouched = await target.createSaleOrderWithTransaction({ amount: '5.00' });
      const records = [];
      for (let afterId = 0; ; ) {
        const page = await odoo.reconcileData({ ...around(), afterId, limit: 500 });
        records.push(...page.records);
        if (page.nextAfterId === null) break;
        afterId = page.nextAfterId;
      }
      const capture = records.find((r) => r.paypal_capture_id === p.captureId);
      const refund = records.find((r) => r.paypal_refund_id === refundId);
      assert.ok(capture && refund);
      assert.deepEqual(
        [capture.reference, capture.state, capture.amount, capture.currency, capture.paypal_fee, capture.fee_booked, capture.fee_account_set],
        [p.reference, 'done', '30.00', 'USD', '1.20', null, true],
      );
      assert.ok(capture.sale_order_names.length === 1);
      assert.match(capture.last_state_change, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.deepEqual([refund.operation, refund.amount, refund.source_reference, refund.state], ['refund', '12.50', p.reference, 'done']);
      assert.ok(!records.some((r) => r.reference === untouched.reference), 'a transaction without a PayPal id is not listed');
      const ids = records.map((r) => r.id);
      assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'by id');
    });

    test('pages follow each other by id', async () => {
      await paid();
      await paid();
      const first = await odoo.reconcileData({ ...around(), limit: 1 });
      assert.equal(first.records.length, 1);
      assert.equal(first.nextAfterId, first.records[0]?.id);
      const second = await odoo.reconcileData({ ...around(), limit: 1, afterId: first.nextAfterId ?? 0 });
      assert.ok((second.records[0]?.id ?? 0) > (first.records[0]?.id ?? 0));
      const future = await odoo.reconcileData({ from: new Date(Date.now() + 3600_000), to: new Date(Date.now() + 7200_000) });
      assert.deepEqual(future, { records: [], nextAfterId: null });
    });

    test('a lookup finds by capture id, refund id, reference (even draft) and sale order name', async () => {
      const p = await paid();
      const refundId = pid('REF');
      await bridge.registerRefund({ sourceReference: p.reference, refundId, amount: '1.00', currency: 'USD', status: 'COMPLETED' });
      const draft = await target.createSaleOrderWithTransaction({ amount: '7.00' });
      assert.deepEqual((await odoo.lookup({ captureIds: [p.captureId] })).map((r) => r.reference), [p.reference]);
      assert.deepEqual((await odoo.lookup({ refundIds: [refundId] })).map((r) => r.paypal_refund_id), [refundId]);
      const byRef = await odoo.lookup({ references: [draft.reference] });
      assert.deepEqual(byRef.map((r) => [r.reference, r.state]), [[draft.reference, 'draft']]);
      const orderName = (await odoo.lookup({ references: [p.reference] }))[0]?.sale_order_names[0];
      assert.ok(orderName);
      assert.ok((await odoo.lookup({ orderNames: [orderName] })).some((r) => r.reference === p.reference));
      assert.deepEqual(await odoo.lookup({ captureIds: [pid('NONE')] }), []);
    });

    test('bad arguments are ValidationError', async () => {
      const service = clientFor(target, target.service);
      const now = new Date().toISOString();
      for (const kwargs of [{}, { date_from: now, date_to: now }, { date_from: now, date_to: 'later' }, { date_from: now, date_to: now, capture_ids: ['X'] }, { capture_ids: 'X' }, { limit: 0, date_from: '2026-01-01T00:00:00Z', date_to: now }, { colour: 'blue', capture_ids: ['X'] }]) {
        await assert.rejects(service.call('payment.transaction', 'paypal_bridge_reconcile_data', [], kwargs), OdooValidationError, JSON.stringify(kwargs));
      }
    });

    test('book_fee books a capture fee once, refuses another amount, and shows in the range', async () => {
      const p = await paid('40.00');
      const first = await odoo.bookFee({ reference: p.reference, fee: '1.89', currency: 'USD', captureId: p.captureId });
      assert.equal(first.result, 'applied');
      assert.equal(first.feeBooked, '1.89');
      assert.ok(first.moveId);
      assert.equal(first.tx.paypal_fee, '1.89', 'the transaction gets the fee it lacked');
      const again = await odoo.bookFee({ reference: p.reference, fee: '1.89', currency: 'USD', captureId: p.captureId });
      assert.deepEqual([again.result, again.moveId], ['unchanged', first.moveId]);
      const other = await odoo.bookFee({ reference: p.reference, fee: '1.90', currency: 'USD', captureId: p.captureId });
      assert.equal(other.result, 'mismatch');
      assert.equal(other.tx.paypal_needs_review, true);
      const [record] = await odoo.lookup({ captureIds: [p.captureId] });
      assert.deepEqual([record?.fee_booked, record?.fee_move_id], ['1.89', first.moveId]);
    });

    test('repost_payment puts a payment reset to draft, cancelled or deleted back in the books', async () => {
      const p = await paid('15.00');
      const [before] = await odoo.lookup({ captureIds: [p.captureId] });
      assert.ok(before?.payment_id);
      assert.ok(['in_process', 'paid'].includes(before.payment_state ?? ''), `a posted payment (${before.payment_state})`);
      assert.equal((await odoo.repostPayment(p.reference)).result, 'unchanged');
      await target.changePayment(before.payment_id, 'draft');
      const [drafted] = await odoo.lookup({ captureIds: [p.captureId] });
      assert.equal(drafted?.payment_state, 'draft');
      const reposted = await odoo.repostPayment(p.reference);
      assert.deepEqual([reposted.result, reposted.paymentId, reposted.paymentState], ['applied', before.payment_id, 'in_process']);
      await target.changePayment(before.payment_id, 'cancel');
      const remade = await odoo.repostPayment(p.reference);
      assert.equal(remade.result, 'applied');
      assert.notEqual(remade.paymentId, before.payment_id);
      const [after] = await odoo.lookup({ captureIds: [p.captureId] });
      assert.deepEqual([after?.payment_id, after?.payment_state], [remade.paymentId, 'in_process']);
      const draft = await target.createSaleOrderWithTransaction({ amount: '2.00' });
      await assert.rejects(odoo.repostPayment(draft.reference), OdooValidationError);
    });

    const ledger = (id: string, amount: string, extra: Partial<LedgerImportRecord> = {}): LedgerImportRecord => ({
      id,
      event_code: amount.startsWith('-') ? 'T1107' : 'T0006',
      date: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      amount,
      currency: 'USD',
      ...extra,
    });

    test('import_ledger books a capture once, matched with its payment (then paid), its fee with it; a refund with the refund payment', async () => {
      const p = await paid('25.00');
      const [first] = await odoo.importLedger([ledger(p.captureId, '25.00', { fee: '-1.17' })]);
      assert.deepEqual([first?.result, first?.matched, first?.transaction, first?.reason], ['created', true, p.reference, null]);
      assert.ok(first?.line_id && first.fee_line_id);
      const [record] = await odoo.lookup({ captureIds: [p.captureId] });
      assert.deepEqual([record?.payment_state, record?.fee_booked], ['paid', '1.17']);
      const [again] = await odoo.importLedger([ledger(p.captureId, '25.00', { fee: '-1.17' })]);
      assert.deepEqual([again?.result, again?.matched, again?.line_id, again?.fee_line_id], ['unchanged', true, first.line_id, first.fee_line_id]);
      const refundId = pid('REF');
      await bridge.registerRefund({ sourceReference: p.reference, refundId, amount: '5.00', currency: 'USD', status: 'COMPLETED' });
      const [refund] = await odoo.importLedger([ledger(refundId, '-5.00')]);
      assert.deepEqual([refund?.result, refund?.matched, refund?.reason], ['created', true, null]);
    });

    test('import_ledger leaves money that matches nothing, or another amount, open with the reason', async () => {
      const p = await paid('12.00');
      const [stranger, wrong] = await odoo.importLedger([ledger(pid('UNKNOWN'), '9.99', { fee: '-0.30', event_code: 'T0000' }), ledger(p.captureId, '12.01')]);
      assert.deepEqual([stranger?.result, stranger?.matched, stranger?.transaction, stranger?.fee_line_id], ['created', false, null, null]);
      assert.match(stranger?.reason ?? '', /needs a person/);
      assert.deepEqual([wrong?.matched, wrong?.transaction], [false, p.reference]);
      assert.match(wrong?.reason ?? '', /differs/);
      const [record] = await odoo.lookup({ captureIds: [p.captureId] });
      assert.equal(record?.payment_state, 'in_process');
    });

    test('import_ledger refuses a bad record and books nothing of the page', async () => {
      const p = await paid('7.00');
      for (const bad of [{ event_code: 'X1' }, { amount: '7.001' }, { date: 'yesterday' }, { colour: 'red' }] as Partial<LedgerImportRecord>[]) {
        await assert.rejects(odoo.importLedger([ledger(p.captureId, '7.00'), { ...ledger(pid('BAD'), '1.00'), ...bad }]), OdooValidationError, JSON.stringify(bad));
      }
      const [record] = await odoo.lookup({ captureIds: [p.captureId] });
      assert.equal(record?.payment_state, 'in_process', 'nothing of the page was booked');
    });

    test('book_fee needs the capture of that transaction, confirmed, and a fee account', async () => {
      const p = await paid();
      await assert.rejects(odoo.bookFee({ reference: p.reference, fee: '0.50', currency: 'USD', captureId: pid('OTHER') }), OdooValidationError);
      await assert.rejects(odoo.bookFee({ reference: p.reference, fee: '0', currency: 'USD', captureId: p.captureId }), OdooValidationError);
      const pending = await target.createSaleOrderWithTransaction({ amount: '3.00' });
      const pendingCapture = pid('CAP');
      await bridge.applyPayment(pending.reference, 'pending', { capture_id: pendingCapture });
      await assert.rejects(odoo.bookFee({ reference: pending.reference, fee: '0.20', currency: 'USD', captureId: pendingCapture }), OdooMissingError);
      const eur = await odoo.bookFee({ reference: p.reference, fee: '0.50', currency: 'EUR', captureId: p.captureId });
      assert.deepEqual([eur.result, eur.moveId], ['mismatch', null]);
      await target.setFeeAccount(false);
      try {
        assert.equal((await odoo.lookup({ captureIds: [p.captureId] }))[0]?.fee_account_set, false);
        await assert.rejects(odoo.bookFee({ reference: p.reference, fee: '0.50', currency: 'USD', captureId: p.captureId }), (err: unknown) => {
          assert.ok(err instanceof OdooValidationError);
          assert.equal(err.odooName, 'odoo.exceptions.UserError');
          assert.match(err.odooMessage, /PayPal Fee Account/);
          return true;
        });
      } finally {
        await target.setFeeAccount(true);
      }
    });
  });
}
