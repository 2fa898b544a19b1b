// Pulling PayPal's ledger for a run: Transaction Search over the run's windows (≤ 31 days each),
// 500 records a page, saving each page with the progress it makes so that a run killed at any
// moment continues where it stopped and never stores a line twice.
//
// PayPal's reporting data lags (up to three hours, sometimes more): `last_refreshed_datetime` says
// how far it goes. The run reads it once, at its start, with a one-record probe at the start of
// the range, and never asks beyond it: windows are cut at that moment and windows that start after
// it are left for a later run. "Data for the given start date is not available." (the data is not
// there yet, or PayPal's Monday-morning quirk) ends the run's coverage at that window rather than
// passing for an empty month. Rate limits and PayPal errors are retried by the client
// (429/5xx, Retry-After); anything else fails the run, which a rerun resumes.
import type { PayPalClient } from '../paypal/paypal-client.ts';
import { isReportingDataUnavailable, TRANSACTION_SEARCH_MAX_PAGE_SIZE, type TransactionSearchPage } from '../paypal/transaction-search.ts';
import type { Logger } from '../shared/logger.ts';
import { recordKey, toPayPalRecord } from './paypal-records.ts';
import type { ReconcileStore } from './store.ts';
import type { PayPalRecord, Progress, ReconcileRun } from './types.ts';
import { parsePayPalDate } from './windows.ts';

const SECOND = 1000;

/** The run was taken over by another process (its heartbeat had gone stale): stop writing. */
export class RunLostError extends Error {
  constructor(runId: number) {
    super(`Reconciliation run #${runId} was taken over by another process; this one stops.`);
    this.name = 'RunLostError';
  }
}

export interface PullDeps {
  store: ReconcileStore;
  paypal: Pick<PayPalClient, 'searchTransactions'>;
  logger: Logger;
  clock: () => Date;
}

export interface PageSaved {
  runId: number;
  windowIndex: number;
  page: number;
  pagesDone: number;
}

export interface PullOptions {
  owner: string;
  /** Records per page, 1..500 (default 500). */
  pageSize?: number;
  onProgress?: ((progress: Progress) => void) | undefined;
  /** Called after each page is saved (tests use it to crash a run half-way). */
  afterPage?: ((page: PageSaved) => void | Promise<void>) | undefined;
}

/** Fixes PayPal's last refresh for the run; answers the run as stored. */
async function probe(deps: PullDeps, run: ReconcileRun, owner: string): Promise<ReconcileRun> {
  const now = deps.clock();
  let lastRefreshed: Date | null = null;
  let coverageEnd: Date;
  try {
    const page = await deps.paypal.searchTransactions({ startDate: run.from, endDate: new Date(run.from.getTime() + SECOND), pageSize: 1 });
    lastRefreshed = parsePayPalDate(page.last_refreshed_datetime);
    if (!lastRefreshed) deps.logger.warn('PayPal sent no last_refreshed_datetime; the whole range is taken as available', { runId: run.id });
    // Windows end on whole seconds and include their end: data up to L covers [from, L + 1 s).
    const end = lastRefreshed ? Math.floor(lastRefreshed.getTime() / SECOND) * SECOND + SECOND : run.to.getTime();
    coverageEnd = new Date(Math.max(run.from.getTime(), Math.min(run.to.getTime(), end)));
  } catch (err) {
    if (!isReportingDataUnavailable(err)) throw err;
    deps.logger.warn('PayPal has no reporting data from the start of the range yet', { runId: run.id, from: run.from.toISOString() });
    coverageEnd = run.from;
  }
  if (!(await deps.store.updateRun(run.id, owner, { lastRefreshedAt: lastRefreshed, coverageEnd }, now))) throw new RunLostError(run.id);
  return { ...run, lastRefreshedAt: lastRefreshed, coverageEnd };
}

function totalPagesOf(page: TransactionSearchPage, pageNumber: number, received: number, pageSize: number): number {
  if (page.total_pages !== undefined) return page.total_pages;
  // Without total_pages, a full page means there may be more.
  return received === pageSize ? pageNumber + 1 : pageNumber;
}

/** Pulls what is left of the run's windows; answers the run with its coverage. */
export async function pullRun(deps: PullDeps, runIn: ReconcileRun, options: PullOptions): Promise<ReconcileRun> {
  const { owner } = options;
  const pageSize = options.pageSize ?? TRANSACTION_SEARCH_MAX_PAGE_SIZE;
  let run = runIn.coverageEnd === null ? await probe(deps, runIn, owner) : runIn;
  const coverageEnd = run.coverageEnd as Date;
  const windows = await deps.store.listWindows(run.id);
  let windowsDone = windows.filter((w) => w.status !== 'pending').length;
  let pagesDone = run.pagesDone;
  let records = run.recordsPulled;
  const report = (pagesTotal: number | null) =>
    options.onProgress?.({ runId: run.id, phase: 'pull', windowsDone, windowsTotal: windows.length, pagesDone, pagesTotal, records });
  report(null);

  for (const window of windows) {
    if (window.status !== 'pending') continue;
    if (window.start.getTime() >= coverageEnd.getTime()) {
      // PayPal's data does not reach this far yet: a later run covers it.
      if (!(await deps.store.markWindowsUnavailable(run.id, owner, window.index, deps.clock()))) throw new RunLostError(run.id);
      windowsDone = windows.length;
      break;
    }
    const end = new Date(Math.min(window.end.getTime(), coverageEnd.getTime() - SECOND));
    let pageNumber = window.nextPage;
    let totalPages = window.totalPages;
    for (;;) {
      let page: TransactionSearchPage;
      try {
        page = await deps.paypal.searchTransactions({ startDate: window.start, endDate: end, page: pageNumber, pageSize, fields: 'transaction_info' });
      } catch (err) {
        if (!isReportingDataUnavailable(err)) throw err;
        deps.logger.warn('PayPal has no reporting data for this window yet; the run covers up to its start', { runId: run.id, window: window.index, start: window.start.toISOString() });
        if (!(await deps.store.markWindowsUnavailable(run.id, owner, window.index, deps.clock()))) throw new RunLostError(run.id);
        if (!(await deps.store.updateRun(run.id, owner, { coverageEnd: window.start }, deps.clock()))) throw new RunLostError(run.id);
        return { ...run, coverageEnd: window.start };
      }
      // A line PayPal lists twice on one page is stored once (its last form): the key is the record.
      const byKey = new Map<string, PayPalRecord>();
      for (const d of page.transaction_details ?? []) {
        const record = toPayPalRecord(d.transaction_info);
        byKey.set(recordKey(record), record);
      }
      const lines = [...byKey.values()];
      totalPages = totalPagesOf(page, pageNumber, lines.length, pageSize);
      const windowDone = pageNumber >= totalPages;
      const saved = await deps.store.savePage({ runId: run.id, owner, windowIndex: window.index, page: pageNumber, totalPages, records: lines, windowDone, now: deps.clock() });
      if (!saved) throw new RunLostError(run.id);
      pagesDone += 1;
      records += lines.length;
      if (windowDone) windowsDone += 1;
      report(totalPages);
      await options.afterPage?.({ runId: run.id, windowIndex: window.index, page: pageNumber, pagesDone });
      if (windowDone) break;
      pageNumber += 1;
    }
  }
  run = { ...run, pagesDone, recordsPulled: records };
  return run;
}
