// The embedded inbox: one SQLite file (Node's built-in node:sqlite) in the data directory.
//
// Durability: WAL journal. Storing events (insertMany) and operator actions (replay, migrations)
// commit with synchronous=FULL, so a transaction that returned is on disk (the WAL is fsynced) and
// survives kill -9 and a power cut: an acknowledged event is never lost. Group commit comes from
// insertMany: one transaction, one fsync, for a whole batch of webhooks. The worker's bookkeeping
// (leases, done/retry marks, audit lines) commits with synchronous=NORMAL: atomic and safe from
// kill -9 (the WAL is in the OS's cache), but a power cut may undo its last moments, in which case
// those events simply run again, which idempotent handlers absorb. This keeps the disk's fsyncs
// for what PayPal is waiting on (measured: intake throughput roughly doubled).
//
// Concurrency: node:sqlite is synchronous, so a transaction never spans an await and cannot
// interleave with another one in this process. Claims run in BEGIN IMMEDIATE, which takes the
// database's write lock before reading; a second connection (another store on the same file, or
// another process) waits for it (busy_timeout) and then sees the committed leases, so two
// claimers never lease the same row or two rows of one partition.
//
// Times are stored as integer milliseconds since 1970 UTC (exact, compact, and compared as numbers
// by the claim index); the store returns Dates.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import { SqliteDatabase } from '../shared/sqlite-database.ts';
import { SQLITE_MIGRATIONS } from './schema.ts';
import {
  activityBuckets,
  auditDetailJson,
  batchResults,
  checkClaimOptions,
  checkDate,
  checkReplaySelector,
  claimScanSize,
  emptyStatusCounts,
  listLimit,
  listStatuses,
  normaliseSubjects,
  parseHeaders,
  pickOnePerPartition,
  planBatch,
  REPLAYABLE_BY_ID,
  validateAuditEntry,
} from './store-support.ts';
import type {
  ActivityBucket,
  AuditEntry,
  ClaimOptions,
  InboxEvent,
  InboxListFilter,
  InboxStats,
  InboxStatus,
  InboxStore,
  InsertResult,
  NewInboxEvent,
  StoredAuditEntry,
} from './types.ts';
import { INBOX_STATUSES } from './types.ts';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' (tests only: nothing survives the process). */
  file?: string;
  /** Directory holding `inbox.sqlite`; created if missing. Used when `file` is not given. */
  dataDir?: string;
  /** How long a writer waits for another connection's write lock before failing. Default 5 s. */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

const EVENT_COLUMNS =
  'id, event_id, event_type, resource_type, resource_id, partition_key, raw_body, headers, received_at, deliveries, status, attempts, ' +
  'next_attempt_at, lease_owner, lease_expires_at, last_error, outcome, processed_at, updated_at';

const AUDIT_COLUMNS = 'a.id, a.at, a.kind, a.subjects, a.event_id, a.outcome, a.summary, a.detail';

/** Opens (creating if needed) the SQLite inbox. Call `migrate()` before use, or use openStore(). */
export function openSqliteStore(options: SqliteStoreOptions): SqliteInboxStore {
  let file = options.file;
  if (file === undefined) {
    if (options.dataDir === undefined) throw new Error('openSqliteStore needs a file or a dataDir (DATA_DIR)');
    fs.mkdirSync(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, 'inbox.sqlite');
  } else if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }
  return new SqliteInboxStore(file, options.busyTimeoutMs ?? 5000);
}

export class SqliteInboxStore implements InboxStore {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private readonly sql: SqliteDatabase;

  constructor(file: string, busyTimeoutMs: number) {
    this.file = file;
    this.sql = new SqliteDatabase(file, { busyTimeoutMs, label: 'the SQLite inbox' });
  }

  private stmt(sql: string): StatementSync {
    return this.sql.stmt(sql);
  }

  /**
   * One write transaction. `durable`: committed with an fsync (events, operator actions) rather
   * than the worker's crash-safe but not power-cut-safe bookkeeping (see the header).
   */
  private transaction<T>(fn: () => T, durable = false): T {
    return this.sql.transaction(fn, durable);
  }

  async migrate(): Promise<void> {
    this.sql.migrate('schema_migrations', SQLITE_MIGRATIONS);
    // Refreshes the planner's statistics where they are missing or stale (cheap, bounded).
    this.sql.exec('PRAGMA optimize=0x10002');
  }

