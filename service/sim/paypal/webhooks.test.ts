import assert from 'node:assert/strict';
import { verify, X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test, type TestContext } from 'node:test';
import * as zlib from 'node:zlib';
import { PAYPAL_SANDBOX_SIGNER_HOST } from '../pki.ts';
import { createOpenApiValidator } from '../openapi/validator.ts';
import { startPayPalSimulator, type PayPalSimulator, type PayPalSimulatorOptions } from './index.ts';
import { orderRequest, simClient, startWebhookReceiver, type SimClient, type WebhookReceiver } from './test-support.ts';

const validator = createOpenApiValidator();

async function setup(t: TestContext, options: PayPalSimulatorOptions = {}): Promise<{ sim: PayPalSimulator; client: SimClient }> {
  const sim = await startPayPalSimulator(options);
  t.after(() => sim.close());
  return { sim, client: simClient(sim) };
}

async function receiver(t: TestContext, statuses: number[] = []): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(statuses);
  t.after(() => r.close());
  return r;
}

async function subscribe(client: SimClient, url: string, eventTypes: string[]): Promise<string> {
  const created = await client.call('POST', '/v1/notifications/webhooks', { url, event_types: eventTypes.map((name) => ({ name })) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}

async function capture(sim: PayPalSimulator, client: SimClient): Promise<void> {
  const created = await client.call('POST', '/v2/checkout/orders', orderRequest());
  await sim.approveOrder(created.body.id);
  assert.equal((await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`)).status, 201);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name.toLowerCase()];
  assert.equal(typeof value, 'string', `header ${name}`);
  return value as string;
}

/** Verification the way a receiver does it offline: CRC-32 of the raw body, SHA256withRSA against the served certificate. */
async function verifiesOffline(body: Buffer, headers: Record<string, string>, webhookId: string): Promise<boolean> {
  const pem = await (await fetch(headers['paypal-cert-url'] ?? '')).text();
  const certificate = new X509Certificate(pem);
  const message = `${headers['paypal-transmission-id']}|${headers['paypal-transmission-time']}|${webhookId}|${zlib.crc32(body)}`;
  return verify('sha256', Buffer.from(message), certificate.publicKey, Buffer.from(headers['paypal-transmission-sig'] ?? '', 'base64'));
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('signatures', () => {
  test('a signed event verifies with Node crypto against the certificate the simulator serves', async (t) => {
    const { sim } = await setup(t);
    const event = sim.buildEvent('PAYMENT.CAPTURE.COMPLETED', { id: '2GG279541U471931P', status: 'COMPLETED', amount: { currency_code: 'USD', value: '10.00' } });
    const signed = sim.signEvent(event, { webhookId: '8PT597110X687430L' });
    const headers = lower(signed.headers);
    assert.equal(headers['paypal-auth-algo'], 'SHA256withRSA');
    assert.match(headers['paypal-transmission-id'] ?? '', /^[0-9a-f-]{36}$/);
    assert.match(headers['paypal-transmission-time'] ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(headers['paypal-cert-url'], sim.certUrl());
    assert.match(sim.certUrl(), /^https:\/\/127\.0\.0\.1:\d+\/v1\/notifications\/certs\/CERT-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    assert.deepEqual(JSON.parse(signed.body.toString('utf8')), event);

    assert.equal(await verifiesOffline(signed.body, headers, '8PT597110X687430L'), true);
    assert.equal(await verifiesOffline(signed.body, headers, 'ANOTHERWEBHOOKID0'), false, 'the webhook id is part of the message');
    const tampered = Buffer.from(signed.body.toString('utf8').replace('10.00', '99.00'));
    assert.equal(await verifiesOffline(tampered, headers, '8PT597110X687430L'), false, 'the CRC-32 covers the body');

    const pem = await (await fetch(sim.certUrl())).text();
    assert.equal(pem.match(/BEGIN CERTIFICATE/g)?.length, 1, 'the certificate URL serves the leaf only');
    assert.match(new X509Certificate(pem).subjectAltName ?? '', new RegExp(PAYPAL_SANDBOX_SIGNER_HOST.replace(/\./g, '\\.')));
    assert.deepEqual(sim.violations, []);
  });

  test('a raw body is signed byte for byte, and other signers have their own certificates', async (t) => {
    const { sim } = await setup(t);
    const raw = '{"id":"WH-RAW","event_type":"PAYMENT.CAPTURE.COMPLETED",  "resource":{}}';
    const signed = sim.signEvent(raw, { webhookId: 'W1', signer: 'untrusted', transmissionId: 'fixed-id', transmissionTime: '2025-01-01T00:00:00Z' });
    assert.equal(signed.body.toString('utf8'), raw);
    const headers = lower(signed.headers);
    assert.equal(headers['paypal-transmission-id'], 'fixed-id');
    assert.notEqual(headers['paypal-cert-url'], sim.certUrl('good'));
    assert.equal(await verifiesOffline(signed.body, headers, 'W1'), true);
    assert.equal((await fetch(`${sim.apiBase}/v1/notifications/certs/CERT-00000000-00000000-00000000`)).status, 404);
    assert.deepEqual(sim.violations, []);
  });

  test('verify-webhook-signature recomputes over the original bytes and says SUCCESS or FAILURE', async (t) => {
    const { sim, client } = await setup(t);
    const event = sim.buildEvent('CHECKOUT.ORDER.APPROVED', { id: '5O190127TN364715T', status: 'APPROVED', intent: 'CAPTURE' });
    const signed = sim.signEvent(event, { webhookId: '1JE4291016473214C' });
    const h = lower(signed.headers);
    // Re-serialized with another key order: PayPal still checks the bytes it sent.
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const request = (overrides: Record<string, unknown> = {}) =>
      client.call('POST', '/v1/notifications/verify-webhook-signature', {
        auth_algo: h['paypal-auth-algo'],
        cert_url: h['paypal-cert-url'],
        transmission_id: h['paypal-transmission-id'],
        transmission_sig: h['paypal-transmission-sig'],
        transmission_time: h['paypal-transmission-time'],
        webhook_id: '1JE4291016473214C',
        webhook_event: reordered,
        ...overrides,
      });
    assert.deepEqual((await request()).body, { verification_status: 'SUCCESS' });
    assert.deepEqual((await request({ webhook_id: '1JE4291016473215C' })).body, { verification_status: 'FAILURE' });
    assert.deepEqual((await request({ transmission_time: '2025-01-01T00:00:00Z' })).body, { verification_status: 'FAILURE' });
    const rogue = lower(sim.signEvent(event, { webhookId: '1JE4291016473214C', signer: 'untrusted' }).headers);
    const rogueAnswer = await request({ cert_url: rogue['paypal-cert-url'], transmission_sig: rogue['paypal-transmission-sig'], transmission_id: rogue['paypal-transmission-id'], transmission_time: rogue['paypal-transmission-time'] });
    assert.deepEqual(rogueAnswer.body, { verification_status: 'FAILURE' }, 'only PayPal\'s own key passes the postback check');
    assert.deepEqual(sim.violations, []);
  });
});

describe('webhook subscriptions', () => {
  test('create, list, show and delete; one subscription per URL', async (t) => {
    const { sim, client } = await setup(t);
    const id = await subscribe(client, 'https://shop.example.com/webhooks/paypal', ['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.REFUNDED']);
    assert.match(id, /^[A-Z0-9]{17}$/);
    const list = await client.call('GET', '/v1/notifications/webhooks');
    assert.deepEqual(list.body.webhooks.map((w: { id: string }) => w.id), [id]);
    assert.deepEqual((await client.call('GET', `/v1/notifications/webhooks/${id}`)).body.event_types, [{ name: 'PAYMENT.CAPTURE.COMPLETED' }, { name: 'PAYMENT.CAPTURE.REFUNDED' }]);
    const duplicate = await client.call('POST', '/v1/notifications/webhooks', { url: 'https://shop.example.com/webhooks/paypal', event_types: [{ name: '*' }] });
    assert.equal(duplicate.status, 400);
    assert.equal(duplicate.body.name, 'WEBHOOK_URL_ALREADY_EXISTS');
    assert.equal((await client.call('DELETE', `/v1/notifications/webhooks/${id}`)).status, 204);
    assert.deepEqual((await client.call('GET', '/v1/notifications/webhooks')).body.webhooks, []);
    assert.equal((await client.call('GET', `/v1/notifications/webhooks/${id}`)).status, 404);
    assert.deepEqual(sim.violations, []);
  });
});

describe('delivery', () => {
  test('events go to the webhooks subscribed to their type, signed for that webhook', async (t) => {
    const { sim, client } = await setup(t);
    const captures = await receiver(t);
    const everything = await receiver(t);
    const capturesId = await subscribe(client, captures.url, ['PAYMENT.CAPTURE.COMPLETED']);
    await subscribe(client, everything.url, ['*']);
    await capture(sim, client);
    await sim.idle();

    assert.equal(captures.received.length, 1);
    assert.equal(everything.received.length, 3);
    const delivered = captures.received[0];
    assert.ok(delivered);
    const event = JSON.parse(delivered.body.toString('utf8'));
    assert.equal(event.event_type, 'PAYMENT.CAPTURE.COMPLETED');
    assert.deepEqual(sim.state.events.find((e) => e.id === event.id), event);
    assert.equal(header(delivered.headers, 'content-type'), 'application/json');
    const headers = Object.fromEntries(['paypal-transmission-id', 'paypal-transmission-time', 'paypal-transmission-sig', 'paypal-cert-url', 'paypal-auth-algo'].map((n) => [n, header(delivered.headers, n)]));
    assert.equal(await verifiesOffline(delivered.body, headers, capturesId), true);
    assert.deepEqual(validator.validateSchema('notifications_webhooks_v1', 'event', event), []);
    assert.deepEqual(validator.validateSchema('payments_payment_v2', 'capture-2', event.resource), []);
    assert.ok(sim.deliveries.every((d) => d.status === 200 && d.attempt === 1 && !d.willRetry));
    assert.deepEqual(sim.violations, []);
  });

  test('a failed delivery is retried with a fresh signature until the receiver answers 2xx', async (t) => {
    const { sim, client } = await setup(t, { webhookRetryDelaysMs: [20, 20, 20] });
    const flaky = await receiver(t, [500, 503]);
    const webhookId = await subscribe(client, flaky.url, ['CHECKOUT.ORDER.APPROVED']);
    const created = await client.call('POST', '/v2/checkout/orders', orderRequest());
    await sim.approveOrder(created.body.id);
    await sim.idle();

    assert.deepEqual(sim.deliveries.map((d) => [d.attempt, d.status, d.willRetry]), [
      [1, 500, true],
      [2, 503, true],
      [3, 200, false],
    ]);
    assert.equal(flaky.received.length, 3);
    const bodies = new Set(flaky.received.map((r) => r.body.toString('utf8')));
    assert.equal(bodies.size, 1, 'every attempt sends the same bytes');
    const ids = new Set(flaky.received.map((r) => header(r.headers, 'paypal-transmission-id')));
    assert.equal(ids.size, 3, 'every attempt is signed afresh');
    for (const r of flaky.received) {
      const headers = Object.fromEntries(['paypal-transmission-id', 'paypal-transmission-time', 'paypal-transmission-sig', 'paypal-cert-url'].map((n) => [n, header(r.headers, n)]));
      assert.equal(await verifiesOffline(r.body, headers, webhookId), true);
    }
    assert.deepEqual(sim.violations, []);
  });

  test('an unreachable receiver is retried as often as the schedule says, then given up', async (t) => {
    const { sim, client } = await setup(t, { webhookRetryDelaysMs: [10, 10] });
    const gone = await startWebhookReceiver();
    await gone.close();
    await subscribe(client, gone.url, ['*']);
    sim.deliverEvent(sim.buildEvent('PAYMENT.CAPTURE.COMPLETED', {}));
    await sim.idle();
    assert.deepEqual(sim.deliveries.map((d) => [d.attempt, d.status, d.willRetry]), [
      [1, 'network-error', true],
      [2, 'network-error', true],
      [3, 'network-error', false],
    ]);
    assert.match(sim.deliveries[0]?.error ?? '', /ECONNREFUSED/);
    assert.deepEqual(sim.violations, []);
  });

  test('paused delivery holds events until resumed', async (t) => {
    const { sim, client } = await setup(t);
    const r = await receiver(t);
    await subscribe(client, r.url, ['*']);
    sim.pauseDelivery();
    sim.deliverEvent(sim.buildEvent('CUSTOMER.DISPUTE.CREATED', { dispute_id: 'PP-D-1' }));
    sim.deliverEvent(sim.buildEvent('CUSTOMER.DISPUTE.UPDATED', { dispute_id: 'PP-D-1' }));
    await sim.idle();
    assert.equal(r.received.length, 0);
    sim.resumeDelivery();
    await sim.idle();
    assert.deepEqual(r.received.map((x) => JSON.parse(x.body.toString('utf8')).event_type).sort(), ['CUSTOMER.DISPUTE.CREATED', 'CUSTOMER.DISPUTE.UPDATED']);
    assert.deepEqual(sim.violations, []);
  });
});
