// Worker behaviour against a real store. Time that the worker stores (next attempt, lease expiry)
// comes from a test clock, so the retry schedule is asserted exactly and no test waits for a
// backoff to elapse; the worker's own polling runs on real timers every few milliseconds.
import assert from 'node:assert/strict';
import { afterEach, before, after, beforeEach, describe, it } from 'node:test';
import { exponentialBackoff } from '../../src/inbox/retry-policy.ts';
import type { InboxEvent, InboxStore } from '../../src/inbox/types.ts';
import { createWorker, type Worker, type WorkerOptions } from '../../src/inbox/worker.ts';
import { DependencyUnavailableError, FinalError, RetryableError } from '../../src/shared/errors.ts';
import { createMemoryLogger } from '../../src/shared/logger.ts';
import { createServiceMetrics, type ServiceMetrics } from '../../src/shared/metrics.ts';
import { HandlerRegistry, type EventHandler } from '../../src/sync/handler-registry.ts';
import { newEvent, type StoreHarness } from './inbox-harness.ts';

export class TestClock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  readonly now = (): Date => new Date(this.t);
  ms(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const CAPTURE = 'PAYMENT.CAPTURE.COMPLETED';

export function inboxWorkerSuite(makeHarness: () => Promise<StoreHarness> | StoreHarness): void {
  let harness: StoreHarness;
  let store: InboxStore;
  let clock: TestClock;
  let workers: Worker[];
  let logger: ReturnType<typeof createMemoryLogger>;
  let metrics: ServiceMetrics;

  before(async () => {
    harness = await makeHarness();
  });
  after(async () => {
    await harness?.dispose();
  });
  beforeEach(async () => {
    await harness.reset();
    store = await harness.open();
    // A minute ahead of real time: events stamped with the real time are due by the test clock.
    clock = new TestClock(Date.now() + 60_000);
    workers = [];
    logger = createMemoryLogger('debug');
    metrics = createServiceMetrics();
  });
  afterEach(async () => {
    for (const w of workers) await w.stop({ graceMs: 0 });
  });

  function startWorker(registry: HandlerRegistry, overrides: Partial<WorkerOptions> = {}): Worker {
    const worker = createWorker({
      store,
      registry,
      logger,
      metrics,
      concurrency: 2,
      maxAttempts: 3,
      leaseMs: 30_000,
      pollIntervalMs: 5,
      clock: clock.now,
      ...overrides,
    });
    workers.push(worker);
    worker.start();
    return worker;
  }

  function registryWith(handler: EventHandler, type = CAPTURE): HandlerRegistry {
    return new HandlerRegistry().register(type, handler, { allowUncatalogued: true });
  }

  const settled = (eventId: string, s: InboxStore = store) =>
    waitFor(`${eventId} to reach a final state`, async () => {
      const e = await s.get(eventId);
      return e && (e.status === 'done' || e.status === 'ignored' || e.status === 'dead') ? e : undefined;
    });

  /** Waits until the event is back to pending after attempt `attempts` (or for a given attempt count). */
  const rescheduled = (eventId: string, attempts: number, updatedAfter: number) =>
    waitFor(`${eventId} to be rescheduled`, async () => {
      const e = await store.get(eventId);
      return e && e.status === 'pending' && e.attempts === attempts && e.updatedAt.getTime() >= updatedAfter ? e : undefined;
    });

  describe('worker', () => {
    it('applies a valid event once, with the event named on every log line, in the audit log and metrics', async () => {
      const calls: InboxEvent[] = [];
      let envelopeId: unknown;
      const registry = registryWith(async (ctx) => {
        calls.push(ctx.event);
        envelopeId = (ctx.envelope as { id?: unknown }).id;
        ctx.log.info('applying capture');
        return { status: 'done', outcome: 'payment applied' };
      });
      await store.insertMany([newEvent({ eventId: 'WH-ONCE', resourceId: 'CAP-ONCE', partitionKey: 'ORDER-ONCE' })]);
      startWorker(registry);
      const e = await settled('WH-ONCE');
      assert.equal(e.status, 'done');
      assert.equal(e.outcome, 'payment applied');
      assert.equal(e.attempts, 1);
      assert.equal(calls.length, 1);
      assert.equal(envelopeId, 'WH-ONCE', 'the handler gets the parsed envelope');
      const line = logger.lines.find((l) => l['msg'] === 'applying capture');
      assert.equal(line?.['paypalEventId'], 'WH-ONCE');
      assert.equal(line?.['eventType'], CAPTURE);
      assert.equal(line?.['inboxAttempt'], 1);
      const audit = await waitFor('the audit entry', async () => (await store.listAudit({ subject: 'ORDER-ONCE' }))[0]);
      assert.equal(audit.kind, 'worker.done');
      assert.equal(audit.eventId, 'WH-ONCE');
      assert.deepEqual(audit.subjects, ['WH-ONCE', 'CAP-ONCE', 'ORDER-ONCE']);
      assert.equal(metrics.eventsProcessed.get({ event_type: CAPTURE, outcome: 'done' }), 1);
      assert.equal(metrics.processingSeconds.count({ event_type: CAPTURE }), 1);
      assert.equal(metrics.eventLatencySeconds.count(), 1);
    });

    it('applies an event delivered five times only once', async () => {
      let calls = 0;
      const registry = registryWith(async () => {
        calls += 1;
        return { status: 'done', outcome: 'applied' };
      });
      const e = newEvent({ eventId: 'WH-FIVE' });
      for (let i = 0; i < 5; i++) await store.insertMany([{ ...e }]);
      const worker = startWorker(registry);
      const done = await settled('WH-FIVE');
      await worker.stop();
      assert.equal(done.deliveries, 5);
      assert.equal(calls, 1);
    });

    it('retries a retryable failure on a growing schedule, goes dead after maxAttempts, and succeeds after a replay', async () => {
      let fail = true;
      let calls = 0;
      const registry = registryWith(async () => {
        calls += 1;
        if (fail) throw new RetryableError(`Odoo answered 503 (call ${calls})`, 'ODOO_HTTP_503');
        return { status: 'done', outcome: 'applied after replay' };
      });
      await store.insertMany([newEvent({ eventId: 'WH-RETRY', receivedAt: clock.now() })]);
      // random 0: each delay is exactly half its ceiling, 500, 1000, 2000… ms.
      const worker = startWorker(registry, { maxAttempts: 4, retryPolicy: exponentialBackoff({ baseMs: 1000, factor: 2, capMs: 60_000, random: () => 0 }) });
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        const before = clock.ms();
        const e = await rescheduled('WH-RETRY', attempt, before);
        delays.push(e.nextAttemptAt.getTime() - before);
        assert.equal(e.lastError, `[ODOO_HTTP_503] Odoo answered 503 (call ${attempt})`);
        assert.deepEqual(await store.claim({ owner: 'probe', limit: 1, leaseMs: 1000, now: new Date(e.nextAttemptAt.getTime() - 1) }), [], 'not due before its time');
        clock.set(e.nextAttemptAt.getTime());
        worker.wake();
      }
      assert.deepEqual(delays, [500, 1000, 2000]);
      const dead = await settled('WH-RETRY');
      assert.equal(dead.status, 'dead');
      assert.equal(dead.attempts, 4);
      assert.equal(dead.lastError, 'gave up after 4 attempts: [ODOO_HTTP_503] Odoo answered 503 (call 4)');
      // The audit entry is written right after the state change and the metrics: wait for it.
      await waitFor('the worker.dead audit entry', async () => (await store.listAudit({ eventId: 'WH-RETRY' }))[0]?.kind === 'worker.dead');
      assert.equal(metrics.retries.get({ event_type: CAPTURE, reason: 'error' }), 3);
      assert.equal(metrics.deadEvents.get({ event_type: CAPTURE }), 1);

      fail = false;
      assert.deepEqual(await store.replay({ eventIds: ['WH-RETRY'], now: clock.now() }), ['WH-RETRY']);
      worker.wake();
      const done = await settled('WH-RETRY');
      assert.equal(done.status, 'done');
      assert.equal(done.outcome, 'applied after replay');
      assert.equal(done.attempts, 1);
      assert.equal(calls, 5);
      const audit = await waitFor('the worker.done audit entry', async () => {
        const entries = await store.listAudit({ eventId: 'WH-RETRY' });
        return entries[0]?.kind === 'worker.done' ? entries : undefined;
      });
      assert.deepEqual(audit.map((a) => a.kind).reverse(), ['worker.retry', 'worker.retry', 'worker.retry', 'worker.dead', 'worker.done']);
    });

    it('a final error is dead at once', async () => {
      let calls = 0;
      const registry = registryWith(async () => {
        calls += 1;
        throw new FinalError('PayPal amount 41.00 EUR disagrees with Odoo 42.00 EUR', 'AMOUNT_MISMATCH');
      });
      await store.insertMany([newEvent({ eventId: 'WH-FINAL' })]);
      startWorker(registry, { maxAttempts: 10 });
      const e = await settled('WH-FINAL');
      assert.equal(e.status, 'dead');
      assert.equal(e.attempts, 1);
      assert.equal(e.lastError, '[AMOUNT_MISMATCH] PayPal amount 41.00 EUR disagrees with Odoo 42.00 EUR');
      assert.equal(calls, 1);
      const audit = await waitFor('the audit entry', async () => (await store.listAudit({ eventId: 'WH-FINAL' }))[0]);
      assert.equal(audit.kind, 'worker.dead');
      assert.equal(audit.outcome, 'error');
    });

    it('a dependency outage never kills an event nor spends its attempts, and the pauses grow', async () => {
      let outage = 5;
      let calls = 0;
      const registry = registryWith(async () => {
        calls += 1;
        if (outage > 0) {
          outage -= 1;
          throw new DependencyUnavailableError('odoo', 'Odoo is not answering (connection refused)');
        }
        return { status: 'done', outcome: 'applied after the outage' };
      });
      await store.insertMany([newEvent({ eventId: 'WH-OUTAGE', receivedAt: clock.now() })]);
      const worker = startWorker(registry, {
        maxAttempts: 2,
        outagePolicy: exponentialBackoff({ baseMs: 1000, factor: 2, capMs: 60_000, random: () => 0 }),
      });
      const pauses: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const before = clock.ms();
        const e = await rescheduled('WH-OUTAGE', 0, before);
        pauses.push(e.nextAttemptAt.getTime() - before);
        assert.equal(e.lastError, '[DEPENDENCY_UNAVAILABLE] Odoo is not answering (connection refused)');
        clock.set(e.nextAttemptAt.getTime());
        worker.wake();
      }
      assert.deepEqual(pauses, [500, 1000, 2000, 4000, 8000]);
      const done = await settled('WH-OUTAGE');
      assert.equal(done.status, 'done');
      assert.equal(done.attempts, 1);
      assert.equal(calls, 6);
      await waitFor('the audit trail', async () => (await store.listAudit({ eventId: 'WH-OUTAGE' })).length === 6);
      assert.equal(metrics.retries.get({ event_type: CAPTURE, reason: 'dependency_down' }), 5);
      assert.equal(metrics.deadEvents.get({ event_type: CAPTURE }), 0);
    });

    it('pauses claiming while a dependency is down, then resumes with everything', async () => {
      let firstCall = true;
      const registry = registryWith(async (ctx) => {
        if (ctx.event.eventId === 'WH-TRIGGER' && firstCall) {
          firstCall = false;
          throw new DependencyUnavailableError('paypal', 'PayPal answered 503 to every call; circuit open');
        }
        return { status: 'done', outcome: 'applied' };
      });
      await store.insertMany([newEvent({ eventId: 'WH-TRIGGER', receivedAt: clock.now() })]);
      const worker = startWorker(registry, { outagePolicy: exponentialBackoff({ baseMs: 10_000, random: () => 0 }) });
      const before = clock.ms();
      const trigger = await rescheduled('WH-TRIGGER', 0, before);
      assert.equal(trigger.nextAttemptAt.getTime() - before, 5000);
      await store.insertMany([newEvent({ eventId: 'WH-WAITING', receivedAt: clock.now() })]);
      worker.wake();
      // Give the worker many polls; it must leave the due event alone until the pause is over.
      await new Promise((r) => setTimeout(r, 100));
      const waiting = await store.get('WH-WAITING');
      assert.equal(waiting?.status, 'pending');
      assert.equal(waiting?.attempts, 0);
      clock.set(trigger.nextAttemptAt.getTime());
      worker.wake();
      assert.equal((await settled('WH-WAITING')).status, 'done');
      assert.equal((await settled('WH-TRIGGER')).status, 'done');
    });

    it('stores an event of a type without handler as ignored', async () => {
      startWorker(registryWith(async () => ({ status: 'done', outcome: 'x' })));
      await store.insertMany([newEvent({ eventId: 'WH-UNKNOWN', eventType: 'BILLING.SUBSCRIPTION.CREATED', resourceId: 'I-123' })]);
      const e = await settled('WH-UNKNOWN');
      assert.equal(e.status, 'ignored');
      assert.equal(e.outcome, 'no handler for BILLING.SUBSCRIPTION.CREATED');
      const audit = await waitFor('the audit entry', async () => (await store.listAudit({ subject: 'I-123' }))[0]);
      assert.equal(audit.kind, 'worker.ignored');
      assert.equal(metrics.eventsProcessed.get({ event_type: 'BILLING.SUBSCRIPTION.CREATED', outcome: 'ignored' }), 1);
    });

    it('an unreadable stored body is dead at once, without calling the handler', async () => {
      let calls = 0;
      startWorker(
        registryWith(async () => {
          calls += 1;
          return { status: 'done', outcome: 'x' };
        }),
        { maxAttempts: 10 },
      );
      await store.insertMany([
        newEvent({ eventId: 'WH-NOT-JSON', rawBody: Buffer.from('{"id": "WH-NOT-JSON", trunc') }),
        newEvent({ eventId: 'WH-NOT-UTF8', rawBody: Buffer.from([0x7b, 0xff, 0x7d]) }),
        newEvent({ eventId: 'WH-ARRAY', rawBody: Buffer.from('[1,2]') }),
      ]);
      for (const id of ['WH-NOT-JSON', 'WH-NOT-UTF8', 'WH-ARRAY']) {
        const e = await settled(id);
        assert.equal(e.status, 'dead', id);
        assert.equal(e.attempts, 1, id);
        assert.match(e.lastError ?? '', /stored body cannot be processed/, id);
      }
      assert.equal(calls, 0);
    });

    it('an event whose earlier attempts all ended with the process gone is dead, not run again', async () => {
      let calls = 0;
      const registry = registryWith(async () => {
        calls += 1;
        return { status: 'done', outcome: 'x' };
      });
      await store.insertMany([newEvent({ eventId: 'WH-CRASHER', receivedAt: clock.now() })]);
      // Three processes claimed it and died: their leases expired without a result.
      for (let i = 1; i <= 3; i++) {
        const [e] = await store.claim({ owner: `dead-process-${i}`, limit: 1, leaseMs: 1, now: new Date(clock.ms() + i * 10) });
        assert.equal(e?.attempts, i);
      }
      clock.set(clock.ms() + 1000);
      startWorker(registry, { maxAttempts: 3 });
      const e = await settled('WH-CRASHER');
      assert.equal(e.status, 'dead');
      assert.equal(e.attempts, 4);
      assert.match(e.lastError ?? '', /attempt 4 exceeds the maximum of 3: earlier attempts ended without a result/);
      assert.equal(calls, 0);
    });

    it('treats a handler that returns nonsense as a bug: retried, not recorded as done', async () => {
      const registry = registryWith(async () => ({ status: 'finished' }) as never);
      await store.insertMany([newEvent({ eventId: 'WH-NONSENSE', receivedAt: clock.now() })]);
      startWorker(registry);
      const e = await rescheduled('WH-NONSENSE', 1, 0);
      assert.match(e.lastError ?? '', /expected \{ status: 'done' \| 'ignored', outcome: string \}/);
    });

    it('a poisoned or hung event does not hold up the others', async () => {
      const hung = deferred();
      const registry = registryWith(async (ctx) => {
        const body = JSON.parse(ctx.event.rawBody.toString()) as { id: string };
        if (body.id === 'WH-HANG') {
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
          hung.resolve();
          throw new Error('aborted');
        }
        if (body.id === 'WH-POISON') throw new Error('TypeError-like bug in the handler');
        return { status: 'done', outcome: 'applied' };
      });
      await store.insertMany([
        newEvent({ eventId: 'WH-HANG', partitionKey: 'ORDER-STUCK', receivedAt: new Date(clock.ms() - 10) }),
        newEvent({ eventId: 'WH-POISON', partitionKey: 'ORDER-BAD', receivedAt: new Date(clock.ms() - 9) }),
        ...Array.from({ length: 20 }, (_, i) => newEvent({ eventId: `WH-FINE-${i}`, partitionKey: i % 2 ? `ORDER-${i}` : null, receivedAt: clock.now() })),
        newEvent({ eventId: 'WH-SAME-PARTITION', partitionKey: 'ORDER-STUCK', receivedAt: clock.now() }),
      ]);
      const worker = startWorker(registry, { concurrency: 2, maxAttempts: 1 });
      for (let i = 0; i < 20; i++) assert.equal((await settled(`WH-FINE-${i}`)).status, 'done');
      assert.equal((await settled('WH-POISON')).status, 'dead');
      assert.equal((await store.get('WH-HANG'))?.status, 'processing');
      assert.equal((await store.get('WH-SAME-PARTITION'))?.status, 'pending', 'only the hung event\u2019s own payment waits');
      await worker.stop({ graceMs: 0 });
      await hung.promise;
      assert.equal((await store.get('WH-HANG'))?.status, 'pending');
    });

    it('abandons a handler that overruns its timeout and retries the event', async () => {
      let calls = 0;
      const registry = registryWith(async (ctx) => {
        calls += 1;
        if (calls === 1) await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        return { status: 'done', outcome: `call ${calls}` };
      });
      await store.insertMany([newEvent({ eventId: 'WH-SLOW', receivedAt: clock.now() })]);
      const worker = startWorker(registry, { handlerTimeoutMs: 50, retryPolicy: exponentialBackoff({ baseMs: 1000, random: () => 0 }) });
      const e = await rescheduled('WH-SLOW', 1, 0);
      assert.match(e.lastError ?? '', /HANDLER_TIMEOUT/);
      clock.set(e.nextAttemptAt.getTime());
      worker.wake();
      assert.equal((await settled('WH-SLOW')).outcome, 'call 2');
    });

    it('keeps renewing the lease of a long handler so that no one else takes the event', async () => {
      const release = deferred();
      let calls = 0;
      const registry = registryWith(async () => {
        calls += 1;
        await release.promise;
        return { status: 'done', outcome: 'slow but fine' };
      });
      const start = clock.ms();
      await store.insertMany([newEvent({ eventId: 'WH-LONG', receivedAt: clock.now() })]);
      startWorker(registry, { leaseMs: 300 });
      await waitFor('the handler to start', () => calls === 1);
      clock.set(start + 250);
      await waitFor('a renewal', async () => (await store.get('WH-LONG'))?.leaseExpiresAt?.getTime() === start + 550);
      clock.set(start + 500);
      assert.deepEqual(await store.claim({ owner: 'someone-else', limit: 1, leaseMs: 300, now: new Date(start + 500) }), [], 'the first lease would have expired by now');
      release.resolve();
      assert.equal((await settled('WH-LONG')).status, 'done');
      assert.equal(calls, 1);
    });

    it('on stop, waits for handlers that finish within the grace period', async () => {
      const release = deferred();
      const registry = registryWith(async () => {
        await release.promise;
        return { status: 'done', outcome: 'finished during shutdown' };
      });
      await store.insertMany([newEvent({ eventId: 'WH-GRACE', receivedAt: clock.now() })]);
      const worker = startWorker(registry);
      await waitFor('the event to be in flight', () => worker.inFlight() === 1);
      const stopped = worker.stop({ graceMs: 60_000 });
      assert.equal(worker.running, false);
      release.resolve();
      await stopped;
      assert.equal((await store.get('WH-GRACE'))?.status, 'done');
      assert.equal(worker.inFlight(), 0);
    });

    it('on stop, releases what is still running after the grace period, and another worker finishes it', async () => {
      let aborted = false;
      const first = registryWith(async (ctx) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
        aborted = true;
        return { status: 'done', outcome: 'must not be recorded' };
      });
      await store.insertMany([newEvent({ eventId: 'WH-HANDOVER', receivedAt: clock.now() })]);
      const worker = startWorker(first, { owner: 'first-worker' });
      await waitFor('the event to be in flight', () => worker.inFlight() === 1);
      const stopping = worker.stop({ graceMs: 20 });
      assert.equal(worker.stop({ graceMs: 20 }), stopping, 'a second stop() is the same stop');
      await stopping;
      await worker.stop();
      assert.equal(aborted, true, 'the handler was told to stop');
      assert.equal(worker.inFlight(), 0);
      const released = await store.get('WH-HANDOVER');
      assert.equal(released?.status, 'pending');
      assert.equal(released?.attempts, 0, 'the interrupted attempt is given back');
      assert.equal(released?.leaseOwner, null);

      const other = await harness.open();
      const second = createWorker({
        store: other,
        registry: registryWith(async () => ({ status: 'done', outcome: 'finished by the second worker' })),
        logger,
        concurrency: 1,
        maxAttempts: 3,
        pollIntervalMs: 5,
        owner: 'second-worker',
      });
      workers.push(second);
      second.start();
      const done = await settled('WH-HANDOVER', other);
      assert.equal(done.outcome, 'finished by the second worker');
      assert.equal(done.attempts, 1);
    });

    it('stop() before start() and twice in a row is harmless', async () => {
      const worker = createWorker({ store, registry: new HandlerRegistry(), logger, concurrency: 1, maxAttempts: 1 });
      await worker.stop();
      await worker.stop();
      assert.equal(worker.running, false);
      assert.throws(() => worker.start(), /cannot start/);
    });
  });
}
