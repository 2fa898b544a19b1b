// The configuration the payment form template renders on our container
// (odoo_addon/paypal_bridge/views/payment_form_templates.xml, `data-paypal-bridge`), and the
// processing values Odoo answers when it creates a bridge transaction
// (odoo_addon/README.md, "Checkout processing values").

export type PayPalIntent = 'capture' | 'authorize';

export interface BridgeConfig {
  /** The provider's PayPal client id (`paypal_client_id`). */
  clientId: string;
  /** ISO 4217 code of the order's currency. */
  currency: string;
  /** `authorize` when the provider captures manually. */
  intent: PayPalIntent;
  /** Where PayPal's JS SDK is served (https://www.paypal.com/sdk/js unless configured). */
  sdkUrl: string;
}

/** What the browser needs from a bridge transaction to talk to the service. */
export interface CheckoutValues {
  token: string;
  /** The service's public base URL, without trailing slash. */
  serviceUrl: string;
  reference: string;
}

export class BridgeConfigError extends Error {
  override name = 'BridgeConfigError';
}

const CHECKS: Record<keyof BridgeConfig, [string, (value: string) => boolean]> = {
  clientId: ['client_id', (v) => v !== ''],
  currency: ['currency', (v) => /^[A-Z]{3}$/.test(v)],
  intent: ['intent', (v) => v === 'capture' || v === 'authorize'],
  // The SDK's parameters are added by the button: a base URL only, without query or fragment.
  sdkUrl: ['sdk_url', (v) => /^https?:\/\/[^?#\s]+$/.test(v)],
};

/**
 * Reads the container's `data-paypal-bridge` JSON ({client_id, currency, intent, sdk_url});
 * throws a BridgeConfigError naming the first value that is missing or wrong.
 */
export function parseBridgeConfig(raw: string | undefined): BridgeConfig {
  let source: unknown;
  try {
    source = JSON.parse(raw ?? '');
  } catch {
    throw new BridgeConfigError('the data-paypal-bridge attribute is missing or not JSON (update the paypal_bridge module)');
  }
  const config: Partial<Record<keyof BridgeConfig, string>> = {};
  for (const [field, [key, valid]] of Object.entries(CHECKS) as [keyof BridgeConfig, [string, (v: string) => boolean]][]) {
    const value = typeof source === 'object' && source !== null ? (source as Record<string, unknown>)[key] : undefined;
    if (typeof value !== 'string' || !valid(value)) {
      throw new BridgeConfigError(`invalid ${key} ${JSON.stringify(value ?? null)} (check the PayPal provider: PayPal Client ID, currency, capture setting; or the paypal_bridge.paypal_sdk_url system parameter)`);
    }
    config[field] = value;
  }
  return config as BridgeConfig;
}

/**
 * The bridge part of a transaction's processing values, or null when they are not a bridge
 * transaction's (no checkout token): then Odoo's own PayPal flow owns them.
 */
export function checkoutValuesOf(processingValues: Record<string, unknown>): CheckoutValues | null {
  const { bridge_checkout_token: token, bridge_public_url: serviceUrl, reference } = processingValues;
  if (typeof token !== 'string' || token === '') return null;
  if (typeof serviceUrl !== 'string' || !/^https?:\/\//.test(serviceUrl)) {
    throw new BridgeConfigError('Odoo returned no usable bridge_public_url: set the Public Service URL (or the Service URL) on the PayPal provider');
  }
  if (typeof reference !== 'string' || reference === '') throw new BridgeConfigError('Odoo returned a bridge transaction without a reference');
  return { token, serviceUrl: serviceUrl.replace(/\/+$/, ''), reference };
}
