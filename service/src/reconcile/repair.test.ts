// The repair step against the Odoo simulator and real stores, with a test double standing in for
// the payment sync (service/src/sync/payment-sync.ts): each double does to Odoo what the sync
// would, or fails the way it can. The real sync is exercised by the integration suites.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { openSqliteStore } from '../inbox/sqlite-store.ts';
import { createBridgeApi, type BridgeApi } from '../odoo/bridge-api.ts';
import { createOdooClient } from '../odoo/json-rpc-client.ts';
import { FinalError, RetryableError } from '../shared/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { startOdooSim, type OdooSim } from '../../sim/odoo/server.ts';
import { createReconcileOdooApi } from './odoo-reconcile-api.ts';
import { repairDiscrepancy, repairOpenDiscrepancies, type RepairDeps } from './repair.ts';
import { openSqliteReconcileStore } from './sqlite-store.ts';
import type { Discrepancy, ReconcileSync, RunCounts, SyncResult } from './types.ts';

const logger = createLogger({ level: 'silent' });
const counts = {} as RunCounts;

async function setup(t: TestContext) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'repair-test-'));
  const store = openSqliteReconcileStore({ dataDir: dir });
  await store.migrate();
  const inbox = openSqliteStore({ dataDir: dir });
  await inbox.migrate();
  const odooSim: OdooSim = await startOdooSim();
  const client = createOdooClient({ url: odooSim.url, db: odooSim.db, login: odooSim.service.login, apiKey: odooSim.service.password, logger });
  const bridge: BridgeApi = createBridgeApi(client);
  const odoo = createReconcileOdooApi(client);
  t.after(async () => {
    await store.close();
    await inbox.close();
    await odooSim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const run = await store.createRun({ from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), windows: [], owner: 'test', now: new Date() });

  /** A transaction PayPal captured and Odoo left pending (a state mismatch), stored as discrepancy. */
  async function pendingCapture(captureId: string): Promise<number> {
    const f = odooSim.createSaleOrderWithTransaction({ amount: '10.00' });
    await bridge.applyPayment(f.reference, 'pending', { capture_id: captureId });
    const d: Discrepancy = {
      kind: 'state_mismatch',
      status: 'open',
      action: 'sync_capture',
      paypalId: captureId,
      eventCode: 'T0006',
      reference: f.reference,
      paypal: { transaction_id: captureId, event_code: 'T0006', kind: 'capture', status: 'S', amount: '10.00', currency: 'USD', fee: null, date: '2026-10-05T00:00:00.000Z' },
      odoo: { reference: f.reference, state: 'pending' },
      note: 'PayPal completed; Odoo pending.',
    };
    const existing = await store.listDiscrepancies(run.id);
    await store.replaceDiscrepancies(run.id, 'test', [...existing, d], counts, 'repair', new Date());
    const stored = (await store.listDiscrepancies(run.id)).find((x) => x.paypalId === captureId);
    assert.ok(stored);
    return stored.id;
  }

  /** A sync double: books the capture as done in Odoo (what the real sync does), or answers `answer`. */
  function syncDouble(behaviour: (captureId: string) => Promise<SyncResult>): ReconcileSync & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      async syncCapture(captureId) {
        calls.push(captureId);
        return behaviour(captureId);
      },
      async syncRefund() {
        throw new Error('not expected');
      },
    };
  }
  const books = async (captureId: string): Promise<SyncResult> => {
    const tx = await bridge.find({ capture_id: captureId });
    const r = await bridge.applyPayment(tx?.reference ?? '', 'done', { capture_id: captureId });
    return { outcome: r.result, reference: r.tx.reference, state: r.tx.state, detail: 'booked' };
  };
  const deps = (sync?: ReconcileSync): RepairDeps => ({ store, odoo, sync, audit: inbox, logger });
  return { store, inbox, bridge, run, pendingCapture, syncDouble, books, deps };
}

