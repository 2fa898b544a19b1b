// The browser's side of the service's checkout API. The checkout token Odoo issued for the
// transaction is the only credential; the body carries the transaction reference and nothing
// else: amounts and currencies come from Odoo, never from the browser.
//
//   POST {serviceUrl}/v1/checkout/orders                    {reference} → 201 {order_id, status}
//   POST {serviceUrl}/v1/checkout/orders/{order_id}/capture {reference} → 200 {status, order_status, …}
//   errors: {error, message, paypal?: {name, debug_id, issues}}
import type { CheckoutValues } from './config.ts';

export type CaptureStatus = 'done' | 'pending' | 'authorized' | 'error' | 'cancel';

export interface CaptureResult {
  status: CaptureStatus;
  /** PayPal's order status. */
  orderStatus: string;
  /** Why the payment is not done, when it is not. */
  message?: string;
}

/**
 * A failed call. `code` is the service's error code (TOKEN_INVALID, INSTRUMENT_DECLINED, …),
 * NETWORK when no answer came back (the outcome is unknown), UNAVAILABLE for an error page
 * without JSON (a proxy's 502/504: unknown too), BAD_RESPONSE for an answer the API never gives.
 */
export class CheckoutServiceError extends Error {
  override name = 'CheckoutServiceError';
  readonly status: number;
  readonly code: string;
  readonly paypal: { name?: string; debugId?: string } | undefined;

  constructor(status: number, code: string, message: string, paypal?: { name?: string; debugId?: string }) {
    super(message);
    this.status = status;
    this.code = code;
    this.paypal = paypal;
  }
}

export interface CheckoutService {
  createOrder(values: CheckoutValues): Promise<{ orderId: string }>;
  captureOrder(values: CheckoutValues, orderId: string): Promise<CaptureResult>;
}

const CAPTURE_STATUSES: readonly string[] = ['done', 'pending', 'authorized', 'error', 'cancel'];

type Json = Record<string, unknown>;

function text(source: Json | undefined, key: string): string | undefined {
  const value = source?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export interface ServiceClientOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** How long to wait for an answer before treating the outcome as unknown (default 60 s). */
  timeoutMs?: number;
}

export function createServiceClient(options: ServiceClientOptions = {}): CheckoutService {
  async function post(values: CheckoutValues, path: string): Promise<Json> {
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(`${values.serviceUrl}${path}`, {
        method: 'POST',
        mode: 'cors',
        credentials: 'omit',
        headers: { Authorization: `Bearer ${values.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ reference: values.reference }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (err) {
      throw new CheckoutServiceError(0, 'NETWORK', `${values.serviceUrl} could not be reached (${String(err)})`);
    }
    const status = response.status;
    const body: unknown = await response.json().catch(() => undefined);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new CheckoutServiceError(status, response.ok ? 'BAD_RESPONSE' : 'UNAVAILABLE', `the payment service answered HTTP ${status} without a JSON object`);
    }
    const json = body as Json;
    if (!response.ok) {
      const paypal = typeof json['paypal'] === 'object' && json['paypal'] !== null ? (json['paypal'] as Json) : undefined;
      const name = text(paypal, 'name');
      const debugId = text(paypal, 'debug_id');
      throw new CheckoutServiceError(
        status,
        text(json, 'error') ?? `HTTP_${status}`,
        text(json, 'message') ?? `HTTP ${status}`,
        paypal ? { ...(name ? { name } : {}), ...(debugId ? { debugId } : {}) } : undefined,
      );
    }
    return json;
  }

  return {
    async createOrder(values) {
      const orderId = text(await post(values, '/v1/checkout/orders'), 'order_id');
      if (!orderId) throw new CheckoutServiceError(201, 'BAD_RESPONSE', 'the payment service answered no order_id');
      return { orderId };
    },
    async captureOrder(values, orderId) {
      const body = await post(values, `/v1/checkout/orders/${encodeURIComponent(orderId)}/capture`);
      const status = text(body, 'status');
      if (!status || !CAPTURE_STATUSES.includes(status)) throw new CheckoutServiceError(200, 'BAD_RESPONSE', `the payment service answered an unknown status ${JSON.stringify(body['status'])}`);
      const message = text(body, 'message');
      return { status: status as CaptureStatus, orderStatus: text(body, 'order_status') ?? '', ...(message ? { message } : {}) };
    },
  };
}
