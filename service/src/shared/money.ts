// Decimal money strings ("10.00", "1000") compared and combined exactly, in integer minor units.
// Never floats: 0.1 + 0.2 is not a price.

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Scale of a decimal string: digits after the point. */
function scaleOf(value: string): number {
  const m = DECIMAL.exec(value);
  if (!m) throw new RangeError(`not a positive decimal amount: ${JSON.stringify(value)}`);
  return m[2]?.length ?? 0;
}

function toUnits(value: string, scale: number): bigint {
  const m = DECIMAL.exec(value)!;
  const fraction = (m[2] ?? '').padEnd(scale, '0');
  return BigInt(m[1]! + fraction);
}

function fromUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${out}` : out;
}

export function isDecimalAmount(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

/** -1, 0 or 1. */
export function compareAmounts(a: string, b: string): number {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const d = toUnits(a, scale) - toUnits(b, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** a − b, at the larger of the two scales (may be negative). */
export function subtractAmounts(a: string, b: string): string {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  return fromUnits(toUnits(a, scale) - toUnits(b, scale), scale);
}

/** True when the amount has more decimals than the currency allows (e.g. "1.005" USD, "10.5" JPY). */
export function hasTooManyDecimals(value: string, currencyDecimals: number): boolean {
  const m = DECIMAL.exec(value);
  if (!m) return true;
  return (m[2] ?? '').replace(/0+$/, '').length > currencyDecimals;
}
