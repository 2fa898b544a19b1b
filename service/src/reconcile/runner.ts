// A reconciliation run from start to end: pull PayPal's ledger for the range, read Odoo's PayPal
// transactions for it, match the two, store the discrepancies, and (when asked) apply the certain
// repairs. Each phase is recorded on the run; a run that stops (a crash, PayPal or Odoo down) is
// resumed by the next call for the same range, from where it stopped, and ends with the same
// report as a run that never stopped.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { InboxStore } from '../inbox/types.ts';
import type { PayPalClient } from '../paypal/paypal-client.ts';
import { isNotFound } from '../paypal/paypal-errors.ts';
import type { Logger } from '../shared/logger.ts';
import { Matcher, type OdooTx, type PayPalResourceFacts } from './match.ts';
import { LEDGER_IMPORT_MAX_RECORDS, RECONCILE_DATA_MAX_LIMIT, type LedgerImportRecord, type ReconcileLookup, type ReconcileOdooApi, type ReconcileRecord } from './odoo-reconcile-api.ts';
import { pullRun, RunLostError, type PageSaved } from './pull.ts';
import { repairOpenDiscrepancies } from './repair.ts';
import type { RecordCursor, ReconcileStore } from './store.ts';
import type { LedgerCounts, PayPalRecord, Progress, ReconcileRun, ReconcileSync, RunCounts } from './types.ts';
import { splitIntoWindows } from './windows.ts';

export interface ReconcileDeps {
  store: ReconcileStore;
  paypal: Pick<PayPalClient, 'searchTransactions' | 'getCapture' | 'getRefund'>;
  odoo: ReconcileOdooApi;
  /** Needed for the repairs that re-read PayPal and apply to Odoo. */
  sync?: ReconcileSync | undefined;
  /** Where repairs are written down (the inbox's audit log). */
  audit?: Pick<InboxStore, 'appendAudit'> | undefined;
  logger: Logger;
  clock?: (() => Date) | undefined;
  /** Book each run's PayPal records in the PayPal journal (RECONCILE_BOOK_LEDGER); a run's own option wins. */
  bookLedger?: boolean | undefined;
}

export interface RunOptions {
  /** The range [from, to), whole seconds. */
  from: Date;
  to: Date;
  /** Apply the certain repairs after matching. */
  repair?: boolean;
  /** Book the run's PayPal records as statement lines of the PayPal journal (paypal_bridge_import_ledger). */
  bookLedger?: boolean;
  /** Start a new run even if one for this range did not finish (default: resume it). */
  fresh?: boolean;
  /** Who runs it; default host:pid:random. */
  owner?: string;
  /** Transaction Search page size, 1..500 (default 500). */
  pageSize?: number;
  /** Odoo records per reconcile_data call (default 2000, at most 5000). */
  odooPageSize?: number;
  /** PayPal look-ups of Odoo transactions missing from the report, in parallel (default 4). */
  lookupConcurrency?: number;
  /** A run whose heartbeat is older than this belongs to a dead process (default 2 minutes). */
  staleAfterMs?: number;
  onProgress?: ((progress: Progress) => void) | undefined;
  afterPage?: ((page: PageSaved) => void | Promise<void>) | undefined;
}

/** Another process is running this range right now. */
export class RunInProgressError extends Error {
  readonly run: ReconcileRun;
  constructor(run: ReconcileRun) {
    super(
      `Reconciliation run #${run.id} for ${run.from.toISOString()} – ${run.to.toISOString()} is in progress (owner ${run.owner}, ` +
        `last heartbeat ${run.heartbeatAt.toISOString()}). Wait for it to finish, or run again once its heartbeat is older than the stale limit.`,
    );
    this.name = 'RunInProgressError';
    this.run = run;
  }
}

/** A running run whose heartbeat is older than this belongs to a dead process; the next call for its range takes it over. */
export const DEFAULT_STALE_AFTER_MS = 120_000;
const RECORD_BATCH = 1000;

export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

