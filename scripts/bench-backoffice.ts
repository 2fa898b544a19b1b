// The back office's budgets (service/ARCHITECTURE.md, "Budgets"): its assets ≤ 40 KB gzip, and with
// 10,000 PayPal transactions in Odoo, opening the transactions list and searching it by a capture
// id each ≤ 300 ms.
//
// What is timed is the list's own code (addon_static/src/backoffice/transactions.ts:
// loadTransactionPage, with the domain, fields, order and page size the list sends: one
// search_read of 80 rows and one search_count, in parallel) through an `orm` that sends what Odoo's
// orm service sends, from this process over loopback, until both answers are parsed. Rendering the
// 80 rows in the browser is not included (OWL does it in a few milliseconds).
// - With ODOO_URL (and ODOO_DB, ODOO_ADMIN_LOGIN / ODOO_ADMIN_PASSWORD, default admin/admin): the
//   real Odoo 18, through /web/dataset/call_kw with a web session, as the browser calls it. The
//   10,000 transactions are inserted with SQL into its database (ODOO_PG_URL, default
//   postgres://postgres@127.0.0.1:5432/<ODOO_DB>) as copies of the provider's PayPal settings
//   (reference PPBENCH-…, a capture and an order id each), ANALYZEd, and deleted afterwards (also
//   at the start, should an earlier run have died).
// - Otherwise: the Odoo simulator (service/sim/odoo) over its /jsonrpc, seeded with 10,000
//   transactions; it scans its records in memory, so these figures say little about Odoo.
//
//   node scripts/bench-backoffice.ts [--transactions 10000] [--runs 30]
//
// The lead's `npm run bench` calls runBackofficeBench().
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { emptyFilters } from '../addon_static/src/backoffice/domain.ts';
import { loadTransactionPage, PAGE_SIZE, type OrmDomain, type OrmReader } from '../addon_static/src/backoffice/transactions.ts';
import { seedPayPalTransactions, seededCaptureId } from '../e2e/support/backoffice-seed.ts';
import { startOdooSim } from '../service/sim/odoo/server.ts';
import { BUNDLES, buildAddon } from './build-addon.ts';

export interface BackofficeBenchOptions {
  /** PayPal transactions in Odoo during the run (default 10,000). */
  transactions?: number;
  /** Timed runs of each measure, after warm-up (default 30). */
  runs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Timing {
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

export interface BackofficeBenchResult {
  assetBytes: number;
  assetGzipBytes: number;
  /** Where the ORM calls went. */
  target: 'real-odoo' | 'odoo-simulator';
  odooUrl: string;
  /** PayPal transactions in Odoo while measuring (seeded ones plus those already there). */
  transactions: number;
  runs: number;
  /** First page (80) + count, as the list opens. */
  openList: Timing;
  /** The same with the search box holding a capture id (one row found). */
  searchCaptureId: Timing;
}

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)), maxMs: round(sorted.at(-1) as number) };
}

/** An `orm` with the signatures of Odoo's orm service (read, searchRead, searchCount), over some JSON-RPC `call`. */
function ormOver(call: (model: string, method: string, args: unknown[], kwargs: Record<string, unknown>) => Promise<unknown>): OrmReader {
  return {
    read: <T>(model: string, ids: number[], fields: string[]) => call(model, 'read', [ids, fields], {}) as Promise<T[]>,
    searchRead: <T>(model: string, domain: OrmDomain, fields: string[], kwargs: Record<string, unknown> = {}) => call(model, 'search_read', [], { ...kwargs, domain, fields }) as Promise<T[]>,
    searchCount: (model: string, domain: OrmDomain) => call(model, 'search_count', [domain], {}) as Promise<number>,
  };
}

async function jsonRpc(url: string, params: unknown, cookie?: string): Promise<{ result: unknown; setCookie: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { data?: { name?: string; message?: string } } };
  if (body.error) throw new Error(`${url}: ${body.error.data?.name}: ${body.error.data?.message}`);
  return { result: body.result, setCookie: response.headers.get('set-cookie') };
}

