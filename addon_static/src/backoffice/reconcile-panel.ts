// The Reconciliation tab: PayPal's ledger (Transaction Search) against Odoo, run by the service
// (service/src/reconcile/README.md). The runs, newest first, followed while one is running (the
// service works in the background; the tab polls); a form to reconcile a range of days (the last
// month by default); a run's discrepancies, filtered by status and kind, with both sides' values,
// the one-click repair of those whose fix is certain (after a confirmation; the service checks
// the result against Odoo and says "repaired" or why a person must look), a "repair all certain
// ones", and the CSV export, downloaded with the token in a header (fetch, then a Blob URL).
import { _t, Component, ConfirmationDialog, onMounted, onWillUnmount, user, useService, useState, xml } from './odoo.ts';
import type { ORM } from '@web/core/orm_service';
import type { DialogService, NotificationService } from '@web/core/utils/hooks';
import { adminApiFor, errorText } from './admin-env.ts';
import { formatDateTime, stateLabel } from './labels.ts';
import { displayMoney } from './money.ts';
import { createReconcileApi, type ReconcileApi } from './reconcile-api.ts';
import {
  actionLabel,
  discrepancyStatusBadge,
  discrepancyStatusLabel,
  formatRunRange,
  kindLabel,
  paypalStatusLabel,
  phaseLabel,
  runStatusBadge,
  runStatusLabel,
} from './reconcile-labels.ts';
import {
  coverageShort,
  csvFileName,
  dayRange,
  decimalToMinor,
  DISCREPANCY_KINDS,
  DISCREPANCY_STATUSES,
  isRepairable,
  lastMonth,
  localToday,
  repairQueue,
  runProgress,
  type DiscrepancyInfo,
  type DiscrepancyKind,
  type DiscrepancyStatus,
  type RangeProblem,
  type RunInfo,
} from './reconcile-model.ts';

export interface ReconcilePanelProps {
  /** Shows an Odoo transaction (by id) in the client action. */
  onOpenTransaction: (id: number) => void;
}

/** How often the runs are read again while one is running. */
export const POLL_MS = 1500;
const RUN_LIMIT = 20;
const PAGE = 200;

interface RepairAllProgress {
  done: number;
  total: number;
}

interface ReconcileState {
  runs: RunInfo[] | null;
  runsError: string | null;
  /** The form's days, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  formProblem: string | null;
  starting: boolean;
  selectedId: number | null;
  statusFilter: DiscrepancyStatus | '';
  kindFilter: DiscrepancyKind | '';
  discrepancies: DiscrepancyInfo[] | null;
  nextAfter: number | null;
  listError: string | null;
  loadingList: boolean;
  /** Discrepancy ids whose repair is under way. */
  repairing: number[];
  repairAll: RepairAllProgress | null;
  exporting: boolean;
}

function texts() {
  return {
    newRun: _t('Reconcile PayPal with Odoo'),
    from: _t('From'),
    to: _t('To'),
    start: _t('Reconcile'),
    rangeHint: _t("Whole days in UTC, as PayPal's reports count them, both days included. PayPal's report may lag up to three hours: what it does not show yet is left for a later run."),
    runs: _t('Runs'),
    refresh: _t('Refresh'),
    loading: _t('Loading…'),
    noRun: _t('No reconciliation yet. Pick the days to reconcile above, or wait for the daily run of the service.'),
    range: _t('Days'),
    status: _t('Status'),
    paypalRecords: _t('PayPal records'),
    matched: _t('Matched'),
    discrepancies: _t('Discrepancies'),
    open: _t('Open'),
    repaired: _t('Repaired'),
    needsPerson: _t('Needs a person'),
    started: _t('Started'),
    none: _t('None'),
    resume: _t('Resume'),
    repairAll: _t('Repair all certain ones'),
    exportCsv: _t('Export CSV'),
    allStatuses: _t('All'),
    allKinds: _t('All kinds'),
    kindFilter: _t('Kind of discrepancy'),
    statusFilter: _t('Status of the discrepancies'),
    kind: _t('Kind'),
    paypal: _t('PayPal'),
    odoo: _t('Odoo'),
    note: _t('What differs'),
    repairNote: _t('Repair'),
    repair: _t('Repair'),
    actions: _t('Actions'),
    more: _t('Show more'),
    clean: _t('PayPal and Odoo agree: no discrepancy in this run.'),
    noMatch: _t('No discrepancy with these filters.'),
    stillRunning: _t('The discrepancies appear once the run has compared PayPal with Odoo.'),
    notCompared: _t('This run stopped before comparing PayPal with Odoo. Resume it to finish.'),
    notInOdoo: _t('not in Odoo'),
    notAtPayPal: _t('not at PayPal'),
    title: _t('PayPal Bridge'),
  };
}

