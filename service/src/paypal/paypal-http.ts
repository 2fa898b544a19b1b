// One HTTP exchange with PayPal: sends the request with a deadline, reads the whole body within the
// same deadline, and reports the exchange once — a log line, a metric and the audit hook — whatever
// its outcome. Bodies are never logged (they carry payer data); the token and secret live only in
// headers, which are never logged either. Retrying, authentication and the meaning of a status are
// the caller's business.
import type { Logger } from '../shared/logger.ts';
import type { ServiceMetrics } from '../shared/metrics.ts';
import { PayPalUnavailableError } from './paypal-errors.ts';

/** What the audit hook receives for every HTTP exchange with PayPal (token requests included). */
export interface PayPalCallRecord {
  /** e.g. 'orders.capture', 'oauth.token' (PayPal's operationIds). */
  operation: string;
  method: string;
  /** Path without the host, e.g. /v2/checkout/orders/5O190127TN364715T/capture. */
  path: string;
  /** HTTP status; undefined when no answer came (network error, timeout). */
  status: number | undefined;
  /** 'ok' (2xx), 'http_error' (other status), 'timeout' or 'network'. */
  outcome: 'ok' | 'http_error' | 'timeout' | 'network';
  /** The PayPal-Request-Id sent, if any. */
  requestId: string | undefined;
  /** PayPal's debug id (Paypal-Debug-Id header), when answered. */
  debugId: string | undefined;
  durationMs: number;
  ok: boolean;
  /** 1 for the first try of an operation, 2 for the first retry, ... */
  attempt: number;
}

export interface PayPalHttpRequest {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  requestId?: string | undefined;
  attempt: number;
}

export interface PayPalHttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** From the Paypal-Debug-Id header; error bodies may carry their own debug_id too. */
  debugId: string | undefined;
}

export interface PayPalHttpOptions {
  apiBase: string;
  fetch: typeof fetch;
  timeoutMs: number;
  logger: Logger;
  metrics?: ServiceMetrics | undefined;
  onCall?: ((record: PayPalCallRecord) => void) | undefined;
}

export type PayPalHttp = (request: PayPalHttpRequest) => Promise<PayPalHttpResponse>;

export function createPayPalHttp(options: PayPalHttpOptions): PayPalHttp {
  const base = options.apiBase.replace(/\/+$/, '');
  const { logger, metrics, onCall, timeoutMs } = options;

  function report(request: PayPalHttpRequest, started: number, status: number | undefined, outcome: PayPalCallRecord['outcome'], debugId: string | undefined): void {
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const record: PayPalCallRecord = {
      operation: request.operation,
      method: request.method,
      path: request.path,
      status,
      outcome,
      requestId: request.requestId,
      debugId,
      durationMs,
      ok: outcome === 'ok',
      attempt: request.attempt,
    };
    metrics?.paypalRequests.inc({ operation: request.operation, status: status === undefined ? outcome : String(status) });
    const fields = {
      operation: request.operation,
      method: request.method,
      path: request.path,
      status: status ?? outcome,
      durationMs,
      debugId,
      attempt: request.attempt,
      paypalRequestId: request.requestId,
    };
    if (record.ok) logger.info('paypal call', fields);
    else logger.warn('paypal call failed', fields);
    if (onCall) {
      try {
        onCall(record);
      } catch (err) {
        // The audit hook must not turn a PayPal answer into a failure (the capture did happen).
        logger.error('paypal onCall hook threw', { err, operation: request.operation });
      }
    }
  }

  return async function send(request) {
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const init: RequestInit = { method: request.method, headers: request.headers, signal: controller.signal };
      if (request.body !== undefined) init.body = request.body;
      const response = await options.fetch(base + request.path, init);
      const text = await response.text();
      const debugId = response.headers.get('paypal-debug-id') ?? undefined;
      report(request, started, response.status, response.ok ? 'ok' : 'http_error', debugId);
      return { status: response.status, headers: response.headers, text, debugId };
    } catch (err) {
      const timedOut = controller.signal.aborted;
      report(request, started, undefined, timedOut ? 'timeout' : 'network', undefined);
      const message = timedOut
        ? `PayPal ${request.operation} did not answer within ${timeoutMs} ms (${request.method} ${request.path})`
        : `PayPal ${request.operation} could not be reached at ${base} (${request.method} ${request.path}): ${describeNetworkError(err)}. ` +
          'Check network access to PAYPAL_API_BASE.';
      throw new PayPalUnavailableError(request.operation, timedOut ? 'timeout' : 'network', message, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  };
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici reports "fetch failed" and puts the reason (ECONNREFUSED, ...) in `cause`.
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
  }
  return err.message;
}
