// `npm run register-webhook -- --url https://bridge.example.com/webhooks/paypal [--dry-run]`
//
// Subscribes the service's webhook endpoint at PayPal to every event type the service handles
// (service/src/sync/event-catalogue.ts), or shows the existing subscription for that URL and what
// it lacks. Prints the webhook id to set as PAYPAL_WEBHOOK_ID. Needs PAYPAL_API_BASE,
// PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET.
import { parseArgs } from 'node:util';
import { ConfigError, loadPayPalApiConfig } from '../service/src/config.ts';
import { createPayPalClient } from '../service/src/paypal/index.ts';
import { createLogger } from '../service/src/shared/logger.ts';
import { CATALOGUE_EVENT_TYPES } from '../service/src/sync/event-catalogue.ts';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run register-webhook -- --url https://<service host>/webhooks/paypal [--dry-run]\n`);
  process.exit(2);
}

let values: { url?: string; 'dry-run'?: boolean };
try {
  ({ values } = parseArgs({ options: { url: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } }));
} catch (err) {
  usage((err as Error).message);
}
const url = values.url;
if (!url) usage('--url is required');
let parsed: URL;
try {
  parsed = new URL(url);
} catch {
  usage(`--url is not a URL: ${url}`);
}
if (parsed.protocol !== 'https:') usage('PayPal only delivers webhooks to https URLs');
if (!parsed.pathname.endsWith('/webhooks/paypal')) process.stderr.write(`warning: the service receives webhooks at /webhooks/paypal; ${parsed.pathname} may be wrong\n`);

let config: ReturnType<typeof loadPayPalApiConfig>;
try {
  config = loadPayPalApiConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(err.message + '\n');
    process.exit(2);
  }
  throw err;
}

const paypal = createPayPalClient({ ...config, logger: createLogger({ level: 'warn' }) });
const wanted = [...CATALOGUE_EVENT_TYPES];
const existing = (await paypal.listWebhooks()).find((w) => w.url === url);
if (existing) {
  const have = new Set(existing.event_types.map((e) => e.name));
  const missing = have.has('*') ? [] : wanted.filter((t) => !have.has(t));
  console.log(`A webhook for ${url} exists: ${existing.id}`);
  if (missing.length > 0) {
    console.log(`It is not subscribed to: ${missing.join(', ')}.`);
    console.log('Update it in PayPal\'s developer dashboard (or delete it and run this again) so that no event is missed.');
    process.exitCode = 1;
  } else {
    console.log('It is subscribed to every event type the service handles.');
  }
  console.log(`\nPAYPAL_WEBHOOK_ID=${existing.id}`);
} else if (values['dry-run']) {
  console.log(`Would subscribe ${url} to ${wanted.length} event types at ${config.apiBase}:\n  ${wanted.join('\n  ')}`);
} else {
  const created = await paypal.createWebhook(url, wanted);
  console.log(`Subscribed ${url} to ${wanted.length} event types.\n\nPAYPAL_WEBHOOK_ID=${created.id}`);
}
