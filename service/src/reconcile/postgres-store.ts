// The reconciliation store on PostgreSQL: the inbox's database (DATABASE_URL), through a pool of its
// own. A page of PayPal lines is one multi-row upsert (unnest) in the transaction that also moves
// the window's progress; ownership checks are part of each write, so a process that lost its run
// (its heartbeat went stale and another took over) cannot write into it any more.
import pg from 'pg';
import { inTransaction, migratePostgres } from '../shared/postgres-database.ts';
import { RECONCILE_POSTGRES_MIGRATIONS } from './schema.ts';
import {
  discrepancySubject,
  listLimit,
  DISCREPANCY_COLUMNS,
  RECORD_COLUMNS,
  RUN_COLUMNS,
  toDiscrepancy,
  toRecord,
  toRun,
  statusList,
  type DiscrepancyFilter,
  type DiscrepancySummary,
  type RecordCursor,
  type ReconcileStore,
  type RunPatch,
  type SavePageInput,
} from './store.ts';
import { DISCREPANCY_KINDS, DISCREPANCY_STATUSES, type Discrepancy, type PayPalRecord, type ReconcileRun, type RunCounts, type RunPhase, type RunWindow, type StoredDiscrepancy } from './types.ts';
import type { QueryWindow } from './windows.ts';

// Advisory lock key for migrations: the inbox's namespace ("ppb1"/"ppb2") plus one ("ppb3").
const LOCK_NAMESPACE_RECONCILE_MIGRATE = 0x70706233;

type Row = Record<string, unknown>;

