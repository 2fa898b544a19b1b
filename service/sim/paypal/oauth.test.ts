import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPayPalSimulator } from './index.ts';
import { requestToken, simClient } from './test-support.ts';

test('client credentials get a bearer token shaped like PayPal\'s, and it opens the API', async (t) => {
  const sim = await startPayPalSimulator({ clientId: 'app-1', clientSecret: 's3cret', tokenTtlSeconds: 600 });
  t.after(() => sim.close());
  const answer = await requestToken(sim);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.token_type, 'Bearer');
  assert.equal(answer.body.expires_in, 600);
  assert.match(answer.body.access_token, /^A21AA[\w-]{20,}$/);
  assert.match(answer.body.app_id, /^APP-[A-Z0-9]{17}$/);
  assert.match(answer.body.scope, /https:\/\/uri\.paypal\.com\/services\/payments\/refund/);
  assert.equal(typeof answer.body.nonce, 'string');

  const api = await fetch(`${sim.apiBase}/v1/notifications/webhooks`, { headers: { Authorization: `Bearer ${answer.body.access_token}` } });
  assert.equal(api.status, 200);
  assert.equal(sim.tokenRequests(), 1);
  assert.deepEqual(sim.violations, []);
});

test('wrong credentials and a wrong grant type get OAuth errors', async (t) => {
  const sim = await startPayPalSimulator();
  t.after(() => sim.close());
  const wrongSecret = await requestToken(sim, sim.clientId, 'not-the-secret');
  assert.equal(wrongSecret.status, 401);
  assert.deepEqual(wrongSecret.body, { error: 'invalid_client', error_description: 'Client Authentication failed' });
  const wrongGrant = await requestToken(sim, sim.clientId, sim.clientSecret, 'password');
  assert.equal(wrongGrant.status, 400);
  assert.equal(wrongGrant.body.error, 'unsupported_grant_type');
  assert.equal(sim.tokenRequests(), 2);
  assert.deepEqual(sim.violations, []);
});

test('API calls without a valid token get 401 AUTHENTICATION_FAILURE', async (t) => {
  const sim = await startPayPalSimulator();
  t.after(() => sim.close());
  for (const authorization of [undefined, 'Bearer made-up-token', `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`]) {
    const response = await fetch(`${sim.apiBase}/v2/checkout/orders/5O190127TN364715T`, { headers: authorization ? { Authorization: authorization } : {} });
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(response.status, 401, String(authorization));
    assert.equal(body['name'], 'AUTHENTICATION_FAILURE');
    assert.equal(typeof body['debug_id'], 'string');
  }
  // The 401s were checked against the orders.get documentation.
  assert.deepEqual(sim.violations, []);
});

test('a token stops working once it expires', async (t) => {
  let now = new Date('2025-03-01T10:00:00Z');
  const sim = await startPayPalSimulator({ clock: () => now, tokenTtlSeconds: 60 });
  t.after(() => sim.close());
  const client = simClient(sim);
  assert.equal((await client.call('GET', '/v1/notifications/webhooks')).status, 200);
  now = new Date('2025-03-01T10:00:59Z');
  assert.equal((await client.call('GET', '/v1/notifications/webhooks')).status, 200);
  now = new Date('2025-03-01T10:01:00Z');
  const expired = await client.call('GET', '/v1/notifications/webhooks');
  assert.equal(expired.status, 401);
  assert.equal(expired.body.name, 'AUTHENTICATION_FAILURE');
  assert.deepEqual(sim.violations, []);
});