export class PayPalReconcilePanel extends Component<ReconcilePanelProps> {
  static override template = xml`
    <div class="o_paypal_reconcile d-flex flex-column gap-3">
      <form class="o_paypal_reconcile_form card" t-on-submit.prevent="onStart" novalidate="" t-att-aria-label="t.newRun">
        <div class="card-body py-2">
          <h5 class="card-title fs-6" t-esc="t.newRun"/>
          <div class="d-flex flex-wrap gap-2 align-items-end">
            <div>
              <label class="form-label small text-muted mb-1" for="o_paypal_reconcile_from" t-esc="t.from"/>
              <input id="o_paypal_reconcile_from" type="date" t-attf-class="form-control form-control-sm o_paypal_reconcile_from {{state.formProblem ? 'is-invalid' : ''}}"
                     t-att-value="state.from" t-att-max="today" t-on-input="(ev) => this.onDate('from', ev)" t-att-aria-invalid="state.formProblem ? 'true' : 'false'" aria-describedby="o_paypal_reconcile_hint"/>
            </div>
            <div>
              <label class="form-label small text-muted mb-1" for="o_paypal_reconcile_to" t-esc="t.to"/>
              <input id="o_paypal_reconcile_to" type="date" t-attf-class="form-control form-control-sm o_paypal_reconcile_to {{state.formProblem ? 'is-invalid' : ''}}"
                     t-att-value="state.to" t-on-input="(ev) => this.onDate('to', ev)" t-att-aria-invalid="state.formProblem ? 'true' : 'false'" aria-describedby="o_paypal_reconcile_hint"/>
            </div>
            <button type="submit" class="btn btn-primary btn-sm o_paypal_reconcile_start" t-att-disabled="state.starting" t-esc="t.start"/>
          </div>
          <div t-if="state.formProblem" class="invalid-feedback d-block o_paypal_reconcile_problem" role="alert" t-esc="state.formProblem"/>
          <div id="o_paypal_reconcile_hint" class="form-text" t-esc="t.rangeHint"/>
        </div>
      </form>

      <div class="o_paypal_runs">
        <div class="d-flex align-items-center gap-2 mb-1">
          <h5 class="fs-6 mb-0" t-esc="t.runs"/>
          <button type="button" class="btn btn-link btn-sm o_paypal_runs_refresh" t-on-click="() => this.loadRuns()"><i class="fa fa-refresh me-1" aria-hidden="true"/><t t-esc="t.refresh"/></button>
        </div>
        <div t-if="state.runsError" class="alert alert-danger mb-0" role="alert" t-esc="state.runsError"/>
        <div t-elif="!state.runs" class="text-muted small" t-esc="t.loading"/>
        <div t-elif="!state.runs.length" class="o_view_nocontent_neutral_face text-muted p-3 o_paypal_no_run" t-esc="t.noRun"/>
        <div t-else="" class="table-responsive">
          <table class="o_list_table table table-sm table-hover mb-0 o_paypal_run_list">
            <thead><tr>
              <th t-esc="t.range"/><th t-esc="t.status"/><th class="text-end" t-esc="t.paypalRecords"/><th class="text-end" t-esc="t.matched"/>
              <th t-esc="t.discrepancies"/><th class="text-end" t-esc="t.open"/><th class="text-end" t-esc="t.repaired"/><th class="text-end" t-esc="t.needsPerson"/><th t-esc="t.started"/>
            </tr></thead>
            <tbody>
              <tr t-foreach="state.runs" t-as="run" t-key="run.id" tabindex="0"
                  t-attf-class="o_data_row o_paypal_run_row {{run.id === state.selectedId ? 'table-active' : ''}}"
                  t-att-data-run-id="run.id" t-att-data-status="run.stalled ? 'stalled' : run.status" t-att-aria-selected="run.id === state.selectedId ? 'true' : 'false'"
                  t-on-click="() => this.selectRun(run.id)" t-on-keydown="(ev) => this.onRunKeydown(ev, run.id)">
                <td class="text-nowrap o_paypal_run_range" t-esc="rangeText(run)"/>
                <td class="o_paypal_run_status" style="min-width: 14rem;">
                  <span t-attf-class="badge rounded-pill {{runStatusBadge(run)}}" t-esc="runStatusLabel(run)"/>
                  <t t-if="run.status === 'running' and !run.stalled">
                    <div class="small text-muted mt-1 o_paypal_run_phase" t-esc="phaseText(run)"/>
                    <div class="progress mt-1 o_paypal_run_progress" style="height: 6px;" role="progressbar" t-att-aria-label="phaseText(run)"
                         aria-valuemin="0" aria-valuemax="100" t-att-aria-valuenow="progressPercent(run)">
                      <div t-attf-class="progress-bar {{progressPercent(run) === undefined ? 'progress-bar-striped progress-bar-animated w-100' : ''}}" t-att-style="progressStyle(run)"/>
                    </div>
                  </t>
                  <t t-if="run.stalled or run.status === 'failed'">
                    <div t-if="run.error" class="small text-danger text-break mt-1 o_paypal_run_error" t-esc="run.error"/>
                    <button type="button" class="btn btn-link btn-sm p-0 o_paypal_run_resume" t-att-disabled="state.starting" t-on-click.stop="() => this.resume(run)" t-esc="t.resume"/>
                  </t>
                </td>
                <td class="text-end o_paypal_run_records" t-esc="run.counts ? run.counts.paypalRecords : run.records_pulled"/>
                <td class="text-end o_paypal_run_matched" t-esc="run.counts ? matchedCount(run) : ''"/>
                <td class="o_paypal_run_kinds">
                  <t t-if="run.counts">
                    <span t-if="!kindCounts(run).length" class="text-success" t-esc="t.none"/>
                    <span t-foreach="kindCounts(run)" t-as="k" t-key="k.kind" class="badge text-bg-light border me-1 o_paypal_run_kind" t-att-data-kind="k.kind"><t t-esc="k.label"/>: <t t-esc="k.count"/></span>
                  </t>
                </td>
                <td class="text-end o_paypal_run_open" t-esc="run.statuses ? run.statuses.open : ''"/>
                <td class="text-end o_paypal_run_repaired" t-esc="run.statuses ? run.statuses.repaired : ''"/>
                <td t-attf-class="text-end o_paypal_run_needs_person {{run.statuses and run.statuses.needs_person ? 'text-danger fw-bold' : ''}}" t-esc="run.statuses ? run.statuses.needs_person : ''"/>
                <td class="text-nowrap small" t-esc="formatDateTime(run.started_at)"/>
              </tr>
            </tbody>
          </table>
        </div>
      </div>

      <section t-if="selectedRun" class="o_paypal_reconcile_run card" t-att-data-run-id="selectedRun.id" t-att-aria-label="runTitle(selectedRun)"
               t-att-aria-busy="state.loadingList or state.repairAll ? 'true' : 'false'">
        <div class="card-body d-flex flex-column gap-2">
          <div class="d-flex flex-wrap align-items-center gap-2">
            <h5 class="card-title fs-6 mb-0 me-auto o_paypal_run_title" t-esc="runTitle(selectedRun)"/>
            <button t-if="selectedRun.statuses" type="button" class="btn btn-primary btn-sm o_paypal_repair_all" t-att-disabled="!selectedRun.statuses.open or busy"
                    t-att-title="t.repairAll" t-on-click="onRepairAll">
              <t t-esc="t.repairAll"/> <span class="badge text-bg-light ms-1" t-esc="selectedRun.statuses.open"/>
            </button>
            <button t-if="selectedRun.counts" type="button" class="btn btn-secondary btn-sm o_paypal_export_csv" t-att-disabled="state.exporting" t-on-click="onExport">
              <i class="fa fa-download me-1" aria-hidden="true"/><t t-esc="t.exportCsv"/>
            </button>
          </div>
          <div t-if="selectedRun.counts" class="small text-muted o_paypal_run_summary" t-esc="summaryText(selectedRun)"/>
          <div t-if="coverageShort(selectedRun)" class="alert alert-warning py-2 mb-0 small o_paypal_run_coverage" role="status" t-esc="coverageText(selectedRun)"/>
          <div t-if="state.repairAll" class="o_paypal_repair_all_progress" role="status">
            <div class="small text-muted" t-esc="repairAllText"/>
            <div class="progress" style="height: 6px;" role="progressbar" t-att-aria-label="repairAllText" aria-valuemin="0" t-att-aria-valuemax="state.repairAll.total" t-att-aria-valuenow="state.repairAll.done">
              <div class="progress-bar" t-att-style="repairAllStyle"/>
            </div>
          </div>

          <t t-if="selectedRun.counts">
            <div class="d-flex flex-wrap gap-2 align-items-center o_paypal_discrepancy_filters">
              <div class="btn-group btn-group-sm" role="radiogroup" t-att-aria-label="t.statusFilter">
                <t t-foreach="statusFilters" t-as="f" t-key="f.id">
                  <input type="radio" class="btn-check" name="o_paypal_reconcile_status" t-att-id="'o_paypal_reconcile_status_' + (f.id or 'all')" autocomplete="off"
                         t-att-checked="state.statusFilter === f.id" t-on-change="() => this.setStatusFilter(f.id)"/>
                  <label t-attf-class="btn btn-outline-secondary o_paypal_status_filter_{{f.id or 'all'}}" t-att-for="'o_paypal_reconcile_status_' + (f.id or 'all')">
                    <t t-esc="f.label"/><span t-if="f.count !== null" class="ms-1 opacity-75" t-esc="'(' + f.count + ')'"/>
                  </label>
                </t>
              </div>
              <select class="form-select form-select-sm w-auto o_paypal_kind_filter" t-att-aria-label="t.kindFilter" t-on-change="(ev) => this.setKindFilter(ev.target.value)">
                <option value="" t-att-selected="!state.kindFilter" t-esc="t.allKinds"/>
                <option t-foreach="kinds" t-as="kind" t-key="kind" t-att-value="kind" t-att-selected="state.kindFilter === kind" t-esc="kindLabel(kind)"/>
              </select>
            </div>
            <div t-if="state.listError" class="alert alert-danger mb-0" role="alert" t-esc="state.listError"/>
            <div t-elif="!state.discrepancies" class="text-muted small" t-esc="t.loading"/>
            <div t-elif="!state.discrepancies.length" t-attf-class="p-2 o_paypal_no_discrepancy {{filtered ? 'text-muted' : 'text-success'}}" t-esc="filtered ? t.noMatch : t.clean"/>
            <div t-else="" class="table-responsive">
              <table class="o_list_table table table-sm align-top mb-0 o_paypal_discrepancies">
                <thead><tr>
                  <th t-esc="t.kind"/><th t-esc="t.paypal"/><th t-esc="t.odoo"/><th t-esc="t.note"/><th t-esc="t.status"/><th><span class="visually-hidden" t-esc="t.actions"/></th>
                </tr></thead>
                <tbody>
                  <tr t-foreach="state.discrepancies" t-as="d" t-key="d.id" class="o_paypal_discrepancy"
                      t-att-data-id="d.id" t-att-data-kind="d.kind" t-att-data-status="d.status" t-att-data-paypal-id="d.paypal_id or ''" t-att-data-reference="d.reference or ''">
                    <td class="text-nowrap">
                      <div class="o_paypal_discrepancy_kind" t-esc="kindLabel(d.kind)"/>
                      <div t-if="d.event_code" class="small text-muted font-monospace" t-esc="d.event_code"/>
                    </td>
                    <td class="o_paypal_discrepancy_paypal">
                      <div t-if="d.paypal_id" class="font-monospace small o_paypal_discrepancy_paypal_id" t-esc="d.paypal_id"/>
                      <t t-if="d.paypal">
                        <div class="text-nowrap o_paypal_discrepancy_paypal_amount" t-esc="paypalAmount(d)"/>
                        <div class="small text-muted" t-esc="paypalDetail(d)"/>
                      </t>
                      <div t-else="" class="small text-muted fst-italic" t-esc="t.notAtPayPal"/>
                    </td>
                    <td class="o_paypal_discrepancy_odoo">
                      <a t-if="d.reference" href="#" class="o_paypal_discrepancy_reference" t-on-click.prevent="() => this.openReference(d.reference)" t-esc="d.reference"/>
                      <t t-if="d.odoo">
                        <div class="text-nowrap o_paypal_discrepancy_odoo_amount" t-esc="odooAmount(d)"/>
                        <div class="small text-muted" t-esc="odooDetail(d)"/>
                      </t>
                      <div t-else="" class="small text-muted fst-italic" t-esc="t.notInOdoo"/>
                    </td>
                    <td class="small text-break" style="min-width: 16rem;">
                      <div class="o_paypal_discrepancy_note" t-esc="d.note"/>
                      <div t-if="d.repair_note" t-attf-class="mt-1 o_paypal_discrepancy_repair_note {{d.status === 'repaired' ? 'text-success' : 'text-danger'}}">
                        <strong t-esc="t.repairNote"/>: <t t-esc="d.repair_note"/>
                      </div>
                    </td>
                    <td><span t-attf-class="badge rounded-pill o_paypal_discrepancy_status {{discrepancyStatusBadge(d.status)}}" t-esc="discrepancyStatusLabel(d.status)"/></td>
                    <td class="text-end">
                      <button t-if="isRepairable(d)" type="button" class="btn btn-primary btn-sm o_paypal_repair" t-att-disabled="busy"
                              t-att-title="actionLabel(d.action)" t-att-aria-label="repairLabel(d)" t-on-click="() => this.onRepair(d)">
                        <i t-if="state.repairing.includes(d.id)" class="fa fa-circle-o-notch fa-spin me-1" aria-hidden="true"/><t t-esc="t.repair"/>
                      </button>
                    </td>
                  </tr>
                </tbody>
              </table>
              <button t-if="state.nextAfter" type="button" class="btn btn-secondary btn-sm mt-2 o_paypal_discrepancies_more" t-att-disabled="state.loadingList" t-on-click="() => this.loadDiscrepancies(true)" t-esc="t.more"/>
            </div>
          </t>
          <div t-else="" class="text-muted small o_paypal_run_waiting" t-esc="selectedRun.status === 'running' and !selectedRun.stalled ? t.stillRunning : t.notCompared"/>
        </div>
      </section>
    </div>`;

