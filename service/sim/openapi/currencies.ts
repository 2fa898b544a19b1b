// PayPal's currency rules, from its "Currency codes" reference page (which the `money` schema's
// description points to; the OpenAPI documents themselves only say "a decimal string").

/** Currencies PayPal REST payments accept. */
export const PAYPAL_CURRENCIES: ReadonlySet<string> = new Set([
  'AUD', 'BRL', 'CAD', 'CHF', 'CNY', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'HUF', 'ILS', 'JPY', 'MXN',
  'MYR', 'NOK', 'NZD', 'PHP', 'PLN', 'SEK', 'SGD', 'THB', 'TWD', 'USD',
]);

/** Currencies PayPal accepts only as whole numbers ("This currency does not support decimals"). */
const ZERO_DECIMAL: ReadonlySet<string> = new Set(['HUF', 'JPY', 'TWD']);

/** Number of decimals PayPal expects in a `money.value` of this currency (2 unless listed). */
export function currencyDecimals(currencyCode: string): number {
  return ZERO_DECIMAL.has(currencyCode) ? 0 : 2;
}

/**
 * Why `value` has too many decimals for `currencyCode`, or null when it is fine. Fewer decimals than
 * the maximum ("10", "10.5") are accepted, as PayPal does.
 */
export function moneyPrecisionProblem(currencyCode: string, value: string): string | null {
  const dot = value.indexOf('.');
  const decimals = dot < 0 ? 0 : value.length - dot - 1;
  const allowed = currencyDecimals(currencyCode);
  if (decimals <= allowed) return null;
  return allowed === 0
    ? `${currencyCode} does not support decimals, got "${value}"`
    : `${currencyCode} allows at most ${allowed} decimals, got "${value}"`;
}
