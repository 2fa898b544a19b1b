// One PayPal transaction: amounts, fee and net, refunds and partial captures (its child
// transactions), its dispute, the service's timeline (every webhook, PayPal call, Odoo write and
// back-office action), and the actions: sync, capture (full or partial), void, refund (full or
// partial) and replay of a dead webhook. Used by the client action's detail pane and by the
// transaction form (view widget). Odoo's ORM is the source of truth: after any action the panel
// re-reads the transaction and asks its owner to refresh (`onChanged`).
import { _t, Component, ConfirmationDialog, onWillStart, onWillUpdateProps, user, useService, useState, xml } from './odoo.ts';
import type { ORM } from '@web/core/orm_service';
import type { ActionService, DialogService, NotificationService } from '@web/core/utils/hooks';
import { ActionKeys, AdminServiceError, type ActionAnswer, type AdminApi, type TimelineEntry } from './admin-api.ts';
import { adminApiFor, errorText } from './admin-env.ts';
import { disputeStatusLabel, formatDateTime, formatDeadline, refundStatusLabel, stateBadge, stateLabel, timelineKindLabel } from './labels.ts';
import { currencyDecimals, displayMoney, formatMinor, parseAmountInput, toMinor } from './money.ts';
import { ChildTransactions } from './child-transactions.ts';
import { currencyOf, loadTransactionDetail, type TxDetail } from './transactions.ts';

export interface TransactionPanelProps {
  transactionId: number;
  /** Called after an action changed (or may have changed) the transaction. */
  onChanged?: (id: number) => void;
  /** Shows another transaction (a refund, a partial capture, the source). */
  onOpenTransaction?: (id: number) => void;
  /** Shows the "Open" button to the transaction's form. */
  showFormButton?: boolean;
}

interface PanelState {
  detail: TxDetail | null;
  loadError: string | null;
  timeline: TimelineEntry[] | null;
  timelineError: string | null;
  refundAmount: string;
  captureAmount: string;
  refundProblem: string | null;
  captureProblem: string | null;
  /** The action under way, if any. */
  busy: string | null;
}

function texts() {
  return {
    amount: _t('Amount'),
    fee: _t('PayPal fee'),
    net: _t('Net'),
    refunded: _t('Refunded'),
    leftToRefund: _t('Left to refund'),
    leftToCapture: _t('Left to capture'),
    customer: _t('Customer'),
    orders: _t('Sales orders'),
    order: _t('PayPal order'),
    capture: _t('PayPal capture'),
    authorization: _t('Authorization'),
    refundId: _t('PayPal refund'),
    payer: _t('Payer'),
    status: _t('Status detail'),
    review: _t('Needs review'),
    refunds: _t('Refunds'),
    captures: _t('Captures'),
    dispute: _t('Dispute'),
    due: _t('Response due'),
    timeline: _t('Timeline'),
    timelineEmpty: _t('Nothing recorded by the PayPal Bridge service for this payment yet.'),
    sync: _t('Sync from PayPal'),
    refund: _t('Refund'),
    captureAction: _t('Capture'),
    voidAction: _t('Void'),
    replay: _t('Replay'),
    open: _t('Open'),
    source: _t('Refund of'),
    loading: _t('Loading…'),
    refundAmount: _t('Amount to refund'),
    captureAmount: _t('Amount to capture'),
  };
}

