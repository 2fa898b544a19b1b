// Each endpoint method sends the method, path, headers and body PayPal's OpenAPI documents define,
// and reads the answer PayPal documents. Every request the client sends here, and every scripted
// answer, is checked against the official documents with the simulator's validator, so the
// expectations below cannot drift from PayPal's contract.
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { createOpenApiValidator, type Violation } from '../../sim/openapi/validator.ts';
import type { PayPalClient } from './paypal-client.ts';
import { samples, startHarness, type Harness, type RecordedRequest, type Reply } from './test-server.ts';

const validator = createOpenApiValidator();
const violations: Violation[] = [];

function headerRecord(headers: RecordedRequest['headers']): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
}

interface Case {
  name: string;
  run: (client: PayPalClient) => Promise<unknown>;
  reply: Reply;
  method: 'GET' | 'POST';
  path: string;
  /** Parsed JSON body expected; undefined = no body at all. */
  body?: unknown;
  /** PayPal-Request-Id expected (with Prefer: return=representation); undefined = neither header. */
  requestId?: string;
  check: (result: unknown) => void;
}

const orderRequest = {
  intent: 'CAPTURE' as const,
  purchase_units: [
    {
      reference_id: 'default',
      custom_id: 'S00042-1',
      invoice_id: 'S00042',
      amount: { currency_code: 'EUR', value: '100.00', breakdown: { item_total: { currency_code: 'EUR', value: '100.00' } } },
    },
  ],
};

const webhookEvent = {
  id: 'WH-2WR32451HC0233532-67976317FL4543714',
  create_time: '2025-01-01T10:00:06.000Z',
  resource_type: 'capture',
  event_type: 'PAYMENT.CAPTURE.COMPLETED',
  summary: 'Payment completed for EUR 100.0 EUR',
  resource: samples.capture(),
};

const verifyArgs = {
  authAlgo: 'SHA256withRSA',
  certUrl: 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270',
  transmissionId: '69cd13f0-d67a-11e5-baa3-778b53f4ae55',
  transmissionSig: 'lmI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz+Zjh3s3boXB07VXCXUZy/UFzUlnGJn0wDugt7FlSvdKeIJenLRemUxYCPVoEZzg9VFNqOa48gMkvF+XTpxBeUx/kWy6B5cp7GkT2+pOowfRK7OaynuxUoKW3JcMWw272VKjLTtTAShncla7tGF+55rxyt2KNZIIqxNMJ48RDZheGU5w1npu9dZHnPgTXB9iomeVRoD8O/jhRpnKsGrDschyNdkeh81BJJMH4Ctc6lnCCquoP/GzCzz33MMsNdid7vL/NIWaCsekQpW26FpWPi/tfj8nLA==',
  transmissionTime: '2025-01-01T10:00:07Z',
  webhookId: '1JE4291016473214C',
  webhookEvent,
};

