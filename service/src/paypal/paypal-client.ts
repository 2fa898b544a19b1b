// The PayPal REST client: every call the bridge makes to PayPal goes through here.
//
// Per operation: a cached OAuth token (paypal-auth.ts); `Authorization: Bearer`, JSON, and for
// operations that create or change something `Prefer: return=representation` plus the caller's
// stable `PayPal-Request-Id`, sent unchanged on every attempt so PayPal performs the operation once.
// Network errors, timeouts, 408/429/5xx and 409 PREVIOUS_REQUEST_IN_PROGRESS are retried with
// exponential backoff and jitter, waiting at least as long as PayPal's Retry-After; a 401 on an API
// call drops the token and tries once more with a fresh one; other 4xx answers are final and come
// back as PayPalApiError. The whole operation (retries included) runs inside a circuit breaker, so
// that during a PayPal outage callers fail fast with PayPalUnavailableError.
//
// Paths, methods and bodies follow PayPal's OpenAPI documents (Orders v2, Payments v2, Webhooks v1,
// Disputes v1, Transaction Search v1) in service/sim/openapi/paypal-documents.
import type { Logger } from '../shared/logger.ts';
import type { ServiceMetrics } from '../shared/metrics.ts';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker.ts';
import { createAccessTokenProvider } from './paypal-auth.ts';
import { PayPalApiError, PayPalAuthError, PayPalRequestError, PayPalUnavailableError } from './paypal-errors.ts';
import { createPayPalHttp, type PayPalCallRecord, type PayPalHttpResponse } from './paypal-http.ts';
import { apiErrorFromResponse, parseBody } from './paypal-responses.ts';
import { assertValidRequestId } from './request-id.ts';
import { backoffDelayMs, resolveRetryOptions, type RetryOptions } from './retry-policy.ts';
import {
  authorizationSchema,
  captureSchema,
  CURRENCY_CODE_PATTERN,
  disputeSchema,
  MONEY_VALUE_PATTERN,
  ORDER_INTENTS,
  orderSchema,
  refundSchema,
  verifyWebhookSignatureResponseSchema,
  webhookListSchema,
  webhookSchema,
  type Money,
  type PayPalAuthorization,
  type PayPalCapture,
  type PayPalDispute,
  type PayPalOrder,
  type PayPalRefund,
  type PayPalWebhook,
} from './schemas.ts';
import { balancesResponseSchema, transactionSearchPath, transactionSearchResponseSchema, type BalancesResponse, type TransactionSearchPage, type TransactionSearchQuery } from './transaction-search.ts';

export type { PayPalCallRecord } from './paypal-http.ts';

export interface PayPalClientOptions {
  /** e.g. https://api-m.sandbox.paypal.com (no trailing path needed). */
  apiBase: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  metrics?: ServiceMetrics;
  fetch?: typeof fetch;
  /** Wall clock for token expiry, Retry-After dates and the breaker's cool-down. */
  clock?: () => Date;
  /** How the client waits between attempts; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  retry?: RetryOptions;
  breaker?: { failureThreshold?: number; cooldownMs?: number };
  /** Deadline of one HTTP exchange (request and whole body). Default 20 s. */
  timeoutMs?: number;
  /** Audit hook: called once per HTTP exchange with PayPal, token requests included. */
  onCall?: (record: PayPalCallRecord) => void;
}

/** The idempotency key of a call that creates or changes something at PayPal. */
export interface IdempotentCallOptions {
  /** PayPal-Request-Id: stable per logical operation, e.g. `odoo-tx-${reference}-capture`. */
  requestId: string;
}

/** Body of POST /v2/checkout/orders (order_request). Amounts come from Odoo, as decimal strings. */
export interface CreateOrderRequest {
  intent: 'CAPTURE' | 'AUTHORIZE';
  purchase_units: PurchaseUnitRequest[];
  payment_source?: Record<string, unknown>;
  application_context?: Record<string, unknown>;
}