  async insertMany(events: readonly NewInboxEvent[]): Promise<InsertResult[]> {
    if (events.length === 0) return [];
    const rows = planBatch(events);
    const now = Date.now();
    const insert = this.stmt(
      `INSERT INTO inbox_events (event_id, event_type, resource_type, resource_id, partition_key, raw_body, headers, received_at,
                                 deliveries, status, attempts, next_attempt_at, updated_at)
       VALUES (:eventId, :eventType, :resourceType, :resourceId, :partitionKey, :rawBody, :headers, :receivedAt,
               :deliveries, 'pending', 0, :receivedAt, :now)
       ON CONFLICT (event_id) DO UPDATE SET deliveries = deliveries + excluded.deliveries, updated_at = excluded.updated_at
       RETURNING deliveries`,
    );
    const stored = this.transaction(() => {
      const deliveries = new Map<string, number>();
      for (const { event: e, occurrences } of rows) {
        const row = insert.get({
          eventId: e.eventId,
          eventType: e.eventType,
          resourceType: e.resourceType,
          resourceId: e.resourceId,
          partitionKey: e.partitionKey,
          rawBody: e.rawBody,
          headers: JSON.stringify(e.headers),
          receivedAt: e.receivedAt.getTime(),
          deliveries: occurrences,
          now,
        }) as Row;
        deliveries.set(e.eventId, Number(row['deliveries']));
      }
      return deliveries;
    }, true);
    return batchResults(events, stored, rows);
  }

  async claim(options: ClaimOptions): Promise<InboxEvent[]> {
    checkClaimOptions(options.limit, options.leaseMs, options.owner);
    if (options.limit === 0) return [];
    const now = ms(options.now);
    const expires = now + options.leaseMs;
    const candidates = this.stmt(
      // INDEXED BY: without statistics SQLite may prefer the status index and sort the whole
      // backlog; the claim index gives the rows already in claim order (and this fails loudly
      // should the index ever become unusable).
      `SELECT id, partition_key FROM inbox_events AS e INDEXED BY inbox_events_claim_idx
        WHERE status IN ('pending', 'processing') AND next_attempt_at <= :now
          AND (partition_key IS NULL OR NOT EXISTS (
                SELECT 1 FROM inbox_events AS held
                 WHERE held.partition_key = e.partition_key AND held.status = 'processing' AND held.next_attempt_at > :now))
        ORDER BY next_attempt_at, id
        LIMIT :scan`,
    );
    const lease = this.stmt(
      `UPDATE inbox_events
          SET status = 'processing', attempts = attempts + 1, lease_owner = :owner, lease_expires_at = :expires,
              next_attempt_at = :expires, updated_at = :now
        WHERE id IN (SELECT value FROM json_each(:ids))
        RETURNING ${EVENT_COLUMNS}`,
    );
    const leased = this.transaction(() => {
      const found = candidates.all({ now, scan: claimScanSize(options.limit) }).map((r) => ({ id: Number(r['id']), partitionKey: r['partition_key'] as string | null }));
      const chosen = pickOnePerPartition(found, options.limit);
      if (chosen.length === 0) return [];
      const order = new Map(chosen.map((c, i) => [c.id, i]));
      const rows = lease.all({ owner: options.owner, expires, now, ids: JSON.stringify(chosen.map((c) => c.id)) });
      return rows.map(toEvent).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    });
    return leased;
  }

  async complete(id: number, owner: string, result: { status: 'done' | 'ignored'; outcome: string; now?: Date }): Promise<boolean> {
    if (result.status !== 'done' && result.status !== 'ignored') throw new Error(`complete() takes status done or ignored (got ${String(result.status)})`);
    const now = ms(result.now);
    return this.changedOne(
      `UPDATE inbox_events
          SET status = :status, outcome = :outcome, processed_at = :now, next_attempt_at = :now,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
        WHERE id = :id AND status = 'processing' AND lease_owner = :owner`,
      { id, owner, status: result.status, outcome: result.outcome, now },
    );
  }

  async retry(id: number, owner: string, result: { error: string; nextAttemptAt: Date; countAttempt: boolean; now?: Date }): Promise<boolean> {
    const now = ms(result.now);
    const next = checkDate(result.nextAttemptAt, 'nextAttemptAt').getTime();
    return this.changedOne(
      `UPDATE inbox_events
          SET status = 'pending', last_error = :error, next_attempt_at = :next,
              attempts = CASE WHEN :countAttempt THEN attempts ELSE max(attempts - 1, 0) END,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
        WHERE id = :id AND status = 'processing' AND lease_owner = :owner`,
      { id, owner, error: result.error, next, countAttempt: result.countAttempt ? 1 : 0, now },
    );
  }

  async kill(id: number, owner: string, result: { error: string; now?: Date }): Promise<boolean> {
    const now = ms(result.now);
    return this.changedOne(
      `UPDATE inbox_events
          SET status = 'dead', last_error = :error, processed_at = :now, next_attempt_at = :now,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
        WHERE id = :id AND status = 'processing' AND lease_owner = :owner`,
      { id, owner, error: result.error, now },
    );
  }

