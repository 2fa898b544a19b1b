// Throw-away Odoo 18 databases and servers for tests, CI and the demo (`npm run odoo`).
//
// Creating an Odoo database with demo data and a shop takes a minute or more, so it is done once
// and kept as a template database:
//   base template   Odoo's modules a PayPal shop uses, with demo data; keyed by the Odoo source
//                   and the module list;
//   addon template  the base plus paypal_bridge as it is built now; keyed by the base and by every
//                   file of the addon, so a changed addon gets a new one (in seconds, from the base).
// Every instance is then a copy of the addon template (PostgreSQL's CREATE DATABASE … TEMPLATE,
// plus a hard-linked copy of its filestore: Odoo never rewrites a stored file in place), and
// is dropped again by `stop`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import pg from 'pg';
import { freePort } from '../../service/test/support/free-port.ts';
import { OdooSetupError, PYTHON, type OdooSource } from './odoo-source.ts';

/** The modules of a website shop with PayPal, as a merchant would install them. */
export const SHOP_MODULES = ['website_sale', 'payment_paypal', 'sale_management', 'account', 'website_sale_stock'];
export const ADDON = 'paypal_bridge';
const PREFIX = 'pbodoo_';

export interface OdooEnvironment {
  source: OdooSource;
  /** Folder holding paypal_bridge (built). */
  addonParent: string;
  /** Cache folder for state, logs, config and Odoo's data_dir (filestores). */
  cacheRoot: string;
  /** A PostgreSQL connection with the right to create roles and databases. */
  adminUrl: string;
  /** The role Odoo connects as (Odoo refuses `postgres`). */
  dbUser: string;
  say: (line: string) => void;
}

export interface Instance {
  db: string;
  url: string;
  port: number;
  pid: number;
  logFile: string;
  startedAt: string;
}

function dataDir(env: OdooEnvironment): string {
  return path.join(env.cacheRoot, 'data');
}
function filestore(env: OdooEnvironment, db: string): string {
  return path.join(dataDir(env), 'filestore', db);
}
function stateFile(env: OdooEnvironment, db: string): string {
  return path.join(env.cacheRoot, 'instances', `${db}.json`);
}
function logFile(env: OdooEnvironment, db: string): string {
  return path.join(env.cacheRoot, 'logs', `${db}.log`);
}

function pgHost(env: OdooEnvironment): { host: string; port: string; password: string } {
  const u = new URL(env.adminUrl);
  return { host: u.hostname || '127.0.0.1', port: u.port || '5432', password: process.env['ODOO_DB_PASSWORD'] ?? '' };
}

