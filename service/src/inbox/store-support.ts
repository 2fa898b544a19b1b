// What both inbox stores share: input checks (so that SQLite and PostgreSQL accept and refuse
// exactly the same data), batch planning for group commit, and the partition rule of `claim`.
import { FinalError } from '../shared/errors.ts';
import type { ActivityBucket, AuditEntry, InboxListFilter, InboxStatus, NewInboxEvent } from './types.ts';
import { INBOX_STATUSES } from './types.ts';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** A row the store refuses to write. Nothing was stored; the caller must not acknowledge it. */
export class InboxInputError extends FinalError {
  constructor(message: string) {
    super(message, 'INBOX_INVALID_INPUT');
  }
}

// PostgreSQL text cannot hold U+0000; SQLite could. Refusing it in both keeps the stores identical.
function checkText(value: unknown, what: string, opts: { nullable?: boolean; nonEmpty?: boolean } = {}): void {
  if (value === null && opts.nullable) return;
  if (typeof value !== 'string') throw new InboxInputError(`${what} must be a string${opts.nullable ? ' or null' : ''} (got ${describe(value)})`);
  if (opts.nonEmpty && value.trim() === '') throw new InboxInputError(`${what} must not be empty`);
  if (value.includes('\u0000')) throw new InboxInputError(`${what} contains a NUL character, which the store cannot hold`);
}

export function checkDate(value: unknown, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InboxInputError(`${what} must be a valid Date (got ${describe(value)})`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'an invalid Date';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

export function validateNewEvent(event: NewInboxEvent, index = 0): void {
  const at = `event #${index}`;
  if (event === null || typeof event !== 'object') throw new InboxInputError(`${at} must be an object`);
  checkText(event.eventId, `${at}: eventId`, { nonEmpty: true });
  const name = `event ${event.eventId}`;
  checkText(event.eventType, `${name}: eventType`, { nonEmpty: true });
  checkText(event.resourceType, `${name}: resourceType`, { nullable: true });
  checkText(event.resourceId, `${name}: resourceId`, { nullable: true });
  checkText(event.partitionKey, `${name}: partitionKey`, { nullable: true });
  if (!(event.rawBody instanceof Uint8Array)) throw new InboxInputError(`${name}: rawBody must be a Buffer holding the request body as received (got ${describe(event.rawBody)})`);
  const headers: unknown = event.headers;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) throw new InboxInputError(`${name}: headers must be an object of strings`);
  for (const [key, value] of Object.entries(headers)) {
    checkText(key, `${name}: a header name`);
    checkText(value, `${name}: header ${key}`);
  }
  checkDate(event.receivedAt, `${name}: receivedAt`);
}

export function validateAuditEntry(entry: AuditEntry, index = 0): void {
  const at = `audit entry #${index}`;
  if (entry === null || typeof entry !== 'object') throw new InboxInputError(`${at} must be an object`);
  checkDate(entry.at, `${at}: at`);
  checkText(entry.kind, `${at}: kind`, { nonEmpty: true });
  if (!Array.isArray(entry.subjects)) throw new InboxInputError(`${at}: subjects must be an array of strings`);
  entry.subjects.forEach((s, i) => checkText(s, `${at}: subjects[${i}]`));
  if (entry.eventId !== undefined) checkText(entry.eventId, `${at}: eventId`, { nullable: true });
  if (entry.outcome !== 'ok' && entry.outcome !== 'error' && entry.outcome !== 'info') {
    throw new InboxInputError(`${at}: outcome must be ok, error or info (got ${JSON.stringify(entry.outcome)})`);
  }
  checkText(entry.summary, `${at}: summary`);
  if (entry.detail !== undefined && entry.detail !== null) {
    if (typeof entry.detail !== 'object' || Array.isArray(entry.detail)) throw new InboxInputError(`${at}: detail must be an object or null`);
  }
}

/** The audit entry's detail as JSON text, refusing what JSON cannot carry faithfully. */
export function auditDetailJson(entry: AuditEntry, index: number): string | null {
  if (entry.detail === undefined || entry.detail === null) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(entry.detail);
  } catch (err) {
    throw new InboxInputError(`audit entry #${index}: detail cannot be serialised to JSON (${(err as Error).message})`);
  }
  if (json === undefined) throw new InboxInputError(`audit entry #${index}: detail cannot be serialised to JSON`);
  // jsonb rejects \u0000 escapes; refuse in both stores rather than store different things.
  if (json.includes('\\u0000')) throw new InboxInputError(`audit entry #${index}: detail contains a NUL character, which the store cannot hold`);
  return json;
}

/** Subjects without blanks or repeats, in their given order. */
export function normaliseSubjects(subjects: readonly string[]): string[] {
  return [...new Set(subjects.map((s) => s.trim()).filter((s) => s !== ''))];
}

export interface BatchRow {
  event: NewInboxEvent;
  /** How many times this event id occurs in the batch: all of them count as deliveries. */
  occurrences: number;
}

/**
 * One row per distinct event id (the first occurrence's content wins), sorted by event id so that
 * concurrent batches on PostgreSQL lock unique-index entries in the same order and cannot deadlock.
 */
