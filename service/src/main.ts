// The service's entry point: configuration, then the composition root, then signals.
// `npm start` runs this file.
import { ConfigError, loadConfig, type Config } from './config.ts';
import { startService } from './service.ts';
import { createLogger } from './shared/logger.ts';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(err.message + '\n');
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const logger = createLogger({ level: config.logLevel, component: 'main' });

process.on('unhandledRejection', (reason) => {
  logger.error('unhandled promise rejection', { err: reason });
});

try {
  const service = await startService(config, { logger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: no new deliveries are accepted; in-flight work is finished or released', { signal });
    service
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  logger.error('the service could not start', { err });
  process.exit(1);
}
