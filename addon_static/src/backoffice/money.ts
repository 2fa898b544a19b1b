// Money in the back office: Odoo's ORM answers amounts as floats already rounded to the
// currency's decimals, the service wants decimal strings ("10.00", "1000" for JPY), and what is
// left to refund or capture must be compared exactly. So amounts are carried as integer minor
// units (safe far beyond any payment: 2^53 cents), converted once on the way in and out.

/** Currencies PayPal settles without decimals (the service and Odoo's module agree). */
const ZERO_DECIMAL_CURRENCIES = new Set(['HUF', 'JPY', 'TWD']);

export function currencyDecimals(currency: string): number {
  return ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
}

/** An ORM float (e.g. 42.5 or -10) in minor units of `currency`. */
export function toMinor(value: number, currency: string): number {
  return Math.round(value * 10 ** currencyDecimals(currency));
}

/** Minor units as the decimal string the service expects ("42.50", "-10.00", "1000"). */
export function formatMinor(minor: number, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(decimals + 1, '0');
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}

/** For people: the amount with its currency in the user's locale, e.g. "$42.50" or "42,50 €". */
export function displayMoney(minor: number, currency: string, locale?: string): string {
  const decimals = currencyDecimals(currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(minor / 10 ** decimals);
  } catch {
    // An unknown locale or currency code: the plain decimal string is still exact.
    return `${formatMinor(minor, currency)} ${currency}`;
  }
}

export type AmountInput = { ok: true; minor: number } | { ok: false; problem: 'empty' | 'format' | 'decimals' | 'zero' };

/**
 * What a user typed in an amount box, in minor units. Accepts "10", "10.5", "10,50" (a decimal
 * comma), "1,234.50" / "1.234,50" (the last separator is the decimal one when both appear) and
 * spaces as thousands separators; refuses signs, letters and more decimals than the currency has.
 */
export function parseAmountInput(text: string, currency: string): AmountInput {
  const compact = text.replace(/[\s\u00a0\u202f']/g, '');
  if (compact === '') return { ok: false, problem: 'empty' };
  if (!/^\d[\d.,]*$/.test(compact) || /[.,]$/.test(compact)) return { ok: false, problem: 'format' };
  const lastSeparator = Math.max(compact.lastIndexOf('.'), compact.lastIndexOf(','));
  let whole = compact;
  let fraction = '';
  if (lastSeparator >= 0) {
    const separator = compact[lastSeparator] as string;
    const other = separator === '.' ? ',' : '.';
    const tail = compact.slice(lastSeparator + 1);
    const head = compact.slice(0, lastSeparator);
    // The same separator several times ("1,234,567") separates thousands; a single last one is
    // the decimal separator, so that "10,5" and "10.50" both work (and "1,234" is 1.234).
    if (head.includes(separator)) {
      if (head.includes(other) || tail.length !== 3) return { ok: false, problem: 'format' };
      whole = compact.replaceAll(separator, '');
    } else {
      whole = head.replaceAll(other, '');
      fraction = tail;
      if (/[.,]/.test(whole) || /[.,]/.test(fraction)) return { ok: false, problem: 'format' };
    }
  }
  const decimals = currencyDecimals(currency);
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > decimals) return { ok: false, problem: 'decimals' };
  const minor = Number(whole) * 10 ** decimals + Number(significant.padEnd(decimals, '0') || '0');
  if (!Number.isSafeInteger(minor)) return { ok: false, problem: 'format' };
  if (minor === 0) return { ok: false, problem: 'zero' };
  return { ok: true, minor };
}
