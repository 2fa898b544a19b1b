import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { DependencyUnavailableError } from '../shared/errors.ts';
import { createMemoryLogger } from '../shared/logger.ts';
import { createOdooClient } from './json-rpc-client.ts';
import {
  OdooAccessError,
  OdooAuthError,
  OdooConcurrencyError,
  OdooMissingError,
  OdooServerError,
  OdooUnavailableError,
  OdooValidationError,
} from './odoo-errors.ts';
import { startOdooHarness, TEST_API_KEY, TEST_UID, type OdooHarness } from './test-server.ts';

async function withHarness(harness: OdooHarness, fn: (h: OdooHarness) => Promise<void>): Promise<void> {
  try {
    await fn(harness);
  } finally {
    await harness.close();
  }
}

/** A port on 127.0.0.1 where nothing listens (a server was there a moment ago). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createOdooClient: the JSON-RPC exchange', () => {
  test('authenticates with db, login and key, then calls execute_kw with the cached uid', async () => {
    await withHarness(await startOdooHarness(() => ({ result: [{ id: 1, state: 'done' }] })), async ({ client, server }) => {
      const rows = await client.call('payment.transaction', 'search_read', [[['state', '=', 'done']]], { fields: ['state'] });
      assert.deepEqual(rows, [{ id: 1, state: 'done' }]);
      assert.deepEqual(server.authRequests()[0]?.args, ['testdb', 'paypal-bridge-service', TEST_API_KEY, {}]);
      const call = server.objectRequests()[0];
      assert.equal(call?.method, 'execute_kw');
      assert.deepEqual(call?.args, ['testdb', TEST_UID, TEST_API_KEY, 'payment.transaction', 'search_read', [[['state', '=', 'done']]], { fields: ['state'] }]);
      assert.equal(client.uid, TEST_UID);
    });
  });

  test('sends JSON-RPC 2.0 "call" envelopes with increasing ids', async () => {
    await withHarness(await startOdooHarness(() => ({ result: true })), async ({ client, server }) => {
      await client.call('res.partner', 'write', [[1], { name: 'x' }]);
      await client.call('res.partner', 'write', [[1], { name: 'y' }]);
      const ids = server.requests.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length);
    });
  });

  test('a response without result (Python None) reads as null; false and 0 stay themselves', async () => {
    const answers = [{}, { result: false }, { result: 0 }];
    await withHarness(await startOdooHarness((_r, i) => answers[i] ?? {}), async ({ client }) => {
      assert.equal(await client.call('m', 'a'), null);
      assert.equal(await client.call('m', 'b'), false);
      assert.equal(await client.call('m', 'c'), 0);
    });
  });

  test('authenticates once for many calls, also when they start together', async () => {
    await withHarness(await startOdooHarness(() => ({ result: 1 })), async ({ client, server }) => {
      await Promise.all([client.call('m', 'a'), client.call('m', 'b'), client.call('m', 'c')]);
      await client.call('m', 'd');
      assert.equal(server.authRequests().length, 1);
      assert.equal(server.objectRequests().length, 4);
    });
  });

  test('common.version needs no credentials', async () => {
    const version = { server_version: '18.0-20250506', server_version_info: [18, 0, 0, 'final', 0, ''], server_serie: '18.0', protocol_version: 1 };
    await withHarness(await startOdooHarness(() => ({ result: version })), async ({ client, server }) => {
      assert.deepEqual(await client.version(), version);
      assert.equal(server.authRequests().length, 0);
    });
  });

  test('counts every call in the metrics by call and outcome, and never logs the key', async () => {
    const answers = [{ result: 1 }, { error: { name: 'odoo.exceptions.MissingError', message: 'gone' } }];
    await withHarness(await startOdooHarness((_r, i) => answers[i] ?? {}), async ({ client, metrics, logger }) => {
      await client.call('payment.transaction', 'paypal_bridge_ping');
      await assert.rejects(client.call('payment.transaction', 'paypal_bridge_find', [], { reference: 'S1' }));
      assert.equal(metrics.odooRequests.get({ call: 'payment.transaction.paypal_bridge_ping', outcome: 'ok' }), 1);
      assert.equal(metrics.odooRequests.get({ call: 'payment.transaction.paypal_bridge_find', outcome: 'odoo.exceptions.MissingError' }), 1);
      assert.equal(metrics.odooRequests.get({ call: 'common.authenticate', outcome: 'ok' }), 1);
      assert.ok(!JSON.stringify(logger.lines).includes(TEST_API_KEY));
    });
  });
});

describe('createOdooClient: authentication failures', () => {
  test('authenticate answering false is an OdooAuthError naming the settings to check; no call is sent', async () => {
    await withHarness(await startOdooHarness(() => ({ result: 1 }), { authenticate: () => ({ result: false }) }), async ({ client, server }) => {
      await assert.rejects(client.call('m', 'a'), (err: unknown) => {
        assert.ok(err instanceof OdooAuthError);
        assert.ok(err instanceof OdooAccessError);
        assert.equal(err.retryable, false);
        assert.equal(err.code, 'ODOO_AUTH_FAILED');
        assert.match(err.message, /ODOO_DB/);
        assert.match(err.message, /ODOO_LOGIN/);
        assert.match(err.message, /not its display name/);
        assert.match(err.message, /ODOO_API_KEY/);
        assert.match(err.message, /API keys are accepted for RPC/);
        assert.ok(!err.message.includes(TEST_API_KEY));
        return true;
      });
      assert.equal(server.objectRequests().length, 0);
    });
  });

  test('a failed authentication is not cached: the next call asks again', async () => {
    const answers = [{ result: false }, { result: TEST_UID }];
    await withHarness(await startOdooHarness(() => ({ result: 'ok' }), { authenticate: (_r, i) => answers[i] ?? {} }), async ({ client, server }) => {
      await assert.rejects(client.call('m', 'a'), OdooAuthError);
      assert.equal(await client.call('m', 'a'), 'ok');
      assert.equal(server.authRequests().length, 2);
    });
  });

  test('a database that does not exist is an OdooAuthError, not a retryable server error', async () => {
    const missingDb = { error: { name: 'psycopg2.OperationalError', message: 'connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "testdb" does not exist\n' } };
    await withHarness(await startOdooHarness(() => ({ result: 1 }), { authenticate: () => missingDb }), async ({ client }) => {
      await assert.rejects(client.call('m', 'a'), (err: unknown) => err instanceof OdooAuthError && /does not exist/.test(err.odooMessage));
    });
  });

  test('AccessDenied on a call (key revoked) is an OdooAuthError and forgets the uid', async () => {
    const answers = [{ error: { name: 'odoo.exceptions.AccessDenied', message: 'Access Denied' } }, { result: 'ok' }];
    await withHarness(await startOdooHarness((_r, i) => answers[i] ?? {}), async ({ client, server }) => {
      await assert.rejects(client.call('m', 'a'), OdooAuthError);
      assert.equal(client.uid, undefined);
      assert.equal(await client.call('m', 'a'), 'ok');
      assert.equal(server.authRequests().length, 2);
    });
  });
});

describe('createOdooClient: Odoo error answers become typed errors, never retried', () => {
  const cases: { name: string; expect: new (...args: never[]) => Error; retryable: boolean; code: string }[] = [
    { name: 'odoo.exceptions.AccessError', expect: OdooAccessError, retryable: false, code: 'ODOO_ACCESS_DENIED' },
    { name: 'odoo.exceptions.MissingError', expect: OdooMissingError, retryable: false, code: 'ODOO_MISSING' },
    { name: 'odoo.exceptions.ValidationError', expect: OdooValidationError, retryable: false, code: 'ODOO_VALIDATION' },
    { name: 'odoo.exceptions.UserError', expect: OdooValidationError, retryable: false, code: 'ODOO_VALIDATION' },
    { name: 'psycopg2.errors.SerializationFailure', expect: OdooConcurrencyError, retryable: true, code: 'ODOO_CONCURRENCY' },
    { name: 'psycopg2.errors.LockNotAvailable', expect: OdooConcurrencyError, retryable: true, code: 'ODOO_CONCURRENCY' },
    { name: 'builtins.KeyError', expect: OdooServerError, retryable: true, code: 'ODOO_SERVER_ERROR' },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.expect.name} (retryable: ${c.retryable}), one request`, async () => {
      await withHarness(await startOdooHarness(() => ({ error: { name: c.name, message: 'What Odoo said.', debug: 'Traceback (most recent call last):\n' + 'x'.repeat(5000) + '\nlast line' } })), async ({ client, server, sleeps }) => {
        await assert.rejects(client.call('payment.transaction', 'paypal_bridge_apply_payment'), (err: unknown) => {
          assert.ok(err instanceof c.expect, String(err));
          const e = err as OdooAccessError;
          assert.equal(e.retryable, c.retryable);
          assert.equal(e.code, c.code);
          assert.equal(e.odooName, c.name);
          assert.equal(e.odooMessage, 'What Odoo said.');
          assert.equal(e.call, 'payment.transaction.paypal_bridge_apply_payment');
          assert.ok(e.debug && e.debug.length < 700 && e.debug.endsWith('last line'), 'a short excerpt of the end of the traceback');
          return true;
        });
        assert.equal(server.objectRequests().length, 1);
        assert.deepEqual(sleeps, []);
      });
    });
  }

  test('a method that does not exist (module missing or being upgraded) is a retryable server error that says so', async () => {
    await withHarness(await startOdooHarness(() => ({ error: { name: 'builtins.AttributeError', message: "The method 'payment.transaction.paypal_bridge_ping' does not exist" } })), async ({ client }) => {
      await assert.rejects(client.call('payment.transaction', 'paypal_bridge_ping'), (err: unknown) => {
        assert.ok(err instanceof OdooServerError);
        assert.equal(err.retryable, true);
        assert.match(err.message, /paypal_bridge module installed and up to date/);
        return true;
      });
    });
  });

  test('an HTTP 500 HTML page is a retryable OdooServerError, not retried by the client', async () => {
    await withHarness(await startOdooHarness(() => ({ status: 500, body: '<html>Internal Server Error</html>' })), async ({ client, server }) => {
      await assert.rejects(client.call('m', 'a'), (err: unknown) => err instanceof OdooServerError && err.retryable && err.status === 500);
      assert.equal(server.objectRequests().length, 1);
    });
  });

  test('a 404 (wrong ODOO_URL) says to check ODOO_URL', async () => {
    await withHarness(await startOdooHarness(() => ({ result: 1 }), { authenticate: () => ({ status: 404, body: '<html>Not Found</html>' }) }), async ({ client }) => {
      await assert.rejects(client.call('m', 'a'), (err: unknown) => err instanceof OdooServerError && /ODOO_URL/.test(err.message));
    });
  });

  for (const status of [502, 503, 504]) {
    test(`HTTP ${status} is OdooUnavailableError (dependency odoo), left to the worker`, async () => {
      await withHarness(await startOdooHarness(() => ({ status, body: '<html>Bad Gateway</html>' })), async ({ client, server, sleeps }) => {
        await assert.rejects(client.call('m', 'a'), (err: unknown) => {
          assert.ok(err instanceof OdooUnavailableError);
          assert.ok(err instanceof DependencyUnavailableError);
          assert.equal(err.dependency, 'odoo');
          assert.equal(err.reason, 'http_status');
          assert.equal(err.status, status);
          assert.equal(err.retryable, true);
          return true;
        });
        assert.equal(server.objectRequests().length, 1);
        assert.deepEqual(sleeps, []);
      });
    });
  }
});

describe('createOdooClient: retries only when Odoo gave no answer', () => {
  test('a dropped connection is retried with backoff, then the answer is returned', async () => {
    const replies = [{ destroy: true }, { destroy: true }, { result: 'third time' }];
    await withHarness(await startOdooHarness((_r, i) => replies[i] ?? {}), async ({ client, server, sleeps, logger }) => {
      assert.equal(await client.call('m', 'a'), 'third time');
      assert.equal(server.objectRequests().length, 3);
      assert.equal(sleeps.length, 2);
      assert.ok(sleeps[0]! >= 50 && sleeps[0]! <= 100, `first backoff ${sleeps[0]}`);
      assert.ok(sleeps[1]! >= 100 && sleeps[1]! <= 200, `second backoff ${sleeps[1]}`);
      assert.equal(logger.lines.filter((l) => l['msg'] === 'odoo call failed').length, 2);
    });
  });

  test('gives up after maxAttempts with OdooUnavailableError (network)', async () => {
    await withHarness(await startOdooHarness(() => ({ destroy: true })), async ({ client, server }) => {
      await assert.rejects(client.call('m', 'a'), (err: unknown) => err instanceof OdooUnavailableError && err.reason === 'network' && /Check ODOO_URL/.test(err.message));
      assert.equal(server.objectRequests().length, 3);
    });
  });

  test('a timeout is retried; the next answer is returned', async () => {
    const replies = [{ hang: true }, { result: 'after timeout' }];
    await withHarness(await startOdooHarness((_r, i) => replies[i] ?? {}, { client: { timeoutMs: 1_000 } }), async ({ client, server }) => {
      assert.equal(await client.call('m', 'a'), 'after timeout');
      assert.equal(server.objectRequests().length, 2);
    });
  });

  test('only timeouts: OdooUnavailableError with reason timeout after maxAttempts', async () => {
    await withHarness(await startOdooHarness(() => ({ hang: true }), { client: { timeoutMs: 300, retry: { maxAttempts: 2 } } }), async ({ client, server }) => {
      await assert.rejects(client.call('m', 'a'), (err: unknown) => err instanceof OdooUnavailableError && err.reason === 'timeout');
      assert.equal(server.objectRequests().length, 2);
    });
  });

  test('retry: false — a call that is not idempotent is not repeated after a dropped connection', async () => {
    await withHarness(await startOdooHarness(() => ({ destroy: true })), async ({ client, server }) => {
      await assert.rejects(client.call('res.partner', 'create', [{ name: 'x' }], {}, { retry: false }), OdooUnavailableError);
      assert.equal(server.objectRequests().length, 1);
    });
  });

  test('a refused connection is retried even with retry: false (nothing reached Odoo)', async () => {
    const port = await closedPort();
    const sleeps: number[] = [];
    const client = createOdooClient({
      url: `http://127.0.0.1:${port}`,
      db: 'testdb',
      login: 'u',
      apiKey: 'k',
      logger: createMemoryLogger(),
      retry: { maxAttempts: 3, baseDelayMs: 10 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await assert.rejects(client.call('m', 'a', [], {}, { retry: false }), (err: unknown) => {
      assert.ok(err instanceof OdooUnavailableError);
      assert.equal(err.reason, 'network');
      assert.equal(err.call, 'common.authenticate');
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    assert.equal(sleeps.length, 2);
  });

  test('rejects a retry configuration without attempts', () => {
    assert.throws(() => createOdooClient({ url: 'http://x', db: 'd', login: 'l', apiKey: 'k', logger: createMemoryLogger(), retry: { maxAttempts: 0 } }), RangeError);
  });
});
