import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BridgeError, DependencyUnavailableError, isRetryable } from '../shared/errors.ts';
import {
  debugExcerpt,
  odooErrorFromData,
  OdooAccessError,
  OdooConcurrencyError,
  OdooMissingError,
  OdooServerError,
  OdooUnavailableError,
  OdooValidationError,
} from './odoo-errors.ts';

const site = { call: 'payment.transaction.paypal_bridge_apply_payment' };

test('odooErrorFromData maps data.name to the error classes', () => {
  const cases: [string, abstract new (...args: never[]) => BridgeError, boolean][] = [
    ['odoo.exceptions.AccessError', OdooAccessError, false],
    ['odoo.exceptions.AccessDenied', OdooAccessError, false],
    ['odoo.exceptions.MissingError', OdooMissingError, false],
    ['odoo.exceptions.ValidationError', OdooValidationError, false],
    ['odoo.exceptions.UserError', OdooValidationError, false],
    ['odoo.exceptions.RedirectWarning', OdooValidationError, false],
    ['psycopg2.errors.SerializationFailure', OdooConcurrencyError, true],
    ['psycopg2.errors.LockNotAvailable', OdooConcurrencyError, true],
    ['psycopg2.errors.DeadlockDetected', OdooConcurrencyError, true],
    ['builtins.KeyError', OdooServerError, true],
    ['', OdooServerError, true],
  ];
  for (const [name, cls, retryable] of cases) {
    const err = odooErrorFromData(site, { name, message: 'm' }, 'Odoo Server Error');
    assert.ok(err instanceof cls, name);
    assert.ok(err instanceof BridgeError);
    assert.equal(err.retryable, retryable, name);
    assert.equal(isRetryable(err), retryable, name);
    assert.equal(err.odooName, name);
  }
});

test('a psycopg2 error is a concurrency error when its message says so, whatever its class name', () => {
  const err = odooErrorFromData(site, { name: 'psycopg2.OperationalError', message: 'could not serialize access due to concurrent update' }, 'x');
  assert.ok(err instanceof OdooConcurrencyError);
  const other = odooErrorFromData(site, { name: 'psycopg2.OperationalError', message: 'server closed the connection unexpectedly' }, 'x');
  assert.ok(other instanceof OdooServerError);
});

test('without data, the JSON-RPC message is used', () => {
  const err = odooErrorFromData(site, undefined, 'Odoo Session Expired');
  assert.ok(err instanceof OdooServerError);
  assert.equal(err.odooMessage, 'Odoo Session Expired');
  assert.match(err.message, /paypal_bridge_apply_payment failed: Odoo Session Expired/);
});

test('debugExcerpt keeps the end of a long traceback', () => {
  assert.equal(debugExcerpt(undefined), undefined);
  assert.equal(debugExcerpt('  short  '), 'short');
  const long = 'a'.repeat(2_000) + 'ValidationError: the end';
  const excerpt = debugExcerpt(long);
  assert.ok(excerpt && excerpt.length <= 601 && excerpt.endsWith('ValidationError: the end') && excerpt.startsWith('…'));
});

test('OdooUnavailableError is the odoo DependencyUnavailableError', () => {
  const err = new OdooUnavailableError('common.authenticate', 'network', 'down');
  assert.ok(err instanceof DependencyUnavailableError);
  assert.equal(err.dependency, 'odoo');
  assert.equal(err.code, 'DEPENDENCY_UNAVAILABLE');
  assert.equal(err.retryable, true);
});
