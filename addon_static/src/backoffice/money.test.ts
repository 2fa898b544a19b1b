import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currencyDecimals, displayMoney, formatMinor, parseAmountInput, toMinor } from './money.ts';

describe('money in minor units', () => {
  test('ORM floats to minor units and back to the decimal strings the service wants', () => {
    assert.equal(toMinor(42.5, 'USD'), 4250);
    assert.equal(toMinor(0.29, 'USD'), 29, 'no float drift (0.29 * 100 = 28.999…)');
    assert.equal(toMinor(-12.5, 'EUR'), -1250);
    assert.equal(toMinor(1000, 'JPY'), 1000);
    assert.equal(formatMinor(4250, 'USD'), '42.50');
    assert.equal(formatMinor(5, 'USD'), '0.05');
    assert.equal(formatMinor(-1250, 'USD'), '-12.50');
    assert.equal(formatMinor(1000, 'JPY'), '1000');
    assert.equal(currencyDecimals('HUF'), 0);
    assert.equal(currencyDecimals('EUR'), 2);
  });

  test('what a user types', () => {
    const ok = (text: string, currency = 'USD') => {
      const r = parseAmountInput(text, currency);
      assert.ok(r.ok, `${text}: ${JSON.stringify(r)}`);
      return r.minor;
    };
    assert.equal(ok('10'), 1000);
    assert.equal(ok('10.5'), 1050);
    assert.equal(ok('10,50'), 1050);
    assert.equal(ok(' 12.50 '), 1250);
    assert.equal(ok('1,234.50'), 123450);
    assert.equal(ok('1.234,50'), 123450);
    assert.equal(ok('1 234,5'), 123450);
    assert.equal(ok('1,234,567'), 123456700);
    assert.equal(ok('10.500'), 1050, 'trailing zeros are not decimals');
    assert.equal(ok('1000', 'JPY'), 1000);
    const problem = (text: string, currency = 'USD') => {
      const r = parseAmountInput(text, currency);
      assert.equal(r.ok, false, text);
      return r.ok ? null : r.problem;
    };
    assert.equal(problem(''), 'empty');
    assert.equal(problem('   '), 'empty');
    assert.equal(problem('-5'), 'format');
    assert.equal(problem('1e3'), 'format');
    assert.equal(problem('12.'), 'format');
    assert.equal(problem('1.2.3'), 'format');
    assert.equal(problem('1,234.5.6'), 'format');
    assert.equal(problem('abc'), 'format');
    assert.equal(problem('10.005'), 'decimals');
    assert.equal(problem('1,234'), 'decimals', 'one comma is a decimal comma: 1.234 has three decimals');
    assert.equal(problem('10.5', 'JPY'), 'decimals');
    assert.equal(problem('0.00'), 'zero');
    assert.equal(problem('99999999999999999999'), 'format');
  });

  test('for people: the currency in the locale, exact whatever Intl knows', () => {
    // Intl separates a currency code from the number with a no-break space.
    const shown = (minor: number, currency: string) => displayMoney(minor, currency, 'en-US').replace(/\s/g, ' ');
    assert.equal(shown(4250, 'USD'), '$42.50');
    assert.equal(shown(-1250, 'USD'), '-$12.50');
    assert.equal(shown(1000, 'JPY'), '¥1,000');
    assert.equal(shown(1000, 'HUF'), 'HUF 1,000', 'PayPal settles HUF without decimals');
    assert.equal(shown(4250, 'XXXX'), '42.50 XXXX');
  });
});