export class PayPalTransactionPanel extends Component<TransactionPanelProps> {
  static override template = xml`
    <div class="o_paypal_tx_panel d-flex flex-column gap-3" t-att-data-reference="state.detail ? state.detail.tx.reference : ''" t-att-aria-busy="state.busy ? 'true' : 'false'">
      <div t-if="state.loadError" class="alert alert-danger mb-0" role="alert" t-esc="state.loadError"/>
      <div t-elif="!state.detail" class="text-muted" t-esc="t.loading"/>
      <t t-else="">
        <t t-set="d" t-value="state.detail"/>
        <div class="d-flex align-items-center gap-2 flex-wrap">
          <h4 class="o_paypal_tx_reference mb-0" t-esc="d.tx.reference"/>
          <span t-attf-class="o_paypal_tx_state badge rounded-pill {{stateBadge(d.tx.state)}}" t-esc="stateLabel(d.tx.state)"/>
          <span t-if="d.tx.paypal_refund_status !== 'none'" class="badge rounded-pill text-bg-light border" t-esc="refundStatusLabel(d.tx.paypal_refund_status)"/>
          <span t-if="d.tx.paypal_needs_review" class="badge rounded-pill text-bg-warning" t-esc="t.review"/>
          <button t-if="props.showFormButton" type="button" class="btn btn-link btn-sm ms-auto o_paypal_open_form" t-on-click="openForm" t-esc="t.open"/>
        </div>
        <div t-if="d.tx.paypal_needs_review and d.tx.paypal_review_reason" class="alert alert-warning mb-0 text-prewrap" role="alert" t-esc="d.tx.paypal_review_reason"/>

        <table class="table table-sm mb-0 o_paypal_tx_amounts">
          <tbody>
            <tr><th class="fw-normal text-muted" t-esc="t.amount"/><td class="text-end o_paypal_amount" t-esc="money(d.tx.amount)"/></tr>
            <tr t-if="d.tx.paypal_capture_id"><th class="fw-normal text-muted" t-esc="t.fee"/><td class="text-end o_paypal_fee" t-esc="money(d.tx.paypal_fee)"/></tr>
            <tr t-if="d.tx.paypal_capture_id"><th class="fw-normal text-muted" t-esc="t.net"/><td class="text-end o_paypal_net" t-esc="money(d.tx.paypal_net_amount)"/></tr>
            <tr t-if="d.refunds.length"><th class="fw-normal text-muted" t-esc="t.refunded"/><td class="text-end o_paypal_refunded" t-esc="minorMoney(refundedMinor)"/></tr>
            <tr t-if="canRefund"><th class="fw-normal text-muted" t-esc="t.leftToRefund"/><td class="text-end fw-bold o_paypal_refundable" t-esc="minorMoney(d.refundable)"/></tr>
            <tr t-if="canCapture"><th class="fw-normal text-muted" t-esc="t.leftToCapture"/><td class="text-end fw-bold o_paypal_capturable" t-esc="minorMoney(d.capturable)"/></tr>
          </tbody>
        </table>

        <dl class="row mb-0 small o_paypal_tx_ids">
          <t t-if="d.tx.partner_id"><dt class="col-5 fw-normal text-muted" t-esc="t.customer"/><dd class="col-7 mb-1" t-esc="d.tx.partner_id[1]"/></t>
          <t t-if="d.saleOrders.length"><dt class="col-5 fw-normal text-muted" t-esc="t.orders"/><dd class="col-7 mb-1" t-esc="saleOrderNames"/></t>
          <t t-if="d.tx.source_transaction_id"><dt class="col-5 fw-normal text-muted" t-esc="t.source"/>
            <dd class="col-7 mb-1"><a href="#" t-on-click.prevent="() => this.open(d.tx.source_transaction_id[0])" t-esc="d.tx.source_transaction_id[1]"/></dd></t>
          <t t-if="d.tx.paypal_order_id"><dt class="col-5 fw-normal text-muted" t-esc="t.order"/><dd class="col-7 mb-1 font-monospace" t-esc="d.tx.paypal_order_id"/></t>
          <t t-if="d.tx.paypal_authorization_id"><dt class="col-5 fw-normal text-muted" t-esc="t.authorization"/>
            <dd class="col-7 mb-1"><span class="font-monospace" t-esc="d.tx.paypal_authorization_id"/> <span t-if="d.tx.paypal_authorization_expiry" class="text-muted" t-esc="expiry"/></dd></t>
          <t t-if="d.tx.paypal_capture_id"><dt class="col-5 fw-normal text-muted" t-esc="t.capture"/><dd class="col-7 mb-1 font-monospace o_paypal_capture_id" t-esc="d.tx.paypal_capture_id"/></t>
          <t t-if="d.tx.paypal_refund_id"><dt class="col-5 fw-normal text-muted" t-esc="t.refundId"/><dd class="col-7 mb-1 font-monospace" t-esc="d.tx.paypal_refund_id"/></t>
          <t t-if="d.tx.paypal_payer_id or d.tx.paypal_payer_email"><dt class="col-5 fw-normal text-muted" t-esc="t.payer"/>
            <dd class="col-7 mb-1"><span class="font-monospace" t-esc="d.tx.paypal_payer_id or ''"/> <span t-esc="d.tx.paypal_payer_email or ''"/></dd></t>
          <t t-if="d.tx.paypal_status_detail"><dt class="col-5 fw-normal text-muted" t-esc="t.status"/><dd class="col-7 mb-1" t-esc="d.tx.paypal_status_detail"/></t>
        </dl>

        <div class="d-flex flex-wrap gap-2 o_paypal_actions">
          <button type="button" class="btn btn-secondary btn-sm o_paypal_sync" t-att-disabled="!!state.busy" t-on-click="onSync" t-esc="t.sync"/>
          <button t-if="canCapture" type="button" class="btn btn-secondary btn-sm o_paypal_void" t-att-disabled="!!state.busy" t-on-click="onVoid" t-esc="t.voidAction"/>
        </div>

        <form t-if="canRefund" class="o_paypal_refund_form" t-on-submit.prevent="onRefund" novalidate="">
          <label class="form-label small text-muted mb-1" t-att-for="refundInputId" t-esc="t.refundAmount"/>
          <div class="input-group input-group-sm has-validation">
            <input t-att-id="refundInputId" type="text" inputmode="decimal" autocomplete="off" t-attf-class="form-control o_paypal_refund_amount {{state.refundProblem ? 'is-invalid' : ''}}"
                   t-att-value="state.refundAmount" t-on-input="onRefundInput" t-att-aria-invalid="state.refundProblem ? 'true' : 'false'"/>
            <span class="input-group-text" t-esc="d.currency"/>
            <button type="submit" class="btn btn-primary o_paypal_refund" t-att-disabled="!!state.busy" t-esc="t.refund"/>
            <div t-if="state.refundProblem" class="invalid-feedback o_paypal_refund_problem" role="alert" t-esc="state.refundProblem"/>
          </div>
        </form>

        <form t-if="canCapture" class="o_paypal_capture_form" t-on-submit.prevent="onCapture" novalidate="">
          <label class="form-label small text-muted mb-1" t-att-for="captureInputId" t-esc="t.captureAmount"/>
          <div class="input-group input-group-sm has-validation">
            <input t-att-id="captureInputId" type="text" inputmode="decimal" autocomplete="off" t-attf-class="form-control o_paypal_capture_amount {{state.captureProblem ? 'is-invalid' : ''}}"
                   t-att-value="state.captureAmount" t-on-input="onCaptureInput" t-att-aria-invalid="state.captureProblem ? 'true' : 'false'"/>
            <span class="input-group-text" t-esc="d.currency"/>
            <button type="submit" class="btn btn-primary o_paypal_capture" t-att-disabled="!!state.busy" t-esc="t.captureAction"/>
            <div t-if="state.captureProblem" class="invalid-feedback o_paypal_capture_problem" role="alert" t-esc="state.captureProblem"/>
          </div>
        </form>

        <div t-if="d.refunds.length" class="o_paypal_refunds">
          <h5 class="fs-6 mb-1" t-esc="t.refunds"/>
          <ChildTransactions records="d.refunds" currency="d.currency" onOpen="(id) => this.open(id)"/>
        </div>
        <div t-if="d.captures.length" class="o_paypal_captures">
          <h5 class="fs-6 mb-1" t-esc="t.captures"/>
          <ChildTransactions records="d.captures" currency="d.currency" onOpen="(id) => this.open(id)"/>
        </div>

        <div t-foreach="d.disputes" t-as="dispute" t-key="dispute.id" class="alert alert-danger mb-0 o_paypal_dispute" role="status">
          <strong t-esc="t.dispute"/> <span class="font-monospace" t-esc="dispute.dispute_id"/>:
          <span t-esc="disputeStatusLabel(dispute.status)"/> · <span t-esc="money(dispute.amount, dispute)"/>
          <t t-if="dispute.status !== 'RESOLVED'"> · <span t-esc="t.due"/> <span t-esc="deadline(dispute.seller_response_due_date)"/></t>
        </div>

        <div class="o_paypal_timeline">
          <h5 class="fs-6 mb-1" t-esc="t.timeline"/>
          <div t-if="state.timelineError" class="alert alert-warning mb-0 small o_paypal_timeline_error" role="alert" t-esc="state.timelineError"/>
          <div t-elif="!state.timeline" class="text-muted small" t-esc="t.loading"/>
          <div t-elif="!state.timeline.length" class="text-muted small" t-esc="t.timelineEmpty"/>
          <ol t-else="" class="list-group list-group-flush small">
            <li t-foreach="state.timeline" t-as="entry" t-key="entry_index" class="list-group-item px-0 d-flex gap-2 align-items-start o_paypal_timeline_entry" t-att-data-kind="entry.kind" t-att-data-outcome="entry.outcome">
              <span class="text-muted text-nowrap flex-shrink-0" t-esc="formatDateTime(entry.at)"/>
              <span t-attf-class="badge flex-shrink-0 {{entry.outcome === 'error' ? 'text-bg-danger' : entry.outcome === 'ok' ? 'text-bg-success' : 'text-bg-light border'}}" t-esc="timelineKindLabel(entry.kind)"/>
              <span class="flex-grow-1 text-break" t-esc="entry.summary"/>
              <button t-if="entry.kind === 'webhook.received' and entry.outcome === 'error' and entry.event_id" type="button"
                      class="btn btn-link btn-sm p-0 o_paypal_replay" t-att-disabled="!!state.busy" t-on-click="() => this.onReplay(entry.event_id)" t-esc="t.replay"/>
            </li>
          </ol>
        </div>
      </t>
    </div>`;

