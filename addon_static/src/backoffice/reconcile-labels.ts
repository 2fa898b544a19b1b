// What the reconciliation view shows for the service's codes, translated (Odoo extracts the
// `_t("…")` literals), and the ranges of runs in the user's locale.
import { _t } from './odoo.ts';
import { runRange, type DiscrepancyKind, type DiscrepancyStatus, type RepairAction, type RunInfo } from './reconcile-model.ts';

export function kindLabel(kind: DiscrepancyKind | string): string {
  switch (kind) {
    case 'missing_in_odoo':
      return _t('Missing in Odoo');
    case 'missing_in_paypal':
      return _t('Unknown to PayPal');
    case 'amount_mismatch':
      return _t('Amount differs');
    case 'currency_mismatch':
      return _t('Currency differs');
    case 'state_mismatch':
      return _t('Status differs');
    case 'fee_missing':
      return _t('Fee not booked');
    default:
      return kind;
  }
}

export function discrepancyStatusLabel(status: DiscrepancyStatus | string): string {
  switch (status) {
    case 'open':
      return _t('Open');
    case 'repaired':
      return _t('Repaired');
    case 'needs_person':
      return _t('Needs a person');
    default:
      return status;
  }
}

/** Bootstrap 5.3 badge classes, as Odoo 18's own status badges. */
export function discrepancyStatusBadge(status: DiscrepancyStatus | string): string {
  if (status === 'repaired') return 'text-bg-success';
  if (status === 'needs_person') return 'text-bg-danger';
  return 'text-bg-warning';
}

export function runStatusLabel(run: Pick<RunInfo, 'status' | 'stalled'>): string {
  if (run.stalled) return _t('Stalled');
  switch (run.status) {
    case 'running':
      return _t('Running');
    case 'completed':
      return _t('Completed');
    case 'failed':
      return _t('Failed');
    default:
      return run.status;
  }
}

export function runStatusBadge(run: Pick<RunInfo, 'status' | 'stalled'>): string {
  if (run.stalled || run.status === 'failed') return 'text-bg-danger';
  return run.status === 'running' ? 'text-bg-info' : 'text-bg-success';
}

export function phaseLabel(phase: string): string {
  switch (phase) {
    case 'pull':
      return _t("Reading PayPal's report");
    case 'match':
      return _t('Comparing with Odoo');
    case 'repair':
      return _t('Repairing');
    default:
      return _t('Finishing');
  }
}

/** PayPal's transaction status codes in Transaction Search. */
export function paypalStatusLabel(code: string | null | undefined): string {
  switch (code) {
    case 'S':
      return _t('Completed');
    case 'P':
      return _t('Pending');
    case 'D':
      return _t('Denied');
    case 'V':
      return _t('Reversed');
    default:
      return code ?? '';
  }
}

/** What the one-click repair does, for its button's title. */
export function actionLabel(action: RepairAction | null): string {
  switch (action) {
    case 'sync_capture':
      return _t('Book the capture as PayPal has it');
    case 'sync_refund':
      return _t('Book the refund as PayPal has it');
    case 'book_fee':
      return _t("Book PayPal's fee");
    case 'repost_payment':
      return _t("Put the payment back in Odoo's books");
    default:
      return '';
  }
}

function day(value: string, locale: string): string {
  return new Date(`${value}T00:00:00Z`).toLocaleDateString(locale, { dateStyle: 'medium', timeZone: 'UTC' });
}

/** "Oct 1, 2026 – Oct 31, 2026" (UTC days, the end included), or exact instants in UTC. */
export function formatRunRange(run: Pick<RunInfo, 'from' | 'to'>, locale: string): string {
  const range = runRange(run);
  if (range.days) return range.from === range.to ? day(range.from, locale) : `${day(range.from, locale)} – ${day(range.to, locale)}`;
  const at = (d: Date) => d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  return `${at(range.from)} – ${at(range.to)} UTC`;
}
