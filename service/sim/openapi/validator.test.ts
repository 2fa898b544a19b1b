import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { createOpenApiValidator, type Violation } from './validator.ts';

const validator = createOpenApiValidator();

function messages(violations: Violation[]): string {
  return violations.map((v) => v.message).join('\n');
}

const createOrderBody = {
  intent: 'CAPTURE',
  purchase_units: [
    {
      reference_id: 'default',
      custom_id: 'S00042-1',
      invoice_id: 'S00042',
      amount: { currency_code: 'USD', value: '100.00', breakdown: { item_total: { currency_code: 'USD', value: '100.00' } } },
      items: [{ name: 'Desk', quantity: '2', unit_amount: { currency_code: 'USD', value: '50.00' } }],
    },
  ],
};

function captureResource(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '2GG279541U471931P',
    status: 'COMPLETED',
    amount: { currency_code: 'USD', value: '100.00' },
    final_capture: true,
    seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
    seller_receivable_breakdown: {
      gross_amount: { currency_code: 'USD', value: '100.00' },
      paypal_fee: { currency_code: 'USD', value: '3.98' },
      net_amount: { currency_code: 'USD', value: '96.02' },
    },
    custom_id: 'S00042-1',
    invoice_id: 'S00042',
    supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
    links: [
      { href: 'https://api-m.sandbox.paypal.com/v2/payments/captures/2GG279541U471931P', rel: 'self', method: 'GET' },
      { href: 'https://api-m.sandbox.paypal.com/v2/payments/captures/2GG279541U471931P/refund', rel: 'refund', method: 'POST' },
      { href: 'https://api-m.sandbox.paypal.com/v2/checkout/orders/5O190127TN364715T', rel: 'up', method: 'GET' },
    ],
    create_time: '2024-05-01T10:00:00Z',
    update_time: '2024-05-01T10:00:00Z',
    ...overrides,
  };
}

function capturedOrder(capture: Record<string, unknown>): Record<string, unknown> {
  return {
    id: '5O190127TN364715T',
    status: 'COMPLETED',
    payment_source: { paypal: { email_address: 'buyer@example.com', account_id: 'QYR5Z8XDVJNXQ', account_status: 'VERIFIED', name: { given_name: 'John', surname: 'Doe' }, address: { country_code: 'US' } } },
    purchase_units: [{ reference_id: 'default', payments: { captures: [capture] } }],
    payer: { name: { given_name: 'John', surname: 'Doe' }, email_address: 'buyer@example.com', payer_id: 'QYR5Z8XDVJNXQ', address: { country_code: 'US' } },
    links: [{ href: 'https://api-m.sandbox.paypal.com/v2/checkout/orders/5O190127TN364715T', rel: 'self', method: 'GET' }],
  };
}