async function startOrResume(deps: ReconcileDeps, options: RunOptions, owner: string, clock: () => Date): Promise<ReconcileRun> {
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const windows = splitIntoWindows(options.from, options.to);
  if (!options.fresh) {
    const unfinished = await deps.store.findUnfinishedRun(options.from, options.to);
    if (unfinished) {
      const now = clock();
      if (!(await deps.store.claimRun(unfinished.id, owner, now, new Date(now.getTime() - staleAfter)))) throw new RunInProgressError(unfinished);
      deps.logger.info('resuming reconciliation run', { runId: unfinished.id, phase: unfinished.phase, pagesDone: unfinished.pagesDone });
      return (await deps.store.getRun(unfinished.id)) as ReconcileRun;
    }
  }
  const run = await deps.store.createRun({ from: options.from, to: options.to, windows, owner, now: clock() });
  deps.logger.info('reconciliation run started', { runId: run.id, from: run.from.toISOString(), to: run.to.toISOString(), windows: windows.length });
  return run;
}

/** Runs (or resumes) the reconciliation of [from, to); answers the finished run. */
export async function runReconciliation(deps: ReconcileDeps, options: RunOptions): Promise<ReconcileRun> {
  const clock = deps.clock ?? (() => new Date());
  const owner = options.owner ?? defaultOwner();
  const staleAfter = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  let run = await startOrResume(deps, options, owner, clock);
  const runId = run.id;
  // Long phases (a slow Odoo) keep the run visibly alive; a dead process stops the heartbeat.
  const beat = setInterval(() => {
    deps.store.heartbeat(runId, owner, clock()).catch((err: unknown) => deps.logger.warn('reconciliation heartbeat failed', { runId, err }));
  }, Math.max(1000, Math.floor(staleAfter / 4)));
  beat.unref();
  try {
    if (run.phase === 'pull') {
      run = await pullRun({ store: deps.store, paypal: deps.paypal, logger: deps.logger, clock }, run, {
        owner,
        ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
        onProgress: options.onProgress,
        afterPage: options.afterPage,
      });
      if (!(await deps.store.updateRun(runId, owner, { phase: 'match' }, clock()))) throw new RunLostError(runId);
      run = { ...run, phase: 'match' };
    }
    // PayPal's ledger into the PayPal journal before the comparison, so that what it books (fees,
    // matched payments) is what the comparison sees; again after repairs, so that the payments
    // they put back are matched too. Idempotent: a resumed run simply does it again.
    const withLedger = (options.bookLedger ?? deps.bookLedger) === true;
    let ledger: LedgerCounts | undefined;
    if (run.phase === 'match') {
      const repairNext = options.repair === true;
      if (withLedger) ledger = await bookLedger(deps, runId, options.onProgress);
      await matchRun(deps, run, owner, clock, options);
      run = { ...run, phase: repairNext ? 'repair' : 'done' };
      if (!(await deps.store.updateRun(runId, owner, { phase: run.phase }, clock()))) throw new RunLostError(runId);
    }
    if (run.phase === 'repair') {
      await repairOpenDiscrepancies(deps, runId, { onProgress: options.onProgress });
      if (withLedger) ledger = await bookLedger(deps, runId, options.onProgress);
      if (!(await deps.store.updateRun(runId, owner, { phase: 'done' }, clock()))) throw new RunLostError(runId);
    }
    const base = await finalCounts(deps, runId);
    const counts = base && ledger ? { ...base, ledger } : base;
    if (!(await deps.store.updateRun(runId, owner, { status: 'completed', phase: 'done', counts, finishedAt: clock(), error: null }, clock()))) throw new RunLostError(runId);
    const finished = (await deps.store.getRun(runId)) as ReconcileRun;
    deps.logger.info('reconciliation run finished', { runId, counts: finished.counts });
    return finished;
  } catch (err) {
    if (!(err instanceof RunLostError)) {
      const message = err instanceof Error ? err.message : String(err);
      await deps.store.updateRun(runId, owner, { status: 'failed', error: message }, clock()).catch(() => undefined);
      deps.logger.error('reconciliation run failed; run it again to resume', { runId, err });
    }
    throw err;
  } finally {
    clearInterval(beat);
  }
}

