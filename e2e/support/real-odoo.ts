// Driving a real Odoo 18 with paypal_bridge installed, as an administrator and as a shopper, for
// e2e/real-odoo-checkout.test.ts: what an administrator would configure (over JSON-RPC, and the
// module's own key action through a web session), and the shopper's path through the website.
import type { BrowserContext, Page } from 'playwright-core';
import { createOdooClient, type OdooClient } from '../../service/src/odoo/json-rpc-client.ts';
import { createLogger } from '../../service/src/shared/logger.ts';

export interface RealOdooOptions {
  url: string;
  db: string;
  adminLogin: string;
  adminPassword: string;
}

export const SDK_URL_PARAMETER = 'paypal_bridge.paypal_sdk_url';

const PROVIDER_FIELDS = [
  'state',
  'is_published',
  'capture_manually',
  'paypal_email_account',
  'paypal_client_id',
  'paypal_bridge_enabled',
  'paypal_bridge_service_url',
  'paypal_bridge_public_url',
  'paypal_bridge_secret',
] as const;

export interface BridgeSettings {
  clientId: string;
  serviceUrl: string;
  secret: string;
  sdkUrl: string;
}

export interface RealOdooAdmin {
  client: OdooClient;
  providerId: number;
  /** Points the PayPal provider at our service and the simulator's SDK; `restore()` undoes it. */
  configure(settings: BridgeSettings): Promise<void>;
  restore(): Promise<void>;
  /** The module's "Generate service API key" action, through Odoo's identity check, in `context`'s web session. */
  generateServiceKey(context: BrowserContext): Promise<{ login: string; key: string }>;
  transaction(reference: string): Promise<{ state: string; amount: number; sale_order_ids: number[]; provider_reference: string | false } | undefined>;
  order(id: number): Promise<{ name: string; state: string; amount_total: number } | undefined>;
}

export async function connectRealOdoo(options: RealOdooOptions): Promise<RealOdooAdmin> {
  const url = options.url.replace(/\/+$/, '');
  const client = createOdooClient({ url, db: options.db, login: options.adminLogin, apiKey: options.adminPassword, logger: createLogger({ level: 'silent' }), timeoutMs: 120_000 });
  await client.authenticate();
  const [provider] = await client.call<(Record<(typeof PROVIDER_FIELDS)[number], unknown> & { id: number })[]>('payment.provider', 'search_read', [[['code', '=', 'paypal']]], {
    fields: [...PROVIDER_FIELDS],
    limit: 1,
  });
  if (!provider) throw new Error(`No PayPal provider on ${url} (db ${options.db}): install payment_paypal and paypal_bridge.`);
  const [method] = await client.call<{ id: number; active: boolean }[]>('payment.method', 'search_read', [[['code', '=', 'paypal']]], { fields: ['active'], limit: 1, context: { active_test: false } });
  if (!method) throw new Error(`No 'paypal' payment method on ${url}.`);
  const originalSdkUrl = await client.call<string | false>('ir.config_parameter', 'get_param', [SDK_URL_PARAMETER]);
  const original = Object.fromEntries(PROVIDER_FIELDS.map((f) => [f, provider[f]]));

  return {
    client,
    providerId: provider.id,
    async configure(settings) {
      await client.call('payment.provider', 'write', [
        [provider.id],
        {
          state: 'test',
          is_published: true,
          capture_manually: false,
          paypal_email_account: provider['paypal_email_account'] || 'sb-merchant@example.com',
          paypal_client_id: settings.clientId,
          paypal_bridge_enabled: true,
          paypal_bridge_service_url: settings.serviceUrl,
          paypal_bridge_public_url: settings.serviceUrl,
          paypal_bridge_secret: settings.secret,
        },
      ]);
      // Odoo refuses to activate a payment method before a provider that supports it is enabled.
      await client.call('payment.method', 'write', [[method.id], { active: true }]);
      await client.call('ir.config_parameter', 'set_param', [SDK_URL_PARAMETER, settings.sdkUrl]);
    },
    async restore() {
      const values = Object.fromEntries(Object.entries(original).map(([k, v]) => [k, v === null ? false : v]));
      await client.call('payment.provider', 'write', [[provider.id], values]);
      await client.call('payment.method', 'write', [[method.id], { active: method.active }]);
      await client.call('ir.config_parameter', 'set_param', [SDK_URL_PARAMETER, originalSdkUrl || false]);
    },
    async generateServiceKey(context) {
      const call = async <T>(path: string, params: Record<string, unknown>): Promise<T> => {
        const response = await context.request.post(`${url}${path}`, { data: { jsonrpc: '2.0', method: 'call', id: 1, params } });
        const body = (await response.json()) as { result?: T; error?: { data?: { name?: string; message?: string } } };
        if (body.error) throw new Error(`${path}: ${body.error.data?.name}: ${body.error.data?.message}`);
        return body.result as T;
      };
      const kw = (model: string, method: string, args: unknown[]) => call<KeyAction>(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs: {} });
      await call('/web/session/authenticate', { db: options.db, login: options.adminLogin, password: options.adminPassword });
      let action = await kw('payment.provider', 'action_paypal_bridge_generate_service_key', [[provider.id]]);
      if (action.res_model === 'res.users.identitycheck' && action.res_id) {
        await call(`/web/dataset/call_kw/res.users.identitycheck/write`, { model: 'res.users.identitycheck', method: 'write', args: [[action.res_id], { password: options.adminPassword }], kwargs: {} });
        action = await kw('res.users.identitycheck', 'run_check', [[action.res_id]]);
      }
      const key = action.context?.default_key;
      const login = action.context?.default_login;
      if (!key || !login) throw new Error(`paypal_bridge's key action answered no key: ${JSON.stringify(action).slice(0, 300)}`);
      return { login, key };
    },
    async transaction(reference) {
      const [tx] = await client.call<{ state: string; amount: number; sale_order_ids: number[]; provider_reference: string | false }[]>('payment.transaction', 'search_read', [[['reference', '=', reference]]], {
        fields: ['state', 'amount', 'sale_order_ids', 'provider_reference'],
      });
      return tx;
    },
    async order(id) {
      const [order] = await client.call<{ name: string; state: string; amount_total: number }[]>('sale.order', 'read', [[id]], { fields: ['name', 'state', 'amount_total'] });
      return order;
    },
  };
}

