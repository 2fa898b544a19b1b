// The reconciliation's public surface: import from here rather than from the individual modules.
export { discrepanciesToCsv, writeRunCsv, CSV_COLUMNS } from './csv.ts';
export { createDailyReconciliation, nextOccurrence, previousDay, type DailyReconciliation, type DailyReconciliationOptions } from './daily.ts';
export { classifyEventCode, EVENT_CODE_LABELS, RECORD_KINDS } from './event-codes.ts';
export { Matcher, stillDiscrepant, toOdooTx, type LookupRequest, type MatchOptions, type OdooTx, type PayPalResourceFacts } from './match.ts';
export {
  createReconcileOdooApi,
  RECONCILE_DATA_MAX_LIMIT,
  type BookFeeInput,
  type BookFeeResult,
  type ReconcileDataPage,
  type ReconcileLookup,
  type ReconcileOdooApi,
  type ReconcileRecord,
  type RepostPaymentResult,
} from './odoo-reconcile-api.ts';
export { openReconcileStore } from './open-store.ts';
export { RunLostError, type PageSaved } from './pull.ts';
export { repairDiscrepancy, repairOpenDiscrepancies, RepairUnavailableError, type RepairDeps, type RepairOutcome } from './repair.ts';
export { DEFAULT_STALE_AFTER_MS, defaultOwner, runReconciliation, RunInProgressError, type ReconcileDeps, type RunOptions } from './runner.ts';
export type { DiscrepancyFilter, DiscrepancySummary, ReconcileStore } from './store.ts';
export * from './types.ts';
export { parseRangeBound, splitIntoWindows } from './windows.ts';
