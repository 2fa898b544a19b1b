// The back office API: every action, every token failure, against the real service with the
// PayPal and Odoo simulators.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { issueToken, type TokenPayload } from '../../src/auth/bridge-token.ts';
import { stableRequestId } from '../../src/paypal/index.ts';
import { finishRequestId } from '../../src/sync/payment-sync.ts';
import { paypalClientFor } from '../support/lifecycles.ts';
import { startHarness, TEST_BRIDGE_SECRET, waitFor, type Harness } from '../support/service-harness.ts';

const ALL_SCOPES = ['read', 'sync', 'capture', 'void', 'refund', 'replay'];
let h: Harness;

function token(overrides: Partial<TokenPayload> = {}, secret = TEST_BRIDGE_SECRET): string {
  const now = Math.floor(Date.now() / 1000);
  return issueToken(secret, { typ: 'admin', sub: 2, db: h.odoo!.db, scp: ALL_SCOPES, iat: now, exp: now + 600, ...overrides });
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown, auth: string | null = token(), origin?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers['authorization'] = `Bearer ${auth}`;
  if (origin) headers['origin'] = origin;
  const response = await fetch(`${h.service.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
}

/** A paid transaction in the Odoo simulator, captured at PayPal through the checkout path. */
async function paidTransaction(amount = '42.50', captureManually = false): Promise<string> {
  const fx = h.odoo!.createSaleOrderWithTransaction({ amount, currency: 'USD', captureManually });
  const paypal = paypalClientFor(h.sim);
  const order = await paypal.createOrder(
    { intent: captureManually ? 'AUTHORIZE' : 'CAPTURE', purchase_units: [{ custom_id: fx.reference, invoice_id: `INV-${fx.reference}`, amount: { currency_code: 'USD', value: amount } }] },
    { requestId: stableRequestId('test', fx.reference, 'create') },
  );
  await h.sim.approveOrder(order.id);
  const result = await h.service.sync.finishOrder(order.id, { reference: fx.reference });
  assert.equal(result.state, captureManually ? 'authorized' : 'done', result.detail);
  assert.ok(finishRequestId(fx.reference, order.id, 'CAPTURE'));
  return fx.reference;
}

before(async () => {
  h = await startHarness({ odoo: true, subscribe: true, env: { BRIDGE_ALLOWED_ORIGINS: 'https://erp.example.com' } });
});
after(async () => {
  await h.close();
});

describe('tokens', () => {
  test('401 on a missing, forged, expired, wrong-type or other-database token; 403 on a missing scope', async () => {
    const reference = await paidTransaction();
    const path = `/v1/admin/transactions/${reference}/timeline`;
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await call('GET', path, undefined, null)).status, 401);
    assert.equal((await call('GET', path, undefined, token({}, 'another-secret-another-secret-another'))).status, 401);
    assert.equal((await call('GET', path, undefined, token({ iat: now - 1200, exp: now - 600 }))).status, 401);
    assert.equal((await call('GET', path, undefined, token({ typ: 'checkout', ref: reference }))).status, 401);
    assert.equal((await call('GET', path, undefined, token({ db: 'other-db' }))).status, 401);
    const noScope = await call('POST', `/v1/admin/transactions/${reference}/refund`, { amount: '1.00', idempotency_key: randomUUID() }, token({ scp: ['read'] }));
    assert.equal(noScope.status, 403);
    assert.equal(noScope.body['error'], 'TOKEN_SCOPE_MISSING');
    assert.equal((await call('GET', path)).status, 200);
  });

  test('CORS only for the configured Odoo origin', async () => {
    const reference = await paidTransaction();
    const ok = await call('GET', `/v1/admin/transactions/${reference}/timeline`, undefined, token(), 'https://erp.example.com');
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://erp.example.com');
    const other = await call('GET', `/v1/admin/transactions/${reference}/timeline`, undefined, token(), 'https://evil.example.com');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${h.service.url}/v1/admin/health`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } });
    assert.equal(preflight.status, 403);
  });
});

