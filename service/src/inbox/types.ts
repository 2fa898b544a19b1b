// The inbox is the store of record for every PayPal event the service has accepted. A row is
// written (durably) before PayPal gets its 2xx, and the worker moves it through these states:
//
//   pending ──claim──> processing ──ok──> done | ignored
//                          │  └─retryable error──> pending (next_attempt_at in the future)
//                          └─final error, or attempts used up──> dead ──replay──> pending
//
// A lease (owner + expiry) marks who is processing a row; a lease that expires (the process died)
// makes the row claimable again. Attempts are counted when a row is claimed, so an event that
// crashes the process also runs out of attempts instead of looping forever.

export const INBOX_STATUSES = ['pending', 'processing', 'done', 'ignored', 'dead'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** What intake hands to the store: the event exactly as PayPal sent it, plus the envelope fields. */
export interface NewInboxEvent {
  /** PayPal's event id (`WH-…`): the idempotency key at intake. */
  eventId: string;
  eventType: string;
  /** `resource_type` of the envelope (capture, refund, checkout-order, dispute, …), if any. */
  resourceType: string | null;
  /** `resource.id`, if any. */
  resourceId: string | null;
  /**
   * Groups the events of one payment (the PayPal order id when known, else the resource id): the
   * worker never processes two events of one group at the same time.
   */
  partitionKey: string | null;
  /** The request body byte for byte, as signed by PayPal. */
  rawBody: Buffer;
  /** The request headers that matter for audit (PAYPAL-*, content-type, user-agent). */
  headers: Record<string, string>;
  receivedAt: Date;
}

export interface InboxEvent {
  /** The store's own row id. */
  id: number;
  eventId: string;
  eventType: string;
  resourceType: string | null;
  resourceId: string | null;
  partitionKey: string | null;
  rawBody: Buffer;
  headers: Record<string, string>;
  receivedAt: Date;
  /** How many times PayPal delivered this event (1 = no duplicates). */
  deliveries: number;
  status: InboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastError: string | null;
  /** What the handler said it did (`applied`, `no change`, …) or why the event was ignored. */
  outcome: string | null;
  processedAt: Date | null;
  updatedAt: Date;
}

export interface InsertResult {
  eventId: string;
  /** false when the event id was already stored (a redelivery): nothing new to process. */
  inserted: boolean;
}

export interface ClaimOptions {
  owner: string;
  limit: number;
  leaseMs: number;
  now?: Date;
}

export interface InboxListFilter {
  status?: InboxStatus | readonly InboxStatus[];
  eventType?: string;
  /** Events whose resource id, partition key or event id equals this. */
  reference?: string;
  receivedAfter?: Date;
  receivedBefore?: Date;
  limit?: number;
  /** Row id to page from (exclusive), newest first. */
  beforeId?: number;
}

export interface InboxStats {
  byStatus: Record<InboxStatus, number>;
  /** Pending rows whose next attempt is due now. */
  due: number;
  oldestPendingReceivedAt: Date | null;
  lastReceivedAt: Date | null;
}

/** One line of the audit trail: every webhook received, every PayPal call, every Odoo write. */
export interface AuditEntry {
  at: Date;
  /** e.g. webhook.received, webhook.rejected, paypal.call, odoo.write, worker.retry, worker.dead */
  kind: string;
  /** What the entry is about: PayPal ids and Odoo references it concerns, for lookups. */
  subjects: string[];
  eventId?: string | null;
  outcome: 'ok' | 'error' | 'info';
  summary: string;
  detail?: Record<string, unknown> | null;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

/** One bucket of the back office's activity chart. */
export interface ActivityBucket {
  start: Date;
  /** Deliveries stored (first receipts; redeliveries are not counted). */
  received: number;
  /** Attempts that failed (retried or gone dead). */
  failed: number;
}

export interface InboxStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema. Idempotent. */
  migrate(): Promise<void>;
  /**
   * Stores a batch of events in one durable transaction (group commit). Redeliveries of a known
   * event id are not stored again; their delivery count goes up. Resolves only once the data is
   * on disk.
   */
  insertMany(events: readonly NewInboxEvent[]): Promise<InsertResult[]>;
  /**
   * Leases up to `limit` due events to `owner`: pending rows whose next attempt is due, and
   * processing rows whose lease has expired. Increments `attempts`. Never returns two rows of the
   * same partition key, nor a row whose partition key another live lease holds. Concurrent
   * claimers (several processes on PostgreSQL) never receive the same row.
   */
  claim(options: ClaimOptions): Promise<InboxEvent[]>;
  /** Moves a leased row to done/ignored. Returns false if `owner` no longer holds the lease. */
  complete(id: number, owner: string, result: { status: 'done' | 'ignored'; outcome: string; now?: Date }): Promise<boolean>;
  /**
   * Puts a leased row back to pending for a later attempt. With `countAttempt: false` the attempt
   * it used is given back (the dependency was down; the event was not at fault).
   */
  retry(id: number, owner: string, result: { error: string; nextAttemptAt: Date; countAttempt: boolean; now?: Date }): Promise<boolean>;
  /** Moves a leased row to dead with its last error. */
  kill(id: number, owner: string, result: { error: string; now?: Date }): Promise<boolean>;
  /** Gives a leased row back untouched (graceful shutdown): pending, due now, attempt given back. */
  release(id: number, owner: string): Promise<boolean>;
  /** Extends a lease still held by `owner`. */
  renewLease(id: number, owner: string, leaseMs: number, now?: Date): Promise<boolean>;
  /**
   * Re-queues events for processing (dead by default; also done/ignored ones when named
   * explicitly by event id). Resets attempts. Returns the event ids re-queued.
   */
  replay(selector: { eventIds?: readonly string[]; status?: 'dead' | 'ignored'; now?: Date }): Promise<string[]>;
  get(eventId: string): Promise<InboxEvent | null>;
  list(filter?: InboxListFilter): Promise<InboxEvent[]>;
  stats(now?: Date): Promise<InboxStats>;
  /** Activity per time bucket from `since` to now, every bucket present (zeros included). */
  activity(options: { since: Date; bucketMs: number; now?: Date }): Promise<ActivityBucket[]>;
  appendAudit(entries: readonly AuditEntry[]): Promise<void>;
  /** Audit entries naming `subject` (or all when omitted), newest first. */
  listAudit(filter?: { subject?: string; eventId?: string; limit?: number; beforeId?: number }): Promise<StoredAuditEntry[]>;
  /** Cheap reachability check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
