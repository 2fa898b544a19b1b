// What the PostgreSQL stores share: write transactions on a pooled connection (READ COMMITTED,
// which the inbox's claim relies on: a fresh snapshot per statement) that discard a connection
// that cannot even roll back, and versioned migrations serialised across instances starting
// together (an advisory lock: one migrates, the others wait and find it done).
import pg from 'pg';

export interface PostgresMigration {
  readonly version: number;
  readonly sql: string;
}

export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A connection that cannot roll back is discarded rather than handed to the next caller.
    client.release(broken);
  }
}

/** Applies the migrations above the version recorded in `table`, under advisory lock (`lockNamespace`, 0). */
export async function migratePostgres(pool: pg.Pool, table: string, lockNamespace: number, migrations: readonly PostgresMigration[]): Promise<void> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`bad migrations table name ${table}`);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [lockNamespace]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0)::int AS version FROM ${table}`);
    const current = rows[0]?.version ?? 0;
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${table} (version, applied_at) VALUES ($1, now())`, [m.version]);
    }
  });
}
