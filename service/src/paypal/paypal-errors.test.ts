import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DependencyUnavailableError, isRetryable } from '../shared/errors.ts';
import { defaultSpecDir } from '../../sim/openapi/validator.ts';
import {
  hasIssue,
  isAlreadyAuthorized,
  isAlreadyCaptured,
  isAlreadyRefunded,
  isAlreadyVoided,
  isInstrumentDeclined,
  isNotFound,
  isPreviousRequestInProgress,
  isReconcileByReading,
  PayPalApiError,
  PayPalUnavailableError,
  RECONCILE_BY_READING_ISSUES,
} from './paypal-errors.ts';
import { apiErrorFromResponse } from './paypal-responses.ts';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    status,
    headers: new Headers({ 'content-type': 'application/json', ...headers }),
    text: typeof body === 'string' ? body : JSON.stringify(body),
    debugId: headers['paypal-debug-id'],
  };
}

function unprocessable(issue: string): PayPalApiError {
  return apiErrorFromResponse('test.op', answer(422, { name: 'UNPROCESSABLE_ENTITY', message: 'm', debug_id: 'd', details: [{ issue }] }), 0);
}

describe('apiErrorFromResponse', () => {
  it('reads PayPal\'s REST error body', () => {
    const err = apiErrorFromResponse(
      'orders.capture',
      answer(422, {
        name: 'UNPROCESSABLE_ENTITY',
        message: 'The requested action could not be performed.',
        debug_id: 'body-debug',
        information_link: 'https://developer.paypal.com/docs/api/orders/v2/#error-ORDER_NOT_APPROVED',
        details: [{ issue: 'ORDER_NOT_APPROVED', description: 'Payer has not yet approved the Order for payment.' }, { description: 'no issue: skipped' }],
      }, { 'paypal-debug-id': 'header-debug' }),
      0,
    );
    assert.equal(err.paypalName, 'UNPROCESSABLE_ENTITY');
    assert.equal(err.debugId, 'body-debug', 'the body\'s debug_id wins over the header');
    assert.deepEqual(err.issues, ['ORDER_NOT_APPROVED']);
    assert.equal(err.informationLink, 'https://developer.paypal.com/docs/api/orders/v2/#error-ORDER_NOT_APPROVED');
    assert.equal(err.retryable, false);
    assert.deepEqual(err.details, { operation: 'orders.capture', status: 422, paypalName: 'UNPROCESSABLE_ENTITY', debugId: 'body-debug', issues: ['ORDER_NOT_APPROVED'] });
  });

  it('reads the OAuth error shape', () => {
    const err = apiErrorFromResponse('oauth.token', answer(401, { error: 'invalid_client', error_description: 'Client Authentication failed' }), 0);
    assert.equal(err.paypalName, 'invalid_client');
    assert.equal(err.paypalMessage, 'Client Authentication failed');
  });

  it('falls back to the header debug id and the status when the body is not PayPal JSON', () => {
    const err = apiErrorFromResponse('orders.get', answer(503, '<html>down</html>', { 'content-type': 'text/html', 'paypal-debug-id': 'hdr' }), 0);
    assert.equal(err.paypalName, 'HTTP_503');
    assert.equal(err.debugId, 'hdr');
    assert.equal(err.retryable, true);
  });

  it('keeps Retry-After', () => {
    assert.equal(apiErrorFromResponse('orders.get', answer(429, { name: 'RATE_LIMIT_REACHED', message: 'slow down' }, { 'retry-after': '5' }), 0).retryAfterMs, 5000);
  });

  it('409 PREVIOUS_REQUEST_IN_PROGRESS is retryable, other 409s are not', () => {
    const inProgress = apiErrorFromResponse('captures.refund', answer(409, { name: 'RESOURCE_CONFLICT', message: 'm', details: [{ issue: 'PREVIOUS_REQUEST_IN_PROGRESS' }] }), 0);
    assert.equal(inProgress.retryable, true);
    assert.ok(isPreviousRequestInProgress(inProgress));
    assert.equal(apiErrorFromResponse('captures.refund', answer(409, { name: 'RESOURCE_CONFLICT', message: 'm' }), 0).retryable, false);
  });
});

describe('reconcile-by-reading predicates', () => {
  const cases: Array<[string, (err: unknown) => boolean]> = [
    ['ORDER_ALREADY_CAPTURED', isAlreadyCaptured],
    ['ORDER_ALREADY_COMPLETED', isAlreadyCaptured],
    ['AUTHORIZATION_ALREADY_CAPTURED', isAlreadyCaptured],
    ['PREVIOUSLY_CAPTURED', isAlreadyCaptured],
    ['ORDER_ALREADY_AUTHORIZED', isAlreadyAuthorized],
    ['PREVIOUSLY_VOIDED', isAlreadyVoided],
    ['AUTHORIZATION_VOIDED', isAlreadyVoided],
    ['CAPTURE_FULLY_REFUNDED', isAlreadyRefunded],
  ];

  for (const [issue, predicate] of cases) {
    it(`${issue} → ${predicate.name} and isReconcileByReading`, () => {
      const err = unprocessable(issue);
      assert.ok(predicate(err));
      assert.ok(isReconcileByReading(err));
      assert.ok(hasIssue(err, issue));
    });
  }

  it('ordinary failures are not "already done"', () => {
    for (const issue of ['ORDER_NOT_APPROVED', 'INSTRUMENT_DECLINED', 'REFUND_AMOUNT_EXCEEDED', 'DUPLICATE_INVOICE_ID']) {
      const err = unprocessable(issue);
      assert.equal(isReconcileByReading(err), false, issue);
      for (const [, predicate] of cases) assert.equal(predicate(err), false, `${predicate.name}(${issue})`);
    }
    assert.ok(isInstrumentDeclined(unprocessable('INSTRUMENT_DECLINED')));
    assert.equal(isReconcileByReading(new Error('ORDER_ALREADY_CAPTURED')), false, 'only PayPal answers count');
  });

  it('hasIssue also matches an issue PayPal sends as the error name (some v1 APIs)', () => {
    const err = apiErrorFromResponse('x', answer(400, { name: 'DUPLICATE_REQUEST_ID', message: 'm' }), 0);
    assert.ok(hasIssue(err, 'DUPLICATE_REQUEST_ID'));
  });

  it('isNotFound', () => {
    assert.ok(isNotFound(apiErrorFromResponse('orders.get', answer(404, { name: 'RESOURCE_NOT_FOUND', message: 'm' }), 0)));
    assert.equal(isNotFound(unprocessable('ORDER_NOT_APPROVED')), false);
  });

  it('every issue name we recognise is one PayPal documents', () => {
    const dir = defaultSpecDir();
    const specs = ['checkout_orders_v2.json', 'payments_payment_v2.json'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    for (const issue of [...RECONCILE_BY_READING_ISSUES, 'PREVIOUS_REQUEST_IN_PROGRESS', 'INSTRUMENT_DECLINED']) {
      assert.ok(specs.includes(`"${issue}"`), `${issue} is not in PayPal's OpenAPI documents`);
    }
  });
});

describe('PayPalUnavailableError', () => {
  it('is a DependencyUnavailableError for paypal, retryable', () => {
    const err = new PayPalUnavailableError('orders.get', 'timeout', 'slow');
    assert.ok(err instanceof DependencyUnavailableError);
    assert.equal(err.dependency, 'paypal');
    assert.equal(err.code, 'DEPENDENCY_UNAVAILABLE');
    assert.ok(isRetryable(err));
  });
});
