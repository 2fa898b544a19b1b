// Everything a reconciliation test needs, real: the PayPal simulator (HTTPS, checked against
// PayPal's documents) and the Odoo simulator on one simulated clock, the production PayPal and
// Odoo clients, the production payment sync, and the reconciliation and inbox stores on a temp
// SQLite file or a throw-away PostgreSQL database. Payments are made the way the bridge makes them:
// an Odoo sale order and transaction, a PayPal order carrying the reference as custom_id and the
// order name as invoice_id, the buyer's approval, the capture, and the booking through the sync.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from '../../src/inbox/open-store.ts';
import type { InboxStore } from '../../src/inbox/types.ts';
import { createBridgeApi, type BridgeApi } from '../../src/odoo/bridge-api.ts';
import { createOdooClient } from '../../src/odoo/json-rpc-client.ts';
import { createPayPalClient, type PayPalClient } from '../../src/paypal/index.ts';
import type { PayPalCapture, PayPalRefund } from '../../src/paypal/schemas.ts';
import { createReconcileOdooApi, type ReconcileOdooApi } from '../../src/reconcile/odoo-reconcile-api.ts';
import { openReconcileStore } from '../../src/reconcile/open-store.ts';
import type { ReconcileDeps } from '../../src/reconcile/runner.ts';
import type { ReconcileStore } from '../../src/reconcile/store.ts';
import { createLogger, type Logger } from '../../src/shared/logger.ts';
import { createPaymentSync, type PaymentSync } from '../../src/sync/payment-sync.ts';
import { startOdooSim, type OdooSim } from '../../sim/odoo/server.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';

export type ReconcileStoreKind = 'sqlite' | 'postgres';

export interface Payment {
  reference: string;
  orderName: string;
  orderId: string;
  captureId: string;
  amount: string;
  capture: PayPalCapture;
}

export interface PayOptions {
  amount?: string;
  /** How the capture reaches Odoo: through the sync (default), as pending only, or not at all. */
  book?: 'sync' | 'pending' | 'none';
  /** Book PayPal's fee in Odoo (default true when booked). */
  fee?: boolean;
  /** PayPal's capture stays pending (e-check, review). */
  pendingAtPayPal?: boolean;
}

export interface ReconcileHarness {
  readonly paypalSim: PayPalSimulator;
  readonly odooSim: OdooSim;
  readonly paypal: PayPalClient;
  readonly bridge: BridgeApi;
  readonly odoo: ReconcileOdooApi;
  readonly sync: PaymentSync;
  readonly store: ReconcileStore;
  readonly inbox: InboxStore;
  readonly logger: Logger;
  /** How the service would configure its store: for child processes. */
  readonly storeConfig: { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };
  /** The simulated clock shared by both simulators. */
  now(): Date;
  /** Moves the simulated clock on. */
  advance(ms: number): void;
  deps(): ReconcileDeps;
  pay(options?: PayOptions): Promise<Payment>;
  /** A refund made in PayPal's dashboard, booked in Odoo through the sync unless `book` is false. */
  refund(payment: Payment, amount: string, options?: { book?: boolean }): Promise<PayPalRefund>;
  /** Another reconciliation store on the same database (as a second process would open it). */
  openStore(): Promise<ReconcileStore>;
  close(): Promise<void>;
}

export const HARNESS_START = new Date('2026-10-15T10:00:00Z');
const MINUTE = 60_000;