export interface PurchaseUnitRequest {
  reference_id?: string;
  description?: string;
  /** Our transaction reference: appears in PayPal's reports, used to map records back. */
  custom_id?: string;
  /** The Odoo order name; visible to the payer, must be unique per merchant. */
  invoice_id?: string;
  soft_descriptor?: string;
  amount: Money & { breakdown?: Record<string, Money> };
  items?: Record<string, unknown>[];
  shipping?: Record<string, unknown>;
  payee?: Record<string, unknown>;
}

export interface CaptureAuthorizationArgs {
  /** Omit to capture the full authorized amount. */
  amount?: Money;
  /** True when no further capture of this authorization will follow (PayPal's default is false). */
  finalCapture?: boolean;
  invoiceId?: string;
  noteToPayer?: string;
}

export interface RefundCaptureArgs {
  /** Omit for a full refund (the captured amount less earlier refunds). */
  amount?: Money;
  invoiceId?: string;
  noteToPayer?: string;
  customId?: string;
}

export interface VerifyWebhookSignatureArgs {
  authAlgo: string;
  certUrl: string;
  transmissionId: string;
  transmissionSig: string;
  transmissionTime: string;
  /** Our webhook subscription id (PAYPAL_WEBHOOK_ID), not the event id. */
  webhookId: string;
  /** The event exactly as received, parsed from the raw body. */
  webhookEvent: Record<string, unknown>;
}

export interface WebhookSignatureVerification {
  /** True only for verification_status SUCCESS: a 200 answer alone proves nothing. */
  verified: boolean;
  verificationStatus: 'SUCCESS' | 'FAILURE';
}

export interface PayPalClient {
  createOrder(body: CreateOrderRequest, options: IdempotentCallOptions): Promise<PayPalOrder>;
  getOrder(orderId: string): Promise<PayPalOrder>;
  captureOrder(orderId: string, options: IdempotentCallOptions): Promise<PayPalOrder>;
  authorizeOrder(orderId: string, options: IdempotentCallOptions): Promise<PayPalOrder>;
  getAuthorization(authorizationId: string): Promise<PayPalAuthorization>;
  captureAuthorization(authorizationId: string, args: CaptureAuthorizationArgs, options: IdempotentCallOptions): Promise<PayPalCapture>;
  /** Returns the voided authorization (read back if PayPal answers 204 without a body). */
  voidAuthorization(authorizationId: string, options: IdempotentCallOptions): Promise<PayPalAuthorization>;
  getCapture(captureId: string): Promise<PayPalCapture>;
  refundCapture(captureId: string, args: RefundCaptureArgs, options: IdempotentCallOptions): Promise<PayPalRefund>;
  getRefund(refundId: string): Promise<PayPalRefund>;
  createWebhook(url: string, eventTypes: string[]): Promise<PayPalWebhook>;
  listWebhooks(): Promise<PayPalWebhook[]>;
  /** PayPal's postback check; the service verifies signatures locally and uses this as a fallback. */
  verifyWebhookSignature(args: VerifyWebhookSignatureArgs): Promise<WebhookSignatureVerification>;
  getDispute(disputeId: string): Promise<PayPalDispute>;
  /**
   * One page of Transaction Search (at most 31 days, at most 500 records a page). The range is
   * checked before anything is sent; "Data for the given start date is not available." comes back
   * as PayPalApiError (see isReportingDataUnavailable).
   */
  searchTransactions(query: TransactionSearchQuery): Promise<TransactionSearchPage>;
  /** The account's balances per currency (Transaction Search's /v1/reporting/balances). */
  getBalances(currency?: string): Promise<BalancesResponse>;
  /** The breaker's state, for /readyz and metrics. */
  circuitState(): CircuitState;
}

interface CallSpec<T> {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  /** Serialized as JSON; omitted when undefined. */
  body?: unknown;
  /** Set for operations that create or change: sent as PayPal-Request-Id with Prefer: return=representation. */
  requestId?: string;
  /** Reads a 2xx answer. */
  parse: (response: PayPalHttpResponse) => T;
}

const DEFAULT_TIMEOUT_MS = 20_000;

