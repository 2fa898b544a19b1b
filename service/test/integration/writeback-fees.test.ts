// PayPal's fee is booked as soon as its capture is: the PayPal journal then shows what PayPal
// holds without waiting for a reconciliation. Without a fee account on the provider, Odoo refuses
// and the capture is booked all the same (the reconciliation reports fees as not checked).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { feeMoves, setFeeAccount } from '../../sim/odoo/reconcile.ts';
import type { Harness } from '../support/service-harness.ts';
import { payAtPayPal, paypalSide, settle, startWriteback, type PayPalSide } from '../support/writeback.ts';

let h: Harness;
let side: PayPalSide;
before(async () => {
  h = await startWriteback({ store: 'sqlite' });
  side = paypalSide(h.sim);
});
after(async () => {
  await h?.close();
});

function payment(amount: string) {
  const fx = h.odoo!.createSaleOrderWithTransaction({ amount });
  return { fx, input: { reference: fx.reference, amount, invoiceId: `INV-${fx.reference}` } };
}

test('the fee of a completed capture is booked once, with the capture, and audited', async () => {
  setFeeAccount(h.odoo!.database, true);
  const { fx, input } = payment('42.50');
  const { captureId } = await payAtPayPal(side, input);
  await settle(h);
  const capture = h.sim.state.captures.get(captureId)!;
  const moves = feeMoves(h.odoo!.database).filter((m) => m.captureId === captureId);
  assert.equal(moves.length, 1);
  assert.equal(moves[0]!.amount, capture.feeMinor);
  const tx = h.odoo!.state().transactions.find((t) => t.reference === fx.reference)!;
  assert.equal(tx.state, 'done');
  const audit = await h.service.store.listAudit({ subject: captureId });
  assert.ok(audit.some((a) => a.kind === 'odoo.write' && /PayPal fee .* booked/.test(a.summary)), audit.map((a) => a.summary).join('\n'));
  // The same capture synced again books nothing more.
  await h.service.sync.syncCapture(captureId);
  assert.equal(feeMoves(h.odoo!.database).filter((m) => m.captureId === captureId).length, 1);
});

test('without a fee account the capture is still booked, and no fee is', async () => {
  setFeeAccount(h.odoo!.database, false);
  try {
    const { fx, input } = payment('19.99');
    const { captureId } = await payAtPayPal(side, input);
    const events = await settle(h);
    assert.ok(events.filter((e) => e.resourceId === captureId).every((e) => e.status === 'done'));
    assert.equal(h.odoo!.state().transactions.find((t) => t.reference === fx.reference)?.state, 'done');
    assert.equal(feeMoves(h.odoo!.database).filter((m) => m.captureId === captureId).length, 0);
  } finally {
    setFeeAccount(h.odoo!.database, true);
  }
});