  static components = { ChildTransactions };

  static override props = {
    transactionId: Number,
    onChanged: { type: Function, optional: true },
    onOpenTransaction: { type: Function, optional: true },
    showFormButton: { type: Boolean, optional: true },
  };

  state!: PanelState;
  t!: ReturnType<typeof texts>;
  private api!: AdminApi;
  private readonly keys = new ActionKeys();
  private orm!: ORM;
  private notification!: NotificationService;
  private dialog!: DialogService;
  private action!: ActionService;
  private loadSeq = 0;

  readonly stateLabel = stateLabel;
  readonly stateBadge = stateBadge;
  readonly refundStatusLabel = refundStatusLabel;
  readonly disputeStatusLabel = disputeStatusLabel;
  readonly timelineKindLabel = timelineKindLabel;

  override setup(): void {
    this.t = texts();
    this.state = useState<PanelState>({
      detail: null,
      loadError: null,
      timeline: null,
      timelineError: null,
      refundAmount: '',
      captureAmount: '',
      refundProblem: null,
      captureProblem: null,
      busy: null,
    });
    this.orm = useService('orm');
    this.notification = useService('notification');
    this.dialog = useService('dialog');
    this.action = useService('action');
    this.api = adminApiFor(this.env as { services: { orm: ORM } });
    onWillStart(() => this.load(this.props.transactionId));
    onWillUpdateProps((next: TransactionPanelProps) => {
      if (next.transactionId !== this.props.transactionId) {
        this.state.detail = null;
        this.state.timeline = null;
        return this.load(next.transactionId);
      }
      return undefined;
    });
  }

