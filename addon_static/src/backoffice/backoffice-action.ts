// The "PayPal" client action (tag paypal_bridge.backoffice, URL /odoo/paypal): a control
// panel-like header (title, search box, pager, tabs) over four tabs: the PayPal transactions
// (server-side paging, sorting and filters through the ORM, a detail pane with the actions), the
// disputes (nearest deadline first), the reconciliation with PayPal's ledger and the service's
// health.
import { _t, Component, onWillStart, user, useExternalListener, useService, useState, xml } from './odoo.ts';
import type { ORM } from '@web/core/orm_service';
import { errorText } from './admin-env.ts';
import { PayPalDisputesList } from './disputes-list.ts';
import { emptyFilters, SORTABLE, TX_STATES, type SortField, type TxFilters } from './domain.ts';
import { PayPalHealthPanel } from './health-panel.ts';
import { formatDateTime, refundStatusLabel, stateBadge, stateLabel } from './labels.ts';
import { displayMoney, toMinor } from './money.ts';
import { PayPalReconcilePanel } from './reconcile-panel.ts';
import { PayPalTransactionPanel } from './transaction-panel.ts';
import { currencyOf, loadTransactionPage, PAGE_SIZE, type TxRow } from './transactions.ts';

type Tab = 'transactions' | 'disputes' | 'reconcile' | 'health';

/** The filters typed in boxes, applied when the box is left (change). */
type DraftKey = 'dateFrom' | 'dateTo' | 'amountMin' | 'amountMax';

interface BackofficeState {
  tab: Tab;
  filters: TxFilters;
  /**
   * What the boxes hold. OWL writes `t-att-value` into the input on every render, so a box must
   * show state kept up to date on each keystroke, or a render (e.g. a page arriving) would wipe
   * what the user is typing.
   */
  draft: Record<DraftKey, string>;
  /** What the search box holds (applied on Enter). */
  searchInput: string;
  offset: number;
  sort: SortField;
  ascending: boolean;
  records: TxRow[];
  count: number;
  loading: boolean;
  error: string | null;
  selectedId: number | null;
}

function texts() {
  return {
    title: _t('PayPal'),
    transactions: _t('Transactions'),
    disputes: _t('Disputes'),
    reconcile: _t('Reconciliation'),
    health: _t('Health'),
    searchPlaceholder: _t('Search a reference, PayPal order/capture/refund id, payer id or e-mail'),
    search: _t('Search'),
    previous: _t('Previous'),
    next: _t('Next'),
    allStates: _t('All states'),
    from: _t('From'),
    to: _t('To'),
    minAmount: _t('Min. amount'),
    maxAmount: _t('Max. amount'),
    needsReview: _t('Needs review'),
    disputed: _t('Disputed'),
    refunded: _t('Refunded'),
    clear: _t('Clear'),
    reference: _t('Reference'),
    date: _t('Last change'),
    customer: _t('Customer'),
    capture: _t('PayPal capture'),
    amount: _t('Amount'),
    state: _t('Status'),
    refundStatus: _t('Refunds'),
    none: _t('No PayPal transaction matches.'),
    close: _t('Close'),
    stateFilter: _t('State'),
  };
}

