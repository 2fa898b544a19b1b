// The reconciliation end to end against the real simulators, the real payment sync and a real
// store, as one suite run on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { runReconciliation } from '../../src/reconcile/runner.ts';
import { repairDiscrepancy } from '../../src/reconcile/repair.ts';
import type { StoredDiscrepancy } from '../../src/reconcile/types.ts';
import { OCTOBER, startReconcileHarness, type ReconcileHarness, type ReconcileStoreKind } from './reconcile-harness.ts';

async function harness(t: TestContext, kind: ReconcileStoreKind, options: Parameters<typeof startReconcileHarness>[1] = {}): Promise<ReconcileHarness> {
  const h = await startReconcileHarness(kind, options);
  t.after(() => h.close());
  return h;
}

async function allDiscrepancies(h: ReconcileHarness, runId: number): Promise<StoredDiscrepancy[]> {
  return h.store.listDiscrepancies(runId, { limit: 10_000 });
}

/** A month of ordinary business: payments, refunds, a pending payment, a dispute lost and one open. */
async function cleanMonth(h: ReconcileHarness) {
  const paid = [];
  for (const amount of ['10.00', '24.99', '100.00', '0.99']) paid.push(await h.pay({ amount }));
  const refunded = await h.pay({ amount: '80.00' });
  await h.refund(refunded, '30.00');
  await h.refund(refunded, '50.00');
  const pending = await h.pay({ amount: '15.00', pendingAtPayPal: true });
  const disputed = await h.pay({ amount: '42.00' });
  const dispute = await h.paypalSim.createDispute(disputed.captureId);
  await h.paypalSim.resolveDispute(String(dispute['dispute_id']), 'RESOLVED_BUYER_FAVOUR');
  const reversal = [...h.paypalSim.state.refunds.values()].find((r) => r.captureId === disputed.captureId && r.kind === 'reversal');
  assert.ok(reversal, 'the lost dispute reversed the capture');
  await h.sync.syncRefund(reversal.id, { kind: 'reversal', captureId: disputed.captureId, resource: await h.paypal.getRefund(reversal.id) });
  const stillOpen = await h.pay({ amount: '55.00' });
  await h.paypalSim.createDispute(stillOpen.captureId);
  h.advance(60_000);
  return { paid, refunded, pending, disputed, stillOpen };
}

