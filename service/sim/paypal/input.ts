// Reading request bodies defensively. In 'strict' mode the OpenAPI check has already refused
// malformed requests; in 'record' and 'off' modes the domain code still answers a missing or
// mistyped field the way PayPal does (400 INVALID_REQUEST) instead of crashing.
import { PAYPAL_CURRENCIES } from '../openapi/currencies.ts';
import { PayPalApiError, unprocessable } from './errors.ts';
import { parseAmount } from './money.ts';

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function stringField(obj: JsonObject | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function missingParameter(field: string): PayPalApiError {
  return new PayPalApiError(400, [{ issue: 'MISSING_REQUIRED_PARAMETER', field, location: 'body', description: 'A required field / parameter is missing.' }]);
}

export function invalidParameter(field: string, value: unknown): PayPalApiError {
  return new PayPalApiError(400, [{ issue: 'INVALID_PARAMETER_SYNTAX', field, value: String(value), location: 'body', description: 'The value of a field does not conform to the expected format.' }]);
}

/** Which of PayPal's amount issues an operation documents for a value with too many decimals. */
export interface AmountIssues {
  tooManyDecimals: 'DECIMAL_PRECISION';
  decimalsNotSupported: 'DECIMAL_PRECISION' | 'DECIMALS_NOT_SUPPORTED';
}

/**
 * Reads a `money` object at `field`: a supported currency (422 INVALID_CURRENCY_CODE), a well-formed
 * value (400), the currency's precision and a positive amount (422, with the operation's issue names).
 */
export function readMoney(value: unknown, field: string, issues: AmountIssues): { currency: string; minor: bigint } {
  const obj = asObject(value);
  if (!obj) throw missingParameter(field);
  const currency = stringField(obj, 'currency_code');
  const amount = stringField(obj, 'value');
  if (currency === undefined) throw missingParameter(`${field}/currency_code`);
  if (amount === undefined) throw missingParameter(`${field}/value`);
  if (!PAYPAL_CURRENCIES.has(currency)) throw unprocessable('INVALID_CURRENCY_CODE', { field: `${field}/currency_code`, value: currency, location: 'body' });
  const parsed = parseAmount(amount, currency);
  if (parsed.ok) return { currency, minor: parsed.minor };
  const at = { field: `${field}/value`, value: amount, location: 'body' as const };
  switch (parsed.problem) {
    case 'INVALID_AMOUNT':
      throw invalidParameter(`${field}/value`, amount);
    case 'DECIMAL_PRECISION':
      throw unprocessable(issues.tooManyDecimals, at);
    case 'DECIMALS_NOT_SUPPORTED':
      throw unprocessable(issues.decimalsNotSupported, at);
    case 'CANNOT_BE_ZERO_OR_NEGATIVE':
      throw unprocessable('CANNOT_BE_ZERO_OR_NEGATIVE', at);
  }
}