export class PayPalBackoffice extends Component {
  static override template = xml`
    <div class="o_action o_paypal_backoffice d-flex flex-column h-100 overflow-hidden">
      <div class="o_control_panel d-flex flex-column gap-2 px-3 pt-2 pb-0 border-bottom" role="toolbar">
        <div class="o_control_panel_main d-flex flex-wrap flex-lg-nowrap justify-content-between align-items-lg-center gap-3">
          <div class="o_control_panel_breadcrumbs d-flex align-items-center gap-1 order-0">
            <ol class="breadcrumb flex-nowrap text-nowrap lh-sm mb-0"><li class="breadcrumb-item active"><span class="fs-4" t-esc="t.title"/></li></ol>
          </div>
          <div class="o_control_panel_actions d-flex align-items-center order-2 order-lg-1 w-100 w-lg-auto flex-grow-1 justify-content-lg-center">
            <form t-if="state.tab === 'transactions'" class="o_searchview form-control d-flex align-items-center py-1 w-100" style="max-width: 40rem;" role="search" t-on-submit.prevent="onSearch">
              <i class="o_searchview_icon oi oi-search fa fa-search me-2 text-muted" aria-hidden="true"/>
              <input type="search" class="o_searchview_input o_paypal_search flex-grow-1 border-0" accesskey="Q"
                     t-att-placeholder="t.searchPlaceholder" t-att-aria-label="t.search" t-att-value="state.searchInput" t-on-input="onSearchInput"/>
            </form>
          </div>
          <div class="o_control_panel_navigation d-flex justify-content-end gap-3 order-1 order-lg-2">
            <nav t-if="state.tab === 'transactions'" class="o_pager d-flex gap-2 align-items-center" aria-label="Pager">
              <span class="o_pager_counter">
                <span class="o_pager_value" t-esc="pagerValue"/> / <span class="o_pager_limit" t-esc="state.count"/>
              </span>
              <span class="btn-group" role="group">
                <button type="button" class="btn btn-secondary o_pager_previous px-2" t-att-aria-label="t.previous" t-att-title="t.previous" t-att-disabled="state.loading or state.offset === 0" t-on-click="() => this.page(-1)"><i class="oi oi-chevron-left fa fa-chevron-left" aria-hidden="true"/></button>
                <button type="button" class="btn btn-secondary o_pager_next px-2" t-att-aria-label="t.next" t-att-title="t.next" t-att-disabled="state.loading or state.offset + state.records.length >= state.count" t-on-click="() => this.page(1)"><i class="oi oi-chevron-right fa fa-chevron-right" aria-hidden="true"/></button>
              </span>
            </nav>
          </div>
        </div>
        <ul class="nav nav-tabs border-bottom-0" role="tablist">
          <li t-foreach="tabs" t-as="tab" t-key="tab.id" class="nav-item" role="presentation">
            <button type="button" role="tab" t-attf-class="nav-link o_paypal_tab_{{tab.id}} {{state.tab === tab.id ? 'active' : ''}}" t-att-aria-selected="state.tab === tab.id ? 'true' : 'false'"
                    t-on-click="() => this.showTab(tab.id)" t-esc="tab.label"/>
          </li>
        </ul>
      </div>

      <div class="o_content flex-grow-1 overflow-auto">
        <div t-if="state.tab === 'transactions'" class="d-flex flex-column flex-lg-row h-100">
          <div class="flex-grow-1 overflow-auto">
            <div class="o_paypal_filters d-flex flex-wrap gap-2 align-items-end px-3 py-2 border-bottom bg-view">
              <select class="form-select form-select-sm w-auto o_paypal_filter_state" t-att-aria-label="t.stateFilter" t-on-change="(ev) => this.setFilter('state', ev.target.value)">
                <option value="" t-att-selected="!state.filters.state" t-esc="t.allStates"/>
                <option t-foreach="states" t-as="s" t-key="s" t-att-value="s" t-att-selected="state.filters.state === s" t-esc="stateLabel(s)"/>
              </select>
              <label class="small text-muted d-flex align-items-center gap-1"><t t-esc="t.from"/>
                <input type="date" class="form-control form-control-sm o_paypal_filter_from" t-att-value="state.draft.dateFrom" t-on-input="(ev) => this.onDraft('dateFrom', ev)" t-on-change="() => this.applyDraft('dateFrom')"/></label>
              <label class="small text-muted d-flex align-items-center gap-1"><t t-esc="t.to"/>
                <input type="date" class="form-control form-control-sm o_paypal_filter_to" t-att-value="state.draft.dateTo" t-on-input="(ev) => this.onDraft('dateTo', ev)" t-on-change="() => this.applyDraft('dateTo')"/></label>
              <input type="number" step="any" class="form-control form-control-sm o_paypal_filter_min" style="width: 8rem;" t-att-placeholder="t.minAmount" t-att-aria-label="t.minAmount" t-att-value="state.draft.amountMin" t-on-input="(ev) => this.onDraft('amountMin', ev)" t-on-change="() => this.applyDraft('amountMin')"/>
              <input type="number" step="any" class="form-control form-control-sm o_paypal_filter_max" style="width: 8rem;" t-att-placeholder="t.maxAmount" t-att-aria-label="t.maxAmount" t-att-value="state.draft.amountMax" t-on-input="(ev) => this.onDraft('amountMax', ev)" t-on-change="() => this.applyDraft('amountMax')"/>
              <div class="btn-group btn-group-sm" role="group">
                <t t-foreach="toggles" t-as="toggle" t-key="toggle.id">
                  <input type="checkbox" class="btn-check" t-att-id="'o_paypal_filter_' + toggle.id" autocomplete="off" t-att-checked="state.filters[toggle.id]" t-on-change="(ev) => this.setFilter(toggle.id, ev.target.checked)"/>
                  <label t-attf-class="btn btn-outline-secondary o_paypal_filter_{{toggle.id}}" t-att-for="'o_paypal_filter_' + toggle.id" t-esc="toggle.label"/>
                </t>
              </div>
              <button type="button" class="btn btn-link btn-sm o_paypal_filter_clear" t-on-click="clearFilters" t-esc="t.clear"/>
            </div>
            <div t-if="state.error" class="alert alert-danger m-3" role="alert" t-esc="state.error"/>
            <div t-elif="!state.loading and !state.records.length" class="o_view_nocontent_neutral_face text-muted p-4 o_paypal_no_result" t-esc="t.none"/>
            <table t-else="" class="o_list_table table table-sm table-hover table-striped mb-0 o_paypal_tx_list" t-att-aria-busy="state.loading ? 'true' : 'false'">
              <thead>
                <tr>
                  <th t-foreach="columns" t-as="column" t-key="column.id" t-attf-class="{{column.align}} {{column.sortable ? 'o_column_sortable' : ''}}"
                      t-att-aria-sort="column.sortable and state.sort === column.id ? (state.ascending ? 'ascending' : 'descending') : undefined">
                    <button t-if="column.sortable" type="button" t-attf-class="btn btn-link p-0 text-reset fw-bold text-decoration-none o_paypal_sort_{{column.id}}" t-on-click="() => this.sortBy(column.id)">
                      <t t-esc="column.label"/>
                      <i t-if="state.sort === column.id" t-attf-class="fa {{state.ascending ? 'fa-angle-up' : 'fa-angle-down'}} ms-1" aria-hidden="true"/>
                    </button>
                    <t t-else="" t-esc="column.label"/>
                  </th>
                </tr>
              </thead>
              <tbody>
                <tr t-foreach="state.records" t-as="record" t-key="record.id" tabindex="0"
                    t-attf-class="o_data_row o_paypal_tx_row {{record.id === state.selectedId ? 'table-active' : ''}} {{record.paypal_needs_review ? 'text-warning' : ''}}"
                    t-att-data-id="record.id" t-att-data-reference="record.reference" t-att-aria-selected="record.id === state.selectedId ? 'true' : 'false'"
                    t-on-click="() => this.select(record.id)" t-on-keydown="(ev) => this.onRowKeydown(ev, record.id)">
                  <td class="o_paypal_col_reference"><t t-esc="record.reference"/><i t-if="record.paypal_needs_review" class="fa fa-exclamation-triangle ms-1" t-att-title="t.needsReview"/></td>
                  <td class="text-nowrap" t-esc="formatDateTime(record.last_state_change)"/>
                  <td t-esc="record.partner_id ? record.partner_id[1] : ''"/>
                  <td class="font-monospace small o_paypal_col_capture" t-esc="record.paypal_capture_id or ''"/>
                  <td class="text-end text-nowrap o_paypal_col_amount" t-esc="money(record)"/>
                  <td><span t-attf-class="badge rounded-pill {{stateBadge(record.state)}}" t-esc="stateLabel(record.state)"/></td>
                  <td class="small" t-esc="refundStatusLabel(record.paypal_refund_status)"/>
                </tr>
              </tbody>
            </table>
          </div>
          <aside t-if="state.selectedId" class="o_paypal_detail border-start bg-view p-3 overflow-auto" style="flex: 0 0 min(38rem, 45%);" t-att-aria-label="t.transactions">
            <div class="d-flex justify-content-end">
              <button type="button" class="btn-close o_paypal_detail_close" t-att-aria-label="t.close" t-att-title="t.close" t-on-click="closeDetail"/>
            </div>
            <PayPalTransactionPanel transactionId="state.selectedId" onChanged.bind="onTransactionChanged" onOpenTransaction.bind="select" showFormButton="true"/>
          </aside>
        </div>
        <div t-elif="state.tab === 'disputes'" class="p-3"><PayPalDisputesList onOpenTransaction.bind="openFromDispute"/></div>
        <div t-elif="state.tab === 'reconcile'" class="p-3"><PayPalReconcilePanel onOpenTransaction.bind="select"/></div>
        <div t-else="" class="p-3"><PayPalHealthPanel/></div>
      </div>
    </div>`;

