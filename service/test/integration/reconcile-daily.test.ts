// The daily reconciliation in the service: at its hour it reconciles the previous day (UTC), then
// waits for the next day; it skips a day while another run is in progress.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDailyReconciliation, nextOccurrence, previousDay } from '../../src/reconcile/daily.ts';
import { splitIntoWindows } from '../../src/reconcile/windows.ts';
import { startReconcileHarness } from '../support/reconcile-harness.ts';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('daily reconciliation', () => {
  test('the previous day, and the next hour to come', () => {
    assert.deepEqual(previousDay(new Date('2026-10-16T06:00:00Z')), { from: new Date('2026-10-15T00:00:00Z'), to: new Date('2026-10-16T00:00:00Z') });
    assert.equal(nextOccurrence(new Date('2026-10-16T05:30:00Z'), 6).toISOString(), '2026-10-16T06:00:00.000Z');
    assert.equal(nextOccurrence(new Date('2026-10-16T06:00:00Z'), 6).toISOString(), '2026-10-17T06:00:00.000Z');
    assert.equal(nextOccurrence(new Date('2026-12-31T23:00:00Z'), 0).toISOString(), '2027-01-01T00:00:00.000Z');
  });

  test('at its hour it reconciles yesterday, then schedules tomorrow', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    await h.pay({ amount: '10.00' });
    await h.pay({ amount: '20.00', fee: false });
    // PayPal's reports have caught up with the day by the next morning.
    h.advance(20 * 3600_000);
    let now = new Date('2026-10-16T05:30:00Z');
    const timers: { fn: () => void; ms: number }[] = [];
    const daily = createDailyReconciliation({
      ...h.deps(),
      clock: () => now,
      hourUtc: 6,
      setTimer: (fn, ms) => {
        timers.push({ fn, ms });
        return {};
      },
      clearTimer: () => undefined,
    });
    t.after(() => daily.stop());
    daily.start();
    assert.equal(daily.nextRunAt()?.toISOString(), '2026-10-16T06:00:00.000Z');
    assert.equal(timers[0]?.ms, 30 * 60_000);

    now = new Date('2026-10-16T06:00:00Z');
    timers[0]?.fn();
    await until(() => timers.length === 2, 'the next day to be scheduled');
    const [run] = await h.store.listRuns({ limit: 1 });
    assert.ok(run);
    assert.deepEqual([run.from.toISOString(), run.to.toISOString(), run.status], ['2026-10-15T00:00:00.000Z', '2026-10-16T00:00:00.000Z', 'completed']);
    const found = await h.store.listDiscrepancies(run.id);
    assert.deepEqual(found.map((d) => `${d.kind}/${d.status}`), ['fee_missing/open'], 'reported, not repaired (repair is off by default)');
    assert.equal(daily.nextRunAt()?.toISOString(), '2026-10-17T06:00:00.000Z');
    assert.equal(timers[1]?.ms, 24 * 3600_000);
    await daily.stop();
    assert.equal(daily.nextRunAt(), null);
  });

  test('a day is skipped while another run is in progress, here or in another process', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    const now = new Date('2026-10-16T06:00:00Z');
    const daily = createDailyReconciliation({ ...h.deps(), clock: () => now });
    const elsewhere = await h.store.createRun({
      from: new Date('2026-09-01T00:00:00Z'),
      to: new Date('2026-10-01T00:00:00Z'),
      windows: splitIntoWindows(new Date('2026-09-01T00:00:00Z'), new Date('2026-10-01T00:00:00Z')),
      owner: 'another-process',
      now,
    });
    assert.equal(await daily.runNow(), null);
    assert.deepEqual((await h.store.listRuns()).map((r) => r.id), [elsewhere.id], 'nothing started');

    await h.store.updateRun(elsewhere.id, 'another-process', { status: 'failed', error: 'stopped' }, now);
    const [first, second] = await Promise.all([daily.runNow(), daily.runNow()]);
    assert.ok(first, 'one run');
    assert.equal(second, null, 'the second call while the first runs is skipped');
    assert.equal(first.status, 'completed');
  });
});
