// Envelopes shaped after PayPal's webhook event (notifications_webhooks_v1 `event`) with resources
// from the Orders v2, Payments v2 and Disputes v1 schemas in service/sim/openapi/paypal-documents/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE_EVENT_TYPES, EVENT_CATALOGUE, isCatalogueEventType, partitionKeyOf } from './event-catalogue.ts';

const API = 'https://api.sandbox.paypal.com';

function envelope(eventType: string, resourceType: string, resource: Record<string, unknown>) {
  return {
    id: 'WH-2WR32451HC0233532-67976317FL4543714',
    event_version: '1.0',
    create_time: '2025-02-14T21:50:07.940Z',
    resource_type: resourceType,
    resource_version: '2.0',
    event_type: eventType,
    summary: 'test',
    resource,
    links: [{ href: `${API}/v1/notifications/webhooks-events/WH-2WR32451HC0233532-67976317FL4543714`, rel: 'self', method: 'GET' }],
  };
}

const capture = (extra: Record<string, unknown>) => ({
  id: '27M47624FP291604U',
  amount: { currency_code: 'EUR', value: '42.00' },
  final_capture: true,
  seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
  seller_receivable_breakdown: {
    gross_amount: { currency_code: 'EUR', value: '42.00' },
    paypal_fee: { currency_code: 'EUR', value: '1.69' },
    net_amount: { currency_code: 'EUR', value: '40.31' },
  },
  invoice_id: 'S00042',
  custom_id: 'S00042-1',
  status: 'COMPLETED',
  create_time: '2025-02-14T21:49:51Z',
  update_time: '2025-02-14T21:49:51Z',
  ...extra,
});

describe('event catalogue', () => {
  it('lists the 14 event types of service/ARCHITECTURE.md once each, each with a description', () => {
    assert.equal(EVENT_CATALOGUE.length, 14);
    assert.equal(new Set(CATALOGUE_EVENT_TYPES).size, 14);
    for (const e of EVENT_CATALOGUE) assert.ok(e.description.length > 10, e.type);
    assert.equal(isCatalogueEventType('PAYMENT.CAPTURE.REVERSED'), true);
    assert.equal(isCatalogueEventType('CHECKOUT.PAYMENT-APPROVAL.REVERSED'), true);
    assert.equal(isCatalogueEventType('VAULT.PAYMENT-TOKEN.CREATED'), false);
  });
});