  static components = { PayPalTransactionPanel, PayPalDisputesList, PayPalReconcilePanel, PayPalHealthPanel };
  // Odoo's action service passes action, actionId, updateActionState, className...
  static override props = ['*'];

  state!: BackofficeState;
  t!: ReturnType<typeof texts>;
  readonly states = TX_STATES;
  readonly stateLabel = stateLabel;
  readonly stateBadge = stateBadge;
  readonly refundStatusLabel = refundStatusLabel;
  tabs!: { id: Tab; label: string }[];
  toggles!: { id: 'needsReview' | 'disputed' | 'refunded'; label: string }[];
  columns!: { id: string; label: string; sortable: boolean; align: string }[];
  private orm!: ORM;
  private loadSeq = 0;

  override setup(): void {
    this.t = texts();
    const t = this.t;
    this.tabs = [
      { id: 'transactions', label: t.transactions },
      { id: 'disputes', label: t.disputes },
      { id: 'reconcile', label: t.reconcile },
      { id: 'health', label: t.health },
    ];
    this.toggles = [
      { id: 'needsReview', label: t.needsReview },
      { id: 'disputed', label: t.disputed },
      { id: 'refunded', label: t.refunded },
    ];
    const sortable = (id: string) => (SORTABLE as readonly string[]).includes(id);
    this.columns = [
      { id: 'reference', label: t.reference, sortable: sortable('reference'), align: '' },
      { id: 'last_state_change', label: t.date, sortable: sortable('last_state_change'), align: '' },
      { id: 'partner_id', label: t.customer, sortable: false, align: '' },
      { id: 'paypal_capture_id', label: t.capture, sortable: false, align: '' },
      { id: 'amount', label: t.amount, sortable: sortable('amount'), align: 'text-end' },
      { id: 'state', label: t.state, sortable: sortable('state'), align: '' },
      { id: 'paypal_refund_status', label: t.refundStatus, sortable: false, align: '' },
    ];
    this.state = useState<BackofficeState>({
      tab: 'transactions',
      filters: emptyFilters(),
      draft: { dateFrom: '', dateTo: '', amountMin: '', amountMax: '' },
      searchInput: '',
      offset: 0,
      sort: 'id',
      ascending: false,
      records: [],
      count: 0,
      loading: true,
      error: null,
      selectedId: null,
    });
    this.orm = useService('orm');
    onWillStart(() => this.loadPage());
    useExternalListener(document, 'keydown', (ev: Event) => this.onKeydown(ev as KeyboardEvent));
  }

