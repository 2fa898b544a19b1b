import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareAmounts, hasTooManyDecimals, isDecimalAmount, subtractAmounts } from './money.ts';

test('compares and subtracts exactly, across scales', () => {
  assert.equal(compareAmounts('10.00', '10'), 0);
  assert.equal(compareAmounts('0.30', '0.3'), 0);
  assert.equal(compareAmounts('10.01', '10.1'), -1);
  assert.equal(compareAmounts('1000', '999.99'), 1);
  assert.equal(subtractAmounts('42.50', '10.00'), '32.50');
  assert.equal(subtractAmounts('0.3', '0.10'), '0.20');
  assert.equal(subtractAmounts('5', '7.5'), '-2.5');
  assert.equal(subtractAmounts('1000', '1000'), '0');
});

test('refuses what is not a positive decimal amount', () => {
  assert.throws(() => compareAmounts('1e3', '1'), RangeError);
  assert.throws(() => compareAmounts('-1', '1'), RangeError);
  assert.equal(isDecimalAmount('10.'), false);
  assert.equal(isDecimalAmount('.5'), false);
  assert.equal(isDecimalAmount('10.50'), true);
});

test('knows when an amount is finer than its currency', () => {
  assert.equal(hasTooManyDecimals('1.005', 2), true);
  assert.equal(hasTooManyDecimals('1.050', 2), false);
  assert.equal(hasTooManyDecimals('10.5', 0), true);
  assert.equal(hasTooManyDecimals('10', 0), false);
});

test('subtraction agrees with integer arithmetic on cents', () => {
  fc.assert(
    fc.property(fc.nat(10_000_000), fc.nat(10_000_000), (a, b) => {
      const cents = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
      const diff = a - b;
      const expected = diff < 0 ? `-${cents(-diff)}` : cents(diff);
      assert.equal(subtractAmounts(cents(a), cents(b)), expected);
      assert.equal(compareAmounts(cents(a), cents(b)), Math.sign(diff));
    }),
  );
});
