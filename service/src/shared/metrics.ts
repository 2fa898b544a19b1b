// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4) at /metrics. Gauges that mirror the store (queue depth, dead
// events) are computed when scraped, through collectors.

type Labels = Record<string, string>;

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`).join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Metric {
  readonly type = 'counter' as const;
  readonly name: string;
  readonly help: string;
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  inc(labels?: Labels, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels?: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${fmt(v)}`);
  }
}

export class Gauge implements Metric {
  readonly type = 'gauge' as const;
  readonly name: string;
  readonly help: string;
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  set(value: number, labels?: Labels): void {
    this.values.set(labelKey(labels), value);
  }
  get(labels?: Labels): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${fmt(v)}`);
  }
}

export const DEFAULT_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class Histogram implements Metric {
  readonly type = 'histogram' as const;
  readonly name: string;
  readonly help: string;
  private readonly buckets: number[];
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(name: string, help: string, buckets: number[] = DEFAULT_SECONDS_BUCKETS) {
    this.name = name;
    this.help = help;
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  observe(value: number, labels?: Labels): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] ?? Infinity)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }
  count(labels?: Labels): number {
    return this.series.get(labelKey(labels))?.count ?? 0;
  }
  render(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const prefix = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${prefix}le="${fmt(b)}"} ${s.counts[i] ?? 0}`));
      out.push(`${this.name}_bucket{${prefix}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${fmt(s.sum)}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export type Collector = () => Promise<void> | void;

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: Collector[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets?: number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  /** Runs before each scrape, e.g. to read queue depth from the store into a gauge. */
  addCollector(collector: Collector): void {
    this.collectors.push(collector);
  }

  private add<M extends Metric>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    if (existing) {
      if (existing.type !== metric.type) throw new Error(`metric ${metric.name} already registered as a ${existing.type}`);
      return existing as M;
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }

  async render(): Promise<string> {
    for (const c of this.collectors) await c();
    const lines: string[] = [];
    for (const m of this.metrics.values()) {
      lines.push(`# HELP ${m.name} ${m.help.replace(/\n/g, ' ')}`);
      lines.push(`# TYPE ${m.name} ${m.type}`);
      lines.push(...m.render());
    }
    return lines.join('\n') + '\n';
  }
}

/** The service's metrics, created once per process (or per test app). */
export function createServiceMetrics(registry = new MetricsRegistry()) {
  return {
    registry,
    webhooksReceived: registry.counter(
      'paypal_bridge_webhooks_received_total',
      'Webhook deliveries received, by outcome (stored, duplicate, rejected_<reason>, store_failed).',
    ),
    webhookAckSeconds: registry.histogram('paypal_bridge_webhook_ack_seconds', 'Time from request start to the response, for stored events.'),
    eventsProcessed: registry.counter('paypal_bridge_events_processed_total', 'Inbox events finished by the worker, by event type and outcome (done, ignored, dead).'),
    processingSeconds: registry.histogram('paypal_bridge_event_processing_seconds', 'Handler run time per attempt, by event type.'),
    eventLatencySeconds: registry.histogram(
      'paypal_bridge_event_latency_seconds',
      'Time from receipt of an event to its final state (done, ignored or dead).',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    ),
    retries: registry.counter('paypal_bridge_event_retries_total', 'Attempts that failed and were rescheduled, by event type and reason (error, dependency_down).'),
    deadEvents: registry.counter('paypal_bridge_events_dead_total', 'Events moved to dead, by event type.'),
    queueDepth: registry.gauge('paypal_bridge_inbox_events', 'Inbox rows by status, read from the store at scrape time.'),
    queueDue: registry.gauge('paypal_bridge_inbox_due_events', 'Pending inbox rows whose next attempt is due now.'),
    oldestPendingSeconds: registry.gauge('paypal_bridge_inbox_oldest_pending_age_seconds', 'Age of the oldest pending event (0 when none).'),
    lastWebhookTimestamp: registry.gauge('paypal_bridge_last_webhook_received_timestamp_seconds', 'Unix time of the last stored webhook (0 when none).'),
    paypalRequests: registry.counter('paypal_bridge_paypal_requests_total', 'Requests to PayPal, by operation and HTTP status (or "network").'),
    paypalCircuitOpen: registry.gauge('paypal_bridge_paypal_circuit_open', '1 while the PayPal circuit breaker is open.'),
    odooRequests: registry.counter('paypal_bridge_odoo_requests_total', 'JSON-RPC calls to Odoo, by model.method and outcome.'),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
