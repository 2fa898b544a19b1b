import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CSV_COLUMNS, csvRow, discrepanciesToCsv } from './csv.ts';
import type { StoredDiscrepancy } from './types.ts';

const base: StoredDiscrepancy = {
  id: 7,
  runId: 3,
  kind: 'amount_mismatch',
  status: 'needs_person',
  action: null,
  paypalId: 'CAP0000000000001',
  eventCode: 'T0006',
  reference: 'S00042',
  paypal: { date: '2026-10-05T12:00:00.000Z', status: 'S', amount: '33.33', currency: 'USD', fee: '-1.65' },
  odoo: { state: 'done', amount: '33.32', currency: 'USD', fee_booked: '1.65' },
  note: 'PayPal capture CAP0000000000001 is 33.33 USD; Odoo transaction S00042 has 33.32 USD.',
  repairNote: null,
  createdAt: new Date(),
  updatedAt: new Date(),
};

describe('CSV export', () => {
  test('a header and one line per discrepancy, both sides', () => {
    const csv = discrepanciesToCsv([base]);
    const [header, line, end] = csv.split('\r\n');
    assert.equal(header, CSV_COLUMNS.join(','));
    assert.equal(line, '3,7,amount_mismatch,needs_person,,CAP0000000000001,T0006,S00042,2026-10-05T12:00:00.000Z,S,33.33,USD,-1.65,done,33.32,USD,1.65,PayPal capture CAP0000000000001 is 33.33 USD; Odoo transaction S00042 has 33.32 USD.,');
    assert.equal(end, '', 'CRLF after the last line');
  });

  test('quotes what needs quoting; a formula is never a formula; negative amounts stay numbers', () => {
    const row = csvRow({ ...base, reference: '=HYPERLINK("http://x")', note: 'one, "two"\nthree', paypal: { amount: '-3.49' }, repairNote: '-rm' });
    const cells = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '')) ?? [];
    assert.equal(cells[7], `"'=HYPERLINK(""http://x"")"`);
    assert.equal(cells[10], '-3.49');
    assert.equal(cells[17], '"one, ""two""\nthree"');
    assert.equal(cells[18], "'-rm");
  });
});
