// Reconciles PayPal's ledger (Transaction Search) with Odoo's PayPal payments for a date range and
// reports every discrepancy; with --repair, applies the repairs that are certain (each audited).
//
//   npm run reconcile -- --from 2026-10-01 --to 2026-10-31 [--repair] [--csv out.csv] [--new] [--json]
//
// Reads the service's configuration (the same environment as `npm start`: PAYPAL_*, ODOO_*,
// DATABASE_URL or DATA_DIR, RECONCILE_BOOK_LEDGER, …). A run that stops (Ctrl-C, a crash, PayPal or Odoo down) is resumed
// by the next call for the same range.
//
// Exit codes: 0 nothing left to look at (no discrepancy, or all repaired); 1 discrepancies remain;
// 2 wrong usage or configuration; 3 the run failed (run the same command again to resume).
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { ConfigError, loadConfig, type Config } from '../service/src/config.ts';
import { openStore } from '../service/src/inbox/open-store.ts';
import type { InboxStore } from '../service/src/inbox/types.ts';
import { createBridgeApi } from '../service/src/odoo/bridge-api.ts';
import { createOdooClient } from '../service/src/odoo/json-rpc-client.ts';
import { createPayPalClient } from '../service/src/paypal/index.ts';
import {
  createReconcileOdooApi,
  defaultOwner,
  DISCREPANCY_KINDS,
  openReconcileStore,
  parseRangeBound,
  RECORD_KINDS,
  runReconciliation,
  RunInProgressError,
  writeRunCsv,
  type Progress,
  type ReconcileRun,
  type ReconcileStore,
} from '../service/src/reconcile/index.ts';
import { createLogger, LOG_LEVELS, type LogLevel } from '../service/src/shared/logger.ts';
import { createPaymentSync } from '../service/src/sync/payment-sync.ts';

const USAGE = `Usage: npm run reconcile -- --from DATE --to DATE [--repair] [--csv FILE] [--new] [--json]

  --from DATE   first day of the range (2026-10-01), or an ISO date-time with a zone
  --to DATE     last day of the range, included (2026-10-31); an ISO date-time is the exclusive end
  --repair      apply the certain repairs (missing capture or refund, state, fee), each audited;
                the others are marked "needs a person"
  --csv FILE    write the discrepancies to FILE (CSV, one line each)
  --new         start a new run even if one for this range did not finish (default: resume it)
  --json        print the summary as JSON instead of a table
  --help        this text

Configuration: the service's environment (PAYPAL_API_BASE, PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET,
ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY, DATABASE_URL or DATA_DIR, …); see README.md.
Exit codes: 0 clean, 1 discrepancies remain, 2 usage or configuration error, 3 the run failed
(run the same command again to resume it).`;

const DAY = 24 * 3600 * 1000;

// A reconciliation is a batch job over up to hundreds of thousands of short-lived records: V8's
// size-optimised mode keeps the heap (and so the process) much smaller, for a little speed.
v8.setFlagsFromString('--optimize-for-size');

class UsageError extends Error {}

interface Options {
  from: Date;
  to: Date;
  repair: boolean;
  csv: string | undefined;
  fresh: boolean;
  json: boolean;
}