  get refundInputId(): string {
    return `o_paypal_refund_amount_${this.props.transactionId}`;
  }

  get captureInputId(): string {
    return `o_paypal_capture_amount_${this.props.transactionId}`;
  }

  get canRefund(): boolean {
    return !!this.state.detail && this.state.detail.refundable > 0;
  }

  get canCapture(): boolean {
    return !!this.state.detail && this.state.detail.capturable > 0;
  }

  get refundedMinor(): number {
    const d = this.state.detail;
    if (!d) return 0;
    return d.refunds.filter((r) => r.state === 'done').reduce((sum, r) => sum + Math.abs(toMinor(r.amount, d.currency)), 0);
  }

  get saleOrderNames(): string {
    return this.state.detail?.saleOrders.map((o) => o.name).join(', ') ?? '';
  }

  get expiry(): string {
    const d = this.state.detail;
    return d?.tx.paypal_authorization_expiry ? _t('expires %s', formatDateTime(d.tx.paypal_authorization_expiry, user.lang)) : '';
  }

  onRefundInput(ev: Event): void {
    this.state.refundAmount = (ev.target as HTMLInputElement).value;
    this.state.refundProblem = null;
  }

  onCaptureInput(ev: Event): void {
    this.state.captureAmount = (ev.target as HTMLInputElement).value;
    this.state.captureProblem = null;
  }

