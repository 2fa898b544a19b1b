import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startPayPalSimulator } from './index.ts';
import { orderRequest, requestToken, simClient } from './test-support.ts';

test('a fault answers the given status the given number of times, then the simulator behaves normally', async (t) => {
  const sim = await startPayPalSimulator();
  t.after(() => sim.close());
  const client = simClient(sim);
  await client.token();
  sim.faults.add({ method: 'POST', path: '/v2/checkout/orders', status: 429, times: 2, retryAfterSeconds: 3 });
  for (let i = 0; i < 2; i++) {
    const limited = await client.call('POST', '/v2/checkout/orders', orderRequest());
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal(limited.body.name, 'RATE_LIMIT_REACHED');
    assert.equal(typeof limited.body.debug_id, 'string');
  }
  assert.equal((await client.call('POST', '/v2/checkout/orders', orderRequest())).status, 201);
  assert.equal(sim.state.orders.size, 1, 'faulted requests had no effect');
  assert.equal(sim.requests.filter((r) => r.fault).length, 2);
  assert.deepEqual(sim.violations, []);
});

test('faults match by RegExp, reach the token endpoint, and can carry a body or only a delay', async (t) => {
  const sim = await startPayPalSimulator();
  t.after(() => sim.close());
  sim.faults.add({ path: '/v1/oauth2/token', status: 503 });
  const unavailable = await requestToken(sim);
  assert.equal(unavailable.status, 503);
  assert.equal(unavailable.body.name, 'SERVICE_UNAVAILABLE');
  assert.equal((await requestToken(sim)).status, 200);
  assert.equal(sim.tokenRequests(), 2);

  const client = simClient(sim);
  sim.faults.add({ path: /^\/v2\/payments\/captures\/[^/]+$/, status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: 'custom', debug_id: 'abc' } });
  const custom = await client.call('GET', '/v2/payments/captures/ABCDEFGHIJKLMNOPQ');
  assert.equal(custom.status, 500);
  assert.deepEqual(custom.body, { name: 'INTERNAL_SERVER_ERROR', message: 'custom', debug_id: 'abc' });
  assert.equal((await client.call('GET', '/v2/payments/captures/ABCDEFGHIJKLMNOPQ')).status, 404);

  sim.faults.add({ path: '/v1/notifications/webhooks', delayMs: 50 });
  const slow = await client.call('GET', '/v1/notifications/webhooks');
  assert.equal(slow.status, 200, 'a fault without a status only delays');
  sim.faults.add({ path: '/v1/notifications/webhooks', status: 503, times: Infinity });
  sim.faults.clear();
  assert.equal((await client.call('GET', '/v1/notifications/webhooks')).status, 200);
  assert.throws(() => sim.faults.add({ path: '/x' }), /needs a status, a delayMs, or both/);
  assert.deepEqual(sim.violations, []);
});

test('the test actions work over HTTP under /__sim, on the plain-HTTP listener too', async (t) => {
  const sim = await startPayPalSimulator();
  t.after(() => sim.close());
  const client = simClient(sim);
  const created = await client.call('POST', '/v2/checkout/orders', orderRequest());
  const post = (path: string, body: unknown = {}) => fetch(`${sim.httpBase}/__sim${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  assert.equal((await post(`/orders/${created.body.id}/approve`, { captureOutcome: 'PENDING', pendingReason: 'ECHECK' })).status, 200);
  const captured = await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`);
  const captureId = captured.body.purchase_units[0].payments.captures[0].id as string;
  const completed = (await (await post(`/captures/${captureId}/complete`)).json()) as { status: string };
  assert.equal(completed.status, 'COMPLETED');
  const again = await post(`/captures/${captureId}/complete`);
  assert.equal(again.status, 409);
  assert.match(((await again.json()) as { error: string }).error, /is COMPLETED; only a PENDING capture can complete/);
  assert.equal((await post('/orders/NOSUCHORDER000000/approve')).status, 404);

  assert.equal((await post('/faults', { pathPattern: '^/v2/checkout/orders/[A-Z0-9]+$', method: 'GET', status: 503 })).status, 200);
  assert.equal((await client.call('GET', `/v2/checkout/orders/${created.body.id}`)).status, 503);

  const signed = (await (await post('/events/sign', { event: sim.state.events[0], webhookId: 'WEBHOOK1' })).json()) as { body: string; headers: Record<string, string> };
  assert.equal(signed.body, JSON.stringify(sim.state.events[0]));
  assert.equal(signed.headers['PAYPAL-AUTH-ALGO'], 'SHA256withRSA');

  const state = (await (await fetch(`${sim.httpBase}/__sim/state`)).json()) as { captures: Array<{ id: string; status: string }> };
  assert.deepEqual(state.captures.map((c) => [c.id, c.status]), [[captureId, 'COMPLETED']]);
  assert.deepEqual(sim.violations, []);
});

test('the CLI prints its URLs as one JSON line and stops on SIGTERM', async () => {
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
  const child = spawn(process.execPath, [main, '--client-id', 'cli-id', '--client-secret', 'cli-secret'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the simulator exited with ${code} before printing its URLs`)));
    });
    const info = JSON.parse(line) as { apiBase: string; httpBase: string; clientId: string; certUrl: string; rootCert: string };
    assert.match(info.apiBase, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(info.httpBase, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.clientId, 'cli-id');
    const token = await fetch(`${info.apiBase}/v1/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('cli-id:cli-secret').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(token.status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});
