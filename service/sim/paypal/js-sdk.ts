// A stand-in of PayPal's JS SDK (https://www.paypal.com/sdk/js), served by the simulator for
// browser tests, plus the test routes that drive it. Not PayPal's code: a small script of our
// own (js-sdk.browser.js) implementing the part of `window[namespace]` the bridge's buttons use:
// Buttons({fundingSource, style, createOrder, onApprove, onCancel, onError, onInit, onClick})
// with isEligible(), render(container), close(); FUNDING; getFundingSources(); isFundingEligible().
//
//   GET  /sdk/js?client-id=…&components=buttons&currency=USD&intent=capture&enable-funding=venmo,paylater
//        The script, as @paypal/paypal-js's loadScript() requests it (sdkBaseUrl + query; the
//        namespace comes from the script tag's data-namespace attribute, as with PayPal's).
//        400 with a throwing script for a missing or unknown client-id, like PayPal.
//   GET  /__sim/sdk/settings                       → {buyer, patchAmount, eligibility}
//   POST /__sim/sdk/settings  {buyer?, patchAmount?, eligibility?: {venmo?: false, …}, reset?: true}
//   GET  /__sim/sdk/orders/:id                    → {id, intent, status, currency, amount, payer_id}
//   POST /__sim/sdk/orders/:id/patch-amount {value}  the buyer-side order.patch() of a tampering page
//
// What a click on a rendered button does (the "buyer", chosen by the test with `buyer`):
//   onClick → createOrder → (intent and currency of the order checked against the script's, as
//   PayPal does) → the buyer acts at PayPal through the simulator (POST /__sim/orders/:id/approve):
//   approve               approve, then onApprove({orderID, payerID}, actions)
//   cancel                onCancel({orderID})
//   decline-then-approve  approve with a failing funding source, onApprove; actions.restart()
//                         approves again (another source) and calls onApprove again
//   approve-then-close    approve, then nothing: the shopper's browser died before onApprove
//   patch-amount          change the order's amount (patchAmount) as a tampering page could with
//                         actions.order.patch(), then approve and onApprove
// A disabled button (actions.disable() from onInit) only calls onClick, as PayPal's does. Unlike
// PayPal's (whose popup swallows a second click), every click runs the whole sequence: double
// clicks reach the page's callbacks twice, which is what its guards must absorb.
// Everything the script does is logged in window.__paypalSimLog for the tests.
//
// These routes answer cross-origin requests (CORS), since the script runs on the shop's origin.
import express from 'express';
import * as fs from 'node:fs';
import { formatAmount, money, parseAmount } from './money.ts';
import type { SimContext } from './state.ts';

export type SdkBuyer = 'approve' | 'cancel' | 'decline-then-approve' | 'approve-then-close' | 'patch-amount';

export const SDK_BUYERS: readonly SdkBuyer[] = ['approve', 'cancel', 'decline-then-approve', 'approve-then-close', 'patch-amount'];

export const SDK_FUNDING_SOURCES = ['paypal', 'venmo', 'paylater', 'card', 'credit'] as const;

export interface SdkSettings {
  buyer: SdkBuyer;
  /** The amount patch-amount sets (in the order's currency). */
  patchAmount: string;
  /** Overrides of the default eligibility per funding source. */
  eligibility: Partial<Record<string, boolean>>;
}

const DEFAULT_SETTINGS: SdkSettings = { buyer: 'approve', patchAmount: '0.01', eligibility: {} };

/** Currencies in which PayPal offers Pay Later (its documented markets). */
const PAY_LATER_CURRENCIES = new Set(['USD', 'GBP', 'EUR', 'AUD']);

const browserScript = fs.readFileSync(new URL('./js-sdk.browser.js', import.meta.url), 'utf8').trim().replace(/;$/, '');

/**
 * Which funding sources PayPal offers for these script parameters: PayPal and cards always;
 * Pay Later and Venmo only when enabled (enable-funding) and in their markets; anything listed in
 * disable-funding never; then the test's overrides.
 */
export function eligibility(query: { currency: string; enableFunding: string[]; disableFunding: string[] }, overrides: SdkSettings['eligibility']): Record<string, boolean> {
  const result: Record<string, boolean> = {
    paypal: true,
    card: true,
    credit: false,
    paylater: query.enableFunding.includes('paylater') && PAY_LATER_CURRENCIES.has(query.currency),
    venmo: query.enableFunding.includes('venmo') && query.currency === 'USD',
  };
  for (const source of query.disableFunding) if (source in result) result[source] = false;
  for (const [source, eligible] of Object.entries(overrides)) if (source in result && typeof eligible === 'boolean') result[source] = eligible;
  return result;
}

