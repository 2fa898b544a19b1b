// Entry of the website checkout asset (web.assets_frontend): compiled by scripts/build-addon.ts to
// odoo_addon/paypal_bridge/static/src/checkout/index.js, which Odoo loads as the module
// "@paypal_bridge/checkout".
import './payment-form-patch.ts';

export { PayPalBridgeButtons } from './paypal-bridge-buttons.ts';
