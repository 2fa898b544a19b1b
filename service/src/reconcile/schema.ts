// The reconciliation's tables, once per dialect, side by side so that they stay identical (same
// tables, columns, constraints and versions); only the types differ, as in the inbox
// (service/src/inbox/schema.ts): times are INTEGER milliseconds in SQLite and timestamptz in
// PostgreSQL, JSON is TEXT in SQLite and jsonb in PostgreSQL. Migrations are appended, never
// edited; applied versions are recorded in reconcile_schema_migrations (the inbox has its own
// schema_migrations).
import type { Migration } from '../inbox/schema.ts';

const RUN_STATUSES = "'running', 'completed', 'failed'";
const RUN_PHASES = "'pull', 'match', 'repair', 'done'";
const WINDOW_STATUSES = "'pending', 'done', 'unavailable'";
const KINDS = "'missing_in_odoo', 'missing_in_paypal', 'amount_mismatch', 'currency_mismatch', 'state_mismatch', 'fee_missing'";
const STATUSES = "'open', 'repaired', 'needs_person'";

export const RECONCILE_SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'reconciliation runs, windows, PayPal lines and discrepancies',
    sql: `
CREATE TABLE reconcile_runs (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  range_from        INTEGER NOT NULL,
  range_to          INTEGER NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN (${RUN_STATUSES})),
  phase             TEXT    NOT NULL CHECK (phase IN (${RUN_PHASES})),
  owner             TEXT    NOT NULL,
  heartbeat_at      INTEGER NOT NULL,
  started_at        INTEGER NOT NULL,
  finished_at       INTEGER,
  windows_total     INTEGER NOT NULL,
  windows_done      INTEGER NOT NULL DEFAULT 0,
  pages_done        INTEGER NOT NULL DEFAULT 0,
  records_pulled    INTEGER NOT NULL DEFAULT 0,
  last_refreshed_at INTEGER,
  coverage_end      INTEGER,
  counts            TEXT,
  error             TEXT,
  CHECK (range_from < range_to)
) STRICT;
CREATE INDEX reconcile_runs_range_idx ON reconcile_runs (range_from, range_to, id);
CREATE INDEX reconcile_runs_status_idx ON reconcile_runs (status, heartbeat_at);

CREATE TABLE reconcile_windows (
  run_id       INTEGER NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
  window_index INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  window_end   INTEGER NOT NULL,
  status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN (${WINDOW_STATUSES})),
  next_page    INTEGER NOT NULL DEFAULT 1 CHECK (next_page >= 1),
  total_pages  INTEGER,
  records      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, window_index)
) STRICT, WITHOUT ROWID;

CREATE TABLE reconcile_paypal_records (
  run_id         INTEGER NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
  transaction_id TEXT    NOT NULL,
  event_code     TEXT    NOT NULL,
  kind           TEXT    NOT NULL,
  status         TEXT    NOT NULL,
  currency       TEXT    NOT NULL,
  amount         TEXT    NOT NULL,
  fee            TEXT,
  reference_id   TEXT,
  invoice_id     TEXT,
  custom_field   TEXT,
  initiated_at   INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (run_id, transaction_id, event_code)
) STRICT, WITHOUT ROWID;

CREATE TABLE reconcile_discrepancies (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id      INTEGER NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
  subject     TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN (${KINDS})),
  status      TEXT    NOT NULL CHECK (status IN (${STATUSES})),
  action      TEXT    CHECK (action IN ('sync_capture', 'sync_refund', 'book_fee', 'repost_payment')),
  paypal_id   TEXT,
  event_code  TEXT,
  reference   TEXT,
  paypal      TEXT,
  odoo        TEXT,
  note        TEXT    NOT NULL,
  repair_note TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (run_id, kind, subject)
) STRICT;
CREATE INDEX reconcile_discrepancies_status_idx ON reconcile_discrepancies (run_id, status, id);
`,
  },
];

export const RECONCILE_POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'reconciliation runs, windows, PayPal lines and discrepancies',
    sql: `
CREATE TABLE reconcile_runs (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  range_from        timestamptz NOT NULL,
  range_to          timestamptz NOT NULL,
  status            text        NOT NULL CHECK (status IN (${RUN_STATUSES})),
  phase             text        NOT NULL CHECK (phase IN (${RUN_PHASES})),
  owner             text        NOT NULL,
  heartbeat_at      timestamptz NOT NULL,
  started_at        timestamptz NOT NULL,
  finished_at       timestamptz,
  windows_total     integer     NOT NULL,
  windows_done      integer     NOT NULL DEFAULT 0,
  pages_done        integer     NOT NULL DEFAULT 0,
  records_pulled    integer     NOT NULL DEFAULT 0,
  last_refreshed_at timestamptz,
  coverage_end      timestamptz,
  counts            jsonb,
  error             text,
  CHECK (range_from < range_to)
);
CREATE INDEX reconcile_runs_range_idx ON reconcile_runs (range_from, range_to, id);
CREATE INDEX reconcile_runs_status_idx ON reconcile_runs (status, heartbeat_at);

CREATE TABLE reconcile_windows (
  run_id       bigint      NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
  window_index integer     NOT NULL,
  window_start timestamptz NOT NULL,
  window_end   timestamptz NOT NULL,
  status       text        NOT NULL DEFAULT 'pending' CHECK (status IN (${WINDOW_STATUSES})),
  next_page    integer     NOT NULL DEFAULT 1 CHECK (next_page >= 1),
  total_pages  integer,
  records      integer     NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, window_index)
);

CREATE TABLE reconcile_paypal_records (
  run_id         bigint      NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
  transaction_id text        NOT NULL,
  event_code     text        NOT NULL,
  kind           text        NOT NULL,
  status         text        NOT NULL,
  currency       text        NOT NULL,
  amount         text        NOT NULL,
  fee            text,
  reference_id   text,
  invoice_id     text,
  custom_field   text,
  initiated_at   timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (run_id, transaction_id, event_code)
);

CREATE TABLE reconcile_discrepancies (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      bigint      NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
  subject     text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN (${KINDS})),
  status      text        NOT NULL CHECK (status IN (${STATUSES})),
  action      text        CHECK (action IN ('sync_capture', 'sync_refund', 'book_fee', 'repost_payment')),
  paypal_id   text,
  event_code  text,
  reference   text,
  paypal      jsonb,
  odoo        jsonb,
  note        text        NOT NULL,
  repair_note text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (run_id, kind, subject)
);
CREATE INDEX reconcile_discrepancies_status_idx ON reconcile_discrepancies (run_id, status, id);
`,
  },
];
