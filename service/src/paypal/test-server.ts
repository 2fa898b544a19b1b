// For the PayPal client's tests: a real HTTP server on 127.0.0.1 (port 0) whose answers each test
// scripts, and which records every request it receives. The OAuth token endpoint answers by
// default (token "tok-1", "tok-2", ... valid 9 h) so most tests only script the API call.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryLogger } from '../shared/logger.ts';
import { createServiceMetrics } from '../shared/metrics.ts';
import { createPayPalClient, type PayPalClient, type PayPalClientOptions } from './paypal-client.ts';
import type { PayPalCallRecord } from './paypal-http.ts';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. /v2/checkout/orders/ABC/capture. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Never answer (the client must time out). */
  hang?: boolean;
  /** Drop the connection without an answer (a network error for the client). */
  destroy?: boolean;
}

export type Handler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface ScriptedPayPal {
  baseUrl: string;
  /** API requests (everything but the token endpoint), in arrival order. */
  requests: RecordedRequest[];
  tokenRequests: RecordedRequest[];
  close(): Promise<void>;
}

export const TOKEN_LIFETIME_SECONDS = 32_400;

export function issueToken(_request: RecordedRequest, index: number): Reply {
  return {
    status: 200,
    body: { scope: 'https://uri.paypal.com/services/payments/payment', access_token: `tok-${index + 1}`, token_type: 'Bearer', app_id: 'APP-TEST', expires_in: TOKEN_LIFETIME_SECONDS, nonce: 'n' },
  };
}

export async function startScriptedPayPal(api: Handler, token: Handler = issueToken): Promise<ScriptedPayPal> {
  const requests: RecordedRequest[] = [];
  const tokenRequests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const isToken = recorded.path === '/v1/oauth2/token';
      const list = isToken ? tokenRequests : requests;
      list.push(recorded);
      Promise.resolve((isToken ? token : api)(recorded, list.length - 1)).then(
        (reply) => send(res, reply),
        (err: unknown) => send(res, { status: 599, body: { name: 'TEST_HANDLER_THREW', message: String(err) } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (reply.hang) return;
  if (reply.destroy) {
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string> = { 'paypal-debug-id': 'dbg-test', ...reply.headers };
  let payload = '';
  if (reply.body !== undefined) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export const TEST_CLIENT_ID = 'AcTestClientId123';
export const TEST_CLIENT_SECRET = 'EL-test-secret-value-987';

export interface Harness {
  server: ScriptedPayPal;
  client: PayPalClient;
  logger: ReturnType<typeof createMemoryLogger>;
  metrics: ReturnType<typeof createServiceMetrics>;
  /** Every wait the client asked for, in ms (the injected sleep advances the clock instead of waiting). */
  sleeps: number[];
  calls: PayPalCallRecord[];
  advance(ms: number): void;
  nowMs(): number;
  close(): Promise<void>;
}

/**
 * A client wired to a scripted server, with a fake clock that only moves when a test (or the
 * client's sleep) moves it, so waits are asserted without measuring time.
 */
export async function startHarness(api: Handler, options: { token?: Handler; client?: Partial<PayPalClientOptions> } = {}): Promise<Harness> {
  const server = await startScriptedPayPal(api, options.token);
  let nowMs = Date.parse('2025-01-01T12:00:00Z');
  const sleeps: number[] = [];
  const calls: PayPalCallRecord[] = [];
  const logger = createMemoryLogger('debug');
  const metrics = createServiceMetrics();
  const client = createPayPalClient({
    apiBase: server.baseUrl,
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    logger,
    metrics,
    clock: () => new Date(nowMs),
    sleep: async (ms) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    onCall: (record) => calls.push(record),
    ...options.client,
  });
  return {
    server,
    client,
    logger,
    metrics,
    sleeps,
    calls,
    advance: (ms) => {
      nowMs += ms;
    },
    nowMs: () => nowMs,
    close: () => server.close(),
  };
}

/** Resource bodies shaped like PayPal's (only the fields the tests and schemas care about, plus noise). */
export const samples = {
  order: (id = '5O190127TN364715T', status = 'COMPLETED') => ({
    id,
    status,
    intent: 'CAPTURE',
    purchase_units: [
      {
        reference_id: 'default',
        amount: { currency_code: 'EUR', value: '100.00' },
        custom_id: 'S00042-1',
        invoice_id: 'S00042',
        payments: { captures: [samples.capture()] },
      },
    ],
    payer: { name: { given_name: 'John', surname: 'Doe' }, email_address: 'john@example.com', payer_id: 'QYR5Z8XDVJNXQ' },
    links: [{ href: `https://api-m.sandbox.paypal.com/v2/checkout/orders/${id}`, rel: 'self', method: 'GET' }],
    create_time: '2025-01-01T10:00:00Z',
  }),
  capture: (id = '3C679366HH908993F', status = 'COMPLETED') => ({
    id,
    status,
    amount: { currency_code: 'EUR', value: '100.00' },
    final_capture: true,
    custom_id: 'S00042-1',
    seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED'] },
    seller_receivable_breakdown: {
      gross_amount: { currency_code: 'EUR', value: '100.00' },
      paypal_fee: { currency_code: 'EUR', value: '3.74' },
      net_amount: { currency_code: 'EUR', value: '96.26' },
    },
    supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
    links: [{ href: `https://api-m.sandbox.paypal.com/v2/payments/captures/${id}`, rel: 'self', method: 'GET' }],
    create_time: '2025-01-01T10:00:05Z',
    update_time: '2025-01-01T10:00:05Z',
  }),
  authorization: (id = '0VF52814937998046', status = 'CREATED') => ({
    id,
    status,
    amount: { currency_code: 'EUR', value: '100.00' },
    expiration_time: '2025-01-30T10:00:00Z',
    supplementary_data: { related_ids: { order_id: '5O190127TN364715T' } },
    links: [],
  }),
  refund: (id = '1JU08902781691411', status = 'COMPLETED') => ({
    id,
    status,
    amount: { currency_code: 'EUR', value: '10.00' },
    seller_payable_breakdown: { total_refunded_amount: { currency_code: 'EUR', value: '10.00' } },
    links: [{ href: 'https://api-m.sandbox.paypal.com/v2/payments/captures/3C679366HH908993F', rel: 'up', method: 'GET' }],
  }),
  webhook: (id = '0EH40505U7160970P') => ({
    id,
    url: 'https://bridge.example.com/webhooks/paypal',
    event_types: [{ name: 'PAYMENT.CAPTURE.COMPLETED', description: 'A payment capture completes.' }],
    links: [],
  }),
  dispute: (id = 'PP-D-27803') => ({
    dispute_id: id,
    status: 'WAITING_FOR_SELLER_RESPONSE',
    reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
    dispute_amount: { currency_code: 'EUR', value: '100.00' },
    dispute_life_cycle_stage: 'INQUIRY',
    seller_response_due_date: '2025-01-20T10:00:00Z',
    disputed_transactions: [{ seller_transaction_id: '3C679366HH908993F', custom: 'S00042-1' }],
  }),
  error422: (issue: string, debugId = 'f0e9d8c7b6a5') => ({
    name: 'UNPROCESSABLE_ENTITY',
    message: 'The requested action could not be performed, semantically incorrect, or failed business validation.',
    debug_id: debugId,
    details: [{ issue, description: `Issue ${issue}.` }],
    links: [{ href: `https://developer.paypal.com/docs/api/orders/v2/#error-${issue}`, rel: 'information_link', method: 'GET' }],
  }),
};