describe('partitionKeyOf', () => {
  it('a capture groups by the order id in supplementary_data.related_ids', () => {
    const e = envelope(
      'PAYMENT.CAPTURE.COMPLETED',
      'capture',
      capture({
        supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
        links: [
          { href: `${API}/v2/payments/captures/27M47624FP291604U`, rel: 'self', method: 'GET' },
          { href: `${API}/v2/payments/captures/27M47624FP291604U/refund`, rel: 'refund', method: 'POST' },
        ],
      }),
    );
    assert.equal(partitionKeyOf(e), '5O190127TN364715T');
  });

  it('a capture without related ids groups by the order its rel="up" link names', () => {
    const e = envelope(
      'PAYMENT.CAPTURE.PENDING',
      'capture',
      capture({
        status: 'PENDING',
        status_details: { reason: 'PENDING_REVIEW' },
        links: [
          { href: `${API}/v2/payments/captures/27M47624FP291604U`, rel: 'self', method: 'GET' },
          { href: `${API}/v2/checkout/orders/8AA831015G517922L`, rel: 'up', method: 'GET' },
        ],
      }),
    );
    assert.equal(partitionKeyOf(e), '8AA831015G517922L');
  });

  it('a capture naming no order groups by its own id', () => {
    assert.equal(partitionKeyOf(envelope('PAYMENT.CAPTURE.DENIED', 'capture', capture({ status: 'DECLINED' }))), '27M47624FP291604U');
  });

  it('blank related ids are not keys', () => {
    const e = envelope('PAYMENT.CAPTURE.COMPLETED', 'capture', capture({ supplementary_data: { related_ids: { order_id: '  ' } } }));
    assert.equal(partitionKeyOf(e), '27M47624FP291604U');
  });

  it('an order event groups by the order id', () => {
    const e = envelope('CHECKOUT.ORDER.APPROVED', 'checkout-order', {
      id: '5O190127TN364715T',
      intent: 'CAPTURE',
      status: 'APPROVED',
      create_time: '2025-02-14T21:48:00Z',
      purchase_units: [{ reference_id: 'default', custom_id: 'S00042-1', invoice_id: 'S00042', amount: { currency_code: 'EUR', value: '42.00' } }],
      payer: { payer_id: 'QYR5Z8XDVJNXQ', email_address: 'buyer@example.com', name: { given_name: 'John', surname: 'Doe' } },
      links: [{ href: `${API}/v2/checkout/orders/5O190127TN364715T`, rel: 'self', method: 'GET' }],
    });
    assert.equal(partitionKeyOf(e), '5O190127TN364715T');
  });

  it('CHECKOUT.PAYMENT-APPROVAL.REVERSED groups by resource.order_id', () => {
    const e = envelope('CHECKOUT.PAYMENT-APPROVAL.REVERSED', 'checkout-order', {
      order_id: '5O190127TN364715T',
      purchase_units: [{ reference_id: 'default', custom_id: 'S00042-1' }],
      payment_source: { ideal: { name: 'John Doe', country_code: 'NL' } },
    });
    assert.equal(partitionKeyOf(e), '5O190127TN364715T');
    // Even when PayPal labels the resource differently, order_id still wins over anything else.
    assert.equal(partitionKeyOf({ ...e, resource_type: 'payment-approval' }), '5O190127TN364715T');
  });

  it('an authorization groups by its order id', () => {
    const e = envelope('PAYMENT.AUTHORIZATION.CREATED', 'authorization', {
      id: '0VF52814937998046',
      status: 'CREATED',
      amount: { currency_code: 'EUR', value: '42.00' },
      expiration_time: '2025-03-15T21:49:51Z',
      supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
      links: [{ href: `${API}/v2/payments/authorizations/0VF52814937998046`, rel: 'self', method: 'GET' }],
    });
    assert.equal(partitionKeyOf(e), '5O190127TN364715T');
  });

  it('a refund groups by the capture its rel="up" link names', () => {
    const e = envelope('PAYMENT.CAPTURE.REFUNDED', 'refund', {
      id: '1JU08902781691411',
      amount: { currency_code: 'EUR', value: '10.00' },
      status: 'COMPLETED',
      invoice_id: 'S00042',
      custom_id: 'S00042-1',
      seller_payable_breakdown: {
        gross_amount: { currency_code: 'EUR', value: '10.00' },
        paypal_fee: { currency_code: 'EUR', value: '0' },
        net_amount: { currency_code: 'EUR', value: '10.00' },
        total_refunded_amount: { currency_code: 'EUR', value: '10.00' },
      },
      links: [
        { href: `${API}/v2/payments/refunds/1JU08902781691411`, rel: 'self', method: 'GET' },
        { href: `${API}/v2/payments/captures/27M47624FP291604U`, rel: 'up', method: 'GET' },
      ],
    });
    assert.equal(partitionKeyOf(e), '27M47624FP291604U');
  });

  it('a reversal (PAYMENT.CAPTURE.REVERSED) groups by its capture too', () => {
    const e = envelope('PAYMENT.CAPTURE.REVERSED', 'refund', {
      id: '4L335234718889942',
      amount: { currency_code: 'EUR', value: '-42.00' },
      status: 'COMPLETED',
      links: [
        { href: `${API}/v2/payments/refunds/4L335234718889942`, rel: 'self', method: 'GET' },
        { href: `${API}/v2/payments/captures/27M47624FP291604U`, rel: 'up', method: 'GET' },
      ],
    });
    assert.equal(partitionKeyOf(e), '27M47624FP291604U');
  });

  it('a dispute groups by the seller transaction id of its first disputed transaction', () => {
    const e = envelope('CUSTOMER.DISPUTE.CREATED', 'dispute', {
      dispute_id: 'PP-D-27803',
      create_time: '2025-02-20T10:00:00.000Z',
      update_time: '2025-02-20T10:00:00.000Z',
      disputed_transactions: [
        { buyer_transaction_id: '4FF28386CE9441234', seller_transaction_id: '27M47624FP291604U', invoice_number: 'S00042', custom: 'S00042-1', gross_amount: { currency_code: 'EUR', value: '42.00' } },
      ],
      reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
      status: 'OPEN',
      dispute_amount: { currency_code: 'EUR', value: '42.00' },
      dispute_life_cycle_stage: 'INQUIRY',
      seller_response_due_date: '2025-03-01T10:00:00.000Z',
      links: [{ href: `${API}/v1/customer/disputes/PP-D-27803`, rel: 'self', method: 'GET' }],
    });
    assert.equal(partitionKeyOf(e), '27M47624FP291604U');
  });

  it('a dispute without transactions groups by its dispute id', () => {
    const e = envelope('CUSTOMER.DISPUTE.RESOLVED', 'dispute', { dispute_id: 'PP-D-27803', status: 'RESOLVED', dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR' } });
    assert.equal(partitionKeyOf(e), 'PP-D-27803');
  });

  it('an unknown resource groups by its own id, and no id means no group', () => {
    assert.equal(partitionKeyOf(envelope('VAULT.PAYMENT-TOKEN.CREATED', 'payment_token', { id: '8kk8451t', customer: { id: 'C1' } })), '8kk8451t');
    assert.equal(partitionKeyOf(envelope('SOMETHING.ELSE', 'thing', { name: 'x' })), null);
    assert.equal(partitionKeyOf({ id: 'WH-1', event_type: 'X' }), null);
    assert.equal(partitionKeyOf(null), null);
    assert.equal(partitionKeyOf('not an envelope'), null);
    assert.equal(partitionKeyOf({ resource: [1, 2] }), null);
  });
});
