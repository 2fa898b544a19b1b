import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPayPalSimulator, type PayPalSimulator } from './index.ts';
import { eligibility } from './js-sdk.ts';
import { simClient } from './test-support.ts';

let sim: PayPalSimulator;

before(async () => {
  sim = await startPayPalSimulator();
});

after(async () => {
  await sim.close();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.httpBase}${path}`, { headers });
  return { status: response.status, type: response.headers.get('content-type') ?? '', cors: response.headers.get('access-control-allow-origin'), text: await response.text() };
}

async function post(path: string, body: unknown) {
  const response = await fetch(`${sim.httpBase}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('stand-in JS SDK', () => {
  test('serves the script for the parameters @paypal/paypal-js sends, with the eligibility they imply', async () => {
    const answer = await get(`/sdk/js?client-id=${sim.clientId}&components=buttons&currency=USD&intent=authorize&enable-funding=venmo,paylater`, { origin: 'http://shop.example' });
    assert.equal(answer.status, 200);
    assert.match(answer.type, /^application\/javascript/);
    assert.equal(answer.cors, '*');
    assert.match(answer.text, /^\(\/\/ The stand-in of PayPal's JS SDK[\s\S]*\)\(\{"clientId":/);
    const config = JSON.parse(/\)\((\{.*\})\);\n$/.exec(answer.text)?.[1] ?? '{}') as Record<string, unknown>;
    assert.deepEqual(config, {
      clientId: sim.clientId,
      currency: 'USD',
      intent: 'authorize',
      components: ['buttons'],
      eligible: { paypal: true, card: true, credit: false, paylater: true, venmo: true },
    });
  });

  test('refuses a missing or unknown client id, or a bad currency or intent, as PayPal does: a 400 script that throws', async () => {
    for (const [query, message] of [
      ['components=buttons', 'Expected client-id to be passed'],
      ['client-id=someone-else', 'Invalid query value for client-id: someone-else'],
      [`client-id=${sim.clientId}&currency=DOLLARS`, 'Invalid query value for currency: DOLLARS'],
      [`client-id=${sim.clientId}&intent=sale`, 'Invalid query value for intent: sale'],
    ] as const) {
      const answer = await get(`/sdk/js?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.text, `throw new Error(${JSON.stringify(`SDK Validation error: ${message}`)});\n`);
    }
  });

  test('eligibility: PayPal and cards always; Venmo in USD and Pay Later in its markets only when enabled; disable-funding and test overrides win', () => {
    const base = { enableFunding: ['venmo', 'paylater'], disableFunding: [] as string[] };
    assert.deepEqual(eligibility({ ...base, currency: 'USD' }, {}), { paypal: true, card: true, credit: false, paylater: true, venmo: true });
    assert.deepEqual(eligibility({ ...base, currency: 'EUR' }, {}), { paypal: true, card: true, credit: false, paylater: true, venmo: false });
    assert.deepEqual(eligibility({ ...base, currency: 'JPY' }, {}), { paypal: true, card: true, credit: false, paylater: false, venmo: false });
    assert.deepEqual(eligibility({ currency: 'USD', enableFunding: [], disableFunding: [] }, {}), { paypal: true, card: true, credit: false, paylater: false, venmo: false });
    assert.deepEqual(eligibility({ ...base, currency: 'USD', disableFunding: ['card'] }, {}).card, false);
    assert.deepEqual(eligibility({ ...base, currency: 'USD' }, { venmo: false, card: false }), { paypal: true, card: false, credit: false, paylater: true, venmo: false });
  });

  test('the buyer settings are validated, kept and reset', async () => {
    assert.equal((await post('/__sim/sdk/settings', { buyer: 'shout' })).status, 400);
    assert.equal((await post('/__sim/sdk/settings', { eligibility: { venmo: 'no' } })).status, 400);
    assert.deepEqual((await post('/__sim/sdk/settings', { buyer: 'cancel', eligibility: { venmo: false } })).body, { buyer: 'cancel', patchAmount: '0.01', eligibility: { venmo: false } });
    assert.match((await get(`/sdk/js?client-id=${sim.clientId}&enable-funding=venmo`)).text, /"venmo":false/);
    assert.deepEqual((await post('/__sim/sdk/settings', { reset: true })).body, { buyer: 'approve', patchAmount: '0.01', eligibility: {} });
  });

  test('the test routes answer cross-origin requests from the shop page (CORS preflight included)', async () => {
    const preflight = await fetch(`${sim.httpBase}/__sim/orders/X/approve`, {
      method: 'OPTIONS',
      headers: { origin: 'http://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Content-Type/i);
  });

  test("patch-amount changes a created order's amount, as a page calling actions.order.patch() could; the order tells its state", async () => {
    const client = simClient(sim);
    const created = await client.call('POST', '/v2/checkout/orders', {
      intent: 'CAPTURE',
      purchase_units: [{ reference_id: 'S00007', custom_id: 'S00007', amount: { currency_code: 'USD', value: '40.00' } }],
    });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.deepEqual((await post(`/__sim/sdk/orders/${id}/patch-amount`, { value: '0' })).status, 400);
    assert.deepEqual((await post(`/__sim/sdk/orders/${id}/patch-amount`, { value: '1.00' })).body, { id, amount: '1.00' });
    const order = await client.call('GET', `/v2/checkout/orders/${id}`);
    assert.deepEqual(order.body.purchase_units[0].amount, { currency_code: 'USD', value: '1.00' });
    const view = await get(`/__sim/sdk/orders/${id}`);
    assert.deepEqual(JSON.parse(view.text), { id, intent: 'CAPTURE', status: 'CREATED', currency: 'USD', amount: '1.00', payer_id: null });
    await sim.approveOrder(id);
    assert.equal((await post(`/__sim/sdk/orders/${id}/patch-amount`, { value: '2.00' })).status, 409, 'an approved order cannot be patched');
    assert.equal((await get('/__sim/sdk/orders/NOPE')).status, 404);
    assert.deepEqual(sim.violations, []);
  });
});
