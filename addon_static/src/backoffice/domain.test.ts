import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyFilters, localMidnightUtc, orderClause, searchDomain, transactionDomain } from './domain.ts';

describe('the transactions list domain', () => {
  test('no filter: the PayPal transactions', () => {
    assert.deepEqual(transactionDomain(emptyFilters()), [['provider_code', '=', 'paypal']]);
  });

  test('the search box: reference and e-mail by ilike, the PayPal ids (in capitals) by =, in one OR', () => {
    assert.deepEqual(searchDomain('  3xy  '), [
      '|', '|', '|', '|', '|',
      ['reference', 'ilike', '3xy'],
      ['paypal_order_id', '=', '3XY'],
      ['paypal_capture_id', '=', '3XY'],
      ['paypal_refund_id', '=', '3XY'],
      ['paypal_payer_id', '=', '3XY'],
      ['paypal_payer_email', 'ilike', '3xy'],
    ]);
    assert.deepEqual(searchDomain('   '), []);
  });

  test('every filter, joined by the implicit AND', () => {
    const domain = transactionDomain({
      state: 'done', dateFrom: '2026-03-01', dateTo: '2026-03-31', amountMin: '10', amountMax: '20,5',
      needsReview: true, disputed: true, refunded: true, search: 'S00042',
    });
    assert.deepEqual(domain.slice(0, 1), [['provider_code', '=', 'paypal']]);
    assert.deepEqual(domain.slice(1, 2), [['state', '=', 'done']]);
    assert.deepEqual(domain[2], ['last_state_change', '>=', localMidnightUtc('2026-03-01')]);
    assert.deepEqual(domain[3], ['last_state_change', '<', localMidnightUtc('2026-04-01')], 'the end date is inclusive');
    assert.deepEqual(domain.slice(4, 9), [
      ['amount', '>=', 10],
      ['amount', '<=', 20.5],
      ['paypal_needs_review', '=', true],
      ['paypal_dispute_ids', '!=', false],
      ['paypal_refund_status', 'in', ['partially_refunded', 'refunded']],
    ]);
    assert.deepEqual(domain.slice(9), searchDomain('S00042'));
  });

  test('unusable dates and amounts are left out rather than sent', () => {
    assert.deepEqual(transactionDomain({ ...emptyFilters(), dateFrom: '2026-13-45x', amountMin: 'ten', amountMax: ' ' }), [['provider_code', '=', 'paypal']]);
  });

  test("dates are the user's days, sent as Odoo's UTC datetimes", () => {
    const from = localMidnightUtc('2026-03-01');
    assert.match(from ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal(new Date(`${(from ?? '').replace(' ', 'T')}Z`).getTime(), new Date(2026, 2, 1).getTime());
    assert.equal(localMidnightUtc('01/03/2026'), null);
  });

  test('the order always ends on id, so that pages never overlap', () => {
    assert.equal(orderClause('amount', true), 'amount asc, id asc');
    assert.equal(orderClause('last_state_change', false), 'last_state_change desc, id desc');
    assert.equal(orderClause('id', false), 'id desc');
  });
});