describe('requests', () => {
  test('a correct create-order request passes', () => {
    const violations = validator.validateRequest({
      method: 'POST',
      path: '/v2/checkout/orders',
      headers: { 'PayPal-Request-Id': 'odoo-tx-42-create', Prefer: 'return=representation', 'Content-Type': 'application/json' },
      body: createOrderBody,
    });
    assert.deepEqual(violations, []);
  });

  test('a create-order request without intent names the missing property', () => {
    const { intent: _omitted, ...body } = createOrderBody;
    const violations = validator.validateRequest({ method: 'POST', path: '/v2/checkout/orders', body });
    assert.equal(violations.length, 1, messages(violations));
    const [v] = violations;
    assert.equal(v?.where, 'request');
    assert.equal(v?.operation, 'orders.create');
    assert.equal(v?.keyword, 'required');
    assert.match(v?.message ?? '', /required property 'intent'/);
  });

  test('a bad currency code and an amount that does not match the pattern are both reported, with their location', () => {
    const body = structuredClone(createOrderBody);
    const unit = body.purchase_units[0];
    assert.ok(unit);
    unit.amount = { currency_code: 'usd', value: '100,00', breakdown: unit.amount.breakdown };
    const violations = validator.validateRequest({ method: 'POST', path: '/v2/checkout/orders', body });
    const currency = violations.find((v) => v.instancePath === '/purchase_units/0/amount/currency_code');
    const value = violations.find((v) => v.instancePath === '/purchase_units/0/amount/value');
    assert.ok(currency, messages(violations));
    assert.match(currency.message, /currency_code.*"usd"/);
    assert.ok(value, messages(violations));
    assert.equal(value.keyword, 'pattern');
    assert.match(value.message, /must match pattern.*"100,00"/);
  });

  test('an unknown intent lists the allowed values', () => {
    const violations = validator.validateRequest({ method: 'POST', path: '/v2/checkout/orders', body: { ...createOrderBody, intent: 'SALE' } });
    assert.equal(violations.length, 1, messages(violations));
    assert.match(violations[0]?.message ?? '', /must be one of CAPTURE, AUTHORIZE \(got "SALE"\)/);
  });

  test('an unknown path is a violation', () => {
    const violations = validator.validateRequest({ method: 'POST', path: '/v2/checkout/orders/5O190127TN364715T/refund', body: {} });
    assert.equal(violations.length, 1);
    assert.equal(violations[0]?.location, 'operation');
    assert.match(violations[0]?.message ?? '', /no such operation.*POST \/v2\/checkout\/orders\/5O190127TN364715T\/refund/);
  });

  test('a known path with an undocumented method says which methods exist', () => {
    const violations = validator.validateRequest({ method: 'DELETE', path: '/v2/checkout/orders/5O190127TN364715T' });
    assert.match(messages(violations), /no such operation.*\(the path exists with GET, PATCH\)/);
  });

  test('path, query and header parameters are checked against their schemas', () => {
    assert.match(messages(validator.validateRequest({ method: 'GET', path: '/v2/checkout/orders/not-an-id' })), /path parameter "id" must match pattern/);
    assert.match(messages(validator.validateRequest({ method: 'GET', path: '/v1/customer/disputes?page_size=500' })), /query parameter "page_size" must be <= 50/);
    assert.deepEqual(validator.validateRequest({ method: 'GET', path: '/v1/customer/disputes?page_size=50&disputed_transaction_id=2GG279541U471931P' }), []);
    const longId = 'x'.repeat(109);
    assert.match(messages(validator.validateRequest({ method: 'POST', path: '/v2/checkout/orders', headers: { 'paypal-request-id': longId }, body: createOrderBody })), /header parameter "PayPal-Request-Id" must NOT have more than 108 characters/);
  });

  test('required query parameters must be present', () => {
    const violations = validator.validateRequest({ method: 'GET', path: '/v1/reporting/transactions?end_date=2024-05-31T23:59:59Z' });
    assert.equal(violations.length, 1, messages(violations));
    assert.match(violations[0]?.message ?? '', /required query parameter "start_date" is missing/);
  });

  test('a body sent to an operation that takes none is reported', () => {
    const violations = validator.validateRequest({ method: 'POST', path: '/v2/payments/authorizations/0VF52814937998046/void', body: { reason: 'x' } });
    assert.match(messages(violations), /takes no request body/);
    assert.deepEqual(validator.validateRequest({ method: 'POST', path: '/v2/payments/authorizations/0VF52814937998046/void' }), []);
  });

  test('a base64 transmission signature starting with "+" or "/" is accepted (spec erratum)', () => {
    const body = {
      auth_algo: 'SHA256withRSA',
      cert_url: 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270',
      transmission_id: '69cd13f0-d67a-11e5-baa3-778b53f4ae55',
      transmission_sig: '+mI95Jx3Y9nhR5SJWlHVIWpg4AgFk7n9bCHSRxbrd8A9zrhdu2rMyFrmz/Zjh3s3boXB07VXCXUZy==',
      transmission_time: '2016-02-18T20:01:35Z',
      webhook_id: '1JE4291016473214C',
      webhook_event: { id: 'WH-1', event_type: 'PAYMENT.CAPTURE.COMPLETED', resource: {} },
    };
    assert.deepEqual(validator.validateRequest({ method: 'POST', path: '/v1/notifications/verify-webhook-signature', body }), []);
    const bad = validator.validateRequest({ method: 'POST', path: '/v1/notifications/verify-webhook-signature', body: { ...body, transmission_sig: 'not base64!' } });
    assert.match(messages(bad), /transmission_sig must match pattern/);
  });
});

