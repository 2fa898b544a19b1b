// One SQLite connection (Node's built-in node:sqlite) as the stores use it: WAL journal, a busy
// timeout for the other connections on the file (other stores, other processes), prepared
// statements compiled once, write transactions that take the lock up front, and versioned
// migrations. A commit is durable (synchronous=FULL: the WAL is fsynced) unless the caller asks
// for a relaxed one (synchronous=NORMAL: atomic and safe from kill -9, but a power cut may undo
// it); the setting is switched only when it changes.
import { DatabaseSync, type StatementSync } from 'node:sqlite';

export interface SqliteMigration {
  readonly version: number;
  readonly sql: string;
}

export class SqliteDatabase {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly label: string;
  private readonly statements = new Map<string, StatementSync>();
  private synchronous: 'FULL' | 'NORMAL' = 'FULL';
  private closed = false;

  /** `label` names the database in errors ("the SQLite inbox"). */
  constructor(file: string, options: { busyTimeoutMs: number; label: string }) {
    this.file = file;
    this.label = options.label;
    try {
      this.db = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: options.busyTimeoutMs });
    } catch (err) {
      throw new Error(`Cannot open ${this.label} at ${file}: ${(err as Error).message}. Check that DATA_DIR exists and is writable.`, { cause: err });
    }
    // WAL lets readers (admin API, metrics) work while the worker writes.
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = FULL');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`${this.label[0]!.toUpperCase()}${this.label.slice(1)} is closed`);
  }

  /** A prepared statement, compiled once per SQL text and reused. */
  stmt(sql: string): StatementSync {
    this.assertOpen();
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A statement for SQL built per call (not cached). */
  prepare(sql: string): StatementSync {
    this.assertOpen();
    return this.db.prepare(sql);
  }

  exec(sql: string): void {
    this.assertOpen();
    this.db.exec(sql);
  }

  /** The durability of the next commits (a single statement outside a transaction is one). */
  durability(mode: 'FULL' | 'NORMAL'): void {
    this.assertOpen();
    if (this.synchronous === mode) return;
    this.db.exec(`PRAGMA synchronous = ${mode}`);
    this.synchronous = mode;
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE: the write lock is taken up front). */
  transaction<T>(fn: () => T, durable = true): T {
    this.durability(durable ? 'FULL' : 'NORMAL');
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Applies the migrations above the version recorded in `table`, in one transaction. */
  migrate(table: string, migrations: readonly SqliteMigration[]): void {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`bad migrations table name ${table}`);
    this.transaction(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT`);
      const current = Number((this.db.prepare(`SELECT coalesce(max(version), 0) AS version FROM ${table}`).get() as Record<string, unknown>)['version']);
      for (const m of migrations) {
        if (m.version <= current) continue;
        this.db.exec(m.sql);
        this.db.prepare(`INSERT INTO ${table} (version, applied_at) VALUES (?, ?)`).run(m.version, Date.now());
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    this.db.close();
  }
}