export function reconcileSuite(kind: ReconcileStoreKind): void {
  describe(`reconciliation on ${kind}`, () => {
    test('a clean month has no discrepancy, and every PayPal line is accounted for', async (t) => {
      const h = await harness(t, kind);
      await cleanMonth(h);
      const run = await runReconciliation(h.deps(), OCTOBER);
      assert.equal(run.status, 'completed');
      assert.deepEqual(await allDiscrepancies(h, run.id), []);
      const counts = run.counts;
      assert.ok(counts);
      // 8 captures (T0006), 2 refunds (T1107), 1 chargeback (T1201), 2 holds (T1110) and 1 release (T1111).
      assert.deepEqual(counts.byKind, { capture: 8, refund: 2, reversal: 1, dispute_hold: 2, dispute_release: 1, fee: 0, other: 0 });
      assert.equal(counts.paypalRecords, 14);
      assert.equal(counts.matched, 11, 'every capture, refund and reversal found its Odoo transaction');
      assert.equal(counts.odooRecords, 11);
      assert.equal(run.lastRefreshedAt?.getTime(), h.now().getTime());
      assert.deepEqual(h.paypalSim.violations, []);
    });

    test('every kind of discrepancy is found exactly once; repair fixes the certain ones and leaves the rest marked', async (t) => {
      const h = await harness(t, kind);
      await cleanMonth(h);
      const captureMissing = await h.pay({ amount: '12.00', book: 'none' });
      const refundedAtPayPal = await h.pay({ amount: '60.00' });
      const refundMissing = await h.refund(refundedAtPayPal, '20.00', { book: false });
      const centOff = await h.pay({ amount: '33.33' });
      const offTx = h.odooSim.database.transactions.find((x) => x.reference === centOff.reference);
      assert.ok(offTx);
      offTx.amount -= 1n; // Odoo books 33.32
      const wrongCurrency = await h.pay({ amount: '18.00' });
      const eurTx = h.odooSim.database.transactions.find((x) => x.reference === wrongCurrency.reference);
      assert.ok(eurTx);
      eurTx.currency = 'EUR';
      const stateOff = await h.pay({ amount: '27.00', book: 'pending' });
      const feeMissing = await h.pay({ amount: '45.00', fee: false });
      const unknownToPayPal = h.odooSim.createSaleOrderWithTransaction({ amount: '9.00' });
      await h.bridge.applyPayment(unknownToPayPal.reference, 'done', { capture_id: 'NOSUCHCAPTURE0001', amount: '9.00', currency: 'USD' });
      h.advance(60_000);

      const run = await runReconciliation(h.deps(), OCTOBER);
      const found = (await allDiscrepancies(h, run.id)).map((d) => ({ kind: d.kind, paypalId: d.paypalId, reference: d.reference, status: d.status, action: d.action }));
      const expected = [
        { kind: 'missing_in_odoo', paypalId: captureMissing.captureId, reference: captureMissing.reference, status: 'open', action: 'sync_capture' },
        { kind: 'missing_in_odoo', paypalId: refundMissing.id, reference: refundedAtPayPal.reference, status: 'open', action: 'sync_refund' },
        { kind: 'missing_in_paypal', paypalId: 'NOSUCHCAPTURE0001', reference: unknownToPayPal.reference, status: 'needs_person', action: null },
        { kind: 'amount_mismatch', paypalId: centOff.captureId, reference: centOff.reference, status: 'needs_person', action: null },
        { kind: 'currency_mismatch', paypalId: wrongCurrency.captureId, reference: wrongCurrency.reference, status: 'needs_person', action: null },
        { kind: 'state_mismatch', paypalId: stateOff.captureId, reference: stateOff.reference, status: 'open', action: 'sync_capture' },
        { kind: 'fee_missing', paypalId: feeMissing.captureId, reference: feeMissing.reference, status: 'open', action: 'book_fee' },
      ];
      const byKey = (x: { kind: string; paypalId: string | null }) => `${x.kind}/${x.paypalId}`;
      assert.deepEqual([...found].sort((a, b) => byKey(a).localeCompare(byKey(b))), [...expected].sort((a, b) => byKey(a).localeCompare(byKey(b))));
      const amount = (await allDiscrepancies(h, run.id)).find((d) => d.kind === 'amount_mismatch');
      assert.equal(amount?.paypal?.['amount'], '33.33');
      assert.equal(amount?.odoo?.['amount'], '33.32', 'both sides are kept');

      const repaired = await runReconciliation(h.deps(), { ...OCTOBER, fresh: true, repair: true });
      const after = await allDiscrepancies(h, repaired.id);
      const status = Object.fromEntries(after.map((d) => [`${d.kind}/${d.paypalId}`, d.status]));
      assert.equal(status[`missing_in_odoo/${captureMissing.captureId}`], 'repaired');
      assert.equal(status[`missing_in_odoo/${refundMissing.id}`], 'repaired');
      assert.equal(status[`state_mismatch/${stateOff.captureId}`], 'repaired');
      assert.equal(status[`fee_missing/${feeMissing.captureId}`], 'repaired');
      assert.equal(status[`amount_mismatch/${centOff.captureId}`], 'needs_person');
      assert.equal(status[`currency_mismatch/${wrongCurrency.captureId}`], 'needs_person');
      assert.equal(status['missing_in_paypal/NOSUCHCAPTURE0001'], 'needs_person');
      for (const d of after.filter((x) => x.status === 'repaired')) assert.match(d.repairNote ?? '', /Checked: Odoo now agrees with PayPal/);

      // What was repaired is in Odoo now, and every repair is in the audit log.
      const booked = await h.bridge.find({ capture_id: captureMissing.captureId });
      assert.equal(booked?.state, 'done');
      assert.equal((await h.bridge.find({ refund_id: refundMissing.id }))?.state, 'done');
      assert.equal((await h.bridge.find({ capture_id: stateOff.captureId }))?.state, 'done');
      const audit = await h.inbox.listAudit({ subject: `reconcile-run:${repaired.id}`, limit: 100 });
      assert.equal(audit.filter((a) => a.kind === 'reconcile.repair').length, 4);
      assert.equal(repaired.counts?.repaired, 4);
      assert.equal(repaired.counts?.needsPerson, 3);

      // The next run: only what needs a person, and the fee of the capture the repair booked.
      const next = await runReconciliation(h.deps(), { ...OCTOBER, fresh: true });
      const left = (await allDiscrepancies(h, next.id)).map((d) => `${d.kind}/${d.paypalId}`).sort();
      assert.deepEqual(left, [
        `amount_mismatch/${centOff.captureId}`,
        `currency_mismatch/${wrongCurrency.captureId}`,
        `fee_missing/${captureMissing.captureId}`,
        `fee_missing/${stateOff.captureId}`,
        'missing_in_paypal/NOSUCHCAPTURE0001',
      ].sort());
    });

    test('payments taken out of Odoo\'s books (cancelled, reset to draft, deleted) are missing, and put back', async (t) => {
      const h = await harness(t, kind);
      const [cancelled, drafted, deleted, kept] = [await h.pay({ amount: '21.00' }), await h.pay({ amount: '35.50' }), await h.pay({ amount: '12.25' }), await h.pay({ amount: '8.00' })];
      h.advance(60_000);
      const clean = await runReconciliation(h.deps(), OCTOBER);
      assert.deepEqual(await allDiscrepancies(h, clean.id), []);
      const db = h.odooSim.database;
      const paymentOf = (reference: string) => {
        const tx = db.transactions.find((x) => x.reference === reference);
        const payment = tx?.payment_id === undefined ? undefined : db.payment(tx.payment_id);
        assert.ok(tx && payment);
        return { tx, payment };
      };
      paymentOf(cancelled.reference).payment.state = 'canceled';
      paymentOf(drafted.reference).payment.state = 'draft';
      const gone = paymentOf(deleted.reference);
      db.payments.splice(db.payments.indexOf(gone.payment), 1);
      gone.tx.payment_id = undefined;

      const found = await runReconciliation(h.deps(), { ...OCTOBER, fresh: true });
      assert.deepEqual(
        (await allDiscrepancies(h, found.id)).map((d) => `${d.kind}/${d.paypalId}/${d.action}`).sort(),
        [cancelled, drafted, deleted].map((p) => `missing_in_odoo/${p.captureId}/repost_payment`).sort(),
      );
      const repaired = await runReconciliation(h.deps(), { ...OCTOBER, fresh: true, repair: true });
      assert.deepEqual((await allDiscrepancies(h, repaired.id)).map((d) => d.status), ['repaired', 'repaired', 'repaired']);
      for (const p of [cancelled, drafted, deleted, kept]) assert.equal(paymentOf(p.reference).payment.state, 'in_process', p.reference);
      const again = await runReconciliation(h.deps(), { ...OCTOBER, fresh: true });
      assert.deepEqual(await allDiscrepancies(h, again.id), []);
    });

    test('a repair is one click: a second click changes nothing', async (t) => {
      const h = await harness(t, kind);
      const p = await h.pay({ amount: '20.00', fee: false });
      h.advance(60_000);
      const run = await runReconciliation(h.deps(), OCTOBER);
      const [d] = await allDiscrepancies(h, run.id);
      assert.equal(d?.kind, 'fee_missing');
      const first = await repairDiscrepancy(h.deps(), d.id);
      assert.equal(first.attempted, true);
      assert.equal(first.discrepancy.status, 'repaired');
      const second = await repairDiscrepancy(h.deps(), d.id);
      assert.equal(second.attempted, false);
      assert.equal((await h.inbox.listAudit({ subject: p.captureId })).filter((a) => a.kind === 'reconcile.repair').length, 1);
    });

    test('without a PayPal Fee Account fees are not checked; with one, a missing fee is found and booked', async (t) => {
      const h = await harness(t, kind);
      await h.pay({ amount: '20.00', fee: false });
      h.advance(60_000);
      const { setFeeAccount } = await import('../../sim/odoo/reconcile.ts');
      setFeeAccount(h.odooSim.database, false);
      const unset = await runReconciliation(h.deps(), OCTOBER);
      assert.deepEqual(await allDiscrepancies(h, unset.id), []);
      assert.equal(unset.counts?.feesNotBooked, 1);
      setFeeAccount(h.odooSim.database, true);
      const run = await runReconciliation(h.deps(), { ...OCTOBER, fresh: true, repair: true });
      const [d] = await allDiscrepancies(h, run.id);
      assert.deepEqual([d?.kind, d?.status], ['fee_missing', 'repaired']);
      assert.equal(run.counts?.feesNotBooked, 0);
    });

    test('timing: what changed after PayPal\'s last refresh is neither missing nor different', async (t) => {
      const h = await harness(t, kind, { reportingDelaySeconds: 3600 });
      const early = await h.pay({ amount: '10.00', pendingAtPayPal: true, book: 'pending' });
      h.advance(2 * 3600_000);
      // PayPal's report (an hour behind) still has the capture pending; Odoo heard it completed.
      await h.paypalSim.completePendingCapture(early.captureId);
      await h.sync.syncCapture(early.captureId);
      await h.odoo.bookFee({ reference: early.reference, fee: (await h.paypal.getCapture(early.captureId)).seller_receivable_breakdown?.paypal_fee?.value ?? '0', currency: 'USD', captureId: early.captureId });
      // Paid a minute ago: in Odoo, not in PayPal's report yet.
      await h.pay({ amount: '11.00' });
      const run = await runReconciliation(h.deps(), OCTOBER);
      assert.deepEqual(await allDiscrepancies(h, run.id), []);
      assert.equal(run.counts?.tooRecent, 2);
      assert.equal(run.coverageEnd?.getTime(), h.paypalSim.reporting.lastRefreshed().getTime() + 1000);
    });

    test('running twice is idempotent: the same report, nothing stored twice, a finished run is not redone', async (t) => {
      const h = await harness(t, kind);
      await cleanMonth(h);
      await h.pay({ amount: '12.00', book: 'none' });
      h.advance(60_000);
      const first = await runReconciliation(h.deps(), OCTOBER);
      const second = await runReconciliation(h.deps(), OCTOBER);
      assert.notEqual(second.id, first.id, 'a finished run is a report of its time; the next call makes a new one');
      const key = (d: StoredDiscrepancy) => ({ kind: d.kind, paypalId: d.paypalId, eventCode: d.eventCode, reference: d.reference, status: d.status, note: d.note });
      assert.deepEqual((await allDiscrepancies(h, second.id)).map(key), (await allDiscrepancies(h, first.id)).map(key));
      assert.deepEqual(second.counts, first.counts);
      assert.equal(await h.store.countRecords(first.id), first.recordsPulled);
    });
  });
}
