import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyFilters } from './domain.ts';
import { capturableMinor, loadDisputes, loadTransactionDetail, loadTransactionPage, PAGE_SIZE, refundableMinor, type OrmReader, type TxChild, type TxDetailRecord } from './transactions.ts';

const USD: [number, string] = [1, 'USD'];

function tx(values: Partial<TxDetailRecord>): TxDetailRecord {
  return {
    id: 1, reference: 'S1', last_state_change: '2026-03-01 10:00:00', partner_id: [7, 'Customer'], amount: 42.5, currency_id: USD, state: 'done', operation: 'online_direct',
    paypal_order_id: 'O1', paypal_capture_id: 'C1', paypal_refund_status: 'none', paypal_needs_review: false, source_transaction_id: false, state_message: false,
    paypal_fee: 1.97, paypal_net_amount: 40.53, paypal_authorization_id: false, paypal_authorization_expiry: false, paypal_refund_id: false, paypal_payer_id: false,
    paypal_payer_email: false, paypal_status_detail: false, paypal_review_reason: false, sale_order_ids: [3], ...values,
  };
}

function child(values: Partial<TxChild>): TxChild {
  return { id: 2, reference: 'R-S1', operation: 'refund', state: 'done', amount: -10, currency_id: USD, last_state_change: false, paypal_capture_id: false, paypal_refund_id: 'RF1', source_transaction_id: [1, 'S1'], ...values };
}

describe('what is left', () => {
  test('to refund: the capture minus its refunds that moved money (pending ones count)', () => {
    const refunds = [child({ amount: -10 }), child({ id: 3, amount: -2.5, state: 'pending' }), child({ id: 4, amount: -30, state: 'cancel' }), child({ id: 5, amount: -30, state: 'error' })];
    assert.equal(refundableMinor(tx({}), refunds), 3000);
    assert.equal(refundableMinor(tx({}), [child({ amount: -42.5 })]), 0);
    assert.equal(refundableMinor(tx({ state: 'pending' }), []), 0, 'not captured yet');
    assert.equal(refundableMinor(tx({ paypal_capture_id: false }), []), 0, 'its captures are partial ones: refund those');
    assert.equal(refundableMinor(tx({ operation: 'refund', amount: -10 }), []), 0, 'a refund is not refunded');
  });

  test('to capture: the authorization minus its partial captures (voids and failures do not count)', () => {
    const authorized = tx({ state: 'authorized', paypal_capture_id: false, paypal_authorization_id: 'A1', amount: 30 });
    const captures = [child({ operation: 'online_direct', amount: 12, state: 'done' }), child({ id: 3, operation: 'online_direct', amount: 5, state: 'error' })];
    assert.equal(capturableMinor(authorized, captures), 1800);
    assert.equal(capturableMinor({ ...authorized, state: 'done' }, captures), 0);
    assert.equal(capturableMinor({ ...authorized, paypal_authorization_id: false }, []), 0);
  });
});

/** An orm answering from tables, recording the calls. */
function fakeOrm(tables: Record<string, object[]>) {
  const calls: { method: string; model: string; domain?: unknown; kwargs?: unknown; fields?: string[] }[] = [];
  const orm: OrmReader = {
    async read<T>(model: string, ids: number[], fields: string[]) {
      calls.push({ method: 'read', model, fields });
      return (tables[model] ?? []).filter((r) => ids.includes((r as { id: number }).id)) as T[];
    },
    async searchRead<T>(model: string, domain: readonly unknown[], fields: string[], kwargs?: unknown) {
      calls.push({ method: 'search_read', model, domain, kwargs, fields });
      const leaf = domain[0] as [string, string, number[]] | undefined;
      const rows = (tables[model] ?? []) as Record<string, unknown>[];
      return (leaf?.[1] === 'in' ? rows.filter((r) => leaf[2].includes(((r[leaf[0]] as [number, string] | false) || [0])[0])) : rows) as T[];
    },
    async searchCount(model: string, domain: readonly unknown[]) {
      calls.push({ method: 'search_count', model, domain });
      return 123;
    },
  };
  return { orm, calls };
}

describe('reading through the orm', () => {
  test('a page: one search_read of 80 with the order, and the count, for the same domain', async () => {
    const { orm, calls } = fakeOrm({ 'payment.transaction': [tx({})] });
    const page = await loadTransactionPage(orm, { filters: { ...emptyFilters(), search: 'C1' }, offset: 160, sort: 'amount', ascending: true });
    assert.equal(page.count, 123);
    assert.equal(page.records.length, 1);
    const read = calls.find((c) => c.method === 'search_read');
    const count = calls.find((c) => c.method === 'search_count');
    assert.deepEqual(read?.kwargs, { offset: 160, limit: PAGE_SIZE, order: 'amount asc, id asc' });
    assert.deepEqual(read?.domain, count?.domain);
    assert.ok(read?.fields?.includes('paypal_capture_id'));
  });

  test('a detail: refunds and partial captures apart, disputes of the transaction and its children, order names', async () => {
    const { orm } = fakeOrm({
      'payment.transaction': [
        tx({}),
        child({ id: 2, amount: -10 }),
        child({ id: 3, reference: 'P-S1', operation: 'online_direct', amount: 5, paypal_capture_id: 'C2', paypal_refund_id: false }),
      ],
      'paypal.dispute': [{ id: 9, dispute_id: 'PP-D-1', transaction_id: [3, 'P-S1'] }, { id: 10, dispute_id: 'PP-D-2', transaction_id: [99, 'other'] }],
      'sale.order': [{ id: 3, name: 'S00003' }],
    });
    const detail = await loadTransactionDetail(orm, 1);
    assert.deepEqual(detail.refunds.map((r) => r.reference), ['R-S1']);
    assert.deepEqual(detail.captures.map((r) => r.reference), ['P-S1']);
    assert.deepEqual(detail.disputes.map((d) => d.dispute_id), ['PP-D-1']);
    assert.deepEqual(detail.saleOrders, [{ id: 3, name: 'S00003' }]);
    assert.equal(detail.currency, 'USD');
    assert.equal(detail.refundable, 3250);
    assert.equal(detail.capturable, 0);
  });

  test('a transaction that is gone is an error, not an empty pane', async () => {
    const { orm } = fakeOrm({ 'payment.transaction': [] });
    await assert.rejects(loadTransactionDetail(orm, 404), /payment.transaction 404 was not found/);
  });

  test('disputes: open ones unless asked, the nearest deadline first, those without one last', async () => {
    const { orm, calls } = fakeOrm({
      'paypal.dispute': [
        { id: 1, dispute_id: 'NONE', seller_response_due_date: false },
        { id: 2, dispute_id: 'LATER', seller_response_due_date: '2026-03-09 10:00:00' },
        { id: 3, dispute_id: 'SOON', seller_response_due_date: '2026-03-02 10:00:00' },
      ],
    });
    const disputes = await loadDisputes(orm, false);
    assert.deepEqual(disputes.map((d) => d.dispute_id), ['SOON', 'LATER', 'NONE']);
    assert.deepEqual(calls[0]?.domain, [['status', '!=', 'RESOLVED']]);
    await loadDisputes(orm, true);
    assert.deepEqual(calls[1]?.domain, []);
  });
});