const cases: Case[] = [
  {
    name: 'createOrder → 201',
    run: (c) => c.createOrder(orderRequest, { requestId: 'odoo-tx-S00042-1-create' }),
    reply: { status: 201, body: samples.order('5O190127TN364715T', 'CREATED') },
    method: 'POST',
    path: '/v2/checkout/orders',
    body: orderRequest,
    requestId: 'odoo-tx-S00042-1-create',
    check: (r) => assert.equal((r as { status: string }).status, 'CREATED'),
  },
  {
    name: 'createOrder → 200 (idempotent replay)',
    run: (c) => c.createOrder(orderRequest, { requestId: 'odoo-tx-S00042-1-create' }),
    reply: { status: 200, body: samples.order('5O190127TN364715T', 'CREATED') },
    method: 'POST',
    path: '/v2/checkout/orders',
    body: orderRequest,
    requestId: 'odoo-tx-S00042-1-create',
    check: (r) => assert.equal((r as { id: string }).id, '5O190127TN364715T'),
  },
  {
    name: 'getOrder',
    run: (c) => c.getOrder('5O190127TN364715T'),
    reply: { status: 200, body: samples.order() },
    method: 'GET',
    path: '/v2/checkout/orders/5O190127TN364715T',
    check: (r) => assert.equal((r as { purchase_units: Array<{ custom_id: string }> }).purchase_units[0]?.custom_id, 'S00042-1'),
  },
  {
    name: 'captureOrder',
    run: (c) => c.captureOrder('5O190127TN364715T', { requestId: 'odoo-tx-S00042-1-capture' }),
    reply: { status: 201, body: samples.order() },
    method: 'POST',
    path: '/v2/checkout/orders/5O190127TN364715T/capture',
    body: {},
    requestId: 'odoo-tx-S00042-1-capture',
    check: (r) => assert.equal((r as { status: string }).status, 'COMPLETED'),
  },
  {
    name: 'authorizeOrder',
    run: (c) => c.authorizeOrder('5O190127TN364715T', { requestId: 'odoo-tx-S00042-1-authorize' }),
    reply: {
      status: 201,
      body: { ...samples.order(), intent: 'AUTHORIZE', purchase_units: [{ reference_id: 'default', payments: { authorizations: [samples.authorization()] } }] },
    },
    method: 'POST',
    path: '/v2/checkout/orders/5O190127TN364715T/authorize',
    body: {},
    requestId: 'odoo-tx-S00042-1-authorize',
    check: (r) => assert.equal((r as { intent: string }).intent, 'AUTHORIZE'),
  },
  {
    name: 'getAuthorization',
    run: (c) => c.getAuthorization('0VF52814937998046'),
    reply: { status: 200, body: samples.authorization() },
    method: 'GET',
    path: '/v2/payments/authorizations/0VF52814937998046',
    check: (r) => assert.equal((r as { expiration_time: string }).expiration_time, '2025-01-30T10:00:00Z'),
  },
  {
    name: 'captureAuthorization',
    run: (c) =>
      c.captureAuthorization(
        '0VF52814937998046',
        { amount: { currency_code: 'EUR', value: '60.00' }, finalCapture: true, invoiceId: 'S00042', noteToPayer: 'Thank you' },
        { requestId: 'odoo-tx-S00042-1-capture-auth' },
      ),
    reply: { status: 201, body: { ...samples.capture(), amount: { currency_code: 'EUR', value: '60.00' } } },
    method: 'POST',
    path: '/v2/payments/authorizations/0VF52814937998046/capture',
    body: { amount: { currency_code: 'EUR', value: '60.00' }, final_capture: true, invoice_id: 'S00042', note_to_payer: 'Thank you' },
    requestId: 'odoo-tx-S00042-1-capture-auth',
    check: (r) => assert.equal((r as { amount: { value: string } }).amount.value, '60.00'),
  },
  {
    name: 'voidAuthorization → 200 with the authorization',
    run: (c) => c.voidAuthorization('0VF52814937998046', { requestId: 'odoo-tx-S00042-1-void' }),
    reply: { status: 200, body: samples.authorization('0VF52814937998046', 'VOIDED') },
    method: 'POST',
    path: '/v2/payments/authorizations/0VF52814937998046/void',
    requestId: 'odoo-tx-S00042-1-void',
    check: (r) => assert.equal((r as { status: string }).status, 'VOIDED'),
  },
  {
    name: 'getCapture',
    run: (c) => c.getCapture('3C679366HH908993F'),
    reply: { status: 200, body: samples.capture() },
    method: 'GET',
    path: '/v2/payments/captures/3C679366HH908993F',
    check: (r) => assert.equal((r as { supplementary_data: { related_ids: { order_id: string } } }).supplementary_data.related_ids.order_id, '5O190127TN364715T'),
  },
  {
    name: 'refundCapture (partial, all fields)',
    run: (c) =>
      c.refundCapture(
        '3C679366HH908993F',
        { amount: { currency_code: 'EUR', value: '10.00' }, invoiceId: 'RINV/2025/0001', noteToPayer: 'Returned item', customId: 'S00042-1' },
        { requestId: 'odoo-refund-R00007' },
      ),
    reply: { status: 201, body: samples.refund() },
    method: 'POST',
    path: '/v2/payments/captures/3C679366HH908993F/refund',
    body: { amount: { currency_code: 'EUR', value: '10.00' }, invoice_id: 'RINV/2025/0001', note_to_payer: 'Returned item', custom_id: 'S00042-1' },
    requestId: 'odoo-refund-R00007',
    check: (r) => assert.equal((r as { amount: { value: string } }).amount.value, '10.00'),
  },
  {
    name: 'refundCapture (full: empty body)',
    run: (c) => c.refundCapture('3C679366HH908993F', {}, { requestId: 'odoo-refund-R00008' }),
    reply: { status: 201, body: samples.refund() },
    method: 'POST',
    path: '/v2/payments/captures/3C679366HH908993F/refund',
    body: {},
    requestId: 'odoo-refund-R00008',
    check: (r) => assert.equal((r as { status: string }).status, 'COMPLETED'),
  },
  {
    name: 'getRefund',
    run: (c) => c.getRefund('1JU08902781691411'),
    reply: { status: 200, body: samples.refund() },
    method: 'GET',
    path: '/v2/payments/refunds/1JU08902781691411',
    check: (r) => assert.equal((r as { seller_payable_breakdown: { total_refunded_amount: { value: string } } }).seller_payable_breakdown.total_refunded_amount.value, '10.00'),
  },
  {
    name: 'createWebhook',
    run: (c) => c.createWebhook('https://bridge.example.com/webhooks/paypal', ['PAYMENT.CAPTURE.COMPLETED', 'CUSTOMER.DISPUTE.CREATED']),
    reply: { status: 201, body: samples.webhook() },
    method: 'POST',
    path: '/v1/notifications/webhooks',
    body: { url: 'https://bridge.example.com/webhooks/paypal', event_types: [{ name: 'PAYMENT.CAPTURE.COMPLETED' }, { name: 'CUSTOMER.DISPUTE.CREATED' }] },
    check: (r) => assert.equal((r as { id: string }).id, '0EH40505U7160970P'),
  },
  {
    name: 'listWebhooks',
    run: (c) => c.listWebhooks(),
    reply: { status: 200, body: { webhooks: [samples.webhook('A1'), samples.webhook('B2')] } },
    method: 'GET',
    path: '/v1/notifications/webhooks',
    check: (r) => assert.deepEqual((r as Array<{ id: string }>).map((w) => w.id), ['A1', 'B2']),
  },
  {
    name: 'listWebhooks (none)',
    run: (c) => c.listWebhooks(),
    reply: { status: 200, body: { webhooks: [] } },
    method: 'GET',
    path: '/v1/notifications/webhooks',
    check: (r) => assert.deepEqual(r, []),
  },
  {
    name: 'verifyWebhookSignature → SUCCESS',
    run: (c) => c.verifyWebhookSignature(verifyArgs),
    reply: { status: 200, body: { verification_status: 'SUCCESS' } },
    method: 'POST',
    path: '/v1/notifications/verify-webhook-signature',
    body: {
      auth_algo: verifyArgs.authAlgo,
      cert_url: verifyArgs.certUrl,
      transmission_id: verifyArgs.transmissionId,
      transmission_sig: verifyArgs.transmissionSig,
      transmission_time: verifyArgs.transmissionTime,
      webhook_id: verifyArgs.webhookId,
      webhook_event: webhookEvent,
    },
    check: (r) => assert.deepEqual(r, { verified: true, verificationStatus: 'SUCCESS' }),
  },
  {
    name: 'verifyWebhookSignature → FAILURE (a 200 is not a pass)',
    run: (c) => c.verifyWebhookSignature(verifyArgs),
    reply: { status: 200, body: { verification_status: 'FAILURE' } },
    method: 'POST',
    path: '/v1/notifications/verify-webhook-signature',
    body: {
      auth_algo: verifyArgs.authAlgo,
      cert_url: verifyArgs.certUrl,
      transmission_id: verifyArgs.transmissionId,
      transmission_sig: verifyArgs.transmissionSig,
      transmission_time: verifyArgs.transmissionTime,
      webhook_id: verifyArgs.webhookId,
      webhook_event: webhookEvent,
    },
    check: (r) => assert.deepEqual(r, { verified: false, verificationStatus: 'FAILURE' }),
  },
  {
    name: 'getDispute',
    run: (c) => c.getDispute('PP-D-27803'),
    reply: { status: 200, body: samples.dispute() },
    method: 'GET',
    path: '/v1/customer/disputes/PP-D-27803',
    check: (r) => assert.equal((r as { disputed_transactions: Array<{ seller_transaction_id: string }> }).disputed_transactions[0]?.seller_transaction_id, '3C679366HH908993F'),
  },
];

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

