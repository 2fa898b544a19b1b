// The composition root: builds every part from the configuration and wires them together.
// main.ts calls startService() and handles signals; tests and the demo call it directly (or run
// main.ts as a child process) with the same code path.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdminRouter } from './admin/admin-routes.ts';
import { createReconcileRouter } from './admin/reconcile-routes.ts';
import { createDailyReconciliation, createReconcileOdooApi, openReconcileStore, type DailyReconciliation } from './reconcile/index.ts';
import { createApp } from './app.ts';
import { createCheckoutRouter } from './checkout/checkout-routes.ts';
import express, { type Router } from 'express';
import { createBridgeApi, createOdooClient, type BridgeApi, type OdooClient } from './odoo/index.ts';
import { DependencyUnavailableError } from './shared/errors.ts';
import { createOperationsRouter } from './operations/operations-routes.ts';
import { createEventHandlers } from './sync/event-handlers.ts';
import { createPaymentSync, type PaymentSync } from './sync/payment-sync.ts';
import type { AuditEntry } from './inbox/types.ts';
import type { Config } from './config.ts';
import { createIntakeBatcher } from './inbox/intake-batcher.ts';
import { openStore } from './inbox/open-store.ts';
import type { InboxStore } from './inbox/types.ts';
import { createWorker, type Worker, type WorkerOptions } from './inbox/worker.ts';
import { createPayPalClient, type PayPalClient } from './paypal/index.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { createServiceMetrics, type ServiceMetrics } from './shared/metrics.ts';
import { partitionKeyOf } from './sync/event-catalogue.ts';
import type { HandlerRegistry } from './sync/handler-registry.ts';
import { CertificateStore, PAYPAL_SIGNER_HOSTS } from './webhooks/certificate-store.ts';
import { SignatureVerifier, type PostbackVerifier } from './webhooks/signature-verifier.ts';
import { createTrustStore } from './webhooks/trust-store.ts';

export interface ServiceOverrides {
  logger?: Logger;
  /** Event handlers; by default the production handlers that apply events to Odoo. */
  registry?: (deps: { paypal: PayPalClient; odoo: BridgeApi; sync: PaymentSync; logger: Logger }) => HandlerRegistry;
  worker?: Partial<Pick<WorkerOptions, 'pollIntervalMs' | 'leaseMs' | 'retryPolicy' | 'outagePolicy' | 'handlerTimeoutMs' | 'owner'>>;
  /** Run the worker in this process (default true). */
  runWorker?: boolean;
  /** Listen on this host (default: all interfaces). */
  host?: string;
  /** Run the daily reconciliation in this process (default: when RECONCILE_HOUR_UTC is not off). */
  runDailyReconciliation?: boolean;
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly store: InboxStore;
  readonly worker: Worker | null;
  readonly metrics: ServiceMetrics;
  readonly paypal: PayPalClient;
  readonly odoo: BridgeApi;
  readonly sync: PaymentSync;
  stop(options?: { graceMs?: number }): Promise<void>;
}

const NOT_CONFIGURED = 'Odoo is not configured (ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY, BRIDGE_SECRET); events wait in the inbox';

/** Stands in for Odoo until it is configured: every call is an outage, so events wait, never go dead. */
function unconfiguredOdooClient(): OdooClient {
  const refuse = async (): Promise<never> => {
    throw new DependencyUnavailableError('odoo', NOT_CONFIGURED);
  };
  return { url: '', db: '', login: '', uid: undefined, call: refuse, authenticate: refuse, version: refuse };
}

/** The browser and Odoo-facing APIs without Odoo: a clear 503. */
function odooNotConfiguredRouter(): Router {
  const router = express.Router();
  router.use('/v1', (_req, res) => {
    res.status(503).json({ error: 'ODOO_NOT_CONFIGURED', message: `${NOT_CONFIGURED}. Set them and restart the service.` });
  });
  return router;
}

/** The certificate names accepted: live only against PayPal's live API; both otherwise. */
export function signerHostsFor(apiBase: string): string[] {
  const host = new URL(apiBase).hostname;
  if (host === 'api-m.paypal.com' || host === 'api.paypal.com') return [PAYPAL_SIGNER_HOSTS.live];
  return [PAYPAL_SIGNER_HOSTS.live, PAYPAL_SIGNER_HOSTS.sandbox];
}

