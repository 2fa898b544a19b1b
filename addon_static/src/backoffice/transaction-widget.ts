// The PayPal panel of the payment.transaction form (view widget "paypal_bridge_panel", placed by
// views/paypal_backoffice_views.xml for PayPal transactions): the same panel as the client
// action's detail pane. After one of its actions the form's record is reloaded; when the record
// changes by other means (Odoo's own Capture, Void or Refund buttons), the panel is rebuilt.
import { Component, xml } from './odoo.ts';
import { PayPalTransactionPanel } from './transaction-panel.ts';

/** What the panel reads of the form's record (a Record of Odoo's relational model). */
export interface FormRecord {
  resId: number | false;
  data: Record<string, unknown>;
  load(): Promise<void>;
}

/** Fields the form must load for the widget (registered as its fieldDependencies). */
export const WIDGET_FIELDS = [
  { name: 'state', type: 'selection' },
  { name: 'write_date', type: 'datetime' },
];

export class PayPalTransactionWidget extends Component<{ record: FormRecord; readonly?: boolean }> {
  static override template = xml`
    <div class="o_paypal_tx_widget border rounded p-3">
      <PayPalTransactionPanel t-if="props.record.resId" t-key="panelKey" transactionId="props.record.resId" onChanged.bind="onChanged"/>
    </div>`;

  static components = { PayPalTransactionPanel };
  static override props = { record: Object, readonly: { type: Boolean, optional: true } };

  /** Changes whenever the record is saved or reloaded with new values. */
  get panelKey(): string {
    const { resId, data } = this.props.record;
    return `${String(resId)}:${String(data['state'])}:${String(data['write_date'])}`;
  }

  async onChanged(): Promise<void> {
    await this.props.record.load();
  }
}