  async release(id: number, owner: string): Promise<boolean> {
    const now = Date.now();
    return this.changedOne(
      `UPDATE inbox_events
          SET status = 'pending', next_attempt_at = :now, attempts = max(attempts - 1, 0),
              lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
        WHERE id = :id AND status = 'processing' AND lease_owner = :owner`,
      { id, owner, now },
    );
  }

  async renewLease(id: number, owner: string, leaseMs: number, now?: Date): Promise<boolean> {
    const at = ms(now);
    return this.changedOne(
      `UPDATE inbox_events
          SET lease_expires_at = :expires, next_attempt_at = :expires, updated_at = :now
        WHERE id = :id AND status = 'processing' AND lease_owner = :owner`,
      { id, owner, expires: at + leaseMs, now: at },
    );
  }

  /** One UPDATE of one leased row: a single statement is its own durable transaction. */
  private changedOne(sql: string, params: Record<string, SQLInputValue>): boolean {
    this.sql.durability('NORMAL');
    return Number(this.stmt(sql).run(params).changes) === 1;
  }

  async replay(selector: { eventIds?: readonly string[]; status?: 'dead' | 'ignored'; now?: Date }): Promise<string[]> {
    checkReplaySelector(selector);
    const now = ms(selector.now);
    const statuses: readonly InboxStatus[] = selector.eventIds ? (selector.status ? [selector.status] : REPLAYABLE_BY_ID) : [selector.status ?? 'dead'];
    const reset = `UPDATE inbox_events
          SET status = 'pending', attempts = 0, next_attempt_at = :now, outcome = NULL, processed_at = NULL, updated_at = :now
        WHERE status IN (SELECT value FROM json_each(:statuses))`;
    const rows = this.transaction(() => {
      if (selector.eventIds) {
        return this.stmt(`${reset} AND event_id IN (SELECT value FROM json_each(:ids)) RETURNING id, event_id`).all({
          now,
          statuses: JSON.stringify(statuses),
          ids: JSON.stringify(selector.eventIds),
        });
      }
      return this.stmt(`${reset} RETURNING id, event_id`).all({ now, statuses: JSON.stringify(statuses) });
    }, true);
    return rows.sort((a, b) => Number(a['id']) - Number(b['id'])).map((r) => String(r['event_id']));
  }

  async get(eventId: string): Promise<InboxEvent | null> {
    const row = this.stmt(`SELECT ${EVENT_COLUMNS} FROM inbox_events WHERE event_id = ?`).get(eventId);
    return row ? toEvent(row) : null;
  }

