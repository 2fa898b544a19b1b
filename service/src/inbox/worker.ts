// The inbox worker: claims due events, runs each through the handler for its type, and records
// what happened (done, ignored, retry later, dead) in the store, the audit log and the metrics.
//
// - Concurrency: at most `concurrency` events run at once; a slow or hung event occupies one
//   slot (and, through the partition rule, only its own payment), never the whole worker. A
//   handler that overruns `handlerTimeoutMs` is abandoned and retried.
// - Leases: every running event's lease is renewed every leaseMs/3; losing it (another worker
//   took the event after a long stall) aborts the handler, whose result is then discarded.
// - Errors: a DependencyUnavailableError (Odoo or PayPal down as a whole) reschedules the event
//   without spending an attempt, and pauses claiming with its own growing backoff, probing with
//   one event at a time until the dependency answers again; the queue is not churned and nothing
//   goes dead because of an outage. Any other retryable error is retried on the RetryPolicy
//   schedule until maxAttempts, then dead; a final error is dead at once.
// - Stop: stop claiming, give running handlers `graceMs`, then abort them and release their
//   leases so that another process picks the events up at once.
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { DependencyUnavailableError, BridgeError, DeferredError, RetryableError, errorMessage, isRetryable } from '../shared/errors.ts';
import { withLogContext, type Logger } from '../shared/logger.ts';
import type { ServiceMetrics } from '../shared/metrics.ts';
import type { HandlerOutcome, HandlerRegistry } from '../sync/handler-registry.ts';
import { DEFAULT_OUTAGE_BACKOFF, exponentialBackoff, type RetryPolicy } from './retry-policy.ts';
import type { AuditEntry, InboxEvent, InboxStore } from './types.ts';

export interface WorkerOptions {
  store: InboxStore;
  registry: HandlerRegistry;
  logger: Logger;
  metrics?: ServiceMetrics;
  /** Lease owner name; default host:pid:random. */
  owner?: string;
  /** Events processed at the same time (WORKER_CONCURRENCY). */
  concurrency: number;
  /** Attempts before a retryable failure goes dead (WORKER_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Lease length; renewed every third of it while the handler runs. Default 60 s. */
  leaseMs?: number;
  /** How often to look for due events when not woken. Default 1 s. */
  pollIntervalMs?: number;
  /** Backoff for failed attempts. Default: exponentialBackoff() (2 s doubling to 15 min, jittered). */
  retryPolicy?: RetryPolicy;
  /** Backoff between probes while a dependency is down. Default: 1 s doubling to 60 s, jittered. */
  outagePolicy?: RetryPolicy;
  /** A handler still running after this long is abandoned and its event retried. Default 5 min. */
  handlerTimeoutMs?: number;
  /** Time source for everything stored (lease expiry, next attempt, timestamps). */
  clock?: () => Date;
}

export interface Worker {
  /** Starts the claim loop. */
  start(): void;
  /** New events were stored: look now rather than at the next poll. */
  wake(): void;
  /** Stops claiming, waits up to graceMs (default 10 s) for running handlers, releases the rest. Idempotent. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  readonly running: boolean;
  readonly owner: string;
  /** Events being processed right now. */
  inFlight(): number;
}

type Verdict =
  | { kind: 'complete'; status: 'done' | 'ignored'; outcome: string }
  | { kind: 'retry'; error: string; nextAttemptAt: Date; countAttempt: boolean; reason: 'error' | 'dependency_down' | 'deferred' }
  | { kind: 'dead'; error: string };

interface Task {
  event: InboxEvent;
  controller: AbortController;
  /** Handed back by stop(): whatever the handler does now is not recorded. */
  released: boolean;
  /** The lease went to someone else. */
  lost: boolean;
  renewing: boolean;
  done: Promise<void>;
}

const MAX_ERROR_LENGTH = 4000;

export function createWorker(options: WorkerOptions): Worker {
  return new InboxWorker(options);
}

