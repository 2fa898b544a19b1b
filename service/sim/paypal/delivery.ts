// Delivers webhook events to subscribed URLs the way PayPal does: a POST with the event's exact
// bytes, freshly signed for every attempt (new transmission id and time); anything but a 2xx, or no
// answer, is retried after the next delay of the schedule. Deliveries run concurrently, so events
// can arrive out of order, as they do from PayPal.
import * as http from 'node:http';
import * as https from 'node:https';
import type { SignedDelivery } from './signing.ts';
import type { WebhookEvent, WebhookRecord } from './state.ts';

export interface DeliveryRecord {
  webhookId: string;
  url: string;
  eventId: string;
  eventType: string;
  /** 1 for the first attempt. */
  attempt: number;
  status: number | 'network-error';
  /** Why a network error happened. */
  error?: string;
  /** Whether another attempt is scheduled after this one. */
  willRetry: boolean;
  at: Date;
}

interface Job {
  webhook: WebhookRecord;
  event: WebhookEvent;
  body: Buffer;
  attempt: number;
}

export interface DeliveryOptions {
  retryDelaysMs: readonly number[];
  sign(body: Buffer, webhookId: string): SignedDelivery;
  now(): Date;
  /** Per attempt; a receiver that does not answer in time counts as a network error. */
  timeoutMs?: number;
  concurrency?: number;
}

const AGENT_OPTIONS = { keepAlive: true, maxSockets: 16 };

export class WebhookDelivery {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly options: DeliveryOptions;
  private readonly queue: Job[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  private readonly httpsAgent = new https.Agent(AGENT_OPTIONS);
  private inFlight = 0;
  private paused = false;
  private closed = false;

  constructor(options: DeliveryOptions) {
    this.options = options;
  }

  /** Queues one delivery of `event` (sent as `body`) to each webhook. */
  enqueue(event: WebhookEvent, body: Buffer, webhooks: readonly WebhookRecord[]): void {
    if (this.closed) return;
    for (const webhook of webhooks) this.queue.push({ webhook, event, body, attempt: 1 });
    this.pump();
  }

  pause(): void {
    this.paused = true;
    this.notifyIfIdle();
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /**
   * Resolves once nothing is in flight or scheduled. Deliveries queued while paused do not count:
   * they will not happen on their own, and waiting for them would hang.
   */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    for (const request of this.requests) request.destroy(new Error('simulator closed'));
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.notifyIfIdle();
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.timers.size === 0 && (this.paused || this.closed || this.queue.length === 0);
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 8;
    while (!this.paused && !this.closed && this.inFlight < concurrency) {
      const job = this.queue.shift();
      if (!job) break;
      this.inFlight++;
      void this.attempt(job).finally(() => {
        this.inFlight--;
        this.pump();
        this.notifyIfIdle();
      });
    }
  }

  private async attempt(job: Job): Promise<void> {
    const signed = this.options.sign(job.body, job.webhook.id);
    let status: number | 'network-error';
    let error: string | undefined;
    try {
      status = await this.post(job.webhook.url, signed);
    } catch (err) {
      status = 'network-error';
      error = (err as Error).message;
    }
    if (this.closed) return;
    const delay = this.options.retryDelaysMs[job.attempt - 1];
    const failed = status === 'network-error' || status < 200 || status > 299;
    const willRetry = failed && delay !== undefined;
    this.deliveries.push({
      webhookId: job.webhook.id,
      url: job.webhook.url,
      eventId: job.event.id,
      eventType: job.event.event_type,
      attempt: job.attempt,
      status,
      ...(error !== undefined ? { error } : {}),
      willRetry,
      at: this.options.now(),
    });
    if (!willRetry) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.queue.push({ ...job, attempt: job.attempt + 1 });
      this.pump();
      this.notifyIfIdle();
    }, delay);
    this.timers.add(timer);
  }

  private post(url: string, signed: SignedDelivery): Promise<number> {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        target,
        { method: 'POST', agent, headers: { ...signed.headers, 'Content-Length': String(signed.body.length) }, timeout: this.options.timeoutMs ?? 10_000 },
        (response) => {
          response.resume(); // the answer's body does not matter, only its status
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      this.requests.add(request);
      request.on('close', () => this.requests.delete(request));
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.options.timeoutMs ?? 10_000} ms`)));
      request.on('error', reject);
      request.end(signed.body);
    });
  }
}
