// A PayPal that runs on loopback, for tests, the demo and the benchmarks.
//
// It serves the REST operations the bridge uses (OAuth, Orders v2, Payments v2, Webhooks v1,
// Disputes v1, Transaction Search v1) over real HTTPS with the test PKI's localhost certificate,
// plays the buyer and PayPal's own decisions through test actions (programmatic, and as POST
// /__sim/* routes for browsers and other processes), emits and delivers signed webhook events, and
// checks every request it receives and every response it sends against PayPal's OpenAPI documents.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ensureTestPki, testPkiDir, type SignerName, type TestPki } from '../pki.ts';
import { createOpenApiValidator, defaultSpecDir, type OpenApiValidator, type Violation } from '../openapi/validator.ts';
import { WebhookDelivery, type DeliveryRecord } from './delivery.ts';
import { createDispute, resolveDispute, updateDispute, type CreateDisputeOptions, type DisputePatch } from './disputes.ts';
import { buildEvent, resourceSchemaOf, serializeEvent, type BuildEventOptions } from './events.ts';
import { FaultRegistry, type FaultSpec } from './faults.ts';
import { accountId } from './ids.ts';
import { feeSchedule } from './money.ts';
import { TokenIssuer } from './oauth.ts';
import { approveOrder, reverseApproval, type ApproveOptions } from './orders.ts';
import { completePendingCapture, denyPendingCapture, refundFromDashboard, reverseCapture } from './payments.ts';
import { reportingControls, type ReportingControls } from './reporting.ts';
import { captureJson, disputeJson, refundJson } from './representations.ts';
import { createJsSdkRouter } from './js-sdk.ts';
import { createApp, type RequestLogEntry, type ValidationMode } from './server.ts';
import { WebhookSigner, type SignedDelivery, type SignOptions } from './signing.ts';
import { SimState, type DisputeOutcome, type SimContext, type SimStateView, type WebhookEvent } from './state.ts';
import { createTestRouter } from './test-routes.ts';
import { subscribers } from './webhooks.ts';

export type { DeliveryRecord } from './delivery.ts';
export type { CreateDisputeOptions, DisputePatch } from './disputes.ts';
export type { FaultSpec } from './faults.ts';
export type { ApproveOptions } from './orders.ts';
export type { LedgerRecord, ReportingControls, SeededPayment, SeedRecordsOptions } from './reporting.ts';
export type { RequestLogEntry, ValidationMode } from './server.ts';
export type { SignedDelivery, SignOptions } from './signing.ts';
export type { CaptureOutcome, DisputeOutcome, DisputeReason, DisputeStage, DisputeStatus, Payer, SimStateView, WebhookEvent } from './state.ts';
export { crc32Decimal, signedMessage, AUTH_ALGO } from './signing.ts';

export interface PayPalSimulatorOptions {
  /** Default: the test PKI of TEST_PKI_DIR (created when missing). */
  pki?: TestPki;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of access tokens; default 32400 (9 hours, like PayPal). */
  tokenTtlSeconds?: number;
  /** strict: invalid requests get 400 INVALID_REQUEST; record: only recorded; off: not checked. */
  validate?: ValidationMode;
  /** Delay before each retry of a failed webhook delivery; its length is the number of retries. */
  webhookRetryDelaysMs?: number[];
  /** Per delivery attempt (default 10 s). */
  webhookTimeoutMs?: number;
  clock?: () => Date;
  /** PayPal's fee: percentage (default 3.49) plus a fixed part in major units (default "0.49"). */
  feePercent?: number;
  feeFixed?: string;
  /** PayPal's default account setting refuses a second payment with the same invoice_id (default true). */
  blockDuplicateInvoiceId?: boolean;
  /** How far Transaction Search lags behind (last_refreshed_datetime = now - delay); default 0. */
  reportingDelaySeconds?: number;
  /** HTTPS port (default 0: any free port). */
  port?: number;
  /** Plain-HTTP port serving the same app, for browsers (default 0). */
  httpPort?: number;
  host?: string;
  /** Folder of PayPal's OpenAPI documents (default: the documents the project carries, service/sim/openapi/paypal-documents). */
  specDir?: string;
}

