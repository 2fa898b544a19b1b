// scripts/replay-inbox.ts, run as the operator runs it: a separate process on the SQLite inbox in
// DATA_DIR, with no PayPal or Odoo settings in its environment.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSqliteStore, type SqliteInboxStore } from '../../src/inbox/sqlite-store.ts';
import { newEvent } from '../support/inbox-harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const script = path.join(root, 'scripts/replay-inbox.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runReplay(dataDir: string, args: string[]): Promise<Run> {
  // Only what a shell on the server would have: no PAYPAL_* / ODOO_* / BRIDGE_SECRET.
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '', DATA_DIR: dataDir };
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env, cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('scripts/replay-inbox.ts', () => {
  let base: string;
  let dataDir: string;
  let store: SqliteInboxStore;
  let n = 0;

  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'replay-test-'));
  });
  afterEach(async () => {
    await store.close();
  });
  after(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = path.join(base, `data-${++n}`);
    store = openSqliteStore({ dataDir });
    await store.migrate();
    const at = new Date(Date.now() - 60_000);
    await store.insertMany([
      newEvent({ eventId: 'WH-DEAD-1', eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP-1', receivedAt: at }),
      newEvent({ eventId: 'WH-DEAD-2', eventType: 'PAYMENT.CAPTURE.REFUNDED', resourceId: 'REF-2', receivedAt: at }),
      newEvent({ eventId: 'WH-DONE', receivedAt: at }),
      newEvent({ eventId: 'WH-IGNORED', eventType: 'BILLING.PLAN.CREATED', receivedAt: at }),
    ]);
    const claimed = await store.claim({ owner: 'test', limit: 4, leaseMs: 60_000 });
    const byId = new Map(claimed.map((e) => [e.eventId, e.id]));
    await store.kill(byId.get('WH-DEAD-1')!, 'test', { error: '[AMOUNT_MISMATCH] PayPal 41.00 EUR, Odoo 42.00 EUR' });
    await store.kill(byId.get('WH-DEAD-2')!, 'test', { error: 'gave up after 20 attempts: [ODOO_HTTP_500] boom' });
    await store.complete(byId.get('WH-DONE')!, 'test', { status: 'done', outcome: 'payment applied' });
    await store.complete(byId.get('WH-IGNORED')!, 'test', { status: 'ignored', outcome: 'no handler for BILLING.PLAN.CREATED' });
    await store.close();
    store = openSqliteStore({ dataDir });
  });

  it('--dry-run lists the dead events with their last errors and changes nothing', async () => {
    const run = await runReplay(dataDir, ['--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Would re-queue 2 dead events/);
    assert.match(run.stdout, /WH-DEAD-1 {2}PAYMENT\.CAPTURE\.COMPLETED {2}dead, 1 attempt {2}last error: \[AMOUNT_MISMATCH\] PayPal 41\.00 EUR, Odoo 42\.00 EUR/);
    assert.match(run.stdout, /WH-DEAD-2 {2}PAYMENT\.CAPTURE\.REFUNDED .*gave up after 20 attempts/);
    assert.match(run.stdout, /Dry run: nothing was changed/);
    assert.equal((await store.get('WH-DEAD-1'))?.status, 'dead');
    assert.equal((await store.get('WH-DEAD-2'))?.status, 'dead');
    assert.deepEqual(await store.listAudit(), []);
  });

  it('re-queues every dead event, due now with attempts reset, and records it in the audit log', async () => {
    const run = await runReplay(dataDir, []);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Re-queuing 2 dead events/);
    assert.match(run.stdout, /Re-queued 2 events/);
    for (const id of ['WH-DEAD-1', 'WH-DEAD-2']) {
      const e = await store.get(id);
      assert.equal(e?.status, 'pending', id);
      assert.equal(e?.attempts, 0, id);
      assert.ok(e!.nextAttemptAt.getTime() <= Date.now(), `${id} is due`);
    }
    assert.equal((await store.get('WH-DONE'))?.status, 'done');
    assert.equal((await store.get('WH-IGNORED'))?.status, 'ignored');
    const audit = await store.listAudit({ eventId: 'WH-DEAD-1' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.kind, 'inbox.replay');
    assert.deepEqual(audit[0]?.subjects, ['WH-DEAD-1', 'CAP-1']);
    assert.equal(audit[0]?.detail?.['lastError'], '[AMOUNT_MISMATCH] PayPal 41.00 EUR, Odoo 42.00 EUR');

    const again = await runReplay(dataDir, []);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No dead events to re-queue/);
  });

  it('--status ignored re-queues the ignored events only', async () => {
    const run = await runReplay(dataDir, ['--status', 'ignored']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /WH-IGNORED .*outcome: no handler for BILLING\.PLAN\.CREATED/);
    assert.equal((await store.get('WH-IGNORED'))?.status, 'pending');
    assert.equal((await store.get('WH-DEAD-1'))?.status, 'dead');
  });

  it('--event-id re-queues the named events, done ones included, and fails on an unknown id', async () => {
    const run = await runReplay(dataDir, ['--event-id', 'WH-DONE', '--event-id', 'WH-DEAD-2', '--event-id', 'WH-TYPO']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not found: WH-TYPO is not in the inbox/);
    assert.match(run.stdout, /Re-queued 2 events/);
    assert.equal((await store.get('WH-DONE'))?.status, 'pending');
    assert.equal((await store.get('WH-DEAD-2'))?.status, 'pending');
    assert.equal((await store.get('WH-DEAD-1'))?.status, 'dead');
  });

  it('refuses wrong usage with the usage text and exit code 2', async () => {
    for (const args of [['--status', 'done'], ['--bogus'], ['--event-id', ' ']]) {
      const run = await runReplay(dataDir, args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /Usage: npm run replay/);
    }
    assert.equal((await store.get('WH-DEAD-1'))?.status, 'dead');
  });
});
