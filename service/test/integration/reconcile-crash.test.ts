// A reconciliation killed half-way (SIGKILL, in a child process) resumes where it stopped and ends
// with the same report as a run that never stopped; no page is stored twice and at most the page
// in flight at the kill is asked for again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { runReconciliation } from '../../src/reconcile/runner.ts';
import type { StoredDiscrepancy } from '../../src/reconcile/types.ts';
import { seedReconcileTransactions } from '../../sim/odoo/reconcile.ts';
import { startReconcileHarness, type ReconcileStoreKind } from '../support/reconcile-harness.ts';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'reconcile-child.ts');
const RANGE = { from: new Date('2026-09-01T00:00:00Z'), to: new Date('2026-10-01T00:00:00Z') };
const PAGE_SIZE = 100;
const STALE_AFTER_MS = 1500;

function reportOf(discrepancies: StoredDiscrepancy[]) {
  return discrepancies.map((d) => ({ kind: d.kind, status: d.status, paypalId: d.paypalId, eventCode: d.eventCode, reference: d.reference, note: d.note, paypal: d.paypal, odoo: d.odoo }));
}

for (const kind of ['sqlite', 'postgres'] as ReconcileStoreKind[]) {
  describe(`a run killed half-way on ${kind}`, () => {
    test('resumes and gives the same report', async (t) => {
      const h = await startReconcileHarness(kind);
      t.after(() => h.close());
      const payments = h.paypalSim.reporting.seedRecords(2400, { from: RANGE.from, to: new Date('2026-09-28T00:00:00Z'), refundEvery: 5 });
      // Odoo as the bridge left it, with three things wrong: a capture never booked, an amount
      // off by a cent, a fee not booked.
      const [skipped, centOff, feeless] = [payments[10], payments[500], payments[1500]];
      assert.ok(skipped && centOff && feeless);
      const booked = payments.filter((p) => p !== skipped).map((p) => (p === centOff ? { ...p, amount: (Number(p.amount) - 0.01).toFixed(2) } : p));
      seedReconcileTransactions(h.odooSim.database, booked.filter((p) => p !== feeless), { feesBooked: true });
      seedReconcileTransactions(h.odooSim.database, [feeless], { feesBooked: false });
      // Slow PayPal down so that the kill lands in the middle of the pull.
      h.paypalSim.faults.add({ path: '/v1/reporting/transactions', delayMs: 40, times: Infinity });

      const input = {
        paypal: { apiBase: h.paypalSim.apiBase, clientId: h.paypalSim.clientId, clientSecret: h.paypalSim.clientSecret },
        odoo: { url: h.odooSim.url, db: h.odooSim.db, login: h.odooSim.service.login, apiKey: h.odooSim.service.password },
        store: h.storeConfig,
        from: RANGE.from.toISOString(),
        to: RANGE.to.toISOString(),
        pageSize: PAGE_SIZE,
        staleAfterMs: STALE_AFTER_MS,
      };
      const proc = spawn(process.execPath, [child, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = once(proc, 'exit');
      for await (const line of createInterface({ input: proc.stdout })) {
        if (line.startsWith('done')) assert.fail(`the child finished before it was killed: ${line}`);
        if (line === 'page 6') {
          proc.kill('SIGKILL');
          break;
        }
      }
      const [code, signal] = await exited;
      assert.equal(signal, 'SIGKILL', `child exited with ${code}: ${stderr}`);

      const [crashed] = await h.store.listRuns({ limit: 1 });
      assert.ok(crashed);
      assert.equal(crashed.status, 'running', 'the killed run is left as it was');
      assert.equal(crashed.phase, 'pull');
      assert.ok(crashed.pagesDone >= 6 && crashed.pagesDone < 24, `killed half-way (${crashed.pagesDone} pages of 24 saved)`);
      const pagesBefore = crashed.pagesDone;

      h.paypalSim.faults.clear();
      const searchRequests = () => h.paypalSim.requests.filter((r) => r.path.startsWith('/v1/reporting/transactions')).length;
      const requestsBefore = searchRequests();
      await new Promise((resolve) => setTimeout(resolve, STALE_AFTER_MS + 500));
      const resumed = await runReconciliation(h.deps(), { ...RANGE, pageSize: PAGE_SIZE, staleAfterMs: STALE_AFTER_MS });
      assert.equal(resumed.id, crashed.id, 'the same run is resumed');
      assert.equal(resumed.status, 'completed');
      assert.ok(searchRequests() - requestsBefore <= 24 - pagesBefore + 1, 'only the pages not saved are asked for (plus at most the one in flight)');
      assert.equal(resumed.pagesDone, 24, 'every page saved exactly once');
      assert.equal(await h.store.countRecords(resumed.id), 2400);

      const fresh = await runReconciliation(h.deps(), { ...RANGE, pageSize: PAGE_SIZE, fresh: true });
      assert.notEqual(fresh.id, resumed.id);
      const resumedReport = reportOf(await h.store.listDiscrepancies(resumed.id));
      assert.deepEqual(resumedReport, reportOf(await h.store.listDiscrepancies(fresh.id)));
      assert.deepEqual(resumed.counts, fresh.counts);
      assert.deepEqual(
        resumedReport.map((d) => `${d.kind}/${d.paypalId}`).sort(),
        [`missing_in_odoo/${skipped.captureId}`, `amount_mismatch/${centOff.captureId}`, `fee_missing/${feeless.captureId}`, ...(skipped.refund ? [`missing_in_odoo/${skipped.refund.refundId}`] : [])].sort(),
      );
      assert.deepEqual(h.paypalSim.violations, []);
    });
  });
}