  static override props = { onOpenTransaction: Function };

  state!: ReconcileState;
  t!: ReturnType<typeof texts>;
  today!: string;
  readonly kinds = DISCREPANCY_KINDS;
  readonly kindLabel = kindLabel;
  readonly discrepancyStatusLabel = discrepancyStatusLabel;
  readonly discrepancyStatusBadge = discrepancyStatusBadge;
  readonly runStatusLabel = runStatusLabel;
  readonly runStatusBadge = runStatusBadge;
  readonly actionLabel = actionLabel;
  readonly isRepairable = isRepairable;
  readonly coverageShort = coverageShort;
  private api!: ReconcileApi;
  private orm!: ORM;
  private notification!: NotificationService;
  private dialog!: DialogService;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private alive = false;
  private listSeq = 0;

  override setup(): void {
    this.t = texts();
    this.today = localToday(new Date());
    const month = lastMonth(this.today);
    this.state = useState<ReconcileState>({
      runs: null,
      runsError: null,
      from: month.from,
      to: month.to,
      formProblem: null,
      starting: false,
      selectedId: null,
      statusFilter: '',
      kindFilter: '',
      discrepancies: null,
      nextAfter: null,
      listError: null,
      loadingList: false,
      repairing: [],
      repairAll: null,
      exporting: false,
    });
    this.orm = useService('orm');
    this.notification = useService('notification');
    this.dialog = useService('dialog');
    this.api = createReconcileApi(adminApiFor(this.env as { services: { orm: ORM } }));
    onMounted(() => {
      this.alive = true;
      void this.loadRuns();
    });
    onWillUnmount(() => {
      this.alive = false;
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = null;
    });
  }

