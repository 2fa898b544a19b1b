// createApp(deps) builds the Express application from ready-made parts; it never listens and never
// reads the environment, so tests start it on port 0 with whatever parts they need.
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { InboxStore } from './inbox/types.ts';
import type { Logger } from './shared/logger.ts';
import type { ServiceMetrics } from './shared/metrics.ts';
import { createWebhookRouter, type WebhookRouteOptions } from './webhooks/paypal-webhook-route.ts';

export interface AppDeps {
  store: InboxStore;
  logger: Logger;
  metrics: ServiceMetrics;
  webhook: Omit<WebhookRouteOptions, 'logger' | 'metrics'>;
  /** false while the process drains on SIGTERM: /readyz then answers 503 so load balancers move on. */
  isAccepting?: () => boolean;
  /** Further routers (checkout API, admin API). */
  routers?: Router[];
}

export function createApp(deps: AppDeps): Express {
  const { store, logger, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(createWebhookRouter({ ...deps.webhook, logger, metrics }));
  for (const router of deps.routers ?? []) app.use(router);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (deps.isAccepting && !deps.isAccepting()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    try {
      await store.ping();
      res.json({ status: 'ready', store: store.kind });
    } catch (err) {
      logger.warn('readiness check failed: the store is not reachable', { err });
      res.status(503).json({ status: 'unavailable', store: store.kind, message: 'the event store is not reachable' });
    }
  });

  metrics.registry.addCollector(async () => {
    const stats = await store.stats();
    for (const [status, count] of Object.entries(stats.byStatus)) metrics.queueDepth.set(count, { status });
    metrics.queueDue.set(stats.due);
    metrics.oldestPendingSeconds.set(stats.oldestPendingReceivedAt ? Math.max(0, (Date.now() - stats.oldestPendingReceivedAt.getTime()) / 1000) : 0);
    metrics.lastWebhookTimestamp.set(stats.lastReceivedAt ? Math.floor(stats.lastReceivedAt.getTime() / 1000) : 0);
  });

  app.get('/metrics', async (_req, res) => {
    try {
      const text = await metrics.registry.render();
      res.type('text/plain; version=0.0.4; charset=utf-8').send(text);
    } catch (err) {
      logger.warn('metrics could not be collected', { err });
      res.status(503).type('text/plain').send('# metrics unavailable: the event store is not reachable\n');
    }
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: 'no such endpoint' });
  });

  // The one place an unexpected error becomes a response.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error('unhandled error in a request', { err });
    if (!res.headersSent) res.status(500).json({ error: 'INTERNAL', message: 'internal error' });
  });

  return app;
}
