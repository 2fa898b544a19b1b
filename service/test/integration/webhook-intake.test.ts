// Webhook intake end to end: the real service (port 0, real store) receiving deliveries signed by
// the PayPal simulator exactly as PayPal signs them.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { HandlerRegistry } from '../../src/sync/handler-registry.ts';
import type { WebhookEvent } from '../../sim/paypal/index.ts';
import { startHarness, TEST_WEBHOOK_ID, waitFor, type Harness, type StoreKind } from '../support/service-harness.ts';

function captureEvent(h: Harness, overrides: { id?: string } = {}): WebhookEvent {
  return h.sim.buildEvent(
    'PAYMENT.CAPTURE.COMPLETED',
    {
      id: `CAP${randomUUID().slice(0, 12).toUpperCase()}`,
      status: 'COMPLETED',
      amount: { currency_code: 'USD', value: '10.00' },
      final_capture: true,
      custom_id: 'S00042-1',
      create_time: new Date().toISOString(),
      update_time: new Date().toISOString(),
    },
    overrides.id ? { id: overrides.id } : {},
  );
}

for (const storeKind of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`webhook intake (${storeKind})`, () => {
    let h: Harness;
    const handled = new Map<string, number>();

    before(async () => {
      h = await startHarness({
        store: storeKind,
        overrides: {
          registry: () =>
            new HandlerRegistry().register('PAYMENT.CAPTURE.COMPLETED', async ({ event }) => {
              handled.set(event.eventId, (handled.get(event.eventId) ?? 0) + 1);
              return { status: 'done', outcome: 'recorded by the test handler' };
            }),
        },
      });
    });
    after(async () => {
      await h.close();
    });

    async function storedEvents(): Promise<number> {
      return (await h.service.store.list({ limit: 1000 })).length;
    }

    test('a valid signed event is stored byte for byte, acknowledged with 200 and processed once', async () => {
      const event = captureEvent(h);
      const response = await h.deliver(event);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { status: 'stored', event_id: event.id });
      const stored = await h.service.store.get(event.id);
      assert.ok(stored);
      assert.equal(stored.eventType, 'PAYMENT.CAPTURE.COMPLETED');
      assert.deepEqual(stored.rawBody, h.sim.signEvent(event, { webhookId: TEST_WEBHOOK_ID }).body);
      assert.equal(stored.headers['paypal-auth-algo'], 'SHA256withRSA');
      await waitFor(async () => (await h.service.store.get(event.id))?.status === 'done', 'the event to be processed');
      assert.equal(handled.get(event.id), 1);
    });

    test('the same event delivered five times is stored once and processed once', async () => {
      const event = captureEvent(h);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await h.deliver(event)).body['status']);
      assert.deepEqual(statuses, ['stored', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
      await waitFor(async () => (await h.service.store.get(event.id))?.status === 'done', 'the event to be processed');
      // Let the worker run a few more polls: nothing else may happen.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(handled.get(event.id), 1);
      assert.equal((await h.service.store.get(event.id))?.deliveries, 5);
    });

    test('five concurrent deliveries of one event: one stored, one processing', async () => {
      const event = captureEvent(h);
      const results = await Promise.all(Array.from({ length: 5 }, () => h.deliver(event)));
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200]);
      assert.equal(results.filter((r) => r.body['status'] === 'stored').length, 1);
      await waitFor(async () => (await h.service.store.get(event.id))?.status === 'done', 'the event to be processed');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(handled.get(event.id), 1);
    });

    const rejections: Array<{ name: string; status: number; error: string; options: (h: Harness) => Parameters<Harness['deliver']>[1] }> = [
      { name: 'a tampered body', status: 401, error: 'SIGNATURE_MISMATCH', options: () => ({ body: (b) => Buffer.from(b.toString('utf8').replace('10.00', '99.00')) }) },
      {
        name: 'a tampered signature',
        status: 401,
        error: 'SIGNATURE_MISMATCH',
        options: () => ({
          headers: (hd) => {
            const sig = Buffer.from(hd['paypal-transmission-sig']!, 'base64');
            sig[10] = sig[10]! ^ 0xff;
            return { ...hd, 'paypal-transmission-sig': sig.toString('base64') };
          },
        }),
      },
      { name: 'a tampered transmission id', status: 401, error: 'SIGNATURE_MISMATCH', options: () => ({ headers: (hd) => ({ ...hd, 'paypal-transmission-id': randomUUID() }) }) },
      { name: 'a tampered transmission time', status: 401, error: 'SIGNATURE_MISMATCH', options: () => ({ headers: (hd) => ({ ...hd, 'paypal-transmission-time': '2031-01-01T00:00:00Z' }) }) },
      { name: 'an event signed for another webhook id', status: 401, error: 'SIGNATURE_MISMATCH', options: () => ({ signWith: { webhookId: 'WH-SOMEONE-ELSE' } }) },
      { name: 'an expired certificate', status: 401, error: 'CERT_EXPIRED', options: (h) => ({ signWith: { signer: 'expired', certUrl: h.sim.certUrl('expired') } }) },
      { name: 'an untrusted certificate', status: 401, error: 'CERT_UNTRUSTED', options: (h) => ({ signWith: { signer: 'untrusted', certUrl: h.sim.certUrl('untrusted') } }) },
      {
        name: "a certificate that does not name PayPal's message-verification host",
        status: 401,
        error: 'CERT_WRONG_NAME',
        options: (h) => ({ signWith: { signer: 'wrongName', certUrl: h.sim.certUrl('wrongName') } }),
      },
      { name: 'a missing header', status: 400, error: 'MISSING_HEADER', options: () => ({ headers: (hd) => ({ ...hd, 'paypal-auth-algo': undefined }) }) },
    ];

    for (const r of rejections) {
      test(`${r.name} is rejected with ${r.status} ${r.error} and leaves no processable event`, async () => {
        const before = await storedEvents();
        const event = captureEvent(h);
        const response = await h.deliver(event, r.options(h));
        assert.equal(response.status, r.status);
        assert.equal(response.body['error'], r.error);
        assert.match(String(response.body['message']), /\w{3,}/);
        // The sender learns the kind of failure, never our configuration.
        assert.doesNotMatch(JSON.stringify(response.body), new RegExp(`${h.config.paypal.webhookId}|PAYPAL_WEBHOOK_ID|127\\.0\\.0\\.1|localhost`));
        assert.equal(await h.service.store.get(event.id), null);
        assert.equal(await storedEvents(), before);
      });
    }

    test('an http or off-list certificate URL is rejected with 400 and no request is made to it', async () => {
      const certRequestsBefore = h.sim.requests.filter((r) => r.path.includes('/certs/')).length;
      const simPort = new URL(h.sim.apiBase).port;
      for (const certUrl of [
        `http://127.0.0.1:${simPort}/v1/notifications/certs/CERT-good`,
        `https://localhost:${simPort}/v1/notifications/certs/CERT-good`,
        'https://messageverificationcerts.example.com/cert.pem',
      ]) {
        const event = captureEvent(h);
        const response = await h.deliver(event, { signWith: { certUrl } });
        assert.equal(response.status, 400, certUrl);
        assert.match(String(response.body['error']), /^CERT_URL_(NOT_HTTPS|HOST_NOT_ALLOWED)$/);
        assert.match(String(response.body['message']), /no request was made/);
        assert.equal(await h.service.store.get(event.id), null);
      }
      assert.equal(h.sim.requests.filter((r) => r.path.includes('/certs/')).length, certRequestsBefore);
    });

    test('malformed JSON and a body that is not an event are rejected with 400, even when correctly signed', async () => {
      const before = await storedEvents();
      const malformed = await h.deliver('{"id": "WH-1", "event_type": ');
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body['error'], 'MALFORMED_JSON');
      const notEvent = await h.deliver(JSON.stringify({ hello: 'world' }));
      assert.equal(notEvent.status, 400);
      assert.equal(notEvent.body['error'], 'BAD_ENVELOPE');
      assert.match(String(notEvent.body['message']), /id/);
      assert.equal(await storedEvents(), before);
    });

    test('an oversized body is rejected with 413', async () => {
      const before = await storedEvents();
      const event = captureEvent(h);
      const big = { ...event, resource: { ...event.resource, padding: 'x'.repeat(h.config.webhookMaxBodyBytes) } };
      const response = await h.deliver(JSON.stringify(big));
      assert.equal(response.status, 413);
      assert.equal(response.body['error'], 'BODY_TOO_LARGE');
      assert.equal(await storedEvents(), before);
    });

    test('an event type without a handler is stored and marked ignored, visibly', async () => {
      const event = h.sim.buildEvent('VAULT.PAYMENT-TOKEN.CREATED', { id: `TOKEN-${randomUUID().slice(0, 8)}` });
      assert.equal((await h.deliver(event)).status, 200);
      await waitFor(async () => (await h.service.store.get(event.id))?.status === 'ignored', 'the event to be marked ignored');
      assert.match(String((await h.service.store.get(event.id))?.outcome), /no handler/);
    });

    test('health, readiness and Prometheus metrics', async () => {
      const healthz = await fetch(`${h.service.url}/healthz`);
      assert.equal(healthz.status, 200);
      const readyz = await fetch(`${h.service.url}/readyz`);
      assert.equal(readyz.status, 200);
      assert.equal(((await readyz.json()) as { store: string }).store, storeKind);
      const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
      assert.match(metrics, /^paypal_bridge_webhooks_received_total\{outcome="stored"\} \d+$/m);
      assert.match(metrics, /^paypal_bridge_webhooks_received_total\{outcome="duplicate"\} \d+$/m);
      assert.match(metrics, /^paypal_bridge_webhooks_received_total\{outcome="rejected_signature_mismatch"\} \d+$/m);
      assert.match(metrics, /^paypal_bridge_inbox_events\{status="done"\} [1-9]\d*$/m);
      assert.match(metrics, /^paypal_bridge_event_processing_seconds_count\{[^}]*\} \d+$/m);
      assert.match(metrics, /^# TYPE paypal_bridge_webhook_ack_seconds histogram$/m);
    });

    test('every log line of a processed event names the event, its type and the attempt; no secret is logged', async () => {
      const event = captureEvent(h);
      await h.deliver(event);
      await waitFor(async () => (await h.service.store.get(event.id))?.status === 'done', 'the event to be processed');
      const lines = h.logger.lines.filter((l) => l['paypalEventId'] === event.id);
      assert.ok(lines.length >= 2);
      const workerLines = lines.filter((l) => l['component'] === 'inbox-worker' || l['component'] === 'event-handler');
      assert.ok(workerLines.length >= 1);
      for (const l of workerLines) {
        assert.equal(l['eventType'], 'PAYMENT.CAPTURE.COMPLETED');
        assert.equal(typeof l['inboxAttempt'], 'number');
      }
      const all = JSON.stringify(h.logger.lines);
      assert.ok(!all.includes(h.sim.clientSecret), 'the PayPal client secret appears in the logs');
      assert.ok(!all.includes(h.config.odoo!.bridgeSecret), 'the bridge secret appears in the logs');
    });
  });
}