  // --- what the template shows ---------------------------------------------------------------

  get selectedRun(): RunInfo | undefined {
    return this.state.runs?.find((r) => r.id === this.state.selectedId);
  }

  /** A repair (one or all) is under way: the other repair buttons wait. */
  get busy(): boolean {
    return this.state.repairing.length > 0 || this.state.repairAll !== null;
  }

  get filtered(): boolean {
    return this.state.statusFilter !== '' || this.state.kindFilter !== '';
  }

  get statusFilters(): { id: DiscrepancyStatus | ''; label: string; count: number | null }[] {
    const statuses = this.selectedRun?.statuses ?? null;
    return [
      { id: '', label: this.t.allStatuses, count: statuses ? DISCREPANCY_STATUSES.reduce((n, s) => n + statuses[s], 0) : null },
      ...DISCREPANCY_STATUSES.map((s) => ({ id: s, label: discrepancyStatusLabel(s), count: statuses ? statuses[s] : null })),
    ];
  }

  get repairAllText(): string {
    const p = this.state.repairAll;
    return p ? _t('Repairing %s of %s…', String(Math.min(p.done + 1, p.total)), String(p.total)) : '';
  }

  get repairAllStyle(): string {
    const p = this.state.repairAll;
    return `width: ${p && p.total ? Math.round((100 * p.done) / p.total) : 0}%`;
  }

