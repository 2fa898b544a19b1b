// Picks the inbox store the configuration names and brings its schema up to date.
import type { Config } from '../config.ts';
import type { Logger } from '../shared/logger.ts';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { InboxStore } from './types.ts';

export type StoreConfig = Config['store'];

/** Opens the configured store (SQLite in DATA_DIR, or PostgreSQL at DATABASE_URL), migrated. */
export async function openStore(config: StoreConfig, options: { logger?: Logger; poolSize?: number } = {}): Promise<InboxStore> {
  let store: InboxStore | undefined;
  try {
    store =
      config.kind === 'postgres'
        ? openPostgresStore({
            url: config.url,
            ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
            ...(options.logger ? { logger: options.logger } : {}),
          })
        : openSqliteStore({ dataDir: config.dataDir });
    await store.migrate();
    return store;
  } catch (err) {
    await store?.close().catch(() => undefined);
    const where = config.kind === 'postgres' ? 'the PostgreSQL database at DATABASE_URL' : `the SQLite inbox in ${config.dataDir} (DATA_DIR)`;
    throw new Error(`Cannot prepare ${where}: ${(err as Error).message}`, { cause: err });
  }
}