  formatDateTime(value: string): string {
    return formatDateTime(value, user.lang);
  }

  deadline(value: string | false): string {
    return formatDeadline(value, new Date(), user.lang);
  }

  money(amount: number, record?: { currency_id: [number, string] | false }): string {
    const currency = record ? currencyOf(record) : (this.state.detail?.currency ?? '');
    return displayMoney(toMinor(amount, currency), currency, user.lang);
  }

  minorMoney(minor: number): string {
    const currency = this.state.detail?.currency ?? '';
    return displayMoney(minor, currency, user.lang);
  }

  open(id: number): void {
    if (this.props.onOpenTransaction) this.props.onOpenTransaction(id);
    else void this.action.doAction({ type: 'ir.actions.act_window', res_model: 'payment.transaction', res_id: id, views: [[false, 'form']] });
  }

  openForm(): void {
    void this.action.doAction({ type: 'ir.actions.act_window', res_model: 'payment.transaction', res_id: this.props.transactionId, views: [[false, 'form']] });
  }

  /** Re-reads the transaction from Odoo and its timeline from the service. */
  async load(id: number): Promise<void> {
    const seq = ++this.loadSeq;
    try {
      const detail = await loadTransactionDetail(this.orm, id);
      if (seq !== this.loadSeq) return;
      this.state.detail = detail;
      this.state.loadError = null;
      this.state.refundAmount = detail.refundable > 0 ? formatMinor(detail.refundable, detail.currency) : '';
      this.state.captureAmount = detail.capturable > 0 ? formatMinor(detail.capturable, detail.currency) : '';
      this.state.refundProblem = null;
      this.state.captureProblem = null;
      void this.loadTimeline(detail.tx.reference, seq);
    } catch (err) {
      if (seq === this.loadSeq) this.state.loadError = errorText(err);
    }
  }

  private async loadTimeline(reference: string, seq: number): Promise<void> {
    try {
      const answer = await this.api.timeline(reference);
      if (seq !== this.loadSeq) return;
      this.state.timeline = answer.timeline;
      this.state.timelineError = null;
    } catch (err) {
      if (seq === this.loadSeq) this.state.timelineError = errorText(err);
    }
  }

  /** Checks an amount box against what is left; the problem to show, or the amount in minor units. */
  private checkAmount(text: string, max: number, tooMuch: (max: string) => string): { minor: number } | { problem: string } {
    const d = this.state.detail as TxDetail;
    const parsed = parseAmountInput(text, d.currency);
    if (!parsed.ok) {
      if (parsed.problem === 'decimals') return { problem: _t('%s amounts have at most %s decimals.', d.currency, String(currencyDecimals(d.currency))) };
      if (parsed.problem === 'zero') return { problem: _t('Enter an amount greater than zero.') };
      return { problem: _t('Enter an amount such as 10.00.') };
    }
    if (parsed.minor > max) return { problem: tooMuch(displayMoney(max, d.currency, user.lang)) };
    return { minor: parsed.minor };
  }

  private confirm(title: string, body: string, confirmLabel: string, run: () => Promise<void>): void {
    this.dialog.add(ConfirmationDialog, { title, body, confirmLabel, confirm: run, cancel: () => undefined });
  }

