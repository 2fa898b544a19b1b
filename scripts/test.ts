// `npm test`: prepares what the suites need, then runs them all with node:test.
//
// - a private PKI that plays PayPal's certificate hierarchy (service/sim/pki.ts); its root is
//   trusted by the test processes through NODE_EXTRA_CA_CERTS, exactly as an operator would add a
//   corporate root, so the service's real chain-building code runs in every test;
// - the addon's browser assets, built first (scripts/build-addon.ts, with its post-build check):
//   the browser tests and the asset checks run the files a real Odoo would get;
// - PostgreSQL: the store conformance suite and the multi-worker tests run on a real server
//   (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres); each test creates
//   and drops its own database. PostgreSQL missing is an error, not a skip.
//
// Usage: npm test                       all suites
//        npm test -- service/src/inbox  only test files whose path contains one of the arguments
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildAddon, formatBuildReport } from './build-addon.ts';
import { ensureTestPki } from '../service/sim/pki.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const TEST_GLOBS = ['service/**/*.test.ts', 'scripts/**/*.test.ts', 'addon_static/**/*.test.ts', 'e2e/**/*.test.ts'];

async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    console.error(
      `PostgreSQL is not reachable at ${url.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}\n` +
        'The PostgreSQL suites cannot run. Start PostgreSQL, or point TEST_DATABASE_URL at a server where this user may create databases.',
    );
    process.exit(1);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = TEST_GLOBS.flatMap((g) => fs.globSync(g, { exclude: (f) => f.includes('node_modules') }))
  .map((f) => f.split(path.sep).join('/'))
  .filter((f) => filters.length === 0 || filters.some((flt) => f.includes(flt)))
  .sort();
if (files.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`);
  process.exit(1);
}

try {
  console.log(formatBuildReport(await buildAddon()));
} catch (err) {
  console.error(`The addon's assets do not build, so the tests cannot run: ${(err as Error).message}`);
  process.exit(1);
}

const pkiDir = path.join(root, '.cache', 'test-pki');
const pki = await ensureTestPki(pkiDir);
const databaseUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
await checkPostgres(databaseUrl);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_EXTRA_CA_CERTS: pki.rootCert,
  TEST_PKI_DIR: pki.dir,
  TEST_DATABASE_URL: databaseUrl,
};

const args = ['--test', '--test-concurrency=2', '--test-timeout=300000', ...passThrough, ...files];
/** What this machine lacks, said again after the run so that it cannot scroll out of sight. */
function notRunSummary(): string[] {
  const lines: string[] = [];
  if (!process.env['ODOO_URL'] && files.some((f) => /real/.test(path.basename(f)))) {
    lines.push('NOT RUN: the real-Odoo suites (contract, write-back, reconciliation, browser): ODOO_URL is unset. `npm run odoo -- start` starts a real Odoo 18 and prints ODOO_URL and ODOO_DB (odoo_addon/RUNNING-ODOO.md).');
  }
  if (!fs.existsSync('/usr/bin/chromium') && files.some((f) => f.startsWith('e2e/'))) lines.push('NOT RUN: the browser suites: no /usr/bin/chromium (apt-get install chromium).');
  return lines;
}

const child = spawn(process.execPath, args, { stdio: 'inherit', env });
child.on('exit', (code, signal) => {
  for (const line of notRunSummary()) console.log(line);
  process.exit(code ?? (signal ? 1 : 0));
});
