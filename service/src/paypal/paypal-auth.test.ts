import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { tokenRefreshAt } from './paypal-auth.ts';
import { PayPalApiError, PayPalAuthError } from './paypal-errors.ts';
import { issueToken, samples, startHarness, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TOKEN_LIFETIME_SECONDS, type Harness } from './test-server.ts';

const okOrder = () => ({ status: 200, body: samples.order() });

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('tokenRefreshAt', () => {
  it('refreshes 5 minutes early for long tokens and at 90% of the life of short ones', () => {
    assert.equal(tokenRefreshAt(0, 32_400), 32_400_000 - 300_000);
    assert.equal(tokenRefreshAt(1000, 60), 1000 + 54_000);
    assert.equal(tokenRefreshAt(0, 3000), 3_000_000 - 300_000);
  });
});

describe('PayPal OAuth token', () => {
  it('asks for a client-credentials token with Basic auth and a form body, then reuses it', async () => {
    harness = await startHarness(okOrder);
    await harness.client.getOrder('ORDER1');
    await harness.client.getOrder('ORDER2');
    await harness.client.getCapture('CAPTURE1').catch(() => undefined);

    assert.equal(harness.server.tokenRequests.length, 1);
    const tokenRequest = harness.server.tokenRequests[0]!;
    assert.equal(tokenRequest.method, 'POST');
    assert.equal(tokenRequest.headers['authorization'], `Basic ${Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString('base64')}`);
    assert.equal(tokenRequest.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(tokenRequest.body, 'grant_type=client_credentials');
    assert.deepEqual(
      harness.server.requests.map((r) => r.headers['authorization']),
      ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1'],
    );
  });

  it('refreshes shortly before expires_in, not after', async () => {
    harness = await startHarness(okOrder);
    await harness.client.getOrder('ORDER1');
    harness.advance(TOKEN_LIFETIME_SECONDS * 1000 - 5 * 60_000 - 1);
    await harness.client.getOrder('ORDER1');
    assert.equal(harness.server.tokenRequests.length, 1, 'still inside the token life minus 5 minutes');
    harness.advance(1);
    await harness.client.getOrder('ORDER1');
    assert.equal(harness.server.tokenRequests.length, 2);
    assert.deepEqual(
      harness.server.requests.map((r) => r.headers['authorization']),
      ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2'],
    );
  });

  it('refreshes a short token once 90% of its life has passed', async () => {
    harness = await startHarness(okOrder, { token: (_r, i) => ({ status: 200, body: { access_token: `short-${i + 1}`, token_type: 'Bearer', expires_in: 100 } }) });
    await harness.client.getOrder('ORDER1');
    harness.advance(89_999);
    await harness.client.getOrder('ORDER1');
    harness.advance(1);
    await harness.client.getOrder('ORDER1');
    assert.deepEqual(
      harness.server.requests.map((r) => r.headers['authorization']),
      ['Bearer short-1', 'Bearer short-1', 'Bearer short-2'],
    );
  });

  it('20 concurrent calls without a token make exactly one token request', async () => {
    harness = await startHarness(okOrder);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => harness!.client.getOrder(`ORDER${i}`)));
    assert.equal(results.length, 20);
    assert.equal(harness.server.tokenRequests.length, 1);
    assert.equal(harness.server.requests.length, 20);
    assert.ok(harness.server.requests.every((r) => r.headers['authorization'] === 'Bearer tok-1'));
  });

  it('keeps using the current token when an early refresh fails transiently', async () => {
    harness = await startHarness(okOrder, {
      token: (r, i) => (i === 0 ? issueToken(r, i) : { status: 503, body: { name: 'SERVICE_UNAVAILABLE', message: 'try later', debug_id: 'dbg-503' } }),
    });
    await harness.client.getOrder('ORDER1');
    harness.advance(TOKEN_LIFETIME_SECONDS * 1000 - 60_000); // inside the early-refresh window, not expired
    await harness.client.getOrder('ORDER1');
    assert.equal(harness.server.tokenRequests.length, 2);
    assert.deepEqual(
      harness.server.requests.map((r) => r.headers['authorization']),
      ['Bearer tok-1', 'Bearer tok-1'],
    );
  });

  it('retries a token request that failed with 5xx as part of the operation', async () => {
    harness = await startHarness(okOrder, {
      token: (r, i) => (i === 0 ? { status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: 'boom' } } : issueToken(r, i)),
    });
    const order = await harness.client.getOrder('ORDER1');
    assert.equal(order.id, '5O190127TN364715T');
    assert.equal(harness.server.tokenRequests.length, 2);
    assert.equal(harness.sleeps.length, 1);
  });

  it('bad credentials: PayPalAuthError naming the settings to check, not retried, no API call', async () => {
    harness = await startHarness(okOrder, {
      token: () => ({ status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } }),
    });
    await assert.rejects(harness.client.captureOrder('ORDER1', { requestId: 'odoo-tx-S1-capture' }), (err: unknown) => {
      assert.ok(err instanceof PayPalAuthError, String(err));
      assert.ok(err instanceof PayPalApiError);
      assert.equal(err.retryable, false);
      assert.equal(err.status, 401);
      assert.equal(err.paypalName, 'invalid_client');
      assert.equal(err.code, 'PAYPAL_AUTH_FAILED');
      assert.match(err.message, /Client Authentication failed/);
      assert.match(err.message, /PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET/);
      assert.match(err.message, /PAYPAL_API_BASE/);
      assert.match(err.message, /sandbox/);
      return true;
    });
    assert.equal(harness.server.tokenRequests.length, 1);
    assert.equal(harness.server.requests.length, 0);
    assert.equal(harness.client.circuitState(), 'closed', 'refused credentials are not an outage');
  });

  it('a 401 on an API call drops the token and retries once with a fresh one', async () => {
    harness = await startHarness((_r, i) =>
      i === 0 ? { status: 401, body: { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to invalid authentication credentials or a missing Authorization header.', debug_id: 'dbg-401' } } : okOrder(),
    );
    const order = await harness.client.getOrder('ORDER1');
    assert.equal(order.status, 'COMPLETED');
    assert.equal(harness.server.tokenRequests.length, 2);
    assert.deepEqual(
      harness.server.requests.map((r) => r.headers['authorization']),
      ['Bearer tok-1', 'Bearer tok-2'],
    );
    assert.deepEqual(harness.sleeps, [], 'a token refresh is not a backoff retry');
  });

  it('a second 401 with a fresh token is a PayPalAuthError, not a loop', async () => {
    harness = await startHarness(() => ({ status: 401, body: { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed.', debug_id: 'dbg-401' } }));
    await assert.rejects(harness.client.getOrder('ORDER1'), (err: unknown) => {
      assert.ok(err instanceof PayPalAuthError);
      assert.equal(err.debugId, 'dbg-401');
      assert.match(err.message, /freshly issued access token/);
      return true;
    });
    assert.equal(harness.server.tokenRequests.length, 2);
    assert.equal(harness.server.requests.length, 2);
  });

  it('never logs the secret, the token, the Basic credentials or the payer', async () => {
    harness = await startHarness(okOrder);
    await harness.client.getOrder('ORDER1');
    await harness.client.captureOrder('ORDER1', { requestId: 'odoo-tx-S1-capture' });
    const logged = JSON.stringify(harness.logger.lines);
    assert.ok(harness.logger.lines.length >= 3, 'each call is logged');
    for (const secret of [TEST_CLIENT_SECRET, 'tok-1', Buffer.from(`${TEST_CLIENT_ID}:${TEST_CLIENT_SECRET}`).toString('base64'), 'john@example.com', 'Doe']) {
      assert.ok(!logged.includes(secret), `log lines contain ${secret}`);
    }
  });
});
