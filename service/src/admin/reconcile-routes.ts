// The back office's reconciliation endpoints (same token rules as the rest of the admin API):
//
//   GET  /v1/admin/reconcile/runs?limit=&before=             read   runs, newest first
//   POST /v1/admin/reconcile/runs {from, to}                  sync   start (or resume) a run; 202
//   GET  /v1/admin/reconcile/runs/:id/discrepancies           read   ?status=&kind=&limit=&after=
//   GET  /v1/admin/reconcile/runs/:id/csv                     read   the run's discrepancies as CSV
//   POST /v1/admin/reconcile/discrepancies/:id/repair         sync   the one-click repair (audited)
//
// A run carries its counts as of the match (`counts`) and, once matched, how many of its
// discrepancies are open, repaired or waiting for a person now (`statuses`: repairs move them
// after the run ended). `stalled` says that a running run's process stopped beating: starting the
// same range again resumes it.
import express, { type Router } from 'express';
import { z } from 'zod';
import { requireToken, tokenOf } from '../auth/require-token.ts';
import { ApiError, apiErrorHandler } from '../http/api-errors.ts';
import { cors } from '../http/cors.ts';
import {
  DEFAULT_STALE_AFTER_MS,
  DISCREPANCY_KINDS,
  parseRangeBound,
  repairDiscrepancy,
  runReconciliation,
  RunInProgressError,
  writeRunCsv,
  type ReconcileDeps,
  type DiscrepancyKind,
  type ReconcileRun,
  type ReconcileStore,
  type StoredDiscrepancy,
} from '../reconcile/index.ts';
import type { Logger } from '../shared/logger.ts';

export interface ReconcileRouteOptions {
  deps: ReconcileDeps;
  logger: Logger;
  bridgeSecret: string;
  odooDb: string;
  allowedOrigins: readonly string[];
  clock?: () => Date;
}

const DISCREPANCY_STATUSES = ['open', 'repaired', 'needs_person'] as const;

/** Discrepancies per page at most (the store's own ceiling is higher; a browser needs no more). */
const MAX_PAGE = 1000;

async function runJson(store: ReconcileStore, run: ReconcileRun, now: Date) {
  // Before the match there is nothing to count; afterwards the store counts what repairs changed.
  const statuses = run.counts ? (await store.summarizeDiscrepancies(run.id)).byStatus : null;
  return {
    id: run.id,
    from: run.from.toISOString(),
    to: run.to.toISOString(),
    status: run.status,
    phase: run.phase,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    heartbeat_at: run.heartbeatAt.toISOString(),
    stalled: run.status === 'running' && now.getTime() - run.heartbeatAt.getTime() > DEFAULT_STALE_AFTER_MS,
    windows_total: run.windowsTotal,
    windows_done: run.windowsDone,
    records_pulled: run.recordsPulled,
    coverage_end: run.coverageEnd?.toISOString() ?? null,
    counts: run.counts,
    statuses,
    error: run.error,
  };
}

function discrepancyJson(d: StoredDiscrepancy) {
  return {
    id: d.id,
    run_id: d.runId,
    kind: d.kind,
    status: d.status,
    action: d.action,
    paypal_id: d.paypalId,
    event_code: d.eventCode,
    reference: d.reference,
    paypal: d.paypal,
    odoo: d.odoo,
    note: d.note,
    repair_note: d.repairNote,
    updated_at: d.updatedAt.toISOString(),
  };
}

