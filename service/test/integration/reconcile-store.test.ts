// The reconciliation store's contract, on SQLite and on PostgreSQL alike, next to the inbox's own
// tables in the same database.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { openStore } from '../../src/inbox/open-store.ts';
import { openReconcileStore } from '../../src/reconcile/open-store.ts';
import type { ReconcileStore } from '../../src/reconcile/store.ts';
import type { Discrepancy, PayPalRecord, RunCounts } from '../../src/reconcile/types.ts';
import { splitIntoWindows } from '../../src/reconcile/windows.ts';
import { createTestDatabase } from '../support/postgres.ts';

type Kind = 'sqlite' | 'postgres';
const FROM = new Date('2026-08-01T00:00:00Z');
const TO = new Date('2026-10-01T00:00:00Z');
const NOW = new Date('2026-10-02T10:00:00Z');
const counts = { paypalRecords: 1 } as RunCounts;

async function stores(t: TestContext, kind: Kind): Promise<{ open(): Promise<ReconcileStore>; config: Parameters<typeof openStore>[0] }> {
  let config: Parameters<typeof openStore>[0];
  if (kind === 'postgres') {
    const db = await createTestDatabase('reconcile_store');
    t.after(() => db.drop());
    config = { kind: 'postgres', url: db.url };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-store-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    config = { kind: 'sqlite', dataDir: dir };
  }
  const opened: ReconcileStore[] = [];
  t.after(async () => {
    for (const s of opened) await s.close();
  });
  return {
    config,
    async open() {
      const s = await openReconcileStore(config);
      opened.push(s);
      return s;
    },
  };
}

function record(n: number, overrides: Partial<PayPalRecord> = {}): PayPalRecord {
  return {
    transactionId: `TX${String(n).padStart(15, '0')}`,
    eventCode: 'T0006',
    kind: 'capture',
    status: 'S',
    currency: 'USD',
    amount: `${n}.00`,
    fee: '-0.49',
    referenceId: null,
    invoiceId: null,
    customField: `REF-${n}`,
    initiatedAt: new Date(FROM.getTime() + n * 1000),
    updatedAt: new Date(FROM.getTime() + n * 1000),
    ...overrides,
  };
}

function discrepancy(n: number, overrides: Partial<Discrepancy> = {}): Discrepancy {
  return {
    kind: 'missing_in_odoo',
    status: 'open',
    action: 'sync_capture',
    paypalId: `TX${n}`,
    eventCode: 'T0006',
    reference: `REF-${n}`,
    paypal: { transaction_id: `TX${n}`, amount: '1.00' },
    odoo: null,
    note: `note ${n}`,
    ...overrides,
  };
}

