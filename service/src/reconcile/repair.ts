// Repairs of discrepancies where the right fix is certain:
//
//   missing_in_odoo capture / state_mismatch of a capture  → PaymentSync.syncCapture(capture id)
//   missing_in_odoo refund or reversal / its state_mismatch → PaymentSync.syncRefund(refund id)
//   fee_missing (PayPal's fee not booked)                    → paypal_bridge_book_fee in Odoo
//   missing_in_odoo of a payment cancelled, reset to draft
//   or deleted in Odoo (the transaction still done)          → paypal_bridge_repost_payment in Odoo
//
// The syncs re-read PayPal and apply through the same code as the webhook handlers, so a repair
// books exactly what the missed webhook would have. Everything else (amounts or currencies that
// differ, a payment PayPal does not know, a fee booked at another amount) needs a person and is
// never touched.
//
// Never a silent change: every attempt is written to the audit log (kind `reconcile.repair`), and
// the discrepancy records what was done. A repair is checked afterwards against Odoo as it is now:
// only a discrepancy that is gone is marked repaired; one that is still there goes to a person
// with what the repair answered. A discrepancy already repaired is left alone (a second click does
// nothing), and two concurrent repairs of the same one cannot both record a result.
import type { InboxStore } from '../inbox/types.ts';
import type { PayPalRefund } from '../paypal/schemas.ts';
import { isRetryable } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { absDecimal } from '../shared/decimal.ts';
import { stillDiscrepant } from './match.ts';
import type { ReconcileOdooApi, ReconcileRecord } from './odoo-reconcile-api.ts';
import type { ReconcileStore } from './store.ts';
import type { Progress, ReconcileSync, StoredDiscrepancy, SyncResult } from './types.ts';

export interface RepairDeps {
  store: ReconcileStore;
  odoo: ReconcileOdooApi;
  sync?: ReconcileSync | undefined;
  audit?: Pick<InboxStore, 'appendAudit'> | undefined;
  logger: Logger;
  clock?: (() => Date) | undefined;
}

/** What one repair did. */
export interface RepairOutcome {
  discrepancy: StoredDiscrepancy;
  /** False when the discrepancy was not open (nothing was attempted). */
  attempted: boolean;
}

/** Why a repair could not even be attempted (the service lacks what it needs). */
export class RepairUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RepairUnavailableError';
  }
}

interface Attempt {
  /** What was called, in words. */
  did: string;
  result: Pick<SyncResult, 'outcome' | 'detail'>;
}

/**
 * The refund as PayPal's report shows it. PayPal does not let a reversal be read back by id, so
 * the sync books a reversal from this; for a refund it is only the fallback of a fresh read.
 */
function reportedRefund(d: StoredDiscrepancy, captureId: string | undefined): { resource?: PayPalRefund } {
  const amount = d.paypal?.['amount'];
  const currency = d.paypal?.['currency'];
  if (!d.paypalId || !amount || !currency || !captureId) return {};
  const status = d.paypal?.['status'] === 'P' ? 'PENDING' : d.paypal?.['status'] === 'D' ? 'FAILED' : 'COMPLETED';
  return {
    resource: {
      id: d.paypalId,
      status,
      amount: { currency_code: currency, value: absDecimal(amount) },
      links: [{ href: `/v2/payments/captures/${captureId}`, rel: 'up', method: 'GET' }],
    },
  };
}

async function attempt(deps: RepairDeps, d: StoredDiscrepancy): Promise<Attempt> {
  const paypalId = d.paypalId ?? '';
  switch (d.action) {
    case 'sync_capture': {
      if (!deps.sync) throw new RepairUnavailableError('This repair re-reads the capture at PayPal and needs the payment sync, which this process was not given.');
      return { did: `syncCapture(${paypalId})`, result: await deps.sync.syncCapture(paypalId) };
    }
    case 'sync_refund': {
      if (!deps.sync) throw new RepairUnavailableError('This repair re-reads the refund at PayPal and needs the payment sync, which this process was not given.');
      const kind = d.paypal?.['kind'] === 'reversal' ? 'reversal' : 'refund';
      const captureId = d.paypal?.['reference_id'] ?? undefined;
      return {
        did: `syncRefund(${paypalId}, ${kind}${captureId ? `, capture ${captureId}` : ''})`,
        result: await deps.sync.syncRefund(paypalId, { kind, ...(captureId ? { captureId } : {}), ...reportedRefund(d, captureId) }),
      };
    }
    case 'book_fee': {
      const fee = absDecimal(d.paypal?.['fee'] ?? '0');
      const currency = d.paypal?.['currency'] ?? '';
      const booked = await deps.odoo.bookFee({ reference: d.reference ?? '', fee, currency, captureId: paypalId });
      return {
        did: `paypal_bridge_book_fee(${d.reference ?? ''}, ${fee} ${currency}, capture ${paypalId})`,
        result: { outcome: booked.result, detail: booked.moveId ? `fee entry #${booked.moveId} (${booked.feeBooked ?? '?'} ${currency})` : `nothing booked (${booked.result})` },
      };
    }
    case 'repost_payment': {
      const reposted = await deps.odoo.repostPayment(d.reference ?? '');
      return {
        did: `paypal_bridge_repost_payment(${d.reference ?? ''})`,
        result: { outcome: reposted.result, detail: `payment #${reposted.paymentId ?? '?'} is ${reposted.paymentState ?? 'missing'}` },
      };
    }
    default:
      throw new RepairUnavailableError('No certain repair exists for this discrepancy: a person must decide.');
  }
}