interface Target {
  target: BackofficeBenchResult['target'];
  url: string;
  orm: OrmReader;
  /** A capture id of a seeded transaction, spread over the runs. */
  captureId(run: number): string;
  transactions(): Promise<number>;
  close(): Promise<void>;
}

const PREFIX = 'PPBENCH';

async function realOdooTarget(url: string, count: number, log: (line: string) => void): Promise<Target> {
  const db = process.env['ODOO_DB'];
  if (!db) throw new Error('ODOO_URL is set but ODOO_DB is not: name the database that has paypal_bridge installed.');
  const login = process.env['ODOO_ADMIN_LOGIN'] || 'admin';
  const password = process.env['ODOO_ADMIN_PASSWORD'] || 'admin';
  const sql = new pg.Client({ connectionString: process.env['ODOO_PG_URL'] || `postgres://postgres@127.0.0.1:5432/${encodeURIComponent(db)}` });
  await sql.connect();
  const clean = () => sql.query(`DELETE FROM payment_transaction WHERE reference LIKE '${PREFIX}-%'`);
  try {
    await clean();
    const template = await sql.query<{ provider_id: number; payment_method_id: number; currency_id: number; partner_id: number; company_id: number }>(
      `SELECT t.provider_id, t.payment_method_id, t.currency_id, t.partner_id, t.company_id
         FROM payment_transaction t JOIN payment_provider p ON p.id = t.provider_id
        WHERE p.code = 'paypal' ORDER BY t.id DESC LIMIT 1`,
    );
    const row = template.rows[0];
    if (!row) throw new Error('The real Odoo has no PayPal transaction to copy the provider, method, currency and company from: pay one order first.');
    log(`  inserting ${count} PayPal transactions into ${db}…`);
    await sql.query(
      `INSERT INTO payment_transaction (reference, provider_id, payment_method_id, currency_id, partner_id, company_id, amount, state, operation,
                                        paypal_capture_id, paypal_order_id, provider_reference, paypal_refund_status, paypal_needs_review,
                                        is_post_processed, last_state_change, create_date, write_date, create_uid, write_uid)
       SELECT $1 || '-' || lpad(g::text, 8, '0'), $2, $3, $4, $5, $6, 10 + (g % 10000) / 100.0, 'done', 'online_direct',
              $1 || 'CAP' || lpad(g::text, 8, '0'), $1 || 'ORD' || lpad(g::text, 8, '0'), $1 || 'CAP' || lpad(g::text, 8, '0'), 'none', false,
              true, now() - (g || ' minutes')::interval, now(), now(), 1, 1
         FROM generate_series(0, $7 - 1) AS g`,
      [PREFIX, row.provider_id, row.payment_method_id, row.currency_id, row.partner_id, row.company_id, count],
    );
    await sql.query('ANALYZE payment_transaction');
  } catch (err) {
    await clean().catch(() => undefined);
    await sql.end();
    throw err;
  }
  const base = url.replace(/\/+$/, '');
  const session = await jsonRpc(`${base}/web/session/authenticate`, { db, login, password });
  const cookie = /session_id=[^;]+/.exec(session.setCookie ?? '')?.[0];
  if (!cookie) throw new Error(`${base} answered the login without a session cookie`);
  const uid = (session.result as { uid: number }).uid;
  const context = { lang: 'en_US', tz: 'UTC', uid };
  const orm = ormOver(async (model, method, args, kwargs) =>
    (await jsonRpc(`${base}/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs: { ...kwargs, context } }, cookie)).result,
  );
  return {
    target: 'real-odoo',
    url: base,
    orm,
    captureId: (run) => `${PREFIX}CAP${String((run * 7919) % count).padStart(8, '0')}`,
    transactions: () => orm.searchCount('payment.transaction', [['provider_code', '=', 'paypal']]),
    async close() {
      try {
        await clean();
      } finally {
        await sql.end();
      }
    },
  };
}

async function simulatorTarget(count: number): Promise<Target> {
  const sim = await startOdooSim();
  seedPayPalTransactions(sim.database, count, PREFIX);
  const orm = ormOver(async (model, method, args, kwargs) => {
    const { context: _context, ...rest } = kwargs;
    return (await jsonRpc(`${sim.url}/jsonrpc`, { service: 'object', method: 'execute_kw', args: [sim.db, sim.admin.uid, sim.admin.password, model, method, args, rest] })).result;
  });
  return {
    target: 'odoo-simulator',
    url: sim.url,
    orm,
    captureId: (run) => seededCaptureId(PREFIX, (run * 7919) % count),
    transactions: () => orm.searchCount('payment.transaction', [['provider_code', '=', 'paypal']]),
    close: () => sim.close(),
  };
}

export async function runBackofficeBench(options: BackofficeBenchOptions = {}): Promise<BackofficeBenchResult> {
  const count = options.transactions ?? 10_000;
  const runs = options.runs ?? 30;
  const log = options.log ?? (() => undefined);
  const [bundle] = await buildAddon({ bundles: BUNDLES.filter((b) => b.name === 'backoffice') });
  if (!bundle) throw new Error('addon_static/src/backoffice/index.ts is missing: nothing to measure');

  const url = process.env['ODOO_URL'];
  const target = url ? await realOdooTarget(url, count, log) : await simulatorTarget(count);
  try {
    const open = () => loadTransactionPage(target.orm, { filters: emptyFilters(), offset: 0, sort: 'id', ascending: false });
    const find = (captureId: string) => loadTransactionPage(target.orm, { filters: { ...emptyFilters(), search: captureId }, offset: 0, sort: 'id', ascending: false });
    // Warm-up: Odoo's registry and caches, PostgreSQL's plans and pages, the JIT.
    for (let i = 0; i < 5; i++) {
      await open();
      await find(target.captureId(runs + i));
    }
    const opened: number[] = [];
    const found: number[] = [];
    for (let run = 0; run < runs; run++) {
      let t = performance.now();
      const page = await open();
      opened.push(performance.now() - t);
      if (page.records.length !== Math.min(PAGE_SIZE, page.count) || page.count < count) throw new Error(`the list read ${page.records.length} of ${page.count} transactions`);
      const captureId = target.captureId(run);
      t = performance.now();
      const hit = await find(captureId);
      found.push(performance.now() - t);
      if (hit.count !== 1 || hit.records[0]?.paypal_capture_id !== captureId) throw new Error(`searching ${captureId} found ${hit.count} transactions`);
    }
    return {
      assetBytes: bundle.bytes,
      assetGzipBytes: bundle.gzipBytes,
      target: target.target,
      odooUrl: target.url,
      transactions: await target.transactions(),
      runs,
      openList: timing(opened),
      searchCaptureId: timing(found),
    };
  } finally {
    await target.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { transactions: { type: 'string', default: '10000' }, runs: { type: 'string', default: '30' } } });
  const result = await runBackofficeBench({ transactions: Number(values.transactions), runs: Number(values.runs), log: (line) => process.stderr.write(`${line}\n`) });
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const ms = (t: Timing) => `median ${t.medianMs} ms, p95 ${t.p95Ms} ms, max ${t.maxMs} ms`;
  process.stdout.write(
    [
      `back-office assets: ${kb(result.assetBytes)}, ${kb(result.assetGzipBytes)} gzip (budget 40 KB gzip)`,
      `${result.target} at ${result.odooUrl}, ${result.transactions} PayPal transactions, ${result.runs} runs each:`,
      `  open the list (80 rows + count): ${ms(result.openList)} (budget 300 ms)`,
      `  search by a capture id:          ${ms(result.searchCaptureId)} (budget 300 ms)`,
    ].join('\n') + '\n',
  );
}
