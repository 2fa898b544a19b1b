// The simulator's own protocol behaviour, checked over real HTTP against what Odoo 18 answers
// (messages and exception names as a real 18.0 server gives them).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { createOdooClient } from '../../src/odoo/json-rpc-client.ts';
import { OdooUnavailableError } from '../../src/odoo/odoo-errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startOdooSim, type OdooSim } from './server.ts';

interface RpcAnswer {
  jsonrpc: string;
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data: { name: string; message: string; debug: string; arguments: unknown[]; context: object } };
}

async function rpc(sim: OdooSim, service: string, method: string, args: unknown[]): Promise<RpcAnswer> {
  const response = await fetch(`${sim.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 5, params: { service, method, args } }),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as RpcAnswer;
}

function asService(sim: OdooSim, model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
  return rpc(sim, 'object', 'execute_kw', [sim.db, sim.service.uid, sim.service.password, model, method, args, kwargs]);
}

function asAdmin(sim: OdooSim, model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
  return rpc(sim, 'object', 'execute_kw', [sim.db, sim.admin.uid, sim.admin.password, model, method, args, kwargs]);
}

async function withSim(fn: (sim: OdooSim) => Promise<void>): Promise<void> {
  const sim = await startOdooSim();
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

describe('Odoo simulator: common service', () => {
  test('version answers Odoo 18.0', async () => {
    await withSim(async (sim) => {
      const answer = await rpc(sim, 'common', 'version', []);
      assert.deepEqual(answer.result, { server_version: '18.0-20250506', server_version_info: [18, 0, 0, 'final', 0, ''], server_serie: '18.0', protocol_version: 1 });
      assert.equal(answer.id, 5);
    });
  });

  test('authenticate accepts an API key or a password, answers false otherwise', async () => {
    await withSim(async (sim) => {
      assert.equal((await rpc(sim, 'common', 'authenticate', [sim.db, sim.service.login, sim.service.password, {}])).result, sim.service.uid);
      assert.equal((await rpc(sim, 'common', 'authenticate', [sim.db, 'admin', 'admin', {}])).result, sim.admin.uid);
      assert.equal((await rpc(sim, 'common', 'login', [sim.db, 'admin', 'admin'])).result, sim.admin.uid);
      assert.equal((await rpc(sim, 'common', 'authenticate', [sim.db, sim.service.login, 'wrong-key', {}])).result, false);
      assert.equal((await rpc(sim, 'common', 'authenticate', [sim.db, 'PayPal Bridge Service', sim.service.password, {}])).result, false, 'the display name is not the login');
      assert.equal((await rpc(sim, 'common', 'authenticate', [sim.db, sim.service.login, '', {}])).result, false, 'the technical user has no password');
    });
  });

  test('an unknown database is psycopg2\'s OperationalError, as Odoo answers it', async () => {
    await withSim(async (sim) => {
      const answer = await rpc(sim, 'common', 'authenticate', ['nodb', 'admin', 'admin', {}]);
      assert.equal(answer.error?.data.name, 'psycopg2.OperationalError');
      assert.match(answer.error?.data.message ?? '', /database "nodb" does not exist/);
    });
  });
});

describe('Odoo simulator: object service rules', () => {
  test('a wrong key on execute_kw is AccessDenied in Odoo\'s error envelope', async () => {
    await withSim(async (sim) => {
      const answer = await rpc(sim, 'object', 'execute_kw', [sim.db, sim.service.uid, 'nope', 'payment.transaction', 'paypal_bridge_ping', [], {}]);
      assert.equal(answer.jsonrpc, '2.0');
      assert.equal(answer.id, 5);
      assert.equal(answer.result, undefined);
      assert.equal(answer.error?.code, 200);
      assert.equal(answer.error?.message, 'Odoo Server Error');
      assert.equal(answer.error?.data.name, 'odoo.exceptions.AccessDenied');
      assert.equal(answer.error?.data.message, 'Access Denied');
      assert.deepEqual(answer.error?.data.arguments, ['Access Denied']);
      assert.deepEqual(answer.error?.data.context, {});
      assert.match(answer.error?.data.debug ?? '', /^Traceback/);
    });
  });

  test('method names: private ones that exist are AccessError, unknown ones AttributeError, unknown models UserError', async () => {
    await withSim(async (sim) => {
      const privateAnswer = await asService(sim, 'payment.transaction', '_set_done', [[1]]);
      assert.equal(privateAnswer.error?.data.name, 'odoo.exceptions.AccessError');
      assert.equal(privateAnswer.error?.data.message, "Private methods (such as 'payment.transaction._set_done') cannot be called remotely.");
      const init = await asAdmin(sim, 'payment.transaction', 'init');
      assert.equal(init.error?.data.message, "Private methods (such as 'payment.transaction.init') cannot be called remotely.");
      const bridgePrivate = await asService(sim, 'payment.transaction', '_paypal_bridge_apply_payment');
      assert.equal(bridgePrivate.error?.data.name, 'odoo.exceptions.AccessError');
      const unknownPrivate = await asService(sim, 'payment.transaction', '_no_such_thing');
      assert.equal(unknownPrivate.error?.data.name, 'builtins.AttributeError');
      assert.equal(unknownPrivate.error?.data.message, "The method 'payment.transaction._no_such_thing' does not exist");
      const unknown = await asService(sim, 'payment.transaction', 'paypal_bridge_teleport');
      assert.equal(unknown.error?.data.message, "The method 'payment.transaction.paypal_bridge_teleport' does not exist");
      const elsewhere = await asService(sim, 'sale.order', 'paypal_bridge_ping');
      assert.equal(elsewhere.error?.data.name, 'builtins.AttributeError');
      const noModel = await asService(sim, 'no.model', 'search');
      assert.equal(noModel.error?.data.name, 'odoo.exceptions.UserError');
      assert.equal(noModel.error?.data.message, "Object no.model doesn't exist");
    });
  });

  test('entry points bind arguments like the module: positional or keyword; unknown or missing ones are ValidationErrors', async () => {
    await withSim(async (sim) => {
      const { reference } = sim.createSaleOrderWithTransaction({ amount: '10.00' });
      const positional = await asService(sim, 'payment.transaction', 'paypal_bridge_apply_payment', [reference, 'pending', { status_detail: 'ECHECK' }]);
      assert.equal((positional.result as { result: string }).result, 'applied');
      const unexpected = await asService(sim, 'payment.transaction', 'paypal_bridge_find', [], { nope: 1, also: 2 });
      assert.equal(unexpected.error?.data.name, 'odoo.exceptions.ValidationError');
      assert.equal(unexpected.error?.data.message, 'Unknown arguments: also, nope.');
      const missing = await asService(sim, 'payment.transaction', 'paypal_bridge_apply_payment', [], {});
      assert.equal(missing.error?.data.name, 'odoo.exceptions.ValidationError');
      assert.equal(missing.error?.data.message, 'reference must be a non-empty string of at most 128 characters, got None.');
      const tooMany = await asService(sim, 'payment.transaction', 'paypal_bridge_flag_review', ['a', 'b', 'c']);
      assert.equal(tooMany.error?.data.name, 'builtins.TypeError');
      assert.equal(tooMany.error?.data.message, 'PaymentTransaction.paypal_bridge_flag_review() takes from 1 to 3 positional arguments but 4 were given');
      const withContext = await asService(sim, 'payment.transaction', 'paypal_bridge_ping', [], { context: { lang: 'en_US' } });
      assert.equal((withContext.result as { ok: boolean }).ok, true, 'context is taken by call_kw, not passed to the method');
    });
  });

  test('arguments are checked before the reference is looked up', async () => {
    await withSim(async (sim) => {
      const answer = await asService(sim, 'payment.transaction', 'paypal_bridge_apply_payment', [], { reference: 'NO-SUCH', state: 'paid' });
      assert.equal(answer.error?.data.name, 'odoo.exceptions.ValidationError');
      assert.equal(answer.error?.data.message, "state must be one of pending, authorized, done, cancel, error, got 'paid'.");
      const refund = await asService(sim, 'payment.transaction', 'paypal_bridge_register_refund', [], { source_reference: 'NO-SUCH', refund_id: 'R', amount: '1.00', currency: 'usd$', status: 'COMPLETED' });
      assert.equal(refund.error?.data.message, `currency must be an ISO 4217 code such as "USD", got 'usd$'.`);
      const missing = await asService(sim, 'payment.transaction', 'paypal_bridge_apply_payment', [], { reference: 'NO-SUCH', state: 'done' });
      assert.equal(missing.error?.data.name, 'odoo.exceptions.MissingError');
      assert.equal(missing.error?.data.message, 'No PayPal transaction with reference NO-SUCH.');
    });
  });

  test('the group check: an internal user without the service group gets the module\'s AccessError', async () => {
    await withSim(async (sim) => {
      const answer = await rpc(sim, 'object', 'execute_kw', [sim.db, sim.internalUser.uid, sim.internalUser.password, 'payment.transaction', 'paypal_bridge_ping', [], {}]);
      assert.equal(answer.error?.data.name, 'odoo.exceptions.AccessError');
      assert.equal(answer.error?.data.message, 'Only the PayPal Bridge service user (group "PayPal Bridge Service") may call the PayPal Bridge entry points.');
    });
  });

  test('model access: the technical user gets Odoo\'s exact ir.model.access message', async () => {
    await withSim(async (sim) => {
      const answer = await asService(sim, 'payment.transaction', 'search_read', [[]], { fields: ['state'] });
      assert.equal(
        answer.error?.data.message,
        "You are not allowed to access 'Payment Transaction' (payment.transaction) records.\n\n" +
          'This operation is allowed for the following groups:\n\t- Administration/Settings\n\t- Invoicing/Invoicing\n\n' +
          'Contact your administrator to request access if necessary.',
      );
      const write = await asService(sim, 'account.payment', 'write', [[1], { amount: 1 }]);
      assert.match(write.error?.data.message ?? '', /^You are not allowed to modify 'Payments' \(account\.payment\) records\.\n\nThis operation is allowed for the following groups:\n\t- Invoicing\/Invoicing\n\n/);
      const partners = await asService(sim, 'res.partner', 'search_count', [[]]);
      assert.equal(typeof partners.result, 'number', 'internal users may read contacts');
    });
  });
});

describe('Odoo simulator: the ORM for administrators', () => {
  test('search_read with =, in, !=, ilike, | and & over read-format values', async () => {
    await withSim(async (sim) => {
      const a = sim.createSaleOrderWithTransaction({ amount: '10.00', partnerName: 'Azure Interior' });
      const b = sim.createSaleOrderWithTransaction({ amount: '20.00', partnerName: 'Deco Addict' });
      const rows = async (domain: unknown[]) =>
        ((await asAdmin(sim, 'payment.transaction', 'search_read', [domain], { fields: ['reference'] })).result as { reference: string }[]).map((r) => r.reference).sort();
      assert.deepEqual(await rows([['reference', '=', a.reference]]), [a.reference]);
      assert.deepEqual(await rows([['id', 'in', [a.txId, b.txId]]]), [a.reference, b.reference].sort());
      assert.deepEqual(await rows([['reference', '!=', a.reference]]), [b.reference]);
      assert.deepEqual(await rows([['partner_id', '=', b.partnerId]]), [b.reference], 'a many2one compares by id');
      assert.deepEqual(await rows([['sale_order_ids', 'in', [a.saleOrderId]]]), [a.reference], 'an x2many matches any of its ids');
      assert.deepEqual(await rows(['|', ['reference', '=', a.reference], ['amount', '=', 20]]), [a.reference, b.reference].sort());
      assert.deepEqual(await rows(['&', ['state', '=', 'draft'], ['amount', '=', 20]]), [b.reference]);
      const partners = (await asAdmin(sim, 'res.partner', 'search_read', [[['name', 'ilike', 'azure']]], { fields: ['name'] })).result as { name: string }[];
      assert.deepEqual(partners.map((p) => p.name), ['Azure Interior']);
      const read = (await asAdmin(sim, 'sale.order', 'read', [[a.saleOrderId]], { fields: ['state', 'amount_total', 'currency_id', 'user_id'] })).result;
      assert.deepEqual(read, [{ id: a.saleOrderId, state: 'draft', amount_total: 10, currency_id: [1, 'USD'], user_id: [sim.admin.uid, 'Mitchell Admin'] }]);
    });
  });

  test('read of a missing id is MissingError; an unknown field is a ValueError', async () => {
    await withSim(async (sim) => {
      const missing = await asAdmin(sim, 'sale.order', 'read', [[999]], {});
      assert.equal(missing.error?.data.name, 'odoo.exceptions.MissingError');
      assert.equal(missing.error?.data.message, `Record does not exist or has been deleted.\n(Record: sale.order(999,), User: ${sim.admin.uid})`);
      sim.createSaleOrderWithTransaction({ amount: '1.00' });
      const badField = await asAdmin(sim, 'sale.order', 'search_read', [[]], { fields: ['colour'] });
      assert.equal(badField.error?.data.name, 'builtins.ValueError');
    });
  });

  test('the provider settings an administrator changes over RPC reach the entry points', async () => {
    await withSim(async (sim) => {
      const [provider] = (await asAdmin(sim, 'payment.provider', 'search_read', [[['code', '=', 'paypal']]], { fields: ['capture_manually'] })).result as { id: number; capture_manually: boolean }[];
      assert.ok(provider);
      assert.equal((await asAdmin(sim, 'payment.provider', 'write', [[provider.id], { capture_manually: true }])).result, true);
      const { reference } = sim.createSaleOrderWithTransaction({ amount: '5.00' });
      const found = (await asService(sim, 'payment.transaction', 'paypal_bridge_find', [], { reference })).result as { capture_manually: boolean };
      assert.equal(found.capture_manually, true);
    });
  });
});

describe('Odoo simulator: failure injection and call counting', () => {
  test('failNext answers Odoo\'s SerializationFailure and applies nothing; then calls pass again', async () => {
    await withSim(async (sim) => {
      const { reference } = sim.createSaleOrderWithTransaction({ amount: '10.00' });
      sim.failNext(2, 'SerializationFailure', { method: 'paypal_bridge_apply_payment' });
      const ping = await asService(sim, 'payment.transaction', 'paypal_bridge_ping');
      assert.equal((ping.result as { ok: boolean }).ok, true, 'other methods are not affected by a filtered failure');
      for (let i = 0; i < 2; i++) {
        const failed = await asService(sim, 'payment.transaction', 'paypal_bridge_apply_payment', [], { reference, state: 'done', values: { capture_id: 'C1' } });
        assert.equal(failed.error?.data.name, 'psycopg2.errors.SerializationFailure');
        assert.equal(failed.error?.data.message, 'could not serialize access due to concurrent update');
        assert.equal(sim.state().transactions[0]?.state, 'draft');
      }
      const applied = await asService(sim, 'payment.transaction', 'paypal_bridge_apply_payment', [], { reference, state: 'done', values: { capture_id: 'C1' } });
      assert.equal((applied.result as { result: string }).result, 'applied');
      assert.equal(sim.state().payments.length, 1);
    });
  });

  test('failNext accepts any exception name', async () => {
    await withSim(async (sim) => {
      sim.failNext(1, 'builtins.RuntimeError', { message: 'boom' });
      const answer = await asService(sim, 'payment.transaction', 'paypal_bridge_ping');
      assert.equal(answer.error?.data.name, 'builtins.RuntimeError');
      assert.equal(answer.error?.data.message, 'boom');
      assert.throws(() => sim.failNext(0, 'KeyError'), RangeError);
    });
  });

  test('setDown: refused connections or 503 answers, and back up on the same URL', async () => {
    await withSim(async (sim) => {
      await sim.setDown(true);
      await assert.rejects(fetch(`${sim.url}/web/login`), (err: unknown) => (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED');
      await sim.setDown(true, '503');
      const unavailable = await fetch(`${sim.url}/jsonrpc`, { method: 'POST', body: '{}' });
      assert.equal(unavailable.status, 503);
      await sim.setDown(false);
      assert.equal((await rpc(sim, 'common', 'version', [])).error, undefined);
    });
  });

  test('counts every call by key, also refused ones', async () => {
    await withSim(async (sim) => {
      await rpc(sim, 'common', 'authenticate', [sim.db, sim.service.login, sim.service.password, {}]);
      await asService(sim, 'payment.transaction', 'paypal_bridge_ping');
      await asService(sim, 'payment.transaction', '_set_done');
      await asService(sim, 'payment.transaction', 'paypal_bridge_ping');
      assert.equal(sim.callCount('common.authenticate'), 1);
      assert.equal(sim.callCount('payment.transaction.paypal_bridge_ping'), 2);
      assert.equal(sim.callCount('payment.transaction._set_done'), 1);
      assert.equal(sim.callCount('payment.transaction.paypal_bridge_find'), 0);
      assert.equal(sim.callCount(), 4);
      assert.equal(sim.calls[1]?.login, sim.service.login);
      sim.resetCalls();
      assert.equal(sim.callCount(), 0);
    });
  });

  test('latency longer than the client\'s deadline makes the client time out; without it the call passes', async () => {
    await withSim(async (sim) => {
      const client = createOdooClient({
        url: sim.url,
        db: sim.db,
        login: sim.service.login,
        apiKey: sim.service.password,
        logger: createLogger({ level: 'silent' }),
        timeoutMs: 300,
        retry: { maxAttempts: 1 },
      });
      sim.setLatency(3_000);
      await assert.rejects(client.authenticate(), (err: unknown) => err instanceof OdooUnavailableError && err.reason === 'timeout');
      sim.setLatency(0);
      assert.equal(await client.authenticate(), sim.service.uid);
    });
  });
});

describe('Odoo simulator: CLI', () => {
  test('main.ts prints the URL and the technical user\'s credentials as one JSON line, and serves them', async () => {
    const main = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
    const child = spawn(process.execPath, [main, '--port', '0', '--demo-order', '12.50'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      const info = JSON.parse(chunk.toString('utf8').split('\n')[0] ?? '') as {
        url: string;
        db: string;
        login: string;
        apiKey: string;
        env: Record<string, string>;
        orders: { reference: string }[];
      };
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.login, 'paypal-bridge-service');
      assert.match(info.apiKey, /^[0-9a-f]{40}$/);
      assert.equal(info.env['ODOO_API_KEY'], info.apiKey);
      assert.equal(info.orders.length, 1);
      const response = await fetch(`${info.url}/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { service: 'common', method: 'authenticate', args: [info.db, info.login, info.apiKey, {}] } }),
      });
      const body = (await response.json()) as { result: unknown };
      assert.equal(typeof body.result, 'number');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