after(() => {
  assert.deepEqual(violations, [], 'requests and scripted answers must match PayPal\'s OpenAPI documents');
});

function validateExchange(request: RecordedRequest, reply: Reply): void {
  const body = request.body === '' ? undefined : (JSON.parse(request.body) as unknown);
  violations.push(...validator.validateRequest({ method: request.method, path: request.path, headers: headerRecord(request.headers), body }));
  violations.push(...validator.validateResponse({ method: request.method, path: request.path, status: reply.status, body: reply.body }));
}

describe('PayPal client endpoints', () => {
  for (const c of cases) {
    it(c.name, async () => {
      harness = await startHarness(() => c.reply);
      const result = await c.run(harness.client);
      assert.equal(harness.server.requests.length, 1);
      const request = harness.server.requests[0]!;
      assert.equal(request.method, c.method);
      assert.equal(request.path, c.path);
      assert.equal(request.headers['authorization'], 'Bearer tok-1');
      assert.equal(request.headers['content-type'], 'application/json');
      if (c.body === undefined) assert.equal(request.body, '');
      else assert.deepEqual(JSON.parse(request.body), c.body);
      assert.equal(request.headers['paypal-request-id'], c.requestId);
      assert.equal(request.headers['prefer'], c.requestId === undefined ? undefined : 'return=representation');
      const violationsBefore = violations.length;
      validateExchange(request, c.reply);
      assert.deepEqual(violations.slice(violationsBefore), []);
      c.check(result);
    });
  }

  it('voidAuthorization after a 204 (minimal answer) reads the authorization back', async () => {
    harness = await startHarness((request) =>
      request.method === 'POST' ? { status: 204 } : { status: 200, body: samples.authorization('0VF52814937998046', 'VOIDED') },
    );
    const authorization = await harness.client.voidAuthorization('0VF52814937998046', { requestId: 'odoo-tx-S00042-1-void' });
    assert.equal(authorization.status, 'VOIDED');
    assert.deepEqual(
      harness.server.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /v2/payments/authorizations/0VF52814937998046/void', 'GET /v2/payments/authorizations/0VF52814937998046'],
    );
    validateExchange(harness.server.requests[0]!, { status: 204 });
  });

  it('the validator itself catches a request PayPal would refuse (so the checks above can fail)', () => {
    const bad = validator.validateRequest({
      method: 'POST',
      path: '/v2/checkout/orders/5O190127TN364715T/capture',
      headers: { 'PayPal-Request-Id': 'x'.repeat(109), 'Content-Type': 'application/json' },
      body: {},
    });
    assert.ok(bad.length > 0);
  });
});
