// Is the service healthy? Webhooks received and failed per hour (a Chart.js bar chart, with the
// Chart.js Odoo 18 ships, loaded lazily like Odoo's graph view: loadBundle("web.chartjs_lib")),
// the queue, the dead events (each can be replayed), the last webhook's time with a warning when
// none arrived for longer than the service's WEBHOOK_SILENCE_MINUTES, and PayPal's circuit breaker.
import { _t, Component, ConfirmationDialog, loadBundle, onMounted, onWillStart, onWillUnmount, user, useRef, useService, useState, xml } from './odoo.ts';
import type { ORM } from '@web/core/orm_service';
import type { DialogService, NotificationService } from '@web/core/utils/hooks';
import type { AdminApi, DeadEvent, Health } from './admin-api.ts';
import { adminApiFor, errorText } from './admin-env.ts';
import { circuitLabel, formatDateTime, parseServerDate } from './labels.ts';

export const HEALTH_HOURS = 24;

interface HealthState {
  health: Health | null;
  dead: DeadEvent[];
  error: string | null;
  chartError: string | null;
  busy: boolean;
}

function texts() {
  return {
    title: _t('Webhooks over the last 24 hours'),
    received: _t('Received'),
    failed: _t('Failed'),
    queue: _t('Queue'),
    pending: _t('waiting'),
    dead: _t('Dead events'),
    lastWebhook: _t('Last webhook'),
    never: _t('never'),
    circuit: _t('PayPal circuit breaker'),
    refresh: _t('Refresh'),
    replay: _t('Replay'),
    noDead: _t('No dead event: every webhook was applied or is on its way.'),
    loading: _t('Loading…'),
    event: _t('Event'),
    type: _t('Type'),
    receivedAt: _t('Received'),
    error: _t('Last error'),
  };
}

export class PayPalHealthPanel extends Component {
  static override template = xml`
    <div class="o_paypal_health d-flex flex-column gap-3" t-att-aria-busy="state.busy ? 'true' : 'false'">
      <div class="d-flex align-items-center gap-2">
        <button type="button" class="btn btn-secondary btn-sm o_paypal_health_refresh" t-att-disabled="state.busy" t-on-click="() => this.refresh()">
          <i class="fa fa-refresh me-1" aria-hidden="true"/><t t-esc="t.refresh"/>
        </button>
        <span t-if="state.health" class="text-muted small" t-esc="storeText"/>
      </div>
      <div t-if="state.error" class="alert alert-danger mb-0" role="alert" t-esc="state.error"/>
      <div t-if="state.health and state.health.webhook_silence_alert" class="alert alert-warning mb-0 o_paypal_silence_alert" role="alert" t-esc="silenceText"/>
      <div t-if="state.health" class="row g-2 o_paypal_health_figures">
        <div class="col-6 col-lg-3"><div class="card h-100"><div class="card-body py-2">
          <div class="text-muted small" t-esc="t.queue"/><div class="fs-4 o_paypal_queue" t-esc="queueDepth"/>
          <div class="text-muted small" t-esc="queueDetail"/></div></div></div>
        <div class="col-6 col-lg-3"><div class="card h-100"><div class="card-body py-2">
          <div class="text-muted small" t-esc="t.dead"/><div t-attf-class="fs-4 o_paypal_dead_count {{deadCount ? 'text-danger' : ''}}" t-esc="deadCount"/></div></div></div>
        <div class="col-6 col-lg-3"><div class="card h-100"><div class="card-body py-2">
          <div class="text-muted small" t-esc="t.lastWebhook"/><div class="o_paypal_last_webhook" t-esc="lastWebhookText"/></div></div></div>
        <div class="col-6 col-lg-3"><div class="card h-100"><div class="card-body py-2">
          <div class="text-muted small" t-esc="t.circuit"/>
          <div t-attf-class="o_paypal_circuit {{state.health.paypal_circuit === 'closed' ? 'text-success' : 'text-danger'}}" t-att-data-state="state.health.paypal_circuit" t-esc="circuitLabel(state.health.paypal_circuit)"/></div></div></div>
      </div>
      <div class="card"><div class="card-body">
        <h5 class="card-title fs-6" t-esc="t.title"/>
        <div t-if="state.chartError" class="alert alert-warning mb-0" role="alert" t-esc="state.chartError"/>
        <div class="o_paypal_chart position-relative" style="height: 220px;"><canvas t-ref="canvas" class="o_paypal_activity_chart" role="img" t-att-aria-label="t.title"/></div>
      </div></div>
      <div class="o_paypal_dead_events">
        <h5 class="fs-6" t-esc="t.dead"/>
        <div t-if="!state.dead.length" class="text-muted small" t-esc="state.health ? t.noDead : t.loading"/>
        <table t-else="" class="table table-sm table-hover o_list_table">
          <thead><tr><th t-esc="t.event"/><th t-esc="t.type"/><th t-esc="t.receivedAt"/><th t-esc="t.error"/><th/></tr></thead>
          <tbody>
            <tr t-foreach="state.dead" t-as="event" t-key="event.event_id" class="o_paypal_dead_event" t-att-data-event-id="event.event_id">
              <td class="font-monospace small" t-esc="event.event_id"/>
              <td t-esc="event.event_type"/>
              <td class="text-nowrap" t-esc="formatDateTime(event.received_at)"/>
              <td class="small text-break" t-esc="event.last_error or ''"/>
              <td class="text-end"><button type="button" class="btn btn-secondary btn-sm o_paypal_replay" t-att-disabled="state.busy" t-on-click="() => this.onReplay(event)" t-esc="t.replay"/></td>
            </tr>
          </tbody>
        </table>
      </div>
    </div>`;

