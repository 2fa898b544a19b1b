// Starts the real service (startService, port 0) against a real store and the PayPal simulator,
// with the configuration an operator would give it. Used by the integration tests.
import * as fs from 'node:fs';
import { freePort } from './free-port.ts';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { startService, type RunningService, type ServiceOverrides } from '../../src/service.ts';
import { createMemoryLogger, type Logger } from '../../src/shared/logger.ts';
import { ensureTestPki, testPkiDir, type TestPki } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator, type WebhookEvent } from '../../sim/paypal/index.ts';
import { startOdooSim, type OdooSim } from '../../sim/odoo/server.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';

export type StoreKind = 'sqlite' | 'postgres';

export const TEST_WEBHOOK_ID = 'WH-BRIDGE-TEST-0001';
export const TEST_BRIDGE_SECRET = 'test-bridge-secret-0123456789abcdef0123456789';

export interface Harness {
  sim: PayPalSimulator;
  /** The Odoo simulator the service writes to (when started with `odoo: true`). */
  odoo: OdooSim | null;
  service: RunningService;
  config: Config;
  env: Record<string, string>;
  pki: TestPki;
  logger: Logger & { lines: Record<string, unknown>[] };
  /** Sends a signed delivery of `event` (or of raw bytes) to the service. */
  deliver(event: WebhookEvent | string | Buffer, options?: DeliverOptions): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface DeliverOptions {
  /** Change the signed headers before sending (tampering tests). */
  headers?: (headers: Record<string, string>) => Record<string, string | undefined>;
  /** Change the body after signing. */
  body?: (body: Buffer) => Buffer;
  signWith?: { webhookId?: string; signer?: import('../../sim/pki.ts').SignerName; certUrl?: string };
}

/** The environment an operator would set, pointing at the simulator. */
export function serviceEnv(sim: PayPalSimulator, pki: TestPki, store: { dataDir?: string; databaseUrl?: string }): Record<string, string> {
  const simHost = new URL(sim.apiBase).host;
  return {
    PORT: '0',
    ...(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : { DATA_DIR: store.dataDir ?? '' }),
    PAYPAL_API_BASE: sim.apiBase,
    PAYPAL_CLIENT_ID: sim.clientId,
    PAYPAL_CLIENT_SECRET: sim.clientSecret,
    PAYPAL_WEBHOOK_ID: TEST_WEBHOOK_ID,
    PAYPAL_CERT_HOSTS: simHost,
    PAYPAL_CERT_INTERMEDIATES: pki.intermediateCert,
    ODOO_URL: 'http://127.0.0.1:9',
    ODOO_DB: 'odoo18',
    ODOO_LOGIN: 'paypal-bridge-service',
    ODOO_API_KEY: 'not-used-by-this-test',
    BRIDGE_SECRET: TEST_BRIDGE_SECRET,
    LOG_LEVEL: 'debug',
  };
}

export async function startHarness(
  options: {
    store?: StoreKind;
    overrides?: ServiceOverrides;
    env?: Record<string, string>;
    sim?: PayPalSimulator;
    odoo?: boolean | OdooSim;
    /** Subscribe the service to the simulator's webhooks (as an operator does), so PayPal's events reach it. */
    subscribe?: boolean;
  } = {},
): Promise<Harness> {
  const pki = await ensureTestPki(testPkiDir());
  const sim = options.sim ?? (await startPayPalSimulator({ pki }));
  const odoo = options.odoo === true ? await startOdooSim() : options.odoo || null;
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  if (options.store === 'postgres') database = await createTestDatabase('bridge_svc');
  else dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-svc-'));
  const env: Record<string, string> = {
    ...serviceEnv(sim, pki, { dataDir, databaseUrl: database?.url }),
    ...(odoo ? { ODOO_URL: odoo.url, ODOO_DB: odoo.db, ODOO_LOGIN: odoo.service.login, ODOO_API_KEY: odoo.service.password } : {}),
    ...options.env,
  };
  if (options.subscribe) {
    // As an operator does: register the webhook at PayPal, then configure the id PayPal assigned.
    const port = await freePort();
    env['PORT'] = String(port);
    env['PAYPAL_WEBHOOK_ID'] = await subscribeWebhook(sim, `http://127.0.0.1:${port}/webhooks/paypal`);
  }
  const config = loadConfig(env);
  const logger = createMemoryLogger('debug');
  const service = await startService(config, { logger, host: '127.0.0.1', worker: { pollIntervalMs: 50 }, ...options.overrides });

  async function deliver(event: WebhookEvent | string | Buffer, opts: DeliverOptions = {}) {
    const raw = Buffer.isBuffer(event) ? event.toString('utf8') : event;
    const signed = sim.signEvent(raw, { webhookId: config.paypal.webhookId, ...opts.signWith });
    const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const headers = opts.headers ? opts.headers(lower) : lower;
    const body = opts.body ? opts.body(signed.body) : signed.body;
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) clean[k] = v;
    const response = await fetch(`${service.url}/webhooks/paypal`, { method: 'POST', headers: clean, body });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  return {
    sim,
    odoo,
    service,
    config,
    env,
    pki,
    logger,
    deliver,
    async close() {
      await service.stop({ graceMs: 2000 });
      if (!options.sim) await sim.close();
      if (options.odoo === true) await odoo?.close();
      await database?.drop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}


/** Registers a webhook for every event type through PayPal's REST API; returns its id. */
export async function subscribeWebhook(sim: PayPalSimulator, url: string): Promise<string> {
  const auth = Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64');
  const tokenResponse = await fetch(`${sim.apiBase}/v1/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const response = await fetch(`${sim.apiBase}/v1/notifications/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, event_types: [{ name: '*' }] }),
  });
  if (response.status !== 201) throw new Error(`webhook registration failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Resolves when `check` returns true, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { freePort };
