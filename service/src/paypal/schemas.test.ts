import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { defaultSpecDir } from '../../sim/openapi/validator.ts';
import {
  AUTHORIZATION_STATUSES,
  CAPTURE_STATUSES,
  captureSchema,
  DISPUTE_LIFE_CYCLE_STAGES,
  DISPUTE_OUTCOME_CODES,
  DISPUTE_STATUSES,
  moneySchema,
  ORDER_STATUSES,
  orderSchema,
  REFUND_STATUSES,
} from './schemas.ts';
import { samples } from './test-server.ts';

type Json = Record<string, unknown>;
function spec(file: string): { components: { schemas: Record<string, Json> } } {
  return JSON.parse(fs.readFileSync(path.join(defaultSpecDir(), file), 'utf8')) as { components: { schemas: Record<string, Json> } };
}
function statusEnum(schema: Json | undefined): unknown {
  return ((schema?.['properties'] as Json | undefined)?.['status'] as Json | undefined)?.['enum'];
}

describe('schemas', () => {
  it('status enums are exactly those of PayPal\'s OpenAPI documents', () => {
    const orders = spec('checkout_orders_v2.json').components.schemas;
    const payments = spec('payments_payment_v2.json').components.schemas;
    const disputes = spec('customer_disputes_v1.json').components.schemas;
    assert.deepEqual(orders['order_status']?.['enum'], [...ORDER_STATUSES]);
    assert.deepEqual(statusEnum(payments['capture_status']), [...CAPTURE_STATUSES]);
    assert.deepEqual(statusEnum(payments['authorization_status']), [...AUTHORIZATION_STATUSES]);
    assert.deepEqual(statusEnum(payments['refund_status']), [...REFUND_STATUSES]);
    assert.deepEqual(disputes['status']?.['enum'], [...DISPUTE_STATUSES]);
    assert.deepEqual(disputes['dispute_lifecycle_stage']?.['enum'], [...DISPUTE_LIFE_CYCLE_STAGES]);
    assert.deepEqual(((disputes['dispute_outcome']?.['properties'] as Json)['outcome_code'] as Json)['enum'], [...DISPUTE_OUTCOME_CODES]);
  });

  it('money must be a currency code and a decimal string', () => {
    for (const value of ['10', '10.00', '-1.5', '.5', '0']) assert.ok(moneySchema.safeParse({ currency_code: 'EUR', value }).success, value);
    for (const money of [
      { currency_code: 'EUR', value: 10 },
      { currency_code: 'EUR', value: '1,00' },
      { currency_code: 'EUR', value: '1e3' },
      { currency_code: 'EURO', value: '1.00' },
      { currency_code: 'eur', value: '1.00' },
      { value: '1.00' },
    ]) {
      assert.equal(moneySchema.safeParse(money).success, false, JSON.stringify(money));
    }
  });

  it('unknown fields pass through; fields we rely on are required', () => {
    const parsed = orderSchema.parse({ ...samples.order(), brand_new_field: { x: 1 } });
    assert.deepEqual((parsed as Json)['brand_new_field'], { x: 1 });
    const { id: _id, ...withoutId } = samples.capture();
    assert.equal(captureSchema.safeParse(withoutId).success, false);
    const { amount: _amount, ...withoutAmount } = samples.capture();
    assert.equal(captureSchema.safeParse(withoutAmount).success, false);
    assert.equal(captureSchema.safeParse({ ...samples.capture(), status_details: { reason: 'SOME_NEW_REASON' } }).success, true, 'reasons are free text');
  });
});