describe('responses', () => {
  test('a correct capture response passes, on the order capture and on the payments API', () => {
    assert.deepEqual(validator.validateResponse({ method: 'POST', path: '/v2/checkout/orders/5O190127TN364715T/capture', status: 201, body: capturedOrder(captureResource()) }), []);
    assert.deepEqual(validator.validateResponse({ method: 'GET', path: '/v2/payments/captures/2GG279541U471931P', status: 200, body: captureResource() }), []);
  });

  test('a malformed capture response is caught: unknown status, missing amount value, too many decimals', () => {
    const malformed = captureResource({
      status: 'FINISHED',
      amount: { currency_code: 'USD', value: '12.345' },
      seller_receivable_breakdown: { gross_amount: { currency_code: 'USD' } },
    });
    const violations = validator.validateResponse({ method: 'GET', path: '/v2/payments/captures/2GG279541U471931P', status: 200, body: malformed });
    const at = (p: string) => violations.find((v) => v.instancePath === p);
    assert.equal(violations.length, 3, messages(violations));
    assert.ok(violations.every((v) => v.where === 'response' && v.operation === 'captures.get'));
    assert.match(at('/status')?.message ?? '', /must be one of COMPLETED, DECLINED, PARTIALLY_REFUNDED, PENDING, REFUNDED, FAILED \(got "FINISHED"\)/);
    assert.match(at('/amount')?.message ?? '', /USD allows at most 2 decimals, got "12\.345"/);
    assert.match(at('/seller_receivable_breakdown/gross_amount')?.message ?? '', /required property 'value'/);
  });

  test('each defect alone is enough to fail the capture inside an order capture response', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['status', { status: 'FINISHED' }],
      ['amount value', { amount: { currency_code: 'USD' } }],
      ['precision', { amount: { currency_code: 'USD', value: '12.345' } }],
      ['JPY decimals', { amount: { currency_code: 'JPY', value: '1200.50' } }],
      ['status reason', { status: 'PENDING', status_details: { reason: 'WAITING' } }],
    ];
    for (const [name, overrides] of cases) {
      const violations = validator.validateResponse({ method: 'POST', path: '/v2/checkout/orders/5O190127TN364715T/capture', status: 201, body: capturedOrder(captureResource(overrides)) });
      assert.equal(violations.length, 1, `${name}: ${messages(violations)}`);
      assert.match(violations[0]?.instancePath ?? '', /^\/purchase_units\/0\/payments\/captures\/0\//, name);
    }
  });

  test('a status the operation does not list falls back to its default response', () => {
    const body = { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred.', debug_id: 'f7a2dd5f8f6d1' };
    assert.deepEqual(validator.validateResponse({ method: 'GET', path: '/v2/checkout/orders/5O190127TN364715T', status: 500, body }), []);
    assert.match(
      messages(validator.validateResponse({ method: 'GET', path: '/v2/checkout/orders/5O190127TN364715T', status: 500, body: { ...body, name: 'BOOM' } })),
      /must match one of the documented alternatives: error_400, error_401/,
    );
  });

  test('error responses are held to the documented error names, messages and issues', () => {
    const body = (issue: string, description?: string) => ({
      name: 'UNPROCESSABLE_ENTITY',
      message: 'The requested action could not be performed, semantically incorrect, or failed business validation.',
      debug_id: 'f7a2dd5f8f6d1',
      details: [{ issue, ...(description ? { description } : {}) }],
    });
    const capturePath = '/v2/checkout/orders/5O190127TN364715T/capture';
    const issues = validator.documentedIssues('POST', capturePath, 422);
    const pinned = issues?.get('ORDER_ALREADY_CAPTURED');
    assert.ok(pinned, 'the spec pins a description for ORDER_ALREADY_CAPTURED');
    assert.deepEqual(validator.validateResponse({ method: 'POST', path: capturePath, status: 422, body: body('ORDER_ALREADY_CAPTURED', pinned) }), []);
    assert.match(messages(validator.validateResponse({ method: 'POST', path: capturePath, status: 422, body: body('ORDER_ALREADY_CAPTURED', 'something else') })), /documented alternatives/);
    assert.match(messages(validator.validateResponse({ method: 'POST', path: capturePath, status: 422, body: body('NOT_A_REAL_ISSUE') })), /\/details\/0 must match one of the documented alternatives: .*\(got \{"issue":"NOT_A_REAL_ISSUE"\}\)/);
    assert.match(messages(validator.validateResponse({ method: 'POST', path: capturePath, status: 422, body: { ...body('ORDER_ALREADY_CAPTURED', pinned), name: 'UNPROCESSABLE' } })), /\/name must be one of UNPROCESSABLE_ENTITY/);
  });

  test('a status without a documented entry or default is a violation', () => {
    const dir = writeSpec({
      '/things/{id}': { get: { operationId: 'things.get', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
    });
    const v = createOpenApiValidator(dir);
    assert.match(messages(v.validateResponse({ method: 'GET', path: '/things/1', status: 404 })), /things\.get: status 404 is not documented \(documented: 200\)/);
  });

  test('an empty body where the spec documents one, and a body where it documents none, are violations', () => {
    assert.match(messages(validator.validateResponse({ method: 'GET', path: '/v2/payments/captures/2GG279541U471931P', status: 200 })), /must carry a JSON body/);
    assert.match(messages(validator.validateResponse({ method: 'POST', path: '/v2/payments/authorizations/0VF52814937998046/void', status: 204, body: { id: 'x' } })), /documented without a body/);
    assert.deepEqual(validator.validateResponse({ method: 'POST', path: '/v2/payments/authorizations/0VF52814937998046/void', status: 204 }), []);
  });

  test('validateSchema checks a webhook resource against a named component', () => {
    assert.deepEqual(validator.validateSchema('payments_payment_v2', 'capture-2', captureResource()), []);
    assert.match(messages(validator.validateSchema('payments_payment_v2', 'refund', { id: 'R', status: 'DONE' })), /\/status must be one of CANCELLED, FAILED, PENDING, COMPLETED/);
    assert.throws(() => validator.validateSchema('payments_payment_v2', 'no-such-schema', {}), /Unresolvable reference/);
  });
});

// A small OpenAPI document exercising the 3.0 features PayPal's documents use rarely or not at all.
function writeSpec(paths: Record<string, unknown>, schemas: Record<string, unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-validator-'));
  fs.writeFileSync(path.join(dir, 'test_api_v1.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths, components: { schemas } }));
  return dir;
}

describe('OpenAPI 3.0 specifics', () => {
  const schemas = {
    thing: {
      type: 'object',
      'x-paypal-internal': true,
      discriminator: { propertyName: 'kind' },
      required: ['id', 'name', 'secret'],
      properties: {
        id: { type: 'string', readOnly: true },
        name: { type: 'string' },
        nickname: { type: 'string', nullable: true },
        secret: { type: 'string', writeOnly: true },
        kind: { $ref: '#/components/schemas/kind' },
        status: { $ref: '#/components/schemas/status' },
      },
    },
    kind: { type: 'string', enum: ['A', 'B'], nullable: true },
    status: { type: 'string', enum: ['NEW', 'DONE'], readOnly: true },
    combined: {
      allOf: [{ $ref: '#/components/schemas/status_holder' }, { required: ['status', 'label'], properties: { label: { type: 'string' } } }],
    },
    status_holder: { properties: { status: { $ref: '#/components/schemas/status' } } },
  };
  const paths = {
    '/things': {
      post: {
        operationId: 'things.create',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } } },
        responses: {
          '2XX': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } } },
          default: { description: 'error', content: { 'application/json': { schema: { type: 'object', required: ['name'] } } } },
        },
      },
    },
    '/combined': {
      post: {
        operationId: 'combined.create',
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/combined' } } } },
        responses: { '201': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/combined' } } } } },
      },
    },
  };
  const v = createOpenApiValidator(writeSpec(paths, schemas));

  test('readOnly properties are not required in requests, writeOnly properties are not required in responses', () => {
    assert.deepEqual(v.validateRequest({ method: 'POST', path: '/things', body: { name: 'n', secret: 's' } }), []);
    assert.match(messages(v.validateRequest({ method: 'POST', path: '/things', body: { name: 'n' } })), /required property 'secret'/);
    assert.deepEqual(v.validateResponse({ method: 'POST', path: '/things', status: 201, body: { id: '1', name: 'n' } }), []);
    assert.match(messages(v.validateResponse({ method: 'POST', path: '/things', status: 201, body: { name: 'n' } })), /required property 'id'/);
  });

  test('a readOnly property declared in another allOf branch is not required in requests', () => {
    assert.deepEqual(v.validateRequest({ method: 'POST', path: '/combined', body: { label: 'l' } }), []);
    assert.match(messages(v.validateResponse({ method: 'POST', path: '/combined', status: 201, body: { label: 'l' } })), /required property 'status'/);
  });

  test('nullable allows null, also through a $ref, and nothing else changes', () => {
    assert.deepEqual(v.validateRequest({ method: 'POST', path: '/things', body: { name: 'n', secret: 's', nickname: null, kind: null } }), []);
    assert.match(messages(v.validateRequest({ method: 'POST', path: '/things', body: { name: null, secret: 's' } })), /\/name must be string/);
    assert.match(messages(v.validateRequest({ method: 'POST', path: '/things', body: { name: 'n', secret: 's', kind: 'C' } })), /\/kind must be one of A, B/);
  });

  test('status ranges (2XX) and default responses are used when no exact status is listed', () => {
    assert.deepEqual(v.validateResponse({ method: 'POST', path: '/things', status: 202, body: { id: '1', name: 'n' } }), []);
    assert.match(messages(v.validateResponse({ method: 'POST', path: '/things', status: 409, body: {} })), /required property 'name'/);
  });

  test('a missing required request body is reported', () => {
    assert.match(messages(v.validateRequest({ method: 'POST', path: '/things' })), /a JSON request body is required/);
  });

  test('a folder without documents is refused with the folder named', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-empty-'));
    assert.throws(() => createOpenApiValidator(empty), new RegExp(`No OpenAPI documents \\(\\*\\.json\\) in ${empty}`));
  });
});
