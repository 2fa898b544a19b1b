// Opens the reconciliation store next to the configured inbox (same SQLite file or PostgreSQL
// database), migrated.
import type { Config } from '../config.ts';
import { PostgresReconcileStore } from './postgres-store.ts';
import { openSqliteReconcileStore } from './sqlite-store.ts';
import type { ReconcileStore } from './store.ts';

export async function openReconcileStore(config: Config['store'], options: { poolSize?: number } = {}): Promise<ReconcileStore> {
  const store: ReconcileStore =
    config.kind === 'postgres'
      ? new PostgresReconcileStore({ url: config.url, ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}) })
      : openSqliteReconcileStore({ dataDir: config.dataDir });
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    const where = config.kind === 'postgres' ? 'the PostgreSQL database at DATABASE_URL' : `the SQLite database in ${config.dataDir} (DATA_DIR)`;
    throw new Error(`Cannot prepare the reconciliation tables in ${where}: ${(err as Error).message}`, { cause: err });
  }
}