/** Odoo's transaction for the discrepancy's PayPal id, as it is now. */
async function odooNow(deps: RepairDeps, d: StoredDiscrepancy): Promise<ReconcileRecord | undefined> {
  if (!d.paypalId) return undefined;
  const isCapture = d.paypal?.['kind'] === 'capture';
  const records = await deps.odoo.lookup(isCapture ? { captureIds: [d.paypalId] } : { refundIds: [d.paypalId] });
  return records.find((r) => (isCapture ? r.paypal_capture_id === d.paypalId : r.paypal_refund_id === d.paypalId));
}

/** Repairs one discrepancy (the one-click repair). */
export async function repairDiscrepancy(deps: RepairDeps, id: number): Promise<RepairOutcome> {
  const clock = deps.clock ?? (() => new Date());
  const d = await deps.store.getDiscrepancy(id);
  if (!d) throw new RangeError(`No reconciliation discrepancy #${id}.`);
  if (d.status !== 'open') return { discrepancy: d, attempted: false };

  let status: StoredDiscrepancy['status'];
  let note: string;
  let outcome: 'ok' | 'error' | 'info';
  let detail: Record<string, unknown>;
  try {
    const { did, result } = await attempt(deps, d);
    const now = await odooNow(deps, d);
    const fixed = !stillDiscrepant(d, now, { lastRefreshed: null });
    detail = { action: d.action, call: did, outcome: result.outcome, detail: result.detail, verified: fixed, odooState: now?.state ?? null };
    if (fixed) {
      status = 'repaired';
      outcome = 'ok';
      note = `${did}: ${result.outcome} — ${result.detail}. Checked: Odoo now agrees with PayPal${now ? ` (${now.reference}, ${now.state})` : ''}.`;
    } else {
      status = 'needs_person';
      outcome = 'error';
      note = `${did}: ${result.outcome} — ${result.detail}. Odoo still differs from PayPal${now ? ` (${now.reference} is ${now.state})` : ' (not booked)'}; a person must check it.`;
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    detail = { action: d.action, error: message };
    outcome = 'error';
    if (!(err instanceof RepairUnavailableError) && isRetryable(err)) {
      // PayPal or Odoo unreachable, a lock conflict: nothing decided, the repair can be run again.
      status = 'open';
      note = `Repair failed and can be retried: ${message}`;
    } else {
      status = 'needs_person';
      note = `Repair refused: ${message}`;
    }
  }

  const at = clock();
  const moved = await deps.store.updateDiscrepancy(id, { from: ['open'], status, repairNote: note, now: at });
  const subjects = [d.paypalId, d.reference, `reconcile-run:${d.runId}`].filter((s): s is string => typeof s === 'string' && s !== '');
  await deps.audit?.appendAudit([
    {
      at,
      kind: 'reconcile.repair',
      subjects,
      outcome,
      summary: `Reconciliation run #${d.runId}: ${d.kind} ${d.paypalId ?? d.reference ?? ''} → ${status}${moved ? '' : ' (already handled by another repair)'}`,
      detail: { runId: d.runId, discrepancyId: d.id, kind: d.kind, ...detail },
    },
  ]);
  deps.logger.info('reconciliation repair', { runId: d.runId, discrepancyId: d.id, kind: d.kind, status, action: d.action });
  const after = (await deps.store.getDiscrepancy(id)) as StoredDiscrepancy;
  return { discrepancy: after, attempted: true };
}

// Captures first: a refund is booked under its capture, and a fee once the capture is confirmed.
const ORDER: Record<string, number> = { sync_capture: 0, sync_refund: 1, repost_payment: 2, book_fee: 3 };

/** Repairs every open discrepancy of a run, one at a time; answers how many ended repaired. */
export async function repairOpenDiscrepancies(
  deps: RepairDeps,
  runId: number,
  options: { onProgress?: ((progress: Progress) => void) | undefined } = {},
): Promise<{ attempted: number; repaired: number }> {
  const open: StoredDiscrepancy[] = [];
  for (let afterId = 0; ; ) {
    const page = await deps.store.listDiscrepancies(runId, { status: 'open', afterId, limit: 1000 });
    open.push(...page);
    const last = page[page.length - 1];
    if (!last || page.length < 1000) break;
    afterId = last.id;
  }
  open.sort((a, b) => (ORDER[a.action ?? ''] ?? 4) - (ORDER[b.action ?? ''] ?? 4) || a.id - b.id);
  const run = await deps.store.getRun(runId);
  let repaired = 0;
  let done = 0;
  const report = () =>
    options.onProgress?.({
      runId,
      phase: 'repair',
      windowsDone: run?.windowsTotal ?? 0,
      windowsTotal: run?.windowsTotal ?? 0,
      pagesDone: run?.pagesDone ?? 0,
      pagesTotal: null,
      records: run?.recordsPulled ?? 0,
      done,
      total: open.length,
    });
  report();
  for (const d of open) {
    const result = await repairDiscrepancy(deps, d.id);
    if (result.discrepancy.status === 'repaired') repaired++;
    done++;
    report();
  }
  return { attempted: open.length, repaired };
}
