import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { CheckoutValues } from './config.ts';
import { serviceErrorMessage } from './messages.ts';
import { CheckoutServiceError, createServiceClient } from './service-client.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** A real HTTP server answering what the test scripts, recording what the client sent. */
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => undefined;
const seen: Seen[] = [];
let server: http.Server;
let values: CheckoutValues;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: raw ? (JSON.parse(raw) as unknown) : undefined });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  values = { token: 'pbt1.payload.sig', serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, reference: 'S00042-1' };
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function json(status: number, body: unknown) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

describe('service client', () => {
  test('creates the order with the checkout token and the reference only', async () => {
    seen.length = 0;
    answer = json(201, { order_id: '5O190127TN364715T', status: 'CREATED' });
    assert.deepEqual(await createServiceClient().createOrder(values), { orderId: '5O190127TN364715T' });
    assert.deepEqual(seen, [{ method: 'POST', url: '/v1/checkout/orders', authorization: 'Bearer pbt1.payload.sig', body: { reference: 'S00042-1' } }]);
  });

  test('captures an order and reads the outcome', async () => {
    seen.length = 0;
    answer = json(200, { status: 'pending', order_status: 'COMPLETED', capture_id: '3C679366HH908993F', message: 'PENDING_REVIEW' });
    assert.deepEqual(await createServiceClient().captureOrder(values, '5O190127TN364715T'), { status: 'pending', orderStatus: 'COMPLETED', message: 'PENDING_REVIEW' });
    assert.equal(seen[0]?.url, '/v1/checkout/orders/5O190127TN364715T/capture');
    assert.deepEqual(seen[0]?.body, { reference: 'S00042-1' });
  });

  test("turns the service's error bodies into typed errors, with PayPal's debug id", async () => {
    answer = json(502, { error: 'PAYPAL_ERROR', message: 'UNPROCESSABLE_ENTITY', paypal: { name: 'UNPROCESSABLE_ENTITY', debug_id: 'f0c6a1b2', issues: [{ issue: 'PAYEE_BLOCKED_TRANSACTION' }] } });
    const error = await createServiceClient().createOrder(values).catch((e: unknown) => e);
    assert.ok(error instanceof CheckoutServiceError);
    assert.equal(error.status, 502);
    assert.equal(error.code, 'PAYPAL_ERROR');
    assert.equal(error.message, 'UNPROCESSABLE_ENTITY');
    assert.deepEqual(error.paypal, { name: 'UNPROCESSABLE_ENTITY', debugId: 'f0c6a1b2' });
    assert.deepEqual(serviceErrorMessage(error), { level: 'danger', id: 'PAYPAL_ERROR', detail: 'UNPROCESSABLE_ENTITY', paypalDebugId: 'f0c6a1b2' });

    answer = json(422, { error: 'INSTRUMENT_DECLINED', message: 'choose another funding source' });
    const declined = await createServiceClient().captureOrder(values, 'O1').catch((e: unknown) => e);
    assert.ok(declined instanceof CheckoutServiceError && declined.code === 'INSTRUMENT_DECLINED' && declined.paypal === undefined);
  });

  test('an error page without JSON (a proxy between the shop and the service) is UNAVAILABLE', async () => {
    answer = (_req, res) => {
      res.writeHead(504, { 'content-type': 'text/html' });
      res.end('<html>Gateway Timeout</html>');
    };
    await assert.rejects(createServiceClient().captureOrder(values, 'O1'), (e: unknown) => e instanceof CheckoutServiceError && e.code === 'UNAVAILABLE' && e.status === 504);
  });

  test('answers the API never gives are BAD_RESPONSE', async () => {
    answer = json(201, { status: 'CREATED' });
    await assert.rejects(createServiceClient().createOrder(values), (e: unknown) => e instanceof CheckoutServiceError && e.code === 'BAD_RESPONSE');
    answer = json(200, { status: 'COMPLETED' });
    await assert.rejects(createServiceClient().captureOrder(values, 'O1'), (e: unknown) => e instanceof CheckoutServiceError && e.code === 'BAD_RESPONSE' && /unknown status "COMPLETED"/.test(e.message));
  });

  test('no answer (refused connection, or none before the timeout) is NETWORK: the outcome is unknown', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(createServiceClient().createOrder({ ...values, serviceUrl: `http://127.0.0.1:${port}` }), (e: unknown) => e instanceof CheckoutServiceError && e.code === 'NETWORK' && e.status === 0);

    answer = () => undefined; // never answers
    await assert.rejects(createServiceClient({ timeoutMs: 100 }).captureOrder(values, 'O1'), (e: unknown) => e instanceof CheckoutServiceError && e.code === 'NETWORK');
  });
});
