// What the back office shows for Odoo's and the service's codes, translated (Odoo extracts the
// `_t("…")` literals), and dates in the user's locale.
import { _t } from './odoo.ts';
import type { TxState } from './domain.ts';

export function stateLabel(state: TxState | string): string {
  switch (state) {
    case 'draft':
      return _t('Draft');
    case 'pending':
      return _t('Pending');
    case 'authorized':
      return _t('Authorized');
    case 'done':
      return _t('Confirmed');
    case 'cancel':
      return _t('Canceled');
    case 'error':
      return _t('Error');
    default:
      return state;
  }
}

/** Bootstrap 5.3 badge classes, as Odoo 18's own status badges. */
export function stateBadge(state: string): string {
  switch (state) {
    case 'done':
      return 'text-bg-success';
    case 'authorized':
      return 'text-bg-info';
    case 'pending':
      return 'text-bg-warning';
    case 'error':
      return 'text-bg-danger';
    default:
      return 'text-bg-secondary';
  }
}

export function refundStatusLabel(status: string): string {
  if (status === 'partially_refunded') return _t('Partially refunded');
  if (status === 'refunded') return _t('Refunded');
  return '';
}

export function disputeStatusLabel(status: string | false): string {
  switch (status) {
    case 'OPEN':
      return _t('Open');
    case 'WAITING_FOR_BUYER_RESPONSE':
      return _t('Waiting for buyer');
    case 'WAITING_FOR_SELLER_RESPONSE':
      return _t('Seller response due');
    case 'UNDER_REVIEW':
      return _t('Under PayPal review');
    case 'RESOLVED':
      return _t('Resolved');
    case false:
      return '';
    default:
      return _t('Other');
  }
}

/** paypal.dispute's reasons (PayPal's codes), with the module's labels. */
export function disputeReasonLabel(reason: string | false): string {
  switch (reason) {
    case 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED':
      return _t('Not received');
    case 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED':
      return _t('Not as described');
    case 'UNAUTHORISED':
      return _t('Unauthorised');
    case 'CREDIT_NOT_PROCESSED':
      return _t('Credit not processed');
    case 'DUPLICATE_TRANSACTION':
      return _t('Duplicate transaction');
    case 'INCORRECT_AMOUNT':
      return _t('Incorrect amount');
    case 'PAYMENT_BY_OTHER_MEANS':
      return _t('Paid by other means');
    case 'CANCELED_RECURRING_BILLING':
      return _t('Cancelled recurring billing');
    case 'PROBLEM_WITH_REMITTANCE':
      return _t('Problem with remittance');
    case false:
      return '';
    default:
      return _t('Other');
  }
}

export function timelineKindLabel(kind: string): string {
  switch (kind) {
    case 'webhook.received':
      return _t('Webhook');
    case 'paypal.call':
      return _t('PayPal call');
    case 'odoo.write':
      return _t('Odoo update');
    case 'admin.action':
      return _t('Back office');
    case 'worker.done':
      return _t('Applied');
    case 'worker.ignored':
      return _t('Ignored');
    case 'worker.retry':
    case 'worker.deferred':
      return _t('Retry later');
    case 'worker.dead':
      return _t('Failed for good');
    case 'reconcile.repair':
      return _t('Reconciliation');
    default:
      return kind;
  }
}

export function circuitLabel(state: string): string {
  switch (state) {
    case 'closed':
      return _t('Closed (PayPal answers)');
    case 'open':
      return _t('Open (PayPal calls paused)');
    case 'half-open':
      return _t('Half-open (testing PayPal)');
    default:
      return state;
  }
}

/** An Odoo Datetime ("2025-01-31 12:00:00", UTC) or an ISO 8601 string, as a Date. */
export function parseServerDate(value: string | false | null | undefined): Date | null {
  if (!value) return null;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDateTime(value: string | false | null | undefined, locale?: string): string {
  const date = parseServerDate(value);
  return date ? date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : '';
}

/** "in 3 days", "today", "2 days ago" for a deadline, from `now`. */
export function formatDeadline(value: string | false, now: Date, locale?: string): string {
  const date = parseServerDate(value);
  if (!date) return _t('No deadline');
  const days = Math.round((Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) - Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())) / 86_400_000);
  try {
    return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(days, 'day');
  } catch {
    return `${days}`;
  }
}
