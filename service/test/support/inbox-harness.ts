// Real stores for tests: a temp SQLite file, or a throw-away PostgreSQL database. The same
// harness shape for both lets one suite run against either.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../../src/inbox/postgres-store.ts';
import { openSqliteStore } from '../../src/inbox/sqlite-store.ts';
import type { InboxStore, NewInboxEvent } from '../../src/inbox/types.ts';
import { createTestDatabase } from './postgres.ts';

export interface StoreHarness {
  readonly kind: 'sqlite' | 'postgres';
  /** Closes the stores opened so far and starts from an empty, migrated database. */
  reset(): Promise<void>;
  /** Another store instance (its own connection or pool) on the current database, migrated. */
  open(): Promise<InboxStore>;
  /** Closes every store and deletes the database. */
  dispose(): Promise<void>;
}

export function createSqliteHarness(): StoreHarness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-test-'));
  let file = '';
  let generation = 0;
  const opened: InboxStore[] = [];
  const closeAll = async () => {
    for (const s of opened.splice(0)) await s.close();
  };
  return {
    kind: 'sqlite',
    async reset() {
      await closeAll();
      file = path.join(dir, `inbox-${++generation}.sqlite`);
    },
    async open() {
      if (!file) throw new Error('call reset() before open()');
      const store = openSqliteStore({ file });
      opened.push(store);
      await store.migrate();
      return store;
    },
    async dispose() {
      await closeAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createPostgresHarness(options: { poolSize?: number } = {}): Promise<StoreHarness> {
  const db = await createTestDatabase();
  const opened: InboxStore[] = [];
  const closeAll = async () => {
    for (const s of opened.splice(0)) await s.close();
  };
  const open = async () => {
    const store = openPostgresStore({ url: db.url, poolSize: options.poolSize ?? 4 });
    opened.push(store);
    await store.migrate();
    return store;
  };
  return {
    kind: 'postgres',
    async reset() {
      await closeAll();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT to_regclass('inbox_events') IS NOT NULL AS ready`);
        if (rows[0]?.ready) await client.query('TRUNCATE inbox_events, audit_subjects, audit_log RESTART IDENTITY');
      } finally {
        await client.end();
      }
    },
    open,
    async dispose() {
      try {
        await closeAll();
      } finally {
        await db.drop();
      }
    },
  };
}

let counter = 0;

/** A realistic new event; every field can be overridden. */
export function newEvent(overrides: Partial<NewInboxEvent> = {}): NewInboxEvent {
  counter += 1;
  const eventId = overrides.eventId ?? `WH-TEST-${process.pid}-${counter}`;
  const eventType = overrides.eventType ?? 'PAYMENT.CAPTURE.COMPLETED';
  const body = {
    id: eventId,
    event_version: '1.0',
    create_time: '2025-01-01T00:00:00.000Z',
    resource_type: 'capture',
    event_type: eventType,
    summary: 'Payment completed',
    resource: { id: overrides.resourceId ?? `CAP${counter}`, status: 'COMPLETED' },
  };
  return {
    eventId,
    eventType,
    resourceType: 'capture',
    resourceId: `CAP${counter}`,
    partitionKey: null,
    rawBody: Buffer.from(JSON.stringify(body)),
    headers: { 'paypal-transmission-id': `tx-${counter}`, 'content-type': 'application/json' },
    receivedAt: new Date(),
    ...overrides,
  };
}
