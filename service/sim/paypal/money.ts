// Money in integer minor units (bigint), so no amount is ever rounded by floating point.
// PayPal's `money.value` is a decimal string; "10", "10.5" and "10.50" are the same USD amount.
import { currencyDecimals } from '../openapi/currencies.ts';

export interface Money {
  currency_code: string;
  value: string;
}

/** Why an amount string cannot be used, named by PayPal's 422 issue for it. */
export type AmountProblem = 'DECIMAL_PRECISION' | 'DECIMALS_NOT_SUPPORTED' | 'CANNOT_BE_ZERO_OR_NEGATIVE' | 'INVALID_AMOUNT';

export type ParsedAmount = { ok: true; minor: bigint } | { ok: false; problem: AmountProblem };

const AMOUNT = /^(-?)(\d*)(?:\.(\d+))?$/;

/** Parses `value` in `currency` into minor units; zero and negative amounts are refused. */
export function parseAmount(value: string, currency: string): ParsedAmount {
  const m = AMOUNT.exec(value);
  if (!m || (m[2] === '' && m[3] === undefined)) return { ok: false, problem: 'INVALID_AMOUNT' };
  const decimals = currencyDecimals(currency);
  const fraction = m[3] ?? '';
  if (fraction.length > decimals) return { ok: false, problem: decimals === 0 ? 'DECIMALS_NOT_SUPPORTED' : 'DECIMAL_PRECISION' };
  const minor = BigInt(`${m[2] || '0'}${fraction.padEnd(decimals, '0')}`) * (m[1] === '-' ? -1n : 1n);
  if (minor <= 0n) return { ok: false, problem: 'CANNOT_BE_ZERO_OR_NEGATIVE' };
  return { ok: true, minor };
}

/** Formats minor units with exactly the currency's number of decimals ("12.30", "1200"). */
export function formatAmount(minor: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${fraction}` : ''}`;
}

export function money(minor: bigint, currency: string): Money {
  return { currency_code: currency, value: formatAmount(minor, currency) };
}

/** Integer division rounding half away from zero. */
function divRound(numerator: bigint, denominator: bigint): bigint {
  const q = numerator / denominator;
  const r = numerator % denominator;
  return 2n * (r < 0n ? -r : r) >= denominator ? q + (numerator < 0n ? -1n : 1n) : q;
}

export interface FeeSchedule {
  /** Percentage of the gross amount in hundredths of a percent (3.49 % = 349). */
  basisPointsTimes100: bigint;
  /** Fixed part, in major units, rounded to each currency's precision ("0.49" is 0 JPY). */
  fixed: string;
}

export function feeSchedule(percent: number, fixed: string): FeeSchedule {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new Error(`feePercent must be between 0 and 100, got ${percent}.`);
  if (!/^\d+(\.\d+)?$/.test(fixed)) throw new Error(`feeFixed must be a decimal string such as "0.49", got "${fixed}".`);
  return { basisPointsTimes100: BigInt(Math.round(percent * 100)), fixed };
}

function fixedMinor(fixed: string, currency: string): bigint {
  const decimals = currencyDecimals(currency);
  const [whole = '0', fraction = ''] = fixed.split('.');
  const scaled = BigInt(`${whole}${fraction.padEnd(decimals + 1, '0').slice(0, decimals + 1)}`); // one extra digit to round
  return divRound(scaled, 10n);
}

/** PayPal's fee on a gross amount: percentage plus fixed part, never more than the gross. */
export function captureFee(grossMinor: bigint, currency: string, schedule: FeeSchedule): bigint {
  const fee = divRound(grossMinor * schedule.basisPointsTimes100, 10_000n) + fixedMinor(schedule.fixed, currency);
  return fee > grossMinor ? grossMinor : fee;
}

/**
 * The part of a capture's fee returned with a refund: proportional to the refunded share, and the
 * remainder on the refund that empties the capture, so refunded fees add up to the capture fee.
 */
export function refundedFee(captureFeeMinor: bigint, captureGrossMinor: bigint, refundMinor: bigint, refundedBeforeMinor: bigint, feeRefundedBeforeMinor: bigint): bigint {
  if (refundedBeforeMinor + refundMinor >= captureGrossMinor) return captureFeeMinor - feeRefundedBeforeMinor;
  return (captureFeeMinor * refundMinor) / captureGrossMinor;
}