  rangeText(run: RunInfo): string {
    return formatRunRange(run, user.lang);
  }

  runTitle(run: RunInfo): string {
    return _t('Run %s: %s', String(run.id), this.rangeText(run));
  }

  formatDateTime(value: string | null): string {
    return formatDateTime(value, user.lang);
  }

  phaseText(run: RunInfo): string {
    if (run.phase === 'pull' && run.windows_total > 0) {
      return _t("Reading PayPal's report: %s of %s periods, %s records", String(run.windows_done), String(run.windows_total), String(run.records_pulled));
    }
    return phaseLabel(run.phase);
  }

  /** The progress bar's value (0–100), undefined while the run cannot tell. */
  progressPercent(run: RunInfo): number | undefined {
    const progress = runProgress(run);
    return progress === null ? undefined : Math.round(progress * 100);
  }

  progressStyle(run: RunInfo): string {
    const percent = this.progressPercent(run);
    return percent === undefined ? '' : `width: ${percent}%`;
  }

  kindCounts(run: RunInfo): { kind: DiscrepancyKind; label: string; count: number }[] {
    const byKind = run.counts?.discrepancies;
    if (!byKind) return [];
    return DISCREPANCY_KINDS.filter((k) => (byKind[k] ?? 0) > 0).map((k) => ({ kind: k, label: kindLabel(k), count: byKind[k] }));
  }

  /** Odoo records matched with PayPal: in the report, or found by id at PayPal (settled in a neighbouring period). */
  matchedCount(run: RunInfo): number {
    return run.counts ? run.counts.matched + run.counts.matchedOutsideReport : 0;
  }

  summaryText(run: RunInfo): string {
    const c = run.counts;
    if (!c) return '';
    const parts = [_t('%s PayPal records, %s matched with Odoo', String(c.paypalRecords), String(this.matchedCount(run)))];
    if (c.tooRecent) parts.push(_t('%s changed after PayPal last refreshed its report, compared by a later run', String(c.tooRecent)));
    if (c.feesNotBooked) parts.push(_t("PayPal's fees not checked on %s captures (the provider has no PayPal Fee Account)", String(c.feesNotBooked)));
    return parts.join(' · ');
  }

