// Two failure rules of issue 3 on the real service: a technical user without the service group is
// refused (the events go dead with Odoo's AccessError, and a replay after the operator fixed the
// configuration applies them), and Odoo refusing transiently (a serialization failure that outlived
// its own retries) is retried and applied once.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startOdooSim, type OdooSim } from '../../sim/odoo/server.ts';
import { ensureTestPki, testPkiDir } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import type { Harness } from '../support/service-harness.ts';
import { payAtPayPal, paymentView, paypalSide, settle, startWriteback } from '../support/writeback.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const AMOUNT = '42.50';

function runReplay(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // As an operator runs it: a separate process with only the store settings.
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '', DATA_DIR: dataDir };
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'scripts/replay-inbox.ts')], { env, cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('a technical user without the service group', () => {
  let sim: PayPalSimulator;
  let odoo: OdooSim;
  let dataDir: string;
  const harnesses: Harness[] = [];

  before(async () => {
    sim = await startPayPalSimulator({ pki: await ensureTestPki(testPkiDir()) });
    odoo = await startOdooSim();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-access-'));
  });
  after(async () => {
    for (const h of harnesses) await h.close();
    await sim?.close();
    await odoo?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('is refused: the events end dead with a clear AccessError; restarted with the right user on the same store, a replay applies them', async () => {
    // An internal user of Odoo, with a valid password but not in paypal_bridge.group_paypal_bridge_service.
    const wrong = await startWriteback({ sim, odoo, env: { DATA_DIR: dataDir, ODOO_LOGIN: odoo.internalUser.login, ODOO_API_KEY: odoo.internalUser.password } });
    harnesses.push(wrong);
    const fx = odoo.createSaleOrderWithTransaction({ amount: AMOUNT });
    const { orderId } = await payAtPayPal(paypalSide(sim), { reference: fx.reference, amount: AMOUNT });
    const dead = await settle(wrong);
    assert.ok(dead.length >= 3, `${dead.length} events`);
    for (const e of dead) {
      assert.equal(e.status, 'dead', `${e.eventType} is ${e.status}`);
      assert.equal(e.attempts, 1, 'a refusal is final: no retry');
      assert.match(
        e.lastError ?? '',
        /^\[ODOO_ACCESS_DENIED\] Odoo payment\.transaction\.paypal_bridge_\w+ failed: Only the PayPal Bridge service user \(group "PayPal Bridge Service"\) may call the PayPal Bridge entry points\. \(odoo\.exceptions\.AccessError\)$/,
      );
    }
    assert.equal(paymentView(odoo, fx.reference).tx.state, 'draft', 'nothing was applied');
    const deadLines = wrong.logger.lines.filter((l) => l['msg'] === 'event is dead; it needs a look and a replay');
    assert.equal(deadLines.length, dead.length, 'each dead event is logged');

    // The operator fixes ODOO_LOGIN / ODOO_API_KEY and restarts the service on the same inbox.
    const sameEndpoint = { DATA_DIR: dataDir, PORT: wrong.env['PORT']!, PAYPAL_WEBHOOK_ID: wrong.env['PAYPAL_WEBHOOK_ID']! };
    await wrong.close();
    harnesses.splice(harnesses.indexOf(wrong), 1);
    const right = await startWriteback({ sim, odoo, subscribe: false, env: sameEndpoint });
    harnesses.push(right);
    const stillDead = await right.service.store.list({ status: 'dead', limit: 100 });
    assert.equal(stillDead.length, dead.length, 'a restart does not revive dead events by itself');

    const replay = await runReplay(dataDir);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, new RegExp(`Re-queuing ${dead.length} dead events`));
    const applied = await settle(right);
    assert.deepEqual(applied.map((e) => e.status), applied.map(() => 'done'), JSON.stringify(applied.map((e) => [e.eventType, e.status, e.lastError])));
    const v = paymentView(odoo, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.tx.paypal_order_id, orderId);
    assert.deepEqual(v.payments.map((p) => `${p.payment_type} ${p.amount} ${p.state}`), ['inbound 42.50 in_process']);
    assert.equal(v.order?.state, 'sale');
  });
});

describe('Odoo refusing transiently', () => {
  let h: Harness;
  before(async () => {
    h = await startWriteback();
  });
  after(async () => {
    await h?.close();
  });

  test('a serialization failure that outlived Odoo\'s own retries is retried, and the payment is applied once', async () => {
    const odoo = h.odoo!;
    const fx = odoo.createSaleOrderWithTransaction({ amount: AMOUNT });
    odoo.failNext(3, 'SerializationFailure', { method: 'paypal_bridge_apply_payment' });
    const { captureId } = await payAtPayPal(paypalSide(h.sim), { reference: fx.reference, amount: AMOUNT });
    const events = await settle(h);
    assert.deepEqual(events.map((e) => e.status), events.map(() => 'done'), JSON.stringify(events.map((e) => [e.eventType, e.status, e.lastError])));
    const retried = events.filter((e) => e.attempts > 1);
    assert.ok(retried.length > 0, 'some event met the serialization failure');
    for (const e of retried) assert.match(e.lastError ?? '', /could not serialize access due to concurrent update/);
    const audit = await h.service.store.listAudit({ limit: 100 });
    const retries = audit.filter((a) => a.kind === 'worker.retry' && a.detail?.['reason'] === 'error');
    assert.equal(retries.length, 3, 'one retry per refusal');
    for (const r of retries) assert.match(r.summary, /ODOO_CONCURRENCY/);

    const v = paymentView(odoo, fx.reference);
    assert.equal(v.tx.state, 'done');
    assert.equal(v.tx.paypal_capture_id, captureId);
    assert.equal(v.payments.length, 1, 'applied once: one payment');
    assert.equal(v.order?.state, 'sale');
  });

  test('every log line written while an event is processed names the event, its type and attempt; no secret in any line', async () => {
    // Add a refund and a dispute, so that refunds, disputes and their PayPal re-reads are logged too.
    const odoo = h.odoo!;
    const fx = odoo.createSaleOrderWithTransaction({ amount: AMOUNT });
    const { captureId } = await payAtPayPal(paypalSide(h.sim), { reference: fx.reference, amount: AMOUNT });
    await h.sim.refundFromDashboard(captureId, '2.00');
    await h.sim.createDispute(captureId);
    const stored = new Map((await settle(h)).map((e) => [e.eventId, e.eventType]));
    assert.ok(stored.size >= 8, `${stored.size} events`);

    // Everything here came in by webhook: every line of the worker, the handlers, the payment sync
    // and the Odoo and PayPal clients was written while an event was processed (but the worker's
    // own start), and the intake names the event it stored.
    const lines = h.logger.lines;
    const perEvent = lines.filter(
      (l) =>
        ['odoo', 'paypal-client', 'event-handler', 'payment-sync', 'webhook'].includes(String(l['component'])) ||
        (l['component'] === 'inbox-worker' && l['msg'] !== 'worker started'),
    );
    const components = new Set(perEvent.map((l) => String(l['component'])));
    for (const c of ['odoo', 'paypal-client', 'inbox-worker', 'webhook']) assert.ok(components.has(c), `no ${c} line`);
    assert.ok(perEvent.some((l) => l['msg'] === 'attempt failed; event rescheduled'), 'the retries are logged');
    for (const line of perEvent) {
      const id = line['paypalEventId'];
      assert.ok(typeof id === 'string' && stored.has(id), `a line does not name a stored event: ${JSON.stringify(line)}`);
      assert.equal(line['eventType'], stored.get(id as string), `the line names the event type: ${JSON.stringify(line)}`);
      if (line['component'] !== 'webhook') assert.equal(typeof line['inboxAttempt'], 'number', `the line names the attempt: ${JSON.stringify(line)}`);
    }
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    for (const [what, secret] of [
      ['the Odoo API key', odoo.service.password],
      ['the PayPal client secret', h.sim.clientSecret],
      ['BRIDGE_SECRET', h.config.odoo!.bridgeSecret],
    ] as const) {
      assert.ok(!text.includes(secret), `${what} appears in the logs`);
    }
  });
});