describe('actions', () => {
  test('a partial refund, an over-large one refused, the timeline showing both the webhook and the action', async () => {
    const reference = await paidTransaction('42.50');
    const tooMuch = await call('POST', `/v1/admin/transactions/${reference}/refund`, { amount: '42.51', idempotency_key: randomUUID() });
    assert.equal(tooMuch.status, 422);
    assert.equal(tooMuch.body['error'], 'AMOUNT_TOO_LARGE');
    assert.match(tooMuch.body['message'], /at most 42.50 USD/);
    const key = randomUUID();
    const refund = await call('POST', `/v1/admin/transactions/${reference}/refund`, { amount: '10.00', idempotency_key: key });
    assert.equal(refund.status, 200, JSON.stringify(refund.body));
    assert.equal(refund.body['transaction']['paypal_refund_status'], 'partially_refunded');
    assert.equal(refund.body['transaction']['refunded_amount'], '10.00');
    // The same click sent again refunds once.
    const again = await call('POST', `/v1/admin/transactions/${reference}/refund`, { amount: '10.00', idempotency_key: key });
    assert.equal(again.status, 200);
    assert.equal(again.body['refund_id'], refund.body['refund_id']);
    assert.equal(again.body['transaction']['refunded_amount'], '10.00');
    // What is left is checked against what was refunded.
    const rest = await call('POST', `/v1/admin/transactions/${reference}/refund`, { amount: '32.51', idempotency_key: randomUUID() });
    assert.equal(rest.status, 422);
    // The webhook PayPal sends for the refund finds it booked.
    await h.sim.idle();
    await waitFor(async () => (await h.service.store.list({ reference: refund.body['refund_id'] as string })).some((e) => e.status === 'done'), 'the refund webhook to be applied');
    const timeline = await call('GET', `/v1/admin/transactions/${reference}/timeline`);
    assert.equal(timeline.status, 200);
    const kinds = (timeline.body['timeline'] as Array<{ kind: string; summary: string }>).map((e) => e.kind);
    for (const kind of ['webhook.received', 'paypal.call', 'odoo.write', 'admin.action']) assert.ok(kinds.includes(kind), `${kind} missing from ${kinds.join(', ')}`);
    assert.equal(h.odoo!.state().transactions.filter((t) => t.operation === 'refund' && t.source_reference === reference).length, 1);
  });

  test('capture part of an authorization, then void the rest', async () => {
    const reference = await paidTransaction('30.00', true);
    const big = await call('POST', `/v1/admin/transactions/${reference}/capture`, { amount: '30.01', idempotency_key: randomUUID() });
    assert.equal(big.status, 422);
    const part = await call('POST', `/v1/admin/transactions/${reference}/capture`, { amount: '12.00', idempotency_key: randomUUID() });
    assert.equal(part.status, 200, JSON.stringify(part.body));
    assert.equal(part.body['transaction']['captured_amount'], '12.00');
    const voided = await call('POST', `/v1/admin/transactions/${reference}/void`, { idempotency_key: randomUUID() });
    assert.equal(voided.status, 200, JSON.stringify(voided.body));
    const tx = h.odoo!.state().transactions.find((t) => t.reference === reference)!;
    assert.notEqual(tx.state, 'authorized');
  });

  test('sync re-reads PayPal; replay re-queues a dead event; health shows the queue and activity', async () => {
    const reference = await paidTransaction();
    const synced = await call('POST', `/v1/admin/transactions/${reference}/sync`, {});
    assert.equal(synced.status, 200);
    assert.equal(synced.body['transaction']['state'], 'done');

    // A dead event: Odoo refuses it for good (a final error), then it is replayed after the fix.
    h.odoo!.failNext(1, 'ValidationError', { method: 'paypal_bridge_apply_payment' });
    const fx = h.odoo!.createSaleOrderWithTransaction({ amount: '5.00', currency: 'USD' });
    const event = h.sim.buildEvent('PAYMENT.CAPTURE.COMPLETED', { id: `CAP-${randomUUID().slice(0, 8)}`, status: 'COMPLETED', amount: { currency_code: 'USD', value: '5.00' }, custom_id: fx.reference });
    assert.equal((await h.deliver(event)).status, 200);
    await waitFor(async () => (await h.service.store.get(event.id))?.status === 'dead', 'the event to go dead');
    const dead = await call('GET', '/v1/admin/events?status=dead');
    assert.ok((dead.body['events'] as Array<{ event_id: string }>).some((e) => e.event_id === event.id));
    const replay = await call('POST', `/v1/admin/events/${event.id}/replay`, {});
    assert.equal(replay.status, 200);
    await waitFor(async () => (await h.service.store.get(event.id))?.status === 'done', 'the replayed event to be applied');
    assert.equal(h.odoo!.state().transactions.find((t) => t.reference === fx.reference)?.state, 'done');

    const health = await call('GET', '/v1/admin/health?hours=2');
    assert.equal(health.status, 200);
    assert.equal(health.body['store'], 'sqlite');
    assert.equal(health.body['paypal_circuit'], 'closed');
    assert.ok(health.body['queue']['done'] >= 1);
    assert.ok((health.body['activity'] as Array<{ received: number; failed: number }>).reduce((n, b) => n + b.received, 0) >= 1);
    assert.ok((health.body['activity'] as Array<{ failed: number }>).reduce((n, b) => n + b.failed, 0) >= 1);
    assert.equal(health.body['webhook_silence_alert'], false);
  });
});