function parseOptions(argv: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        repair: { type: 'boolean', default: false },
        csv: { type: 'string' },
        new: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  if (!values.from || !values.to) throw new UsageError('--from and --to are required.');
  let from: Date;
  let to: Date;
  try {
    from = parseRangeBound(values.from, '--from');
    to = parseRangeBound(values.to, '--to');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // A bare date names a whole day: the range ends at the end of it.
  if (/^\d{4}-\d{2}-\d{2}$/.test(values.to.trim())) to = new Date(to.getTime() + DAY);
  if (!(from.getTime() < to.getTime())) throw new UsageError(`--from (${from.toISOString()}) must be before --to (${to.toISOString()}).`);
  return { from, to, repair: values.repair, csv: values.csv, fresh: values.new, json: values.json };
}

// --- progress on stderr -------------------------------------------------------------------------

function progressReporter(stream: NodeJS.WriteStream): { update(p: Progress): void; done(): void } {
  const tty = stream.isTTY === true;
  let lastLine = '';
  let lastPlainAt = 0;
  let lastPhase = '';
  let finishedPhase = '';
  const bar = (fraction: number) => {
    const width = 24;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
  };
  const describe = (p: Progress): { text: string; fraction: number } => {
    if (p.phase === 'pull') {
      const inWindow = p.pagesTotal ? ` page ${p.pagesDone}${p.windowsTotal > 1 ? '' : `/${p.pagesTotal}`}` : '';
      const fraction = p.windowsTotal > 0 ? p.windowsDone / p.windowsTotal : 0;
      const pagesFraction = p.windowsTotal === 1 && p.pagesTotal ? p.pagesDone / p.pagesTotal : fraction;
      return { text: `pulling PayPal: window ${Math.min(p.windowsDone + 1, p.windowsTotal)}/${p.windowsTotal}${inWindow}, ${p.records.toLocaleString('en')} records`, fraction: pagesFraction };
    }
    const total = p.total ?? 0;
    const done = p.done ?? 0;
    const label = p.phase === 'match' ? 'matching with Odoo' : p.phase === 'repair' ? 'repairing' : p.phase;
    return { text: `${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')}`, fraction: total > 0 ? done / total : 1 };
  };
  return {
    update(p) {
      const { text, fraction } = describe(p);
      if (tty) {
        const line = `${bar(fraction)} ${text}`;
        if (line !== lastLine) stream.write(`\r\x1b[2K${line}`);
        lastLine = line;
        return;
      }
      // Not a terminal (a log file, CI): a plain line per phase and every few seconds.
      const now = Date.now();
      const finished = fraction >= 1 && finishedPhase !== p.phase;
      if (p.phase !== lastPhase || finished || now - lastPlainAt >= 5000) {
        stream.write(`reconcile: ${text} (${Math.round(fraction * 100)}%)\n`);
        lastPlainAt = now;
        lastPhase = p.phase;
        if (finished) finishedPhase = p.phase;
      }
    },
    done() {
      if (tty && lastLine) stream.write('\r\x1b[2K');
    },
  };
}

// --- summary ------------------------------------------------------------------------------------

const KIND_LABELS: Record<string, string> = {
  missing_in_odoo: 'in PayPal, not in Odoo',
  missing_in_paypal: 'in Odoo, not in PayPal',
  amount_mismatch: 'amount differs',
  currency_mismatch: 'currency differs',
  state_mismatch: 'state differs',
  fee_missing: 'fee not booked in Odoo',
};

const RECORD_LABELS: Record<string, string> = {
  capture: 'captures',
  refund: 'refunds',
  reversal: 'reversals',
  dispute_hold: 'dispute holds',
  dispute_release: 'dispute releases',
  fee: 'fees',
  other: 'other',
};

function utc(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—';
}

async function summaryTable(store: ReconcileStore, run: ReconcileRun): Promise<string> {
  const lines: string[] = [];
  const n = (x: number) => x.toLocaleString('en');
  const lastDay = new Date(run.to.getTime() - 1);
  lines.push(`Reconciliation run #${run.id}: ${run.from.toISOString().slice(0, 10)} to ${lastDay.toISOString().slice(0, 10)} (UTC)`);
  lines.push(`PayPal's data refreshed up to ${utc(run.lastRefreshedAt)}; this run covers up to ${utc(run.coverageEnd)}.`);
  if (run.coverageEnd && run.coverageEnd.getTime() < run.to.getTime()) {
    lines.push('  PayPal has no data for the rest of the range yet: run the same command again later to cover it.');
  }
  const c = run.counts;
  if (!c) return lines.join('\n');
  const kinds = RECORD_KINDS.filter((k) => c.byKind[k] > 0).map((k) => `${RECORD_LABELS[k]} ${n(c.byKind[k])}`);
  lines.push(`PayPal records:     ${n(c.paypalRecords)}${kinds.length ? ` (${kinds.join(', ')})` : ''}`);
  lines.push(`Odoo transactions:  ${n(c.odooRecords)}; matched ${n(c.matched)}${c.matchedOutsideReport ? `, ${n(c.matchedOutsideReport)} more found at PayPal outside the report` : ''}`);
  if (c.tooRecent) lines.push(`Not compared yet:   ${n(c.tooRecent)} (changed in Odoo after PayPal's last refresh; a later run checks them)`);
  if (c.ledger) lines.push(`PayPal journal:     ${n(c.ledger.lines)} ledger lines (${n(c.ledger.created)} new), ${n(c.ledger.matched)} matched with Odoo's payments, ${n(c.ledger.unmatched)} left open for a person`);
  if (c.feesNotBooked) lines.push(`Fees not checked:   ${n(c.feesNotBooked)} (no PayPal Fee Account on the provider, so Odoo does not book PayPal's fees)`);
  const summary = await store.summarizeDiscrepancies(run.id);
  const rows: string[][] = [];
  for (const kind of DISCREPANCY_KINDS) {
    const all = await store.listDiscrepancies(run.id, { kind, limit: 10_000 });
    if (all.length === 0) continue;
    const by = (s: string) => String(all.filter((d) => d.status === s).length);
    rows.push([KIND_LABELS[kind] ?? kind, String(all.length), by('open'), by('repaired'), by('needs_person')]);
  }
  const total = summary.byStatus.open + summary.byStatus.repaired + summary.byStatus.needs_person;
  lines.push('');
  if (rows.length === 0) {
    lines.push('No discrepancy: PayPal and Odoo agree.');
    return lines.join('\n');
  }
  rows.push(['total', String(total), String(summary.byStatus.open), String(summary.byStatus.repaired), String(summary.byStatus.needs_person)]);
  const header = ['discrepancy', 'found', 'open', 'repaired', 'needs a person'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  lines.push(format(header));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(0, -1)) lines.push(format(r));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push(format(rows[rows.length - 1] as string[]));
  if (summary.byStatus.open > 0) lines.push('\nOpen discrepancies have a certain repair: run again with --repair, or repair them one by one in Odoo.');
  return lines.join('\n');
}

// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`reconcile: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`reconcile: ${err.message.replace('The service cannot start', 'The reconciliation cannot start')}\n`);
      return 2;
    }
    throw err;
  }
  const odooConfig = config.odoo;
  if (!odooConfig) {
    process.stderr.write('reconcile: Odoo is not configured: set ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY and BRIDGE_SECRET (see "Configuration" in README.md).\n');
    return 2;
  }
  // Logs go to stderr (stdout holds the summary); warnings and errors only unless LOG_LEVEL asks for more.
  const level: LogLevel = process.env['LOG_LEVEL'] && (LOG_LEVELS as string[]).includes(process.env['LOG_LEVEL']) ? config.logLevel : 'warn';
  const logger = createLogger({ level, sink: (line) => process.stderr.write(`${line}\n`), component: 'reconcile' });

  let store: ReconcileStore | undefined;
  let inbox: InboxStore | undefined;
  const owner = defaultOwner();
  let runId: number | undefined;
  const progress = progressReporter(process.stderr);
  const interrupted = async () => {
    progress.done();
    if (store && runId !== undefined) {
      // Not left "running": the next call resumes it at once instead of waiting for its heartbeat to go stale.
      await store.updateRun(runId, owner, { status: 'failed', error: 'interrupted (Ctrl-C); run the same command again to resume' }, new Date()).catch(() => undefined);
      process.stderr.write(`reconcile: interrupted; run #${runId} resumes when you run the same command again.\n`);
    }
    process.exit(130);
  };
  process.once('SIGINT', () => void interrupted());
  process.once('SIGTERM', () => void interrupted());

  const started = performance.now();
  try {
    store = await openReconcileStore(config.store);
    inbox = await openStore(config.store, { logger });
    const paypal = createPayPalClient({ apiBase: config.paypal.apiBase, clientId: config.paypal.clientId, clientSecret: config.paypal.clientSecret, logger: logger.child('paypal') });
    const odooClient = createOdooClient({ url: odooConfig.url, db: odooConfig.db, login: odooConfig.login, apiKey: odooConfig.apiKey, logger, timeoutMs: 120_000 });
    const audit = inbox;
    const sync = createPaymentSync({ paypal, odoo: createBridgeApi(odooClient), logger, audit: (entry) => audit.appendAudit([entry]) });
    const run = await runReconciliation(
      { store, paypal, odoo: createReconcileOdooApi(odooClient), sync, audit: inbox, logger, bookLedger: config.reconcile.bookLedger },
      {
        from: options.from,
        to: options.to,
        repair: options.repair,
        fresh: options.fresh,
        owner,
        onProgress: (p) => {
          runId = p.runId;
          progress.update(p);
        },
      },
    );
    progress.done();
    const seconds = Math.round((performance.now() - started) / 10) / 100;
    let csvRows: number | undefined;
    if (options.csv) {
      const out = fs.createWriteStream(options.csv);
      csvRows = await writeRunCsv(store, run.id, (chunk) => new Promise<void>((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve()))));
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    const summary = await store.summarizeDiscrepancies(run.id);
    const remaining = summary.byStatus.open + summary.byStatus.needs_person;
    if (options.json) {
      const peakRssMb = Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20);
      process.stdout.write(`${JSON.stringify({ run, discrepancies: summary, seconds, peakRssMb, ...(csvRows !== undefined ? { csv: { file: options.csv, rows: csvRows } } : {}) })}\n`);
    } else {
      process.stdout.write(`${await summaryTable(store, run)}\n`);
      if (csvRows !== undefined) process.stdout.write(`\n${csvRows} discrepanc${csvRows === 1 ? 'y' : 'ies'} written to ${options.csv}\n`);
      process.stdout.write(`(${seconds} s)\n`);
    }
    return remaining > 0 ? 1 : 0;
  } catch (err) {
    progress.done();
    if (err instanceof RunInProgressError) {
      process.stderr.write(`reconcile: ${err.message}\n`);
      return 3;
    }
    process.stderr.write(`reconcile: the run failed: ${err instanceof Error ? err.message : String(err)}\nRun the same command again to resume it.\n`);
    return 3;
  } finally {
    await store?.close().catch(() => undefined);
    await inbox?.close().catch(() => undefined);
  }
}

process.exitCode = await main();