describe('repairDiscrepancy', () => {
  test('a certain repair that works: repaired, with what was done, and audited', async (t) => {
    const s = await setup(t);
    const id = await s.pendingCapture('CAPREPAIR00000001');
    const sync = s.syncDouble(s.books);
    const { discrepancy, attempted } = await repairDiscrepancy(s.deps(sync), id);
    assert.equal(attempted, true);
    assert.equal(discrepancy.status, 'repaired');
    assert.match(discrepancy.repairNote ?? '', /^syncCapture\(CAPREPAIR00000001\): applied — booked\. Checked: Odoo now agrees with PayPal/);
    assert.deepEqual(sync.calls, ['CAPREPAIR00000001']);
    const [entry] = await s.inbox.listAudit({ subject: 'CAPREPAIR00000001' });
    assert.equal(entry?.kind, 'reconcile.repair');
    assert.equal(entry?.outcome, 'ok');
    assert.ok(entry?.subjects.includes(`reconcile-run:${s.run.id}`));
    assert.equal(entry?.detail?.['verified'], true);
  });

  test('a repair that changes nothing goes to a person, with the answer', async (t) => {
    const s = await setup(t);
    const id = await s.pendingCapture('CAPREPAIR00000002');
    const sync = s.syncDouble(async () => ({ outcome: 'unchanged', detail: 'capture is PENDING at PayPal' }));
    const { discrepancy } = await repairDiscrepancy(s.deps(sync), id);
    assert.equal(discrepancy.status, 'needs_person');
    assert.match(discrepancy.repairNote ?? '', /unchanged — capture is PENDING at PayPal\. Odoo still differs from PayPal \(S\d+ is pending\)/);
    assert.equal((await s.inbox.listAudit({ subject: 'CAPREPAIR00000002' }))[0]?.outcome, 'error');
  });

  test('PayPal or Odoo unavailable: left open, to be repaired again', async (t) => {
    const s = await setup(t);
    const id = await s.pendingCapture('CAPREPAIR00000003');
    let fail = true;
    const sync = s.syncDouble(async (captureId) => {
      if (fail) throw new RetryableError('PayPal captures.get did not answer within 20000 ms');
      return s.books(captureId);
    });
    const first = await repairDiscrepancy(s.deps(sync), id);
    assert.equal(first.discrepancy.status, 'open');
    assert.match(first.discrepancy.repairNote ?? '', /can be retried: PayPal captures.get did not answer/);
    fail = false;
    const second = await repairDiscrepancy(s.deps(sync), id);
    assert.equal(second.discrepancy.status, 'repaired');
    assert.equal((await s.inbox.listAudit({ subject: 'CAPREPAIR00000003' })).length, 2, 'both attempts are written down');
  });

  test('a refused repair, or no payment sync to do it with, goes to a person', async (t) => {
    const s = await setup(t);
    const refused = await s.pendingCapture('CAPREPAIR00000004');
    const sync = s.syncDouble(async () => {
      throw new FinalError('PayPal does not know capture CAPREPAIR00000004', 'NOT_FOUND_AT_PAYPAL');
    });
    assert.match((await repairDiscrepancy(s.deps(sync), refused)).discrepancy.repairNote ?? '', /^Repair refused: PayPal does not know capture/);
    const noSync = await s.pendingCapture('CAPREPAIR00000005');
    const result = await repairDiscrepancy(s.deps(undefined), noSync);
    assert.equal(result.discrepancy.status, 'needs_person');
    assert.match(result.discrepancy.repairNote ?? '', /needs the payment sync/);
  });

  test('only open discrepancies are repaired; a second click, or a concurrent one, changes nothing', async (t) => {
    const s = await setup(t);
    const id = await s.pendingCapture('CAPREPAIR00000006');
    const sync = s.syncDouble(s.books);
    const [a, b] = await Promise.all([repairDiscrepancy(s.deps(sync), id), repairDiscrepancy(s.deps(sync), id)]);
    assert.equal(a.discrepancy.status, 'repaired');
    assert.equal(b.discrepancy.status, 'repaired');
    const audit = await s.inbox.listAudit({ subject: 'CAPREPAIR00000006' });
    assert.equal(audit.filter((e) => /already handled by another repair/.test(e.summary)).length, audit.length - 1, 'one of them records the result');
    const again = await repairDiscrepancy(s.deps(sync), id);
    assert.equal(again.attempted, false);
    await assert.rejects(repairDiscrepancy(s.deps(sync), 999_999), /No reconciliation discrepancy #999999/);
  });

  test('repairOpenDiscrepancies repairs every open one and counts them', async (t) => {
    const s = await setup(t);
    await s.pendingCapture('CAPREPAIR00000007');
    await s.pendingCapture('CAPREPAIR00000008');
    const sync = s.syncDouble(s.books);
    const progress: number[] = [];
    const result = await repairOpenDiscrepancies(s.deps(sync), s.run.id, { onProgress: (p) => progress.push(p.done ?? -1) });
    assert.deepEqual(result, { attempted: 2, repaired: 2 });
    assert.deepEqual(progress, [0, 1, 2]);
    assert.deepEqual((await s.store.summarizeDiscrepancies(s.run.id)).byStatus, { open: 0, repaired: 2, needs_person: 0 });
  });
});