  coverageText(run: RunInfo): string {
    return _t("PayPal's report covered this range only up to %s; the rest is left for a later run.", this.formatDateTime(run.coverage_end));
  }

  private money(amount: string | null | undefined, currency: string | null | undefined): string {
    if (!amount) return '';
    const minor = currency ? decimalToMinor(amount, currency) : null;
    return minor === null || !currency ? `${amount} ${currency ?? ''}`.trim() : displayMoney(minor, currency, user.lang);
  }

  paypalAmount(d: DiscrepancyInfo): string {
    return this.money(d.paypal?.['amount'], d.paypal?.['currency']);
  }

  paypalDetail(d: DiscrepancyInfo): string {
    const p = d.paypal ?? {};
    const fee = p['fee'] ? this.money(p['fee'].replace(/^-/, ''), p['currency']) : '';
    return [paypalStatusLabel(p['status']), fee ? _t('fee %s', fee) : '', p['date'] ? this.formatDateTime(p['date']) : ''].filter(Boolean).join(' · ');
  }

  odooAmount(d: DiscrepancyInfo): string {
    return this.money(d.odoo?.['amount'], d.odoo?.['currency']);
  }

  odooDetail(d: DiscrepancyInfo): string {
    const o = d.odoo ?? {};
    const fee = o['fee_booked'] ? _t('fee booked %s', this.money(o['fee_booked'], o['currency'])) : '';
    return [o['state'] ? stateLabel(o['state']) : '', fee].filter(Boolean).join(' · ');
  }

  repairLabel(d: DiscrepancyInfo): string {
    return _t('Repair: %s, %s', kindLabel(d.kind), d.paypal_id ?? d.reference ?? '');
  }

  // --- runs ---------------------------------------------------------------------------------

  /** Reads the runs; follows the selected one; polls again while a run is running. */
  async loadRuns(): Promise<void> {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    const before = this.selectedRun;
    try {
      const runs = await this.api.runs(RUN_LIMIT);
      if (!this.alive) return;
      this.state.runs = runs;
      this.state.runsError = null;
      const selected = runs.find((r) => r.id === this.state.selectedId);
      if (!selected) {
        const newest = runs[0];
        if (newest) this.selectRun(newest.id);
      } else if (selected.counts && (!before?.counts || before.status !== selected.status)) {
        // The run just compared PayPal with Odoo (or finished): its discrepancies are there now.
        void this.loadDiscrepancies();
      }
    } catch (err) {
      if (this.alive) this.state.runsError = errorText(err);
    }
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (!this.alive || this.pollTimer) return;
    // A stalled run does not move until someone resumes it: no point in asking.
    if (this.state.runs?.some((r) => r.status === 'running' && !r.stalled)) {
      this.pollTimer = setTimeout(() => {
        this.pollTimer = null;
        void this.loadRuns();
      }, POLL_MS);
    }
  }

  onDate(which: 'from' | 'to', ev: Event): void {
    this.state[which] = (ev.target as HTMLInputElement).value;
    this.state.formProblem = null;
  }

  private rangeProblem(problem: RangeProblem): string {
    switch (problem) {
      case 'order':
        return _t('The first day must not be after the last one.');
      case 'future':
        return _t('The first day is in the future: there is nothing to reconcile yet.');
      case 'too_old':
        return _t("PayPal's reports go back three years at most: pick a later first day.");
      default:
        return _t('Pick the first and the last day to reconcile.');
    }
  }

  onStart(): void {
    const range = dayRange(this.state.from, this.state.to, localToday(new Date()));
    if (!range.ok) {
      this.state.formProblem = this.rangeProblem(range.problem);
      return;
    }
    void this.start(range.from, range.to);
  }

  /** Starts the same range again: the service resumes the unfinished run where it stopped. */
  resume(run: RunInfo): void {
    void this.start(run.from, run.to);
  }

  private async start(from: string, to: string): Promise<void> {
    this.state.starting = true;
    try {
      const run = await this.api.start(from, to);
      if (!this.alive) return;
      if (run) {
        this.state.selectedId = run.id;
        this.state.discrepancies = null;
        this.state.nextAfter = null;
        this.notification.add(_t('Reconciliation of %s started (run %s).', this.rangeText(run), String(run.id)), { type: 'info' });
      }
    } catch (err) {
      this.notification.add(errorText(err), { type: 'danger', title: this.t.title, sticky: true });
    } finally {
      this.state.starting = false;
    }
    await this.loadRuns();
  }

  selectRun(id: number): void {
    if (this.state.selectedId === id && this.state.discrepancies) return;
    this.state.selectedId = id;
    this.state.discrepancies = null;
    this.state.nextAfter = null;
    this.state.listError = null;
    if (this.selectedRun?.counts) void this.loadDiscrepancies();
  }

