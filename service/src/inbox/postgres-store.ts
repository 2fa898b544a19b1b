// The shared inbox for several service instances: PostgreSQL through a pg Pool.
//
// Claiming with several processes at once:
// 1. `SELECT … FOR UPDATE OF e SKIP LOCKED` picks due rows in claim order; rows another claimer
//    is holding are skipped, not waited for, so no two claimers ever get the same row.
// 2. Row locks do not protect a partition: claimer A may lock order X's first event while B locks
//    X's second one. So each claimer also takes a transaction-scoped advisory lock on every
//    partition key it wants, with pg_try_advisory_xact_lock (never waits, so no deadlock, no
//    convoy); a key it cannot lock is left for later.
// 3. The lease UPDATE then re-checks, in a statement that starts after those locks were granted
//    (READ COMMITTED: a fresh snapshot per statement), that no other row of the partition holds a
//    live lease. A claimer that got the advisory lock after another one committed therefore sees
//    that commit and backs off.
// The locks are per key, so claimers only ever serialise on the same payment, and they last for
// one short transaction (a handful of round trips), never for the handler's run; the lease itself
// is the row's status. Two keys that happen to share a 32-bit hash merely wait one claim for each
// other. A single global claim lock would have been simpler but turns every claim of every
// instance into a queue, which is what SKIP LOCKED is there to avoid.
import pg from 'pg';
import { inTransaction, migratePostgres } from '../shared/postgres-database.ts';
import type { Logger } from '../shared/logger.ts';
import { POSTGRES_MIGRATIONS } from './schema.ts';
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

export interface PostgresStoreOptions {
  /** postgres:// URL (DATABASE_URL). */
  url: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Where to report connections that fail while idle (the server restarted, the network dropped). */
  logger?: Logger;
}

// Advisory lock keys (two-int form): a namespace of our own, then 0 for migrations or the hash of
// a partition key. "ppb" + 1 in ASCII, to stay clear of other users of advisory locks.
const LOCK_NAMESPACE_MIGRATE = 0x70706231;
const LOCK_NAMESPACE_PARTITION = 0x70706232;

type Row = Record<string, unknown>;

const EVENT_COLUMNS =
  'id, event_id, event_type, resource_type, resource_id, partition_key, raw_body, headers, received_at, deliveries, status, attempts, ' +
  'next_attempt_at, lease_owner, lease_expires_at, last_error, outcome, processed_at, updated_at';

const AUDIT_COLUMNS = 'a.id, a.at, a.kind, a.subjects, a.event_id, a.outcome, a.summary, a.detail';

/** Connects a pool to the PostgreSQL inbox. Call `migrate()` before use, or use openStore(). */
export function openPostgresStore(options: PostgresStoreOptions): PostgresInboxStore {
  return new PostgresInboxStore(options);
}

