// The InboxStore contract, as tests. Both stores run exactly this suite
// (service/test/integration/inbox-store-sqlite.test.ts and inbox-store-postgres.test.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { InboxStore } from '../../src/inbox/types.ts';
import { newEvent, type StoreHarness } from './inbox-harness.ts';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const LEASE = 30_000;

export function inboxStoreConformance(makeHarness: () => Promise<StoreHarness> | StoreHarness): void {
  let harness: StoreHarness;
  let store: InboxStore;

  before(async () => {
    harness = await makeHarness();
  });
  after(async () => {
    await harness?.dispose();
  });
  beforeEach(async () => {
    await harness.reset();
    store = await harness.open();
  });

  describe('insert and get', () => {
    it('keeps every field, and the raw body byte for byte (non-UTF-8 bytes included)', async () => {
      const rawBody = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x22, 0x7d]);
      const e = newEvent({
        eventId: 'WH-ROUNDTRIP-1',
        eventType: 'PAYMENT.CAPTURE.REFUNDED',
        resourceType: 'refund',
        resourceId: 'REF-1',
        partitionKey: 'ORDER-1',
        rawBody,
        headers: { 'paypal-transmission-sig': 'abc==', 'content-type': 'application/json; charset=utf-8', 'x-empty': '' },
        receivedAt: at(123),
      });
      assert.deepEqual(await store.insertMany([e]), [{ eventId: 'WH-ROUNDTRIP-1', inserted: true }]);
      const got = await store.get('WH-ROUNDTRIP-1');
      assert.ok(got);
      assert.ok(Buffer.isBuffer(got.rawBody));
      assert.ok(got.rawBody.equals(rawBody));
      assert.equal(got.eventType, 'PAYMENT.CAPTURE.REFUNDED');
      assert.equal(got.resourceType, 'refund');
      assert.equal(got.resourceId, 'REF-1');
      assert.equal(got.partitionKey, 'ORDER-1');
      assert.deepEqual(got.headers, e.headers);
      assert.equal(got.receivedAt.getTime(), T0 + 123);
      assert.equal(got.nextAttemptAt.getTime(), T0 + 123, 'a new event is due when received');
      assert.equal(got.deliveries, 1);
      assert.equal(got.status, 'pending');
      assert.equal(got.attempts, 0);
      assert.equal(got.leaseOwner, null);
      assert.equal(got.leaseExpiresAt, null);
      assert.equal(got.lastError, null);
      assert.equal(got.outcome, null);
      assert.equal(got.processedAt, null);
      assert.ok(got.updatedAt instanceof Date);
      assert.equal(typeof got.id, 'number');
    });

    it('stores a 1 MiB body intact', async () => {
      const rawBody = randomBytes(1024 * 1024);
      await store.insertMany([newEvent({ eventId: 'WH-BIG', rawBody })]);
      const got = await store.get('WH-BIG');
      assert.ok(got?.rawBody.equals(rawBody));
    });

    it('keeps null resource fields as null', async () => {
      await store.insertMany([newEvent({ eventId: 'WH-NULLS', resourceType: null, resourceId: null, partitionKey: null, headers: {} })]);
      const got = await store.get('WH-NULLS');
      assert.equal(got?.resourceType, null);
      assert.equal(got?.resourceId, null);
      assert.equal(got?.partitionKey, null);
      assert.deepEqual(got?.headers, {});
    });

    it('returns null for an unknown event id', async () => {
      assert.equal(await store.get('WH-NOPE'), null);
    });

    it('counts a redelivery instead of storing it twice', async () => {
      const first = newEvent({ eventId: 'WH-DUP', rawBody: Buffer.from('{"first":true}') });
      assert.deepEqual(await store.insertMany([first]), [{ eventId: 'WH-DUP', inserted: true }]);
      const again = { ...first, rawBody: Buffer.from('{"second":true}'), receivedAt: at(5000) };
      assert.deepEqual(await store.insertMany([again]), [{ eventId: 'WH-DUP', inserted: false }]);
      assert.deepEqual(await store.insertMany([again]), [{ eventId: 'WH-DUP', inserted: false }]);
      const got = await store.get('WH-DUP');
      assert.equal(got?.deliveries, 3);
      assert.equal(got?.rawBody.toString(), '{"first":true}', 'the first delivery is the one kept');
      assert.equal((await store.list({ reference: 'WH-DUP' })).length, 1);
    });

    it('handles duplicates inside one batch, and results follow the input order', async () => {
      await store.insertMany([newEvent({ eventId: 'WH-B0' })]);
      const batch = ['WH-B2', 'WH-B1', 'WH-B2', 'WH-B0', 'WH-B3', 'WH-B2'].map((id) => newEvent({ eventId: id }));
      assert.deepEqual(
        (await store.insertMany(batch)).map((r) => `${r.eventId}:${r.inserted}`),
        ['WH-B2:true', 'WH-B1:true', 'WH-B2:false', 'WH-B0:false', 'WH-B3:true', 'WH-B2:false'],
      );
      assert.equal((await store.get('WH-B2'))?.deliveries, 3);
      assert.equal((await store.get('WH-B0'))?.deliveries, 2);
      assert.equal((await store.get('WH-B1'))?.deliveries, 1);
      assert.equal((await store.list()).length, 4);
    });

    it('an empty batch is a no-op', async () => {
      assert.deepEqual(await store.insertMany([]), []);
    });

    it('refuses a batch holding an invalid event, and stores none of it', async () => {
      const good = newEvent({ eventId: 'WH-GOOD' });
      const cases: Array<Record<string, unknown>> = [
        { eventId: '' },
        { eventType: 42 },
        { rawBody: '{"not":"a buffer"}' },
        { receivedAt: new Date('nope') },
        { headers: { 'x-bad': 7 } },
        { partitionKey: 'A\u0000B' },
      ];
      for (const bad of cases) {
        const event = { ...newEvent(), ...bad } as unknown as Parameters<InboxStore['insertMany']>[0][number];
        await assert.rejects(store.insertMany([good, event]), /event|must|NUL/i, JSON.stringify(bad));
      }
      assert.equal(await store.get('WH-GOOD'), null);
    });
  });

  describe('claim', () => {
    it('leases due events, due first then oldest first, up to the limit, counting the attempt', async () => {
      await store.insertMany([
        newEvent({ eventId: 'WH-C', receivedAt: at(3) }),
        newEvent({ eventId: 'WH-A', receivedAt: at(1) }),
        newEvent({ eventId: 'WH-FUTURE', receivedAt: at(60_000) }),
        newEvent({ eventId: 'WH-B', receivedAt: at(2) }),
      ]);
      const lease = 120_000;
      const first = await store.claim({ owner: 'w1', limit: 2, leaseMs: lease, now: at(10) });
      assert.deepEqual(first.map((e) => e.eventId), ['WH-A', 'WH-B']);
      for (const e of first) {
        assert.equal(e.status, 'processing');
        assert.equal(e.attempts, 1);
        assert.equal(e.leaseOwner, 'w1');
        assert.equal(e.leaseExpiresAt?.getTime(), T0 + 10 + lease);
      }
      const second = await store.claim({ owner: 'w2', limit: 5, leaseMs: lease, now: at(10) });
      assert.deepEqual(second.map((e) => e.eventId), ['WH-C'], 'leased rows and future rows are not claimable');
      assert.deepEqual(await store.claim({ owner: 'w3', limit: 5, leaseMs: lease, now: at(11) }), []);
      const later = await store.claim({ owner: 'w3', limit: 5, leaseMs: lease, now: at(60_000) });
      assert.deepEqual(later.map((e) => e.eventId), ['WH-FUTURE']);
    });

    it('a limit of 0 claims nothing', async () => {
      await store.insertMany([newEvent({ receivedAt: at(0) })]);
      assert.deepEqual(await store.claim({ owner: 'w1', limit: 0, leaseMs: LEASE, now: at(1) }), []);
    });

    it('orders retried events by their next attempt, not by arrival', async () => {
      await store.insertMany([newEvent({ eventId: 'WH-OLD', receivedAt: at(0) }), newEvent({ eventId: 'WH-NEW', receivedAt: at(5) })]);
      const [old] = await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(10) });
      assert.equal(old?.eventId, 'WH-OLD');
      assert.equal(await store.retry(old.id, 'w1', { error: 'boom', nextAttemptAt: at(20), countAttempt: true, now: at(11) }), true);
      const claimed = await store.claim({ owner: 'w1', limit: 5, leaseMs: LEASE, now: at(30) });
      assert.deepEqual(claimed.map((e) => e.eventId), ['WH-NEW', 'WH-OLD']);
    });

    it('makes an expired lease claimable by another owner; the old owner can then no longer finish it', async () => {
      await store.insertMany([newEvent({ eventId: 'WH-EXP', receivedAt: at(0) })]);
      const [mine] = await store.claim({ owner: 'crashed', limit: 1, leaseMs: 1000, now: at(1) });
      assert.ok(mine);
      assert.deepEqual(await store.claim({ owner: 'other', limit: 1, leaseMs: LEASE, now: at(999) }), [], 'live lease');
      const [theirs] = await store.claim({ owner: 'other', limit: 1, leaseMs: LEASE, now: at(1001) });
      assert.equal(theirs?.eventId, 'WH-EXP');
      assert.equal(theirs?.attempts, 2, 'the crashed attempt counts');
      assert.equal(theirs?.leaseOwner, 'other');
      assert.equal(await store.complete(mine.id, 'crashed', { status: 'done', outcome: 'late', now: at(1002) }), false);
      assert.equal(await store.retry(mine.id, 'crashed', { error: 'x', nextAttemptAt: at(2000), countAttempt: true, now: at(1002) }), false);
      assert.equal(await store.kill(mine.id, 'crashed', { error: 'x', now: at(1002) }), false);
      assert.equal(await store.release(mine.id, 'crashed'), false);
      assert.equal(await store.renewLease(mine.id, 'crashed', LEASE, at(1002)), false);
      assert.equal(await store.complete(theirs.id, 'other', { status: 'done', outcome: 'applied', now: at(1003) }), true);
      assert.equal((await store.get('WH-EXP'))?.outcome, 'applied');
    });

    it('keeps two events of one partition apart, within a claim and across claimers', async () => {
      await store.insertMany([
        newEvent({ eventId: 'WH-P1-A', partitionKey: 'ORDER-1', receivedAt: at(1) }),
        newEvent({ eventId: 'WH-P1-B', partitionKey: 'ORDER-1', receivedAt: at(2) }),
        newEvent({ eventId: 'WH-P2-A', partitionKey: 'ORDER-2', receivedAt: at(3) }),
        newEvent({ eventId: 'WH-N1', partitionKey: null, receivedAt: at(4) }),
        newEvent({ eventId: 'WH-N2', partitionKey: null, receivedAt: at(5) }),
        newEvent({ eventId: 'WH-P2-B', partitionKey: 'ORDER-2', receivedAt: at(6) }),
      ]);
      const first = await store.claim({ owner: 'w1', limit: 10, leaseMs: 1000, now: at(10) });
      assert.deepEqual(first.map((e) => e.eventId), ['WH-P1-A', 'WH-P2-A', 'WH-N1', 'WH-N2']);
      assert.deepEqual(await store.claim({ owner: 'w2', limit: 10, leaseMs: 1000, now: at(11) }), [], 'partitions held by w1');
      const p1a = first[0]!;
      assert.equal(await store.complete(p1a.id, 'w1', { status: 'done', outcome: 'applied', now: at(12) }), true);
      const next = await store.claim({ owner: 'w2', limit: 10, leaseMs: 1000, now: at(13) });
      assert.deepEqual(next.map((e) => e.eventId), ['WH-P1-B']);
      // w1's lease on ORDER-2 expires: ORDER-2 is free again, but still only one of its rows is
      // leased. An expired lease is due from its expiry, so the row waiting since t+6 goes first.
      const afterExpiry = await store.claim({ owner: 'w3', limit: 10, leaseMs: 1000, now: at(1011) });
      assert.deepEqual(afterExpiry.map((e) => e.eventId), ['WH-P2-B', 'WH-N1', 'WH-N2']);
    });

    it('refuses nonsense options', async () => {
      await assert.rejects(store.claim({ owner: '', limit: 1, leaseMs: LEASE }), /owner/);
      await assert.rejects(store.claim({ owner: 'w', limit: -1, leaseMs: LEASE }), /limit/);
      await assert.rejects(store.claim({ owner: 'w', limit: 1, leaseMs: 0 }), /leaseMs/);
    });
  });

  describe('finishing a leased event', () => {
    async function leased(eventId: string) {
      await store.insertMany([newEvent({ eventId, receivedAt: at(0) })]);
      const [e] = await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(1) });
      assert.ok(e);
      return e;
    }

    it('complete() records done or ignored with the outcome, only for the lease holder', async () => {
      const e = await leased('WH-DONE');
      assert.equal(await store.complete(e.id, 'intruder', { status: 'done', outcome: 'x', now: at(2) }), false);
      assert.equal(await store.complete(e.id, 'w1', { status: 'done', outcome: 'payment applied', now: at(3) }), true);
      const got = await store.get('WH-DONE');
      assert.equal(got?.status, 'done');
      assert.equal(got?.outcome, 'payment applied');
      assert.equal(got?.processedAt?.getTime(), T0 + 3);
      assert.equal(got?.leaseOwner, null);
      assert.equal(got?.leaseExpiresAt, null);
      assert.equal(await store.complete(e.id, 'w1', { status: 'done', outcome: 'again', now: at(4) }), false, 'already finished');
      const other = await leased('WH-IGN');
      assert.equal(await store.complete(other.id, 'w1', { status: 'ignored', outcome: 'no handler for X', now: at(5) }), true);
      assert.equal((await store.get('WH-IGN'))?.status, 'ignored');
      assert.deepEqual(await store.claim({ owner: 'w2', limit: 5, leaseMs: LEASE, now: at(100_000) }), [], 'finished rows are never claimed');
    });

    it('retry() reschedules with the error; the attempt counts unless countAttempt is false', async () => {
      const e = await leased('WH-RETRY');
      assert.equal(await store.retry(e.id, 'w1', { error: 'Odoo said 500', nextAttemptAt: at(5000), countAttempt: true, now: at(2) }), true);
      let got = await store.get('WH-RETRY');
      assert.equal(got?.status, 'pending');
      assert.equal(got?.attempts, 1);
      assert.equal(got?.lastError, 'Odoo said 500');
      assert.equal(got?.nextAttemptAt.getTime(), T0 + 5000);
      assert.equal(got?.leaseOwner, null);
      assert.deepEqual(await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(4999) }), []);
      const [again] = await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(5000) });
      assert.equal(again?.attempts, 2);
      assert.equal(await store.retry(again!.id, 'w1', { error: 'Odoo is down', nextAttemptAt: at(9000), countAttempt: false, now: at(5001) }), true);
      got = await store.get('WH-RETRY');
      assert.equal(got?.attempts, 1, 'the attempt was given back');
      assert.equal(got?.lastError, 'Odoo is down');
      assert.equal(await store.retry(again!.id, 'w1', { error: 'x', nextAttemptAt: at(9000), countAttempt: true, now: at(5002) }), false, 'no lease any more');
    });

    it('kill() moves the event to dead with its last error', async () => {
      const e = await leased('WH-KILL');
      assert.equal(await store.kill(e.id, 'intruder', { error: 'x', now: at(2) }), false);
      assert.equal(await store.kill(e.id, 'w1', { error: 'amount mismatch', now: at(3) }), true);
      const got = await store.get('WH-KILL');
      assert.equal(got?.status, 'dead');
      assert.equal(got?.lastError, 'amount mismatch');
      assert.equal(got?.leaseOwner, null);
      assert.deepEqual(await store.claim({ owner: 'w2', limit: 5, leaseMs: LEASE, now: at(100_000) }), []);
    });

    it('release() hands the event back, due now, with its attempt given back', async () => {
      await store.insertMany([newEvent({ eventId: 'WH-REL', receivedAt: new Date(Date.now() - 1000) })]);
      const [e] = await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE });
      assert.ok(e);
      assert.equal(await store.release(e.id, 'intruder'), false);
      assert.equal(await store.release(e.id, 'w1'), true);
      const got = await store.get('WH-REL');
      assert.equal(got?.status, 'pending');
      assert.equal(got?.attempts, 0);
      assert.equal(got?.leaseOwner, null);
      const [again] = await store.claim({ owner: 'w2', limit: 1, leaseMs: LEASE, now: new Date(Date.now() + 1) });
      assert.equal(again?.eventId, 'WH-REL', 'another worker can take it at once');
      assert.equal(again?.attempts, 1);
    });

    it('renewLease() extends a lease only for its holder', async () => {
      const e = await leased('WH-RENEW');
      assert.equal(await store.renewLease(e.id, 'intruder', LEASE, at(10)), false);
      assert.equal(await store.renewLease(e.id, 'w1', LEASE, at(20_000)), true);
      assert.equal((await store.get('WH-RENEW'))?.leaseExpiresAt?.getTime(), T0 + 20_000 + LEASE);
      assert.deepEqual(await store.claim({ owner: 'w2', limit: 1, leaseMs: LEASE, now: at(LEASE + 1) }), [], 'the old expiry no longer applies');
      const [taken] = await store.claim({ owner: 'w2', limit: 1, leaseMs: LEASE, now: at(20_000 + LEASE) });
      assert.equal(taken?.eventId, 'WH-RENEW');
    });
  });

  describe('replay', () => {
    async function finish(eventId: string, how: 'dead' | 'done' | 'ignored' | 'pending' | 'processing') {
      // A pending row is not due yet, so that the next claim here takes the row just inserted.
      await store.insertMany([newEvent({ eventId, receivedAt: how === 'pending' ? at(1_000_000) : at(0) })]);
      if (how === 'pending') return;
      const [e] = await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(1) });
      assert.ok(e);
      if (how === 'dead') await store.kill(e.id, 'w1', { error: `${eventId} failed`, now: at(2) });
      if (how === 'done') await store.complete(e.id, 'w1', { status: 'done', outcome: 'applied', now: at(2) });
      if (how === 'ignored') await store.complete(e.id, 'w1', { status: 'ignored', outcome: 'no handler', now: at(2) });
    }

    it('re-queues every dead event by default: attempts reset, due now', async () => {
      await finish('WH-D1', 'dead');
      await finish('WH-D2', 'dead');
      await finish('WH-OK', 'done');
      await finish('WH-IG', 'ignored');
      assert.deepEqual(await store.replay({ now: at(100) }), ['WH-D1', 'WH-D2']);
      const got = await store.get('WH-D1');
      assert.equal(got?.status, 'pending');
      assert.equal(got?.attempts, 0);
      assert.equal(got?.nextAttemptAt.getTime(), T0 + 100);
      assert.equal(got?.processedAt, null);
      assert.equal(got?.lastError, 'WH-D1 failed', 'the last error stays visible');
      assert.equal((await store.get('WH-OK'))?.status, 'done');
      const claimed = await store.claim({ owner: 'w2', limit: 5, leaseMs: LEASE, now: at(100) });
      assert.deepEqual(claimed.map((e) => e.eventId), ['WH-D1', 'WH-D2']);
      assert.equal(claimed[0]?.attempts, 1);
    });

    it('re-queues ignored events when asked by status', async () => {
      await finish('WH-IG1', 'ignored');
      await finish('WH-D', 'dead');
      assert.deepEqual(await store.replay({ status: 'ignored', now: at(100) }), ['WH-IG1']);
      assert.equal((await store.get('WH-IG1'))?.status, 'pending');
      assert.equal((await store.get('WH-IG1'))?.outcome, null);
      assert.equal((await store.get('WH-D'))?.status, 'dead');
    });

    it('re-queues named events, done ones included, but never one in flight', async () => {
      await finish('WH-N-DONE', 'done');
      await finish('WH-N-DEAD', 'dead');
      await finish('WH-N-PENDING', 'pending');
      await finish('WH-N-PROC', 'processing');
      await finish('WH-N-OTHER', 'dead');
      const replayed = await store.replay({ eventIds: ['WH-N-DONE', 'WH-N-DEAD', 'WH-N-PENDING', 'WH-N-PROC', 'WH-UNKNOWN'], now: at(100) });
      assert.deepEqual(replayed, ['WH-N-DONE', 'WH-N-DEAD']);
      assert.equal((await store.get('WH-N-DONE'))?.status, 'pending');
      assert.equal((await store.get('WH-N-PROC'))?.status, 'processing');
      assert.equal((await store.get('WH-N-PROC'))?.leaseOwner, 'w1');
      assert.equal((await store.get('WH-N-OTHER'))?.status, 'dead');
      assert.deepEqual(await store.replay({ eventIds: ['WH-N-OTHER'], status: 'ignored' }), [], 'status narrows named events');
      assert.deepEqual(await store.replay({ eventIds: [] }), [], 'naming no event replays nothing');
    });
  });

  describe('list', () => {
    it('filters by status, type, reference and time, newest first, with paging', async () => {
      await store.insertMany([
        newEvent({ eventId: 'WH-L1', eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP-1', partitionKey: 'ORDER-9', receivedAt: at(1) }),
        newEvent({ eventId: 'WH-L2', eventType: 'PAYMENT.CAPTURE.REFUNDED', resourceId: 'REF-1', partitionKey: 'CAP-1', receivedAt: at(2) }),
        newEvent({ eventId: 'WH-L3', eventType: 'CUSTOMER.DISPUTE.CREATED', resourceId: 'PP-D-1', partitionKey: 'CAP-7', receivedAt: at(3) }),
        newEvent({ eventId: 'WH-L4', eventType: 'PAYMENT.CAPTURE.COMPLETED', resourceId: 'CAP-4', partitionKey: null, receivedAt: at(4) }),
      ]);
      const [l1] = await store.claim({ owner: 'w1', limit: 1, leaseMs: LEASE, now: at(10) });
      await store.kill(l1!.id, 'w1', { error: 'x', now: at(11) });

      const ids = (events: { eventId: string }[]) => events.map((e) => e.eventId);
      assert.deepEqual(ids(await store.list()), ['WH-L4', 'WH-L3', 'WH-L2', 'WH-L1']);
      assert.deepEqual(ids(await store.list({ status: 'dead' })), ['WH-L1']);
      assert.deepEqual(ids(await store.list({ status: ['dead', 'pending'] })), ['WH-L4', 'WH-L3', 'WH-L2', 'WH-L1']);
      assert.deepEqual(ids(await store.list({ status: [] })), []);
      assert.deepEqual(ids(await store.list({ eventType: 'PAYMENT.CAPTURE.COMPLETED' })), ['WH-L4', 'WH-L1']);
      assert.deepEqual(ids(await store.list({ reference: 'CAP-1' })), ['WH-L2', 'WH-L1'], 'resource id or partition key');
      assert.deepEqual(ids(await store.list({ reference: 'WH-L3' })), ['WH-L3'], 'event id');
      assert.deepEqual(ids(await store.list({ receivedAfter: at(1), receivedBefore: at(4) })), ['WH-L3', 'WH-L2']);
      const page1 = await store.list({ limit: 3 });
      assert.deepEqual(ids(page1), ['WH-L4', 'WH-L3', 'WH-L2']);
      const page2 = await store.list({ limit: 3, beforeId: page1[2]!.id });
      assert.deepEqual(ids(page2), ['WH-L1']);
      assert.deepEqual(ids(await store.list({ eventType: 'PAYMENT.CAPTURE.COMPLETED', status: 'pending', reference: 'CAP-4' })), ['WH-L4']);
      await assert.rejects(store.list({ status: 'bogus' as never }), /unknown inbox status/);
      await assert.rejects(store.list({ limit: 0 }), /limit/);
    });
  });

  describe('stats', () => {
    it('counts an empty inbox', async () => {
      assert.deepEqual(await store.stats(at(0)), {
        byStatus: { pending: 0, processing: 0, done: 0, ignored: 0, dead: 0 },
        due: 0,
        oldestPendingReceivedAt: null,
        lastReceivedAt: null,
      });
    });

    it('counts rows by status, due rows, the oldest pending and the last received', async () => {
      await store.insertMany([
        newEvent({ eventId: 'WH-S1', receivedAt: at(1) }),
        newEvent({ eventId: 'WH-S2', receivedAt: at(2) }),
        newEvent({ eventId: 'WH-S3', receivedAt: at(3) }),
        newEvent({ eventId: 'WH-S4', receivedAt: at(4) }),
        newEvent({ eventId: 'WH-S5', receivedAt: at(500) }),
      ]);
      const claimed = await store.claim({ owner: 'w1', limit: 3, leaseMs: LEASE, now: at(10) });
      await store.complete(claimed[0]!.id, 'w1', { status: 'done', outcome: 'ok', now: at(11) });
      await store.kill(claimed[1]!.id, 'w1', { error: 'x', now: at(11) });
      assert.deepEqual(await store.stats(at(100)), {
        byStatus: { pending: 2, processing: 1, done: 1, ignored: 0, dead: 1 },
        due: 1,
        oldestPendingReceivedAt: at(4),
        lastReceivedAt: at(500),
      });
    });
  });

  describe('activity (the back office health chart)', () => {
    it('counts deliveries received and attempts failed per bucket, every bucket present', async () => {
      const hour = 3_600_000;
      const base = Math.floor(T0 / hour) * hour;
      await store.insertMany([
        newEvent({ eventId: 'WH-ACT-1', receivedAt: new Date(base + 10) }),
        newEvent({ eventId: 'WH-ACT-2', receivedAt: new Date(base + hour - 1) }),
        newEvent({ eventId: 'WH-ACT-3', receivedAt: new Date(base + 2 * hour + 5) }),
        newEvent({ eventId: 'WH-ACT-OLD', receivedAt: new Date(base - hour) }),
      ]);
      await store.appendAudit([
        { at: new Date(base + 2 * hour + 7), kind: 'worker.retry', subjects: [], eventId: 'WH-ACT-3', outcome: 'error', summary: 'timeout' },
        { at: new Date(base + 2 * hour + 9), kind: 'worker.dead', subjects: [], eventId: 'WH-ACT-3', outcome: 'error', summary: 'gave up' },
        { at: new Date(base + 2 * hour + 9), kind: 'worker.done', subjects: [], eventId: 'WH-ACT-1', outcome: 'ok', summary: 'applied' },
      ]);
      const buckets = await store.activity({ since: new Date(base), bucketMs: hour, now: new Date(base + 3 * hour + 1) });
      assert.deepEqual(
        buckets.map((b) => [b.start.getTime() - base, b.received, b.failed]),
        [
          [0, 2, 0],
          [hour, 0, 0],
          [2 * hour, 1, 2],
          [3 * hour, 0, 0],
        ],
      );
      await assert.rejects(store.activity({ since: new Date(base), bucketMs: 10 }), /bucketMs/);
    });
  });

  describe('audit log', () => {
    it('lists entries by subject and by event id, newest first, with paging', async () => {
      await store.appendAudit([
        { at: at(1), kind: 'webhook.received', subjects: ['CAP-1', 'ORDER-1'], eventId: 'WH-A1', outcome: 'ok', summary: 'stored' },
        { at: at(2), kind: 'paypal.call', subjects: ['ORDER-1'], outcome: 'ok', summary: 'GET order', detail: { status: 200, path: '/v2/checkout/orders/ORDER-1' } },
      ]);
      await store.appendAudit([
        { at: at(3), kind: 'odoo.write', subjects: ['CAP-1', 'CAP-1', ' ', 'S00042'], eventId: 'WH-A1', outcome: 'error', summary: 'refused', detail: null },
        { at: at(4), kind: 'worker.done', subjects: ['CAP-2'], eventId: 'WH-A2', outcome: 'info', summary: 'applied' },
      ]);
      const order1 = await store.listAudit({ subject: 'ORDER-1' });
      assert.deepEqual(order1.map((e) => e.kind), ['paypal.call', 'webhook.received']);
      assert.deepEqual(order1[0]?.detail, { status: 200, path: '/v2/checkout/orders/ORDER-1' });
      assert.equal(order1[0]?.eventId, null);
      assert.equal(order1[0]?.at.getTime(), T0 + 2);
      assert.deepEqual(order1[1]?.subjects, ['CAP-1', 'ORDER-1']);

      const cap1 = await store.listAudit({ subject: 'CAP-1' });
      assert.deepEqual(cap1.map((e) => e.kind), ['odoo.write', 'webhook.received']);
      assert.deepEqual(cap1[0]?.subjects, ['CAP-1', 'S00042'], 'blank and repeated subjects dropped');
      assert.equal(cap1[0]?.outcome, 'error');
      assert.equal(cap1[0]?.detail, null);

      assert.deepEqual((await store.listAudit({ eventId: 'WH-A1' })).map((e) => e.kind), ['odoo.write', 'webhook.received']);
      assert.deepEqual((await store.listAudit({ subject: 'CAP-1', eventId: 'WH-A1', limit: 1 })).map((e) => e.kind), ['odoo.write']);
      const all = await store.listAudit();
      assert.deepEqual(all.map((e) => e.kind), ['worker.done', 'odoo.write', 'paypal.call', 'webhook.received']);
      const page = await store.listAudit({ limit: 2, beforeId: all[1]!.id });
      assert.deepEqual(page.map((e) => e.kind), ['paypal.call', 'webhook.received']);
      const subjectPage = await store.listAudit({ subject: 'CAP-1', beforeId: cap1[0]!.id });
      assert.deepEqual(subjectPage.map((e) => e.kind), ['webhook.received']);
      assert.deepEqual(await store.listAudit({ subject: 'NOTHING' }), []);
    });

    it('keeps the order of entries appended in one batch', async () => {
      await store.appendAudit(Array.from({ length: 50 }, (_, i) => ({ at: at(i), kind: `k${i}`, subjects: ['X'], outcome: 'info' as const, summary: '' })));
      const listed = await store.listAudit({ subject: 'X' });
      assert.deepEqual(listed.map((e) => e.kind), Array.from({ length: 50 }, (_, i) => `k${49 - i}`));
    });

    it('refuses invalid entries and stores none of the batch', async () => {
      const ok = { at: at(1), kind: 'k', subjects: ['S'], outcome: 'ok' as const, summary: 's' };
      await assert.rejects(store.appendAudit([ok, { ...ok, outcome: 'meh' as never }]), /outcome/);
      await assert.rejects(store.appendAudit([ok, { ...ok, kind: '' }]), /kind/);
      await assert.rejects(store.appendAudit([ok, { ...ok, detail: { text: 'a\u0000b' } }]), /NUL/);
      assert.deepEqual(await store.listAudit(), []);
    });
  });

  describe('housekeeping', () => {
    it('migrate() twice is a no-op and keeps the data', async () => {
      await store.insertMany([newEvent({ eventId: 'WH-MIG' })]);
      await store.migrate();
      await store.migrate();
      const other = await harness.open();
      assert.equal((await other.get('WH-MIG'))?.eventId, 'WH-MIG');
    });

    it('ping() answers while open and fails once closed', async () => {
      await store.ping();
      await store.close();
      await assert.rejects(store.ping());
      await store.close();
    });

    it('a second store on the same database sees the leases of the first and never double-claims', async () => {
      const other = await harness.open();
      const events = Array.from({ length: 60 }, (_, i) => newEvent({ eventId: `WH-X${i}`, partitionKey: i % 3 === 0 ? `ORDER-${i % 9}` : null, receivedAt: at(i) }));
      await store.insertMany(events);
      const claims = new Map<string, number>();
      const held = new Set<string>();
      const stores = [store, other];
      for (let round = 0; round < 200 && claims.size < events.length; round++) {
        const s = stores[round % 2]!;
        const got = await s.claim({ owner: `owner-${round % 2}`, limit: 4, leaseMs: LEASE, now: at(1000) });
        for (const e of got) {
          claims.set(e.eventId, (claims.get(e.eventId) ?? 0) + 1);
          if (e.partitionKey) {
            assert.ok(!held.has(e.partitionKey), `partition ${e.partitionKey} leased twice`);
            held.add(e.partitionKey);
          }
        }
        // Finish the previous round's work only every other round, so leases overlap across stores.
        if (round % 2 === 1) {
          for (const e of await s.list({ status: 'processing', limit: 1000 })) {
            if (e.partitionKey) held.delete(e.partitionKey);
            await stores[e.leaseOwner === 'owner-0' ? 0 : 1]!.complete(e.id, e.leaseOwner!, { status: 'done', outcome: 'ok', now: at(1000) });
          }
        }
      }
      assert.equal(claims.size, events.length);
      assert.ok([...claims.values()].every((n) => n === 1), 'every event claimed exactly once');
    });
  });
}