export interface PayPalSimulator {
  /** https://127.0.0.1:<port> */
  readonly apiBase: string;
  /** http://127.0.0.1:<port>, the same app without TLS. */
  readonly httpBase: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly merchant: { email_address: string; merchant_id: string };
  /** The URL serving a signer's leaf certificate, as PAYPAL-CERT-URL carries it. */
  certUrl(signer?: SignerName): string;
  /** Every OpenAPI violation seen: requests received and responses sent. */
  readonly violations: Violation[];
  /** Every request to PayPal's endpoints (not /__sim), in arrival order. */
  readonly requests: RequestLogEntry[];
  tokenRequests(): number;
  readonly state: SimStateView;

  approveOrder(orderId: string, options?: ApproveOptions): Promise<void>;
  reverseApproval(orderId: string): Promise<void>;
  completePendingCapture(captureId: string): Promise<Record<string, unknown>>;
  denyPendingCapture(captureId: string): Promise<Record<string, unknown>>;
  refundFromDashboard(captureId: string, amount?: string): Promise<Record<string, unknown>>;
  reverseCapture(captureId: string, amount?: string): Promise<Record<string, unknown>>;
  createDispute(captureId: string, options?: CreateDisputeOptions): Promise<Record<string, unknown>>;
  updateDispute(disputeId: string, patch: DisputePatch): Promise<Record<string, unknown>>;
  resolveDispute(disputeId: string, outcome: DisputeOutcome): Promise<Record<string, unknown>>;

  buildEvent(eventType: string, resource: object, options?: BuildEventOptions): WebhookEvent;
  signEvent(event: WebhookEvent | string, options: SignOptions): SignedDelivery;
  deliverEvent(event: WebhookEvent): void;
  readonly deliveries: DeliveryRecord[];
  idle(): Promise<void>;
  pauseDelivery(): void;
  resumeDelivery(): void;
  readonly faults: { add(fault: FaultSpec): void; clear(): void };
  /** Transaction Search: bulk seeding, planted records, the reporting delay. */
  readonly reporting: ReportingControls;
  close(): Promise<void>;
}

const validators = new Map<string, OpenApiValidator>();

/** One validator per spec folder and process: its compiled schemas are reused by every simulator. */
function sharedValidator(specDir: string): OpenApiValidator {
  let v = validators.get(specDir);
  if (!v) {
    v = createOpenApiValidator(specDir);
    validators.set(specDir, v);
  }
  return v;
}

