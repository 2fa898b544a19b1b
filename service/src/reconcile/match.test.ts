import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Matcher, stillDiscrepant } from './match.ts';
import type { ReconcileRecord } from './odoo-reconcile-api.ts';
import type { PayPalRecord } from './types.ts';

const AT = new Date('2026-10-10T12:00:00Z');

function pp(overrides: Partial<PayPalRecord> = {}): PayPalRecord {
  return {
    transactionId: 'CAP0000000000001',
    eventCode: 'T0006',
    kind: 'capture',
    status: 'S',
    currency: 'USD',
    amount: '10.00',
    fee: '-0.84',
    referenceId: 'ORDER000000000001',
    invoiceId: 'S00001',
    customField: 'S00001',
    initiatedAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

function odoo(overrides: Partial<ReconcileRecord> = {}): ReconcileRecord {
  return {
    id: 1,
    reference: 'S00001',
    state: 'done',
    operation: 'online_redirect',
    amount: '10.00',
    currency: 'USD',
    paypal_order_id: 'ORDER000000000001',
    paypal_capture_id: 'CAP0000000000001',
    paypal_refund_id: null,
    source_reference: null,
    sale_order_names: ['S00001'],
    paypal_fee: '0.84',
    fee_booked: '0.84',
    fee_move_id: 7,
    fee_account_set: true,
    payment_id: 3,
    payment_state: 'in_process',
    last_state_change: '2026-10-10T12:00:05Z',
    paypal_needs_review: false,
    ...overrides,
  };
}

const refundRecord = (overrides: Partial<PayPalRecord> = {}) =>
  pp({ transactionId: 'REF0000000000001', eventCode: 'T1107', kind: 'refund', amount: '-4.00', fee: '0.14', referenceId: 'CAP0000000000001', ...overrides });
const refundTx = (overrides: Partial<ReconcileRecord> = {}) =>
  odoo({ id: 2, reference: 'R-S00001', operation: 'refund', amount: '4.00', paypal_capture_id: null, paypal_refund_id: 'REF0000000000001', source_reference: 'S00001', sale_order_names: [], fee_booked: null, ...overrides });

function run(odooRecords: ReconcileRecord[], records: PayPalRecord[], options: { lastRefreshed?: Date | null; lookups?: ReconcileRecord[] } = {}) {
  const m = new Matcher(odooRecords, { lastRefreshed: options.lastRefreshed === undefined ? new Date('2026-10-31T00:00:00Z') : options.lastRefreshed });
  for (const r of records) m.offer(r);
  m.resolveLookups(options.lookups ?? []);
  return m;
}

const kinds = (m: Matcher) => m.result().discrepancies.map((d) => `${d.kind}:${d.status}:${d.action ?? '-'}`);

describe('Matcher', () => {
  test('a capture, its refund and their Odoo transactions that agree: nothing to report', () => {
    const m = run([odoo(), refundTx()], [pp(), refundRecord()]);
    assert.deepEqual(m.unmatchedOdoo(), []);
    const { discrepancies, counts } = m.result();
    assert.deepEqual(discrepancies, []);
    assert.equal(counts.matched, 2);
    assert.deepEqual([counts.byKind.capture, counts.byKind.refund], [1, 1]);
  });

  test('amounts are compared to the smallest unit, whatever the decimals', () => {
    assert.deepEqual(kinds(run([odoo({ amount: '10.00' })], [pp({ amount: '10' })])), []);
    assert.deepEqual(kinds(run([odoo({ amount: '9.99' })], [pp()])), ['amount_mismatch:needs_person:-']);
    assert.deepEqual(kinds(run([refundTx({ amount: '4.01' })], [refundRecord()])), ['amount_mismatch:needs_person:-']);
  });

  test('another currency is reported alone (its amounts cannot be compared)', () => {
    const m = run([odoo({ currency: 'EUR', amount: '11.00', fee_booked: null })], [pp()]);
    assert.deepEqual(kinds(m), ['currency_mismatch:needs_person:-']);
    const [d] = m.result().discrepancies;
    assert.equal(d?.paypal?.['currency'], 'USD');
    assert.equal(d?.odoo?.['currency'], 'EUR');
  });

  test('states: S and V are done, P pending, D cancelled or in error', () => {
    assert.deepEqual(kinds(run([odoo({ state: 'pending', fee_booked: null })], [pp()])), ['state_mismatch:open:sync_capture']);
    assert.deepEqual(kinds(run([odoo()], [pp({ status: 'V' })])), []);
    assert.deepEqual(kinds(run([odoo({ state: 'pending', fee_booked: null })], [pp({ status: 'P', fee: null })])), []);
    assert.deepEqual(kinds(run([odoo({ state: 'error', fee_booked: null })], [pp({ status: 'D' })])), []);
    assert.deepEqual(kinds(run([refundTx({ state: 'pending' })], [refundRecord()])), ['state_mismatch:open:sync_refund']);
  });

  test("a settled capture's fee must be booked, at PayPal's amount", () => {
    assert.deepEqual(kinds(run([odoo({ fee_booked: null })], [pp()])), ['fee_missing:open:book_fee']);
    assert.deepEqual(kinds(run([odoo({ fee_booked: '0.85' })], [pp()])), ['fee_missing:needs_person:-']);
    assert.deepEqual(kinds(run([odoo({ fee_booked: null })], [pp({ fee: null })])), [], 'no fee at PayPal, nothing to book');
    assert.deepEqual(kinds(run([odoo({ fee_booked: null })], [pp({ fee: '0.00' })])), []);
    assert.deepEqual(kinds(run([refundTx()], [refundRecord({ fee: '0.14' })])), [], 'a refund gives part of the fee back; only captures are checked');
  });

  test('without a fee account on the provider, fees are counted as not checked', () => {
    const m = run([odoo({ fee_booked: null, fee_account_set: false })], [pp()]);
    assert.deepEqual(kinds(m), []);
    assert.equal(m.result().counts.feesNotBooked, 1);
  });

  test('Odoo news newer than PayPal\'s last refresh is not compared for state', () => {
    const m = run([odoo({ state: 'done', last_state_change: '2026-10-31T10:00:00Z' })], [pp({ status: 'P', fee: null })], { lastRefreshed: new Date('2026-10-31T00:00:00Z') });
    assert.deepEqual(kinds(m), []);
    assert.equal(m.result().counts.tooRecent, 1);
  });

  test('a PayPal record Odoo does not hold is missing in Odoo, with the transaction its custom_id names', () => {
    const m = new Matcher([], { lastRefreshed: null });
    m.offer(pp());
    m.offer(refundRecord());
    assert.deepEqual(m.lookups(), { captureIds: ['CAP0000000000001'], refundIds: ['REF0000000000001'], references: ['S00001'], orderNames: ['S00001'] });
    m.resolveLookups([odoo({ paypal_capture_id: null, state: 'draft', fee_booked: null })]);
    const [capture, refund] = m.result().discrepancies;
    assert.equal(capture?.kind, 'missing_in_odoo');
    assert.equal(capture?.action, 'sync_capture');
    assert.equal(capture?.reference, 'S00001');
    assert.match(capture?.note ?? '', /Its Odoo transaction S00001 is draft/);
    assert.equal(refund?.action, 'sync_refund');
    assert.match(refund?.note ?? '', /capture CAP0000000000001 is not booked in Odoo either/);
  });

  test('a capture whose Odoo transaction holds another capture needs a person (paid twice?)', () => {
    const m = new Matcher([], { lastRefreshed: null });
    m.offer(pp({ transactionId: 'CAP0000000000002' }));
    m.resolveLookups([odoo()]);
    assert.deepEqual(kinds(m), ['missing_in_odoo:needs_person:-']);
    assert.match(m.result().discrepancies[0]?.note ?? '', /may have paid twice/);
  });

  test('found by id outside the range, a record is compared like any other', () => {
    const m = new Matcher([], { lastRefreshed: null });
    m.offer(pp());
    m.resolveLookups([odoo({ amount: '10.01', last_state_change: '2026-09-30T23:59:59Z' })]);
    assert.deepEqual(kinds(m), ['amount_mismatch:needs_person:-']);
    assert.equal(m.result().counts.matched, 1);
  });

  test('Odoo transactions PayPal does not report: missing in PayPal when PayPal does not know them', () => {
    const m = run([odoo(), odoo({ id: 9, reference: 'S00009', paypal_capture_id: 'CAP0000000000009' }), odoo({ id: 10, reference: 'S00010', state: 'cancel', paypal_capture_id: 'CAPX' })], [pp()]);
    const left = m.unmatchedOdoo();
    assert.deepEqual(left.map((o) => o.reference), ['S00009'], 'a cancelled payment moved no money at PayPal');
    m.resolveOdoo(left[0]!, null);
    const [d] = m.result().discrepancies;
    assert.equal(d?.kind, 'missing_in_paypal');
    assert.equal(d?.status, 'needs_person');
    assert.equal(d?.paypal, null);
    assert.equal(d?.odoo?.['capture_id'], 'CAP0000000000009');
  });

  test('…and compared with what PayPal says of them when it does', () => {
    const m = run([odoo({ id: 9, reference: 'S00009', paypal_capture_id: 'CAP0000000000009', state: 'pending', fee_booked: null })], []);
    const [o] = m.unmatchedOdoo();
    m.resolveOdoo(o!, { kind: 'capture', id: 'CAP0000000000009', status: 'COMPLETED', amount: '10.00', currency: 'USD' });
    assert.deepEqual(kinds(m), ['state_mismatch:open:sync_capture']);
    assert.equal(m.result().counts.matchedOutsideReport, 1);
  });

  test('a done transaction whose payment was cancelled, reset to draft or deleted is missing in Odoo\'s books', () => {
    for (const [state, id] of [['canceled', 3], ['draft', 3], [null, null]] as const) {
      const m = run([odoo({ payment_state: state, payment_id: id })], [pp()]);
      assert.deepEqual(kinds(m), ['missing_in_odoo:open:repost_payment'], String(state));
      assert.match(m.result().discrepancies[0]?.note ?? '', /not in Odoo's books/);
    }
    assert.deepEqual(kinds(run([odoo({ payment_state: 'paid' })], [pp()])), []);
    assert.deepEqual(kinds(run([odoo({ state: 'pending', payment_state: null, payment_id: null, fee_booked: null })], [pp({ status: 'P', fee: null })])), [], 'a pending payment has no payment yet');
  });

  test('dispute holds, fees not tied to a payment and other lines are counted, not compared', () => {
    const m = run([odoo()], [pp(), pp({ transactionId: 'HOLD1', eventCode: 'T1110', kind: 'dispute_hold', amount: '-10.00', fee: null }), pp({ transactionId: 'F1', eventCode: 'T0106', kind: 'fee', amount: '-20.00', fee: null })]);
    const { discrepancies, counts } = m.result();
    assert.deepEqual(discrepancies, []);
    assert.deepEqual([counts.byKind.dispute_hold, counts.byKind.fee, counts.paypalRecords], [1, 1, 3]);
  });

  test('results come in a stable order', () => {
    const records = ['CAP3', 'CAP1', 'CAP2'].map((id) => pp({ transactionId: id }));
    const a = new Matcher([], { lastRefreshed: null });
    const b = new Matcher([], { lastRefreshed: null });
    for (const r of records) a.offer(r);
    for (const r of [...records].reverse()) b.offer(r);
    a.resolveLookups([]);
    b.resolveLookups([]);
    assert.deepEqual(a.result().discrepancies.map((d) => d.paypalId), ['CAP1', 'CAP2', 'CAP3']);
    assert.deepEqual(b.result().discrepancies, a.result().discrepancies);
  });
});

describe('stillDiscrepant', () => {
  test('re-checks a discrepancy against the Odoo transaction as it is now', () => {
    const m = run([odoo({ state: 'pending', fee_booked: null })], [pp()]);
    const [d] = m.result().discrepancies;
    assert.ok(d);
    assert.equal(stillDiscrepant(d, odoo({ state: 'pending', fee_booked: null }), { lastRefreshed: null }), true);
    assert.equal(stillDiscrepant(d, odoo({ state: 'done', fee_booked: null }), { lastRefreshed: null }), false, 'the state is repaired (the fee is another discrepancy)');
    const missing = new Matcher([], { lastRefreshed: null });
    missing.offer(pp());
    missing.resolveLookups([]);
    const [gone] = missing.result().discrepancies;
    assert.ok(gone);
    assert.equal(stillDiscrepant(gone, undefined, { lastRefreshed: null }), true);
    assert.equal(stillDiscrepant(gone, odoo(), { lastRefreshed: null }), false);
  });
});
