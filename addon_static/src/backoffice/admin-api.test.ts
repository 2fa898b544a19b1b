import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActionKeys, AdminServiceError, createAdminApi, newIdempotencyKey } from './admin-api.ts';
import { AdminSession } from './admin-session.ts';

interface Sent {
  url: string;
  method: string;
  token: string;
  body: unknown;
}

/** A service answering from a script: one (status, body) per request, in order. */
function fakeService(answers: [number, unknown][]) {
  const sent: Sent[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    const headers = init?.headers as Record<string, string>;
    sent.push({ url: String(url), method: init?.method ?? 'GET', token: (headers['Authorization'] ?? '').replace('Bearer ', ''), body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const next = answers.shift();
    if (!next) throw new TypeError('Failed to fetch');
    const [status, body] = next;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { sent, fetch: fetchFn };
}

function sessions() {
  let n = 0;
  return new AdminSession(async () => ({ token: `tok-${++n}`, service_url: 'https://bridge.example.com', expires_at: Math.floor(Date.now() / 1000) + 600, scopes: [] }));
}

describe('the admin API client', () => {
  test('sends the token and the body the service expects', async () => {
    const service = fakeService([[200, { result: 'applied', detail: 'booked', refund_id: 'R1', refund_status: 'COMPLETED' }], [200, { events: [{ event_id: 'WH-1' }] }]]);
    const api = createAdminApi(sessions(), { fetch: service.fetch });
    const answer = await api.refund('S00042-1', '12.50', 'key-0001');
    assert.equal(answer.refund_id, 'R1');
    assert.deepEqual(service.sent[0], { url: 'https://bridge.example.com/v1/admin/transactions/S00042-1/refund', method: 'POST', token: 'tok-1', body: { amount: '12.50', idempotency_key: 'key-0001' } });
    assert.deepEqual(await api.deadEvents(20), [{ event_id: 'WH-1' }]);
    assert.equal(service.sent[1]?.url, 'https://bridge.example.com/v1/admin/events?status=dead&limit=20');
    assert.equal(service.sent[1]?.body, undefined);
  });

  test('references are escaped in the path', async () => {
    const service = fakeService([[200, { reference: 'a/b', timeline: [] }]]);
    await createAdminApi(sessions(), { fetch: service.fetch }).timeline('a/b c');
    assert.equal(service.sent[0]?.url, 'https://bridge.example.com/v1/admin/transactions/a%2Fb%20c/timeline');
  });

  test('a 401 renews the session and sends the request once more', async () => {
    const service = fakeService([[401, { error: 'TOKEN_INVALID', message: 'token signature is invalid' }], [200, { result: 'applied', detail: 'ok' }]]);
    const api = createAdminApi(sessions(), { fetch: service.fetch });
    await api.sync('S1');
    assert.deepEqual(service.sent.map((s) => s.token), ['tok-1', 'tok-2']);
  });

  test('a second 401 is reported with what to check', async () => {
    const service = fakeService([[401, { error: 'TOKEN_INVALID', message: 'token signature is invalid' }], [401, { error: 'TOKEN_INVALID', message: 'token signature is invalid' }]]);
    const err = await createAdminApi(sessions(), { fetch: service.fetch }).sync('S1').catch((e: unknown) => e);
    assert.ok(err instanceof AdminServiceError);
    assert.equal(err.status, 401);
    assert.equal(err.code, 'TOKEN_INVALID');
    assert.match(err.message, /Bridge Secret equals the service's BRIDGE_SECRET/);
    assert.equal(err.outcomeUnknown, false);
  });

  test("refusals keep the service's code and PayPal's name and debug id; unknown outcomes are told apart", async () => {
    const service = fakeService([
      [422, { error: 'AMOUNT_TOO_LARGE', message: 'at most 32.50 USD can be refunded on S1' }],
      [502, { error: 'PAYPAL_ERROR', message: 'PayPal refused: INTERNAL_SERVER_ERROR', paypal: { name: 'INTERNAL_SERVER_ERROR', debug_id: 'dbg-1', issues: [] } }],
      [504, '<html>Gateway Timeout</html>'],
    ]);
    const api = createAdminApi(sessions(), { fetch: service.fetch });
    const refused = (await api.refund('S1', '40.00', 'k-00000001').catch((e: unknown) => e)) as AdminServiceError;
    assert.equal(refused.code, 'AMOUNT_TOO_LARGE');
    assert.equal(refused.message, 'at most 32.50 USD can be refunded on S1');
    assert.equal(refused.outcomeUnknown, false);
    const paypal = (await api.refund('S1', '1.00', 'k-00000002').catch((e: unknown) => e)) as AdminServiceError;
    assert.equal(paypal.paypalName, 'INTERNAL_SERVER_ERROR');
    assert.equal(paypal.paypalDebugId, 'dbg-1');
    assert.equal(paypal.outcomeUnknown, true);
    const proxy = (await api.refund('S1', '1.00', 'k-00000002').catch((e: unknown) => e)) as AdminServiceError;
    assert.equal(proxy.code, 'UNAVAILABLE');
    assert.equal(proxy.outcomeUnknown, true);
    const network = (await api.refund('S1', '1.00', 'k-00000002').catch((e: unknown) => e)) as AdminServiceError;
    assert.equal(network.code, 'NETWORK');
    assert.equal(network.status, 0);
    assert.match(network.message, /BRIDGE_ALLOWED_ORIGINS/);
  });
});

describe('idempotency keys per action', () => {
  test('kept while the outcome is unknown, new once the service answered', () => {
    const keys = new ActionKeys();
    const first = keys.key('refund:S1:10.00');
    assert.equal(keys.key('refund:S1:10.00'), first, 'a retry reuses the key');
    assert.notEqual(keys.key('refund:S1:12.00'), first, 'another amount is another action');
    keys.settle('refund:S1:10.00');
    assert.notEqual(keys.key('refund:S1:10.00'), first);
  });

  test('keys are what the service accepts (8 to 64 letters, digits or dashes) and random', () => {
    const a = newIdempotencyKey();
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(newIdempotencyKey(), a);
  });
});
