// The reconciliation store on SQLite: the inbox's file (DATA_DIR/inbox.sqlite), opened on a
// connection of its own, WAL with synchronous=FULL like the inbox. node:sqlite is synchronous, so
// each transaction runs to its end without interleaving; BEGIN IMMEDIATE takes the write lock up
// front, so another process on the same file waits (busy timeout) instead of failing mid-way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { SqliteDatabase } from '../shared/sqlite-database.ts';
import { RECONCILE_SQLITE_MIGRATIONS } from './schema.ts';
import {
  discrepancySubject,
  listLimit,
  DISCREPANCY_COLUMNS,
  RECORD_COLUMNS,
  RUN_COLUMNS,
  toDiscrepancy,
  toRecord,
  storedTime,
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

type Row = Record<string, unknown>;

export interface SqliteReconcileStoreOptions {
  /** Database file, or ':memory:' (tests). */
  file?: string;
  /** Directory holding inbox.sqlite (the inbox's file). */
  dataDir?: string;
  busyTimeoutMs?: number;
}

export function openSqliteReconcileStore(options: SqliteReconcileStoreOptions): SqliteReconcileStore {
  let file = options.file;
  if (file === undefined) {
    if (options.dataDir === undefined) throw new Error('openSqliteReconcileStore needs a file or a dataDir (DATA_DIR)');
    fs.mkdirSync(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, 'inbox.sqlite');
  } else if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }
  return new SqliteReconcileStore(file, options.busyTimeoutMs ?? 5000);
}

export class SqliteReconcileStore implements ReconcileStore {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private readonly sql: SqliteDatabase;

  constructor(file: string, busyTimeoutMs: number) {
    this.file = file;
    this.sql = new SqliteDatabase(file, { busyTimeoutMs, label: 'the reconciliation store' });
  }

  private stmt(sql: string): StatementSync {
    return this.sql.stmt(sql);
  }

  private transaction<T>(fn: () => T): T {
    return this.sql.transaction(fn);
  }

  async migrate(): Promise<void> {
    this.sql.migrate('reconcile_schema_migrations', RECONCILE_SQLITE_MIGRATIONS);
  }


  async createRun(input: { from: Date; to: Date; windows: readonly QueryWindow[]; owner: string; now: Date }): Promise<ReconcileRun> {
    const id = this.transaction(() => {
      const now = input.now.getTime();
      const { lastInsertRowid } = this.stmt(
        `INSERT INTO reconcile_runs (range_from, range_to, status, phase, owner, heartbeat_at, started_at, windows_total)
         VALUES (?, ?, 'running', 'pull', ?, ?, ?, ?)`,
      ).run(input.from.getTime(), input.to.getTime(), input.owner, now, now, input.windows.length);
      const insert = this.stmt('INSERT INTO reconcile_windows (run_id, window_index, window_start, window_end) VALUES (?, ?, ?, ?)');
      input.windows.forEach((w, i) => insert.run(lastInsertRowid, i, w.start.getTime(), w.end.getTime()));
      return Number(lastInsertRowid);
    });
    return (await this.getRun(id)) as ReconcileRun;
  }