async function withAdmin<T>(env: OdooEnvironment, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: env.adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new OdooSetupError(
      `PostgreSQL is not reachable at ${env.adminUrl.replace(/\/\/[^@]*@/, '//***@')}: ${(err as Error).message}. ` +
        'Odoo needs a running PostgreSQL; set ODOO_PG_ADMIN_URL (or TEST_DATABASE_URL) to a connection that may create roles and databases.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function ident(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new OdooSetupError(`Unsafe database name ${JSON.stringify(name)}: use lower-case letters, digits and _.`);
  return `"${name}"`;
}

/** Makes sure Odoo's role exists and may create databases (it owns every database it uses). */
export async function ensureRole(env: OdooEnvironment): Promise<void> {
  if (env.dbUser === 'postgres') throw new OdooSetupError('Odoo refuses to connect as "postgres": set ODOO_DB_USER to another role.');
  await withAdmin(env, async (c) => {
    const found = await c.query('select rolcreatedb, rolsuper from pg_roles where rolname = $1', [env.dbUser]);
    if (found.rowCount === 0) {
      try {
        await c.query(`create role ${ident(env.dbUser)} login createdb`);
      } catch (err) {
        throw new OdooSetupError(`Could not create the PostgreSQL role ${env.dbUser} for Odoo: ${(err as Error).message}. Create it yourself: CREATE ROLE ${env.dbUser} LOGIN CREATEDB;`);
      }
    } else if (!found.rows[0].rolcreatedb && !found.rows[0].rolsuper) {
      await c.query(`alter role ${ident(env.dbUser)} createdb`);
    }
  });
}

/** The file that says a template's filestore is whole (written last, with the database's note). */
function completeMarker(env: OdooEnvironment, db: string): string {
  return path.join(filestore(env, db), '.paypal-bridge-template-complete');
}

/**
 * Whether a template database exists, and whether it is whole: its database says so, and so does
 * its filestore (a cache folder removed by hand leaves databases whose attachments are gone).
 */
async function databaseExists(env: OdooEnvironment, db: string): Promise<{ exists: boolean; complete: boolean }> {
  return withAdmin(env, async (c) => {
    const r = await c.query(`select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`, [db]);
    if (r.rowCount === 0) return { exists: false, complete: false };
    const noted = typeof r.rows[0].note === 'string' && r.rows[0].note.startsWith('paypal-bridge template complete');
    return { exists: true, complete: noted && fs.existsSync(completeMarker(env, db)) };
  });
}

export async function dropDatabase(env: OdooEnvironment, db: string): Promise<void> {
  await withAdmin(env, (c) => c.query(`drop database if exists ${ident(db)} with (force)`));
  fs.rmSync(filestore(env, db), { recursive: true, force: true });
}

async function copyDatabase(env: OdooEnvironment, from: string, to: string): Promise<void> {
  await dropDatabase(env, to);
  await withAdmin(env, (c) => c.query(`create database ${ident(to)} with template ${ident(from)} owner ${ident(env.dbUser)}`));
  const src = filestore(env, from);
  if (fs.existsSync(src)) {
    fs.mkdirSync(path.dirname(filestore(env, to)), { recursive: true });
    copyTreeLinked(src, filestore(env, to));
  }
}

/** Hard links every file (Odoo's filestore is content-addressed and never rewritten in place). */
function copyTreeLinked(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.paypal-bridge-')) continue; // a template's own marker
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyTreeLinked(a, b);
    else {
      try {
        fs.linkSync(a, b);
      } catch {
        fs.copyFileSync(a, b);
      }
    }
  }
}

async function markComplete(env: OdooEnvironment, db: string, what: string): Promise<void> {
  fs.mkdirSync(filestore(env, db), { recursive: true });
  fs.writeFileSync(completeMarker(env, db), `${what}\n`);
  await withAdmin(env, (c) => c.query(`comment on database ${ident(db)} is 'paypal-bridge template complete: ${what.replace(/'/g, '')}'`));
}

/** Odoo's options shared by every run; `extra` adds the run's own. */
function odooArgs(env: OdooEnvironment, db: string, extra: string[]): string[] {
  const { host, port, password } = pgHost(env);
  return [
    env.source.odooBin,
    `--addons-path=${[...env.source.addonsPaths, env.addonParent].join(',')}`,
    `--data-dir=${dataDir(env)}`,
    `--database=${db}`,
    `--db-filter=^${db}$`,
    `--db_host=${host}`,
    `--db_port=${port}`,
    `--db_user=${env.dbUser}`,
    ...(password ? [`--db_password=${password}`] : []),
    '--http-interface=127.0.0.1',
    // No database manager (and so no master password to guess): nothing here needs it.
    '--no-database-list',
    ...extra,
  ];
}

/** Runs Odoo to completion (install, update, tests), its output into `log`; returns its exit code. */
async function runOdoo(env: OdooEnvironment, db: string, extra: string[], log: string): Promise<number> {
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const out = fs.openSync(log, 'w');
  try {
    const child = spawn(PYTHON, odooArgs(env, db, [...extra, '--stop-after-init']), { stdio: ['ignore', out, out] });
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    fs.closeSync(out);
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function errorLines(file: string): string[] {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => / (ERROR|CRITICAL) /.test(l));
  } catch {
    return [];
  }
}

function digestTree(dir: string, hash = createHash('sha256'), rel = ''): ReturnType<typeof createHash> {
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === '__pycache__' || entry.name.endsWith('.pyc')) continue;
    const r = path.join(rel, entry.name);
    if (entry.isDirectory()) digestTree(dir, hash, r);
    else hash.update(`${r}\0`).update(fs.readFileSync(path.join(dir, r))).update('\0');
  }
  return hash;
}

