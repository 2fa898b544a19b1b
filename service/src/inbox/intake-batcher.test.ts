import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { createIntakeBatcher } from './intake-batcher.ts';
import { openSqliteStore, type SqliteInboxStore } from './sqlite-store.ts';
import type { InboxStore, NewInboxEvent } from './types.ts';

let n = 0;
function event(eventId = `WH-BATCH-${++n}`): NewInboxEvent {
  return {
    eventId,
    eventType: 'PAYMENT.CAPTURE.COMPLETED',
    resourceType: 'capture',
    resourceId: `CAP-${n}`,
    partitionKey: null,
    rawBody: Buffer.from(`{"id":"${eventId}"}`),
    headers: {},
    receivedAt: new Date(),
  };
}

/** The real SQLite store, with a record of each insertMany call's batch size. */
function counting(store: InboxStore, opts: { failNext?: { count: number } } = {}) {
  const batches: number[] = [];
  return {
    batches,
    async insertMany(events: readonly NewInboxEvent[]) {
      batches.push(events.length);
      if (opts.failNext && opts.failNext.count > 0) {
        opts.failNext.count -= 1;
        throw new Error('disk full');
      }
      return store.insertMany(events);
    },
  };
}

describe('intake batcher', () => {
  let store: SqliteInboxStore;
  const stores: SqliteInboxStore[] = [];
  beforeEach(async () => {
    store = openSqliteStore({ file: ':memory:' });
    stores.push(store);
    await store.migrate();
  });
  after(async () => {
    for (const s of stores) await s.close();
  });

  it('writes the events submitted in one tick with one insertMany, and answers each its own result', async () => {
    const spy = counting(store);
    const batcher = createIntakeBatcher(spy);
    const events = Array.from({ length: 100 }, () => event());
    const results = await Promise.all(events.map((e) => batcher.submit(e)));
    assert.deepEqual(spy.batches, [100]);
    assert.deepEqual(results, events.map((e) => ({ eventId: e.eventId, inserted: true })));
    assert.equal((await store.list({ limit: 1000 })).length, 100);
  });

  it('tells a redelivery in the same batch, or a later one, from the first delivery', async () => {
    const batcher = createIntakeBatcher(store);
    const e = event('WH-TWICE');
    const [a, b] = await Promise.all([batcher.submit(e), batcher.submit({ ...e })]);
    assert.deepEqual([a.inserted, b.inserted], [true, false]);
    assert.equal((await batcher.submit({ ...e })).inserted, false);
    assert.equal((await store.get('WH-TWICE'))?.deliveries, 3);
  });

  it('splits at maxBatch, and batches what arrives while a write is in flight', async () => {
    const spy = counting(store);
    const batcher = createIntakeBatcher(spy, { maxBatch: 10 });
    const results = await Promise.all(Array.from({ length: 25 }, () => batcher.submit(event())));
    assert.equal(results.length, 25);
    assert.deepEqual(spy.batches, [10, 10, 5]);
  });

  it('with maxDelayMs, groups events of several ticks; flush() writes without waiting for the delay', async () => {
    const spy = counting(store);
    const batcher = createIntakeBatcher(spy, { maxDelayMs: 60_000 });
    const first = batcher.submit(event());
    await new Promise((r) => setImmediate(r));
    const second = batcher.submit(event());
    assert.deepEqual(spy.batches, []);
    await batcher.flush();
    assert.deepEqual(spy.batches, [2]);
    assert.equal((await first).inserted, true);
    assert.equal((await second).inserted, true);
  });

  it('rejects every event of a failed write, stores none of them, and carries on with the next batch', async () => {
    const spy = counting(store, { failNext: { count: 1 } });
    const batcher = createIntakeBatcher(spy);
    const failed = await Promise.allSettled([batcher.submit(event('WH-F1')), batcher.submit(event('WH-F2'))]);
    assert.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
    assert.match(String((failed[0] as PromiseRejectedResult).reason), /disk full/);
    assert.equal(await store.get('WH-F1'), null);
    const ok = await batcher.submit(event('WH-F1'));
    assert.equal(ok.inserted, true);
  });

  it('refuses a malformed event on its own, without sinking the batch it would have joined', async () => {
    const spy = counting(store);
    const batcher = createIntakeBatcher(spy);
    const good = batcher.submit(event('WH-GOOD'));
    const bad = batcher.submit({ ...event(), eventId: '' });
    await assert.rejects(bad, /eventId/);
    assert.equal((await good).inserted, true);
    assert.deepEqual(spy.batches, [1]);
  });

  it('close() writes what is queued, then refuses new events', async () => {
    const batcher = createIntakeBatcher(store, { maxDelayMs: 60_000 });
    const pending = batcher.submit(event('WH-LAST'));
    await batcher.close();
    assert.equal((await pending).inserted, true);
    await assert.rejects(batcher.submit(event()), /closed/);
  });
});
