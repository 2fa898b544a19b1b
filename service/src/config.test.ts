import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, loadStoreConfig } from './config.ts';

const VALID = {
  PAYPAL_CLIENT_ID: 'client',
  PAYPAL_CLIENT_SECRET: 'secret',
  PAYPAL_WEBHOOK_ID: 'WH-1',
  ODOO_URL: 'https://odoo.example.com/',
  ODOO_DB: 'prod',
  ODOO_LOGIN: 'paypal-bridge-service',
  ODOO_API_KEY: 'key',
  BRIDGE_SECRET: 'x'.repeat(32),
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  test('defaults per the design', () => {
    const c = loadConfig(VALID);
    assert.equal(c.port, 8070);
    assert.deepEqual(c.store, { kind: 'sqlite', dataDir: path.resolve('./data') });
    assert.equal(c.paypal.apiBase, 'https://api-m.sandbox.paypal.com');
    assert.deepEqual(c.paypal.certHosts, ['api.paypal.com', 'api.sandbox.paypal.com']);
    assert.equal(c.paypal.verifyFallback, false);
    assert.equal(c.odoo?.url, 'https://odoo.example.com');
    assert.deepEqual(c.allowedOrigins, ['https://odoo.example.com']);
    assert.equal(c.logLevel, 'info');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.paypal));
  });

  test('DATABASE_URL selects PostgreSQL; values are trimmed and parsed', () => {
    const c = loadConfig({ ...VALID, DATABASE_URL: 'postgres://u@db:5432/bridge', PORT: ' 9000 ', PAYPAL_CERT_HOSTS: 'API.PayPal.com, localhost:8443', LOG_LEVEL: 'WARN', PAYPAL_VERIFY_FALLBACK: 'yes' });
    assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://u@db:5432/bridge' });
    assert.equal(c.port, 9000);
    assert.deepEqual(c.paypal.certHosts, ['api.paypal.com', 'localhost:8443']);
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.paypal.verifyFallback, true);
  });

  test('every missing setting is named in one message', () => {
    const problems = problemsOf({ ODOO_URL: 'https://odoo.example.com' });
    for (const key of Object.keys(VALID)) {
      if (key === 'ODOO_URL') continue;
      assert.ok(problems.some((p) => p.includes(key)), `${key} not named in ${JSON.stringify(problems)}`);
    }
    assert.equal(problems.length, Object.keys(VALID).length - 1);
    const err = (() => {
      try {
        loadConfig({ ODOO_URL: 'https://odoo.example.com' });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    assert.match(err?.message ?? '', /cannot start: 7 configuration problems/);
    assert.match(err?.message ?? '', /the Odoo settings go together/);
  });

  test('with the PayPal settings only, the service takes webhooks in and Odoo is not configured', () => {
    const paypalOnly = { PAYPAL_CLIENT_ID: 'client', PAYPAL_CLIENT_SECRET: 'secret', PAYPAL_WEBHOOK_ID: 'WH-1', ODOO_URL: '' };
    const c = loadConfig(paypalOnly);
    assert.equal(c.odoo, null);
    assert.deepEqual(c.allowedOrigins, []);
    const problems = problemsOf({});
    assert.deepEqual(problems.map((p) => p.split(' ')[0]).sort(), ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID']);
  });

  test('malformed values are refused with what was wrong', () => {
    const problems = problemsOf({
      ...VALID,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      PAYPAL_API_BASE: 'http://api-m.paypal.com',
      PAYPAL_CERT_HOSTS: 'api.paypal.com,not a host',
      ODOO_URL: 'odoo.example.com',
      BRIDGE_SECRET: 'short',
      LOG_LEVEL: 'chatty',
      WORKER_CONCURRENCY: '0',
      PAYPAL_VERIFY_FALLBACK: 'maybe',
    });
    const expect = [/PORT must be a whole number/, /DATABASE_URL must be a postgres/, /PAYPAL_API_BASE must use https/, /not a host name: not a host/, /ODOO_URL must be an absolute URL/, /BRIDGE_SECRET must be at least 32/, /LOG_LEVEL must be one of/, /WORKER_CONCURRENCY must be between 1 and 64/, /PAYPAL_VERIFY_FALLBACK must be true or false/];
    for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `${re} not in ${JSON.stringify(problems)}`);
    assert.equal(problems.length, expect.length);
  });

  test('plain http is accepted for a PayPal on loopback (the simulator) only', () => {
    assert.equal(loadConfig({ ...VALID, PAYPAL_API_BASE: 'http://127.0.0.1:8443' }).paypal.apiBase, 'http://127.0.0.1:8443');
  });

  test('Odoo over plain http only on this machine: the API key travels with every call', () => {
    assert.throws(() => loadConfig({ ...VALID, ODOO_URL: 'http://odoo.example.com:8069' }), (err: unknown) => err instanceof ConfigError && /ODOO_URL must use https \(plain http is accepted only on localhost\)/.test(err.message));
    assert.equal(loadConfig({ ...VALID, ODOO_URL: 'http://127.0.0.1:8069/' }).odoo?.url, 'http://127.0.0.1:8069');
    assert.equal(loadConfig({ ...VALID, ODOO_URL: 'https://odoo.example.com' }).odoo?.url, 'https://odoo.example.com');
  });

  test('the store alone, for tools such as the replay script', () => {
    assert.deepEqual(loadStoreConfig({ DATABASE_URL: 'postgresql://h/db' }), { kind: 'postgres', url: 'postgresql://h/db' });
    assert.throws(() => loadStoreConfig({ DATABASE_URL: 'sqlite://x' }), ConfigError);
  });
});