export async function startService(config: Config, overrides: ServiceOverrides = {}): Promise<RunningService> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const metrics = createServiceMetrics();
  const store = await openStore(config.store, { logger });
  // Everything opened is closed on stop, or at once when start-up fails half-way.
  const resources: Array<() => Promise<void>> = [() => store.close()];
  const stopStore = async () => {
    for (const close of [...resources].reverse()) await close().catch((err: unknown) => logger.warn('closing a store failed', { err }));
  };

  try {
    const paypal = createPayPalClient({
      apiBase: config.paypal.apiBase,
      clientId: config.paypal.clientId,
      clientSecret: config.paypal.clientSecret,
      logger: logger.child('paypal'),
      metrics,
      onCall: (call) => {
        // Every PayPal call (but the token requests) goes to the audit trail, named by the ids in its path.
        if (call.operation.startsWith('oauth')) return;
        const subjects = [...call.path.matchAll(/\/(?:orders|captures|authorizations|refunds|disputes)\/([A-Za-z0-9-]+)/g)].map((m) => m[1]!);
        void store
          .appendAudit([
            {
              at: new Date(),
              kind: 'paypal.call',
              subjects,
              outcome: call.ok ? 'ok' : 'error',
              summary: `${call.method} ${call.path} → ${call.status ?? call.outcome}${call.attempt > 1 ? ` (attempt ${call.attempt})` : ''}`,
              detail: { operation: call.operation, status: call.status ?? null, debugId: call.debugId ?? null, requestId: call.requestId ?? null, durationMs: call.durationMs },
            },
          ])
          .catch((err: unknown) => logger.warn('could not write the audit trail', { err }));
      },
    });

    const audit = (entry: AuditEntry) => store.appendAudit([entry]);
    const odooClient = config.odoo
      ? createOdooClient({ url: config.odoo.url, db: config.odoo.db, login: config.odoo.login, apiKey: config.odoo.apiKey, logger: logger.child('odoo'), metrics })
      : unconfiguredOdooClient();
    const odoo = createBridgeApi(odooClient);
    const reconcileOdoo = createReconcileOdooApi(odooClient);
    const sync = createPaymentSync({ paypal, odoo, logger, audit, bookFee: (input) => reconcileOdoo.bookFee(input) });
    const reconcileStore = await openReconcileStore(config.store);
    resources.push(() => reconcileStore.close());
    const reconcileDeps = { store: reconcileStore, paypal, odoo: reconcileOdoo, sync, audit: store, logger, bookLedger: config.reconcile.bookLedger };
    const daily: DailyReconciliation | null =
      config.odoo && (overrides.runDailyReconciliation ?? true) && config.reconcile.hourUtc !== null
        ? createDailyReconciliation({ ...reconcileDeps, hourUtc: config.reconcile.hourUtc, repair: config.reconcile.autoRepair })
        : null;
    if (!config.odoo) {
      logger.warn(
        'Odoo is not configured: PayPal webhooks are verified and stored, and wait in the inbox until ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY and BRIDGE_SECRET are set and the service restarted. The checkout and back-office APIs answer 503 until then.',
      );
    }

    const postback: PostbackVerifier | undefined = config.paypal.verifyFallback
      ? async (input) => {
          const result = await paypal.verifyWebhookSignature({
            authAlgo: input.authAlgo,
            certUrl: input.certUrl,
            transmissionId: input.transmissionId,
            transmissionSig: input.transmissionSig,
            transmissionTime: input.transmissionTime,
            webhookId: input.webhookId,
            webhookEvent: JSON.parse(input.rawBody.toString('utf8')) as Record<string, unknown>,
          });
          return result.verified;
        }
      : undefined;

    const certificates = new CertificateStore({
      allowedHosts: config.paypal.certHosts,
      signerHosts: signerHostsFor(config.paypal.apiBase),
      trust: createTrustStore({ extraIntermediatesFile: config.paypal.extraIntermediatesFile }),
      logger: logger.child('certificates'),
    });
    const verifier = new SignatureVerifier({ webhookId: config.paypal.webhookId, certificates, logger, postback });

    const registry = overrides.registry ? overrides.registry({ paypal, odoo, sync, logger }) : createEventHandlers(sync);
    const runWorker = overrides.runWorker ?? true;
    const worker = runWorker
      ? createWorker({
          store,
          registry,
          logger,
          metrics,
          concurrency: config.worker.concurrency,
          maxAttempts: config.worker.maxAttempts,
          ...overrides.worker,
        })
      : null;

    const intake = createIntakeBatcher(store);
    let accepting = true;
    const app = createApp({
      store,
      logger,
      metrics,
      isAccepting: () => accepting,
      routers: config.odoo
        ? [
            createCheckoutRouter({ paypal, odoo, sync, logger, audit, bridgeSecret: config.odoo.bridgeSecret, odooDb: config.odoo.db, allowedOrigins: config.allowedOrigins }),
            createOperationsRouter({ paypal, odoo, logger, audit, bridgeSecret: config.odoo.bridgeSecret, odooDb: config.odoo.db }),
            createReconcileRouter({ deps: reconcileDeps, logger, bridgeSecret: config.odoo.bridgeSecret, odooDb: config.odoo.db, allowedOrigins: config.allowedOrigins }),
            createAdminRouter({
              store,
              paypal,
              odoo,
              sync,
              logger,
              bridgeSecret: config.odoo.bridgeSecret,
              odooDb: config.odoo.db,
              allowedOrigins: config.allowedOrigins,
              webhookSilenceMinutes: config.webhookSilenceMinutes,
              onReplay: () => worker?.wake(),
            }),
          ]
        : [odooNotConfiguredRouter()],
      webhook: {
        verifier,
        sink: intake,
        maxBodyBytes: config.webhookMaxBodyBytes,
        partitionKeyOf,
        onStored: () => worker?.wake(),
      },
    });

    const server: Server = await new Promise((resolve, reject) => {
      const onListening = () => resolve(s);
      const s = overrides.host ? app.listen(config.port, overrides.host, onListening) : app.listen(config.port, onListening);
      s.once('error', reject);
    });
    server.keepAliveTimeout = 65_000;
    const port = (server.address() as AddressInfo).port;
    worker?.start();
    daily?.start();
    logger.info('PayPal Bridge service started', {
      port,
      store: store.kind,
      paypalApiBase: config.paypal.apiBase,
      worker: runWorker ? { concurrency: config.worker.concurrency, maxAttempts: config.worker.maxAttempts } : 'off',
    });

    let stopped: Promise<void> | null = null;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      store,
      worker,
      metrics,
      paypal,
      odoo,
      sync,
      stop(options = {}) {
        stopped ??= (async () => {
          // 1. Stop intake: refuse new connections, finish the requests in flight.
          accepting = false;
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          const forceClose = setTimeout(() => server.closeAllConnections(), 5_000);
          await closed;
          clearTimeout(forceClose);
          await intake.close();
          // 2. Finish or release in-flight work.
          await worker?.stop({ graceMs: options.graceMs ?? 10_000 });
          await daily?.stop();
          await stopStore();
        })();
        return stopped;
      },
    };
  } catch (err) {
    await stopStore();
    throw err;
  }
}
