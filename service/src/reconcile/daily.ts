// The daily reconciliation inside the service: every day at a configurable hour (UTC) it
// reconciles the previous day, [yesterday 00:00, today 00:00) UTC. The hour should leave PayPal
// time to refresh its reports (up to three hours, default 06:00); a day PayPal's data does not
// cover yet ends the run at its coverage, which the run records. A day is skipped, with a log
// line, when another reconciliation is running (in this process or any other on the same
// database); an unfinished run of the same day is resumed.
import type { Logger } from '../shared/logger.ts';
import { runReconciliation, RunInProgressError, type ReconcileDeps } from './runner.ts';
import type { ReconcileRun } from './types.ts';

const DAY = 24 * 3600 * 1000;
const DEFAULT_STALE_AFTER_MS = 120_000;

export interface DailyReconciliationOptions extends ReconcileDeps {
  /** Hour of the day (UTC, 0–23) at which the previous day is reconciled. Default 6. */
  hourUtc?: number;
  /** Apply the certain repairs after matching (each one audited). Default false: report only. */
  repair?: boolean;
  /** A run whose heartbeat is older than this belongs to a dead process (default 2 minutes). */
  staleAfterMs?: number;
  /** For tests: how the next run is scheduled. */
  setTimer?: (fn: () => void, ms: number) => { unref?(): unknown };
  clearTimer?: (handle: unknown) => void;
}

export interface DailyReconciliation {
  start(): void;
  /** Stops scheduling and waits for a run in progress to end. */
  stop(): Promise<void>;
  /** Reconciles the previous day now (what the timer does); null when skipped. */
  runNow(): Promise<ReconcileRun | null>;
  /** When the next run is due, or null when stopped. */
  nextRunAt(): Date | null;
}

/** [previous day 00:00, day 00:00) UTC for the day of `now`. */
export function previousDay(now: Date): { from: Date; to: Date } {
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { from: new Date(to - DAY), to: new Date(to) };
}

/** The next moment at `hourUtc`:00:00 strictly after `now`. */
export function nextOccurrence(now: Date, hourUtc: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc);
  return new Date(today > now.getTime() ? today : today + DAY);
}

export function createDailyReconciliation(options: DailyReconciliationOptions): DailyReconciliation {
  const hourUtc = options.hourUtc ?? 6;
  if (!Number.isInteger(hourUtc) || hourUtc < 0 || hourUtc > 23) throw new RangeError(`hourUtc must be a whole hour from 0 to 23 (got ${hourUtc})`);
  const clock = options.clock ?? (() => new Date());
  const logger: Logger = options.logger.child('reconcile-daily');
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as NodeJS.Timeout));
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  let timer: unknown = null;
  let due: Date | null = null;
  let running: Promise<ReconcileRun | null> | null = null;
  let stopped = true;

  async function runOnce(): Promise<ReconcileRun | null> {
    const now = clock();
    const { from, to } = previousDay(now);
    const live = await options.store.findLiveRun(new Date(now.getTime() - staleAfterMs));
    if (live) {
      logger.warn('daily reconciliation skipped: another run is in progress', { runId: live.id, owner: live.owner, day: from.toISOString().slice(0, 10) });
      return null;
    }
    try {
      const run = await runReconciliation(options, { from, to, repair: options.repair ?? false, staleAfterMs });
      logger.info('daily reconciliation done', { runId: run.id, day: from.toISOString().slice(0, 10), counts: run.counts, coverageEnd: run.coverageEnd?.toISOString() });
      return run;
    } catch (err) {
      if (err instanceof RunInProgressError) {
        logger.warn('daily reconciliation skipped: the day is being reconciled by another process', { runId: err.run.id });
        return null;
      }
      // The run is stored as failed and resumes next time; the service keeps going.
      logger.error('daily reconciliation failed; it resumes at the next run', { err, day: from.toISOString().slice(0, 10) });
      return null;
    }
  }

  function runNow(): Promise<ReconcileRun | null> {
    if (running) {
      logger.warn('daily reconciliation skipped: the previous one is still running');
      return Promise.resolve(null);
    }
    running = runOnce().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    const now = clock();
    due = nextOccurrence(now, hourUtc);
    const handle = setTimer(() => {
      timer = null;
      void runNow().finally(schedule);
    }, due.getTime() - now.getTime());
    handle.unref?.();
    timer = handle;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
      logger.info('daily reconciliation scheduled', { hourUtc, next: due?.toISOString() });
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
      due = null;
      await running?.catch(() => undefined);
    },
    runNow,
    nextRunAt: () => due,
  };
}