class InboxWorker implements Worker {
  readonly owner: string;
  private readonly store: InboxStore;
  private readonly registry: HandlerRegistry;
  private readonly log: Logger;
  private readonly handlerLog: Logger;
  private readonly metrics: ServiceMetrics | undefined;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly outagePolicy: RetryPolicy;
  private readonly handlerTimeoutMs: number;
  private readonly clock: () => Date;

  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private readonly tasks = new Map<number, Task>();
  private loopDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | null = null;
  private woken = false;
  private waiter: (() => void) | null = null;
  /** Consecutive pauses caused by a dependency outage; 0 when all is well. */
  private outages = 0;
  /** Clock time (ms) before which no event is claimed, during an outage. */
  private pausedUntil = 0;
  private claimFailures = 0;

  constructor(o: WorkerOptions) {
    if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new Error(`worker concurrency must be a whole number ≥ 1 (got ${o.concurrency})`);
    if (!Number.isInteger(o.maxAttempts) || o.maxAttempts < 1) throw new Error(`worker maxAttempts must be a whole number ≥ 1 (got ${o.maxAttempts})`);
    this.store = o.store;
    this.registry = o.registry;
    this.log = o.logger.child('inbox-worker');
    this.handlerLog = o.logger.child('event-handler');
    this.metrics = o.metrics;
    this.owner = o.owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.concurrency = o.concurrency;
    this.maxAttempts = o.maxAttempts;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.pollIntervalMs = o.pollIntervalMs ?? 1000;
    this.retryPolicy = o.retryPolicy ?? exponentialBackoff();
    this.outagePolicy = o.outagePolicy ?? exponentialBackoff(DEFAULT_OUTAGE_BACKOFF);
    this.handlerTimeoutMs = o.handlerTimeoutMs ?? 5 * 60_000;
    this.clock = o.clock ?? (() => new Date());
  }

  get running(): boolean {
    return this.state === 'running';
  }

