// `npm run odoo -- <command>`: a real, throw-away Odoo 18 beside the project, for the real-Odoo
// test suites, CI and the demo. See odoo_addon/RUNNING-ODOO.md.
//
//   npm run odoo -- start [--db NAME] [--port N] [--workers N] [--cron] [--fresh]
//                                   a fresh database (demo data, a shop, PayPal, paypal_bridge as
//                                   built now) served on a free port; prints ODOO_URL and ODOO_DB
//   npm run odoo -- test [--tags T]  the module's Python tests on a fresh copy; fails when they fail
//   npm run odoo -- stop [--db NAME | --all]
//                                   stops the server and drops its database
//   npm run odoo -- status          what runs
//
// Environment: ODOO_SOURCE (required: an Odoo 18.0 source tree or a .tar.gz of one);
// ODOO_CACHE_DIR (default ~/.cache/paypal-bridge-odoo: unpacked sources, filestores, logs);
// ODOO_PG_ADMIN_URL (default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres:
// a PostgreSQL login allowed to create roles and databases); ODOO_DB_USER (default odoo_test, the
// role Odoo runs as; created when missing); ODOO_PYTHON (default /usr/bin/python3).
//
// `start` prints `ODOO_URL=…` and `ODOO_DB=…` lines on standard output (everything else goes to
// standard error), so a shell can load them:  set -a; eval "$(npm run --silent odoo -- start)"; set +a
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildAddon, formatBuildReport } from './build-addon.ts';
import { missingPrerequisites, OdooSetupError, resolveOdooSource } from './odoo/odoo-source.ts';
import {
  ensureTemplate,
  isAlive,
  listInstances,
  runPythonTests,
  startInstance,
  stopInstance,
  type OdooEnvironment,
} from './odoo/odoo-instance.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DB = 'pbodoo_test';

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

const USAGE = `Usage: npm run odoo -- start [--db NAME] [--port N] [--workers N] [--cron] [--fresh]
       npm run odoo -- test [--tags TAGS] [--fresh]
       npm run odoo -- stop [--db NAME | --all]
       npm run odoo -- status
Needs ODOO_SOURCE: an Odoo 18.0 source tree (the folder holding odoo-bin) or a .tar.gz of one.`;

/** Where the state is and how to reach PostgreSQL: enough for stop and status. */
function stateEnvironment(): OdooEnvironment {
  const cacheHome = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return {
    source: { dir: '', odooBin: '', addonsPaths: [], version: '' },
    addonParent: path.join(root, 'odoo_addon'),
    cacheRoot: path.resolve(process.env['ODOO_CACHE_DIR'] || path.join(cacheHome, 'paypal-bridge-odoo')),
    adminUrl: process.env['ODOO_PG_ADMIN_URL'] || process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
    dbUser: process.env['ODOO_DB_USER'] || 'odoo_test',
    say,
  };
}

/** For start and test: the Odoo source too, after checking the machine can run it. */
function environment(): OdooEnvironment {
  const problem = missingPrerequisites();
  if (problem) throw new OdooSetupError(problem);
  const env = stateEnvironment();
  return { ...env, source: resolveOdooSource(process.env['ODOO_SOURCE'], env.cacheRoot, say) };
}

async function buildTheAddon(): Promise<void> {
  say(formatBuildReport(await buildAddon()));
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      workers: { type: 'string' },
      cron: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      tags: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    say(USAGE);
    return command || values.help ? 0 : 2;
  }
  const db = values.db ?? DEFAULT_DB;
  const started = Date.now();
  switch (command) {
    case 'start': {
      const port = values.port === undefined ? undefined : Number(values.port);
      const workers = values.workers === undefined ? 0 : Number(values.workers);
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new OdooSetupError(`--port ${values.port} is not a port number.`);
      if (!(Number.isInteger(workers) && workers >= 0)) throw new OdooSetupError(`--workers ${values.workers} is not a whole number.`);
      const env = environment();
      await buildTheAddon();
      const template = await ensureTemplate(env, { fresh: values.fresh });
      const instance = await startInstance(env, template, { db, port, workers, cronThreads: values.cron ? 1 : 0 });
      say(`Odoo 18 (${env.source.dir}) serves ${instance.db} at ${instance.url} (workers=${workers}; log: ${instance.logFile}); ready in ${seconds(started)}. Log in as admin / admin.`);
      say(`Stop it with: npm run odoo -- stop${db === DEFAULT_DB ? '' : ` --db ${db}`}`);
      process.stdout.write(`ODOO_URL=${instance.url}\nODOO_DB=${instance.db}\n`);
      return 0;
    }
    case 'test': {
      const env = environment();
      await buildTheAddon();
      const template = await ensureTemplate(env, { fresh: values.fresh });
      say(`Running paypal_bridge's Python tests in Odoo (${values.tags ?? '/paypal_bridge'})…`);
      const result = await runPythonTests(env, template, values.tags);
      const summary = `${result.run} tests, ${result.failed} failed, ${result.errors} error(s); Odoo exited ${result.exitCode}; ${seconds(started)} (log: ${result.log})`;
      if (result.ok) {
        say(`Python tests of paypal_bridge: ${summary}`);
        // The closing line CI reads: "N passed, N failed".
        process.stdout.write(`odoo: ${result.run - result.failed - result.errors} passed, ${result.failed + result.errors} failed\n`);
        return 0;
      }
      say(`Python tests of paypal_bridge FAILED: ${summary}`);
      if (result.run === 0) say('  No test ran: the module did not load, or the tags matched nothing.');
      for (const line of result.problems.slice(0, 40)) say(`  ${line}`);
      process.stdout.write(`odoo: ${Math.max(0, result.run - result.failed - result.errors)} passed, ${Math.max(1, result.failed + result.errors)} failed\n`);
      return 1;
    }
    case 'stop': {
      const env = stateEnvironment();
      const targets = values.all ? listInstances(env).map((i) => i.db) : [db];
      if (targets.length === 0) say('No Odoo instance of ours runs.');
      for (const name of targets) {
        const had = await stopInstance(env, name);
        say(had ? `Stopped ${name} and dropped its database.` : `No instance ${name} was running; its database, if any, is dropped.`);
      }
      return 0;
    }
    case 'status': {
      const env = stateEnvironment();
      const instances = listInstances(env);
      if (instances.length === 0) say('No Odoo instance of ours runs.');
      for (const i of instances) say(`${i.db}: ${i.url} pid ${i.pid} ${isAlive(i.pid) ? 'running' : 'NOT running'} since ${i.startedAt} (log: ${i.logFile})`);
      return 0;
    }
    default:
      say(`Unknown command ${JSON.stringify(command)}.\n${USAGE}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof OdooSetupError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    say(`npm run odoo: ${(err as Error).message}`);
    process.exitCode = 1;
  } else throw err;
}