export function createReconcileRouter(options: ReconcileRouteOptions): Router {
  const { deps } = options;
  const now = options.clock ?? (() => new Date());
  const log = options.logger.child('admin-reconcile');
  const router = express.Router();
  const base = { secret: options.bridgeSecret, db: options.odooDb, types: ['admin'] as const, ...(options.clock ? { clock: options.clock } : {}) };
  const need = (scope: string) => requireToken({ ...base, scope });
  const runId = (raw: unknown) => {
    const id = Number(raw);
    if (!Number.isInteger(id) || id < 1) throw new ApiError(400, 'BAD_REQUEST', 'not a run id');
    return id;
  };

  router.use('/v1/admin/reconcile', cors(options.allowedOrigins), express.json({ limit: '8kb' }));

  router.get('/v1/admin/reconcile/runs', need('read'), async (req, res) => {
    const limit = Math.min(Number(req.query['limit'] ?? 20) || 20, 100);
    const before = req.query['before'] ? runId(req.query['before']) : undefined;
    const runs = await deps.store.listRuns({ limit, ...(before ? { beforeId: before } : {}) });
    const at = now();
    res.json({ runs: await Promise.all(runs.map((run) => runJson(deps.store, run, at))) });
  });

  router.post('/v1/admin/reconcile/runs', need('sync'), async (req, res) => {
    const body = z.strictObject({ from: z.string(), to: z.string() }).safeParse(req.body);
    if (!body.success) throw new ApiError(400, 'BAD_REQUEST', 'the body must be {from, to} (dates such as 2026-10-01)');
    let from: Date;
    let to: Date;
    try {
      from = parseRangeBound(body.data.from, 'from');
      to = parseRangeBound(body.data.to, 'to');
    } catch (err) {
      throw new ApiError(400, 'BAD_REQUEST', (err as Error).message);
    }
    if (!(from < to)) throw new ApiError(400, 'BAD_REQUEST', '"from" must be before "to"');
    // The run goes on in the background; the back office follows it through GET .../runs. The
    // answer names the run as soon as it exists (or says another process is running the range).
    const runId = await new Promise<number | null>((resolve, reject) => {
      let named = false;
      runReconciliation(deps, {
        from,
        to,
        onProgress: (p) => {
          if (!named) {
            named = true;
            resolve(p.runId);
          }
        },
      }).then(
        (run) => {
          if (!named) resolve(run.id);
        },
        (err: unknown) => {
          if (err instanceof RunInProgressError) {
            if (!named) resolve(err.run.id);
            return;
          }
          log.error('reconciliation run failed; starting it again resumes it', { err });
          if (!named) reject(err);
        },
      );
    });
    log.info('reconciliation started from the back office', { runId, from: from.toISOString(), to: to.toISOString(), user: tokenOf(res).sub });
    const run = runId === null ? null : await deps.store.getRun(runId);
    res.status(202).json({ run: run ? await runJson(deps.store, run, now()) : null });
  });

  router.get('/v1/admin/reconcile/runs/:id/discrepancies', need('read'), async (req, res) => {
    const id = runId(req.params['id']);
    const status = req.query['status'] ? String(req.query['status']) : undefined;
    if (status && !(DISCREPANCY_STATUSES as readonly string[]).includes(status)) throw new ApiError(400, 'BAD_REQUEST', `status must be one of ${DISCREPANCY_STATUSES.join(', ')}`);
    const kind = req.query['kind'] ? String(req.query['kind']) : undefined;
    if (kind && !(DISCREPANCY_KINDS as readonly string[]).includes(kind)) throw new ApiError(400, 'BAD_REQUEST', `kind must be one of ${DISCREPANCY_KINDS.join(', ')}`);
    const limit = req.query['limit'] === undefined ? MAX_PAGE : Number(req.query['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new ApiError(400, 'BAD_REQUEST', `limit must be a whole number from 1 to ${MAX_PAGE}`);
    const after = req.query['after'] === undefined ? 0 : Number(req.query['after']);
    if (!Number.isInteger(after) || after < 0) throw new ApiError(400, 'BAD_REQUEST', 'after must be the id of the last discrepancy of the previous page');
    const run = await deps.store.getRun(id);
    if (!run) throw new ApiError(404, 'RUN_NOT_FOUND', `no reconciliation run ${id}`);
    const list = await deps.store.listDiscrepancies(id, {
      limit,
      afterId: after,
      ...(status ? { status: status as (typeof DISCREPANCY_STATUSES)[number] } : {}),
      ...(kind ? { kind: kind as DiscrepancyKind } : {}),
    });
    // A full page may have a next one: its `after` is this page's last id.
    const nextAfter = list.length === limit ? (list[list.length - 1]?.id ?? null) : null;
    res.json({ run: await runJson(deps.store, run, now()), discrepancies: list.map(discrepancyJson), next_after: nextAfter });
  });

  router.get('/v1/admin/reconcile/runs/:id/csv', need('read'), async (req, res) => {
    const id = runId(req.params['id']);
    const run = await deps.store.getRun(id);
    if (!run) throw new ApiError(404, 'RUN_NOT_FOUND', `no reconciliation run ${id}`);
    // Every discrepancy, page by page (a month can hold more than one page of them).
    res.type('text/csv; charset=utf-8').attachment(`paypal-reconciliation-${run.from.toISOString().slice(0, 10)}-${run.to.toISOString().slice(0, 10)}.csv`);
    let csv = '';
    await writeRunCsv(deps.store, id, (chunk) => {
      csv += chunk;
    });
    res.send(csv);
  });

  router.post('/v1/admin/reconcile/discrepancies/:id/repair', need('sync'), async (req, res) => {
    const id = runId(req.params['id']);
    let outcome;
    try {
      outcome = await repairDiscrepancy(deps, id);
    } catch (err) {
      if (err instanceof RangeError) throw new ApiError(404, 'DISCREPANCY_NOT_FOUND', err.message);
      throw err;
    }
    log.info('discrepancy repair from the back office', { id, status: outcome.discrepancy.status, user: tokenOf(res).sub });
    res.json({ attempted: outcome.attempted, discrepancy: discrepancyJson(outcome.discrepancy) });
  });

  router.use('/v1/admin/reconcile', apiErrorHandler(log));
  return router;
}
