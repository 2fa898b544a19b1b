// Amounts that come from people or APIs as positive decimal strings ("10.00", "1000"): checked,
// compared and combined exactly (shared/decimal.ts), never as floats.
import { addDecimal, compareDecimal } from './decimal.ts';

const POSITIVE_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

export function isDecimalAmount(value: unknown): value is string {
  return typeof value === 'string' && POSITIVE_DECIMAL.test(value);
}

function check(value: string): string {
  if (!isDecimalAmount(value)) throw new RangeError(`not a positive decimal amount: ${JSON.stringify(value)}`);
  return value;
}

/** -1, 0 or 1. */
export function compareAmounts(a: string, b: string): number {
  return compareDecimal(check(a), check(b));
}

/** a − b, at the larger of the two scales (may be negative). */
export function subtractAmounts(a: string, b: string): string {
  return addDecimal(check(a), `-${check(b)}`);
}

/** True when the amount has more decimals than the currency allows (e.g. "1.005" USD, "10.5" JPY). */
export function hasTooManyDecimals(value: string, currencyDecimals: number): boolean {
  const m = POSITIVE_DECIMAL.exec(value);
  if (!m) return true;
  return (m[2] ?? '').replace(/0+$/, '').length > currencyDecimals;
}