export class PostgresInboxStore implements InboxStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private closing: Promise<void> | null = null;

  constructor(options: PostgresStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      // Every statement here is short; one that hangs (a lock held by a stuck session) fails
      // instead of freezing intake or the worker, and a transaction left open by a frozen
      // process gives its row and advisory locks back.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
    });
    // An idle connection that breaks must not crash the process; the next query opens a new one.
    this.pool.on('error', (err) => {
      options.logger?.warn('an idle PostgreSQL connection failed; it will be replaced', { err });
    });
  }

  private transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool, 'schema_migrations', LOCK_NAMESPACE_MIGRATE, POSTGRES_MIGRATIONS);
  }

  async insertMany(events: readonly NewInboxEvent[]): Promise<InsertResult[]> {
    if (events.length === 0) return [];
    const rows = planBatch(events);
    // One statement for the whole batch: one round trip, one commit, one WAL flush.
    const { rows: stored } = await this.pool.query<{ event_id: string; deliveries: number }>(
      `INSERT INTO inbox_events (event_id, event_type, resource_type, resource_id, partition_key, raw_body, headers, received_at,
                                 deliveries, status, attempts, next_attempt_at, updated_at)
       SELECT event_id, event_type, resource_type, resource_id, partition_key, raw_body, headers::jsonb, received_at,
              deliveries, 'pending', 0, received_at, $10
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::text[], $8::timestamptz[], $9::int[])
              WITH ORDINALITY AS input(event_id, event_type, resource_type, resource_id, partition_key, raw_body, headers, received_at, deliveries, ord)
        ORDER BY ord
       ON CONFLICT (event_id) DO UPDATE
          SET deliveries = inbox_events.deliveries + excluded.deliveries, updated_at = excluded.updated_at
       RETURNING event_id, deliveries`,
      [
        rows.map((r) => r.event.eventId),
        rows.map((r) => r.event.eventType),
        rows.map((r) => r.event.resourceType),
        rows.map((r) => r.event.resourceId),
        rows.map((r) => r.event.partitionKey),
        rows.map((r) => asBuffer(r.event.rawBody)),
        rows.map((r) => JSON.stringify(r.event.headers)),
        rows.map((r) => r.event.receivedAt.toISOString()),
        rows.map((r) => r.occurrences),
        new Date(),
      ],
    );
    return batchResults(events, new Map(stored.map((r) => [r.event_id, Number(r.deliveries)])), rows);
  }

  async claim(options: ClaimOptions): Promise<InboxEvent[]> {
    checkClaimOptions(options.limit, options.leaseMs, options.owner);
    if (options.limit === 0) return [];
    const now = dateOrNow(options.now);
    const expires = new Date(now.getTime() + options.leaseMs);
    return this.transaction(async (client) => {
      const { rows: found } = await client.query<{ id: string; partition_key: string | null }>(
        `SELECT id, partition_key FROM inbox_events AS e
          WHERE status IN ('pending', 'processing') AND next_attempt_at <= $1
            AND (partition_key IS NULL OR NOT EXISTS (
                  SELECT 1 FROM inbox_events AS held
                   WHERE held.partition_key = e.partition_key AND held.status = 'processing' AND held.next_attempt_at > $1))
          ORDER BY next_attempt_at, id
          LIMIT $2
          FOR UPDATE OF e SKIP LOCKED`,
        [now, claimScanSize(options.limit)],
      );
      let chosen = pickOnePerPartition(
        found.map((r) => ({ id: Number(r.id), partitionKey: r.partition_key })),
        options.limit,
      );
      const keys = chosen.flatMap((c) => (c.partitionKey === null ? [] : [c.partitionKey]));
      if (keys.length > 0) {
        const { rows: locked } = await client.query<{ key: string }>(
          'SELECT key FROM unnest($1::text[]) AS key WHERE pg_try_advisory_xact_lock($2, hashtext(key))',
          [keys, LOCK_NAMESPACE_PARTITION],
        );
        const granted = new Set(locked.map((r) => r.key));
        chosen = chosen.filter((c) => c.partitionKey === null || granted.has(c.partitionKey));
      }
      if (chosen.length === 0) return [];
      const { rows } = await client.query<Row>(
        `UPDATE inbox_events AS e
            SET status = 'processing', attempts = attempts + 1, lease_owner = $2, lease_expires_at = $3,
                next_attempt_at = $3, updated_at = $4
          WHERE id = ANY($1::bigint[])
            AND (partition_key IS NULL OR NOT EXISTS (
                  SELECT 1 FROM inbox_events AS held
                   WHERE held.partition_key = e.partition_key AND held.id <> e.id
                     AND held.status = 'processing' AND held.next_attempt_at > $4))
          RETURNING ${EVENT_COLUMNS}`,
        [chosen.map((c) => c.id), options.owner, expires, now],
      );
      const order = new Map(chosen.map((c, i) => [c.id, i]));
      return rows.map(toEvent).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    });
  }

  async complete(id: number, owner: string, result: { status: 'done' | 'ignored'; outcome: string; now?: Date }): Promise<boolean> {
    if (result.status !== 'done' && result.status !== 'ignored') throw new Error(`complete() takes status done or ignored (got ${String(result.status)})`);
    return this.changedOne(
      `UPDATE inbox_events
          SET status = $3, outcome = $4, processed_at = $5, next_attempt_at = $5,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = $5
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2`,
      [id, owner, result.status, result.outcome, dateOrNow(result.now)],
    );
  }

  async retry(id: number, owner: string, result: { error: string; nextAttemptAt: Date; countAttempt: boolean; now?: Date }): Promise<boolean> {
    return this.changedOne(
      `UPDATE inbox_events
          SET status = 'pending', last_error = $3, next_attempt_at = $4,
              attempts = CASE WHEN $5::boolean THEN attempts ELSE greatest(attempts - 1, 0) END,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = $6
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2`,
      [id, owner, result.error, checkDate(result.nextAttemptAt, 'nextAttemptAt'), result.countAttempt, dateOrNow(result.now)],
    );
  }

  async kill(id: number, owner: string, result: { error: string; now?: Date }): Promise<boolean> {
    return this.changedOne(
      `UPDATE inbox_events
          SET status = 'dead', last_error = $3, processed_at = $4, next_attempt_at = $4,
              lease_owner = NULL, lease_expires_at = NULL, updated_at = $4
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2`,
      [id, owner, result.error, dateOrNow(result.now)],
    );
  }

  async release(id: number, owner: string): Promise<boolean> {
    return this.changedOne(
      `UPDATE inbox_events
          SET status = 'pending', next_attempt_at = $3, attempts = greatest(attempts - 1, 0),
              lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2`,
      [id, owner, new Date()],
    );
  }

  async renewLease(id: number, owner: string, leaseMs: number, now?: Date): Promise<boolean> {
    const at = dateOrNow(now);
    const expires = new Date(at.getTime() + leaseMs);
    return this.changedOne(
      `UPDATE inbox_events
          SET lease_expires_at = $3, next_attempt_at = $3, updated_at = $4
        WHERE id = $1 AND status = 'processing' AND lease_owner = $2`,
      [id, owner, expires, at],
    );
  }

  private async changedOne(sql: string, params: unknown[]): Promise<boolean> {
    const result = await this.pool.query(sql, params);
    return result.rowCount === 1;
  }

  async replay(selector: { eventIds?: readonly string[]; status?: 'dead' | 'ignored'; now?: Date }): Promise<string[]> {
    checkReplaySelector(selector);
    const now = dateOrNow(selector.now);
    const statuses: readonly InboxStatus[] = selector.eventIds ? (selector.status ? [selector.status] : REPLAYABLE_BY_ID) : [selector.status ?? 'dead'];
    const reset = `UPDATE inbox_events
          SET status = 'pending', attempts = 0, next_attempt_at = $1, outcome = NULL, processed_at = NULL, updated_at = $1
        WHERE status = ANY($2::text[])`;
    const { rows } = selector.eventIds
      ? await this.pool.query<{ id: string; event_id: string }>(`${reset} AND event_id = ANY($3::text[]) RETURNING id, event_id`, [now, statuses, selector.eventIds])
      : await this.pool.query<{ id: string; event_id: string }>(`${reset} RETURNING id, event_id`, [now, statuses]);
    return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.event_id);
  }

  async get(eventId: string): Promise<InboxEvent | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${EVENT_COLUMNS} FROM inbox_events WHERE event_id = $1`, [eventId]);
    return rows[0] ? toEvent(rows[0]) : null;
  }

  async list(filter: InboxListFilter = {}): Promise<InboxEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const statuses = listStatuses(filter);
    if (statuses) {
      if (statuses.length === 0) return [];
      where.push(`status = ANY(${add(statuses)}::text[])`);
    }
    if (filter.eventType !== undefined) where.push(`event_type = ${add(filter.eventType)}`);
    if (filter.reference !== undefined) {
      const ref = add(filter.reference);
      where.push(`(resource_id = ${ref} OR partition_key = ${ref} OR event_id = ${ref})`);
    }
    if (filter.receivedAfter !== undefined) where.push(`received_at > ${add(checkDate(filter.receivedAfter, 'receivedAfter'))}`);
    if (filter.receivedBefore !== undefined) where.push(`received_at < ${add(checkDate(filter.receivedBefore, 'receivedBefore'))}`);
    if (filter.beforeId !== undefined) where.push(`id < ${add(filter.beforeId)}`);
    const limit = add(listLimit(filter.limit));
    const { rows } = await this.pool.query<Row>(
      `SELECT ${EVENT_COLUMNS} FROM inbox_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(toEvent);
  }

  async stats(now?: Date): Promise<InboxStats> {
    const { rows } = await this.pool.query<{ status: string | null; n: string; due: string | null; oldest: Date | null; last: Date | null }>(
      `SELECT status, count(*) AS n, NULL::bigint AS due, NULL::timestamptz AS oldest, NULL::timestamptz AS last
         FROM inbox_events GROUP BY status
       UNION ALL
       SELECT NULL, 0,
              (SELECT count(*) FROM inbox_events WHERE status = 'pending' AND next_attempt_at <= $1),
              (SELECT received_at FROM inbox_events WHERE status = 'pending' ORDER BY status, received_at LIMIT 1),
              (SELECT max(received_at) FROM inbox_events)`,
      [dateOrNow(now)],
    );
    const byStatus = emptyStatusCounts();
    let due = 0;
    let oldest: Date | null = null;
    let last: Date | null = null;
    for (const r of rows) {
      if (r.status === null) {
        due = Number(r.due ?? 0);
        oldest = r.oldest;
        last = r.last;
      } else if ((INBOX_STATUSES as readonly string[]).includes(r.status)) {
        byStatus[r.status as InboxStatus] = Number(r.n);
      }
    }
    return { byStatus, due, oldestPendingReceivedAt: oldest, lastReceivedAt: last };
  }

  async activity(options: { since: Date; bucketMs: number; now?: Date }): Promise<ActivityBucket[]> {
    const since = checkDate(options.since, 'since');
    const now = options.now ?? new Date();
    const b = options.bucketMs;
    const bucket = (column: string) => `(floor(extract(epoch FROM ${column}) * 1000 / $2) * $2)::bigint`;
    const count = async (sql: string) => {
      const { rows } = await this.pool.query<{ start: string; n: string }>(sql, [since, b]);
      return new Map(rows.map((r) => [Number(r.start), Number(r.n)] as [number, number]));
    };
    const received = await count(`SELECT ${bucket('received_at')} AS start, count(*) AS n FROM inbox_events WHERE received_at >= $1 GROUP BY 1`);
    const failed = await count(
      `SELECT ${bucket('at')} AS start, count(*) AS n FROM audit_log WHERE kind IN ('worker.retry', 'worker.dead') AND at >= $1 GROUP BY 1`,
    );
    return activityBuckets(since, b, now, received, failed);
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const prepared = entries.map((e, i) => {
      validateAuditEntry(e, i);
      return { entry: e, subjects: normaliseSubjects(e.subjects), detail: auditDetailJson(e, i) };
    });
    // One statement: the entries in order (ids follow the input), then their subjects.
    await this.pool.query(
      `WITH input AS (
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                WITH ORDINALITY AS t(at, kind, subjects, event_id, outcome, summary, detail, ord)
       ), inserted AS (
         INSERT INTO audit_log (at, kind, subjects, event_id, outcome, summary, detail)
         SELECT at, kind, ARRAY(SELECT jsonb_array_elements_text(subjects::jsonb)), event_id, outcome, summary, detail::jsonb
           FROM input ORDER BY ord
         RETURNING id, subjects
       )
       INSERT INTO audit_subjects (subject, audit_id)
       SELECT subject, inserted.id FROM inserted CROSS JOIN LATERAL unnest(inserted.subjects) AS subject`,
      [
        prepared.map((p) => p.entry.at.toISOString()),
        prepared.map((p) => p.entry.kind),
        prepared.map((p) => JSON.stringify(p.subjects)),
        prepared.map((p) => p.entry.eventId ?? null),
        prepared.map((p) => p.entry.outcome),
        prepared.map((p) => p.entry.summary),
        prepared.map((p) => p.detail),
      ],
    );
  }

  async listAudit(filter: { subject?: string; eventId?: string; limit?: number; beforeId?: number } = {}): Promise<StoredAuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    let from = 'audit_log AS a';
    const bySubject = filter.subject !== undefined;
    if (bySubject) {
      // Walk the (subject, audit_id) key backwards: newest first without a sort.
      from = 'audit_subjects AS s JOIN audit_log AS a ON a.id = s.audit_id';
      where.push(`s.subject = ${add(filter.subject)}`);
    }
    if (filter.eventId !== undefined) where.push(`a.event_id = ${add(filter.eventId)}`);
    if (filter.beforeId !== undefined) where.push(`${bySubject ? 's.audit_id' : 'a.id'} < ${add(filter.beforeId)}`);
    const limit = add(listLimit(filter.limit));
    const { rows } = await this.pool.query<Row>(
      `SELECT ${AUDIT_COLUMNS} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${bySubject ? 's.audit_id' : 'a.id'} DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(toAudit);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}

function dateOrNow(date: Date | undefined): Date {
  return date === undefined ? new Date() : checkDate(date, 'now');
}

function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function toEvent(r: Row): InboxEvent {
  return {
    id: Number(r['id']),
    eventId: r['event_id'] as string,
    eventType: r['event_type'] as string,
    resourceType: (r['resource_type'] as string | null) ?? null,
    resourceId: (r['resource_id'] as string | null) ?? null,
    partitionKey: (r['partition_key'] as string | null) ?? null,
    rawBody: r['raw_body'] as Buffer,
    headers: parseHeaders(r['headers']),
    receivedAt: r['received_at'] as Date,
    deliveries: Number(r['deliveries']),
    status: r['status'] as InboxStatus,
    attempts: Number(r['attempts']),
    nextAttemptAt: r['next_attempt_at'] as Date,
    leaseOwner: (r['lease_owner'] as string | null) ?? null,
    leaseExpiresAt: (r['lease_expires_at'] as Date | null) ?? null,
    lastError: (r['last_error'] as string | null) ?? null,
    outcome: (r['outcome'] as string | null) ?? null,
    processedAt: (r['processed_at'] as Date | null) ?? null,
    updatedAt: r['updated_at'] as Date,
  };
}

function toAudit(r: Row): StoredAuditEntry {
  return {
    id: Number(r['id']),
    at: r['at'] as Date,
    kind: r['kind'] as string,
    subjects: r['subjects'] as string[],
    eventId: (r['event_id'] as string | null) ?? null,
    outcome: r['outcome'] as StoredAuditEntry['outcome'],
    summary: r['summary'] as string,
    detail: (r['detail'] as Record<string, unknown> | null) ?? null,
  };
}