export function createPayPalClient(opts: PayPalClientOptions): PayPalClient {
  const logger = opts.logger.child('paypal-client');
  const clock = opts.clock ?? (() => new Date());
  const now = () => clock().getTime();
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retry = resolveRetryOptions(opts.retry);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0 (got ${timeoutMs})`);
  if (!opts.clientId || !opts.clientSecret) {
    throw new PayPalRequestError('PayPal client id and secret are required: set PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET.');
  }

  const http = createPayPalHttp({
    apiBase: opts.apiBase,
    fetch: opts.fetch ?? globalThis.fetch,
    timeoutMs,
    logger,
    metrics: opts.metrics,
    onCall: opts.onCall,
  });
  const tokens = createAccessTokenProvider({
    apiBase: opts.apiBase,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    send: http,
    now,
    logger,
  });
  const breaker = new CircuitBreaker({
    failureThreshold: opts.breaker?.failureThreshold ?? 5,
    cooldownMs: opts.breaker?.cooldownMs ?? 30_000,
    now,
    isFailure: isOutageSignal,
    onStateChange(state, previous) {
      opts.metrics?.paypalCircuitOpen.set(state === 'closed' ? 0 : 1);
      if (state === 'open') logger.warn('paypal circuit opened: calls fail fast until a probe succeeds', { previous });
      else logger.info(`paypal circuit ${state}`, { previous });
    },
  });
  opts.metrics?.paypalCircuitOpen.set(0);

  async function call<T>(spec: CallSpec<T>): Promise<T> {
    try {
      return await breaker.run(() => callWithRetries(spec));
    } catch (err) {
      if (!(err instanceof CircuitOpenError)) throw err;
      throw new PayPalUnavailableError(
        spec.operation,
        'circuit_open',
        `PayPal ${spec.operation} not attempted: PayPal failed ${err.consecutiveFailures} times in a row (network, timeouts, 5xx or 429), ` +
          `so calls are paused${err.retryInMs > 0 ? ` for another ${Math.ceil(err.retryInMs / 1000)} s` : ' while a probe call runs'}. ` +
          'The work is retried later; check https://www.paypal-status.com and network access to PAYPAL_API_BASE.',
        { cause: err },
      );
    }
  }

  async function callWithRetries<T>(spec: CallSpec<T>): Promise<T> {
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    let counted = 0; // attempts that count against retry.maxAttempts
    let httpAttempt = 0; // every attempt, for logs
    let retriedWithFreshToken = false;
    for (;;) {
      counted += 1;
      httpAttempt += 1;
      let token: string | undefined;
      try {
        token = await tokens.getToken(httpAttempt);
        const headers: Record<string, string> = {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        };
        if (spec.requestId !== undefined) {
          headers['PayPal-Request-Id'] = spec.requestId;
          headers['Prefer'] = 'return=representation';
        }
        const response = await http({
          operation: spec.operation,
          method: spec.method,
          path: spec.path,
          headers,
          ...(body !== undefined ? { body } : {}),
          requestId: spec.requestId,
          attempt: httpAttempt,
        });
        if (response.status >= 200 && response.status <= 299) return spec.parse(response);
        throw apiErrorFromResponse(spec.operation, response, now());
      } catch (err) {
        if (token !== undefined && isApiUnauthorized(err)) {
          tokens.invalidate(token);
          if (!retriedWithFreshToken) {
            // Tokens can be revoked or expire early; one fresh token settles it. Not a retry.
            retriedWithFreshToken = true;
            counted -= 1;
            logger.info('paypal answered 401; retrying once with a fresh token', { operation: spec.operation });
            continue;
          }
          throw rejectedFreshToken(err);
        }
        const delayMs = retryDelay(err, counted);
        if (delayMs === undefined) throw err;
        logger.debug('paypal call will be retried', { operation: spec.operation, attempt: httpAttempt, delayMs });
        await sleep(delayMs);
      }
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when the error is final. */
  function retryDelay(err: unknown, attemptsMade: number): number | undefined {
    if (attemptsMade >= retry.maxAttempts) return undefined;
    if (err instanceof PayPalUnavailableError) return backoffDelayMs(attemptsMade + 1, retry);
    // PayPalApiError#retryable: 408/429/5xx and 409 PREVIOUS_REQUEST_IN_PROGRESS (paypal-responses.ts).
    if (!(err instanceof PayPalApiError) || !err.retryable) return undefined;
    if (err.retryAfterMs !== undefined && err.retryAfterMs > retry.maxRetryAfterMs) return undefined;
    return Math.max(backoffDelayMs(attemptsMade + 1, retry), err.retryAfterMs ?? 0);
  }

  // --- endpoints ----------------------------------------------------------------------------------

  function getResource<T>(operation: string, path: string, parse: (r: PayPalHttpResponse) => T): Promise<T> {
    return call({ operation, method: 'GET', path, parse });
  }

  // Endpoint methods are async so that argument errors arrive as rejections, like every other error.
  const client: PayPalClient = {
    async createOrder(body, options) {
      const operation = 'orders.create';
      assertValidRequestId(options?.requestId, operation);
      assertOrderRequest(body, operation);
      return call({
        operation,
        method: 'POST',
        path: '/v2/checkout/orders',
        body,
        requestId: options.requestId,
        parse: (r) => parseBody(operation, r, orderSchema),
      });
    },

    async getOrder(orderId) {
      const operation = 'orders.get';
      return getResource(operation, `/v2/checkout/orders/${pathId(orderId, 'order id', operation)}`, (r) => parseBody(operation, r, orderSchema));
    },

    async captureOrder(orderId, options) {
      const operation = 'orders.capture';
      assertValidRequestId(options?.requestId, operation);
      return call({
        operation,
        method: 'POST',
        path: `/v2/checkout/orders/${pathId(orderId, 'order id', operation)}/capture`,
        body: {},
        requestId: options.requestId,
        parse: (r) => parseBody(operation, r, orderSchema),
      });
    },

    async authorizeOrder(orderId, options) {
      const operation = 'orders.authorize';
      assertValidRequestId(options?.requestId, operation);
      return call({
        operation,
        method: 'POST',
        path: `/v2/checkout/orders/${pathId(orderId, 'order id', operation)}/authorize`,
        body: {},
        requestId: options.requestId,
        parse: (r) => parseBody(operation, r, orderSchema),
      });
    },

    async getAuthorization(authorizationId) {
      const operation = 'authorizations.get';
      return getResource(operation, `/v2/payments/authorizations/${pathId(authorizationId, 'authorization id', operation)}`, (r) =>
        parseBody(operation, r, authorizationSchema),
      );
    },

    async captureAuthorization(authorizationId, args, options) {
      const operation = 'authorizations.capture';
      assertValidRequestId(options?.requestId, operation);
      const body: Record<string, unknown> = {};
      if (args.amount !== undefined) body['amount'] = checkedMoney(args.amount, 'amount', operation);
      if (args.finalCapture !== undefined) body['final_capture'] = args.finalCapture;
      if (args.invoiceId !== undefined) body['invoice_id'] = checkedText(args.invoiceId, 'invoiceId', 127, operation);
      if (args.noteToPayer !== undefined) body['note_to_payer'] = checkedText(args.noteToPayer, 'noteToPayer', 255, operation);
      return call({
        operation,
        method: 'POST',
        path: `/v2/payments/authorizations/${pathId(authorizationId, 'authorization id', operation)}/capture`,
        body,
        requestId: options.requestId,
        parse: (r) => parseBody(operation, r, captureSchema),
      });
    },

    async voidAuthorization(authorizationId, options) {
      const operation = 'authorizations.void';
      assertValidRequestId(options?.requestId, operation);
      const id = pathId(authorizationId, 'authorization id', operation);
      // The void endpoint takes no body. With Prefer: return=representation PayPal answers 200
      // and the authorization; a 204 (minimal answer) is followed by a read, so callers always get
      // the authorization's state.
      const voided = await call<PayPalAuthorization | undefined>({
        operation,
        method: 'POST',
        path: `/v2/payments/authorizations/${id}/void`,
        requestId: options.requestId,
        parse: (r) => (r.status === 204 ? undefined : parseBody(operation, r, authorizationSchema)),
      });
      return voided ?? client.getAuthorization(id);
    },

    async getCapture(captureId) {
      const operation = 'captures.get';
      return getResource(operation, `/v2/payments/captures/${pathId(captureId, 'capture id', operation)}`, (r) => parseBody(operation, r, captureSchema));
    },

    async refundCapture(captureId, args, options) {
      const operation = 'captures.refund';
      assertValidRequestId(options?.requestId, operation);
      const body: Record<string, unknown> = {};
      if (args.amount !== undefined) body['amount'] = checkedMoney(args.amount, 'amount', operation);
      if (args.invoiceId !== undefined) body['invoice_id'] = checkedText(args.invoiceId, 'invoiceId', 127, operation);
      if (args.noteToPayer !== undefined) body['note_to_payer'] = checkedText(args.noteToPayer, 'noteToPayer', 255, operation);
      if (args.customId !== undefined) body['custom_id'] = checkedText(args.customId, 'customId', 127, operation);
      return call({
        operation,
        method: 'POST',
        path: `/v2/payments/captures/${pathId(captureId, 'capture id', operation)}/refund`,
        body,
        requestId: options.requestId,
        parse: (r) => parseBody(operation, r, refundSchema),
      });
    },

    async getRefund(refundId) {
      const operation = 'refunds.get';
      return getResource(operation, `/v2/payments/refunds/${pathId(refundId, 'refund id', operation)}`, (r) => parseBody(operation, r, refundSchema));
    },

    async createWebhook(url, eventTypes) {
      const operation = 'webhooks.post';
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new PayPalRequestError(`PayPal ${operation}: "${url}" is not an absolute URL; PayPal needs the public https URL of POST /webhooks/paypal.`);
      }
      if (parsed.protocol !== 'https:') {
        throw new PayPalRequestError(`PayPal ${operation}: PayPal only delivers webhooks to https URLs (got ${parsed.protocol}//${parsed.host}).`);
      }
      if (eventTypes.length === 0 || eventTypes.some((t) => typeof t !== 'string' || t.trim() === '')) {
        throw new PayPalRequestError(`PayPal ${operation}: name at least one event type (or '*' for all), with no empty names.`);
      }
      // The Webhooks API has no PayPal-Request-Id; a repeated create is refused by PayPal
      // (WEBHOOK_URL_ALREADY_EXISTS), which callers handle by listing.
      return call({
        operation,
        method: 'POST',
        path: '/v1/notifications/webhooks',
        body: { url, event_types: eventTypes.map((name) => ({ name })) },
        parse: (r) => parseBody(operation, r, webhookSchema),
      });
    },

    async listWebhooks() {
      const operation = 'webhooks.list';
      const list = await getResource(operation, '/v1/notifications/webhooks', (r) => parseBody(operation, r, webhookListSchema));
      return list.webhooks ?? [];
    },

    async verifyWebhookSignature(args) {
      const operation = 'verify-webhook-signature.post';
      for (const key of ['authAlgo', 'certUrl', 'transmissionId', 'transmissionSig', 'transmissionTime', 'webhookId'] as const) {
        if (typeof args[key] !== 'string' || args[key] === '') throw new PayPalRequestError(`PayPal ${operation}: ${key} is required (from the webhook's PAYPAL-* headers / PAYPAL_WEBHOOK_ID).`);
      }
      if (args.webhookEvent === null || typeof args.webhookEvent !== 'object' || Array.isArray(args.webhookEvent)) {
        throw new PayPalRequestError(`PayPal ${operation}: webhookEvent must be the event object parsed from the raw body.`);
      }
      const result = await call({
        operation,
        method: 'POST',
        path: '/v1/notifications/verify-webhook-signature',
        body: {
          auth_algo: args.authAlgo,
          cert_url: args.certUrl,
          transmission_id: args.transmissionId,
          transmission_sig: args.transmissionSig,
          transmission_time: args.transmissionTime,
          webhook_id: args.webhookId,
          webhook_event: args.webhookEvent,
        },
        parse: (r) => parseBody(operation, r, verifyWebhookSignatureResponseSchema),
      });
      return { verified: result.verification_status === 'SUCCESS', verificationStatus: result.verification_status };
    },

    async getDispute(disputeId) {
      const operation = 'disputes.get';
      return getResource(operation, `/v1/customer/disputes/${pathId(disputeId, 'dispute id', operation)}`, (r) => parseBody(operation, r, disputeSchema));
    },

    async searchTransactions(query) {
      const operation = 'search.get';
      return getResource(operation, transactionSearchPath(query), (r) => parseBody(operation, r, transactionSearchResponseSchema));
    },

    async getBalances(currency) {
      const operation = 'balances.get';
      const path = `/v1/reporting/balances${currency ? `?currency_code=${encodeURIComponent(currency)}` : ''}`;
      return getResource(operation, path, (r) => parseBody(operation, r, balancesResponseSchema));
    },

    circuitState: () => breaker.state(),
  };
  return client;
}

