import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PayPalRequestError } from './paypal-errors.ts';
import { assertValidRequestId, PAYPAL_REQUEST_ID_MAX_LENGTH, stableRequestId } from './request-id.ts';

describe('assertValidRequestId', () => {
  it('accepts 1..108 printable ASCII characters', () => {
    assertValidRequestId('odoo-tx-S00042-1-capture', 'orders.capture');
    assertValidRequestId('odoo-tx-INV/2025/00001-1-refund-1', 'captures.refund');
    assertValidRequestId('x'.repeat(PAYPAL_REQUEST_ID_MAX_LENGTH), 'orders.capture');
  });

  it('refuses missing, too long, spaced and non-ASCII keys with a message saying what to do', () => {
    for (const bad of [undefined, '', 'x'.repeat(PAYPAL_REQUEST_ID_MAX_LENGTH + 1), 'odoo tx 1', 'odoo-tx-\n', 'odoo-tx-é']) {
      assert.throws(
        () => assertValidRequestId(bad, 'orders.capture'),
        (err: unknown) => err instanceof PayPalRequestError && err.retryable === false && /odoo-tx-<reference>-capture/.test(err.message),
        JSON.stringify(bad),
      );
    }
  });
});

describe('stableRequestId', () => {
  it('joins short parts as they are', () => {
    assert.equal(stableRequestId('odoo-tx', 'S00042-1', 'capture'), 'odoo-tx-S00042-1-capture');
  });

  it('always gives a valid key, the same for the same parts, different for different parts', () => {
    const part = fc.string({ minLength: 1, maxLength: 150, unit: 'binary' });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), fc.array(part, { minLength: 1, maxLength: 4 }), (a, b) => {
        const ka = stableRequestId(...a);
        assertValidRequestId(ka, 'test');
        assert.equal(stableRequestId(...a), ka);
        if (a.join('-') !== b.join('-')) assert.notEqual(stableRequestId(...b), ka);
      }),
    );
  });

  it('keeps a readable prefix when it has to hash', () => {
    const key = stableRequestId('odoo-tx', 'R'.repeat(200), 'capture');
    assert.ok(key.startsWith('odoo-tx-RRR'), key);
    assert.ok(key.length <= PAYPAL_REQUEST_ID_MAX_LENGTH);
  });

  it('refuses empty parts', () => {
    assert.throws(() => stableRequestId(), PayPalRequestError);
    assert.throws(() => stableRequestId('odoo-tx', ''), PayPalRequestError);
  });
});
