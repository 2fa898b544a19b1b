// The inbox worker on PostgreSQL, and two workers (as two service instances would: separate
// store instances, separate pools) sharing one database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore } from '../../src/inbox/postgres-store.ts';
import type { InboxStore } from '../../src/inbox/types.ts';
import { createWorker, type Worker } from '../../src/inbox/worker.ts';
import { createMemoryLogger } from '../../src/shared/logger.ts';
import { HandlerRegistry, type EventHandler } from '../../src/sync/handler-registry.ts';
import { createPostgresHarness, newEvent } from '../support/inbox-harness.ts';
import { inboxWorkerSuite, waitFor } from '../support/inbox-worker-suite.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('inbox worker on PostgreSQL', () => {
  inboxWorkerSuite(() => createPostgresHarness());
});

describe('two workers on one PostgreSQL database', () => {
  let db: TestDatabase;
  const stores: InboxStore[] = [];
  const workers: Worker[] = [];

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const w of workers) await w.stop({ graceMs: 0 });
    for (const s of stores) await s.close();
    await db.drop();
  });

  it('process 1,000 events with no event handled twice and no payment handled by both at once', async () => {
    for (let i = 0; i < 2; i++) {
      const store = openPostgresStore({ url: db.url, poolSize: 4 });
      stores.push(store);
      await store.migrate();
    }
    const calls = new Map<string, number>();
    const byWorker = new Map<string, number>();
    const running = new Map<string, string>();
    const overlaps: string[] = [];
    const handler = (name: string): EventHandler => async (ctx) => {
      const { eventId, partitionKey } = ctx.event;
      calls.set(eventId, (calls.get(eventId) ?? 0) + 1);
      byWorker.set(name, (byWorker.get(name) ?? 0) + 1);
      if (partitionKey !== null) {
        const other = running.get(partitionKey);
        if (other !== undefined) overlaps.push(`${partitionKey}: ${eventId} on ${name} while ${other} ran`);
        running.set(partitionKey, eventId);
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
      if (partitionKey !== null) running.delete(partitionKey);
      return { status: 'done', outcome: name };
    };
    const logger = createMemoryLogger('warn');
    stores.forEach((store, i) => {
      const name = `instance-${i}`;
      const worker = createWorker({
        store,
        registry: new HandlerRegistry().register('PAYMENT.CAPTURE.COMPLETED', handler(name)),
        logger,
        owner: name,
        concurrency: 4,
        maxAttempts: 3,
        pollIntervalMs: 10,
      });
      workers.push(worker);
      worker.start();
    });
    const events = Array.from({ length: 1000 }, (_, i) =>
      newEvent({ eventId: `WH-PAIR-${i}`, partitionKey: i % 3 === 0 ? null : `ORDER-${i % 40}`, receivedAt: new Date(Date.now() - 1000) }),
    );
    for (let i = 0; i < events.length; i += 100) {
      await stores[i % 2]!.insertMany(events.slice(i, i + 100));
      for (const w of workers) w.wake();
    }
    await waitFor('all 1,000 events to be done', async () => (await stores[0]!.stats()).byStatus.done === 1000, 120_000);
    assert.equal(calls.size, 1000);
    assert.deepEqual([...calls].filter(([, n]) => n !== 1), []);
    assert.deepEqual(overlaps, []);
    assert.ok((byWorker.get('instance-0') ?? 0) > 0 && (byWorker.get('instance-1') ?? 0) > 0, 'both instances did work');
    assert.deepEqual(logger.lines.filter((l) => l['level'] === 'error'), []);
  });
});