/** Errors that say PayPal as a whole is struggling (they open the circuit); a 4xx means it is up. */
function isOutageSignal(err: unknown): boolean {
  if (err instanceof PayPalUnavailableError) return err.reason !== 'circuit_open';
  return err instanceof PayPalApiError && (err.status >= 500 || err.status === 429);
}

function isApiUnauthorized(err: unknown): err is PayPalApiError {
  return err instanceof PayPalApiError && !(err instanceof PayPalAuthError) && err.status === 401;
}

function rejectedFreshToken(err: PayPalApiError): PayPalAuthError {
  return new PayPalAuthError({
    operation: err.operation,
    status: err.status,
    paypalName: err.paypalName,
    paypalMessage: err.paypalMessage,
    debugId: err.debugId,
    issues: err.issues,
    paypalDetails: err.paypalDetails,
    message:
      `PayPal ${err.operation} answered 401 ${err.paypalName} even with a freshly issued access token` +
      `${err.debugId ? ` (PayPal debug_id ${err.debugId})` : ''}. ` +
      'Check that the REST app behind PAYPAL_CLIENT_ID has this feature enabled and that PAYPAL_API_BASE is the environment the app was created in.',
  });
}

// --- argument checks (before anything is sent) ----------------------------------------------------

const ID_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/** PayPal ids are letters, digits and dashes; anything else is a bug upstream, not an id. */
function pathId(id: unknown, what: string, operation: string): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new PayPalRequestError(`PayPal ${operation}: ${what} ${JSON.stringify(id)} is not a PayPal id (letters, digits, '-' and '_' only).`);
  }
  return id;
}

