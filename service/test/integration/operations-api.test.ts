// The operations API Odoo's server calls for its standard Capture, Void and Refund buttons
// (odoo_addon/README.md, "Service endpoints Odoo's server calls"), on the real service with the
// PayPal and Odoo simulators: PayPal is called with Odoo's request_id as PayPal-Request-Id (so a
// repeated request executes once), only for a PayPal id of the transaction the server token names,
// and PayPal's refusals come back with PayPal's own name, issues and debug id.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Harness } from '../support/service-harness.ts';
import {
  authorizeAtPayPal,
  callApi,
  checkoutToken,
  odooRequestId,
  operationsApi,
  payAtPayPal,
  paymentView,
  paypalSide,
  serverToken,
  settle,
  startWriteback,
} from '../support/writeback.ts';

const AMOUNT = '42.50';

let h: Harness;
let ops: ReturnType<typeof operationsApi>;
let seq = 0;

before(async () => {
  h = await startWriteback();
  ops = operationsApi(h.service.url);
});
after(async () => {
  await h?.close();
});

async function authorized() {
  const fx = h.odoo!.createSaleOrderWithTransaction({ amount: AMOUNT });
  const { authorizationId } = await authorizeAtPayPal(paypalSide(h.sim), { reference: fx.reference, amount: AMOUNT });
  await settle(h);
  assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'authorized');
  return { reference: fx.reference, authorizationId };
}

async function captured() {
  const fx = h.odoo!.createSaleOrderWithTransaction({ amount: AMOUNT });
  const { captureId } = await payAtPayPal(paypalSide(h.sim), { reference: fx.reference, amount: AMOUNT });
  await settle(h);
  assert.equal(paymentView(h.odoo!, fx.reference).tx.state, 'done');
  return { reference: fx.reference, captureId };
}

const requestId = () => odooRequestId(`operations-${++seq}-${Date.now()}`);

function paypalCalls(path: string) {
  return h.sim.requests.filter((r) => r.method === 'POST' && r.path === path);
}