function list(value: unknown): string[] {
  return typeof value === 'string' && value !== '' ? value.split(',').map((v) => v.trim().toLowerCase()) : [];
}

function sdkError(res: express.Response, message: string): void {
  res.status(400).type('application/javascript').send(`throw new Error(${JSON.stringify(`SDK Validation error: ${message}`)});\n`);
}

export function createJsSdkRouter(ctx: SimContext, clientId: string): express.Router {
  const router = express.Router();
  let settings: SdkSettings = structuredClone(DEFAULT_SETTINGS);

  router.use(['/sdk', '/__sim'], (req, res, next) => {
    res.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '600' });
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });

  router.get('/sdk/js', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const givenClientId = typeof q['client-id'] === 'string' ? q['client-id'] : '';
    if (givenClientId === '') return sdkError(res, "Expected client-id to be passed");
    if (givenClientId !== clientId) return sdkError(res, `Invalid query value for client-id: ${givenClientId}`);
    const currency = typeof q['currency'] === 'string' && q['currency'] !== '' ? q['currency'].toUpperCase() : 'USD';
    if (!/^[A-Z]{3}$/.test(currency)) return sdkError(res, `Invalid query value for currency: ${currency}`);
    const intent = typeof q['intent'] === 'string' && q['intent'] !== '' ? q['intent'].toLowerCase() : 'capture';
    if (intent !== 'capture' && intent !== 'authorize') return sdkError(res, `Invalid query value for intent: ${intent}`);
    const components = list(q['components']);
    const config = {
      clientId,
      currency,
      intent,
      components: components.length > 0 ? components : ['buttons'],
      eligible: eligibility({ currency, enableFunding: list(q['enable-funding']), disableFunding: list(q['disable-funding']) }, settings.eligibility),
    };
    res.status(200).type('application/javascript').set('Cache-Control', 'no-store').send(`(${browserScript})(${JSON.stringify(config)});\n`);
  });

  const json = express.json({ limit: '100kb' });

  router.get('/__sim/sdk/settings', (_req, res) => void res.json(settings));

  router.post('/__sim/sdk/settings', json, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next: SdkSettings = body['reset'] === true ? structuredClone(DEFAULT_SETTINGS) : structuredClone(settings);
    if (body['buyer'] !== undefined) {
      if (!SDK_BUYERS.includes(body['buyer'] as SdkBuyer)) return void res.status(400).json({ error: `buyer must be one of ${SDK_BUYERS.join(', ')}` });
      next.buyer = body['buyer'] as SdkBuyer;
    }
    if (body['patchAmount'] !== undefined) {
      if (typeof body['patchAmount'] !== 'string') return void res.status(400).json({ error: 'patchAmount must be a decimal string' });
      next.patchAmount = body['patchAmount'];
    }
    if (body['eligibility'] !== undefined) {
      const given = body['eligibility'];
      if (typeof given !== 'object' || given === null || Object.values(given).some((v) => typeof v !== 'boolean')) {
        return void res.status(400).json({ error: 'eligibility must map funding sources to true/false' });
      }
      next.eligibility = { ...next.eligibility, ...(given as Record<string, boolean>) };
    }
    settings = next;
    res.json(settings);
  });

  router.get('/__sim/sdk/orders/:id', (req, res) => {
    const order = ctx.state.orders.get(req.params['id'] ?? '');
    if (!order) return void res.status(404).json({ error: `No order ${req.params['id']}` });
    const unit = order.purchaseUnits[0];
    res.json({
      id: order.id,
      intent: order.intent,
      status: order.status,
      currency: unit?.currency ?? null,
      amount: unit ? formatAmount(unit.amountMinor, unit.currency) : null,
      payer_id: order.payer?.payer_id ?? null,
    });
  });

  router.post('/__sim/sdk/orders/:id/patch-amount', json, (req, res) => {
    const order = ctx.state.orders.get(req.params['id'] ?? '');
    if (!order) return void res.status(404).json({ error: `No order ${req.params['id']}` });
    const unit = order.purchaseUnits[0];
    const value = (req.body as Record<string, unknown> | undefined)?.['value'];
    if (!unit || order.status !== 'CREATED' || typeof value !== 'string') return void res.status(409).json({ error: 'Only a CREATED order can be patched, with {value: "<decimal>"}' });
    const parsed = parseAmount(value, unit.currency);
    if (!parsed.ok) return void res.status(400).json({ error: `Invalid amount ${value}: ${parsed.problem}` });
    // PATCH replace /purchase_units/@reference_id=='…'/amount: the breakdown goes with the old amount.
    unit.amountMinor = parsed.minor;
    unit.request = { ...unit.request, amount: money(parsed.minor, unit.currency) };
    res.json({ id: order.id, amount: formatAmount(unit.amountMinor, unit.currency) });
  });

  return router;
}
