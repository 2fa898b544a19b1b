import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { PayPalClient } from './paypal-client.ts';
import {
  hasIssue,
  isAlreadyCaptured,
  isReconcileByReading,
  PayPalApiError,
  PayPalRequestError,
  PayPalResponseError,
  PayPalUnavailableError,
} from './paypal-errors.ts';
import { samples, startHarness, type Handler, type Harness, type Reply } from './test-server.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const created = (body: unknown): Reply => ({ status: 201, body });
const unavailable: Reply = { status: 503, body: { name: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable.', debug_id: 'dbg-503' } };

/** Answers with `replies` in order, then repeats the last one. */
function sequence(...replies: Reply[]): Handler {
  return (_request, index) => replies[Math.min(index, replies.length - 1)]!;
}

const capture = (client: PayPalClient) => client.captureOrder('5O190127TN364715T', { requestId: 'odoo-tx-S00042-1-capture' });

describe('PayPal client: retries', () => {
  it('429 with Retry-After (seconds): waits at least that long, then succeeds with the same PayPal-Request-Id', async () => {
    harness = await startHarness(
      sequence({ status: 429, headers: { 'retry-after': '3' }, body: { name: 'RATE_LIMIT_REACHED', message: 'Too many requests. Blocked due to rate limiting.', debug_id: 'dbg-429' } }, created(samples.order())),
    );
    const order = await capture(harness.client);
    assert.equal(order.status, 'COMPLETED');
    assert.equal(harness.sleeps.length, 1);
    assert.ok(harness.sleeps[0]! >= 3000, `waited ${harness.sleeps[0]} ms`);
    assert.deepEqual(
      harness.server.requests.map((r) => r.headers['paypal-request-id']),
      ['odoo-tx-S00042-1-capture', 'odoo-tx-S00042-1-capture'],
    );
  });

  it('429 with Retry-After as an HTTP date: waits until that date on the injected clock', async () => {
    let retryAt = '';
    harness = await startHarness((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': retryAt }, body: { name: 'RATE_LIMIT_REACHED', message: 'Too many requests.' } } : { status: 200, body: samples.order() }));
    retryAt = new Date(harness.nowMs() + 7000).toUTCString();
    await harness.client.getOrder('ORDER1');
    assert.ok(harness.sleeps[0]! >= 7000, `waited ${harness.sleeps[0]} ms`);
  });

  it('a Retry-After longer than maxRetryAfterMs is not slept through: the error carries it for the worker', async () => {
    harness = await startHarness(sequence({ status: 429, headers: { 'retry-after': '3600' }, body: { name: 'RATE_LIMIT_REACHED', message: 'Too many requests.' } }));
    await assert.rejects(capture(harness.client), (err: unknown) => {
      assert.ok(err instanceof PayPalApiError);
      assert.equal(err.status, 429);
      assert.equal(err.retryable, true);
      assert.equal(err.retryAfterMs, 3_600_000);
      return true;
    });
    assert.equal(harness.server.requests.length, 1);
    assert.deepEqual(harness.sleeps, []);
  });

  it('503 is retried with growing backoff, the same PayPal-Request-Id and Prefer on every attempt, then succeeds', async () => {
    harness = await startHarness(sequence(unavailable, unavailable, created(samples.order())), { client: { retry: { baseDelayMs: 100, maxDelayMs: 10_000 } } });
    const order = await capture(harness.client);
    assert.equal(order.id, '5O190127TN364715T');
    assert.equal(harness.server.requests.length, 3);
    for (const request of harness.server.requests) {
      assert.equal(request.headers['paypal-request-id'], 'odoo-tx-S00042-1-capture');
      assert.equal(request.headers['prefer'], 'return=representation');
    }
    assert.equal(harness.sleeps.length, 2);
    assert.ok(harness.sleeps[0]! >= 50 && harness.sleeps[0]! <= 100, `first backoff ${harness.sleeps[0]}`);
    assert.ok(harness.sleeps[1]! >= 100 && harness.sleeps[1]! <= 200, `second backoff ${harness.sleeps[1]}`);
    assert.deepEqual(
      harness.calls.filter((c) => c.operation === 'orders.capture').map((c) => [c.attempt, c.status, c.ok]),
      [
        [1, 503, false],
        [2, 503, false],
        [3, 201, true],
      ],
    );
  });

  it('gives up after maxAttempts with a retryable PayPalApiError', async () => {
    harness = await startHarness(sequence(unavailable), { client: { retry: { maxAttempts: 3 } } });
    await assert.rejects(capture(harness.client), (err: unknown) => {
      assert.ok(err instanceof PayPalApiError);
      assert.equal(err.status, 503);
      assert.equal(err.retryable, true);
      assert.equal(err.debugId, 'dbg-503');
      return true;
    });
    assert.equal(harness.server.requests.length, 3);
  });

  it('409 PREVIOUS_REQUEST_IN_PROGRESS is retried with the same key', async () => {
    harness = await startHarness(
      sequence(
        { status: 409, body: { name: 'RESOURCE_CONFLICT', message: 'conflict', debug_id: 'dbg-409', details: [{ issue: 'PREVIOUS_REQUEST_IN_PROGRESS' }] } },
        created(samples.refund()),
      ),
    );
    const refund = await harness.client.refundCapture('3C679366HH908993F', {}, { requestId: 'odoo-refund-R1' });
    assert.equal(refund.status, 'COMPLETED');
    assert.deepEqual(
      harness.server.requests.map((r) => r.headers['paypal-request-id']),
      ['odoo-refund-R1', 'odoo-refund-R1'],
    );
  });

  it('422 is not retried and comes back as PayPalApiError with name, issues and debug_id', async () => {
    harness = await startHarness(sequence({ status: 422, body: samples.error422('ORDER_ALREADY_CAPTURED', 'dbg-422') }));
    await assert.rejects(capture(harness.client), (err: unknown) => {
      assert.ok(err instanceof PayPalApiError);
      assert.equal(err.status, 422);
      assert.equal(err.paypalName, 'UNPROCESSABLE_ENTITY');
      assert.deepEqual(err.issues, ['ORDER_ALREADY_CAPTURED']);
      assert.equal(err.paypalDetails[0]?.description, 'Issue ORDER_ALREADY_CAPTURED.');
      assert.equal(err.debugId, 'dbg-422');
      assert.equal(err.retryable, false);
      assert.equal(err.operation, 'orders.capture');
      assert.ok(hasIssue(err, 'ORDER_ALREADY_CAPTURED'));
      assert.ok(isAlreadyCaptured(err));
      assert.ok(isReconcileByReading(err));
      assert.match(err.message, /orders\.capture.*422 UNPROCESSABLE_ENTITY \[ORDER_ALREADY_CAPTURED\].*dbg-422/);
      return true;
    });
    assert.equal(harness.server.requests.length, 1);
    assert.deepEqual(harness.sleeps, []);
  });

  it('400 is not retried; field-level details are kept', async () => {
    harness = await startHarness(
      sequence({
        status: 400,
        body: {
          name: 'INVALID_REQUEST',
          message: 'Request is not well-formed, syntactically incorrect, or violates schema.',
          debug_id: 'dbg-400',
          details: [{ field: '/purchase_units/@reference_id==\'default\'/amount/value', value: '10.001', location: 'body', issue: 'DECIMAL_PRECISION', description: 'too many decimals' }],
        },
      }),
    );
    const order = { intent: 'CAPTURE' as const, purchase_units: [{ amount: { currency_code: 'EUR', value: '10.001' } }] };
    await assert.rejects(harness.client.createOrder(order, { requestId: 'odoo-tx-S1-create' }), (err: unknown) => {
      assert.ok(err instanceof PayPalApiError);
      assert.equal(err.paypalName, 'INVALID_REQUEST');
      assert.deepEqual(err.paypalDetails, [
        { issue: 'DECIMAL_PRECISION', field: "/purchase_units/@reference_id=='default'/amount/value", value: '10.001', location: 'body', description: 'too many decimals' },
      ]);
      assert.equal(err.retryable, false);
      return true;
    });
    assert.equal(harness.server.requests.length, 1);
  });

  it('timeouts are retried (same key) and reported as such', async () => {
    harness = await startHarness((_r, i) => (i === 1 ? { status: 200, hang: true } : created(samples.order())), { client: { timeoutMs: 1000 } });
    await harness.client.getOrder('WARMUP'); // token fetched outside the timed part
    const order = await capture(harness.client);
    assert.equal(order.status, 'COMPLETED');
    const captures = harness.calls.filter((c) => c.operation === 'orders.capture');
    assert.deepEqual(
      captures.map((c) => [c.attempt, c.outcome, c.status]),
      [
        [1, 'timeout', undefined],
        [2, 'ok', 201],
      ],
    );
    assert.deepEqual(
      harness.server.requests.slice(1).map((r) => r.headers['paypal-request-id']),
      ['odoo-tx-S00042-1-capture', 'odoo-tx-S00042-1-capture'],
    );
  });

  it('dropped connections are retried; when they persist the error is PayPalUnavailableError (network)', async () => {
    harness = await startHarness(sequence({ status: 0, destroy: true }, { status: 200, body: samples.capture() }));
    const captured = await harness.client.getCapture('3C679366HH908993F');
    assert.equal(captured.status, 'COMPLETED');
    assert.equal(harness.calls.filter((c) => c.operation === 'captures.get')[0]?.outcome, 'network');
    await harness.close();

    harness = await startHarness(sequence({ status: 0, destroy: true }), { client: { retry: { maxAttempts: 2 } } });
    await assert.rejects(harness.client.getCapture('3C679366HH908993F'), (err: unknown) => {
      assert.ok(err instanceof PayPalUnavailableError);
      assert.equal(err.reason, 'network');
      assert.equal(err.dependency, 'paypal');
      assert.equal(err.retryable, true);
      return true;
    });
    assert.equal(harness.server.requests.length, 2);
  });
});

describe('PayPal client: circuit breaker', () => {
  it('opens after N failed operations, fails fast without a request, half-opens after the cool-down and closes on success', async () => {
    let paypalUp = false;
    harness = await startHarness(() => (paypalUp ? { status: 200, body: samples.order() } : unavailable), {
      client: { retry: { maxAttempts: 2 }, breaker: { failureThreshold: 2, cooldownMs: 10_000 } },
    });
    const { client, metrics } = harness;
    assert.equal(metrics.paypalCircuitOpen.get(), 0);
    await assert.rejects(client.getOrder('ORDER1'), PayPalApiError);
    assert.equal(client.circuitState(), 'closed');
    await assert.rejects(client.getOrder('ORDER1'), PayPalApiError);
    assert.equal(client.circuitState(), 'open');
    assert.equal(metrics.paypalCircuitOpen.get(), 1);

    const requestsWhenOpened = harness.server.requests.length;
    await assert.rejects(capture(client), (err: unknown) => {
      assert.ok(err instanceof PayPalUnavailableError);
      assert.equal(err.reason, 'circuit_open');
      assert.equal(err.operation, 'orders.capture');
      assert.equal(err.code, 'DEPENDENCY_UNAVAILABLE');
      assert.match(err.message, /paused for another 10 s/);
      return true;
    });
    assert.equal(harness.server.requests.length, requestsWhenOpened, 'no request while open');

    harness.advance(10_000);
    assert.equal(client.circuitState(), 'half-open');
    paypalUp = true;
    const order = await client.getOrder('ORDER1');
    assert.equal(order.status, 'COMPLETED');
    assert.equal(client.circuitState(), 'closed');
    assert.equal(metrics.paypalCircuitOpen.get(), 0);
  });

  it('4xx answers do not open the circuit', async () => {
    harness = await startHarness(sequence({ status: 404, body: { name: 'RESOURCE_NOT_FOUND', message: 'The specified resource does not exist.', debug_id: 'dbg-404' } }), {
      client: { breaker: { failureThreshold: 2 } },
    });
    for (let i = 0; i < 4; i++) await assert.rejects(harness.client.getOrder('MISSING'), PayPalApiError);
    assert.equal(harness.client.circuitState(), 'closed');
    assert.equal(harness.server.requests.length, 4);
  });
});

describe('PayPal client: unusable answers', () => {
  it('a 2xx with malformed JSON is a PayPalResponseError with the debug id, not retried inside the call', async () => {
    harness = await startHarness(sequence({ status: 201, headers: { 'content-type': 'application/json', 'paypal-debug-id': 'dbg-bad-json' }, body: '{"id":"5O19' }));
    await assert.rejects(capture(harness.client), (err: unknown) => {
      assert.ok(err instanceof PayPalResponseError);
      assert.equal(err.problem, 'malformed_json');
      assert.equal(err.debugId, 'dbg-bad-json');
      assert.equal(err.retryable, true);
      assert.match(err.message, /orders\.capture with HTTP 201 but the body is not valid JSON.*dbg-bad-json/);
      return true;
    });
    assert.equal(harness.server.requests.length, 1);
  });

  it('a 2xx whose fields we rely on are wrong names them and where to fix it', async () => {
    harness = await startHarness(sequence({ status: 200, body: { ...samples.capture(), status: 'TELEPORTED', amount: { currency_code: 'EUR', value: 12.5 } } }));
    await assert.rejects(harness.client.getCapture('3C679366HH908993F'), (err: unknown) => {
      assert.ok(err instanceof PayPalResponseError);
      assert.equal(err.problem, 'unexpected_shape');
      assert.equal(err.retryable, false);
      assert.match(err.message, /status:/);
      assert.match(err.message, /amount\.value:/);
      assert.match(err.message, /schemas\.ts/);
      assert.match(err.message, /dbg-test/);
      return true;
    });
  });

  it('a 2xx with an empty body where a resource was expected', async () => {
    harness = await startHarness(sequence({ status: 200 }));
    await assert.rejects(harness.client.getRefund('1JU08902781691411'), (err: unknown) => err instanceof PayPalResponseError && err.problem === 'empty_body');
  });

  it('an error answer that is not PayPal JSON (a proxy page) still gives a usable error', async () => {
    harness = await startHarness(sequence({ status: 502, headers: { 'content-type': 'text/html', 'paypal-debug-id': '' }, body: '<html>Bad gateway</html>' }), {
      client: { retry: { maxAttempts: 1 } },
    });
    await assert.rejects(harness.client.getOrder('ORDER1'), (err: unknown) => {
      assert.ok(err instanceof PayPalApiError);
      assert.equal(err.status, 502);
      assert.equal(err.paypalName, 'HTTP_502');
      assert.match(err.paypalMessage, /text\/html/);
      assert.equal(err.retryable, true);
      return true;
    });
  });

  it('money stays a decimal string', async () => {
    harness = await startHarness(sequence({ status: 200, body: samples.capture() }));
    const c = await harness.client.getCapture('3C679366HH908993F');
    assert.equal(c.amount.value, '100.00');
    assert.equal(c.seller_receivable_breakdown?.paypal_fee?.value, '3.74');
    assert.equal((c as Record<string, unknown>)['seller_protection'] !== undefined, true, 'unknown fields pass through');
  });
});

describe('PayPal client: arguments are checked before anything is sent', () => {
  it('refuses bad PayPal-Request-Ids, ids and amounts without any request', async () => {
    harness = await startHarness(sequence(created(samples.order())));
    const { client } = harness;
    const attempts: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['missing key', () => client.captureOrder('ORDER1', { requestId: '' }), /needs a PayPal-Request-Id/],
      ['long key', () => client.captureOrder('ORDER1', { requestId: 'k'.repeat(109) }), /at most 108/],
      ['spaced key', () => client.refundCapture('CAP1', {}, { requestId: 'odoo refund' }), /printable ASCII/],
      ['path trick', () => client.getOrder('../../v1/oauth2/token'), /not a PayPal id/],
      ['float amount', () => client.refundCapture('CAP1', { amount: { currency_code: 'EUR', value: 10.5 as unknown as string } }, { requestId: 'r-1' }), /decimal string/],
      ['bad currency', () => client.captureAuthorization('AUTH1', { amount: { currency_code: 'euro', value: '1.00' } }, { requestId: 'c-1' }), /three-letter/],
      ['bad intent', () => client.createOrder({ intent: 'SALE' as 'CAPTURE', purchase_units: [{ amount: { currency_code: 'EUR', value: '1.00' } }] }, { requestId: 'o-1' }), /intent/],
      ['no units', () => client.createOrder({ intent: 'CAPTURE', purchase_units: [] }, { requestId: 'o-1' }), /purchase_units/],
      ['http webhook', () => client.createWebhook('http://bridge.example.com/webhooks/paypal', ['*']), /https/],
      ['no event types', () => client.createWebhook('https://bridge.example.com/webhooks/paypal', []), /event type/],
    ];
    for (const [label, attempt, message] of attempts) {
      await assert.rejects(attempt(), (err: unknown) => err instanceof PayPalRequestError && message.test(err.message), label);
    }
    assert.equal(harness.server.requests.length + harness.server.tokenRequests.length, 0);
  });
});

describe('PayPal client: observability', () => {
  it('logs one line per exchange, counts requests by operation and status, and reports each exchange to onCall', async () => {
    harness = await startHarness(sequence(unavailable, created(samples.order())));
    await capture(harness.client);
    const lines = harness.logger.lines.filter((l) => l['msg'] === 'paypal call' || l['msg'] === 'paypal call failed');
    assert.deepEqual(
      lines.map((l) => [l['operation'], l['status'], l['attempt'], l['debugId'], typeof l['durationMs']]),
      [
        ['oauth.token', 200, 1, 'dbg-test', 'number'],
        ['orders.capture', 503, 1, 'dbg-test', 'number'],
        ['orders.capture', 201, 2, 'dbg-test', 'number'],
      ],
    );
    assert.equal(harness.metrics.paypalRequests.get({ operation: 'orders.capture', status: '503' }), 1);
    assert.equal(harness.metrics.paypalRequests.get({ operation: 'orders.capture', status: '201' }), 1);
    const last = harness.calls.at(-1)!;
    assert.equal(last.operation, 'orders.capture');
    assert.equal(last.method, 'POST');
    assert.equal(last.path, '/v2/checkout/orders/5O190127TN364715T/capture');
    assert.equal(last.status, 201);
    assert.equal(last.requestId, 'odoo-tx-S00042-1-capture');
    assert.equal(last.debugId, 'dbg-test');
    assert.equal(last.ok, true);
    assert.ok(last.durationMs >= 0);
  });

  it('an audit hook that throws does not fail the call', async () => {
    harness = await startHarness(sequence({ status: 200, body: samples.order() }), {
      client: {
        onCall: () => {
          throw new Error('audit store down');
        },
      },
    });
    const order = await harness.client.getOrder('ORDER1');
    assert.equal(order.status, 'COMPLETED');
    assert.ok(harness.logger.lines.some((l) => l['msg'] === 'paypal onCall hook threw'));
  });
});
