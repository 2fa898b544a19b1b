// Loads PayPal's JS SDK through @paypal/paypal-js under a namespace of our own, so that it never
// clashes with another copy on the page (payment_paypal's, a theme's, a marketing snippet's,
// which all use window.paypal), and knows which buttons we offer.
import { loadScript, type FUNDING_SOURCE, type PayPalNamespace } from '@paypal/paypal-js';
import type { BridgeConfig } from './config.ts';

/** window.paypalBridge: the SDK instance our buttons use. */
export const SDK_NAMESPACE = 'paypalBridge';

/** The buttons we offer, in display order; PayPal decides which are eligible for the buyer. */
export const FUNDING_SOURCES: readonly FUNDING_SOURCE[] = ['paypal', 'venmo', 'paylater', 'card'];

/** Funding sources PayPal only shows when the merchant asks for them. */
const ENABLE_FUNDING = ['venmo', 'paylater'];

export type PayPalSdk = PayPalNamespace & Required<Pick<PayPalNamespace, 'Buttons'>>;

export async function loadPayPalSdk(config: BridgeConfig): Promise<PayPalSdk> {
  const sdk = await loadScript({
    sdkBaseUrl: config.sdkUrl,
    clientId: config.clientId,
    dataNamespace: SDK_NAMESPACE,
    components: 'buttons',
    currency: config.currency,
    intent: config.intent,
    enableFunding: ENABLE_FUNDING,
  });
  if (!sdk || typeof sdk.Buttons !== 'function') {
    throw new Error(`PayPal's JS SDK at ${config.sdkUrl} loaded without its Buttons component`);
  }
  return sdk as PayPalSdk;
}