export function planBatch(events: readonly NewInboxEvent[]): BatchRow[] {
  const rows = new Map<string, BatchRow>();
  events.forEach((event, i) => {
    validateNewEvent(event, i);
    const row = rows.get(event.eventId);
    if (row) row.occurrences += 1;
    else rows.set(event.eventId, { event, occurrences: 1 });
  });
  return [...rows.values()].sort((a, b) => (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0));
}

/**
 * Results in the order of the input. A row whose stored delivery count equals its occurrences in
 * this batch was created by this batch; its first occurrence is the insert, the others are
 * duplicates.
 */
export function batchResults(events: readonly NewInboxEvent[], storedDeliveries: ReadonlyMap<string, number>, rows: readonly BatchRow[]) {
  const created = new Set(rows.filter((r) => storedDeliveries.get(r.event.eventId) === r.occurrences).map((r) => r.event.eventId));
  const seen = new Set<string>();
  return events.map((e) => {
    const inserted = created.has(e.eventId) && !seen.has(e.eventId);
    seen.add(e.eventId);
    return { eventId: e.eventId, inserted };
  });
}

/**
 * The partition rule within one claim: candidates come in claim order; keep the first row of each
 * non-null partition key and every row without one, up to `limit`.
 */
export function pickOnePerPartition<T extends { partitionKey: string | null }>(candidates: readonly T[], limit: number): T[] {
  const taken = new Set<string>();
  const out: T[] = [];
  for (const c of candidates) {
    if (out.length >= limit) break;
    if (c.partitionKey !== null) {
      if (taken.has(c.partitionKey)) continue;
      taken.add(c.partitionKey);
    }
    out.push(c);
  }
  return out;
}

/**
 * How many due rows a claim looks at to fill `limit` slots: a few more than asked, so that two
 * events of one payment near the head of the queue do not leave a slot empty.
 */
export function claimScanSize(limit: number): number {
  return limit * 2 + 8;
}

export function checkClaimOptions(limit: number, leaseMs: number, owner: string): void {
  if (!Number.isInteger(limit) || limit < 0) throw new InboxInputError(`claim limit must be a whole number ≥ 0 (got ${limit})`);
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new InboxInputError(`claim leaseMs must be a positive number of milliseconds (got ${leaseMs})`);
  checkText(owner, 'lease owner', { nonEmpty: true });
}

export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new InboxInputError(`limit must be a whole number ≥ 1 (got ${limit})`);
  return Math.min(limit, MAX_LIST_LIMIT);
}

export function listStatuses(filter: InboxListFilter): InboxStatus[] | undefined {
  if (filter.status === undefined) return undefined;
  const statuses: readonly InboxStatus[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
  for (const s of statuses) {
    if (!(INBOX_STATUSES as readonly string[]).includes(s)) throw new InboxInputError(`unknown inbox status ${JSON.stringify(s)}; expected one of ${INBOX_STATUSES.join(', ')}`);
  }
  return [...statuses];
}

export function emptyStatusCounts(): Record<InboxStatus, number> {
  return { pending: 0, processing: 0, done: 0, ignored: 0, dead: 0 };
}

export function parseHeaders(value: unknown): Record<string, string> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  const out: Record<string, string> = {};
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** Statuses a replay may move back to pending. Events in flight (pending, processing) are left alone. */
export const REPLAYABLE_BY_ID: readonly InboxStatus[] = ['dead', 'ignored', 'done'];

export function checkReplaySelector(selector: { eventIds?: readonly string[]; status?: 'dead' | 'ignored' }): void {
  if (selector.status !== undefined && selector.status !== 'dead' && selector.status !== 'ignored') {
    throw new InboxInputError(`replay status must be dead or ignored (got ${JSON.stringify(selector.status)})`);
  }
  if (selector.eventIds !== undefined) {
    if (!Array.isArray(selector.eventIds)) throw new InboxInputError('replay eventIds must be an array of event ids');
    selector.eventIds.forEach((id, i) => checkText(id, `replay eventIds[${i}]`, { nonEmpty: true }));
  }
}

/** Dense buckets from `since` to `now` filled with the counts found (keyed by bucket start, ms). */
export function activityBuckets(
  since: Date,
  bucketMs: number,
  now: Date,
  received: ReadonlyMap<number, number>,
  failed: ReadonlyMap<number, number>,
): ActivityBucket[] {
  if (!Number.isInteger(bucketMs) || bucketMs < 1000) throw new InboxInputError(`bucketMs must be a whole number of milliseconds, at least 1000 (got ${bucketMs})`);
  const first = Math.floor(since.getTime() / bucketMs) * bucketMs;
  const last = Math.floor(now.getTime() / bucketMs) * bucketMs;
  if ((last - first) / bucketMs > 10_000) throw new InboxInputError('too many buckets: use a larger bucket or a later start');
  const out: ActivityBucket[] = [];
  for (let start = first; start <= last; start += bucketMs) {
    out.push({ start: new Date(start), received: received.get(start) ?? 0, failed: failed.get(start) ?? 0 });
  }
  return out;
}
