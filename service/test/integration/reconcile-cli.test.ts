// `npm run reconcile` as an operator runs it: a process configured by the environment, against the
// simulators; its summary, CSV, progress lines and exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { startReconcileHarness, type ReconcileHarness } from '../support/reconcile-harness.ts';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'reconcile.ts');

function envFor(h: ReconcileHarness): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PAYPAL_API_BASE: h.paypalSim.apiBase,
    PAYPAL_CLIENT_ID: h.paypalSim.clientId,
    PAYPAL_CLIENT_SECRET: h.paypalSim.clientSecret,
    PAYPAL_WEBHOOK_ID: 'WH-RECONCILE-CLI-TEST',
    ODOO_URL: h.odooSim.url,
    ODOO_DB: h.odooSim.db,
    ODOO_LOGIN: h.odooSim.service.login,
    ODOO_API_KEY: h.odooSim.service.password,
    BRIDGE_SECRET: 'reconcile-cli-test-bridge-secret-0123456789',
    // These tests are about the comparison's report; booking the ledger first (the default) would
    // book the missing fees they plant. The ledger mode has its own test below.
    RECONCILE_BOOK_LEDGER: 'false',
  };
  delete env['LOG_LEVEL'];
  if (h.storeConfig.kind === 'sqlite') {
    env['DATA_DIR'] = h.storeConfig.dataDir;
    delete env['DATABASE_URL'];
  } else {
    env['DATABASE_URL'] = h.storeConfig.url;
  }
  return env;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run reconcile', () => {
  test('wrong usage and missing configuration are exit code 2, with what to do', async () => {
    const noDates = await cli([], process.env);
    assert.equal(noDates.code, 2);
    assert.match(noDates.stderr, /--from and --to are required/);
    assert.match(noDates.stderr, /Usage: npm run reconcile/);
    const badDate = await cli(['--from', '2026-10-01', '--to', 'yesterday'], process.env);
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /--to must be a date/);
    const backwards = await cli(['--from', '2026-10-31', '--to', '2026-10-01'], process.env);
    assert.equal(backwards.code, 2);
    const env = { ...process.env };
    for (const key of ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID', 'ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY', 'BRIDGE_SECRET']) delete env[key];
    const unconfigured = await cli(['--from', '2026-10-01', '--to', '2026-10-31'], env);
    assert.equal(unconfigured.code, 2);
    assert.match(unconfigured.stderr, /The reconciliation cannot start: \d+ configuration problems/);
    assert.match(unconfigured.stderr, /PAYPAL_CLIENT_ID/);
    const noOdoo = await cli(['--from', '2026-10-01', '--to', '2026-10-31'], { ...env, PAYPAL_CLIENT_ID: 'id', PAYPAL_CLIENT_SECRET: 'secret', PAYPAL_WEBHOOK_ID: 'WH-1' });
    assert.equal(noOdoo.code, 2);
    assert.match(noOdoo.stderr, /Odoo is not configured: set ODOO_URL/);
    const help = await cli(['--help'], process.env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes: 0 clean, 1 discrepancies remain/);
  });

  test('a clean month is exit code 0; discrepancies are 1, with a table and a CSV; --repair fixes them and exits 0', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    await h.pay({ amount: '10.00' });
    const env = envFor(h);
    const clean = await cli(['--from', '2026-10-01', '--to', '2026-10-31'], env);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /Reconciliation run #1: 2026-10-01 to 2026-10-31 \(UTC\)/);
    assert.match(clean.stdout, /No discrepancy: PayPal and Odoo agree\./);
    assert.match(clean.stderr, /reconcile: pulling PayPal: window 1\/1/, 'progress as plain lines when stderr is not a terminal');
    assert.doesNotMatch(clean.stderr, /\r/);

    const p = await h.pay({ amount: '20.00', fee: false });
    const csvFile = path.join(h.storeConfig.kind === 'sqlite' ? h.storeConfig.dataDir : '.', 'report.csv');
    const found = await cli(['--from', '2026-10-01', '--to', '2026-10-31', '--csv', csvFile], env);
    assert.equal(found.code, 1, found.stderr);
    assert.match(found.stdout, /fee not booked in Odoo\s+1\s+1\s+0\s+0/);
    assert.match(found.stdout, /run again with --repair/);
    const csv = fs.readFileSync(csvFile, 'utf8').trim().split('\r\n');
    assert.equal(csv.length, 2);
    assert.match(csv[1] ?? '', new RegExp(`fee_missing,open,book_fee,${p.captureId}`));

    const repaired = await cli(['--from', '2026-10-01', '--to', '2026-10-31', '--repair', '--json'], env);
    assert.equal(repaired.code, 0, repaired.stderr);
    const summary = JSON.parse(repaired.stdout) as { run: { id: number; status: string }; discrepancies: { byStatus: Record<string, number> }; seconds: number; peakRssMb: number };
    assert.equal(summary.run.status, 'completed');
    assert.deepEqual(summary.discrepancies.byStatus, { open: 0, repaired: 1, needs_person: 0 });
    assert.ok(summary.seconds > 0 && summary.peakRssMb > 0);
    assert.equal((await h.inbox.listAudit({ subject: `reconcile-run:${summary.run.id}` })).length, 1, 'the repair is in the audit log');
  });

  test('by default a run books PayPal\'s ledger in the PayPal journal first: lines matched with the payments, the missing fee booked from it, nothing left to repair', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    await h.pay({ amount: '10.00' });
    const p = await h.pay({ amount: '20.00', fee: false });
    const env = { ...envFor(h) };
    delete env['RECONCILE_BOOK_LEDGER'];
    const run = await cli(['--from', '2026-10-01', '--to', '2026-10-31'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /PayPal journal: +2 ledger lines \(2 new\), 2 matched with Odoo's payments, 0 left open for a person/);
    assert.match(run.stdout, /No discrepancy: PayPal and Odoo agree\./);
    const [record] = await h.odoo.lookup({ captureIds: [p.captureId] });
    assert.equal(record?.payment_state, 'paid');
    assert.ok(record?.fee_booked, 'the fee PayPal\'s ledger shows is booked');
    const again = await cli(['--from', '2026-10-01', '--to', '2026-10-31', '--new'], env);
    assert.match(again.stdout, /PayPal journal: +2 ledger lines \(0 new\), 2 matched/);
  });

  test('PayPal unreachable: exit code 3, and the same command resumes the run', async (t) => {
    const h = await startReconcileHarness('sqlite');
    t.after(() => h.close());
    await h.pay({ amount: '10.00' });
    const env = envFor(h);
    h.paypalSim.faults.add({ path: '/v1/reporting/transactions', status: 503, times: Infinity });
    const failed = await cli(['--from', '2026-10-01', '--to', '2026-10-31'], env);
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /Run the same command again to resume it/);
    h.paypalSim.faults.clear();
    const resumed = await cli(['--from', '2026-10-01', '--to', '2026-10-31', '--json'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((JSON.parse(resumed.stdout) as { run: { id: number } }).run.id, 1, 'run #1, resumed');
  });
});
