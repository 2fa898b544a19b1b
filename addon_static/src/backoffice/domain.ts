// The transactions list's ORM domain, built from the filters and the search box. Pure, so that
// the benchmark (scripts/bench-backoffice.ts) sends Odoo exactly what the list sends.

export type DomainLeaf = [string, string, unknown];
export type Domain = (DomainLeaf | '|' | '&' | '!')[];

export const TX_STATES = ['draft', 'pending', 'authorized', 'done', 'cancel', 'error'] as const;
export type TxState = (typeof TX_STATES)[number];

export interface TxFilters {
  state: TxState | '';
  /** YYYY-MM-DD in the user's time zone, inclusive; '' for none. */
  dateFrom: string;
  dateTo: string;
  /** As typed; Odoo's amounts (refunds are negative there). */
  amountMin: string;
  amountMax: string;
  needsReview: boolean;
  disputed: boolean;
  refunded: boolean;
  /** Odoo reference, PayPal order/capture/refund id, payer id or payer e-mail. */
  search: string;
}

export function emptyFilters(): TxFilters {
  return { state: '', dateFrom: '', dateTo: '', amountMin: '', amountMax: '', needsReview: false, disputed: false, refunded: false, search: '' };
}

/** Odoo's Datetime string (UTC, "YYYY-MM-DD HH:MM:SS") of local midnight of `date` plus `days`. */
export function localMidnightUtc(date: string, days = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const local = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  if (Number.isNaN(local.getTime())) return null;
  return local.toISOString().slice(0, 19).replace('T', ' ');
}

function amount(text: string): number | null {
  const value = Number(text.trim().replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(value) ? value : null;
}

/**
 * The search box as one domain: the reference and the payer's e-mail by `ilike` (trigram indexes
 * in Odoo), the PayPal ids by `=` (btree indexes; PayPal writes them in capitals).
 */
export function searchDomain(term: string): Domain {
  const text = term.trim();
  if (text === '') return [];
  const id = text.toUpperCase();
  return [
    '|', '|', '|', '|', '|',
    ['reference', 'ilike', text],
    ['paypal_order_id', '=', id],
    ['paypal_capture_id', '=', id],
    ['paypal_refund_id', '=', id],
    ['paypal_payer_id', '=', id],
    ['paypal_payer_email', 'ilike', text],
  ];
}

/** PayPal transactions matching the filters (terms joined by Odoo's implicit AND). */
export function transactionDomain(filters: TxFilters): Domain {
  const domain: Domain = [['provider_code', '=', 'paypal']];
  if (filters.state) domain.push(['state', '=', filters.state]);
  const from = filters.dateFrom ? localMidnightUtc(filters.dateFrom) : null;
  if (from) domain.push(['last_state_change', '>=', from]);
  const to = filters.dateTo ? localMidnightUtc(filters.dateTo, 1) : null;
  if (to) domain.push(['last_state_change', '<', to]);
  const min = amount(filters.amountMin);
  if (min !== null) domain.push(['amount', '>=', min]);
  const max = amount(filters.amountMax);
  if (max !== null) domain.push(['amount', '<=', max]);
  if (filters.needsReview) domain.push(['paypal_needs_review', '=', true]);
  if (filters.disputed) domain.push(['paypal_dispute_ids', '!=', false]);
  if (filters.refunded) domain.push(['paypal_refund_status', 'in', ['partially_refunded', 'refunded']]);
  domain.push(...searchDomain(filters.search));
  return domain;
}

/** Columns the list sorts on (stored, indexed or cheap); `id` breaks ties so pages never overlap. */
export const SORTABLE = ['reference', 'last_state_change', 'amount', 'state'] as const;
export type SortField = (typeof SORTABLE)[number] | 'id';

export function orderClause(field: SortField, ascending: boolean): string {
  const direction = ascending ? 'asc' : 'desc';
  return field === 'id' ? `id ${direction}` : `${field} ${direction}, id ${direction}`;
}
