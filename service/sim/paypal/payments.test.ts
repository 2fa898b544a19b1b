import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { createOpenApiValidator } from '../openapi/validator.ts';
import { startPayPalSimulator, type PayPalSimulator } from './index.ts';
import { orderRequest, simClient, type SimClient } from './test-support.ts';

const validator = createOpenApiValidator();

async function setup(t: TestContext): Promise<{ sim: PayPalSimulator; client: SimClient }> {
  const sim = await startPayPalSimulator();
  t.after(() => sim.close());
  return { sim, client: simClient(sim) };
}

async function capturedPayment(sim: PayPalSimulator, client: SimClient, value = '100.00'): Promise<string> {
  const created = await client.call('POST', '/v2/checkout/orders', orderRequest(value));
  await sim.approveOrder(created.body.id);
  const captured = await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`);
  return captured.body.purchase_units[0].payments.captures[0].id as string;
}

async function authorizedPayment(sim: PayPalSimulator, client: SimClient, value = '100.00'): Promise<{ orderId: string; authorizationId: string }> {
  const created = await client.call('POST', '/v2/checkout/orders', orderRequest(value, 'USD', 'AUTHORIZE'));
  await sim.approveOrder(created.body.id);
  const authorized = await client.call('POST', `/v2/checkout/orders/${created.body.id}/authorize`, undefined, { 'PayPal-Request-Id': `auth-${created.body.id}` });
  assert.equal(authorized.status, 201, JSON.stringify(authorized.body));
  return { orderId: created.body.id, authorizationId: authorized.body.purchase_units[0].payments.authorizations[0].id };
}

const usd = (value: string) => ({ amount: { currency_code: 'USD', value } });

describe('refunds', () => {
  test('partial refunds up to the captured amount, then REFUND_AMOUNT_EXCEEDED and CAPTURE_FULLY_REFUNDED', async (t) => {
    const { sim, client } = await setup(t);
    const captureId = await capturedPayment(sim, client);

    const first = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, { ...usd('30.00'), note_to_payer: 'Damaged item' }, { Prefer: 'return=representation', 'PayPal-Request-Id': 'refund-1' });
    assert.equal(first.status, 201);
    assert.equal(first.body.status, 'COMPLETED');
    assert.deepEqual(first.body.amount, { currency_code: 'USD', value: '30.00' });
    assert.equal(first.body.custom_id, 'S00042-1', 'the capture custom_id carries over');
    assert.deepEqual(first.body.seller_payable_breakdown.total_refunded_amount, { currency_code: 'USD', value: '30.00' });
    assert.ok(first.body.links.some((l: { rel: string; href: string }) => l.rel === 'up' && l.href.endsWith(`/v2/payments/captures/${captureId}`)));
    assert.equal((await client.call('GET', `/v2/payments/captures/${captureId}`)).body.status, 'PARTIALLY_REFUNDED');

    const tooMuch = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, usd('70.01'));
    assert.equal(tooMuch.status, 422);
    assert.equal(tooMuch.body.details[0].issue, 'REFUND_AMOUNT_EXCEEDED');

    const second = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, usd('20.00'));
    assert.deepEqual(Object.keys(second.body).sort(), ['id', 'links', 'status'], 'return=minimal is the default');
    const rest = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, {}, { Prefer: 'return=representation' });
    assert.deepEqual(rest.body.amount, { currency_code: 'USD', value: '50.00' }, 'an empty body refunds what is left');
    assert.deepEqual(rest.body.seller_payable_breakdown.total_refunded_amount, { currency_code: 'USD', value: '100.00' });

    const capture = await client.call('GET', `/v2/payments/captures/${captureId}`);
    assert.equal(capture.body.status, 'REFUNDED');
    const refundedFees = sim.state.events
      .filter((e) => e.event_type === 'PAYMENT.CAPTURE.REFUNDED')
      .map((e) => Number((e.resource['seller_payable_breakdown'] as { paypal_fee: { value: string } }).paypal_fee.value) * 100);
    assert.equal(refundedFees.length, 3);
    assert.equal(Math.round(refundedFees.reduce((a, b) => a + b, 0)), 398, 'the refunds give back the whole capture fee');

    const again = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, usd('1.00'));
    assert.equal(again.body.details[0].issue, 'CAPTURE_FULLY_REFUNDED');

    const refund = await client.call('GET', `/v2/payments/refunds/${first.body.id}`);
    assert.equal(refund.status, 200);
    assert.equal(refund.body.note_to_payer, 'Damaged item');
    const event = sim.state.events.find((e) => e.event_type === 'PAYMENT.CAPTURE.REFUNDED');
    assert.equal(event?.resource_type, 'refund');
    assert.equal(event?.resource['id'], first.body.id, 'each refund event carries that refund, not a running total');
    assert.deepEqual(validator.validateSchema('payments_payment_v2', 'refund', event?.resource), []);
    assert.deepEqual(sim.violations, []);
  });

  test('refund amounts must be in the capture currency and precision', async (t) => {
    const { sim, client } = await setup(t);
    const captureId = await capturedPayment(sim, client);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: { currency_code: 'EUR', value: '1.00' } }, 'REFUND_CAPTURE_CURRENCY_MISMATCH'],
      [usd('1.005'), 'DECIMAL_PRECISION'],
      [usd('0'), 'CANNOT_BE_ZERO_OR_NEGATIVE'],
    ];
    for (const [body, issue] of cases) {
      const answer = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, body);
      assert.equal(answer.status, 422, issue);
      assert.equal(answer.body.details[0].issue, issue);
    }
    assert.equal(sim.state.refunds.size, 0);
    assert.deepEqual(sim.violations, []);
  });

  test('the same PayPal-Request-Id refunds once', async (t) => {
    const { sim, client } = await setup(t);
    const captureId = await capturedPayment(sim, client);
    const refund = () => client.call('POST', `/v2/payments/captures/${captureId}/refund`, usd('10.00'), { 'PayPal-Request-Id': 'odoo-refund-3' });
    const a = await refund();
    const b = await refund();
    assert.equal(a.status, 201);
    assert.equal(b.status, 201, 'captures.refund documents only 201');
    assert.deepEqual(b.body, a.body);
    assert.equal(sim.state.refunds.size, 1);
    assert.deepEqual(sim.violations, []);
  });

  test('refunds made in the PayPal dashboard and reversals are their own resources and events', async (t) => {
    const { sim, client } = await setup(t);
    const captureId = await capturedPayment(sim, client);
    const dashboard = await sim.refundFromDashboard(captureId, '15.00');
    assert.deepEqual(dashboard['amount'], { currency_code: 'USD', value: '15.00' });
    const reversal = await sim.reverseCapture(captureId, '5.00');
    assert.deepEqual(reversal['amount'], { currency_code: 'USD', value: '5.00' });
    assert.deepEqual(sim.state.events.slice(-2).map((e) => [e.event_type, e.resource_type]), [
      ['PAYMENT.CAPTURE.REFUNDED', 'refund'],
      ['PAYMENT.CAPTURE.REVERSED', 'refund'],
    ]);
    const capture = await client.call('GET', `/v2/payments/captures/${captureId}`);
    assert.equal(capture.body.status, 'PARTIALLY_REFUNDED');
    assert.deepEqual(capture.body.status_details, { reason: 'CHARGEBACK' });
    const refused = await client.call('POST', `/v2/payments/captures/${captureId}/refund`, usd('1.00'));
    assert.equal(refused.body.details[0].issue, 'REFUND_NOT_PERMITTED_DUE_TO_CHARGEBACK');
    await assert.rejects(sim.reverseCapture(captureId, '90.00'), /Cannot reverse 90\.00 USD of capture .*: only 80\.00 is left/);
    assert.deepEqual(sim.violations, []);
  });
});

describe('authorizations', () => {
  test('authorize, capture in parts, then void what is left', async (t) => {
    const { sim, client } = await setup(t);
    const { orderId, authorizationId } = await authorizedPayment(sim, client);
    const auth = await client.call('GET', `/v2/payments/authorizations/${authorizationId}`);
    assert.equal(auth.body.status, 'CREATED');
    const days = (Date.parse(auth.body.expiration_time) - Date.parse(auth.body.create_time)) / 86_400_000;
    assert.equal(days, 29);
    assert.equal(sim.state.events.at(-1)?.event_type, 'PAYMENT.AUTHORIZATION.CREATED');
    assert.deepEqual(validator.validateSchema('payments_payment_v2', 'authorization-2', sim.state.events.at(-1)?.resource), []);

    const part = await client.call('POST', `/v2/payments/authorizations/${authorizationId}/capture`, { ...usd('40.00'), final_capture: false }, { 'PayPal-Request-Id': 'cap-1', Prefer: 'return=representation' });
    assert.equal(part.status, 201);
    assert.equal(part.body.status, 'COMPLETED');
    assert.equal(part.body.final_capture, false);
    assert.equal(part.body.supplementary_data.related_ids.authorization_id, authorizationId);
    assert.equal(part.body.supplementary_data.related_ids.order_id, orderId);
    assert.equal((await client.call('GET', `/v2/payments/authorizations/${authorizationId}`)).body.status, 'PARTIALLY_CAPTURED');

    const over = await client.call('POST', `/v2/payments/authorizations/${authorizationId}/capture`, usd('60.01'));
    assert.equal(over.status, 422);
    assert.equal(over.body.details[0].issue, 'MAX_CAPTURE_AMOUNT_EXCEEDED');

    const voided = await client.call('POST', `/v2/payments/authorizations/${authorizationId}/void`);
    assert.equal(voided.status, 204);
    assert.equal(voided.body, undefined);
    assert.equal(sim.state.events.at(-1)?.event_type, 'PAYMENT.AUTHORIZATION.VOIDED');
    const twice = await client.call('POST', `/v2/payments/authorizations/${authorizationId}/void`);
    assert.equal(twice.status, 422);
    assert.equal(twice.body.details[0].issue, 'PREVIOUSLY_VOIDED');
    const late = await client.call('POST', `/v2/payments/authorizations/${authorizationId}/capture`, usd('1.00'));
    assert.equal(late.body.details[0].issue, 'AUTHORIZATION_VOIDED');

    const order = await client.call('GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(order.body.purchase_units[0].payments.authorizations[0].status, 'VOIDED');
    assert.equal(order.body.purchase_units[0].payments.captures.length, 1);
    assert.deepEqual(sim.violations, []);
  });

  test('a fully captured authorization cannot be voided or captured again', async (t) => {
    const { sim, client } = await setup(t);
    const { authorizationId } = await authorizedPayment(sim, client, '50.00');
    const full = await client.call('POST', `/v2/payments/authorizations/${authorizationId}/capture`, {});
    assert.equal(full.status, 201);
    assert.deepEqual(Object.keys(full.body).sort(), ['id', 'links', 'status']);
    const capture = await client.call('GET', `/v2/payments/captures/${full.body.id}`);
    assert.deepEqual(capture.body.amount, { currency_code: 'USD', value: '50.00' });
    assert.equal(capture.body.final_capture, true);
    assert.equal((await client.call('POST', `/v2/payments/authorizations/${authorizationId}/void`)).body.details[0].issue, 'PREVIOUSLY_CAPTURED');
    assert.equal((await client.call('POST', `/v2/payments/authorizations/${authorizationId}/capture`, {})).body.details[0].issue, 'AUTHORIZATION_ALREADY_CAPTURED');
    const voidRepresentation = await authorizedPayment(sim, client, '5.00');
    const voided = await client.call('POST', `/v2/payments/authorizations/${voidRepresentation.authorizationId}/void`, undefined, { Prefer: 'return=representation' });
    assert.equal(voided.status, 200);
    assert.equal(voided.body.status, 'VOIDED');
    assert.deepEqual(sim.violations, []);
  });

  test('an order is authorized once; an expired authorization cannot be captured', async (t) => {
    let now = new Date('2025-06-01T12:00:00Z');
    const sim = await startPayPalSimulator({ clock: () => now, tokenTtlSeconds: 60 * 86_400 });
    t.after(() => sim.close());
    const client = simClient(sim);
    const { orderId, authorizationId } = await authorizedPayment(sim, client);
    const again = await client.call('POST', `/v2/checkout/orders/${orderId}/authorize`);
    assert.equal(again.body.details[0].issue, 'ORDER_ALREADY_AUTHORIZED');
    now = new Date('2025-06-30T12:00:00Z');
    const expired = await client.call('POST', `/v2/payments/authorizations/${authorizationId}/capture`, {});
    assert.equal(expired.status, 422);
    assert.equal(expired.body.details[0].issue, 'AUTHORIZATION_EXPIRED');
    assert.deepEqual(sim.violations, []);
  });

  test('unknown payment resources are 404 INVALID_RESOURCE_ID', async (t) => {
    const { sim, client } = await setup(t);
    for (const path of ['/v2/payments/captures/NOSUCHCAPTURE0000', '/v2/payments/refunds/NOSUCHREFUND00000', '/v2/payments/authorizations/NOSUCHAUTH0000000']) {
      const answer = await client.call('GET', path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.details[0].issue, 'INVALID_RESOURCE_ID');
    }
    assert.deepEqual(sim.violations, []);
  });
});
