// PayPal disputes (paypal.dispute, read through the ORM), the nearest seller response deadline
// first: what needs an answer soonest is on top. A row opens its transaction.
import { _t, Component, onWillStart, user, useService, useState, xml } from './odoo.ts';
import type { ORM } from '@web/core/orm_service';
import { errorText } from './admin-env.ts';
import { disputeReasonLabel, disputeStatusLabel, formatDateTime, formatDeadline, parseServerDate } from './labels.ts';
import { displayMoney, toMinor } from './money.ts';
import { currencyOf, loadDisputes, type DisputeRecord } from './transactions.ts';

export interface DisputesListProps {
  onOpenTransaction: (id: number) => void;
}

export class PayPalDisputesList extends Component<DisputesListProps> {
  static override template = xml`
    <div class="o_paypal_disputes">
      <div class="form-check form-switch mb-2">
        <input class="form-check-input o_paypal_disputes_resolved" type="checkbox" role="switch" id="o_paypal_disputes_resolved" t-att-checked="state.includeResolved" t-on-change="toggleResolved"/>
        <label class="form-check-label" for="o_paypal_disputes_resolved" t-esc="t.includeResolved"/>
      </div>
      <div t-if="state.error" class="alert alert-danger" role="alert" t-esc="state.error"/>
      <div t-elif="state.disputes and !state.disputes.length" class="o_view_nocontent_neutral_face text-muted p-3" t-esc="t.none"/>
      <table t-elif="state.disputes" class="table table-sm table-hover o_list_table">
        <thead><tr>
          <th t-esc="t.due"/><th t-esc="t.dispute"/><th t-esc="t.status"/><th t-esc="t.reason"/><th t-esc="t.customer"/><th class="text-end" t-esc="t.amount"/><th t-esc="t.transaction"/>
        </tr></thead>
        <tbody>
          <tr t-foreach="state.disputes" t-as="dispute" t-key="dispute.id" class="o_data_row o_paypal_dispute_row" t-att-data-dispute-id="dispute.dispute_id"
              t-att-tabindex="dispute.transaction_id ? 0 : -1" t-on-click="() => this.open(dispute)" t-on-keydown="(ev) => this.onKeydown(ev, dispute)">
            <td t-attf-class="text-nowrap {{overdue(dispute) ? 'text-danger fw-bold' : ''}}" t-att-title="formatDateTime(dispute.seller_response_due_date)" t-esc="dispute.status === 'RESOLVED' ? '' : deadline(dispute)"/>
            <td class="font-monospace small" t-esc="dispute.dispute_id"/>
            <td t-esc="disputeStatusLabel(dispute.status)"/>
            <td t-esc="disputeReasonLabel(dispute.reason)"/>
            <td t-esc="dispute.partner_id ? dispute.partner_id[1] : ''"/>
            <td class="text-end" t-esc="money(dispute)"/>
            <td t-esc="dispute.transaction_id ? dispute.transaction_id[1] : ''"/>
          </tr>
        </tbody>
      </table>
    </div>`;

  static override props = { onOpenTransaction: Function };

  state!: { disputes: DisputeRecord[] | null; error: string | null; includeResolved: boolean };
  t!: Record<string, string>;
  readonly disputeStatusLabel = disputeStatusLabel;
  readonly disputeReasonLabel = disputeReasonLabel;
  private orm!: ORM;

  override setup(): void {
    this.t = {
      includeResolved: _t('Include resolved disputes'),
      none: _t('No PayPal dispute to answer.'),
      due: _t('Response due'),
      dispute: _t('Dispute'),
      status: _t('Status'),
      reason: _t('Reason'),
      customer: _t('Customer'),
      amount: _t('Amount'),
      transaction: _t('Transaction'),
    };
    this.state = useState({ disputes: null, error: null, includeResolved: false });
    this.orm = useService('orm');
    onWillStart(() => this.load());
  }

  async load(): Promise<void> {
    try {
      this.state.disputes = await loadDisputes(this.orm, this.state.includeResolved);
      this.state.error = null;
    } catch (err) {
      this.state.error = errorText(err);
    }
  }

  toggleResolved(ev: Event): void {
    this.state.includeResolved = (ev.target as HTMLInputElement).checked;
    void this.load();
  }

  overdue(dispute: DisputeRecord): boolean {
    const due = parseServerDate(dispute.seller_response_due_date);
    return dispute.status !== 'RESOLVED' && !!due && due.getTime() < Date.now();
  }

  deadline(dispute: DisputeRecord): string {
    return formatDeadline(dispute.seller_response_due_date, new Date(), user.lang);
  }

  formatDateTime(value: string | false): string {
    return formatDateTime(value, user.lang);
  }

  money(dispute: DisputeRecord): string {
    const currency = currencyOf(dispute);
    return currency ? displayMoney(toMinor(dispute.amount, currency), currency, user.lang) : '';
  }

  open(dispute: DisputeRecord): void {
    if (dispute.transaction_id) this.props.onOpenTransaction(dispute.transaction_id[0]);
  }

  onKeydown(ev: KeyboardEvent, dispute: DisputeRecord): void {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      this.open(dispute);
    }
  }
}
