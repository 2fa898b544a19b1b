import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOpenApiValidator } from '../openapi/validator.ts';
import { startPayPalSimulator } from './index.ts';
import { orderRequest, simClient } from './test-support.ts';

const validator = createOpenApiValidator();

test('a dispute is opened, updated and decided for the buyer; the money is reversed', async (t) => {
  const sim = await startPayPalSimulator();
  t.after(() => sim.close());
  const client = simClient(sim);
  const created = await client.call('POST', '/v2/checkout/orders', orderRequest('80.00', 'USD', 'CAPTURE', { invoice_id: 'S00077' }));
  await sim.approveOrder(created.body.id, { payer: { name: { given_name: 'Ann', surname: 'Lee' } } });
  const captureId = (await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`)).body.purchase_units[0].payments.captures[0].id as string;

  const opened = await sim.createDispute(captureId, { reason: 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED', amount: '30.00' });
  const disputeId = opened['dispute_id'] as string;
  assert.match(disputeId, /^PP-D-\d+$/);
  const event = sim.state.events.at(-1);
  assert.equal(event?.event_type, 'CUSTOMER.DISPUTE.CREATED');
  assert.equal(event?.resource_type, 'dispute');
  assert.deepEqual(validator.validateSchema('customer_disputes_v1', 'dispute', event?.resource), []);

  const shown = await client.call('GET', `/v1/customer/disputes/${disputeId}`);
  assert.equal(shown.status, 200);
  assert.equal(shown.body.status, 'WAITING_FOR_SELLER_RESPONSE');
  assert.equal(shown.body.dispute_life_cycle_stage, 'INQUIRY');
  assert.deepEqual(shown.body.dispute_amount, { currency_code: 'USD', value: '30.00' });
  assert.equal(shown.body.disputed_transactions[0].seller_transaction_id, captureId);
  assert.equal(shown.body.disputed_transactions[0].invoice_number, 'S00077');
  assert.equal(shown.body.disputed_transactions[0].buyer.name, 'Ann Lee');
  assert.ok(Date.parse(shown.body.seller_response_due_date) > Date.now());

  const partial = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, { amount: { currency_code: 'USD', value: '5.00' } });
  assert.equal(partial.body.details[0].issue, 'TRANSACTION_DISPUTED', 'no partial refund while a case is open');

  await sim.updateDispute(disputeId, { status: 'UNDER_REVIEW', stage: 'CHARGEBACK' });
  assert.equal(sim.state.events.at(-1)?.event_type, 'CUSTOMER.DISPUTE.UPDATED');
  const listed = await client.call('GET', `/v1/customer/disputes?disputed_transaction_id=${captureId}`);
  assert.deepEqual(listed.body.items.map((d: { dispute_id: string; dispute_state: string }) => [d.dispute_id, d.dispute_state]), [[disputeId, 'UNDER_PAYPAL_REVIEW']]);
  const none = await client.call('GET', '/v1/customer/disputes?disputed_transaction_id=NOSUCHCAPTURE0000');
  assert.equal(none.body.items, undefined);

  const resolved = await sim.resolveDispute(disputeId, 'RESOLVED_BUYER_FAVOUR');
  assert.deepEqual(resolved['dispute_outcome'], { outcome_code: 'RESOLVED_BUYER_FAVOUR', amount_refunded: { currency_code: 'USD', value: '30.00' } });
  assert.deepEqual(sim.state.events.slice(-2).map((e) => e.event_type), ['PAYMENT.CAPTURE.REVERSED', 'CUSTOMER.DISPUTE.RESOLVED']);
  const captureAfter = await client.call('GET', `/v2/payments/captures/${captureId}`);
  assert.equal(captureAfter.body.status, 'PARTIALLY_REFUNDED');
  await assert.rejects(sim.updateDispute(disputeId, { status: 'OPEN' }), /is resolved; it can no longer change/);
  assert.equal((await client.call('GET', '/v1/customer/disputes/PP-D-0')).status, 404);
  assert.deepEqual(sim.violations, []);
});
