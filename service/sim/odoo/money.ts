// Amounts in the simulated Odoo: integer minor units (bigint) of a currency, with Odoo's decimal
// places per currency (res.currency `rounding`: 0.01 for most, 1 for JPY/KRW/...). Odoo itself
// stores floats and rounds with the currency; integers give the same results without the noise.

// Odoo 18's res.currency data (base/data/res_currency_data.xml): rounding 1.0 → 0 decimals.
const ODOO_DECIMALS: Record<string, number> = {
  USD: 2, EUR: 2, GBP: 2, CAD: 2, AUD: 2, NZD: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2,
  HUF: 2, MXN: 2, BRL: 2, SGD: 2, HKD: 2, ILS: 2, PHP: 2, THB: 2, TWD: 2, INR: 2, CNY: 2,
  JPY: 0, KRW: 0, CLP: 0, VND: 0, ISK: 0,
};

const CURRENCY_CODES = Object.keys(ODOO_DECIMALS);

/** The res.currency id the simulator shows for a code (USD is 1, as in a fresh Odoo database). */
export function currencyRecordId(code: string): number {
  return CURRENCY_CODES.indexOf(code) + 1;
}

export function isKnownCurrency(code: string): boolean {
  return Object.hasOwn(ODOO_DECIMALS, code);
}

export function currencyDecimals(code: string): number {
  const decimals = ODOO_DECIMALS[code];
  if (decimals === undefined) throw new Error(`The Odoo simulator does not know the currency ${code}`);
  return decimals;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export type ParsedDecimal = { ok: true; minor: bigint } | { ok: false; problem: 'not_decimal' | 'too_precise' };

/** "10.5" USD → 1050n; more decimals than the currency has is refused ("1.001" USD, "10.5" JPY). */
export function parseDecimal(value: string, currency: string): ParsedDecimal {
  const m = DECIMAL.exec(value.trim());
  if (!m) return { ok: false, problem: 'not_decimal' };
  const decimals = currencyDecimals(currency);
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) return { ok: false, problem: 'too_precise' };
  const minor = BigInt(`${m[2]}${fraction.padEnd(decimals, '0')}`);
  return { ok: true, minor: m[1] === '-' ? -minor : minor };
}

/** 1050n USD → "10.50"; -300n → "-3.00"; 1000n JPY → "1000". */
export function formatDecimal(minor: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${fraction}` : ''}`;
}

/** What Odoo's `read` gives for a Monetary field: a float. */
export function toFloat(minor: bigint, currency: string): number {
  return Number(formatDecimal(minor, currency));
}

export function abs(minor: bigint): bigint {
  return minor < 0n ? -minor : minor;
}

/**
 * A non-negative decimal string (what Python's Decimal() accepts, without exponents) in minor
 * units of `currency`, rounded half-up as Odoo's currency.round does; `exact` says whether it
 * needed no rounding (check_amount_precision).
 */
export function toMinorUnits(value: string, currency: string): { minor: bigint; exact: boolean; negative: boolean } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return undefined;
  const decimals = currencyDecimals(currency);
  const fraction = m[3] ?? '';
  const kept = fraction.slice(0, decimals).padEnd(decimals, '0');
  const dropped = fraction.slice(decimals);
  let minor = BigInt(`${m[2] || '0'}${kept}`);
  if (dropped !== '' && Number(dropped[0]) >= 5) minor += 1n;
  return { minor, exact: /^0*$/.test(dropped), negative: m[1] === '-' && /[1-9]/.test(`${m[2]}${fraction}`) };
}