for (const kind of ['sqlite', 'postgres'] as Kind[]) {
  describe(`reconciliation store on ${kind}`, () => {
    test('migrates next to the inbox, twice without harm, from two processes at once', async (t) => {
      const s = await stores(t, kind);
      const inbox = await openStore(s.config);
      t.after(() => inbox.close());
      const [a, b] = await Promise.all([s.open(), s.open()]);
      await a.migrate();
      const run = await b.createRun({ from: FROM, to: TO, windows: splitIntoWindows(FROM, TO), owner: 'p1', now: NOW });
      assert.equal((await a.getRun(run.id))?.windowsTotal, 2);
      assert.deepEqual((await inbox.stats()).byStatus.pending, 0, 'the inbox is untouched');
    });

    test('runs: who owns one, who may take it over, which is unfinished or live', async (t) => {
      const store = await (await stores(t, kind)).open();
      const run = await store.createRun({ from: FROM, to: TO, windows: splitIntoWindows(FROM, TO), owner: 'p1', now: NOW });
      assert.deepEqual([run.status, run.phase, run.owner, run.windowsTotal], ['running', 'pull', 'p1', 2]);
      const soon = new Date(NOW.getTime() + 10_000);
      const staleBefore = new Date(NOW.getTime() - 120_000);
      assert.equal(await store.claimRun(run.id, 'p2', soon, staleBefore), false, 'a live run is not taken over');
      assert.equal((await store.findLiveRun(staleBefore))?.id, run.id);
      assert.equal(await store.heartbeat(run.id, 'p2', soon), false);
      assert.equal(await store.updateRun(run.id, 'p2', { phase: 'match' }, soon), false, 'only the owner writes');
      const later = new Date(NOW.getTime() + 300_000);
      assert.equal(await store.findLiveRun(new Date(later.getTime() - 120_000)), null, 'its heartbeat went stale');
      assert.equal(await store.claimRun(run.id, 'p2', later, new Date(later.getTime() - 120_000)), true, 'a dead owner\'s run is taken over');
      assert.equal(await store.heartbeat(run.id, 'p1', later), false, 'the old owner lost it');
      assert.equal((await store.findUnfinishedRun(FROM, TO))?.id, run.id);
      assert.equal(await store.updateRun(run.id, 'p2', { status: 'failed', error: 'PayPal down' }, later), true);
      assert.equal(await store.claimRun(run.id, 'p3', later, new Date(0)), true, 'a failed run is resumed by anyone');
      assert.equal((await store.getRun(run.id))?.error, null);
      await store.updateRun(run.id, 'p3', { status: 'completed', phase: 'done', finishedAt: later, counts }, later);
      assert.equal(await store.claimRun(run.id, 'p4', later, later), false, 'a completed run is a report, not resumed');
      assert.equal(await store.findUnfinishedRun(FROM, TO), null);
      assert.deepEqual((await store.getRun(run.id))?.counts, counts);
      assert.deepEqual((await store.listRuns()).map((r) => r.id), [run.id]);
    });

    test('pages: lines upserted by (transaction id, event code) with the progress, in one transaction', async (t) => {
      const store = await (await stores(t, kind)).open();
      const run = await store.createRun({ from: FROM, to: TO, windows: splitIntoWindows(FROM, TO), owner: 'p1', now: NOW });
      const page1 = [record(1), record(2), record(2, { eventCode: 'T1201', kind: 'reversal', amount: '-2.00' })];
      assert.equal(await store.savePage({ runId: run.id, owner: 'p1', windowIndex: 0, page: 1, totalPages: 2, records: page1, windowDone: false, now: NOW }), true);
      // PayPal shifted a line onto the next page: the same key again is an update, not a second row.
      const page2 = [record(2, { status: 'V' }), record(3)];
      assert.equal(await store.savePage({ runId: run.id, owner: 'p1', windowIndex: 0, page: 2, totalPages: 2, records: page2, windowDone: true, now: NOW }), true);
      assert.equal(await store.savePage({ runId: run.id, owner: 'intruder', windowIndex: 1, page: 1, totalPages: 1, records: [record(9)], windowDone: true, now: NOW }), false);
      assert.equal(await store.countRecords(run.id), 4);
      const all = await store.readRecords(run.id, null, 10);
      assert.deepEqual(all.map((r) => `${r.transactionId}/${r.eventCode}/${r.status}`), [
        'TX000000000000001/T0006/S',
        'TX000000000000002/T0006/V',
        'TX000000000000002/T1201/S',
        'TX000000000000003/T0006/S',
      ]);
      assert.equal(all[0]?.initiatedAt.toISOString(), record(1).initiatedAt.toISOString());
      assert.equal(all[0]?.fee, '-0.49');
      assert.equal(all[0]?.referenceId, null);
      const windows = await store.listWindows(run.id);
      assert.deepEqual(windows.map((w) => [w.status, w.nextPage, w.totalPages, w.records]), [['done', 3, 2, 5], ['pending', 1, null, 0]]);
      const stored = await store.getRun(run.id);
      assert.deepEqual([stored?.pagesDone, stored?.recordsPulled, stored?.windowsDone], [2, 5, 1]);
      assert.equal(await store.markWindowsUnavailable(run.id, 'p1', 1, NOW), true);
      assert.deepEqual((await store.listWindows(run.id)).map((w) => w.status), ['done', 'unavailable']);
    });

    test('lines are read back in key order, each once, batch after batch', async (t) => {
      const store = await (await stores(t, kind)).open();
      const run = await store.createRun({ from: FROM, to: TO, windows: splitIntoWindows(FROM, TO), owner: 'p1', now: NOW });
      const records = Array.from({ length: 250 }, (_, i) => record(250 - i, i % 3 === 0 ? { eventCode: 'T1107', kind: 'refund' } : {}));
      await store.savePage({ runId: run.id, owner: 'p1', windowIndex: 0, page: 1, totalPages: 1, records, windowDone: true, now: NOW });
      const seen: string[] = [];
      let cursor: { transactionId: string; eventCode: string } | null = null;
      for (;;) {
        const batch = await store.readRecords(run.id, cursor, 40);
        seen.push(...batch.map((r) => `${r.transactionId}/${r.eventCode}`));
        const last = batch[batch.length - 1];
        if (!last || batch.length < 40) break;
        cursor = { transactionId: last.transactionId, eventCode: last.eventCode };
      }
      assert.equal(seen.length, 250);
      assert.equal(new Set(seen).size, 250);
      assert.deepEqual(seen, [...seen].sort());
    });

    test('discrepancies: replaced as a whole, moved on only from the expected status, summarised and paged', async (t) => {
      const store = await (await stores(t, kind)).open();
      const run = await store.createRun({ from: FROM, to: TO, windows: splitIntoWindows(FROM, TO), owner: 'p1', now: NOW });
      await store.replaceDiscrepancies(run.id, 'p1', [discrepancy(1), discrepancy(2), discrepancy(3, { kind: 'amount_mismatch', status: 'needs_person', action: null })], counts, 'match', NOW);
      await store.replaceDiscrepancies(run.id, 'p1', [discrepancy(1), discrepancy(4), discrepancy(3, { kind: 'amount_mismatch', status: 'needs_person', action: null })], counts, 'repair', NOW);
      assert.equal(await store.replaceDiscrepancies(run.id, 'other', [], counts, 'done', NOW), false, 'only the owner');
      const listed = await store.listDiscrepancies(run.id);
      assert.deepEqual(listed.map((d) => d.paypalId), ['TX1', 'TX4', 'TX3']);
      assert.deepEqual(listed[0]?.paypal, { transaction_id: 'TX1', amount: '1.00' });
      assert.equal(listed[0]?.odoo, null);
      assert.equal((await store.getRun(run.id))?.phase, 'repair');
      const first = listed[0];
      assert.ok(first);
      assert.equal(await store.updateDiscrepancy(first.id, { from: ['open'], status: 'repaired', repairNote: 'done', now: NOW }), true);
      assert.equal(await store.updateDiscrepancy(first.id, { from: ['open'], status: 'needs_person', repairNote: 'late', now: NOW }), false);
      assert.equal((await store.getDiscrepancy(first.id))?.repairNote, 'done');
      assert.deepEqual(await store.summarizeDiscrepancies(run.id), {
        byKind: { missing_in_odoo: 2, missing_in_paypal: 0, amount_mismatch: 1, currency_mismatch: 0, state_mismatch: 0, fee_missing: 0 },
        byStatus: { open: 1, repaired: 1, needs_person: 1 },
      });
      assert.deepEqual((await store.listDiscrepancies(run.id, { status: ['open', 'needs_person'] })).map((d) => d.paypalId), ['TX4', 'TX3']);
      assert.deepEqual((await store.listDiscrepancies(run.id, { kind: 'amount_mismatch' })).map((d) => d.paypalId), ['TX3']);
      const page = await store.listDiscrepancies(run.id, { limit: 1 });
      assert.deepEqual((await store.listDiscrepancies(run.id, { afterId: page[0]?.id ?? 0, limit: 1 })).map((d) => d.paypalId), ['TX4']);
    });
  });
}
