import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { createOpenApiValidator } from '../openapi/validator.ts';
import { startPayPalSimulator, type PayPalSimulator, type PayPalSimulatorOptions } from './index.ts';
import { orderRequest, simClient, type SimClient } from './test-support.ts';

const validator = createOpenApiValidator();

async function setup(t: TestContext, options: PayPalSimulatorOptions = {}): Promise<{ sim: PayPalSimulator; client: SimClient }> {
  const sim = await startPayPalSimulator(options);
  t.after(() => sim.close());
  return { sim, client: simClient(sim) };
}

async function approvedOrder(sim: PayPalSimulator, client: SimClient, body = orderRequest()): Promise<string> {
  const created = await client.call('POST', '/v2/checkout/orders', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await sim.approveOrder(created.body.id);
  return created.body.id as string;
}

function eventTypes(sim: PayPalSimulator): string[] {
  return sim.state.events.map((e) => e.event_type);
}

describe('checkout', () => {
  test('the full capture lifecycle: create, approve, capture, read back', async (t) => {
    const { sim, client } = await setup(t);
    const created = await client.call('POST', '/v2/checkout/orders', orderRequest('100.00', 'USD', 'CAPTURE', { invoice_id: 'S00042' }));
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'CREATED');
    assert.match(created.body.id, /^[A-Z0-9]{17}$/);
    assert.deepEqual(Object.keys(created.body).sort(), ['id', 'links', 'status'], 'return=minimal is the default');
    assert.ok(created.body.links.some((l: { rel: string }) => l.rel === 'approve'));
    const orderId = created.body.id as string;

    await sim.approveOrder(orderId, { payer: { email_address: 'ann@example.com', name: { given_name: 'Ann', surname: 'Lee' } } });
    const approved = await client.call('GET', `/v2/checkout/orders/${orderId}`);
    assert.equal(approved.body.status, 'APPROVED');
    assert.equal(approved.body.payer.email_address, 'ann@example.com');
    assert.match(approved.body.payer.payer_id, /^[2-9A-HJ-NP-Z]{13}$/);

    const captured = await client.call('POST', `/v2/checkout/orders/${orderId}/capture`, undefined, { 'PayPal-Request-Id': `capture-${orderId}` });
    assert.equal(captured.status, 201);
    assert.equal(captured.body.status, 'COMPLETED');
    assert.equal(captured.body.payer.name.surname, 'Lee');
    const capture = captured.body.purchase_units[0].payments.captures[0];
    assert.equal(capture.status, 'COMPLETED');
    assert.deepEqual(capture.amount, { currency_code: 'USD', value: '100.00' });
    assert.deepEqual(capture.seller_receivable_breakdown, {
      gross_amount: { currency_code: 'USD', value: '100.00' },
      paypal_fee: { currency_code: 'USD', value: '3.98' },
      net_amount: { currency_code: 'USD', value: '96.02' },
    });
    assert.equal(capture.custom_id, 'S00042-1');
    assert.equal(capture.invoice_id, 'S00042');
    assert.equal(capture.supplementary_data.related_ids.order_id, orderId);
    assert.ok(capture.links.some((l: { rel: string; href: string }) => l.rel === 'up' && l.href.endsWith(`/v2/checkout/orders/${orderId}`)));

    const fromPayments = await client.call('GET', `/v2/payments/captures/${capture.id}`);
    assert.equal(fromPayments.status, 200);
    assert.equal(fromPayments.body.id, capture.id);
    assert.deepEqual(fromPayments.body.payee, sim.merchant);
    assert.equal((await client.call('GET', `/v2/checkout/orders/${orderId}`)).body.status, 'COMPLETED');

    assert.deepEqual(eventTypes(sim), ['CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED', 'CHECKOUT.ORDER.COMPLETED']);
    const captureEvent = sim.state.events[1];
    assert.equal(captureEvent?.resource_type, 'capture');
    assert.equal(captureEvent?.resource['id'], capture.id);
    assert.deepEqual(validator.validateSchema('payments_payment_v2', 'capture-2', captureEvent?.resource), []);
    assert.deepEqual(validator.validateSchema('checkout_orders_v2', 'order', sim.state.events[2]?.resource), []);
    assert.deepEqual(sim.violations, []);
  });

  test('capturing before the buyer approved is refused with ORDER_NOT_APPROVED', async (t) => {
    const { sim, client } = await setup(t);
    const created = await client.call('POST', '/v2/checkout/orders', orderRequest());
    const answer = await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`);
    assert.equal(answer.status, 422);
    assert.equal(answer.body.name, 'UNPROCESSABLE_ENTITY');
    assert.equal(answer.body.details[0].issue, 'ORDER_NOT_APPROVED');
    assert.match(answer.body.details[0].description, /Payer has not yet approved the Order/);
    assert.equal(sim.state.captures.size, 0);
    assert.deepEqual(sim.violations, []);
  });

  test('a second capture is refused with ORDER_ALREADY_CAPTURED', async (t) => {
    const { sim, client } = await setup(t);
    const orderId = await approvedOrder(sim, client);
    assert.equal((await client.call('POST', `/v2/checkout/orders/${orderId}/capture`)).status, 201);
    const again = await client.call('POST', `/v2/checkout/orders/${orderId}/capture`);
    assert.equal(again.status, 422);
    assert.equal(again.body.details[0].issue, 'ORDER_ALREADY_CAPTURED');
    assert.equal(sim.state.captures.size, 1);
    assert.deepEqual(sim.violations, []);
  });

  test('the same PayPal-Request-Id replays the first answer and captures once', async (t) => {
    const { sim, client } = await setup(t);
    const create = () => client.call('POST', '/v2/checkout/orders', orderRequest(), { 'PayPal-Request-Id': 'odoo-tx-7-create' });
    const first = await create();
    const second = await create();
    assert.equal(first.status, 201);
    assert.equal(second.status, 200, 'Orders answer an idempotent replay with 200');
    assert.deepEqual(second.body, first.body);
    assert.equal(sim.state.orders.size, 1);

    const orderId = first.body.id as string;
    await sim.approveOrder(orderId);
    const capture = () => client.call('POST', `/v2/checkout/orders/${orderId}/capture`, undefined, { 'PayPal-Request-Id': 'odoo-tx-7-capture' });
    const [a, b] = await Promise.all([capture(), capture()]);
    const c = await capture();
    assert.deepEqual([a.status, b.status, c.status].sort(), [200, 200, 201]);
    assert.deepEqual(b.body, a.body);
    assert.deepEqual(c.body, a.body);
    assert.equal(sim.state.captures.size, 1);
    assert.equal(eventTypes(sim).filter((e) => e === 'PAYMENT.CAPTURE.COMPLETED').length, 1);
    assert.equal(sim.requests.filter((r) => r.idempotentReplay).length, 3);
    // Another id is another request: the order is captured already.
    const other = await client.call('POST', `/v2/checkout/orders/${orderId}/capture`, undefined, { 'PayPal-Request-Id': 'another-key' });
    assert.equal(other.body.details[0].issue, 'ORDER_ALREADY_CAPTURED');
    assert.deepEqual(sim.violations, []);
  });

  test('a failed request is not replayed: the same PayPal-Request-Id succeeds once the order is approved', async (t) => {
    const { sim, client } = await setup(t);
    const created = await client.call('POST', '/v2/checkout/orders', orderRequest());
    const capture = () => client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`, undefined, { 'PayPal-Request-Id': 'k-1' });
    assert.equal((await capture()).status, 422);
    await sim.approveOrder(created.body.id);
    assert.equal((await capture()).status, 201);
    assert.deepEqual(sim.violations, []);
  });

  test('INSTRUMENT_DECLINED sends the buyer back to approval; the next approval can be captured', async (t) => {
    const { sim, client } = await setup(t);
    const created = await client.call('POST', '/v2/checkout/orders', orderRequest());
    const orderId = created.body.id as string;
    await sim.approveOrder(orderId, { instrumentDeclined: true });
    const declined = await client.call('POST', `/v2/checkout/orders/${orderId}/capture`);
    assert.equal(declined.status, 422);
    assert.equal(declined.body.details[0].issue, 'INSTRUMENT_DECLINED');
    assert.equal((await client.call('GET', `/v2/checkout/orders/${orderId}`)).body.status, 'CREATED');
    assert.equal((await client.call('POST', `/v2/checkout/orders/${orderId}/capture`)).body.details[0].issue, 'ORDER_NOT_APPROVED');
    await sim.approveOrder(orderId);
    const captured = await client.call('POST', `/v2/checkout/orders/${orderId}/capture`);
    assert.equal(captured.status, 201);
    assert.equal(captured.body.purchase_units[0].payments.captures[0].status, 'COMPLETED');
    assert.deepEqual(sim.violations, []);
  });

  test('a PENDING capture carries its reason and no breakdown until it completes', async (t) => {
    const { sim, client } = await setup(t);
    const orderId = await approvedOrder(sim, client);
    await sim.approveOrder(orderId, { captureOutcome: 'PENDING', pendingReason: 'ECHECK' });
    const captured = await client.call('POST', `/v2/checkout/orders/${orderId}/capture`);
    const capture = captured.body.purchase_units[0].payments.captures[0];
    assert.equal(captured.body.status, 'COMPLETED');
    assert.equal(capture.status, 'PENDING');
    assert.deepEqual(capture.status_details, { reason: 'ECHECK' });
    assert.equal(capture.seller_receivable_breakdown, undefined);
    const refund = await client.call('POST', `/v2/payments/captures/${capture.id}/refund`, {});
    assert.equal(refund.body.details[0].issue, 'PENDING_CAPTURE');

    const completed = await sim.completePendingCapture(capture.id);
    assert.equal(completed['status'], 'COMPLETED');
    assert.equal(completed['status_details'], undefined);
    const read = await client.call('GET', `/v2/payments/captures/${capture.id}`);
    assert.equal(read.body.seller_receivable_breakdown.net_amount.value, '96.02');
    assert.deepEqual(eventTypes(sim), ['CHECKOUT.ORDER.APPROVED', 'CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.PENDING', 'CHECKOUT.ORDER.COMPLETED', 'PAYMENT.CAPTURE.COMPLETED']);
    assert.deepEqual(sim.violations, []);
  });

  test('a denied pending capture emits PAYMENT.CAPTURE.DENIED; a declined capture still completes the order', async (t) => {
    const { sim, client } = await setup(t);
    const pendingOrder = await approvedOrder(sim, client);
    await sim.approveOrder(pendingOrder, { captureOutcome: 'PENDING' });
    const pending = (await client.call('POST', `/v2/checkout/orders/${pendingOrder}/capture`)).body.purchase_units[0].payments.captures[0];
    assert.deepEqual(pending.status_details, { reason: 'PENDING_REVIEW' });
    const denied = await sim.denyPendingCapture(pending.id);
    assert.equal(denied['status'], 'DECLINED');
    assert.equal(sim.state.events.at(-1)?.event_type, 'PAYMENT.CAPTURE.DENIED');

    const declinedOrder = await approvedOrder(sim, client);
    await sim.approveOrder(declinedOrder, { captureOutcome: 'DECLINED' });
    const before = sim.state.events.length;
    const answer = await client.call('POST', `/v2/checkout/orders/${declinedOrder}/capture`);
    assert.equal(answer.status, 201);
    assert.equal(answer.body.status, 'COMPLETED');
    assert.equal(answer.body.purchase_units[0].payments.captures[0].status, 'DECLINED');
    assert.deepEqual(sim.state.events.slice(before).map((e) => e.event_type), ['PAYMENT.CAPTURE.DECLINED']);
    assert.deepEqual(sim.violations, []);
  });

  test('the action must match the intent', async (t) => {
    const { sim, client } = await setup(t);
    const authorizeIntent = await approvedOrder(sim, client, orderRequest('10.00', 'USD', 'AUTHORIZE'));
    const capture = await client.call('POST', `/v2/checkout/orders/${authorizeIntent}/capture`);
    assert.equal(capture.status, 422);
    assert.equal(capture.body.details[0].issue, 'ACTION_DOES_NOT_MATCH_INTENT');
    const captureIntent = await approvedOrder(sim, client);
    const authorize = await client.call('POST', `/v2/checkout/orders/${captureIntent}/authorize`);
    assert.equal(authorize.body.details[0].issue, 'ACTION_DOES_NOT_MATCH_INTENT');
    assert.match(authorize.body.details[0].description, /intent to 'CAPTURE'/);
    assert.deepEqual(sim.violations, []);
  });

  test('Prefer: return=representation returns the whole order', async (t) => {
    const { sim, client } = await setup(t);
    const created = await client.call('POST', '/v2/checkout/orders', orderRequest('25.50', 'EUR'), { Prefer: 'return=representation' });
    assert.equal(created.body.intent, 'CAPTURE');
    assert.deepEqual(created.body.purchase_units[0].amount, { currency_code: 'EUR', value: '25.50' });
    await sim.approveOrder(created.body.id);
    const captured = await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`, undefined, { Prefer: 'return=representation' });
    assert.equal(captured.body.intent, 'CAPTURE');
    assert.equal(captured.body.purchase_units[0].payments.captures[0].seller_receivable_breakdown.paypal_fee.value, '1.38');
    assert.deepEqual(sim.violations, []);
  });

  test('an approval that was never captured can be reversed; the order is then void', async (t) => {
    const { sim, client } = await setup(t);
    const orderId = await approvedOrder(sim, client);
    await sim.reverseApproval(orderId);
    const event = sim.state.events.at(-1);
    assert.equal(event?.event_type, 'CHECKOUT.PAYMENT-APPROVAL.REVERSED');
    assert.equal(event?.resource['order_id'], orderId);
    assert.equal((await client.call('GET', `/v2/checkout/orders/${orderId}`)).body.status, 'VOIDED');
    assert.equal((await client.call('POST', `/v2/checkout/orders/${orderId}/capture`)).body.details[0].issue, 'ORDER_NOT_APPROVED');
    await assert.rejects(sim.approveOrder(orderId), /Order .* is VOIDED; only a CREATED or APPROVED order can be approved/);
    assert.deepEqual(sim.violations, []);
  });

  test('a second payment for an invoice id already paid is refused, unless the account allows duplicates', async (t) => {
    const { sim, client } = await setup(t);
    const body = () => orderRequest('10.00', 'USD', 'CAPTURE', { invoice_id: 'S00099' });
    assert.equal((await client.call('POST', `/v2/checkout/orders/${await approvedOrder(sim, client, body())}/capture`)).status, 201);
    const second = await client.call('POST', `/v2/checkout/orders/${await approvedOrder(sim, client, body())}/capture`);
    assert.equal(second.status, 422);
    assert.equal(second.body.details[0].issue, 'DUPLICATE_INVOICE_ID');

    const lenient = await setup(t, { blockDuplicateInvoiceId: false });
    for (let i = 0; i < 2; i++) {
      const id = await approvedOrder(lenient.sim, lenient.client, body());
      assert.equal((await lenient.client.call('POST', `/v2/checkout/orders/${id}/capture`)).status, 201);
    }
    assert.deepEqual(sim.violations, []);
    assert.deepEqual(lenient.sim.violations, []);
  });
});

describe('order validation', () => {
  test('business rules answer 422 with the issue and the field', async (t) => {
    const { sim, client } = await setup(t);
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['unsupported currency', orderRequest('10.00', 'XYZ'), 'INVALID_CURRENCY_CODE', "/purchase_units/@reference_id=='default'/amount/currency_code"],
      ['three decimals', orderRequest('10.001'), 'DECIMAL_PRECISION', "/purchase_units/@reference_id=='default'/amount/value"],
      ['decimals in JPY', orderRequest('100.5', 'JPY'), 'DECIMAL_PRECISION', "/purchase_units/@reference_id=='default'/amount/value"],
      ['zero', orderRequest('0.00'), 'CANNOT_BE_ZERO_OR_NEGATIVE', "/purchase_units/@reference_id=='default'/amount/value"],
      [
        'breakdown does not add up',
        orderRequest('10.00', 'USD', 'CAPTURE', { amount: { currency_code: 'USD', value: '10.00', breakdown: { item_total: { currency_code: 'USD', value: '8.00' }, shipping: { currency_code: 'USD', value: '1.00' } } } }),
        'AMOUNT_MISMATCH',
        "/purchase_units/@reference_id=='default'/amount/value",
      ],
      [
        'items do not add up',
        orderRequest('10.00', 'USD', 'CAPTURE', {
          amount: { currency_code: 'USD', value: '10.00', breakdown: { item_total: { currency_code: 'USD', value: '10.00' } } },
          items: [{ name: 'Pen', quantity: '3', unit_amount: { currency_code: 'USD', value: '3.00' } }],
        }),
        'ITEM_TOTAL_MISMATCH',
        "/purchase_units/@reference_id=='default'/amount/breakdown/item_total/value",
      ],
    ];
    for (const [name, body, issue, field] of cases) {
      const answer = await client.call('POST', '/v2/checkout/orders', body);
      assert.equal(answer.status, 422, name);
      assert.equal(answer.body.details[0].issue, issue, name);
      assert.equal(answer.body.details[0].field, field, name);
    }
    const itemsOk = orderRequest('10.00', 'USD', 'CAPTURE', {
      amount: { currency_code: 'USD', value: '10.00', breakdown: { item_total: { currency_code: 'USD', value: '9.00' }, shipping: { currency_code: 'USD', value: '1.00' } } },
      items: [{ name: 'Pen', quantity: '3', unit_amount: { currency_code: 'USD', value: '3.00' } }],
    });
    assert.equal((await client.call('POST', '/v2/checkout/orders', itemsOk)).status, 201);
    assert.equal(sim.state.orders.size, 1);
    assert.deepEqual(sim.violations, []);
  });

  test('strict mode answers a request the documents forbid with 400 INVALID_REQUEST and records it', async (t) => {
    const { sim, client } = await setup(t);
    const answer = await client.call('POST', '/v2/checkout/orders', { purchase_units: [{ amount: { currency_code: 'USD', value: '10,00' } }] });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.name, 'INVALID_REQUEST');
    assert.deepEqual(answer.body.details.map((d: { issue: string }) => d.issue).sort(), ['INVALID_PARAMETER_SYNTAX', 'MISSING_REQUIRED_PARAMETER']);
    assert.ok(answer.body.details.some((d: { field?: string }) => d.field === '/purchase_units/0/amount/value'));
    assert.equal(sim.state.orders.size, 0);
    const recorded = sim.violations.splice(0);
    assert.equal(recorded.length, 2);
    assert.ok(recorded.every((v) => v.where === 'request' && v.operation === 'orders.create'));
    assert.deepEqual(sim.violations, []);
  });

  test('record mode lets the request through and only records; off mode records nothing', async (t) => {
    for (const mode of ['record', 'off'] as const) {
      const { sim, client } = await setup(t, { validate: mode });
      const answer = await client.call('POST', '/v2/checkout/orders', { intent: 'CAPTURE', purchase_units: [{ amount: { currency_code: 'USD', value: '10.00' }, custom_id: '' }] });
      assert.equal(answer.status, 201, mode);
      assert.equal(sim.violations.length, mode === 'record' ? 1 : 0, mode);
      if (mode === 'record') assert.match(sim.violations[0]?.message ?? '', /custom_id must NOT have fewer than 1 characters/);
    }
  });

  test('unknown orders, unknown operations and malformed JSON', async (t) => {
    const { sim, client } = await setup(t);
    const missing = await client.call('GET', '/v2/checkout/orders/NOSUCHORDER00000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.name, 'RESOURCE_NOT_FOUND');
    assert.equal(missing.body.details[0].issue, 'INVALID_RESOURCE_ID');

    const unknown = await client.call('POST', '/v2/checkout/orders/NOSUCHORDER00000/refund', {});
    assert.equal(unknown.status, 404);
    const [violation, ...rest] = sim.violations.splice(0);
    assert.deepEqual(rest, []);
    assert.match(violation?.message ?? '', /no such operation in PayPal's OpenAPI documents: POST \/v2\/checkout\/orders\/NOSUCHORDER00000\/refund/);

    const malformed = await fetch(`${sim.apiBase}/v2/checkout/orders`, { method: 'POST', headers: { Authorization: `Bearer ${await client.token()}`, 'Content-Type': 'application/json' }, body: '{"intent": ' });
    const body = (await malformed.json()) as { name: string; details: Array<{ issue: string }> };
    assert.equal(malformed.status, 400);
    assert.equal(body.details[0]?.issue, 'MALFORMED_REQUEST_JSON');
    assert.deepEqual(sim.violations, []);
  });
});