describe('reconciliation from the back office', () => {
  test('start a run, see a payment missing in Odoo, repair it in one click, export CSV', async () => {
    // A payment PayPal captured whose events never reached the service: Odoo does not know it.
    h.sim.pauseDelivery();
    const fx = h.odoo!.createSaleOrderWithTransaction({ amount: '27.00', currency: 'USD' });
    const paypal = paypalClientFor(h.sim);
    const order = await paypal.createOrder(
      { intent: 'CAPTURE', purchase_units: [{ custom_id: fx.reference, invoice_id: `INV-${fx.reference}`, amount: { currency_code: 'USD', value: '27.00' } }] },
      { requestId: stableRequestId('test', fx.reference, 'create') },
    );
    await h.sim.approveOrder(order.id);
    const captured = await paypal.captureOrder(order.id, { requestId: stableRequestId('test', fx.reference, 'capture') });
    const captureId = captured.purchase_units![0]!.payments!.captures![0]!.id;

    const day = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const denied = await call('POST', '/v1/admin/reconcile/runs', { from: day, to: tomorrow }, token({ scp: ['read'] }));
    assert.equal(denied.status, 403);
    const started = await call('POST', '/v1/admin/reconcile/runs', { from: day, to: tomorrow });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    let runId = started.body['run']?.['id'] as number | undefined;
    await waitFor(async () => {
      const runs = await call('GET', '/v1/admin/reconcile/runs');
      const run = (runs.body['runs'] as Array<{ id: number; status: string }>)[0];
      runId ??= run?.id;
      return run?.status === 'completed';
    }, 'the reconciliation run to complete');
    const list = await call('GET', `/v1/admin/reconcile/runs/${runId}/discrepancies`);
    assert.equal(list.status, 200);
    const missing = (list.body['discrepancies'] as Array<{ id: number; kind: string; paypal_id: string; status: string }>).find((d) => d.paypal_id === captureId);
    assert.ok(missing, JSON.stringify(list.body['discrepancies']));
    assert.equal(missing.kind, 'missing_in_odoo');

    const csv = await fetch(`${h.service.url}/v1/admin/reconcile/runs/${runId}/csv`, { headers: { authorization: `Bearer ${token()}` } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(await csv.text(), new RegExp(`missing_in_odoo,open,[a-z_]*,${captureId}`));

    const repaired = await call('POST', `/v1/admin/reconcile/discrepancies/${missing.id}/repair`, {});
    assert.equal(repaired.status, 200, JSON.stringify(repaired.body));
    assert.equal(repaired.body['discrepancy']['status'], 'repaired');
    assert.equal(h.odoo!.state().transactions.find((t) => t.reference === fx.reference)?.state, 'done');
    h.sim.resumeDelivery();
  });

  test('discrepancies page by page and by kind; the run counts what repairs changed since; bad parameters are refused', async () => {
    // Two payments PayPal captured whose events never reached the service.
    h.sim.pauseDelivery();
    const paypal = paypalClientFor(h.sim);
    const captureIds: string[] = [];
    for (const amount of ['11.00', '12.00']) {
      const fx = h.odoo!.createSaleOrderWithTransaction({ amount, currency: 'USD' });
      const order = await paypal.createOrder(
        { intent: 'CAPTURE', purchase_units: [{ custom_id: fx.reference, invoice_id: `INV-${fx.reference}`, amount: { currency_code: 'USD', value: amount } }] },
        { requestId: stableRequestId('test', fx.reference, 'create') },
      );
      await h.sim.approveOrder(order.id);
      const captured = await paypal.captureOrder(order.id, { requestId: stableRequestId('test', fx.reference, 'capture') });
      captureIds.push(captured.purchase_units![0]!.payments!.captures![0]!.id);
    }
    try {
      const day = new Date().toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const started = await call('POST', '/v1/admin/reconcile/runs', { from: day, to: tomorrow });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const runId = started.body['run']['id'] as number;
      assert.equal(typeof started.body['run']['heartbeat_at'], 'string');
      await waitFor(async () => (await call('GET', `/v1/admin/reconcile/runs/${runId}/discrepancies?limit=1`)).body['run']?.['status'] === 'completed', 'the run to complete');
      const path = `/v1/admin/reconcile/runs/${runId}/discrepancies`;
      type Row = { id: number; kind: string; paypal_id: string; status: string };
      const ours = (rows: Row[]) => rows.filter((d) => captureIds.includes(d.paypal_id));

      // Page by page, one at a time: every discrepancy once, in order, and a last page that says so.
      const all = (await call('GET', path)).body;
      assert.equal(all['next_after'], null, 'everything fits in one page');
      const everyId = (all['discrepancies'] as Row[]).map((d) => d.id);
      assert.deepEqual(ours(all['discrepancies'] as Row[]).map((d) => d.kind), ['missing_in_odoo', 'missing_in_odoo']);
      const paged: number[] = [];
      for (let after = 0, pages = 0; ; pages++) {
        assert.ok(pages <= everyId.length, 'paging ends');
        const page = await call('GET', `${path}?limit=1&after=${after}`);
        assert.equal(page.status, 200);
        paged.push(...(page.body['discrepancies'] as Row[]).map((d) => d.id));
        if (page.body['next_after'] === null) break;
        after = page.body['next_after'] as number;
      }
      assert.deepEqual(paged, everyId);
      assert.deepEqual((await call('GET', `${path}?kind=missing_in_paypal`)).body['discrepancies'], (all['discrepancies'] as Row[]).filter((d) => d.kind === 'missing_in_paypal'));
      assert.ok(((await call('GET', `${path}?kind=missing_in_odoo`)).body['discrepancies'] as Row[]).every((d) => d.kind === 'missing_in_odoo'));

      // The run's statuses follow a repair; its counts stay as the match found them.
      const before = (await call('GET', '/v1/admin/reconcile/runs')).body['runs'].find((r: { id: number }) => r.id === runId);
      assert.equal(before['stalled'], false);
      assert.equal(before['statuses']['open'], before['counts']['open']);
      const target = ours(all['discrepancies'] as Row[])[0]!;
      const repaired = await call('POST', `/v1/admin/reconcile/discrepancies/${target.id}/repair`, {});
      assert.equal(repaired.body['discrepancy']['status'], 'repaired', JSON.stringify(repaired.body));
      const afterRepair = (await call('GET', '/v1/admin/reconcile/runs')).body['runs'].find((r: { id: number }) => r.id === runId);
      assert.deepEqual(afterRepair['statuses'], { open: before['statuses']['open'] - 1, repaired: before['statuses']['repaired'] + 1, needs_person: before['statuses']['needs_person'] });
      assert.deepEqual(afterRepair['counts'], before['counts']);
      assert.deepEqual(ours((await call('GET', `${path}?status=repaired`)).body['discrepancies'] as Row[]).map((d) => d.id), [target.id]);

      // The CSV holds every discrepancy of the run, whatever the page size.
      const csv = await fetch(`${h.service.url}/v1/admin/reconcile/runs/${runId}/csv`, { headers: { authorization: `Bearer ${token()}` } });
      const lines = (await csv.text()).trimEnd().split('\r\n');
      assert.equal(lines.length, everyId.length + 1);
      for (const captureId of captureIds) assert.ok(lines.some((l) => l.includes(`,${captureId},`)), captureId);

      for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'after=-1', 'kind=fees', 'status=closed']) {
        const refused = await call('GET', `${path}?${bad}`);
        assert.equal(refused.status, 400, bad);
        assert.equal(refused.body['error'], 'BAD_REQUEST');
      }
      assert.equal((await call('GET', '/v1/admin/reconcile/runs/999999/discrepancies')).status, 404);
    } finally {
      h.sim.resumeDelivery();
    }
  });
});