interface KeyAction {
  res_model?: string;
  res_id?: number;
  context?: { default_key?: string; default_login?: string };
}

/** Offline, pages of the website still name fonts and trackers on the internet: those failures are not the shop's. */
export function isOfflineNoise(text: string): boolean {
  return /net::ERR_NAME_NOT_RESOLVED|net::ERR_INTERNET_DISCONNECTED/.test(text);
}

/** Logs `login` in on the website. */
export async function logIn(page: Page, url: string, login: string, password: string): Promise<void> {
  await page.goto(`${url}/web/login`, { waitUntil: 'domcontentloaded' });
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', password);
  await page.click('.oe_login_form button[type="submit"]');
  await page.waitForURL((u) => !u.pathname.startsWith('/web/login'), { waitUntil: 'domcontentloaded' });
}

/** The shopper puts a demo product in the cart and goes through the checkout steps to /shop/payment. */
export async function reachPaymentPage(page: Page, url: string, productPath: string): Promise<void> {
  await page.goto(`${url}${productPath}`, { waitUntil: 'domcontentloaded' });
  await page.locator('#add_to_cart').first().click();
  await page.locator('.my_cart_quantity, .o_wsale_my_cart .badge').filter({ hasText: /[1-9]/ }).first().waitFor();
  await page.goto(`${url}/shop/checkout?try_skip_step=true`, { waitUntil: 'domcontentloaded' });
  if (!new URL(page.url()).pathname.startsWith('/shop/payment')) {
    // The delivery step: wait for the delivery method to be priced, then confirm.
    const confirm = page.locator('a[name="website_sale_main_button"]');
    await confirm.waitFor();
    await page.waitForFunction('!document.querySelector(\'a[name="website_sale_main_button"]\').classList.contains("disabled")');
    await confirm.click();
    await page.waitForURL(/\/shop\/payment/, { waitUntil: 'domcontentloaded' });
  }
}
