// The pull against the PayPal simulator, which refuses a range over 31 days or a page over 500 and
// serves data only up to its last refresh: windows, pages, the refresh limit and PayPal's "Data for
// the given start date is not available." answer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runReconciliation } from '../../src/reconcile/runner.ts';
import { seedReconcileTransactions } from '../../sim/odoo/reconcile.ts';
import { startReconcileHarness } from '../support/reconcile-harness.ts';

const DAY = 24 * 3600 * 1000;

function searches(h: { paypalSim: { requests: { path: string }[] } }) {
  return h.paypalSim.requests
    .filter((r) => r.path.startsWith('/v1/reporting/transactions'))
    .map((r) => Object.fromEntries(new URL(r.path, 'https://x').searchParams));
}

describe('pulling Transaction Search', () => {
  test('a quarter is read in 31-day windows of 500-record pages, never past the last refresh', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    const from = new Date('2026-07-01T00:00:00Z');
    const to = new Date('2026-11-01T00:00:00Z');
    const payments = h.paypalSim.reporting.seedRecords(3210, { from, to: new Date('2026-10-15T00:00:00Z') });
    seedReconcileTransactions(h.odooSim.database, payments, { feesBooked: true });

    const run = await runReconciliation(h.deps(), { from, to });
    assert.equal(run.status, 'completed', run.error ?? '');
    assert.equal(await h.store.countRecords(run.id), 3210);
    assert.deepEqual(await h.store.listDiscrepancies(run.id), []);
    assert.equal(run.counts?.matched, 3210);

    const lastRefreshed = h.paypalSim.reporting.lastRefreshed().getTime();
    const requests = searches(h);
    for (const q of requests) {
      const span = Date.parse(q['end_date'] ?? '') - Date.parse(q['start_date'] ?? '');
      assert.ok(span <= 31 * DAY, `${q['start_date']} – ${q['end_date']} is within 31 days`);
      assert.ok(Date.parse(q['end_date'] ?? '') <= lastRefreshed, `${q['end_date']} is not past the last refresh`);
      assert.ok(Number(q['page_size']) <= 500);
    }
    const windows = await h.store.listWindows(run.id);
    assert.deepEqual(
      windows.map((w) => [w.start.toISOString(), w.end.toISOString(), w.status]),
      [
        ['2026-07-01T00:00:00.000Z', '2026-07-31T23:59:59.000Z', 'done'],
        ['2026-08-01T00:00:00.000Z', '2026-08-31T23:59:59.000Z', 'done'],
        ['2026-09-01T00:00:00.000Z', '2026-10-01T23:59:59.000Z', 'done'],
        ['2026-10-02T00:00:00.000Z', '2026-10-31T23:59:59.000Z', 'done'],
      ],
    );
    assert.equal(windows.reduce((n, w) => n + w.records, 0), 3210);
    assert.ok(requests.some((q) => q['page'] === '2'), 'windows of more than 500 records are paged');
    assert.equal(run.coverageEnd?.getTime(), lastRefreshed + 1000);
    assert.deepEqual(h.paypalSim.violations, []);
  });

  test('"Data for the given start date is not available." ends the coverage at that window, with no false discrepancy', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    const from = new Date('2026-08-01T00:00:00Z');
    const to = new Date('2026-10-01T00:00:00Z');
    const payments = h.paypalSim.reporting.seedRecords(400, { from, to });
    seedReconcileTransactions(h.odooSim.database, payments, { feesBooked: true });
    // PayPal refuses the second window, as it does on Monday mornings (UTC) for a few hours: the
    // probe and the first window's page go through, then the answer PayPal gives.
    let calls = 0;
    const search = h.paypal.searchTransactions.bind(h.paypal);
    h.paypal.searchTransactions = async (q) => {
      if (++calls === 3) {
        h.paypalSim.faults.add({
          path: '/v1/reporting/transactions',
          status: 400,
          body: { name: 'INVALID_REQUEST', message: 'Data for the given start date is not available.', debug_id: 'f00d', details: [] },
        });
      }
      return search(q);
    };
    const run = await runReconciliation(h.deps(), { from, to });
    assert.equal(run.status, 'completed');
    const windows = await h.store.listWindows(run.id);
    assert.deepEqual(windows.map((w) => w.status), ['done', 'unavailable']);
    assert.equal(run.coverageEnd?.toISOString(), windows[1]?.start.toISOString(), 'the run covers up to the window PayPal could not serve');
    assert.deepEqual(await h.store.listDiscrepancies(run.id), [], 'Odoo payments after the coverage are not reported missing at PayPal');
    assert.ok((run.counts?.tooRecent ?? 0) > 0);
  });

  test('a range PayPal has no data for yet pulls nothing and reports nothing', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    await h.pay({ amount: '10.00' });
    const from = new Date(h.now().getTime() + 3600_000);
    const run = await runReconciliation(h.deps(), { from: new Date(Math.floor(from.getTime() / 1000) * 1000), to: new Date('2026-11-01T00:00:00Z') });
    assert.equal(run.status, 'completed');
    assert.equal(run.recordsPulled, 0);
    assert.deepEqual((await h.store.listWindows(run.id)).map((w) => w.status), ['unavailable']);
    assert.equal(searches(h).length, 1, 'only the probe');
  });
});
