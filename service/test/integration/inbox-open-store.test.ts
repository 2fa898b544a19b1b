// openStore(config.store): the store the configuration names, migrated, or a clear error.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/inbox/open-store.ts';
import { newEvent } from '../support/inbox-harness.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('openStore', () => {
  let db: TestDatabase;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'open-store-'));
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens SQLite in DATA_DIR (creating it), migrated and ready', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const store = await openStore({ kind: 'sqlite', dataDir });
    try {
      assert.equal(store.kind, 'sqlite');
      assert.ok(fs.existsSync(path.join(dataDir, 'inbox.sqlite')));
      assert.deepEqual(await store.insertMany([newEvent({ eventId: 'WH-OPEN-1' })]), [{ eventId: 'WH-OPEN-1', inserted: true }]);
    } finally {
      await store.close();
    }
  });

  it('opens PostgreSQL at DATABASE_URL, migrated and ready', async () => {
    const store = await openStore({ kind: 'postgres', url: db.url });
    try {
      assert.equal(store.kind, 'postgres');
      await store.ping();
      assert.deepEqual(await store.insertMany([newEvent({ eventId: 'WH-OPEN-2' })]), [{ eventId: 'WH-OPEN-2', inserted: true }]);
    } finally {
      await store.close();
    }
  });

  it('says which store it could not prepare', async () => {
    await assert.rejects(openStore({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nowhere' }), /Cannot prepare the PostgreSQL database at DATABASE_URL/);
    const notADir = path.join(dir, 'a-file');
    fs.writeFileSync(notADir, 'x');
    await assert.rejects(openStore({ kind: 'sqlite', dataDir: notADir }), /Cannot prepare the SQLite inbox in .*a-file \(DATA_DIR\)/);
  });
});
