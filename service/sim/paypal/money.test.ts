import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { captureFee, feeSchedule, formatAmount, parseAmount, refundedFee } from './money.ts';

describe('amounts in minor units', () => {
  test('parses decimal strings exactly, with fewer decimals than the currency allows', () => {
    assert.deepEqual(parseAmount('100.00', 'USD'), { ok: true, minor: 10000n });
    assert.deepEqual(parseAmount('100.5', 'EUR'), { ok: true, minor: 10050n });
    assert.deepEqual(parseAmount('7', 'USD'), { ok: true, minor: 700n });
    assert.deepEqual(parseAmount('.99', 'USD'), { ok: true, minor: 99n });
    assert.deepEqual(parseAmount('1200', 'JPY'), { ok: true, minor: 1200n });
    assert.deepEqual(parseAmount('999999999999999.99', 'USD'), { ok: true, minor: 99_999_999_999_999_999n });
  });

  test('refuses too many decimals, zero, negatives and garbage with PayPal issue names', () => {
    assert.deepEqual(parseAmount('12.345', 'USD'), { ok: false, problem: 'DECIMAL_PRECISION' });
    assert.deepEqual(parseAmount('12.5', 'JPY'), { ok: false, problem: 'DECIMALS_NOT_SUPPORTED' });
    assert.deepEqual(parseAmount('0.00', 'USD'), { ok: false, problem: 'CANNOT_BE_ZERO_OR_NEGATIVE' });
    assert.deepEqual(parseAmount('-1.00', 'USD'), { ok: false, problem: 'CANNOT_BE_ZERO_OR_NEGATIVE' });
    assert.deepEqual(parseAmount('1,00', 'USD'), { ok: false, problem: 'INVALID_AMOUNT' });
    assert.deepEqual(parseAmount('.', 'USD'), { ok: false, problem: 'INVALID_AMOUNT' });
  });

  test('formats with exactly the currency precision', () => {
    assert.equal(formatAmount(5n, 'USD'), '0.05');
    assert.equal(formatAmount(123456n, 'EUR'), '1234.56');
    assert.equal(formatAmount(1200n, 'JPY'), '1200');
    assert.equal(formatAmount(-349n, 'USD'), '-3.49');
  });

  test('format and parse are inverse for every positive amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 17n }), fc.constantFrom('USD', 'EUR', 'JPY', 'HUF'), (minor, currency) => {
        const parsed = parseAmount(formatAmount(minor, currency), currency);
        return parsed.ok && parsed.minor === minor;
      }),
    );
  });
});

describe('fees', () => {
  const standard = feeSchedule(3.49, '0.49');

  test('3.49 % + 0.49 on 100.00 USD is 3.98, rounded half up on odd cents', () => {
    assert.equal(captureFee(10000n, 'USD', standard), 398n);
    assert.equal(captureFee(1000n, 'USD', standard), 84n); // 34.9 -> 35 + 49
    assert.equal(captureFee(1200n, 'JPY', feeSchedule(3.49, '40')), 82n); // 41.88 -> 42 + 40
  });

  test('the fee never exceeds the gross amount', () => {
    assert.equal(captureFee(10n, 'USD', standard), 10n);
  });

  test('the fees returned by partial refunds add up to the capture fee', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 100n, max: 10n ** 9n }), fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }), (gross, weights) => {
        const fee = captureFee(gross, 'USD', standard);
        const total = weights.reduce((a, b) => a + b, 0);
        let refunded = 0n;
        let feeBack = 0n;
        weights.forEach((w, i) => {
          const part = i === weights.length - 1 ? gross - refunded : (gross * BigInt(w)) / BigInt(total);
          feeBack += refundedFee(fee, gross, part, refunded, feeBack);
          refunded += part;
        });
        return refunded === gross && feeBack === fee;
      }),
    );
  });

  test('a bad fee configuration is refused with the value named', () => {
    assert.throws(() => feeSchedule(-1, '0.49'), /feePercent must be between 0 and 100, got -1/);
    assert.throws(() => feeSchedule(3.49, '0,49'), /feeFixed must be a decimal string/);
  });
});
