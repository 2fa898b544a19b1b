// Exact decimal amounts, "to the cent": PayPal and Odoo both send amounts as decimal
// strings, possibly with different numbers of decimals for the same value ("1000" JPY at PayPal,
// "1000.00" HUF in Odoo). Values are compared as scaled integers, never as floats.

export interface Decimal {
  /** The value times 10^scale. */
  units: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Parses "10.00", "-3.49", ".5"; throws on anything else (the callers' schemas check first). */
export function parseDecimal(value: string): Decimal {
  const m = DECIMAL.exec(value.trim());
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw new RangeError(`"${value}" is not a decimal amount`);
  const fraction = m[3] ?? '';
  const units = BigInt(`${m[2] || '0'}${fraction}`) * (m[1] === '-' ? -1n : 1n);
  return { units, scale: fraction.length };
}

function rescale(d: Decimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

/** -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const diff = rescale(x, scale) - rescale(y, scale);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

export function sameAmount(a: string, b: string): boolean {
  return compareDecimal(a, b) === 0;
}

export function isZero(value: string): boolean {
  return parseDecimal(value).units === 0n;
}

export function isNegative(value: string): boolean {
  return parseDecimal(value).units < 0n;
}

/** The absolute value, keeping the decimals as written ("-3.49" → "3.49"). */
export function absDecimal(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('-') || trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
}

/** a + b, with as many decimals as the more precise of the two. */
export function addDecimal(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  return formatUnits(rescale(x, scale) + rescale(y, scale), scale);
}

export function formatUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}