  async getRun(id: number): Promise<ReconcileRun | null> {
    const row = this.stmt(`SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRun(row) : null;
  }

  async listRuns(options: { limit?: number; beforeId?: number } = {}): Promise<ReconcileRun[]> {
    const rows = this.stmt(`SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE id < ? ORDER BY id DESC LIMIT ?`).all(
      options.beforeId ?? Number.MAX_SAFE_INTEGER,
      listLimit(options.limit ?? 50),
    ) as Row[];
    return rows.map(toRun);
  }

  async findUnfinishedRun(from: Date, to: Date): Promise<ReconcileRun | null> {
    const row = this.stmt(
      `SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE range_from = ? AND range_to = ? AND status <> 'completed' ORDER BY id DESC LIMIT 1`,
    ).get(from.getTime(), to.getTime()) as Row | undefined;
    return row ? toRun(row) : null;
  }

  async findLiveRun(staleBefore: Date): Promise<ReconcileRun | null> {
    const row = this.stmt(`SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE status = 'running' AND heartbeat_at >= ? ORDER BY id DESC LIMIT 1`).get(
      staleBefore.getTime(),
    ) as Row | undefined;
    return row ? toRun(row) : null;
  }

  async claimRun(id: number, owner: string, now: Date, staleBefore: Date): Promise<boolean> {
    const { changes } = this.transaction(() =>
      this.stmt(
        `UPDATE reconcile_runs SET owner = ?, heartbeat_at = ?, status = 'running', error = NULL
         WHERE id = ? AND status <> 'completed' AND (owner = ? OR status = 'failed' OR heartbeat_at < ?)`,
      ).run(owner, now.getTime(), id, owner, staleBefore.getTime()),
    );
    return Number(changes) === 1;
  }

  async heartbeat(id: number, owner: string, now: Date): Promise<boolean> {
    const { changes } = this.transaction(() => this.stmt('UPDATE reconcile_runs SET heartbeat_at = ? WHERE id = ? AND owner = ?').run(now.getTime(), id, owner));
    return Number(changes) === 1;
  }

  async updateRun(id: number, owner: string, patch: RunPatch, now: Date): Promise<boolean> {
    const sets: string[] = ['heartbeat_at = ?'];
    const params: SQLInputValue[] = [now.getTime()];
    const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);
    if (patch.status !== undefined) (sets.push('status = ?'), params.push(patch.status));
    if (patch.phase !== undefined) (sets.push('phase = ?'), params.push(patch.phase));
    if (patch.lastRefreshedAt !== undefined) (sets.push('last_refreshed_at = ?'), params.push(ms(patch.lastRefreshedAt)));
    if (patch.coverageEnd !== undefined) (sets.push('coverage_end = ?'), params.push(ms(patch.coverageEnd)));
    if (patch.counts !== undefined) (sets.push('counts = ?'), params.push(patch.counts === null ? null : JSON.stringify(patch.counts)));
    if (patch.error !== undefined) (sets.push('error = ?'), params.push(patch.error));
    if (patch.finishedAt !== undefined) (sets.push('finished_at = ?'), params.push(ms(patch.finishedAt)));
    const { changes } = this.transaction(() => this.sql.prepare(`UPDATE reconcile_runs SET ${sets.join(', ')} WHERE id = ? AND owner = ?`).run(...params, id, owner));
    return Number(changes) === 1;
  }

  async listWindows(runId: number): Promise<RunWindow[]> {
    const rows = this.stmt(
      'SELECT run_id, window_index, window_start, window_end, status, next_page, total_pages, records FROM reconcile_windows WHERE run_id = ? ORDER BY window_index',
    ).all(runId) as Row[];
    return rows.map((r) => ({
      runId: Number(r['run_id']),
      index: Number(r['window_index']),
      start: storedTime(r['window_start']),
      end: storedTime(r['window_end']),
      status: r['status'] as RunWindow['status'],
      nextPage: Number(r['next_page']),
      totalPages: r['total_pages'] === null ? null : Number(r['total_pages']),
      records: Number(r['records']),
    }));
  }

  async savePage(input: SavePageInput): Promise<boolean> {
    const upsert = this.stmt(
      `INSERT INTO reconcile_paypal_records (run_id, ${RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, transaction_id, event_code) DO UPDATE SET
         kind = excluded.kind, status = excluded.status, currency = excluded.currency, amount = excluded.amount, fee = excluded.fee,
         reference_id = excluded.reference_id, invoice_id = excluded.invoice_id, custom_field = excluded.custom_field,
         initiated_at = excluded.initiated_at, updated_at = excluded.updated_at`,
    );
    return this.transaction(() => {
      const { changes } = this.stmt(
        `UPDATE reconcile_runs SET heartbeat_at = ?, pages_done = pages_done + 1, records_pulled = records_pulled + ?, windows_done = windows_done + ?
         WHERE id = ? AND owner = ? AND status = 'running'`,
      ).run(input.now.getTime(), input.records.length, input.windowDone ? 1 : 0, input.runId, input.owner);
      if (Number(changes) !== 1) return false;
      for (const r of input.records) {
        upsert.run(
          input.runId, r.transactionId, r.eventCode, r.kind, r.status, r.currency, r.amount, r.fee,
          r.referenceId, r.invoiceId, r.customField, r.initiatedAt.getTime(), r.updatedAt.getTime(),
        );
      }
      this.stmt(
        `UPDATE reconcile_windows SET next_page = ?, total_pages = ?, records = records + ?, status = ? WHERE run_id = ? AND window_index = ?`,
      ).run(input.page + 1, input.totalPages, input.records.length, input.windowDone ? 'done' : 'pending', input.runId, input.windowIndex);
      return true;
    });
  }

  async markWindowsUnavailable(runId: number, owner: string, fromIndex: number, now: Date): Promise<boolean> {
    return this.transaction(() => {
      const { changes } = this.stmt('UPDATE reconcile_runs SET heartbeat_at = ? WHERE id = ? AND owner = ?').run(now.getTime(), runId, owner);
      if (Number(changes) !== 1) return false;
      this.stmt("UPDATE reconcile_windows SET status = 'unavailable' WHERE run_id = ? AND window_index >= ? AND status = 'pending'").run(runId, fromIndex);
      return true;
    });
  }

  async readRecords(runId: number, cursor: RecordCursor | null, limit: number): Promise<PayPalRecord[]> {
    const rows = cursor
      ? (this.stmt(
          `SELECT ${RECORD_COLUMNS} FROM reconcile_paypal_records WHERE run_id = ? AND (transaction_id, event_code) > (?, ?) ORDER BY transaction_id, event_code LIMIT ?`,
        ).all(runId, cursor.transactionId, cursor.eventCode, limit) as Row[])
      : (this.stmt(`SELECT ${RECORD_COLUMNS} FROM reconcile_paypal_records WHERE run_id = ? ORDER BY transaction_id, event_code LIMIT ?`).all(runId, limit) as Row[]);
    return rows.map(toRecord);
  }

  async countRecords(runId: number): Promise<number> {
    return Number((this.stmt('SELECT count(*) AS n FROM reconcile_paypal_records WHERE run_id = ?').get(runId) as Row)['n']);
  }

  async replaceDiscrepancies(runId: number, owner: string, discrepancies: readonly Discrepancy[], counts: RunCounts, phase: RunPhase, now: Date): Promise<boolean> {
    const insert = this.stmt(
      `INSERT INTO reconcile_discrepancies (run_id, subject, kind, status, action, paypal_id, event_code, reference, paypal, odoo, note, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, kind, subject) DO NOTHING`,
    );
    return this.transaction(() => {
      const { changes } = this.stmt('UPDATE reconcile_runs SET heartbeat_at = ?, counts = ?, phase = ? WHERE id = ? AND owner = ?').run(
        now.getTime(),
        JSON.stringify(counts),
        phase,
        runId,
        owner,
      );
      if (Number(changes) !== 1) return false;
      this.stmt('DELETE FROM reconcile_discrepancies WHERE run_id = ?').run(runId);
      const t = now.getTime();
      for (const d of discrepancies) {
        insert.run(
          runId, discrepancySubject(d), d.kind, d.status, d.action, d.paypalId, d.eventCode, d.reference,
          d.paypal ? JSON.stringify(d.paypal) : null, d.odoo ? JSON.stringify(d.odoo) : null, d.note, t, t,
        );
      }
      return true;
    });
  }

  async listDiscrepancies(runId: number, filter: DiscrepancyFilter = {}): Promise<StoredDiscrepancy[]> {
    const where = ['run_id = ?', 'id > ?'];
    const params: SQLInputValue[] = [runId, filter.afterId ?? 0];
    const statuses = statusList(filter.status);
    if (statuses) {
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (filter.kind) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    params.push(listLimit(filter.limit));
    const rows = this.sql.prepare(`SELECT ${DISCREPANCY_COLUMNS} FROM reconcile_discrepancies WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...params) as Row[];
    return rows.map(toDiscrepancy);
  }

  async getDiscrepancy(id: number): Promise<StoredDiscrepancy | null> {
    const row = this.stmt(`SELECT ${DISCREPANCY_COLUMNS} FROM reconcile_discrepancies WHERE id = ?`).get(id) as Row | undefined;
    return row ? toDiscrepancy(row) : null;
  }

  async updateDiscrepancy(id: number, change: { from: readonly string[]; status: string; repairNote: string; now: Date }): Promise<boolean> {
    if (change.from.length === 0) return false;
    const { changes } = this.transaction(() =>
      this.sql
        .prepare(`UPDATE reconcile_discrepancies SET status = ?, repair_note = ?, updated_at = ? WHERE id = ? AND status IN (${change.from.map(() => '?').join(', ')})`)
        .run(change.status, change.repairNote, change.now.getTime(), id, ...change.from),
    );
    return Number(changes) === 1;
  }

  async summarizeDiscrepancies(runId: number): Promise<DiscrepancySummary> {
    const rows = this.stmt('SELECT kind, status, count(*) AS n FROM reconcile_discrepancies WHERE run_id = ? GROUP BY kind, status').all(runId) as Row[];
    const summary: DiscrepancySummary = {
      byKind: Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as DiscrepancySummary['byKind'],
      byStatus: Object.fromEntries(DISCREPANCY_STATUSES.map((s) => [s, 0])) as DiscrepancySummary['byStatus'],
    };
    for (const r of rows) {
      const n = Number(r['n']);
      summary.byKind[r['kind'] as keyof DiscrepancySummary['byKind']] += n;
      summary.byStatus[r['status'] as keyof DiscrepancySummary['byStatus']] += n;
    }
    return summary;
  }

  async close(): Promise<void> {
    this.sql.close();
  }

}