export async function startReconcileHarness(kind: ReconcileStoreKind, options: { start?: Date; reportingDelaySeconds?: number } = {}): Promise<ReconcileHarness> {
  let t = (options.start ?? HARNESS_START).getTime();
  const clock = () => new Date(t);
  const logger = createLogger({ level: 'silent' });
  const paypalSim = await startPayPalSimulator({ clock, ...(options.reportingDelaySeconds !== undefined ? { reportingDelaySeconds: options.reportingDelaySeconds } : {}) });
  const odooSim = await startOdooSim({ now: clock });
  let database: TestDatabase | undefined;
  let dir: string | undefined;
  let storeConfig: ReconcileHarness['storeConfig'];
  if (kind === 'postgres') {
    database = await createTestDatabase('reconcile_test');
    storeConfig = { kind: 'postgres', url: database.url };
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-test-'));
    storeConfig = { kind: 'sqlite', dataDir: dir };
  }
  const inbox = await openStore(storeConfig);
  const store = await openReconcileStore(storeConfig);
  const opened: ReconcileStore[] = [store];

  const paypal = createPayPalClient({ apiBase: paypalSim.apiBase, clientId: paypalSim.clientId, clientSecret: paypalSim.clientSecret, logger, sleep: async () => undefined });
  const odooClient = createOdooClient({ url: odooSim.url, db: odooSim.db, login: odooSim.service.login, apiKey: odooSim.service.password, logger });
  const bridge = createBridgeApi(odooClient);
  const odoo = createReconcileOdooApi(odooClient);
  const sync = createPaymentSync({ paypal, odoo: bridge, logger, audit: (entry) => inbox.appendAudit([entry]) });
  let counter = 0;

  const harness: ReconcileHarness = {
    paypalSim,
    odooSim,
    paypal,
    bridge,
    odoo,
    sync,
    store,
    inbox,
    logger,
    storeConfig,
    now: clock,
    advance(ms) {
      t += ms;
    },
    deps: () => ({ store, paypal, odoo, sync, audit: inbox, logger }),

    async pay(opts = {}) {
      const amount = opts.amount ?? '10.00';
      const fixture = odooSim.createSaleOrderWithTransaction({ amount });
      const orderName = odooSim.database.order(fixture.saleOrderId)?.name ?? '';
      const n = ++counter;
      const order = await paypal.createOrder(
        { intent: 'CAPTURE', purchase_units: [{ reference_id: 'default', custom_id: fixture.reference, invoice_id: orderName, amount: { currency_code: 'USD', value: amount } }] },
        { requestId: `reconcile-test-${process.pid}-${n}-create` },
      );
      await paypalSim.approveOrder(order.id, opts.pendingAtPayPal ? { captureOutcome: 'PENDING', pendingReason: 'ECHECK' } : {});
      const captured = await paypal.captureOrder(order.id, { requestId: `reconcile-test-${process.pid}-${n}-capture` });
      const capture = captured.purchase_units?.[0]?.payments?.captures?.[0];
      if (!capture) throw new Error(`order ${order.id} has no capture`);
      const book = opts.book ?? 'sync';
      if (book === 'sync') {
        await sync.syncCapture(capture.id);
      } else if (book === 'pending') {
        await bridge.applyPayment(fixture.reference, 'pending', { capture_id: capture.id, paypal_order_id: order.id, status_detail: 'PENDING_REVIEW' });
      }
      const fee = capture.seller_receivable_breakdown?.paypal_fee?.value;
      if (book === 'sync' && (opts.fee ?? true) && fee && !opts.pendingAtPayPal) {
        await odoo.bookFee({ reference: fixture.reference, fee, currency: 'USD', captureId: capture.id });
      }
      t += MINUTE;
      return { reference: fixture.reference, orderName, orderId: order.id, captureId: capture.id, amount, capture };
    },

    async refund(payment, amount, opts = {}) {
      const refund = await paypalSim.refundFromDashboard(payment.captureId, amount);
      const id = String(refund['id']);
      if (opts.book ?? true) await sync.syncRefund(id);
      t += MINUTE;
      return paypal.getRefund(id);
    },

    async openStore() {
      const another = await openReconcileStore(storeConfig);
      opened.push(another);
      return another;
    },

    async close() {
      for (const s of opened) await s.close().catch(() => undefined);
      await inbox.close().catch(() => undefined);
      await paypalSim.close();
      await odooSim.close();
      await database?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** October 2026, the month the harness's payments fall in. */
export const OCTOBER = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