function listen(server: http.Server | https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startPayPalSimulator(options: PayPalSimulatorOptions = {}): Promise<PayPalSimulator> {
  const pki = options.pki ?? (await ensureTestPki(testPkiDir()));
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? (() => new Date());
  const clientId = options.clientId ?? 'sim-client-id';
  const clientSecret = options.clientSecret ?? 'sim-client-secret';
  const mode = options.validate ?? 'strict';
  const validator = sharedValidator(options.specDir ?? defaultSpecDir());
  const state = new SimState();
  const violations: Violation[] = [];
  const requests: RequestLogEntry[] = [];
  const merchant = { email_address: 'merchant@example.com', merchant_id: accountId() };
  let apiBase = '';
  let httpBase = '';

  const signer = new WebhookSigner(pki, () => apiBase, clock);
  const delivery = new WebhookDelivery({
    retryDelaysMs: options.webhookRetryDelaysMs ?? [200, 1000, 5000, 15000, 60000],
    sign: (body, webhookId) => signer.sign(body, { webhookId }),
    now: clock,
    ...(options.webhookTimeoutMs !== undefined ? { timeoutMs: options.webhookTimeoutMs } : {}),
  });

  /** Serializes an event; the first bytes sent under an event id are what postback verification checks. */
  function bytesOf(event: WebhookEvent): Buffer {
    const body = serializeEvent(event);
    if (!state.eventBodies.has(event.id)) state.eventBodies.set(event.id, body);
    return body;
  }

  /** Events the simulator makes are held to the documents like its responses (not those a test supplies). */
  function checkEvent(event: WebhookEvent): void {
    const schema = resourceSchemaOf(event.event_type);
    const found = [
      ...validator.validateSchema('notifications_webhooks_v1', 'event', event),
      ...(schema ? validator.validateSchema(schema.doc, schema.schema, event.resource) : []),
    ];
    for (const v of found) violations.push({ ...v, message: `event ${event.event_type}: ${v.message}` });
  }

  function deliverEvent(event: WebhookEvent): void {
    state.events.push(event);
    delivery.enqueue(event, bytesOf(event), subscribers(ctx, event.event_type));
  }

  const ctx: SimContext = {
    state,
    now: clock,
    apiBase: () => apiBase,
    merchant,
    fees: feeSchedule(options.feePercent ?? 3.49, options.feeFixed ?? '0.49'),
    blockDuplicateInvoiceId: options.blockDuplicateInvoiceId ?? true,
    emit(eventType, resource) {
      const event = buildEvent(apiBase, clock(), eventType, resource);
      if (mode !== 'off') checkEvent(event);
      deliverEvent(event);
      return event;
    },
  };

  const faults = new FaultRegistry();
  const tokens = new TokenIssuer({ clientId, clientSecret, ttlSeconds: options.tokenTtlSeconds ?? 32400, now: clock });

  const sim: PayPalSimulator = {
    get apiBase() {
      return apiBase;
    },
    get httpBase() {
      return httpBase;
    },
    clientId,
    clientSecret,
    merchant,
    certUrl: (name) => signer.certUrl(name),
    violations,
    requests,
    tokenRequests: () => requests.filter((r) => r.method === 'POST' && r.path.split('?')[0] === '/v1/oauth2/token').length,
    state,

    approveOrder: async (orderId, approve) => approveOrder(ctx, orderId, approve),
    reverseApproval: async (orderId) => reverseApproval(ctx, orderId),
    completePendingCapture: async (captureId) => captureJson(ctx, completePendingCapture(ctx, captureId)),
    denyPendingCapture: async (captureId) => captureJson(ctx, denyPendingCapture(ctx, captureId)),
    refundFromDashboard: async (captureId, amount) => refundJson(ctx, refundFromDashboard(ctx, captureId, amount)),
    reverseCapture: async (captureId, amount) => refundJson(ctx, reverseCapture(ctx, captureId, amount)),
    createDispute: async (captureId, opts) => disputeJson(ctx, createDispute(ctx, captureId, opts)),
    updateDispute: async (disputeId, patch) => disputeJson(ctx, updateDispute(ctx, disputeId, patch)),
    resolveDispute: async (disputeId, outcome) => disputeJson(ctx, resolveDispute(ctx, disputeId, outcome)),

    buildEvent: (eventType, resource, opts) => buildEvent(apiBase, clock(), eventType, resource as Record<string, unknown>, opts),
    signEvent(event, opts) {
      if (typeof event !== 'string') return signer.sign(bytesOf(event), opts);
      const body = Buffer.from(event, 'utf8');
      try {
        const id = (JSON.parse(event) as { id?: unknown }).id;
        if (typeof id === 'string' && !state.eventBodies.has(id)) state.eventBodies.set(id, body);
      } catch {
        // Not JSON: a test of what receivers do with garbage. Nothing to remember.
      }
      return signer.sign(body, opts);
    },
    deliverEvent,
    deliveries: delivery.deliveries,
    idle: () => delivery.idle(),
    pauseDelivery: () => delivery.pause(),
    resumeDelivery: () => delivery.resume(),
    faults: { add: (f) => faults.add(f), clear: () => faults.clear() },
    reporting: reportingControls(ctx, options.reportingDelaySeconds !== undefined ? { delaySeconds: options.reportingDelaySeconds } : {}),
    async close() {
      delivery.close();
      await Promise.all([closeServer(httpsServer), closeServer(httpServer)]);
    },
  };

  const app = createApp({ ctx, validator, mode, tokens, signer, faults, violations, requests, testRoutes: createTestRouter(sim, ctx), browserRoutes: createJsSdkRouter(ctx, clientId) });
  const httpsServer = https.createServer({ cert: fs.readFileSync(pki.tls.cert), key: fs.readFileSync(pki.tls.key) }, app);
  const httpServer = http.createServer(app);
  const httpsPort = await listen(httpsServer, options.port ?? 0, host);
  let httpPort: number;
  try {
    httpPort = await listen(httpServer, options.httpPort ?? 0, host);
  } catch (err) {
    delivery.close();
    await closeServer(httpsServer);
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  apiBase = `https://${urlHost}:${httpsPort}`;
  httpBase = `http://${urlHost}:${httpPort}`;
  return sim;
}