export function templateNames(env: OdooEnvironment): { base: string; addon: string } {
  const release = fs.readFileSync(path.join(env.source.dir, 'odoo', 'release.py'));
  const base = createHash('sha256').update(fs.realpathSync(env.source.dir)).update(release).update(SHOP_MODULES.join(',')).digest('hex').slice(0, 10);
  const addon = digestTree(path.join(env.addonParent, ADDON)).update(base).digest('hex').slice(0, 10);
  return { base: `${PREFIX}base_${base}`, addon: `${PREFIX}tpl_${addon}` };
}

/**
 * The addon template, created when missing (from the base template, itself created when missing).
 * `fresh` rebuilds both. Returns its name.
 */
export async function ensureTemplate(env: OdooEnvironment, options: { fresh?: boolean } = {}): Promise<string> {
  await ensureRole(env);
  const names = templateNames(env);
  const logs = path.join(env.cacheRoot, 'logs');
  if (options.fresh) {
    await dropDatabase(env, names.addon);
    await dropDatabase(env, names.base);
  }
  const base = await databaseExists(env, names.base);
  if (!base.complete) {
    if (base.exists) await dropDatabase(env, names.base);
    const started = Date.now();
    const log = path.join(logs, `${names.base}.log`);
    env.say(`Creating the base database ${names.base} with demo data and ${SHOP_MODULES.join(', ')} (once; about a minute or two; log: ${log})…`);
    // Odoo creates the database itself (and its pg_trgm extension) as its own role.
    const rc = await runOdoo(env, names.base, [`--init=${SHOP_MODULES.join(',')}`, '--log-level=info'], log);
    if (rc !== 0 || errorLines(log).length > 0) {
      await dropDatabase(env, names.base).catch(() => undefined);
      throw new OdooSetupError(`Odoo could not create the base database (exit ${rc}). Last lines of ${log}:\n${tail(log)}`);
    }
    await markComplete(env, names.base, SHOP_MODULES.join(','));
    env.say(`  base database ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const addon = await databaseExists(env, names.addon);
  if (!addon.complete) {
    if (addon.exists) await dropDatabase(env, names.addon);
    const started = Date.now();
    const log = path.join(logs, `${names.addon}.log`);
    env.say(`Installing ${ADDON} into ${names.addon} (from the base; log: ${log})…`);
    await copyDatabase(env, names.base, names.addon);
    const rc = await runOdoo(env, names.addon, [`--init=${ADDON}`, '--log-level=info'], log);
    const errors = errorLines(log);
    if (rc !== 0 || errors.length > 0) {
      await dropDatabase(env, names.addon).catch(() => undefined);
      throw new OdooSetupError(`Odoo could not install ${ADDON} (exit ${rc}). ${errors.length > 0 ? `Errors:\n${errors.slice(0, 10).join('\n')}\n` : ''}Last lines of ${log}:\n${tail(log)}`);
    }
    await markComplete(env, names.addon, ADDON);
    env.say(`  ${ADDON} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await dropStaleTemplates(env, names);
  }
  return names.addon;
}

/** Templates of earlier addon builds or other sources, so that the disk does not fill up over time. */
async function dropStaleTemplates(env: OdooEnvironment, keep: { base: string; addon: string }): Promise<void> {
  const stale = await withAdmin(env, async (c) => {
    const r = await c.query(`select datname from pg_database where datname like $1`, [`${PREFIX}tpl\\_%`]);
    return r.rows.map((row: { datname: string }) => row.datname).filter((n) => n !== keep.addon);
  });
  for (const db of stale) await dropDatabase(env, db);
}


export function readInstance(env: OdooEnvironment, db: string): Instance | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(env, db), 'utf8')) as Instance;
  } catch {
    return undefined;
  }
}

export function listInstances(env: OdooEnvironment): Instance[] {
  const dir = path.join(env.cacheRoot, 'instances');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readInstance(env, f.slice(0, -5)))
    .filter((i): i is Instance => i !== undefined);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForHealth(url: string, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited (${code ?? signal})`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new OdooSetupError(`Odoo ${exited} while starting. Last lines of ${log}:\n${tail(log)}`);
    try {
      const res = await fetch(`${url}/web/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new OdooSetupError(`Odoo did not answer ${url}/web/health within ${timeoutMs / 1000} s. Last lines of ${log}:\n${tail(log)}`);
}

