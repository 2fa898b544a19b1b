import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { coverageShort, csvFileName, dayRange, decimalToMinor, isRepairable, lastMonth, localToday, repairQueue, runProgress, runRange, type RepairAction } from './reconcile-model.ts';

describe('the range a person picks', () => {
  test('the default is the previous calendar month, across a year end too', () => {
    assert.deepEqual(lastMonth('2026-11-24'), { from: '2026-10-01', to: '2026-10-31' });
    assert.deepEqual(lastMonth('2026-03-01'), { from: '2026-02-01', to: '2026-02-28' });
    assert.deepEqual(lastMonth('2028-03-31'), { from: '2028-02-01', to: '2028-02-29' });
    assert.deepEqual(lastMonth('2027-01-15'), { from: '2026-12-01', to: '2026-12-31' });
  });

  test("today is the person's calendar day, not UTC's", () => {
    const zone = process.env['TZ'];
    process.env['TZ'] = 'Pacific/Auckland';
    try {
      // Half past midnight on the 25th in Auckland is still the 24th in UTC.
      const justAfterMidnight = new Date(2026, 10, 25, 0, 30);
      assert.equal(justAfterMidnight.toISOString().slice(0, 10), '2026-11-24');
      assert.equal(localToday(justAfterMidnight), '2026-11-25');
    } finally {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    }
  });

  test('both days are included: the service gets the day after the last one as the exclusive end', () => {
    assert.deepEqual(dayRange('2026-10-01', '2026-10-31', '2026-11-24'), { ok: true, from: '2026-10-01', to: '2026-11-01' });
    assert.deepEqual(dayRange('2026-11-24', '2026-11-24', '2026-11-24'), { ok: true, from: '2026-11-24', to: '2026-11-25' });
    assert.deepEqual(dayRange('2026-12-31', '2026-12-31', '2027-01-01'), { ok: true, from: '2026-12-31', to: '2027-01-01' });
  });

  test('what cannot be reconciled is refused with its reason', () => {
    assert.deepEqual(dayRange('', '2026-10-31', '2026-11-24'), { ok: false, problem: 'missing' });
    assert.deepEqual(dayRange('2026-02-30', '2026-03-01', '2026-11-24'), { ok: false, problem: 'missing' }, 'a day that does not exist');
    assert.deepEqual(dayRange('2026-10-31', '2026-10-01', '2026-11-24'), { ok: false, problem: 'order' });
    assert.deepEqual(dayRange('2026-11-25', '2026-11-30', '2026-11-24'), { ok: false, problem: 'future' });
    assert.deepEqual(dayRange('2023-11-23', '2023-12-01', '2026-11-24'), { ok: false, problem: 'too_old' });
    assert.equal(dayRange('2023-11-24', '2023-12-01', '2026-11-24').ok, true, 'exactly three years back is still there');
  });

  test("any range picked reads back as the same days from the service's bounds", () => {
    const day = fc.integer({ min: 0, max: 3 * 365 }).map((n) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, (a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const range = dayRange(from, to, '2026-12-31');
        assert.ok(range.ok);
        const back = runRange({ from: `${range.from}T00:00:00.000Z`, to: `${range.to}T00:00:00.000Z` });
        assert.deepEqual(back, { days: true, from, to });
      }),
    );
  });

  test('a run that does not start and end at midnight UTC reads as its instants', () => {
    const range = runRange({ from: '2026-11-24T07:00:00.000Z', to: '2026-11-24T08:30:00.000Z' });
    assert.equal(range.days, false);
    assert.equal(range.days ? '' : range.to.toISOString(), '2026-11-24T08:30:00.000Z');
  });
});

describe('runs', () => {
  test('progress: the share of report periods read while pulling, unknown while matching', () => {
    assert.equal(runProgress({ status: 'running', phase: 'pull', windows_done: 1, windows_total: 4 }), 0.25);
    assert.equal(runProgress({ status: 'running', phase: 'pull', windows_done: 0, windows_total: 0 }), null);
    assert.equal(runProgress({ status: 'running', phase: 'match', windows_done: 4, windows_total: 4 }), null);
    assert.equal(runProgress({ status: 'completed', phase: 'done', windows_done: 4, windows_total: 4 }), 1);
  });

  test("a completed run whose report stopped before the range's end says so", () => {
    assert.equal(coverageShort({ status: 'completed', to: '2026-11-25T00:00:00.000Z', coverage_end: '2026-11-24T07:30:00.000Z' }), true);
    assert.equal(coverageShort({ status: 'completed', to: '2026-11-25T00:00:00.000Z', coverage_end: '2026-11-25T00:00:00.000Z' }), false);
    assert.equal(coverageShort({ status: 'running', to: '2026-11-25T00:00:00.000Z', coverage_end: '2026-11-24T07:30:00.000Z' }), false);
  });

  test('the CSV is named as the service names it', () => {
    assert.equal(csvFileName({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' }), 'paypal-reconciliation-2026-10-01-2026-11-01.csv');
  });
});

describe('repairs', () => {
  const d = (id: number, action: RepairAction | null, status: 'open' | 'repaired' | 'needs_person' = 'open') => ({ id, action, status });

  test('only an open discrepancy with a certain repair offers one', () => {
    assert.equal(isRepairable(d(1, 'sync_capture')), true);
    assert.equal(isRepairable(d(1, null, 'needs_person')), false);
    assert.equal(isRepairable(d(1, 'book_fee', 'repaired')), false);
    assert.equal(isRepairable(d(1, 'book_fee', 'needs_person')), false, 'a repair that did not take goes to a person, not back to the button');
  });

  test('"repair all": captures first, then refunds, payments put back, fees; the rest left out', () => {
    const queue = repairQueue([d(1, 'book_fee'), d(2, 'sync_refund'), d(3, null, 'needs_person'), d(4, 'sync_capture'), d(5, 'repost_payment'), d(6, 'sync_capture', 'repaired'), d(7, 'sync_capture')]);
    assert.deepEqual(queue.map((x) => x.id), [4, 7, 2, 5, 1]);
  });
});

describe("the service's decimal strings", () => {
  test('exact minor units, signs kept, zero-decimal currencies respected', () => {
    assert.equal(decimalToMinor('27.00', 'USD'), 2700);
    assert.equal(decimalToMinor('-3.49', 'USD'), -349);
    assert.equal(decimalToMinor('0.1', 'EUR'), 10);
    assert.equal(decimalToMinor('1000', 'JPY'), 1000);
    assert.equal(decimalToMinor('10.5', 'JPY'), null, 'JPY has no decimals');
    assert.equal(decimalToMinor('1.005', 'USD'), null);
    assert.equal(decimalToMinor('', 'USD'), null);
    assert.equal(decimalToMinor(null, 'USD'), null);
    assert.equal(decimalToMinor('1e3', 'USD'), null);
    assert.equal(decimalToMinor('-0.00', 'USD'), 0);
  });

  test('any amount in cents reads back as those cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (cents) => {
        const text = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
        assert.equal(decimalToMinor(text, 'USD'), cents);
      }),
    );
  });
});