/** PayPal's ledger line as `paypal_bridge_import_ledger` takes it. */
export function ledgerRecordOf(r: PayPalRecord): LedgerImportRecord {
  return {
    id: r.transactionId,
    event_code: r.eventCode,
    date: r.initiatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    amount: r.amount,
    ...(r.fee !== null ? { fee: r.fee } : {}),
    currency: r.currency,
    ...(r.customField ? { reference: r.customField } : {}),
  };
}

/**
 * Statuses of records that moved PayPal's balance: S (success), and V (reversed later: a capture
 * refunded in full still brought the money in, and its refund is a record of its own that takes it
 * out). P (pending) has moved nothing yet, a later run books it once it settles; D (denied) never will.
 */
const MOVED_THE_BALANCE = new Set(['S', 'V']);

/** Books the run's PayPal records that moved the balance as statement lines of the PayPal journal, one page (500) per call. */
async function bookLedger(deps: ReconcileDeps, runId: number, onProgress: RunOptions['onProgress']): Promise<LedgerCounts> {
  const counts: LedgerCounts = { lines: 0, created: 0, matched: 0, unmatched: 0 };
  const total = await deps.store.countRecords(runId);
  let cursor: RecordCursor | null = null;
  let read = 0;
  let page: LedgerImportRecord[] = [];
  const flush = async () => {
    if (page.length === 0) return;
    const results = await deps.odoo.importLedger(page);
    page = [];
    for (const r of results) {
      counts.lines += 1;
      if (r.result === 'created') counts.created += 1;
      if (r.matched) counts.matched += 1;
      else counts.unmatched += 1;
    }
  };
  for (;;) {
    const batch = await deps.store.readRecords(runId, cursor, LEDGER_IMPORT_MAX_RECORDS);
    for (const r of batch) {
      if (MOVED_THE_BALANCE.has(r.status) && !isZeroAmount(r.amount)) page.push(ledgerRecordOf(r));
      if (page.length === LEDGER_IMPORT_MAX_RECORDS) await flush();
    }
    read += batch.length;
    onProgress?.({ runId, phase: 'done', windowsDone: 0, windowsTotal: 0, pagesDone: 0, pagesTotal: null, records: read, done: read, total });
    const last = batch[batch.length - 1];
    if (!last || batch.length < LEDGER_IMPORT_MAX_RECORDS) break;
    cursor = { transactionId: last.transactionId, eventCode: last.eventCode };
  }
  await flush();
  deps.logger.info("PayPal's ledger booked in Odoo", { runId, ...counts });
  return counts;
}

function isZeroAmount(amount: string): boolean {
  return !/[1-9]/.test(amount);
}

/** The match's counts with the discrepancies' statuses as they are now (after repairs). */
async function finalCounts(deps: ReconcileDeps, runId: number): Promise<RunCounts | null> {
  const run = await deps.store.getRun(runId);
  if (!run?.counts) return null;
  const summary = await deps.store.summarizeDiscrepancies(runId);
  return { ...run.counts, discrepancies: summary.byKind, open: summary.byStatus.open, repaired: summary.byStatus.repaired, needsPerson: summary.byStatus.needs_person };
}

