// Entry of the back-office asset (web.assets_backend): compiled by scripts/build-addon.ts to
// odoo_addon/paypal_bridge/static/src/backoffice/index.js, which Odoo loads as the module
// "@paypal_bridge/backoffice". Registers the "PayPal" client action and the transaction form's
// PayPal panel.
import { registry } from './odoo.ts';
import { PayPalBackoffice } from './backoffice-action.ts';
import { PayPalTransactionWidget, WIDGET_FIELDS } from './transaction-widget.ts';

registry.category('actions').add('paypal_bridge.backoffice', PayPalBackoffice);
registry.category('view_widgets').add('paypal_bridge_panel', {
  component: PayPalTransactionWidget,
  fieldDependencies: WIDGET_FIELDS,
});

export { PayPalBackoffice, PayPalTransactionWidget };
export { PayPalTransactionPanel } from './transaction-panel.ts';
export { PayPalHealthPanel } from './health-panel.ts';
export { PayPalDisputesList } from './disputes-list.ts';
export { PayPalReconcilePanel } from './reconcile-panel.ts';