describe('operations API (Odoo\'s Capture, Void and Refund buttons)', () => {
  test('full capture: PayPal is called with Odoo\'s request_id; the answer carries the capture, its fee and net', async () => {
    const { reference, authorizationId } = await authorized();
    const id = requestId();
    const r = await ops.capture({ reference, authorization_id: authorizationId, amount: AMOUNT, currency: 'USD', final_capture: true, request_id: id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.status, 'COMPLETED');
    assert.equal(r.body.amount, AMOUNT);
    assert.equal(r.body.currency, 'USD');
    const capture = h.sim.state.captures.get(r.body.capture_id);
    assert.ok(capture);
    assert.equal(capture.authorizationId, authorizationId);
    assert.equal(r.body.fee, (Number(capture.feeMinor) / 100).toFixed(2));
    assert.equal(r.body.net, (Number(capture.amountMinor - capture.feeMinor) / 100).toFixed(2));
    const calls = paypalCalls(`/v2/payments/authorizations/${authorizationId}/capture`);
    assert.deepEqual(calls.map((c) => c.headers['paypal-request-id']), [id]);
    assert.deepEqual(calls[0]?.body, { amount: { currency_code: 'USD', value: AMOUNT }, final_capture: true });
    assert.equal(h.sim.state.authorizations.get(authorizationId)?.status, 'CAPTURED');
  });

  test('partial capture: the amount asked, the authorization left open; the same request_id again executes once', async () => {
    const { reference, authorizationId } = await authorized();
    const id = requestId();
    const body = { reference, authorization_id: authorizationId, amount: '10.00', currency: 'USD', final_capture: false, request_id: id };
    const first = await ops.capture(body);
    const again = await ops.capture(body);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(first.body.amount, '10.00');
    assert.equal(again.body.capture_id, first.body.capture_id, 'the repeat answers the first capture');
    const auth = h.sim.state.authorizations.get(authorizationId);
    assert.equal(auth?.status, 'PARTIALLY_CAPTURED');
    assert.equal(auth?.captureIds.length, 1, 'one capture at PayPal');
    assert.deepEqual(paypalCalls(`/v2/payments/authorizations/${authorizationId}/capture`).map((c) => c.headers['paypal-request-id']), [id, id]);
    // The next operation (a new request_id) captures the rest.
    const rest = await ops.capture({ ...body, amount: '32.50', final_capture: true, request_id: requestId() });
    assert.equal(rest.status, 200, JSON.stringify(rest.body));
    assert.notEqual(rest.body.capture_id, first.body.capture_id);
    assert.equal(h.sim.state.authorizations.get(authorizationId)?.status, 'CAPTURED');
  });

  test('void: VOIDED with Odoo\'s request_id; the same request again executes once; a void of a voided authorization reads it back', async () => {
    const { reference, authorizationId } = await authorized();
    const id = requestId();
    const first = await ops.void({ reference, authorization_id: authorizationId, request_id: id });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { authorization_id: authorizationId, status: 'VOIDED' });
    const again = await ops.void({ reference, authorization_id: authorizationId, request_id: id });
    assert.deepEqual(again.body, first.body);
    const calls = paypalCalls(`/v2/payments/authorizations/${authorizationId}/void`);
    assert.deepEqual(calls.map((c) => c.headers['paypal-request-id']), [id, id]);
    // PayPal's document gives void no PayPal-Request-Id: the repeat is refused as PREVIOUSLY_VOIDED,
    // which the service reads back rather than fail. Either way PayPal voids once.
    assert.deepEqual(calls.map((c) => c.status), [200, 422]);
    const voidedEvents = h.sim.state.events.filter((e) => e.event_type === 'PAYMENT.AUTHORIZATION.VOIDED' && e.resource['id'] === authorizationId);
    assert.equal(voidedEvents.length, 1, 'voided once');
    const later = await ops.void({ reference, authorization_id: authorizationId, request_id: requestId() });
    assert.equal(later.status, 200, JSON.stringify(later.body));
    assert.equal(later.body.status, 'VOIDED');
    assert.equal(h.sim.state.authorizations.get(authorizationId)?.status, 'VOIDED');
  });

  test('refund: the refund with its own id and amount; the same request_id twice refunds once', async () => {
    const { reference, captureId } = await captured();
    const id = requestId();
    const body = { reference, capture_id: captureId, amount: '5.00', currency: 'USD', request_id: id };
    const [first, again] = [await ops.refund(body), await ops.refund(body)];
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(Object.keys(first.body).sort(), ['amount', 'currency', 'refund_id', 'status']);
    assert.equal(first.body.amount, '5.00');
    assert.equal(first.body.status, 'COMPLETED');
    assert.equal(again.body.refund_id, first.body.refund_id);
    assert.deepEqual(h.sim.state.captures.get(captureId)?.refundIds, [first.body.refund_id], 'one refund at PayPal');
    assert.deepEqual(paypalCalls(`/v2/payments/captures/${captureId}/refund`).map((c) => c.headers['paypal-request-id']), [id, id]);
  });

  test('token errors: a checkout token, a token without the operations scope, for another reference, expired or forged: refused, PayPal never called', async () => {
    const { reference, captureId } = await captured();
    const other = await captured();
    const before = h.sim.requests.length;
    const body = { reference, capture_id: captureId, amount: '1.00', currency: 'USD', request_id: requestId() };
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string, number, string][] = [
      ['a checkout token', checkoutToken(reference), 401, 'TOKEN_INVALID'],
      ['without the operations scope', serverToken(reference, { scp: ['checkout'] }), 403, 'TOKEN_SCOPE_MISSING'],
      ['for another reference', serverToken(other.reference), 403, 'TOKEN_REFERENCE_MISMATCH'],
      ['expired', serverToken(reference, { iat: now - 120, exp: now - 60 }), 401, 'TOKEN_INVALID'],
      ['forged', serverToken(reference, {}, 'another-secret-of-at-least-32-characters'), 401, 'TOKEN_INVALID'],
      ['for another database', serverToken(reference, { db: 'odoo17' }), 401, 'TOKEN_INVALID'],
    ];
    for (const [what, tok, status, error] of cases) {
      const r = await ops.refund(body, tok);
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, error, what);
    }
    const none = await callApi(h.service.url, '/v1/operations/refund', { body });
    assert.equal(none.status, 401);
    assert.equal(h.sim.requests.length, before, 'nothing reached PayPal');
    assert.deepEqual(h.sim.state.captures.get(captureId)?.refundIds, []);
  });

  test('a PayPal id that does not belong to the transaction named by the token: 403, PayPal never called', async () => {
    const mine = await captured();
    const theirs = await captured();
    const auth = await authorized();
    const before = h.sim.requests.length;
    const refund = await ops.refund({ reference: mine.reference, capture_id: theirs.captureId, amount: '1.00', currency: 'USD', request_id: requestId() });
    assert.equal(refund.status, 403, JSON.stringify(refund.body));
    assert.equal(refund.body.error, 'NOT_THIS_TRANSACTION');
    assert.match(refund.body.message, new RegExp(`${theirs.captureId} does not belong to ${mine.reference}`));
    const capture = await ops.capture({ reference: mine.reference, authorization_id: auth.authorizationId, amount: AMOUNT, currency: 'USD', final_capture: true, request_id: requestId() });
    assert.equal(capture.status, 403);
    const voided = await ops.void({ reference: mine.reference, authorization_id: auth.authorizationId, request_id: requestId() });
    assert.equal(voided.status, 403);
    const unknown = await ops.refund({ reference: mine.reference, capture_id: 'NOSUCHCAPTURE01', amount: '1.00', currency: 'USD', request_id: requestId() });
    assert.equal(unknown.status, 403);
    assert.equal(h.sim.requests.length, before, 'nothing reached PayPal');
    assert.equal(h.sim.state.authorizations.get(auth.authorizationId)?.status, 'CREATED');
  });

  test('PayPal refusing (a refund over what is left): 422 with PayPal\'s name, issues and debug id; nothing booked', async () => {
    const { reference, captureId } = await captured();
    const r = await ops.refund({ reference, capture_id: captureId, amount: '50.00', currency: 'USD', request_id: requestId() });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error, 'PAYPAL_ERROR');
    assert.match(r.body.message, /^PayPal refused: UNPROCESSABLE_ENTITY/);
    assert.equal(r.body.paypal.name, 'UNPROCESSABLE_ENTITY');
    assert.match(r.body.paypal.debug_id, /^[0-9a-f]{8,}$/);
    assert.equal(r.body.paypal.issues[0]?.issue, 'REFUND_AMOUNT_EXCEEDED');
    assert.equal(typeof r.body.paypal.issues[0]?.description, 'string');
    const [call] = paypalCalls(`/v2/payments/captures/${captureId}/refund`);
    assert.equal(call?.status, 422);
    assert.deepEqual(h.sim.state.captures.get(captureId)?.refundIds, []);
    assert.deepEqual(paymentView(h.odoo!, reference).refunds, []);
  });

  test('a body Odoo would never send is refused with 400 (unknown key, float amount, missing request_id, not JSON)', async () => {
    const { reference, captureId } = await captured();
    const base = { reference, capture_id: captureId, amount: '1.00', currency: 'USD', request_id: requestId() };
    const bodies: Record<string, unknown>[] = [
      { ...base, extra: 1 },
      { ...base, amount: 1 },
      { reference, capture_id: captureId, amount: '1.00', currency: 'USD' },
      { ...base, currency: 'usd' },
    ];
    for (const body of bodies) {
      const r = await callApi(h.service.url, '/v1/operations/refund', { token: serverToken(reference), body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error, 'BAD_REQUEST');
    }
    const notJson = await callApi(h.service.url, '/v1/operations/refund', { token: serverToken(reference), body: '{"reference":', headers: { 'content-type': 'application/json' } });
    assert.equal(notJson.status, 400, JSON.stringify(notJson.body));
    assert.deepEqual(h.sim.state.captures.get(captureId)?.refundIds, []);
  });
});
