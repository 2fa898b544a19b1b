// The reconciliation budget (service/ARCHITECTURE.md, "Budgets"): 100,000 PayPal records reconciled
// against Odoo in ≤ 20 s with ≤ 300 MB peak memory.
//
// What is measured is `npm run reconcile -- --from 2026-10-01 --to 2026-10-31`, the command itself
// in its own process, over loopback: Transaction Search page by page from the PayPal simulator
// (HTTPS, every answer checked against PayPal's document), each page saved in the store, Odoo's
// transactions read through the paypal_bridge_reconcile_data entry point of the Odoo simulator,
// the match, the report stored. The seconds are the command's own (store opening to report); the
// memory is its peak resident set as the kernel counts it (maxRSS), so no short peak between
// samples is missed. The simulators run in another process. The data: n PayPal records over one
// month (captures, every tenth with a partial refund) and the matching Odoo transactions with their
// fees booked — a clean month, so that every record is compared.
//
//   node scripts/bench-reconcile.ts [--records 100000] [--store sqlite|postgres]
//
// The lead's `npm run bench` calls runReconcileBench().
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const MONTH = { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };

export interface ReconcileBenchOptions {
  /** PayPal records to reconcile (default 100,000). */
  records?: number;
  /** Where the run is stored (default sqlite, in a temporary DATA_DIR). */
  store?: 'sqlite' | 'postgres';
  /** For postgres: a server where this user may create databases (default TEST_DATABASE_URL or local). */
  databaseUrl?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ReconcileBenchResult {
  records: number;
  seconds: number;
  peakRssMb: number;
}

interface SimsInfo {
  paypal: { apiBase: string; clientId: string; clientSecret: string };
  odoo: { url: string; db: string; login: string; apiKey: string };
  rootCert: string;
  records: number;
}

/** Reads the first JSON line a child prints; rejects if it exits first. */
function firstJsonLine<T>(child: ReturnType<typeof spawn>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${what} printed something else than JSON: ${line}\n${stderr}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before answering:\n${stderr}`)));
  });
}

export async function runReconcileBench(options: ReconcileBenchOptions = {}): Promise<ReconcileBenchResult> {
  const records = options.records ?? 100_000;
  const log = options.log ?? (() => undefined);
  const { ensureTestPki } = await import('../service/sim/pki.ts');
  const pki = await ensureTestPki(path.join(root, '.cache', 'test-pki'));
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: pki.rootCert, TEST_PKI_DIR: pki.dir };

  log(`reconciliation: seeding ${records.toLocaleString('en')} PayPal records and their Odoo transactions…`);
  const sims = spawn(process.execPath, [self, '--sims', String(records)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let database: { url: string; drop(): Promise<void> } | undefined;
  let dataDir: string | undefined;
  try {
    const info = await firstJsonLine<SimsInfo>(sims, 'the simulators');
    let store: { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };
    if (options.store === 'postgres') {
      if (options.databaseUrl) process.env['TEST_DATABASE_URL'] ??= options.databaseUrl;
      const { createTestDatabase } = await import('../service/test/support/postgres.ts');
      database = await createTestDatabase('reconcile_bench');
      store = { kind: 'postgres', url: database.url };
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-bench-'));
      store = { kind: 'sqlite', dataDir };
    }
    log(`reconciliation: npm run reconcile over ${info.records.toLocaleString('en')} records (${store.kind})…`);
    // The command exactly as an operator runs it, configured through the environment.
    const cliEnv: NodeJS.ProcessEnv = {
      ...env,
      PAYPAL_API_BASE: info.paypal.apiBase,
      PAYPAL_CLIENT_ID: info.paypal.clientId,
      PAYPAL_CLIENT_SECRET: info.paypal.clientSecret,
      PAYPAL_WEBHOOK_ID: 'WH-BENCH-RECONCILE',
      ODOO_URL: info.odoo.url,
      ODOO_DB: info.odoo.db,
      ODOO_LOGIN: info.odoo.login,
      ODOO_API_KEY: info.odoo.apiKey,
      BRIDGE_SECRET: 'bench-reconcile-bridge-secret-0123456789',
      LOG_LEVEL: 'warn',
      ...(store.kind === 'postgres' ? { DATABASE_URL: store.url } : { DATA_DIR: store.dataDir }),
    };
    if (store.kind === 'sqlite') delete cliEnv['DATABASE_URL'];
    const cli = spawn(process.execPath, [path.join(root, 'scripts', 'reconcile.ts'), '--from', '2026-10-01', '--to', '2026-10-31', '--new', '--json'], { env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    const output = await firstJsonLine<{ run: { counts: { paypalRecords: number; matched: number; discrepancies: Record<string, number> } | null }; seconds: number; peakRssMb: number }>(cli, 'npm run reconcile');
    const code = await exited;
    const counts = output.run.counts;
    const problems = counts ? Object.values(counts.discrepancies).reduce((a, b) => a + b, 0) : -1;
    if (code !== 0 || !counts || counts.paypalRecords !== info.records || counts.matched !== info.records || problems !== 0) {
      throw new Error(`the run did not reconcile every record cleanly (exit ${code}): ${JSON.stringify(counts)}`);
    }
    return { records: counts.paypalRecords, seconds: output.seconds, peakRssMb: output.peakRssMb };
  } finally {
    sims.stdin?.end();
    sims.kill('SIGTERM');
    await database?.drop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Child: both simulators, seeded, until stdin closes. */
async function serveSims(records: number): Promise<void> {
  const { startPayPalSimulator } = await import('../service/sim/paypal/index.ts');
  const { startOdooSim } = await import('../service/sim/odoo/server.ts');
  const { seedReconcileTransactions } = await import('../service/sim/odoo/reconcile.ts');
  const { ensureTestPki, testPkiDir } = await import('../service/sim/pki.ts');
  const pki = await ensureTestPki(testPkiDir());
  // PayPal's clock is past the month: the whole month is in its reports.
  const paypal = await startPayPalSimulator({ pki, clock: () => new Date('2026-11-02T06:00:00Z') });
  const odoo = await startOdooSim();
  const payments = paypal.reporting.seedRecords(records, { from: new Date(MONTH.from), to: new Date('2026-10-31T23:59:00Z'), refundEvery: 10 });
  seedReconcileTransactions(odoo.database, payments, { feesBooked: true });
  const info: SimsInfo = {
    paypal: { apiBase: paypal.apiBase, clientId: paypal.clientId, clientSecret: paypal.clientSecret },
    odoo: { url: odoo.url, db: odoo.db, login: odoo.service.login, apiKey: odoo.service.password },
    rootCert: pki.rootCert,
    records,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = async () => {
    if (paypal.violations.length > 0) process.stderr.write(`PayPal simulator: ${paypal.violations.length} OpenAPI violation(s), first: ${paypal.violations[0]?.message}\n`);
    await paypal.close();
    await odoo.close();
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const { values } = parseArgs({
    options: { sims: { type: 'string' }, records: { type: 'string' }, store: { type: 'string' } },
    strict: true,
  });
  if (values.sims !== undefined) await serveSims(Number(values.sims));
  else {
    const store = values.store === 'postgres' ? 'postgres' : 'sqlite';
    const result = await runReconcileBench({ records: Number(values.records ?? 100_000), store, log: (l) => process.stderr.write(`${l}\n`) });
    const ok = result.seconds <= 20 && result.peakRssMb <= 300;
    process.stdout.write(
      `reconciliation of ${result.records.toLocaleString('en')} PayPal records (${store}): ${result.seconds} s (budget ≤ 20 s), peak RSS ${result.peakRssMb} MB (budget ≤ 300 MB): ${ok ? 'within' : 'OVER'}\n`,
    );
    process.exit(ok ? 0 : 1);
  }
}
