// The reconciliation against a real Odoo 18 with paypal_bridge and the PayPal simulator:
// payments made and booked the bridge's way are reconciled clean; then a payment is taken out of
// Odoo's books the three ways an accountant can (cancelled, reset to draft, deleted), and the
// report shows exactly those payments as missing in Odoo and repairs them.
//
// The database is shared (other suites book payments at the same time, some with PayPal ids the
// simulator never issued): the range starts when the scenario does, and the report is read for
// this scenario's own payments. Run from service/test/contract/odoo-reconcile-real.test.ts, after
// the contract suite and not beside it (that suite switches the provider's fee account off for a
// moment).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/inbox/open-store.ts';
import type { InboxStore } from '../../src/inbox/types.ts';
import { createBridgeApi } from '../../src/odoo/bridge-api.ts';
import { createPayPalClient, type PayPalClient } from '../../src/paypal/index.ts';
import { createReconcileOdooApi, type ReconcileOdooApi } from '../../src/reconcile/odoo-reconcile-api.ts';
import { openReconcileStore } from '../../src/reconcile/open-store.ts';
import { runReconciliation, type ReconcileDeps } from '../../src/reconcile/runner.ts';
import type { ReconcileStore } from '../../src/reconcile/store.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createPaymentSync, type PaymentSync } from '../../src/sync/payment-sync.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import { clientFor } from '../contract/odoo-bridge.contract.ts';
import type { ReconcileContractTarget } from '../contract/odoo-reconcile.contract.ts';

export function realOdooReconciliation(url: string, realTarget: () => Promise<ReconcileContractTarget>): void {
  describe(`reconciliation end to end against the real Odoo at ${url}`, () => {
    const logger = createLogger({ level: 'silent' });
    let target: ReconcileContractTarget;
    let paypalSim: PayPalSimulator;
    let paypal: PayPalClient;
    let odoo: ReconcileOdooApi;
    let sync: PaymentSync;
    let store: ReconcileStore;
    let inbox: InboxStore;
    let dir: string;
    let range: { from: Date; to: Date };
    const deps = (): ReconcileDeps => ({ store, paypal, odoo, sync, audit: inbox, logger });

    before(async () => {
      const start = Math.floor(Date.now() / 1000) * 1000 - 1000;
      range = { from: new Date(start), to: new Date(start + 86_400_000) };
      target = await realTarget();
      await target.setFeeAccount(true);
      paypalSim = await startPayPalSimulator();
      paypal = createPayPalClient({ apiBase: paypalSim.apiBase, clientId: paypalSim.clientId, clientSecret: paypalSim.clientSecret, logger, sleep: async () => undefined });
      const service = clientFor(target, target.service);
      odoo = createReconcileOdooApi(service);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-real-'));
      inbox = await openStore({ kind: 'sqlite', dataDir: dir });
      store = await openReconcileStore({ kind: 'sqlite', dataDir: dir });
      sync = createPaymentSync({ paypal, odoo: createBridgeApi(service), logger, audit: (entry) => inbox.appendAudit([entry]) });
    });

    after(async () => {
      await store?.close();
      await inbox?.close();
      await paypalSim?.close();
      await target?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function pay(amount: string) {
      const f = await target.createSaleOrderWithTransaction({ amount });
      const [tx] = await odoo.lookup({ references: [f.reference] });
      const order = await paypal.createOrder(
        { intent: 'CAPTURE', purchase_units: [{ custom_id: f.reference, invoice_id: tx?.sale_order_names[0] ?? f.reference, amount: { currency_code: 'USD', value: amount } }] },
        { requestId: `reconcile-real-${f.reference}` },
      );
      await paypalSim.approveOrder(order.id);
      const captured = await paypal.captureOrder(order.id, { requestId: `reconcile-real-${f.reference}-capture` });
      const capture = captured.purchase_units?.[0]?.payments?.captures?.[0];
      assert.ok(capture);
      const synced = await sync.syncCapture(capture.id);
      assert.equal(synced.outcome, 'applied', synced.detail);
      await odoo.bookFee({ reference: f.reference, fee: capture.seller_receivable_breakdown?.paypal_fee?.value ?? '0', currency: 'USD', captureId: capture.id });
      return { ...f, captureId: capture.id };
    }

    test('a day of payments is clean; payments taken out of the books are found and put back', async () => {
      const payments = [await pay('21.00'), await pay('35.50'), await pay('12.25'), await pay('8.00')];
      const refund = await paypalSim.refundFromDashboard(payments[1]!.captureId, '5.50');
      assert.equal((await sync.syncRefund(String(refund['id']))).outcome, 'applied');
      const ours = new Set<string>([...payments.map((p) => p.captureId), String(refund['id'])]);
      const report = async (runId: number) => (await store.listDiscrepancies(runId)).filter((d) => d.paypalId !== null && ours.has(d.paypalId));

      const clean = await runReconciliation(deps(), range);
      assert.equal(clean.status, 'completed', clean.error ?? '');
      assert.deepEqual(await report(clean.id), []);
      assert.ok((clean.counts?.matched ?? 0) >= 5, 'every PayPal line of the scenario found its Odoo transaction');

      const [cancelled, drafted, deleted] = payments;
      const paymentOf = async (captureId: string) => (await odoo.lookup({ captureIds: [captureId] }))[0]?.payment_id ?? 0;
      await target.admin.call('account.payment', 'action_cancel', [[await paymentOf(cancelled!.captureId)]]);
      await target.admin.call('account.payment', 'action_draft', [[await paymentOf(drafted!.captureId)]]);
      const toDelete = await paymentOf(deleted!.captureId);
      await target.admin.call('account.payment', 'action_draft', [[toDelete]]);
      await target.admin.call('account.payment', 'unlink', [[toDelete]]);

      const found = await runReconciliation(deps(), { ...range, fresh: true });
      assert.deepEqual(
        (await report(found.id)).map((d) => [d.kind, d.paypalId, d.action]).sort(),
        [cancelled, drafted, deleted].map((p) => ['missing_in_odoo', p!.captureId, 'repost_payment']).sort(),
      );

      const repaired = await runReconciliation(deps(), { ...range, fresh: true, repair: true });
      const after = await report(repaired.id);
      assert.deepEqual(after.map((d) => d.status), ['repaired', 'repaired', 'repaired'], after.map((d) => d.repairNote).join('\n'));
      for (const p of [cancelled, drafted, deleted]) assert.equal((await inbox.listAudit({ subject: p!.captureId })).filter((a) => a.kind === 'reconcile.repair').length, 1);

      const again = await runReconciliation(deps(), { ...range, fresh: true });
      assert.deepEqual(await report(again.id), [], 'clean again');
      assert.deepEqual(paypalSim.violations, []);
    });
  });
}
