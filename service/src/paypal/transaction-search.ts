// Transaction Search v1 (`GET /v1/reporting/transactions`, reporting_transactions_v1.json): the
// query the client sends and what it reads back. The REST app needs the "Transaction Search"
// feature (scope https://uri.paypal.com/services/reporting/search/read); without it PayPal
// answers 403 NOT_AUTHORIZED.
import { z } from 'zod';
import { PayPalApiError, PayPalRequestError } from './paypal-errors.ts';
import { moneySchema } from './schemas.ts';

/** PayPal's limits: at most 31 days per query, at most 500 records per page. */
export const TRANSACTION_SEARCH_MAX_DAYS = 31;
export const TRANSACTION_SEARCH_MAX_PAGE_SIZE = 500;

export interface TransactionSearchQuery {
  /** Inclusive; sent as RFC 3339 in UTC with whole seconds. */
  startDate: Date;
  /** Inclusive; at most 31 days after startDate. */
  endDate: Date;
  /** From 1. Default 1. */
  page?: number;
  /** 1 to 500. Default 500 (PayPal's own default is 100). */
  pageSize?: number;
  /** `transaction_info` (PayPal's default), `all`, or a comma-separated list of groups. */
  fields?: string;
  /** Default true (PayPal's `Y`): only records that move money. */
  balanceAffectingRecordsOnly?: boolean;
  transactionId?: string;
  /** A T-code, e.g. T1107. */
  transactionType?: string;
  /** D, P, S or V. */
  transactionStatus?: string;
  transactionCurrency?: string;
}

const optionalText = z.string().optional();

export const transactionInfoSchema = z.looseObject({
  transaction_id: z.string().min(1),
  transaction_event_code: optionalText,
  transaction_initiation_date: optionalText,
  transaction_updated_date: optionalText,
  transaction_amount: moneySchema.optional(),
  fee_amount: moneySchema.optional(),
  transaction_status: optionalText,
  paypal_reference_id: optionalText,
  paypal_reference_id_type: optionalText,
  invoice_id: optionalText,
  custom_field: optionalText,
});

export const transactionSearchResponseSchema = z.looseObject({
  transaction_details: z.array(z.looseObject({ transaction_info: transactionInfoSchema })).optional(),
  account_number: optionalText,
  start_date: optionalText,
  end_date: optionalText,
  last_refreshed_datetime: optionalText,
  page: z.number().int().optional(),
  total_items: z.number().int().optional(),
  total_pages: z.number().int().optional(),
});

export type TransactionInfo = z.infer<typeof transactionInfoSchema>;
export type TransactionSearchPage = z.infer<typeof transactionSearchResponseSchema>;

function rfc3339(date: Date, what: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new PayPalRequestError(`PayPal search.get: ${what} must be a valid Date.`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The query string, after checking PayPal's limits (so a bad query never reaches PayPal). */
export function transactionSearchPath(query: TransactionSearchQuery): string {
  const start = rfc3339(query.startDate, 'startDate');
  const end = rfc3339(query.endDate, 'endDate');
  const spanMs = query.endDate.getTime() - query.startDate.getTime();
  if (spanMs < 0) throw new PayPalRequestError(`PayPal search.get: endDate ${end} is before startDate ${start}.`);
  if (spanMs > TRANSACTION_SEARCH_MAX_DAYS * 24 * 3600 * 1000) {
    throw new PayPalRequestError(`PayPal search.get: ${start} to ${end} is longer than PayPal's ${TRANSACTION_SEARCH_MAX_DAYS}-day maximum; split the range into windows.`);
  }
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? TRANSACTION_SEARCH_MAX_PAGE_SIZE;
  if (!Number.isInteger(page) || page < 1) throw new PayPalRequestError(`PayPal search.get: page must be a whole number ≥ 1 (got ${page}).`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > TRANSACTION_SEARCH_MAX_PAGE_SIZE) {
    throw new PayPalRequestError(`PayPal search.get: pageSize must be a whole number from 1 to ${TRANSACTION_SEARCH_MAX_PAGE_SIZE} (got ${pageSize}).`);
  }
  const params = new URLSearchParams({ start_date: start, end_date: end });
  if (query.transactionId !== undefined) params.set('transaction_id', query.transactionId);
  if (query.transactionType !== undefined) params.set('transaction_type', query.transactionType);
  if (query.transactionStatus !== undefined) params.set('transaction_status', query.transactionStatus);
  if (query.transactionCurrency !== undefined) params.set('transaction_currency', query.transactionCurrency);
  params.set('fields', query.fields ?? 'transaction_info');
  params.set('balance_affecting_records_only', query.balanceAffectingRecordsOnly === false ? 'N' : 'Y');
  params.set('page_size', String(pageSize));
  params.set('page', String(page));
  return `/v1/reporting/transactions?${params}`;
}

const DATA_NOT_AVAILABLE = /data for the given start date is not available/i;

/**
 * PayPal's "Data for the given start date is not available." (400 INVALID_REQUEST, sometimes 404):
 * the start lies after the last refresh of the reporting data — or it is a Monday shortly after
 * midnight UTC, when PayPal answers so for a couple of hours (a known PayPal quirk). Either way the
 * data is not there yet; asking again later is the remedy.
 */
export function isReportingDataUnavailable(err: unknown): boolean {
  if (!(err instanceof PayPalApiError) || (err.status !== 400 && err.status !== 404)) return false;
  if (DATA_NOT_AVAILABLE.test(err.paypalMessage)) return true;
  return err.paypalDetails.some((d) => DATA_NOT_AVAILABLE.test(d.issue) || (d.description !== undefined && DATA_NOT_AVAILABLE.test(d.description)));
}

/** GET /v1/reporting/balances: the account's balance per currency. */
export const balancesResponseSchema = z.looseObject({
  balances: z
    .array(
      z.looseObject({
        currency: z.string(),
        primary: z.boolean().optional(),
        total_balance: moneySchema,
        available_balance: moneySchema.optional(),
        withheld_balance: moneySchema.optional(),
      }),
    )
    .optional(),
  as_of_time: optionalText,
  last_refresh_time: optionalText,
});
export type BalancesResponse = z.infer<typeof balancesResponseSchema>;
