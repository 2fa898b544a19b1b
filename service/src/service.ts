// The composition root: builds every part from the configuration and wires them together.
// main.ts calls startService() and handles signals; tests and the demo call it directly (or run
// main.ts as a child process) with the same code path.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createIntakeBatcher } from './inbox/intake-batcher.ts';
import { openStore } from './inbox/open-store.ts';
import type { InboxStore } from './inbox/types.ts';
import { createWorker, type Worker, type WorkerOptions } from './inbox/worker.ts';
import { createPayPalClient, type PayPalClient } from './paypal/index.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { createServiceMetrics, type ServiceMetrics } from './shared/metrics.ts';
import { partitionKeyOf } from './sync/event-catalogue.ts';
import { HandlerRegistry } from './sync/handler-registry.ts';
import { CertificateStore, PAYPAL_SIGNER_HOSTS } from './webhooks/certificate-store.ts';
import { SignatureVerifier, type PostbackVerifier } from './webhooks/signature-verifier.ts';
import { createTrustStore } from './webhooks/trust-store.ts';

export interface ServiceOverrides {
  logger?: Logger;
  /** Event handlers; by default the production handlers that apply events to Odoo. */
  registry?: (deps: { paypal: PayPalClient; logger: Logger }) => HandlerRegistry;
  worker?: Partial<Pick<WorkerOptions, 'pollIntervalMs' | 'leaseMs' | 'retryPolicy' | 'outagePolicy' | 'handlerTimeoutMs' | 'owner'>>;
  /** Run the worker in this process (default true). */
  runWorker?: boolean;
  /** Listen on this host (default: all interfaces). */
  host?: string;
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly store: InboxStore;
  readonly worker: Worker | null;
  readonly metrics: ServiceMetrics;
  readonly paypal: PayPalClient;
  stop(options?: { graceMs?: number }): Promise<void>;
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
  const stopStore = () => store.close().catch((err: unknown) => logger.warn('closing the store failed', { err }));

  try {
    const paypal = createPayPalClient({
      apiBase: config.paypal.apiBase,
      clientId: config.paypal.clientId,
      clientSecret: config.paypal.clientSecret,
      logger: logger.child('paypal'),
      metrics,
    });

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

    const registry = overrides.registry ? overrides.registry({ paypal, logger }) : new HandlerRegistry();
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