  inFlight(): number {
    return this.tasks.size;
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`the worker cannot start: it is ${this.state}`);
    this.state = 'running';
    this.log.info('worker started', { owner: this.owner, concurrency: this.concurrency, maxAttempts: this.maxAttempts });
    this.loopDone = this.loop();
  }

  wake(): void {
    this.woken = true;
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  stop(opts: { graceMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutdown(opts.graceMs ?? 10_000);
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.wake();
    await this.loopDone;
    if (this.tasks.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.tasks.values()].map((t) => t.done)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const left = [...this.tasks.values()];
    for (const t of left) {
      t.released = true;
      t.controller.abort(new Error('the worker is stopping'));
    }
    await Promise.all(
      left.map(async (t) => {
        try {
          const ok = await this.store.release(t.event.id, this.owner);
          this.log.info(ok ? 'released an unfinished event for another worker' : 'an unfinished event was no longer leased to this worker', {
            paypalEventId: t.event.eventId,
          });
        } catch (err) {
          this.log.warn('could not release an unfinished event; it becomes claimable when its lease expires', { paypalEventId: t.event.eventId, err });
        }
        this.tasks.delete(t.event.id);
      }),
    );
    this.state = 'stopped';
    this.log.info('worker stopped', { released: left.length });
  }

  /** Waits for wake(), a finished task, or `ms`, whichever comes first. */
  private sleep(ms: number): Promise<void> {
    if (this.woken || this.state !== 'running') {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiter === done) this.waiter = null;
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiter = done;
    });
  }

  private async loop(): Promise<void> {
    while (this.state === 'running') {
      try {
        await this.iteration();
      } catch (err) {
        // A bug in the loop itself: keep the worker alive, but say so loudly.
        this.log.error('unexpected error in the worker loop', { err });
        await this.sleep(this.pollIntervalMs);
      }
    }
  }

  private async iteration(): Promise<void> {
    this.woken = false;
    const now = this.clock();
    if (now.getTime() < this.pausedUntil) {
      await this.sleep(this.pollIntervalMs);
      return;
    }
    // During an outage, one probe at a time; otherwise fill every free slot.
    const free = this.concurrency - this.tasks.size;
    const limit = this.outages > 0 ? (this.tasks.size === 0 ? 1 : 0) : free;
    if (limit <= 0) {
      await this.sleep(this.pollIntervalMs);
      return;
    }
    let claimed: InboxEvent[];
    try {
      claimed = await this.store.claim({ owner: this.owner, limit, leaseMs: this.leaseMs, now });
      this.claimFailures = 0;
    } catch (err) {
      this.claimFailures += 1;
      const wait = Math.min(this.pollIntervalMs * 2 ** Math.min(this.claimFailures - 1, 10), 30_000);
      this.log.error('cannot claim events from the inbox store; trying again', { err, retryInMs: wait });
      await this.sleep(wait);
      return;
    }
    if (this.state !== 'running') {
      // stop() arrived while claiming: hand these back untouched.
      await Promise.all(claimed.map((e) => this.store.release(e.id, this.owner).catch(() => false)));
      return;
    }
    for (const event of claimed) this.startTask(event);
    if (claimed.length < limit) await this.sleep(this.pollIntervalMs);
  }

  private startTask(event: InboxEvent): void {
    const task: Task = { event, controller: new AbortController(), released: false, lost: false, renewing: false, done: Promise.resolve() };
    this.tasks.set(event.id, task);
    task.done = withLogContext({ paypalEventId: event.eventId, eventType: event.eventType, inboxAttempt: event.attempts }, () => this.runTask(task))
      .catch((err: unknown) => this.log.error('unexpected error while recording an event result', { err, paypalEventId: event.eventId }))
      .finally(() => {
        if (this.tasks.get(event.id) === task) this.tasks.delete(event.id);
        this.wake();
      });
  }

  private async runTask(task: Task): Promise<void> {
    const renewal = setInterval(() => void this.renew(task), Math.max(Math.floor(this.leaseMs / 3), 10));
    const started = performance.now();
    let verdict: Verdict;
    try {
      verdict = await this.execute(task);
    } finally {
      clearInterval(renewal);
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics?.processingSeconds.observe(seconds, { event_type: task.event.eventType });
    if (task.released) {
      this.log.info('the handler ended after its event was released; its result is not recorded (another worker will run it)');
      return;
    }
    if (task.lost) {
      this.log.warn('the lease was lost while the handler ran; its result is not recorded (another worker owns the event)');
      return;
    }
    await this.record(task.event, verdict);
  }

  private async execute(task: Task): Promise<Verdict> {
    const { event } = task;
    if (event.attempts > this.maxAttempts) {
      return {
        kind: 'dead',
        error:
          `attempt ${event.attempts} exceeds the maximum of ${this.maxAttempts}: earlier attempts ended without a result ` +
          '(the process stopped or lost the lease while handling this event)' +
          (event.lastError ? `; last recorded error: ${event.lastError}` : ''),
      };
    }
    let envelope: unknown;
    try {
      envelope = parseEnvelope(event.rawBody);
    } catch (err) {
      return { kind: 'dead', error: `the stored body cannot be processed: ${errorMessage(err)}` };
    }
    const handler = this.registry.get(event.eventType);
    if (!handler) return { kind: 'complete', status: 'ignored', outcome: `no handler for ${event.eventType}` };
    try {
      const result = await this.runHandler(task, () => handler({ event, envelope, log: this.handlerLog, signal: task.controller.signal, attempt: event.attempts }));
      this.dependenciesAnswered();
      return { kind: 'complete', status: result.status, outcome: result.outcome };
    } catch (err) {
      if (!(err instanceof DependencyUnavailableError)) this.dependenciesAnswered();
      return this.classify(event, err);
    }
  }

  /** A handler got an answer (success, or an error that is not an outage): leave outage mode. */
  private dependenciesAnswered(): void {
    if (this.outages === 0) return;
    this.log.info('dependencies answer again; resuming normal processing', { consecutivePauses: this.outages });
    this.outages = 0;
    this.pausedUntil = 0;
  }

  /**
   * Runs the handler, bounded by the handler timeout and by the task's abort signal. Once aborted
   * the worker stops waiting, even for a handler that ignores its signal, and keeps no timer
   * alive for it (a stopping process must be able to exit).
   */
  private runHandler(task: Task, call: () => Promise<HandlerOutcome>): Promise<HandlerOutcome> {
    const signal = task.controller.signal;
    return new Promise<HandlerOutcome>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        cleanup();
        reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => {
        task.controller.abort(new RetryableError(`the handler did not finish within ${this.handlerTimeoutMs} ms`, 'HANDLER_TIMEOUT'));
      }, this.handlerTimeoutMs);
      Promise.resolve()
        .then(call)
        .then((result) => {
          if (!isHandlerOutcome(result)) {
            throw new Error(`the handler for ${task.event.eventType} returned ${JSON.stringify(result)}; expected { status: 'done' | 'ignored', outcome: string }`);
          }
          return result;
        })
        .then(
          (result) => {
            cleanup();
            resolve(result);
          },
          (err: unknown) => {
            cleanup();
            reject(err);
          },
        );
    });
  }

  private classify(event: InboxEvent, err: unknown): Verdict {
    const error = describeError(err);
    const now = this.clock();
    if (err instanceof DependencyUnavailableError) {
      // One pause per outage window: failures of events already running when it began do not
      // make the backoff grow faster.
      if (now.getTime() >= this.pausedUntil) {
        this.outages += 1;
        const delay = this.outagePolicy.nextDelay(this.outages);
        this.pausedUntil = now.getTime() + delay;
        this.log.warn(`${err.dependency} is unavailable; pausing the worker`, { dependency: err.dependency, pauseMs: delay, consecutivePauses: this.outages, err });
      }
      return { kind: 'retry', error, nextAttemptAt: new Date(this.pausedUntil), countAttempt: false, reason: 'dependency_down' };
    }
    if (err instanceof DeferredError) {
      return { kind: 'retry', error, nextAttemptAt: new Date(Math.max(err.notBefore.getTime(), now.getTime())), countAttempt: false, reason: 'deferred' };
    }
    if (!isRetryable(err)) return { kind: 'dead', error };
    if (event.attempts >= this.maxAttempts) return { kind: 'dead', error: `gave up after ${event.attempts} attempts: ${error}` };
    const delay = this.retryPolicy.nextDelay(event.attempts);
    return { kind: 'retry', error, nextAttemptAt: new Date(now.getTime() + delay), countAttempt: true, reason: 'error' };
  }

  private async record(event: InboxEvent, verdict: Verdict): Promise<void> {
    const now = this.clock();
    const type = event.eventType;
    let ok: boolean;
    try {
      switch (verdict.kind) {
        case 'complete':
          ok = await this.store.complete(event.id, this.owner, { status: verdict.status, outcome: verdict.outcome, now });
          break;
        case 'retry':
          ok = await this.store.retry(event.id, this.owner, { error: verdict.error, nextAttemptAt: verdict.nextAttemptAt, countAttempt: verdict.countAttempt, now });
          break;
        case 'dead':
          ok = await this.store.kill(event.id, this.owner, { error: verdict.error, now });
          break;
      }
    } catch (err) {
      this.log.error('could not record the result in the inbox; the event will run again when its lease expires', { err, verdict: verdict.kind });
      return;
    }
    if (!ok) {
      this.log.warn('the lease was lost before the result could be recorded; another worker owns the event now', { verdict: verdict.kind });
      return;
    }
    const latency = (now.getTime() - event.receivedAt.getTime()) / 1000;
    const base = { at: now, subjects: subjectsOf(event), eventId: event.eventId };
    let entry: AuditEntry;
    switch (verdict.kind) {
      case 'complete':
        this.metrics?.eventsProcessed.inc({ event_type: type, outcome: verdict.status });
        this.metrics?.eventLatencySeconds.observe(Math.max(latency, 0));
        this.log.info(verdict.status === 'done' ? 'event applied' : 'event ignored', { outcome: verdict.outcome });
        entry = {
          ...base,
          kind: verdict.status === 'done' ? 'worker.done' : 'worker.ignored',
          outcome: verdict.status === 'done' ? 'ok' : 'info',
          summary: `${type}: ${verdict.outcome}`,
          detail: { attempt: event.attempts },
        };
        break;
      case 'retry': {
        const deferred = verdict.reason === 'deferred';
        this.metrics?.retries.inc({ event_type: type, reason: verdict.reason });
        const message = deferred
          ? 'event deferred; it runs again later'
          : verdict.reason === 'dependency_down'
            ? 'dependency down; event rescheduled without spending an attempt'
            : 'attempt failed; event rescheduled';
        (deferred ? this.log.info : this.log.warn)(message, { error: verdict.error, nextAttemptAt: verdict.nextAttemptAt.toISOString() });
        entry = {
          ...base,
          kind: deferred ? 'worker.deferred' : 'worker.retry',
          outcome: deferred ? 'info' : 'error',
          summary: deferred
            ? `${type}: deferred until ${verdict.nextAttemptAt.toISOString()}: ${verdict.error}`
            : `${type}: attempt ${event.attempts} failed, next attempt at ${verdict.nextAttemptAt.toISOString()}: ${verdict.error}`,
          detail: { attempt: event.attempts, reason: verdict.reason, nextAttemptAt: verdict.nextAttemptAt.toISOString(), attemptCounted: verdict.countAttempt },
        };
        break;
      }
      case 'dead':
        this.metrics?.eventsProcessed.inc({ event_type: type, outcome: 'dead' });
        this.metrics?.deadEvents.inc({ event_type: type });
        this.metrics?.eventLatencySeconds.observe(Math.max(latency, 0));
        this.log.error('event is dead; it needs a look and a replay', { error: verdict.error });
        entry = { ...base, kind: 'worker.dead', outcome: 'error', summary: `${type}: ${verdict.error}`, detail: { attempt: event.attempts } };
        break;
    }
    try {
      await this.store.appendAudit([entry]);
    } catch (err) {
      this.log.warn('could not write the audit entry for this event', { err, auditKind: entry.kind });
    }
  }

  private async renew(task: Task): Promise<void> {
    if (task.renewing || task.released || task.lost) return;
    task.renewing = true;
    try {
      const ok = await this.store.renewLease(task.event.id, this.owner, this.leaseMs, this.clock());
      if (!ok && !task.released) {
        task.lost = true;
        task.controller.abort(new Error('the lease on this event was lost'));
      }
    } catch (err) {
      this.log.warn('could not renew the lease; will try again', { err });
    } finally {
      task.renewing = false;
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseEnvelope(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new Error('it is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`it is not valid JSON (${errorMessage(err)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('it is not a JSON object');
  return parsed;
}

function isHandlerOutcome(value: unknown): value is HandlerOutcome {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (v['status'] === 'done' || v['status'] === 'ignored') && typeof v['outcome'] === 'string';
}

/** An error as people will read it in the inbox: code and message, bounded, storable. */
function describeError(err: unknown): string {
  let text = errorMessage(err);
  if (err instanceof BridgeError) text = `[${err.code}] ${text}`;
  else if (err instanceof Error && err.name !== 'Error') text = `${err.name}: ${text}`;
  text = text.replaceAll('\u0000', '\uFFFD');
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

function subjectsOf(event: InboxEvent): string[] {
  return [event.eventId, event.resourceId, event.partitionKey].filter((s): s is string => typeof s === 'string' && s !== '');
}
