// Helpers for tests that talk to the simulator: a small authenticated client (global fetch, so the
// TLS certificate is checked against NODE_EXTRA_CA_CERTS like any client's) and a webhook receiver.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PayPalSimulator } from './index.ts';

export interface SimResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  // Tests read deep into arbitrary PayPal JSON; `unknown` would only add casts.
  body: any;
}

export interface SimClient {
  token(): Promise<string>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<SimResponse>;
}

async function parse(response: Response): Promise<SimResponse> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export async function requestToken(sim: PayPalSimulator, clientId = sim.clientId, clientSecret = sim.clientSecret, grantType = 'client_credentials'): Promise<SimResponse> {
  const response = await fetch(`${sim.apiBase}/v1/oauth2/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `grant_type=${grantType}`,
  });
  return parse(response);
}

export function simClient(sim: PayPalSimulator): SimClient {
  let token: string | undefined;
  const client: SimClient = {
    async token() {
      if (!token) {
        const answer = await requestToken(sim);
        if (answer.status !== 200) throw new Error(`token request failed: ${answer.status} ${JSON.stringify(answer.body)}`);
        token = answer.body.access_token as string;
      }
      return token;
    },
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${sim.apiBase}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${await client.token()}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return parse(response);
    },
  };
  return client;
}

/** A create-order body the way the bridge sends it. */
export function orderRequest(value = '100.00', currency = 'USD', intent: 'CAPTURE' | 'AUTHORIZE' = 'CAPTURE', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { intent, purchase_units: [{ reference_id: 'default', custom_id: 'S00042-1', invoice_id: `S${Math.floor(Math.random() * 1e9)}`, amount: { currency_code: currency, value }, ...extra }] };
}

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Statuses to answer, in order; once used up every request gets 200. */
  statuses: number[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const pending = [...statuses];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = pending.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/paypal`,
    received,
    statuses: pending,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
