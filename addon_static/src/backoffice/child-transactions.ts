// A transaction's refunds or partial captures (its child transactions), each opening on click.
import { Component, user, xml } from './odoo.ts';
import { stateBadge, stateLabel } from './labels.ts';
import { displayMoney, toMinor } from './money.ts';
import type { TxChild } from './transactions.ts';

export interface ChildTransactionsProps {
  records: TxChild[];
  currency: string;
  onOpen: (id: number) => void;
}

export class ChildTransactions extends Component<ChildTransactionsProps> {
  static override template = xml`
    <table class="table table-sm mb-0">
      <tbody>
        <tr t-foreach="props.records" t-as="child" t-key="child.id" class="o_paypal_child" t-att-data-reference="child.reference" t-att-data-state="child.state">
          <td><a href="#" t-on-click.prevent="() => props.onOpen(child.id)" t-esc="child.reference"/></td>
          <td class="font-monospace small" t-esc="child.paypal_refund_id or child.paypal_capture_id or ''"/>
          <td><span t-attf-class="badge rounded-pill {{stateBadge(child.state)}}" t-esc="stateLabel(child.state)"/></td>
          <td class="text-end" t-esc="money(child.amount)"/>
        </tr>
      </tbody>
    </table>`;

  static override props = { records: Array, currency: String, onOpen: Function };

  readonly stateBadge = stateBadge;
  readonly stateLabel = stateLabel;

  money(amount: number): string {
    return displayMoney(toMinor(amount, this.props.currency), this.props.currency, user.lang);
  }
}
