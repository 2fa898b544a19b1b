// The inbox schema, once per dialect, side by side so that the two stay identical: same tables,
// same column names, same constraints, same version numbers. Only the column types differ:
//
//   column            SQLite (STRICT)                 PostgreSQL
//   times             INTEGER, ms since 1970 UTC      timestamptz
//   raw_body          BLOB                            bytea
//   headers, detail   TEXT holding JSON               jsonb
//   subjects          TEXT holding a JSON array       text[]
//
// A migration is appended, never edited: a database at version N runs every migration above N, in
// order, in one transaction, and records each version in schema_migrations.
//
// Claim index. For a row being processed, next_attempt_at is kept equal to lease_expires_at (the
// moment the row becomes claimable again if its owner dies). "Claimable" is then a single range
// condition, `status IN ('pending','processing') AND next_attempt_at <= now`, and one partial index
// ordered by (next_attempt_at, id) serves the claim query in "due first, oldest first" order and
// stops after the first few rows, however large the backlog. Finished rows (done, ignored, dead:
// the vast majority over time) are not in that index at all.
//
// Audit subjects live in their own table keyed (subject, audit_id), so a timeline for one PayPal
// id or Odoo reference is one ordered index range, newest first, over any number of entries.

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'inbox events and audit log',
    sql: `
CREATE TABLE inbox_events (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id         TEXT    NOT NULL UNIQUE,
  event_type       TEXT    NOT NULL,
  resource_type    TEXT,
  resource_id      TEXT,
  partition_key    TEXT,
  raw_body         BLOB    NOT NULL,
  headers          TEXT    NOT NULL,
  received_at      INTEGER NOT NULL,
  deliveries       INTEGER NOT NULL DEFAULT 1 CHECK (deliveries >= 1),
  status           TEXT    NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'processing', 'done', 'ignored', 'dead')),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  INTEGER NOT NULL,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  last_error       TEXT,
  outcome          TEXT,
  processed_at     INTEGER,
  updated_at       INTEGER NOT NULL,
  CHECK ((status = 'processing') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
) STRICT;
CREATE INDEX inbox_events_claim_idx ON inbox_events (next_attempt_at, id)
  WHERE status IN ('pending', 'processing');
CREATE INDEX inbox_events_status_idx ON inbox_events (status, received_at);
CREATE INDEX inbox_events_partition_idx ON inbox_events (partition_key) WHERE partition_key IS NOT NULL;
CREATE INDEX inbox_events_resource_idx ON inbox_events (resource_id) WHERE resource_id IS NOT NULL;
CREATE INDEX inbox_events_received_idx ON inbox_events (received_at);

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  at       INTEGER NOT NULL,
  kind     TEXT    NOT NULL,
  subjects TEXT    NOT NULL,
  event_id TEXT,
  outcome  TEXT    NOT NULL CHECK (outcome IN ('ok', 'error', 'info')),
  summary  TEXT    NOT NULL,
  detail   TEXT
) STRICT;
CREATE INDEX audit_log_event_idx ON audit_log (event_id, id) WHERE event_id IS NOT NULL;

CREATE TABLE audit_subjects (
  subject  TEXT    NOT NULL,
  audit_id INTEGER NOT NULL REFERENCES audit_log (id),
  PRIMARY KEY (subject, audit_id)
) STRICT, WITHOUT ROWID;
`,
  },
  {
    version: 2,
    description: 'audit entries by kind and time (the back office health chart)',
    sql: `CREATE INDEX audit_log_kind_at_idx ON audit_log (kind, at);`,
  },
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'inbox events and audit log',
    sql: `
CREATE TABLE inbox_events (
  id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         text        NOT NULL UNIQUE,
  event_type       text        NOT NULL,
  resource_type    text,
  resource_id      text,
  partition_key    text,
  raw_body         bytea       NOT NULL,
  headers          jsonb       NOT NULL,
  received_at      timestamptz NOT NULL,
  deliveries       integer     NOT NULL DEFAULT 1 CHECK (deliveries >= 1),
  status           text        NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'processing', 'done', 'ignored', 'dead')),
  attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at  timestamptz NOT NULL,
  lease_owner      text,
  lease_expires_at timestamptz,
  last_error       text,
  outcome          text,
  processed_at     timestamptz,
  updated_at       timestamptz NOT NULL,
  CHECK ((status = 'processing') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);
CREATE INDEX inbox_events_claim_idx ON inbox_events (next_attempt_at, id)
  WHERE status IN ('pending', 'processing');
CREATE INDEX inbox_events_status_idx ON inbox_events (status, received_at);
CREATE INDEX inbox_events_partition_idx ON inbox_events (partition_key) WHERE partition_key IS NOT NULL;
CREATE INDEX inbox_events_resource_idx ON inbox_events (resource_id) WHERE resource_id IS NOT NULL;
CREATE INDEX inbox_events_received_idx ON inbox_events (received_at);

CREATE TABLE audit_log (
  id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at       timestamptz NOT NULL,
  kind     text        NOT NULL,
  subjects text[]      NOT NULL,
  event_id text,
  outcome  text        NOT NULL CHECK (outcome IN ('ok', 'error', 'info')),
  summary  text        NOT NULL,
  detail   jsonb
);
CREATE INDEX audit_log_event_idx ON audit_log (event_id, id) WHERE event_id IS NOT NULL;

CREATE TABLE audit_subjects (
  subject  text   NOT NULL,
  audit_id bigint NOT NULL REFERENCES audit_log (id),
  PRIMARY KEY (subject, audit_id)
);
`,
  },
  {
    version: 2,
    description: 'audit entries by kind and time (the back office health chart)',
    sql: `CREATE INDEX audit_log_kind_at_idx ON audit_log (kind, at);`,
  },
];
