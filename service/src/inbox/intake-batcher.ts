// Group commit for webhook intake. Each request submits its event and waits for its own result,
// but the events submitted while the previous write was in flight (or within the same tick) are
// written together by one insertMany: one transaction, one fsync, for many webhooks. Under load
// the batches grow by themselves; when idle, an event is written on the next tick.
//
// A write that fails rejects the promise of every event in it: none of them was stored, so none
// may be acknowledged to PayPal (which will deliver them again). An event that is malformed in
// itself is refused at submit(), before it could sink a batch of good ones.
import { validateNewEvent } from './store-support.ts';
import type { InboxStore, InsertResult, NewInboxEvent } from './types.ts';

export interface IntakeBatcherOptions {
  /** Most events in one write. Default 256. */
  maxBatch?: number;
  /** How long the first event of a batch may wait for company. Default 0: the next tick. */
  maxDelayMs?: number;
}

export interface IntakeBatcher {
  /** Resolves once the event is durably stored (or known to be a redelivery). */
  submit(event: NewInboxEvent): Promise<InsertResult>;
  /** Writes everything submitted so far and waits for it. */
  flush(): Promise<void>;
  /** Flushes, then refuses further submissions. */
  close(): Promise<void>;
}

interface Waiting {
  event: NewInboxEvent;
  resolve(result: InsertResult): void;
  reject(err: unknown): void;
}

export function createIntakeBatcher(store: Pick<InboxStore, 'insertMany'>, options: IntakeBatcherOptions = {}): IntakeBatcher {
  const maxBatch = options.maxBatch ?? 256;
  const maxDelayMs = options.maxDelayMs ?? 0;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`maxBatch must be a whole number ≥ 1 (got ${maxBatch})`);
  if (!(maxDelayMs >= 0)) throw new Error(`maxDelayMs must be ≥ 0 (got ${maxDelayMs})`);

  let queue: Waiting[] = [];
  let writing: Promise<void> | null = null;
  let timer: { cancel(): void } | null = null;
  let closed = false;

  function schedule(): void {
    if (timer || writing) return;
    if (maxDelayMs === 0) {
      const handle = setImmediate(start);
      timer = { cancel: () => clearImmediate(handle) };
    } else {
      const handle = setTimeout(start, maxDelayMs);
      timer = { cancel: () => clearTimeout(handle) };
    }
  }

  function start(): void {
    timer?.cancel();
    timer = null;
    if (writing || queue.length === 0) return;
    writing = drain();
  }

  // One write at a time; what arrives meanwhile forms the next batch.
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await store.insertMany(batch.map((w) => w.event));
        if (results.length !== batch.length) throw new Error(`the store answered ${results.length} results for ${batch.length} events`);
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    writing = null;
  }

  return {
    submit(event) {
      if (closed) return Promise.reject(new Error('The intake batcher is closed: the service is shutting down'));
      try {
        validateNewEvent(event);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        if (queue.length >= maxBatch) start();
        else schedule();
      });
    },
    async flush() {
      while (writing || queue.length > 0) {
        start();
        await writing;
      }
    },
    async close() {
      closed = true;
      await this.flush();
    },
  };
}
