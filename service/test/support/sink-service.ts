// The service as a separate process whose handler applies each event to an external "system of
// record" over HTTP (a sink the test runs), the way the real handlers apply events to Odoo:
// idempotently, keyed by the PayPal event id. Used by the crash-recovery test, which kills this
// process with SIGKILL while events stream in.
//
// Environment: the service's own configuration (see README), plus SINK_URL.
import { loadConfig } from '../../src/config.ts';
import { startService } from '../../src/service.ts';
import { RetryableError } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { HandlerRegistry } from '../../src/sync/handler-registry.ts';

const sinkUrl = process.env['SINK_URL'];
if (!sinkUrl) throw new Error('SINK_URL is required');
const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel });

const service = await startService(config, {
  logger,
  host: '127.0.0.1',
  worker: { pollIntervalMs: 50, leaseMs: 3000 },
  registry: () =>
    new HandlerRegistry().register('PAYMENT.CAPTURE.COMPLETED', async ({ event, signal }) => {
      const response = await fetch(`${sinkUrl}/apply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-worker': String(process.pid) },
        body: JSON.stringify({ eventId: event.eventId, resourceId: event.resourceId }),
        signal,
      }).catch((err: unknown) => {
        throw new RetryableError(`sink unreachable: ${(err as Error).message}`);
      });
      if (!response.ok) throw new RetryableError(`sink answered ${response.status}`);
      const body = (await response.json()) as { applied: boolean };
      return { status: 'done', outcome: body.applied ? 'applied' : 'already applied; no change' };
    }),
});
process.stdout.write(JSON.stringify({ ready: true, url: service.url }) + '\n');
process.on('SIGTERM', () => {
  void service.stop().then(() => process.exit(0));
});
