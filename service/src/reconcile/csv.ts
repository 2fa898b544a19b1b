// The discrepancies of a run as CSV (RFC 4180: comma-separated, CRLF, fields quoted when needed),
// for accountants' spreadsheets. A cell that a spreadsheet would run as a formula (=, +, @, or a
// dash not followed by a number) is prefixed with an apostrophe; amounts such as "-3.49" stay
// numbers.
import type { ReconcileStore } from './store.ts';
import type { StoredDiscrepancy } from './types.ts';

export const CSV_COLUMNS = [
  'run_id',
  'discrepancy_id',
  'kind',
  'status',
  'repair',
  'paypal_id',
  'event_code',
  'odoo_reference',
  'paypal_date',
  'paypal_status',
  'paypal_amount',
  'paypal_currency',
  'paypal_fee',
  'odoo_state',
  'odoo_amount',
  'odoo_currency',
  'odoo_fee_booked',
  'note',
  'repair_note',
] as const;

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+@\t\r]/.test(text) || (text.startsWith('-') && !/^-\d+(\.\d+)?$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(d: StoredDiscrepancy): string {
  const p = d.paypal ?? {};
  const o = d.odoo ?? {};
  return [
    d.runId,
    d.id,
    d.kind,
    d.status,
    d.action,
    d.paypalId,
    d.eventCode,
    d.reference,
    p['date'],
    p['status'],
    p['amount'],
    p['currency'],
    p['fee'],
    o['state'],
    o['amount'],
    o['currency'],
    o['fee_booked'],
    d.note,
    d.repairNote,
  ]
    .map(cell)
    .join(',');
}

export function discrepanciesToCsv(discrepancies: readonly StoredDiscrepancy[]): string {
  return [CSV_COLUMNS.join(','), ...discrepancies.map(csvRow)].join('\r\n') + '\r\n';
}

/** Streams a run's discrepancies as CSV lines to `write`, page by page (any number of rows). */
export async function writeRunCsv(store: ReconcileStore, runId: number, write: (chunk: string) => void | Promise<void>): Promise<number> {
  await write(`${CSV_COLUMNS.join(',')}\r\n`);
  let rows = 0;
  for (let afterId = 0; ; ) {
    const page = await store.listDiscrepancies(runId, { afterId, limit: 1000 });
    if (page.length > 0) await write(page.map((d) => `${csvRow(d)}\r\n`).join(''));
    rows += page.length;
    const last = page[page.length - 1];
    if (!last || page.length < 1000) return rows;
    afterId = last.id;
  }
}