  onRunKeydown(ev: KeyboardEvent, id: number): void {
    const row = ev.currentTarget as HTMLElement;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      this.selectRun(id);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      ((ev.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null)?.focus();
    }
  }

  // --- discrepancies -------------------------------------------------------------------------

  /** The first page with the current filters, or (`more`) the next one. */
  async loadDiscrepancies(more = false): Promise<void> {
    const runId = this.state.selectedId;
    if (runId === null) return;
    const seq = ++this.listSeq;
    this.state.loadingList = true;
    try {
      const page = await this.api.discrepancies(runId, {
        status: this.state.statusFilter,
        kind: this.state.kindFilter,
        limit: PAGE,
        ...(more && this.state.nextAfter ? { after: this.state.nextAfter } : {}),
      });
      if (seq !== this.listSeq || !this.alive) return;
      this.replaceRun(page.run);
      this.state.discrepancies = more ? [...(this.state.discrepancies ?? []), ...page.discrepancies] : page.discrepancies;
      this.state.nextAfter = page.next_after;
      this.state.listError = null;
    } catch (err) {
      if (seq === this.listSeq && this.alive) this.state.listError = errorText(err);
    } finally {
      if (seq === this.listSeq) this.state.loadingList = false;
    }
  }

  private replaceRun(run: RunInfo): void {
    const runs = this.state.runs;
    const index = runs?.findIndex((r) => r.id === run.id) ?? -1;
    if (runs && index >= 0) runs[index] = run;
  }

  private replaceDiscrepancy(d: DiscrepancyInfo): void {
    const list = this.state.discrepancies;
    const index = list?.findIndex((x) => x.id === d.id) ?? -1;
    if (list && index >= 0) list[index] = d;
  }

  setStatusFilter(status: DiscrepancyStatus | ''): void {
    this.state.statusFilter = status;
    void this.loadDiscrepancies();
  }

  setKindFilter(kind: string): void {
    this.state.kindFilter = (DISCREPANCY_KINDS as readonly string[]).includes(kind) ? (kind as DiscrepancyKind) : '';
    void this.loadDiscrepancies();
  }

  async openReference(reference: string | null): Promise<void> {
    if (!reference) return;
    try {
      const [tx] = await this.orm.searchRead<{ id: number }>('payment.transaction', [['reference', '=', reference]], ['id'], { limit: 1 });
      if (tx) this.props.onOpenTransaction(tx.id);
      else this.notification.add(_t('Odoo has no transaction %s (any more).', reference), { type: 'warning' });
    } catch (err) {
      this.notification.add(errorText(err), { type: 'danger', title: this.t.title });
    }
  }

  // --- repairs -------------------------------------------------------------------------------

  private confirmText(d: DiscrepancyInfo): string {
    const id = d.paypal_id ?? '';
    const reference = d.reference ?? '';
    const audit = _t('The service checks the result against Odoo afterwards and writes it to the audit trail.');
    switch (d.action) {
      case 'sync_capture':
        return `${_t('Read capture %s at PayPal and book it in Odoo as its webhook would have?', id)} ${audit}`;
      case 'sync_refund':
        return `${_t('Read %s at PayPal and book it in Odoo as its webhook would have?', id)} ${audit}`;
      case 'book_fee': {
        const fee = this.money((d.paypal?.['fee'] ?? '').replace(/^-/, ''), d.paypal?.['currency']);
        return `${_t("Book PayPal's fee of %s on capture %s in Odoo (%s), on the provider's PayPal fee account?", fee, id, reference)} ${audit}`;
      }
      case 'repost_payment':
        return `${_t("Put the payment of %s (PayPal %s) back in Odoo's books: posted again, or made again if it was deleted?", reference, id)} ${audit}`;
      default:
        return '';
    }
  }

  onRepair(d: DiscrepancyInfo): void {
    if (!isRepairable(d) || this.busy) return;
    this.dialog.add(ConfirmationDialog, {
      title: _t('Repair: %s', kindLabel(d.kind)),
      body: this.confirmText(d),
      confirmLabel: this.t.repair,
      cancel: () => undefined,
      // The dialog closes at once; the row shows the repair under way and then its result.
      confirm: () => {
        void this.repairOne(d);
      },
    });
  }

  private async repairOne(d: DiscrepancyInfo): Promise<void> {
    this.state.repairing.push(d.id);
    try {
      // Once confirmed, the repair and its message go through even if the tab is left meanwhile.
      const answer = await this.api.repair(d.id);
      this.replaceDiscrepancy(answer.discrepancy);
      this.reportRepair(answer.discrepancy, answer.attempted);
    } catch (err) {
      this.notification.add(errorText(err), { type: 'danger', title: this.t.title, sticky: true });
    } finally {
      this.state.repairing = this.state.repairing.filter((id) => id !== d.id);
    }
    await this.loadRuns();
  }