  /**
   * Runs one action against the service: the result (or the error) in a notification, the
   * idempotency key spent once the service answered, then the transaction re-read from Odoo.
   */
  private async run(keyName: string | null, call: () => Promise<ActionAnswer | { event_id: string }>, success: (answer: ActionAnswer | { event_id: string }) => string): Promise<void> {
    const id = this.props.transactionId;
    this.state.busy = keyName ?? 'action';
    try {
      const answer = await call();
      if (keyName) this.keys.settle(keyName);
      this.notification.add(success(answer), { type: 'success' });
    } catch (err) {
      if (keyName && !(err instanceof AdminServiceError && err.outcomeUnknown)) this.keys.settle(keyName);
      this.notification.add(errorText(err), { type: 'danger', title: _t('PayPal Bridge'), sticky: true });
    } finally {
      this.state.busy = null;
    }
    await this.load(id);
    this.props.onChanged?.(id);
  }

  onSync(): void {
    const d = this.state.detail;
    if (!d) return;
    const reference = d.tx.reference;
    this.confirm(_t('Sync from PayPal'), _t("Read %s's payment at PayPal and apply what PayPal says to Odoo?", reference), _t('Sync'), () =>
      this.run(null, () => this.api.sync(reference), (a) => _t('%s synced from PayPal: %s', reference, (a as ActionAnswer).detail)),
    );
  }

  onRefund(): void {
    const d = this.state.detail;
    if (!d) return;
    const checked = this.checkAmount(this.state.refundAmount, d.refundable, (max) => _t('At most %s can still be refunded.', max));
    if ('problem' in checked) {
      this.state.refundProblem = checked.problem;
      return;
    }
    const reference = d.tx.reference;
    const amount = formatMinor(checked.minor, d.currency);
    const shown = displayMoney(checked.minor, d.currency, user.lang);
    const keyName = `refund:${reference}:${amount}`;
    this.confirm(
      _t('Refund through PayPal'),
      _t('Refund %s of %s to the customer through PayPal? PayPal sends the money back at once; this cannot be undone.', shown, reference),
      _t('Refund'),
      () => this.run(keyName, () => this.api.refund(reference, amount, this.keys.key(keyName)), (a) => _t('PayPal refunded %s of %s (refund %s, %s).', shown, reference, (a as ActionAnswer).refund_id ?? '', (a as ActionAnswer).refund_status ?? '')),
    );
  }

  onCapture(): void {
    const d = this.state.detail;
    if (!d) return;
    const checked = this.checkAmount(this.state.captureAmount, d.capturable, (max) => _t('At most %s can still be captured.', max));
    if ('problem' in checked) {
      this.state.captureProblem = checked.problem;
      return;
    }
    const reference = d.tx.reference;
    const amount = formatMinor(checked.minor, d.currency);
    const shown = displayMoney(checked.minor, d.currency, user.lang);
    const keyName = `capture:${reference}:${amount}`;
    const partial = checked.minor < d.capturable;
    this.confirm(
      _t('Capture through PayPal'),
      partial
        ? _t('Capture %s of the authorization of %s? The rest stays authorized until you capture or void it.', shown, reference)
        : _t('Capture %s, all that is left of the authorization of %s?', shown, reference),
      _t('Capture'),
      () => this.run(keyName, () => this.api.capture(reference, amount, this.keys.key(keyName)), (a) => _t('PayPal captured %s of %s (capture %s).', shown, reference, (a as ActionAnswer).capture_id ?? '')),
    );
  }

  onVoid(): void {
    const d = this.state.detail;
    if (!d) return;
    const reference = d.tx.reference;
    const left = displayMoney(d.capturable, d.currency, user.lang);
    const keyName = `void:${reference}`;
    this.confirm(
      _t('Void the authorization'),
      _t('Void what is left of the authorization of %s (%s)? The customer will not be charged that amount; this cannot be undone.', reference, left),
      _t('Void'),
      () => this.run(keyName, () => this.api.voidAuthorization(reference, this.keys.key(keyName)), () => _t('PayPal voided the authorization of %s.', reference)),
    );
  }

  onReplay(eventId: string | null): void {
    if (!eventId) return;
    this.confirm(_t('Replay the webhook'), _t('Apply PayPal event %s to Odoo again? It failed for good before; replay it once the cause is fixed.', eventId), _t('Replay'), () =>
      this.run(null, () => this.api.replay(eventId), () => _t('Event %s is queued again; the service applies it in a moment.', eventId)),
    );
  }
}