/** Feeds Odoo's transactions of [from, to) to the matcher, page by page. */
async function loadOdooRange(deps: ReconcileDeps, matcher: Matcher, from: Date, to: Date, pageSize: number): Promise<void> {
  if (to.getTime() <= from.getTime()) return;
  let afterId = 0;
  for (;;) {
    const page = await deps.odoo.reconcileData({ from, to, afterId, limit: pageSize });
    matcher.addOdoo(page.records);
    if (page.nextAfterId === null) return;
    afterId = page.nextAfterId;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

async function paypalFacts(deps: ReconcileDeps, o: OdooTx): Promise<PayPalResourceFacts | null> {
  try {
    if (o.captureId) {
      const capture = await deps.paypal.getCapture(o.captureId);
      return { kind: 'capture', id: capture.id, status: capture.status, amount: capture.amount.value, currency: capture.amount.currency_code };
    }
    const refund = await deps.paypal.getRefund(o.refundId as string);
    return { kind: 'refund', id: refund.id, status: refund.status, amount: refund.amount.value, currency: refund.amount.currency_code };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

async function matchRun(deps: ReconcileDeps, run: ReconcileRun, owner: string, clock: () => Date, options: RunOptions): Promise<void> {
  const coverageEnd = run.coverageEnd ?? run.to;
  const odooPageSize = Math.min(options.odooPageSize ?? 2000, RECONCILE_DATA_MAX_LIMIT);
  const progress = (done: number, total: number) =>
    options.onProgress?.({ runId: run.id, phase: 'match', windowsDone: run.windowsTotal, windowsTotal: run.windowsTotal, pagesDone: run.pagesDone, pagesTotal: null, records: run.recordsPulled, done, total });

  // The whole range is read from Odoo: what changed after PayPal's data ends is counted as too
  // recent (checked by a later run), not reported.
  const dataEnd = Math.min(run.lastRefreshedAt?.getTime() ?? Number.POSITIVE_INFINITY, coverageEnd.getTime() - 1000);
  const matcher = new Matcher([], { lastRefreshed: new Date(dataEnd) });
  await loadOdooRange(deps, matcher, run.from, run.to, odooPageSize);
  const total = await deps.store.countRecords(run.id);
  let done = 0;
  progress(done, total);
  let cursor: { transactionId: string; eventCode: string } | null = null;
  for (;;) {
    const batch = await deps.store.readRecords(run.id, cursor, RECORD_BATCH);
    for (const r of batch) matcher.offer(r);
    done += batch.length;
    progress(done, total);
    const last = batch[batch.length - 1];
    if (!last || batch.length < RECORD_BATCH) break;
    cursor = { transactionId: last.transactionId, eventCode: last.eventCode };
  }

  // PayPal records not among the range's Odoo transactions: look them up wherever they are.
  const wanted = matcher.lookups();
  const asked: { field: keyof ReconcileLookup; value: string }[] = [
    ...wanted.captureIds.map((value) => ({ field: 'captureIds' as const, value })),
    ...wanted.refundIds.map((value) => ({ field: 'refundIds' as const, value })),
    ...wanted.references.map((value) => ({ field: 'references' as const, value })),
    ...wanted.orderNames.map((value) => ({ field: 'orderNames' as const, value })),
  ];
  const found: ReconcileRecord[] = [];
  for (const chunk of chunks(asked, RECONCILE_DATA_MAX_LIMIT)) {
    const query: Required<ReconcileLookup> = { captureIds: [], refundIds: [], references: [], orderNames: [] };
    for (const { field, value } of chunk) (query[field] as string[]).push(value);
    found.push(...(await deps.odoo.lookup(query)));
  }
  matcher.resolveLookups(found);

  // Odoo transactions PayPal's report does not show: ask PayPal for each by id.
  const leftovers = matcher.unmatchedOdoo();
  const facts = new Map<number, PayPalResourceFacts | null>();
  await eachLimited(leftovers, options.lookupConcurrency ?? 4, async (o) => {
    facts.set(o.id, await paypalFacts(deps, o));
  });
  for (const o of leftovers) matcher.resolveOdoo(o, facts.get(o.id) ?? null);

  const { discrepancies, counts } = matcher.result();
  if (!(await deps.store.replaceDiscrepancies(run.id, owner, discrepancies, counts, 'match', clock()))) throw new RunLostError(run.id);
  deps.logger.info('reconciliation matched', { runId: run.id, paypalRecords: counts.paypalRecords, odooRecords: counts.odooRecords, discrepancies: discrepancies.length });
}