function checkedMoney(value: unknown, what: string, operation: string): Money {
  const money = value as Partial<Money> | null | undefined;
  if (
    money === null ||
    typeof money !== 'object' ||
    typeof money.currency_code !== 'string' ||
    !CURRENCY_CODE_PATTERN.test(money.currency_code) ||
    typeof money.value !== 'string' ||
    money.value.length > 32 ||
    !MONEY_VALUE_PATTERN.test(money.value)
  ) {
    throw new PayPalRequestError(
      `PayPal ${operation}: ${what} must be {currency_code: "EUR", value: "10.00"} — a three-letter code and a decimal string (got ${JSON.stringify(money)}).`,
    );
  }
  return { currency_code: money.currency_code, value: money.value };
}

function checkedText(value: string, what: string, maxLength: number, operation: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new PayPalRequestError(`PayPal ${operation}: ${what} must be a string of 1 to ${maxLength} characters.`);
  }
  return value;
}

function assertOrderRequest(body: CreateOrderRequest, operation: string): void {
  if (body === null || typeof body !== 'object') throw new PayPalRequestError(`PayPal ${operation}: the order request must be an object.`);
  if (!(ORDER_INTENTS as readonly string[]).includes(body.intent)) {
    throw new PayPalRequestError(`PayPal ${operation}: intent must be ${ORDER_INTENTS.join(' or ')} (got ${JSON.stringify(body.intent)}).`);
  }
  if (!Array.isArray(body.purchase_units) || body.purchase_units.length < 1 || body.purchase_units.length > 10) {
    throw new PayPalRequestError(`PayPal ${operation}: purchase_units must hold 1 to 10 purchase units.`);
  }
  body.purchase_units.forEach((unit, i) => checkedMoney(unit?.amount, `purchase_units[${i}].amount`, operation));
}
