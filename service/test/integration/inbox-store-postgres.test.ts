// The inbox store contract on PostgreSQL (a database of its own for this file), plus what only a
// shared server can show: several processes claiming at the same time.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/inbox/postgres-store.ts';
import { openSqliteStore } from '../../src/inbox/sqlite-store.ts';
import type { InboxEvent, InboxStore } from '../../src/inbox/types.ts';
import { inboxStoreConformance } from '../support/inbox-conformance.ts';
import { createPostgresHarness, newEvent } from '../support/inbox-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('PostgreSQL inbox store', () => {
  inboxStoreConformance(() => createPostgresHarness());
});

describe('inbox schema', () => {
  it('has the same tables and columns on SQLite and PostgreSQL', async () => {
    const db = await createTestDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-schema-'));
    try {
      const pgStore = openPostgresStore({ url: db.url });
      await pgStore.migrate();
      await pgStore.close();
      const sqliteStore = openSqliteStore({ dataDir: dir });
      await sqliteStore.migrate();
      await sqliteStore.close();

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      );
      await client.end();
      const pgColumns = rows.map((r) => `${r.table_name}.${r.column_name}`);

      const sqlite = new DatabaseSync(path.join(dir, 'inbox.sqlite'));
      const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all();
      const sqliteColumns = tables.flatMap((t) =>
        sqlite.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(String(t['name'])).map((c) => `${String(t['name'])}.${String(c['name'])}`),
      );
      sqlite.close();
      assert.deepEqual(sqliteColumns, pgColumns);
      assert.ok(pgColumns.includes('inbox_events.lease_expires_at'));
    } finally {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL inbox store under concurrent claimers', () => {
  let db: TestDatabase;
  const stores: InboxStore[] = [];

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await db.drop();
  });

  it('4 claimers with their own pools claim each of 2,000 rows exactly once and never lease one partition twice', async () => {
    for (let i = 0; i < 4; i++) {
      const s = openPostgresStore({ url: db.url, poolSize: 3 });
      stores.push(s);
    }
    // All four migrate at once, as four instances starting together would.
    await Promise.all(stores.map((s) => s.migrate()));
    const events = Array.from({ length: 2000 }, (_, i) =>
      newEvent({ eventId: `WH-HAMMER-${i}`, partitionKey: i % 4 === 0 ? null : `ORDER-${i % 13}`, receivedAt: new Date(Date.now() - 60_000 + i) }),
    );
    for (let i = 0; i < events.length; i += 500) await stores[0]!.insertMany(events.slice(i, i + 500));

    const claims = new Map<string, number>();
    const heldBy = new Map<string, string>();
    const violations: string[] = [];
    let finished = 0;

    async function claimer(store: InboxStore, owner: string): Promise<void> {
      let idle = 0;
      while (finished < events.length && idle < 50) {
        const got = await store.claim({ owner, limit: 8, leaseMs: 120_000 });
        if (got.length === 0) {
          idle += 1;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        idle = 0;
        for (const e of got) {
          claims.set(e.eventId, (claims.get(e.eventId) ?? 0) + 1);
          if (e.partitionKey !== null) {
            const holder = heldBy.get(e.partitionKey);
            if (holder !== undefined) violations.push(`${e.partitionKey} leased by ${owner} while ${holder} held it`);
            heldBy.set(e.partitionKey, owner);
          }
        }
        // "Process" for a moment, so that leases of different claimers overlap in time.
        await new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * 3)));
        await Promise.all(got.map((e) => finish(store, owner, e)));
      }
    }

    async function finish(store: InboxStore, owner: string, e: InboxEvent): Promise<void> {
      // Forget the partition before the store frees it, so a fast re-claim is never misreported.
      if (e.partitionKey !== null) heldBy.delete(e.partitionKey);
      assert.equal(await store.complete(e.id, owner, { status: 'done', outcome: owner }), true);
      finished += 1;
    }

    await Promise.all(stores.map((s, i) => claimer(s, `claimer-${i}`)));
    assert.deepEqual(violations, []);
    assert.equal(claims.size, events.length);
    const twice = [...claims].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, []);
    const stats = await stores[0]!.stats();
    assert.equal(stats.byStatus.done, events.length);
    const owners = new Set((await stores[0]!.list({ status: 'done', limit: 1000 })).map((e) => e.outcome));
    assert.ok(owners.size > 1, 'the work was actually shared between claimers');
  });
});
