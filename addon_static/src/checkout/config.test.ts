import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BridgeConfigError, checkoutValuesOf, parseBridgeConfig } from './config.ts';

const valid = { client_id: 'AbC-123', currency: 'EUR', intent: 'authorize', sdk_url: 'https://www.paypal.com/sdk/js' };

describe('parseBridgeConfig', () => {
  test('reads what the payment form template renders', () => {
    assert.deepEqual(parseBridgeConfig(JSON.stringify(valid)), { clientId: 'AbC-123', currency: 'EUR', intent: 'authorize', sdkUrl: 'https://www.paypal.com/sdk/js' });
  });

  test('names the first value that is missing or wrong', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...valid, client_id: '' }, /invalid client_id ""/],
      [{ ...valid, currency: 'usd' }, /invalid currency "usd"/],
      [{ ...valid, intent: 'sale' }, /invalid intent "sale"/],
      [{ ...valid, sdk_url: 'https://www.paypal.com/sdk/js?client-id=x' }, /invalid sdk_url/],
      [{ ...valid, sdk_url: 'javascript:alert(1)' }, /invalid sdk_url/],
      [{ currency: 'USD' }, /invalid client_id null/],
    ];
    for (const [config, message] of cases) {
      assert.throws(() => parseBridgeConfig(JSON.stringify(config)), (err: unknown) => err instanceof BridgeConfigError && message.test(err.message) && /PayPal provider/.test(err.message));
    }
  });

  test('refuses a missing or malformed attribute, saying what to do', () => {
    for (const raw of [undefined, '', '{not json', '[1]', 'null']) {
      assert.throws(() => parseBridgeConfig(raw), BridgeConfigError);
    }
    assert.throws(() => parseBridgeConfig(undefined), /update the paypal_bridge module/);
  });
});

describe('checkoutValuesOf', () => {
  test('takes the token, service URL and reference of a bridge transaction', () => {
    assert.deepEqual(checkoutValuesOf({ bridge_checkout_token: 'pbt1.a.b', bridge_public_url: 'https://pay.example.com/', reference: 'S00042-1', amount: '10.00' }), {
      token: 'pbt1.a.b',
      serviceUrl: 'https://pay.example.com',
      reference: 'S00042-1',
    });
  });

  test('is null for processing values without a checkout token (Odoo\'s own PayPal flow)', () => {
    assert.equal(checkoutValuesOf({ order_id: '5O190127TN364715T', reference: 'S1' }), null);
  });

  test('refuses a bridge transaction without a usable service URL or reference', () => {
    assert.throws(() => checkoutValuesOf({ bridge_checkout_token: 't', bridge_public_url: '', reference: 'S1' }), /Public Service URL/);
    assert.throws(() => checkoutValuesOf({ bridge_checkout_token: 't', bridge_public_url: 'https://x', reference: '' }), /without a reference/);
  });
});