  get pagerValue(): string {
    const { offset, records, count } = this.state;
    if (count === 0) return '0';
    return `${offset + 1}-${offset + records.length}`;
  }

  formatDateTime(value: string | false): string {
    return formatDateTime(value, user.lang);
  }

  money(record: TxRow): string {
    const currency = currencyOf(record);
    return displayMoney(toMinor(record.amount, currency), currency, user.lang);
  }

  /** Reads the current page and the count; a slower, older answer never overwrites a newer one. */
  async loadPage(): Promise<void> {
    const seq = ++this.loadSeq;
    this.state.loading = true;
    try {
      const { records, count } = await loadTransactionPage(this.orm, {
        filters: this.state.filters,
        offset: this.state.offset,
        sort: this.state.sort,
        ascending: this.state.ascending,
      });
      if (seq !== this.loadSeq) return;
      this.state.records = records;
      this.state.count = count;
      this.state.error = null;
    } catch (err) {
      if (seq === this.loadSeq) this.state.error = errorText(err);
    } finally {
      if (seq === this.loadSeq) this.state.loading = false;
    }
  }

  private reloadFromStart(): void {
    this.state.offset = 0;
    void this.loadPage();
  }

  onSearchInput(ev: Event): void {
    this.state.searchInput = (ev.target as HTMLInputElement).value;
  }