  static override props = {};

  state!: HealthState;
  t!: ReturnType<typeof texts>;
  readonly circuitLabel = circuitLabel;
  private api!: AdminApi;
  private notification!: NotificationService;
  private dialog!: DialogService;
  private readonly canvas = useRef('canvas');
  private chart: InstanceType<typeof Chart> | null = null;
  private chartReady: Promise<boolean> = Promise.resolve(false);

  override setup(): void {
    this.t = texts();
    this.state = useState<HealthState>({ health: null, dead: [], error: null, chartError: null, busy: false });
    this.notification = useService('notification');
    this.dialog = useService('dialog');
    this.api = adminApiFor(this.env as { services: { orm: ORM } });
    onWillStart(() => {
      // Chart.js is loaded only when the panel opens, in parallel with the figures.
      this.chartReady = loadBundle('web.chartjs_lib').then(
        () => true,
        (err: unknown) => {
          this.state.chartError = _t('The chart cannot be drawn: %s', errorText(err));
          return false;
        },
      );
    });
    onMounted(() => void this.refresh());
    onWillUnmount(() => {
      this.chart?.destroy();
      this.chart = null;
    });
  }

  get deadCount(): number {
    return this.state.health?.queue['dead'] ?? this.state.dead.length;
  }

  get queueDepth(): number {
    const q = this.state.health?.queue ?? {};
    return (q['pending'] ?? 0) + (q['processing'] ?? 0);
  }

  get queueDetail(): string {
    const h = this.state.health;
    if (!h) return '';
    const oldest = h.oldest_pending_at ? formatDateTime(h.oldest_pending_at, user.lang) : '';
    return oldest ? _t('%s due now, oldest received %s', String(h.due), oldest) : _t('%s due now', String(h.due));
  }

  get lastWebhookText(): string {
    const at = this.state.health?.last_webhook_at;
    return at ? formatDateTime(at, user.lang) : this.t.never;
  }

  get silenceText(): string {
    const h = this.state.health;
    if (!h) return '';
    return h.last_webhook_at
      ? _t('No webhook from PayPal since %s (more than %s minutes). Check the webhook registered at PayPal and the route from the internet to the service.', formatDateTime(h.last_webhook_at, user.lang), String(h.webhook_silence_minutes))
      : _t('The service has never received a webhook from PayPal. Register its URL at PayPal (npm run register-webhook) and set PAYPAL_WEBHOOK_ID.');
  }

  get storeText(): string {
    const h = this.state.health;
    return h ? _t('Store: %s · as of %s', h.store, formatDateTime(h.now, user.lang)) : '';
  }

  formatDateTime(value: string): string {
    return formatDateTime(value, user.lang);
  }

  async refresh(): Promise<void> {
    this.state.busy = true;
    try {
      const [health, dead] = await Promise.all([this.api.health(HEALTH_HOURS), this.api.deadEvents(50)]);
      this.state.health = health;
      this.state.dead = dead;
      this.state.error = null;
      if (await this.chartReady) this.drawChart(health);
    } catch (err) {
      this.state.error = errorText(err);
    } finally {
      this.state.busy = false;
    }
  }

  private drawChart(health: Health): void {
    const canvas = this.canvas.el as HTMLCanvasElement | null;
    if (!canvas) return;
    const labels = health.activity.map((b) => parseServerDate(b.start)?.toLocaleTimeString(user.lang, { hour: '2-digit', minute: '2-digit' }) ?? b.start);
    const received = health.activity.map((b) => b.received);
    const failed = health.activity.map((b) => b.failed);
    if (this.chart) {
      this.chart.data.labels = labels;
      const [first, second] = this.chart.data.datasets;
      if (first) first.data = received;
      if (second) second.data = failed;
      this.chart.update();
      return;
    }
    this.chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: this.t.received, data: received, backgroundColor: '#017e84' },
          { label: this.t.failed, data: failed, backgroundColor: '#d23f3a' },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
  }

  onReplay(event: DeadEvent): void {
    this.dialog.add(ConfirmationDialog, {
      title: _t('Replay the webhook'),
      body: _t('Apply PayPal event %s (%s) to Odoo again? It failed for good before; replay it once the cause is fixed.', event.event_id, event.event_type),
      confirmLabel: _t('Replay'),
      cancel: () => undefined,
      confirm: async () => {
        try {
          await this.api.replay(event.event_id);
          this.notification.add(_t('Event %s is queued again; the service applies it in a moment.', event.event_id), { type: 'success' });
        } catch (err) {
          this.notification.add(errorText(err), { type: 'danger', title: _t('PayPal Bridge'), sticky: true });
        }
        await this.refresh();
      },
    });
  }
}