export class PostgresReconcileStore implements ReconcileStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private closing: Promise<void> | null = null;

  constructor(options: { url: string; poolSize?: number }) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 60_000,
      idle_in_transaction_session_timeout: 60_000,
    });
    // An idle connection that breaks must not crash the process; the next query opens a new one.
    this.pool.on('error', () => undefined);
  }

  private transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool, 'reconcile_schema_migrations', LOCK_NAMESPACE_RECONCILE_MIGRATE, RECONCILE_POSTGRES_MIGRATIONS);
  }

  async createRun(input: { from: Date; to: Date; windows: readonly QueryWindow[]; owner: string; now: Date }): Promise<ReconcileRun> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<Row>(
        `INSERT INTO reconcile_runs (range_from, range_to, status, phase, owner, heartbeat_at, started_at, windows_total)
         VALUES ($1, $2, 'running', 'pull', $3, $4, $4, $5) RETURNING ${RUN_COLUMNS}`,
        [input.from, input.to, input.owner, input.now, input.windows.length],
      );
      const run = toRun(rows[0] as Row);
      await client.query(
        `INSERT INTO reconcile_windows (run_id, window_index, window_start, window_end)
         SELECT $1, i - 1, s, e FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS t(s, e, i)`,
        [run.id, input.windows.map((w) => w.start), input.windows.map((w) => w.end)],
      );
      return run;
    });
  }

  async getRun(id: number): Promise<ReconcileRun | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE id = $1`, [id]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async listRuns(options: { limit?: number; beforeId?: number } = {}): Promise<ReconcileRun[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE id < $1 ORDER BY id DESC LIMIT $2`, [
      options.beforeId ?? Number.MAX_SAFE_INTEGER,
      listLimit(options.limit ?? 50),
    ]);
    return rows.map(toRun);
  }

  async findUnfinishedRun(from: Date, to: Date): Promise<ReconcileRun | null> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE range_from = $1 AND range_to = $2 AND status <> 'completed' ORDER BY id DESC LIMIT 1`,
      [from, to],
    );
    return rows[0] ? toRun(rows[0]) : null;
  }

  async findLiveRun(staleBefore: Date): Promise<ReconcileRun | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE status = 'running' AND heartbeat_at >= $1 ORDER BY id DESC LIMIT 1`, [staleBefore]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async claimRun(id: number, owner: string, now: Date, staleBefore: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE reconcile_runs SET owner = $2, heartbeat_at = $3, status = 'running', error = NULL
       WHERE id = $1 AND status <> 'completed' AND (owner = $2 OR status = 'failed' OR heartbeat_at < $4)`,
      [id, owner, now, staleBefore],
    );
    return rowCount === 1;
  }

  async heartbeat(id: number, owner: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE reconcile_runs SET heartbeat_at = $3 WHERE id = $1 AND owner = $2', [id, owner, now]);
    return rowCount === 1;
  }

  async updateRun(id: number, owner: string, patch: RunPatch, now: Date): Promise<boolean> {
    const params: unknown[] = [id, owner, now];
    const sets = ['heartbeat_at = $3'];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.status !== undefined) set('status', patch.status);
    if (patch.phase !== undefined) set('phase', patch.phase);
    if (patch.lastRefreshedAt !== undefined) set('last_refreshed_at', patch.lastRefreshedAt);
    if (patch.coverageEnd !== undefined) set('coverage_end', patch.coverageEnd);
    if (patch.counts !== undefined) set('counts', patch.counts === null ? null : JSON.stringify(patch.counts));
    if (patch.error !== undefined) set('error', patch.error);
    if (patch.finishedAt !== undefined) set('finished_at', patch.finishedAt);
    const { rowCount } = await this.pool.query(`UPDATE reconcile_runs SET ${sets.join(', ')} WHERE id = $1 AND owner = $2`, params);
    return rowCount === 1;
  }

  async listWindows(runId: number): Promise<RunWindow[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT run_id, window_index, window_start, window_end, status, next_page, total_pages, records FROM reconcile_windows WHERE run_id = $1 ORDER BY window_index',
      [runId],
    );
    return rows.map((r) => ({
      runId: Number(r['run_id']),
      index: Number(r['window_index']),
      start: new Date(r['window_start'] as Date),
      end: new Date(r['window_end'] as Date),
      status: r['status'] as RunWindow['status'],
      nextPage: Number(r['next_page']),
      totalPages: r['total_pages'] === null ? null : Number(r['total_pages']),
      records: Number(r['records']),
    }));
  }

  async savePage(input: SavePageInput): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE reconcile_runs SET heartbeat_at = $3, pages_done = pages_done + 1, records_pulled = records_pulled + $4, windows_done = windows_done + $5
         WHERE id = $1 AND owner = $2 AND status = 'running'`,
        [input.runId, input.owner, input.now, input.records.length, input.windowDone ? 1 : 0],
      );
      if (rowCount !== 1) return false;
      if (input.records.length > 0) {
        const rs = input.records;
        await client.query(
          `INSERT INTO reconcile_paypal_records (run_id, ${RECORD_COLUMNS})
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                                     $12::timestamptz[], $13::timestamptz[])
           ON CONFLICT (run_id, transaction_id, event_code) DO UPDATE SET
             kind = excluded.kind, status = excluded.status, currency = excluded.currency, amount = excluded.amount, fee = excluded.fee,
             reference_id = excluded.reference_id, invoice_id = excluded.invoice_id, custom_field = excluded.custom_field,
             initiated_at = excluded.initiated_at, updated_at = excluded.updated_at`,
          [
            input.runId,
            rs.map((r) => r.transactionId),
            rs.map((r) => r.eventCode),
            rs.map((r) => r.kind),
            rs.map((r) => r.status),
            rs.map((r) => r.currency),
            rs.map((r) => r.amount),
            rs.map((r) => r.fee),
            rs.map((r) => r.referenceId),
            rs.map((r) => r.invoiceId),
            rs.map((r) => r.customField),
            rs.map((r) => r.initiatedAt),
            rs.map((r) => r.updatedAt),
          ],
        );
      }
      await client.query(`UPDATE reconcile_windows SET next_page = $3, total_pages = $4, records = records + $5, status = $6 WHERE run_id = $1 AND window_index = $2`, [
        input.runId,
        input.windowIndex,
        input.page + 1,
        input.totalPages,
        input.records.length,
        input.windowDone ? 'done' : 'pending',
      ]);
      return true;
    });
  }

  async markWindowsUnavailable(runId: number, owner: string, fromIndex: number, now: Date): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query('UPDATE reconcile_runs SET heartbeat_at = $3 WHERE id = $1 AND owner = $2', [runId, owner, now]);
      if (rowCount !== 1) return false;
      await client.query("UPDATE reconcile_windows SET status = 'unavailable' WHERE run_id = $1 AND window_index >= $2 AND status = 'pending'", [runId, fromIndex]);
      return true;
    });
  }

  async readRecords(runId: number, cursor: RecordCursor | null, limit: number): Promise<PayPalRecord[]> {
    const { rows } = cursor
      ? await this.pool.query<Row>(
          `SELECT ${RECORD_COLUMNS} FROM reconcile_paypal_records WHERE run_id = $1 AND (transaction_id, event_code) > ($2, $3)
           ORDER BY transaction_id, event_code LIMIT $4`,
          [runId, cursor.transactionId, cursor.eventCode, limit],
        )
      : await this.pool.query<Row>(`SELECT ${RECORD_COLUMNS} FROM reconcile_paypal_records WHERE run_id = $1 ORDER BY transaction_id, event_code LIMIT $2`, [runId, limit]);
    return rows.map(toRecord);
  }

  async countRecords(runId: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM reconcile_paypal_records WHERE run_id = $1', [runId]);
    return Number(rows[0]?.n ?? 0);
  }

  async replaceDiscrepancies(runId: number, owner: string, discrepancies: readonly Discrepancy[], counts: RunCounts, phase: RunPhase, now: Date): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query('UPDATE reconcile_runs SET heartbeat_at = $3, counts = $4, phase = $5 WHERE id = $1 AND owner = $2', [
        runId,
        owner,
        now,
        JSON.stringify(counts),
        phase,
      ]);
      if (rowCount !== 1) return false;
      await client.query('DELETE FROM reconcile_discrepancies WHERE run_id = $1', [runId]);
      if (discrepancies.length > 0) {
        const ds = discrepancies;
        await client.query(
          `INSERT INTO reconcile_discrepancies (run_id, subject, kind, status, action, paypal_id, event_code, reference, paypal, odoo, note, created_at, updated_at)
           SELECT $1, subject, kind, status, action, paypal_id, event_code, reference, paypal::jsonb, odoo::jsonb, note, $12, $12
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
                  WITH ORDINALITY AS t(subject, kind, status, action, paypal_id, event_code, reference, paypal, odoo, note, ord)
            ORDER BY ord
           ON CONFLICT (run_id, kind, subject) DO NOTHING`,
          [
            runId,
            ds.map(discrepancySubject),
            ds.map((d) => d.kind),
            ds.map((d) => d.status),
            ds.map((d) => d.action),
            ds.map((d) => d.paypalId),
            ds.map((d) => d.eventCode),
            ds.map((d) => d.reference),
            ds.map((d) => (d.paypal ? JSON.stringify(d.paypal) : null)),
            ds.map((d) => (d.odoo ? JSON.stringify(d.odoo) : null)),
            ds.map((d) => d.note),
            now,
          ],
        );
      }
      return true;
    });
  }

  async listDiscrepancies(runId: number, filter: DiscrepancyFilter = {}): Promise<StoredDiscrepancy[]> {
    const params: unknown[] = [runId, filter.afterId ?? 0];
    const where = ['run_id = $1', 'id > $2'];
    const statuses = statusList(filter.status);
    if (statuses) {
      params.push(statuses);
      where.push(`status = ANY($${params.length}::text[])`);
    }
    if (filter.kind) {
      params.push(filter.kind);
      where.push(`kind = $${params.length}`);
    }
    params.push(listLimit(filter.limit));
    const { rows } = await this.pool.query<Row>(`SELECT ${DISCREPANCY_COLUMNS} FROM reconcile_discrepancies WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`, params);
    return rows.map(toDiscrepancy);
  }

  async getDiscrepancy(id: number): Promise<StoredDiscrepancy | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${DISCREPANCY_COLUMNS} FROM reconcile_discrepancies WHERE id = $1`, [id]);
    return rows[0] ? toDiscrepancy(rows[0]) : null;
  }

  async updateDiscrepancy(id: number, change: { from: readonly string[]; status: string; repairNote: string; now: Date }): Promise<boolean> {
    if (change.from.length === 0) return false;
    const { rowCount } = await this.pool.query(
      'UPDATE reconcile_discrepancies SET status = $2, repair_note = $3, updated_at = $4 WHERE id = $1 AND status = ANY($5::text[])',
      [id, change.status, change.repairNote, change.now, [...change.from]],
    );
    return rowCount === 1;
  }

  async summarizeDiscrepancies(runId: number): Promise<DiscrepancySummary> {
    const { rows } = await this.pool.query<{ kind: string; status: string; n: string }>(
      'SELECT kind, status, count(*) AS n FROM reconcile_discrepancies WHERE run_id = $1 GROUP BY kind, status',
      [runId],
    );
    const summary: DiscrepancySummary = {
      byKind: Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as DiscrepancySummary['byKind'],
      byStatus: Object.fromEntries(DISCREPANCY_STATUSES.map((s) => [s, 0])) as DiscrepancySummary['byStatus'],
    };
    for (const r of rows) {
      summary.byKind[r.kind as keyof DiscrepancySummary['byKind']] += Number(r.n);
      summary.byStatus[r.status as keyof DiscrepancySummary['byStatus']] += Number(r.n);
    }
    return summary;
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