  /** Says what one repair ended in: repaired, a person must look (and why), or not done yet. */
  private reportRepair(d: DiscrepancyInfo, attempted: boolean): void {
    const what = `${kindLabel(d.kind)} ${d.paypal_id ?? d.reference ?? ''}`;
    const note = d.repair_note ?? '';
    if (!attempted) {
      this.notification.add(_t('%s: nothing done, it is already "%s".', what, discrepancyStatusLabel(d.status)), { type: 'info' });
    } else if (d.status === 'repaired') {
      this.notification.add(_t('%s repaired. %s', what, note), { type: 'success', title: this.t.repaired });
    } else if (d.status === 'needs_person') {
      this.notification.add(_t('%s needs a person: %s', what, note), { type: 'warning', title: this.t.needsPerson, sticky: true });
    } else {
      this.notification.add(_t('%s is not repaired yet: %s', what, note), { type: 'danger', title: this.t.title, sticky: true });
    }
  }

  /** Every open discrepancy of the run (all pages), in the order to repair them. */
  private async openOnes(runId: number): Promise<DiscrepancyInfo[]> {
    const all: DiscrepancyInfo[] = [];
    for (let after = 0; ; ) {
      const page = await this.api.discrepancies(runId, { status: 'open', limit: 1000, ...(after ? { after } : {}) });
      all.push(...page.discrepancies);
      if (page.next_after === null) break;
      after = page.next_after;
    }
    return repairQueue(all);
  }

  async onRepairAll(): Promise<void> {
    const run = this.selectedRun;
    if (!run || this.busy) return;
    let queue: DiscrepancyInfo[];
    try {
      queue = await this.openOnes(run.id);
    } catch (err) {
      this.notification.add(errorText(err), { type: 'danger', title: this.t.title, sticky: true });
      return;
    }
    if (queue.length === 0) {
      this.notification.add(_t('Nothing left to repair in this run.'), { type: 'info' });
      await this.loadRuns();
      return;
    }
    this.dialog.add(ConfirmationDialog, {
      title: this.t.repairAll,
      body: `${queue.length === 1 ? _t('Apply the one certain repair of run %s?', String(run.id)) : _t('Apply the %s certain repairs of run %s?', String(queue.length), String(run.id))} ${_t(
        'Captures and refunds are read again at PayPal and booked as their webhooks would have been, missing fees are booked and removed payments put back. Each result is checked against Odoo and written to the audit trail; what still differs goes to a person.',
      )}`,
      confirmLabel: this.t.repairAll,
      cancel: () => undefined,
      confirm: () => {
        void this.repairAll(queue);
      },
    });
  }

  private async repairAll(queue: DiscrepancyInfo[]): Promise<void> {
    const tally: Record<DiscrepancyStatus, number> = { repaired: 0, needs_person: 0, open: 0 };
    let failure: unknown = null;
    this.state.repairAll = { done: 0, total: queue.length };
    // Once confirmed, the repairs go on (and say how they ended) even if the tab is left meanwhile.
    for (const d of queue) {
      try {
        const answer = await this.api.repair(d.id);
        tally[answer.discrepancy.status]++;
        this.replaceDiscrepancy(answer.discrepancy);
      } catch (err) {
        // The service did not answer or refused: stop rather than hammer it; the rest stays open.
        failure = err;
        break;
      }
      this.state.repairAll.done++;
    }
    this.state.repairAll = null;
    // Still open: those the service could not finish (PayPal or Odoo unreachable) and those not tried.
    const left = queue.length - tally.repaired - tally.needs_person;
    const summary = _t('%s repaired, %s need a person, %s still open.', String(tally.repaired), String(tally.needs_person), String(left));
    if (failure) {
      this.notification.add(`${_t('Repairs stopped: %s', errorText(failure))} ${summary}`, { type: 'danger', title: this.t.title, sticky: true });
    } else if (tally.needs_person || left) {
      this.notification.add(summary, { type: 'warning', title: this.t.repairAll, sticky: true });
    } else {
      this.notification.add(summary, { type: 'success', title: this.t.repairAll });
    }
    if (!this.alive) return;
    await this.loadRuns();
    await this.loadDiscrepancies();
  }

  // --- CSV ---------------------------------------------------------------------------------

  async onExport(): Promise<void> {
    const run = this.selectedRun;
    if (!run) return;
    this.state.exporting = true;
    try {
      const blob = await this.api.csv(run.id);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = csvFileName(run);
      link.style.display = 'none';
      document.body.appendChild(link);
      link.click();
      link.remove();
      // The download has started from the URL; free it once the browser surely read it.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      this.notification.add(errorText(err), { type: 'danger', title: this.t.title, sticky: true });
    } finally {
      this.state.exporting = false;
    }
  }
}
