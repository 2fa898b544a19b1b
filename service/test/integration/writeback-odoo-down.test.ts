// Odoo unreachable for the length of a stream (issue 3, "Done when"): one PayPal simulator plays 30
// payments' lifecycles and delivers every event to two services at once. One service's Odoo is down
// for the whole stream; the other's is up. The first must acknowledge everything, apply nothing,
// kill nothing and spend no attempt while Odoo is away, then apply every event once Odoo is back
// and end in exactly the Odoo state of the service whose Odoo never left. Both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOdooSim, type OdooSim } from '../../sim/odoo/server.ts';
import { ensureTestPki, testPkiDir } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import { LIFECYCLES, paypalClientFor, playLifecycle } from '../support/lifecycles.ts';
import { waitFor, type Harness, type StoreKind } from '../support/service-harness.ts';
import { comparableOdooState, settle, startWriteback } from '../support/writeback.ts';

const PAYMENTS = 30;
const AMOUNT = '42.50';

for (const store of ['sqlite', 'postgres'] as StoreKind[]) {
  describe(`Odoo unreachable for the length of a stream (${store})`, () => {
    let sim: PayPalSimulator;
    let odooDown: OdooSim;
    let odooUp: OdooSim;
    let down: Harness;
    let up: Harness;

    before(async () => {
      sim = await startPayPalSimulator({ pki: await ensureTestPki(testPkiDir()) });
      odooDown = await startOdooSim();
      odooUp = await startOdooSim();
      down = await startWriteback({ store, sim, odoo: odooDown });
      up = await startWriteback({ store: 'sqlite', sim, odoo: odooUp });
    });
    after(async () => {
      await down?.close();
      await up?.close();
      await odooDown?.close();
      await odooUp?.close();
      await sim?.close();
    });

    test(`${PAYMENTS} payments' events all acknowledged and kept while Odoo is down, all applied once it is back, as if it had never left`, async () => {
      const references: string[] = [];
      for (let i = 0; i < PAYMENTS; i++) {
        const a = odooDown.createSaleOrderWithTransaction({ amount: AMOUNT });
        const b = odooUp.createSaleOrderWithTransaction({ amount: AMOUNT });
        assert.equal(a.reference, b.reference);
        references.push(a.reference);
      }
      await odooDown.setDown(true);

      const paypal = paypalClientFor(sim);
      const played = new Set<string>();
      for (const [i, reference] of references.entries()) {
        const lifecycle = LIFECYCLES[i % LIFECYCLES.length]!;
        played.add(lifecycle.name);
        const events = await playLifecycle(lifecycle, { sim, paypal, reference, amount: AMOUNT, currency: 'USD', invoiceId: `INV-${reference}` });
        assert.ok(events.length >= 2, `${lifecycle.name} emitted ${events.length} events`);
      }
      assert.equal(played.size, LIFECYCLES.length, 'every lifecycle is in the stream');

      // The service whose Odoo is up applies everything; the other acknowledges everything.
      const applied = await settle(up, 'the service whose Odoo is up to apply the stream');
      const emitted = sim.state.events.length;
      assert.equal(applied.length, emitted);
      const downWebhook = down.env['PAYPAL_WEBHOOK_ID'];
      const deliveries = sim.deliveries.filter((d) => d.webhookId === downWebhook);
      assert.equal(deliveries.length, emitted, 'one delivery per event: nothing had to be redelivered');
      assert.deepEqual([...new Set(deliveries.map((d) => d.status))], [200], 'every delivery acknowledged with 200 while Odoo was down');

      // Let the worker find Odoo down and probe it a few times.
      await waitFor(
        async () => (await down.service.store.listAudit({ limit: 1000 })).filter((a) => a.kind === 'worker.retry' && a.detail?.['reason'] === 'dependency_down').length >= 3,
        'the worker to probe the unreachable Odoo three times',
      );
      const held = await down.service.store.list({ limit: 10_000 });
      assert.equal(held.length, emitted, 'every event is in the inbox');
      // Only events that need nothing from Odoo may finish meanwhile: an approval whose order PayPal
      // voided, or whose capture was declined (that capture's own event books it).
      const finished = held.filter((e) => e.status !== 'pending' && e.status !== 'processing');
      for (const e of finished) {
        assert.equal(e.status, 'done', `${e.eventType} is ${e.status} while Odoo is down: ${e.lastError}`);
        assert.match(e.outcome ?? '', /is DECLINED; left to its own event|is VOIDED; nothing captured or authorized yet/, `${e.eventType} finished while Odoo is down`);
      }
      const spent = held.filter((e) => (e.status === 'pending' ? e.attempts !== 0 : e.attempts > 1));
      assert.deepEqual(spent.map((e) => `${e.eventType}:${e.attempts}`), [], 'no attempt is spent on an outage');
      // What the inbox says of the waiting events: Odoo is down (or, for an approval, the browser's head start).
      const probed = held.filter((e) => e.lastError !== null && !e.lastError.startsWith('[DEFERRED]'));
      assert.ok(probed.length > 0);
      for (const e of probed) assert.match(e.lastError ?? '', /^\[DEPENDENCY_UNAVAILABLE\] Odoo could not be reached/);
      assert.equal(odooDown.callCount(), 0, 'nothing reached the Odoo that is down');
      assert.deepEqual([...new Set(odooDown.state().transactions.map((t) => t.state))], ['draft']);
      assert.deepEqual(odooDown.state().payments, []);

      await odooDown.setDown(false);
      const after = await settle(down, 'the stream to be applied after Odoo came back');
      assert.equal(after.length, emitted);
      const statusOf = (events: typeof after) => Object.fromEntries(events.map((e) => [e.eventId, e.status]));
      assert.deepEqual(statusOf(after), statusOf(applied), 'every event ends as it did where Odoo never left');
      assert.deepEqual(after.filter((e) => e.status === 'dead').map((e) => `${e.eventType}: ${e.lastError}`), []);

      const expected = comparableOdooState(odooUp);
      assert.deepEqual(comparableOdooState(odooDown), expected);
      // The comparison is only worth what the stream changed.
      const states = new Set<string>(expected.transactions.map((t) => t.state));
      for (const s of ['done', 'cancel', 'error']) assert.ok(states.has(s), `the stream leaves a transaction ${s}`);
      assert.ok(expected.transactions.some((t) => t.operation === 'refund'), 'the stream books refunds');
      assert.ok(expected.disputes.length > 0, 'the stream records disputes');
      assert.ok(expected.payments.length >= PAYMENTS / 2, `${expected.payments.length} payments posted`);
    });
  });
}