export interface StartOptions {
  db: string;
  port?: number;
  /** Odoo's `workers` (0: threaded, the default; 2: prefork as in production). */
  workers?: number;
  /** Odoo's cron threads (default 0: scheduled jobs would change records under the tests). */
  cronThreads?: number;
}

/** A fresh copy of the addon template, served by a detached Odoo; replaces an instance of that name. */
export async function startInstance(env: OdooEnvironment, template: string, options: StartOptions): Promise<Instance> {
  await stopInstance(env, options.db);
  await copyDatabase(env, template, options.db);
  const port = options.port ?? (await freePort());
  const log = logFile(env, options.db);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const out = fs.openSync(log, 'w');
  const workers = options.workers ?? 0;
  const extra = [
    `--http-port=${port}`,
    `--workers=${workers}`,
    `--max-cron-threads=${options.cronThreads ?? 0}`,
    ...(workers > 0 ? [`--gevent-port=${await freePort()}`, '--limit-time-real=600', '--limit-time-cpu=300'] : []),
  ];
  const child = spawn(PYTHON, odooArgs(env, options.db, extra), { stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  if (child.pid === undefined) throw new OdooSetupError(`Could not start ${PYTHON}.`);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child, log, 120_000);
  } catch (err) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await dropDatabase(env, options.db).catch(() => undefined);
    throw err;
  }
  child.unref();
  const instance: Instance = { db: options.db, url, port, pid: child.pid, logFile: log, startedAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(stateFile(env, options.db)), { recursive: true });
  fs.writeFileSync(stateFile(env, options.db), `${JSON.stringify(instance, null, 2)}\n`);
  return instance;
}

/** Stops the server of that database (SIGTERM, then SIGKILL after 20 s) and drops the database. */
export async function stopInstance(env: OdooEnvironment, db: string): Promise<boolean> {
  const instance = readInstance(env, db);
  if (instance && isAlive(instance.pid)) {
    const signal = (s: NodeJS.Signals): void => {
      try {
        process.kill(-instance.pid, s);
      } catch {
        // the group is gone
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + 20_000;
    while (isAlive(instance.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(instance.pid)) signal('SIGKILL');
  }
  fs.rmSync(stateFile(env, db), { force: true });
  await dropDatabase(env, db);
  return instance !== undefined;
}

export interface PythonTestResult {
  ok: boolean;
  exitCode: number;
  failed: number;
  errors: number;
  run: number;
  log: string;
  /** The lines of the log that say what failed. */
  problems: string[];
}

/** The module's own Python tests, on a fresh copy of the template (dropped afterwards). */
export async function runPythonTests(env: OdooEnvironment, template: string, tags = `/${ADDON}`): Promise<PythonTestResult> {
  const db = `${PREFIX}pytest_${process.pid}`;
  const log = logFile(env, db);
  await copyDatabase(env, template, db);
  try {
    const rc = await runOdoo(env, db, [`--update=${ADDON}`, '--test-enable', `--test-tags=${tags}`, `--http-port=${await freePort()}`, '--max-cron-threads=0', '--log-level=test'], log);
    const text = fs.readFileSync(log, 'utf8');
    const results = [...text.matchAll(/(\d+) failed, (\d+) error\(s\) of (\d+) tests/g)];
    let failed = 0;
    let errors = 0;
    let run = 0;
    for (const m of results) {
      failed += Number(m[1]);
      errors += Number(m[2]);
      run += Number(m[3]);
    }
    const problems = text.split('\n').filter((l) => / (ERROR|CRITICAL) /.test(l) || /^(FAIL|ERROR): /.test(l));
    return { ok: rc === 0 && results.length > 0 && run > 0 && failed === 0 && errors === 0 && problems.length === 0, exitCode: rc, failed, errors, run, log, problems };
  } finally {
    await dropDatabase(env, db).catch(() => undefined);
  }
}
