// Dates for Transaction Search: a range [from, to) split into query windows of at most 31 days.
// PayPal includes both ends of a query, in whole seconds; each window therefore ends one second
// before the next begins, so that no record is asked for twice and none falls between windows.
import { TRANSACTION_SEARCH_MAX_DAYS } from '../paypal/transaction-search.ts';

const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;

export interface QueryWindow {
  /** Inclusive. */
  start: Date;
  /** Inclusive. */
  end: Date;
}

function wholeSecond(date: Date, what: string): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not a valid date`);
  if (ms % SECOND !== 0) throw new RangeError(`${what} must be a whole second (PayPal's reports have no milliseconds), got ${date.toISOString()}`);
  return ms;
}

/** Windows covering [from, to) in order, each at most `maxDays` (default PayPal's 31) long. */
export function splitIntoWindows(from: Date, to: Date, maxDays = TRANSACTION_SEARCH_MAX_DAYS): QueryWindow[] {
  const start = wholeSecond(from, 'from');
  const end = wholeSecond(to, 'to');
  if (!(start < end)) throw new RangeError(`The range must not be empty: from ${from.toISOString()} is not before to ${to.toISOString()}`);
  if (!(maxDays > 0) || maxDays > TRANSACTION_SEARCH_MAX_DAYS) throw new RangeError(`maxDays must be in (0, ${TRANSACTION_SEARCH_MAX_DAYS}], got ${maxDays}`);
  const step = Math.floor(maxDays * DAY);
  const windows: QueryWindow[] = [];
  for (let s = start; s < end; s += step) {
    const e = Math.min(s + step, end) - SECOND;
    windows.push({ start: new Date(s), end: new Date(e) });
  }
  return windows;
}

/**
 * Parses PayPal's date-times: RFC 3339 ("2026-10-01T12:00:00Z", "…+00:00") and the form PayPal's
 * live API actually sends ("2026-10-01T12:00:00+0000"). Null for anything else.
 */
export function parsePayPalDate(value: string | undefined): Date | null {
  if (value === undefined) return null;
  const normalised = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(normalised)) return null;
  const ms = Date.parse(normalised.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** A calendar date (YYYY-MM-DD) or an ISO date-time for the command line; a bare date is 00:00 UTC. */
export function parseRangeBound(value: string, what: string): Date {
  const trimmed = value.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${what} must be a date (2026-10-01) or an ISO date-time with a zone (2026-10-01T00:00:00Z), got "${value}"`);
  return new Date(Math.floor(ms / SECOND) * SECOND);
}
