import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { absDecimal, addDecimal, compareDecimal, sameAmount } from '../shared/decimal.ts';
import { classifyEventCode } from './event-codes.ts';
import { recordKey, toPayPalRecord, UnreadableRecordError } from './paypal-records.ts';
import { parsePayPalDate, parseRangeBound, splitIntoWindows } from './windows.ts';

const DAY = 24 * 3600 * 1000;

describe('splitIntoWindows', () => {
  test('a month of 31 days is one window ending one second before the next month', () => {
    const w = splitIntoWindows(new Date('2026-10-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'));
    assert.deepEqual(w.map((x) => [x.start.toISOString(), x.end.toISOString()]), [['2026-10-01T00:00:00.000Z', '2026-10-31T23:59:59.000Z']]);
  });

  test('any range: windows of at most 31 days, back to back, covering it exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 365 * 86400 }), fc.integer({ min: 1, max: 400 * 86400 }), (startSec, lengthSec) => {
        const from = new Date(Date.UTC(2024, 0, 1) + startSec * 1000);
        const to = new Date(from.getTime() + lengthSec * 1000);
        const windows = splitIntoWindows(from, to);
        assert.equal(windows[0]?.start.getTime(), from.getTime());
        assert.equal((windows[windows.length - 1]?.end.getTime() ?? 0) + 1000, to.getTime());
        windows.forEach((w, i) => {
          assert.ok(w.end.getTime() - w.start.getTime() <= 31 * DAY, 'at most 31 days');
          assert.ok(w.end.getTime() >= w.start.getTime());
          const next = windows[i + 1];
          if (next) assert.equal(next.start.getTime(), w.end.getTime() + 1000, 'no gap, no overlap');
        });
      }),
    );
  });

  test('refuses empty ranges and milliseconds', () => {
    assert.throws(() => splitIntoWindows(new Date('2026-10-02T00:00:00Z'), new Date('2026-10-01T00:00:00Z')), /must not be empty/);
    assert.throws(() => splitIntoWindows(new Date('2026-10-01T00:00:00.500Z'), new Date('2026-10-02T00:00:00Z')), /whole second/);
  });
});

describe('dates', () => {
  test("PayPal's date forms, including the live API's +0000", () => {
    assert.equal(parsePayPalDate('2019-06-04T01:27:43+0000')?.toISOString(), '2019-06-04T01:27:43.000Z');
    assert.equal(parsePayPalDate('2019-06-04T03:27:43+02:00')?.toISOString(), '2019-06-04T01:27:43.000Z');
    assert.equal(parsePayPalDate('2019-06-04T01:27:43Z')?.toISOString(), '2019-06-04T01:27:43.000Z');
    assert.equal(parsePayPalDate('2019-06-04'), null);
    assert.equal(parsePayPalDate(undefined), null);
  });

  test('command-line bounds: a date is midnight UTC, a date-time needs a zone', () => {
    assert.equal(parseRangeBound('2026-10-01', '--from').toISOString(), '2026-10-01T00:00:00.000Z');
    assert.equal(parseRangeBound('2026-10-01T06:00:00+02:00', '--from').toISOString(), '2026-10-01T04:00:00.000Z');
    assert.throws(() => parseRangeBound('2026-10-01T06:00:00', '--from'), /with a zone/);
    assert.throws(() => parseRangeBound('October', '--to'), /--to must be a date/);
  });
});

describe('decimal amounts', () => {
  test('compared exactly, whatever the number of decimals', () => {
    assert.equal(sameAmount('10', '10.00'), true);
    assert.equal(sameAmount('0.1', '0.10'), true);
    assert.equal(sameAmount('33.33', '33.32'), false);
    assert.equal(compareDecimal('-3.49', '3.49'), -1);
    assert.equal(absDecimal('-3.49'), '3.49');
    assert.equal(addDecimal('0.1', '0.2'), '0.3', 'no floating point');
  });

  test('any two amounts compare as their cents do', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: -1e12, max: 1e12 }), (a, b) => {
        const fmt = (n: number) => `${n < 0 ? '-' : ''}${Math.floor(Math.abs(n) / 100)}.${String(Math.abs(n) % 100).padStart(2, '0')}`;
        assert.equal(compareDecimal(fmt(a), fmt(b)), Math.sign(a - b));
      }),
    );
  });
});

describe('PayPal lines', () => {
  test('event codes: money in on payment codes is a capture, the same code outgoing is not', () => {
    assert.equal(classifyEventCode('T0006', '10.00'), 'capture');
    assert.equal(classifyEventCode('T0003', '-78.00'), 'other', 'a payment the account sent');
    assert.equal(classifyEventCode('T1107', '-5.00'), 'refund');
    assert.equal(classifyEventCode('T1106', '-5.00'), 'reversal');
    assert.equal(classifyEventCode('T1201', '-5.00'), 'reversal');
    assert.equal(classifyEventCode('T1110', '-5.00'), 'dispute_hold');
    assert.equal(classifyEventCode('T1111', '5.00'), 'dispute_release');
    assert.equal(classifyEventCode('T0106', '-20.00'), 'fee');
    assert.equal(classifyEventCode('T0400', '-100.00'), 'other');
  });

  test('a transaction_info becomes a record keyed by id and event code', () => {
    const r = toPayPalRecord({
      transaction_id: '4J3265475X6749251',
      transaction_event_code: 'T0006',
      transaction_initiation_date: '2019-06-04T01:27:43+0000',
      transaction_updated_date: '2019-06-04T01:30:00+0000',
      transaction_amount: { currency_code: 'MXN', value: '78.00' },
      fee_amount: { currency_code: 'MXN', value: '-3.12' },
      transaction_status: 'S',
      custom_field: 'S00042-1',
    });
    assert.equal(r.kind, 'capture');
    assert.equal(r.fee, '-3.12');
    assert.equal(r.customField, 'S00042-1');
    assert.equal(r.invoiceId, null);
    assert.equal(r.updatedAt.toISOString(), '2019-06-04T01:30:00.000Z');
    assert.equal(recordKey(r), '4J3265475X6749251/T0006');
    assert.throws(() => toPayPalRecord({ transaction_id: 'X', transaction_amount: { currency_code: 'USD', value: '1.00' } }), UnreadableRecordError);
    assert.throws(() => toPayPalRecord({ transaction_id: 'X', transaction_event_code: 'T0006', transaction_amount: { currency_code: 'USD', value: '1.00' } }), /unreadable dates/);
  });
});