  onSearch(): void {
    this.state.filters.search = this.state.searchInput;
    this.reloadFromStart();
  }

  setFilter<K extends keyof TxFilters>(key: K, value: TxFilters[K]): void {
    this.state.filters[key] = value;
    this.reloadFromStart();
  }

  onDraft(key: DraftKey, ev: Event): void {
    this.state.draft[key] = (ev.target as HTMLInputElement).value;
  }

  applyDraft(key: DraftKey): void {
    if (this.state.filters[key] !== this.state.draft[key]) this.setFilter(key, this.state.draft[key]);
  }

  clearFilters(): void {
    this.state.filters = emptyFilters();
    this.state.draft = { dateFrom: '', dateTo: '', amountMin: '', amountMax: '' };
    this.state.searchInput = '';
    this.reloadFromStart();
  }

  sortBy(field: string): void {
    if (!(SORTABLE as readonly string[]).includes(field)) return;
    if (this.state.sort === field) this.state.ascending = !this.state.ascending;
    else {
      // As Odoo's lists: a new column sorts ascending first.
      this.state.sort = field as SortField;
      this.state.ascending = true;
    }
    this.reloadFromStart();
  }

  page(direction: 1 | -1): void {
    const offset = this.state.offset + direction * PAGE_SIZE;
    if (offset < 0 || offset >= this.state.count) return;
    this.state.offset = offset;
    void this.loadPage();
  }

  showTab(tab: Tab): void {
    this.state.tab = tab;
  }

  select(id: number): void {
    this.state.tab = 'transactions';
    this.state.selectedId = id;
  }

  openFromDispute(id: number): void {
    this.select(id);
  }

  closeDetail(): void {
    this.state.selectedId = null;
  }

  onTransactionChanged(): void {
    void this.loadPage();
  }

  onRowKeydown(ev: KeyboardEvent, id: number): void {
    const row = ev.currentTarget as HTMLElement;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      this.select(id);
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const next = (ev.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
      next?.focus();
    }
  }

  /** Escape closes the detail pane (not while a dialog is open: Escape is the dialog's then). */
  onKeydown(ev: KeyboardEvent): void {
    if (ev.key !== 'Escape' || !this.state.selectedId || document.body.classList.contains('modal-open')) return;
    if ((ev.target as HTMLElement | null)?.closest?.('.modal, input, select, textarea')) return;
    this.closeDetail();
  }
}