  async list(filter: InboxListFilter = {}): Promise<InboxEvent[]> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    const statuses = listStatuses(filter);
    if (statuses) {
      if (statuses.length === 0) return [];
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
    if (filter.eventType !== undefined) {
      where.push('event_type = ?');
      params.push(filter.eventType);
    }
    if (filter.reference !== undefined) {
      where.push('(resource_id = ? OR partition_key = ? OR event_id = ?)');
      params.push(filter.reference, filter.reference, filter.reference);
    }
    if (filter.receivedAfter !== undefined) {
      where.push('received_at > ?');
      params.push(checkDate(filter.receivedAfter, 'receivedAfter').getTime());
    }
    if (filter.receivedBefore !== undefined) {
      where.push('received_at < ?');
      params.push(checkDate(filter.receivedBefore, 'receivedBefore').getTime());
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    params.push(listLimit(filter.limit));
    const sql = `SELECT ${EVENT_COLUMNS} FROM inbox_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.stmt(sql).all(...params).map(toEvent);
  }

  async stats(now?: Date): Promise<InboxStats> {
    const at = ms(now);
    const byStatus = emptyStatusCounts();
    for (const r of this.stmt('SELECT status, count(*) AS n FROM inbox_events GROUP BY status').all()) {
      const status = r['status'] as InboxStatus;
      if ((INBOX_STATUSES as readonly string[]).includes(status)) byStatus[status] = Number(r['n']);
    }
    const due = this.stmt(`SELECT count(*) AS n FROM inbox_events WHERE status = 'pending' AND next_attempt_at <= ?`).get(at) as Row;
    const oldest = this.stmt(`SELECT received_at AS t FROM inbox_events WHERE status = 'pending' ORDER BY status, received_at LIMIT 1`).get() as Row | undefined;
    const last = this.stmt('SELECT max(received_at) AS t FROM inbox_events').get() as Row;
    return {
      byStatus,
      due: Number(due['n']),
      oldestPendingReceivedAt: optionalDate(oldest?.['t']),
      lastReceivedAt: optionalDate(last['t']),
    };
  }

  async activity(options: { since: Date; bucketMs: number; now?: Date }): Promise<ActivityBucket[]> {
    const since = checkDate(options.since, 'since');
    const now = options.now ?? new Date();
    const b = options.bucketMs;
    const count = (sql: string) =>
      new Map(this.stmt(sql).all({ since: since.getTime(), b }).map((r) => [Number(r['start']), Number(r['n'])] as [number, number]));
    const received = count('SELECT (received_at / CAST(:b AS INTEGER)) * CAST(:b AS INTEGER) AS start, count(*) AS n FROM inbox_events WHERE received_at >= :since GROUP BY 1');
    const failed = count(
      "SELECT (at / CAST(:b AS INTEGER)) * CAST(:b AS INTEGER) AS start, count(*) AS n FROM audit_log WHERE kind IN ('worker.retry', 'worker.dead') AND at >= :since GROUP BY 1",
    );
    return activityBuckets(since, b, now, received, failed);
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const prepared = entries.map((e, i) => {
      validateAuditEntry(e, i);
      return { entry: e, subjects: normaliseSubjects(e.subjects), detail: auditDetailJson(e, i) };
    });
    const insertEntry = this.stmt(
      `INSERT INTO audit_log (at, kind, subjects, event_id, outcome, summary, detail)
       VALUES (:at, :kind, :subjects, :eventId, :outcome, :summary, :detail)`,
    );
    const insertSubject = this.stmt('INSERT INTO audit_subjects (subject, audit_id) VALUES (?, ?)');
    this.transaction(() => {
      for (const { entry, subjects, detail } of prepared) {
        const { lastInsertRowid } = insertEntry.run({
          at: entry.at.getTime(),
          kind: entry.kind,
          subjects: JSON.stringify(subjects),
          eventId: entry.eventId ?? null,
          outcome: entry.outcome,
          summary: entry.summary,
          detail,
        });
        for (const subject of subjects) insertSubject.run(subject, lastInsertRowid);
      }
    });
  }

  async listAudit(filter: { subject?: string; eventId?: string; limit?: number; beforeId?: number } = {}): Promise<StoredAuditEntry[]> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    let from = 'audit_log AS a';
    if (filter.subject !== undefined) {
      // Walk the (subject, audit_id) key backwards: newest first without a sort.
      from = 'audit_subjects AS s JOIN audit_log AS a ON a.id = s.audit_id';
      where.push('s.subject = ?');
      params.push(filter.subject);
    }
    if (filter.eventId !== undefined) {
      where.push('a.event_id = ?');
      params.push(filter.eventId);
    }
    if (filter.beforeId !== undefined) {
      where.push(filter.subject !== undefined ? 's.audit_id < ?' : 'a.id < ?');
      params.push(filter.beforeId);
    }
    params.push(listLimit(filter.limit));
    const order = filter.subject !== undefined ? 's.audit_id DESC' : 'a.id DESC';
    const sql = `SELECT ${AUDIT_COLUMNS} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
    return this.stmt(sql).all(...params).map(toAudit);
  }

  async ping(): Promise<void> {
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.sql.close();
  }

}

function ms(date: Date | undefined): number {
  return date === undefined ? Date.now() : checkDate(date, 'now').getTime();
}

function optionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(Number(value));
}

function toBuffer(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('raw_body is not a blob: the inbox file has been modified outside the service');
}

function toEvent(r: Row): InboxEvent {
  return {
    id: Number(r['id']),
    eventId: String(r['event_id']),
    eventType: String(r['event_type']),
    resourceType: (r['resource_type'] as string | null) ?? null,
    resourceId: (r['resource_id'] as string | null) ?? null,
    partitionKey: (r['partition_key'] as string | null) ?? null,
    rawBody: toBuffer(r['raw_body']),
    headers: parseHeaders(r['headers']),
    receivedAt: new Date(Number(r['received_at'])),
    deliveries: Number(r['deliveries']),
    status: r['status'] as InboxStatus,
    attempts: Number(r['attempts']),
    nextAttemptAt: new Date(Number(r['next_attempt_at'])),
    leaseOwner: (r['lease_owner'] as string | null) ?? null,
    leaseExpiresAt: optionalDate(r['lease_expires_at']),
    lastError: (r['last_error'] as string | null) ?? null,
    outcome: (r['outcome'] as string | null) ?? null,
    processedAt: optionalDate(r['processed_at']),
    updatedAt: new Date(Number(r['updated_at'])),
  };
}

function toAudit(r: Row): StoredAuditEntry {
  return {
    id: Number(r['id']),
    at: new Date(Number(r['at'])),
    kind: String(r['kind']),
    subjects: JSON.parse(String(r['subjects'])) as string[],
    eventId: (r['event_id'] as string | null) ?? null,
    outcome: r['outcome'] as StoredAuditEntry['outcome'],
    summary: String(r['summary']),
    detail: r['detail'] === null || r['detail'] === undefined ? null : (JSON.parse(String(r['detail'])) as Record<string, unknown>),
  };
}
