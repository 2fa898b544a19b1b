// `npm run demo`: the whole loop on one machine. The PayPal simulator, the service (a separate
// process, SQLite, subscribed to the simulator's webhooks like a real deployment) and Odoo: a real
// Odoo 18 with paypal_bridge when ODOO_URL is set (ODOO_DB; ODOO_ADMIN_LOGIN/ODOO_ADMIN_PASSWORD,
// default admin/admin), the Odoo simulator otherwise. It plays realistic traffic through the same
// doors production uses (the shop's checkout API, PayPal's signed webhooks) and ends with a summary
// of what reached Odoo.
//
// It then reconciles the demo's payments against PayPal's ledger (Transaction Search) through the
// back office API, as an accountant would; with --remove-payment it also takes one payment out of
// Odoo's books (cancels it), shows the reconciliation finding exactly that payment, repairs it in
// one click and reconciles again.
//
//   npm run demo                      against the Odoo simulator
//   ODOO_URL=http://127.0.0.1:8069 ODOO_DB=odoo18 npm run demo [-- --remove-payment]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueToken } from '../service/src/auth/bridge-token.ts';
import { openSqliteStore } from '../service/src/inbox/sqlite-store.ts';
import { formatDecimal } from '../service/sim/odoo/money.ts';
import { feeMoves, ledgerLines } from '../service/sim/odoo/reconcile.ts';
import { startOdooSim, type OdooSim } from '../service/sim/odoo/server.ts';
import { ensureTestPki } from '../service/sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../service/sim/paypal/index.ts';
import { freePort, serviceEnv, subscribeWebhook } from '../service/test/support/service-harness.ts';
import { paypalClientFor } from '../service/test/support/lifecycles.ts';
import { connectRealOdoo, startWebsiteCheckout, type RealOdoo } from '../service/test/support/real-odoo.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const removeOnePayment = process.argv.includes('--remove-payment');
const isTty = process.stderr.isTTY;

// --- screen --------------------------------------------------------------------------------------
function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
let lastLine = '';
function progress(done: number, total: number, label: string): void {
  const width = 24;
  const filled = Math.round((done / total) * width);
  const line = `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
  if (line === lastLine) return;
  lastLine = line;
  if (isTty) process.stderr.write(`\r\x1b[2K${line}`);
  else say(line);
}

// --- the parts ------------------------------------------------------------------------------------
const pki = await ensureTestPki(path.join(root, '.cache', 'test-pki'));
if (process.env['NODE_EXTRA_CA_CERTS'] !== pki.rootCert) {
  // This process and the service must trust the simulator's private CA, as npm test does.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.rootCert } });
  process.exit(r.status ?? 1);
}

interface OdooSide {
  label: string;
  env: Record<string, string>;
  /** A transaction the shop created for an order of `amount`, and the checkout token Odoo issued. */
  newPayment(amount: string, name: string): Promise<{ reference: string; token: string }>;
  summary(references: string[]): Promise<SummaryRow[]>;
  /** Takes a payment out of Odoo's books, as an accountant might by mistake (cancels it). */
  removePayment(reference: string): Promise<string>;
  /** The PayPal journal's balance (its statement lines), in cents, and the journal's name. */
  journalBalance(): Promise<{ cents: number; journal: string }>;
  /** Who the back office's token names, and the database. */
  admin: { uid: number; db: string; secret: string };
  close(): Promise<void>;
}

interface SummaryRow {
  reference: string;
  state: string;
  amount: string;
  order: string;
  payment: string;
  refunds: string;
  /** PayPal's fee of the capture and whether its entry is booked on the fee account. */
  fee: string;
  review: string;
  dispute: string;
}

function feeCell(fee: number, booked: boolean): string {
  if (!fee) return '—';
  return `${fee.toFixed(2)} ${booked ? 'booked' : 'NOT BOOKED'}`;
}

const DEMO_SECRET = `demo-${randomUUID()}-${randomUUID()}`;

async function simulatedOdoo(): Promise<OdooSide> {
  const odoo: OdooSim = await startOdooSim();
  return {
    label: `the Odoo simulator (${odoo.url})`,
    env: { ODOO_URL: odoo.url, ODOO_DB: odoo.db, ODOO_LOGIN: odoo.service.login, ODOO_API_KEY: odoo.service.password, BRIDGE_SECRET: DEMO_SECRET },
    async newPayment(amount) {
      const fx = odoo.createSaleOrderWithTransaction({ amount, currency: 'USD' });
      const now = Math.floor(Date.now() / 1000);
      // What Odoo's processing values carry (odoo_addon/README.md, "Checkout processing values").
      const token = issueToken(DEMO_SECRET, { typ: 'checkout', sub: 4, db: odoo.db, scp: ['checkout'], ref: fx.reference, iat: now, exp: now + 3600 });
      return { reference: fx.reference, token };
    },
    async summary(references) {
      const s = odoo.state();
      return references.map((reference) => {
        const tx = s.transactions.find((t) => t.reference === reference)!;
        const children = s.transactions.filter((t) => t.source_reference === reference && t.operation === 'refund');
        const payment = s.payments.find((p) => p.transaction_reference === reference);
        const order = s.orders.find((o) => tx.sale_order_ids.includes(o.id));
        const dispute = s.disputes.find((d) => d.transaction_id === tx.id);
        const record = odoo.database.transactions.find((t) => t.id === tx.id);
        const fee = record?.paypal_fee === undefined ? 0 : Math.abs(Number(formatDecimal(record.paypal_fee, tx.currency)));
        const booked = feeMoves(odoo.database).some((m) => m.transactionId === tx.id && m.state === 'posted');
        return {
          reference,
          state: tx.state + (tx.paypal_status_detail ? ` (${tx.paypal_status_detail})` : ''),
          amount: `${tx.amount} ${tx.currency}`,
          order: order ? `${order.name} ${order.state}` : '—',
          payment: payment ? `${payment.name} ${payment.state}` : '—',
          refunds: children.length ? `${children.map((c) => c.amount.replace('-', '')).join(' + ')} (${tx.paypal_refund_status})` : '—',
          fee: feeCell(fee, booked),
          review: tx.paypal_needs_review ? 'flagged' : '',
          dispute: dispute ? `${dispute.status}${dispute.outcome ? ` ${dispute.outcome}` : ''}` : '—',
        };
      });
    },
    async removePayment(reference) {
      const tx = odoo.database.transactions.find((t) => t.reference === reference);
      const payment = odoo.database.payments.find((p) => p.payment_transaction_id === tx?.id);
      if (!payment) throw new Error(`${reference} has no payment to remove`);
      payment.state = 'canceled';
      return payment.name;
    },
    async journalBalance() {
      // The simulator keeps the lines the ledger import booked and the fee entries, not accounts.
      const lines = ledgerLines(odoo.database).reduce((sum, l) => sum + toCents(formatDecimal(l.amount, l.currency)), 0);
      const fees = feeMoves(odoo.database).filter((m) => m.state === 'posted').reduce((sum, m) => sum - toCents(formatDecimal(m.amount, m.currency)), 0);
      return { cents: lines + fees, journal: 'the simulated PayPal journal' };
    },
    admin: { uid: odoo.admin.uid, db: odoo.db, secret: DEMO_SECRET },
    close: () => odoo.close(),
  };
}

async function realOdoo(url: string): Promise<OdooSide> {
  const odoo: RealOdoo = await connectRealOdoo(url, 'npm run demo');
  return {
    label: `the real Odoo at ${url} (database ${odoo.db})`,
    env: odoo.serviceEnv(),
    async newPayment(amount) {
      // The way the shop pays: a website order, then Odoo's own transaction route, which answers
      // the processing values with the checkout token Odoo issued.
      const checkout = await startWebsiteCheckout(odoo, amount);
      return { reference: checkout.processing.reference, token: checkout.processing.bridge_checkout_token };
    },
    async summary(references) {
      const rows: SummaryRow[] = [];
      for (const reference of references) {
        const [tx] = await odoo.admin.call<Record<string, any>[]>('payment.transaction', 'search_read', [[['reference', '=', reference]]], {
          fields: ['id', 'state', 'amount', 'currency_id', 'paypal_status_detail', 'paypal_refund_status', 'paypal_needs_review', 'paypal_fee', 'payment_id', 'sale_order_ids', 'child_transaction_ids'],
        });
        if (!tx) continue;
        const children = await odoo.admin.call<Record<string, any>[]>('payment.transaction', 'search_read', [[['source_transaction_id', '=', tx['id']], ['operation', '=', 'refund']]], { fields: ['amount', 'state'] });
        const [payment] = tx['payment_id'] ? await odoo.admin.call<Record<string, any>[]>('account.payment', 'read', [[tx['payment_id'][0]]], { fields: ['name', 'state'] }) : [];
        const [order] = tx['sale_order_ids'].length ? await odoo.admin.call<Record<string, any>[]>('sale.order', 'read', [[tx['sale_order_ids'][0]]], { fields: ['name', 'state'] }) : [];
        const [dispute] = await odoo.admin.call<Record<string, any>[]>('paypal.dispute', 'search_read', [[['transaction_id', '=', tx['id']]]], { fields: ['status', 'outcome'] });
        const feeEntries = await odoo.admin.call<number>('account.move', 'search_count', [[['paypal_bridge_fee_transaction_id', '=', tx['id']], ['state', '=', 'posted']]]);
        rows.push({
          reference,
          state: tx['state'] + (tx['paypal_status_detail'] ? ` (${tx['paypal_status_detail']})` : ''),
          amount: `${Number(tx['amount']).toFixed(2)} ${tx['currency_id'][1]}`,
          order: order ? `${order['name']} ${order['state']}` : '—',
          payment: payment ? `${payment['name']} ${payment['state']}` : '—',
          refunds: children.length ? `${children.map((c) => Math.abs(c['amount']).toFixed(2)).join(' + ')} (${tx['paypal_refund_status']})` : '—',
          fee: feeCell(Math.abs(Number(tx['paypal_fee'] || 0)), feeEntries > 0),
          review: tx['paypal_needs_review'] ? 'flagged' : '',
          dispute: dispute ? `${dispute['status']}${dispute['outcome'] ? ` ${dispute['outcome']}` : ''}` : '—',
        });
      }
      return rows;
    },
    async removePayment(reference) {
      const [tx] = await odoo.admin.call<Record<string, any>[]>('payment.transaction', 'search_read', [[['reference', '=', reference]]], { fields: ['payment_id'] });
      if (!tx?.['payment_id']) throw new Error(`${reference} has no payment to remove`);
      await odoo.admin.call('account.payment', 'action_cancel', [[tx['payment_id'][0]]]);
      return tx['payment_id'][1] as string;
    },
    async journalBalance() {
      const [provider] = await odoo.admin.call<{ journal_id: [number, string] | false }[]>('payment.provider', 'read', [[odoo.providerId]], { fields: ['journal_id'] });
      if (!provider?.journal_id) throw new Error('the PayPal provider has no journal');
      const [journal] = await odoo.admin.call<{ default_account_id: [number, string] | false }[]>('account.journal', 'read', [[provider.journal_id[0]]], { fields: ['default_account_id'] });
      const lines = await odoo.admin.call<{ balance: number }[]>('account.move.line', 'search_read', [[['journal_id', '=', provider.journal_id[0]], ['account_id', '=', journal?.default_account_id ? journal.default_account_id[0] : 0], ['parent_state', '=', 'posted']]], { fields: ['balance'] });
      return { cents: lines.reduce((sum, l) => sum + Math.round(l.balance * 100), 0), journal: provider.journal_id[1] };
    },
    admin: { uid: odoo.adminUid, db: odoo.db, secret: odoo.bridgeSecret },
    close: () => odoo.restore(),
  };
}

function toCents(value: string): number {
  return Math.round(Number(value) * 100);
}

// --- the run ---------------------------------------------------------------------------------------
const started = Date.now();
const demoStart = new Date(started - 1000);
say('PayPal Bridge demo');
const paypal: PayPalSimulator = await startPayPalSimulator({ pki, blockDuplicateInvoiceId: false });
say(`  PayPal: the simulator at ${paypal.apiBase}`);
let odoo: OdooSide;
try {
  odoo = process.env['ODOO_URL'] ? await realOdoo(process.env['ODOO_URL']) : await simulatedOdoo();
} catch (err) {
  say(`\nCannot use the Odoo at ${process.env['ODOO_URL']}: ${(err as Error).message}`);
  say('Check ODOO_URL, ODOO_DB and ODOO_ADMIN_LOGIN/ODOO_ADMIN_PASSWORD (and that paypal_bridge is installed), or unset ODOO_URL to use the simulator.');
  await paypal.close();
  process.exit(2);
}
say(`  Odoo:   ${odoo.label}`);
/** The PayPal journal before the demo: what it adds is compared with PayPal's balance at the end. */
const journalBefore = await odoo.journalBalance();

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paypal-bridge-demo-'));
const port = await freePort();
const serviceUrl = `http://127.0.0.1:${port}`;
const webhookId = await subscribeWebhook(paypal, `${serviceUrl}/webhooks/paypal`);
const env = { ...serviceEnv(paypal, pki, { dataDir }), ...odoo.env, PORT: String(port), PAYPAL_WEBHOOK_ID: webhookId, LOG_LEVEL: 'warn' };
const service: ChildProcess = spawn(process.execPath, [path.join(root, 'service/src/main.ts')], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${serviceUrl}/readyz`)).ok) break;
  } catch {
    // not yet listening
  }
  if (i > 150) throw new Error('the service did not start');
  await new Promise((r) => setTimeout(r, 100));
}
say(`  Service: ${serviceUrl} (SQLite in ${dataDir}), subscribed to PayPal's webhooks as ${webhookId}\n`);

async function checkoutApi(pathPart: string, token: string, reference: string): Promise<Record<string, any>> {
  const response = await fetch(`${serviceUrl}/v1/checkout/${pathPart}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reference }),
  });
  return { ...((await response.json()) as Record<string, unknown>), httpStatus: response.status };
}

/** The back office's view of the service: an admin token as Odoo issues it to a PayPal manager. */
async function adminApi(method: 'GET' | 'POST', pathPart: string, body?: unknown): Promise<Record<string, any>> {
  const now = Math.floor(Date.now() / 1000);
  const token = issueToken(odoo.admin.secret, { typ: 'admin', sub: odoo.admin.uid, db: odoo.admin.db, scp: ['read', 'sync', 'capture', 'void', 'refund', 'replay'], iat: now, exp: now + 600 });
  const response = await fetch(`${serviceUrl}/v1/admin/${pathPart}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as Record<string, any>;
  if (!response.ok) throw new Error(`${method} /v1/admin/${pathPart}: ${response.status} ${answer['message'] ?? ''}`);
  return answer;
}

interface Discrepancy {
  id: number;
  kind: string;
  status: string;
  paypal_id: string | null;
  reference: string | null;
  note: string;
  repair_note: string | null;
}

/** Reconciles [from, now) and returns the run and its discrepancies for the demo's own payments. */
async function reconcile(from: Date, references: readonly string[]): Promise<{ run: Record<string, any>; found: Discrepancy[] }> {
  const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const started = await adminApi('POST', 'reconcile/runs', { from: iso(from), to: iso(new Date()) });
  let run = started['run'] as Record<string, any>;
  for (let i = 0; run['status'] !== 'completed' && i < 600; i++) {
    await new Promise((r) => setTimeout(r, 200));
    run = (await adminApi('GET', `reconcile/runs/${run['id']}/discrepancies`))['run'];
    if (run['status'] === 'failed') throw new Error(`reconciliation run ${run['id']} failed: ${run['error']}`);
  }
  const list = (await adminApi('GET', `reconcile/runs/${run['id']}/discrepancies`))['discrepancies'] as Discrepancy[];
  // The Odoo database may hold other activity of the same minutes (a shared real Odoo): the
  // demo looks at its own payments.
  return { run, found: list.filter((d) => d.reference === null || references.includes(d.reference) || references.some((r) => d.reference?.startsWith(`R-${r}`))) };
}

function printReconciliation(title: string, run: Record<string, any>, found: Discrepancy[]): void {
  const counts = run['counts'] ?? {};
  console.log(`\n${title}: run ${run['id']}, ${counts['paypalRecords'] ?? '?'} PayPal records, ${counts['matched'] ?? '?'} matched with Odoo, ${found.length === 0 ? 'no discrepancy' : `${found.length} discrepanc${found.length === 1 ? 'y' : 'ies'}`} for the demo's payments.`);
  for (const d of found) console.log(`  #${d.id} ${d.kind} ${d.paypal_id ?? ''} ${d.reference ?? ''} (${d.status}): ${d.note}${d.repair_note ? ` — ${d.repair_note}` : ''}`);
}

interface Scenario {
  name: string;
  amount: string;
  run(p: { reference: string; token: string }): Promise<void>;
}

/** The shopper's browser: creates the PayPal order, approves it at PayPal, asks the service to capture. */
async function pay(p: { reference: string; token: string }, approve: Parameters<PayPalSimulator['approveOrder']>[1] = {}, capture = true): Promise<string | undefined> {
  const created = await checkoutApi('orders', p.token, p.reference);
  if (created['httpStatus'] !== 201) throw new Error(`create order: ${JSON.stringify(created)}`);
  await paypal.approveOrder(created['order_id'], approve);
  if (!capture) return undefined;
  const captured = await checkoutApi(`orders/${created['order_id']}/capture`, p.token, p.reference);
  if (captured['httpStatus'] !== 200) throw new Error(`capture: ${JSON.stringify(captured)}`);
  return captured['capture_id'];
}

const nextSecond = () => new Promise((r) => setTimeout(r, 1100));
const scenarios: Scenario[] = [
  { name: 'browser closed right after approval (PayPal\'s CHECKOUT.ORDER.APPROVED finishes it)', amount: '64.00', run: async (p) => void (await pay(p, {}, false)) },
  ...['19.99', '42.50', '120.00', '8.75'].map((amount) => ({ name: `paid at checkout (${amount} USD)`, amount, run: async (p: { reference: string; token: string }) => void (await pay(p)) })),
  {
    name: 'pending review, then completed',
    amount: '250.00',
    run: async (p) => {
      const capture = await pay(p, { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
      await paypal.completePendingCapture(capture!);
    },
  },
  {
    name: 'pending review, then denied',
    amount: '310.00',
    run: async (p) => {
      const capture = await pay(p, { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
      await paypal.denyPendingCapture(capture!);
    },
  },
  { name: 'card declined at capture', amount: '15.00', run: async (p) => void (await pay(p, { captureOutcome: 'DECLINED' })) },
  {
    name: 'two partial refunds made at PayPal',
    amount: '80.00',
    run: async (p) => {
      const capture = await pay(p);
      await paypal.refundFromDashboard(capture!, '20.00');
      await paypal.refundFromDashboard(capture!, '5.50');
    },
  },
  {
    name: 'full refund made at PayPal',
    amount: '33.00',
    run: async (p) => {
      const capture = await pay(p);
      await paypal.refundFromDashboard(capture!);
    },
  },
  {
    name: 'chargeback (PayPal reverses the payment)',
    amount: '99.00',
    run: async (p) => {
      const capture = await pay(p);
      await paypal.reverseCapture(capture!);
    },
  },
  {
    name: 'dispute opened, seller response requested, resolved in the seller\'s favour',
    amount: '150.00',
    run: async (p) => {
      const capture = await pay(p);
      const dispute = (await paypal.createDispute(capture!, { reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' })) as { dispute_id: string };
      await nextSecond();
      await paypal.updateDispute(dispute.dispute_id, { status: 'WAITING_FOR_SELLER_RESPONSE' });
      await nextSecond();
      await paypal.resolveDispute(dispute.dispute_id, 'RESOLVED_SELLER_FAVOUR');
    },
  },
];

let exitCode = 0;
try {
  say(`Playing ${scenarios.length} payments:`);
  const references: string[] = [];
  const failures: string[] = [];
  let done = 0;
  for (const scenario of scenarios) {
    progress(done, scenarios.length, scenario.name);
    try {
      const payment = await odoo.newPayment(scenario.amount, scenario.name);
      references.push(payment.reference);
      await scenario.run(payment);
    } catch (err) {
      failures.push(`${scenario.name}: ${(err as Error).message}`);
    }
    progress(++done, scenarios.length, scenario.name);
  }
  if (isTty) process.stderr.write('\n');

  // Wait until PayPal has delivered everything and the service has applied it.
  say('\nWaiting for PayPal\'s webhooks to be delivered and applied (the browser gets a 30 s head start before the service finishes an approved order itself)…');
  await paypal.idle();
  const store = openSqliteStore({ dataDir });
  const deadline = Date.now() + 120_000;
  let stats = await store.stats();
  while (Date.now() < deadline) {
    await paypal.idle();
    stats = await store.stats();
    const open = stats.byStatus.pending + stats.byStatus.processing;
    progress(stats.byStatus.done + stats.byStatus.ignored + stats.byStatus.dead, Math.max(1, stats.byStatus.done + stats.byStatus.ignored + stats.byStatus.dead + open), `events applied, ${open} waiting`);
    if (open === 0 && paypal.deliveries.every((d) => d.status !== 'network-error')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (isTty) process.stderr.write('\n');
  await store.close();

  // --- summary ---
  const rows = await odoo.summary(references);
  const columns: (keyof SummaryRow)[] = ['reference', 'state', 'amount', 'order', 'payment', 'fee', 'refunds', 'dispute', 'review'];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  console.log(`\nWhat reached Odoo (${odoo.label}):\n`);
  console.log(columns.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(columns.map((c, i) => r[c].padEnd(widths[i]!)).join('  '));
  const delivered = paypal.deliveries.filter((d) => typeof d.status === 'number' && d.status >= 200 && d.status < 300).length;
  console.log(
    `\nWebhooks: ${new Set(paypal.deliveries.map((d) => d.eventId)).size} events sent by PayPal, ${delivered} deliveries acknowledged; ` +
      `inbox: ${stats.byStatus.done} applied, ${stats.byStatus.ignored} ignored, ${stats.byStatus.dead} dead, ${stats.byStatus.pending + stats.byStatus.processing} waiting.`,
  );
  const unbooked = rows.filter((r) => r.fee.endsWith('NOT BOOKED'));
  if (unbooked.length > 0) {
    console.log(`\nPayPal's fee is not booked for ${unbooked.map((r) => r.reference).join(', ')}: is a PayPal Fee Account set on the provider?`);
    exitCode = 1;
  }
  if (failures.length) {
    console.log(`\n${failures.length} scenario(s) failed:\n  ${failures.join('\n  ')}`);
    exitCode = 1;
  }

  // --- reconciliation against PayPal's ledger, as the accountant runs it from the back office ---
  say('\nReconciling the demo\'s payments against PayPal\'s ledger (Transaction Search)…');
  const first = await reconcile(demoStart, references);
  printReconciliation('Reconciliation', first.run, first.found);
  if (first.found.length > 0) exitCode = 1;
  if (removeOnePayment) {
    const victim = references[1]!;
    const payment = await odoo.removePayment(victim);
    console.log(`\nTaking ${victim}'s payment ${payment} out of Odoo's books (cancelled), then reconciling again…`);
    const second = await reconcile(demoStart, references);
    printReconciliation('Reconciliation', second.run, second.found);
    const missing = second.found.filter((d) => d.reference === victim && d.kind === 'missing_in_odoo');
    if (missing.length !== 1 || second.found.length !== 1) {
      console.log('  expected exactly that payment to be reported as missing in Odoo');
      exitCode = 1;
    }
    for (const d of missing) {
      const repaired = (await adminApi('POST', `reconcile/discrepancies/${d.id}/repair`, {}))['discrepancy'] as Discrepancy;
      console.log(`  one-click repair of #${d.id}: ${repaired.status} — ${repaired.repair_note ?? ''}`);
      if (repaired.status !== 'repaired') exitCode = 1;
    }
    const third = await reconcile(demoStart, references);
    printReconciliation('Reconciliation after the repair', third.run, third.found);
    if (third.found.length > 0) exitCode = 1;
  }
  if (stats.byStatus.dead > 0 || stats.byStatus.pending + stats.byStatus.processing > 0) exitCode = 1;

  // --- the books: the PayPal journal against PayPal's own balance -------------------------------
  // Reconciliation booked PayPal's ledger as the journal's statement; what the demo added to the
  // journal must be what PayPal holds (the simulator's balance starts at zero).
  const journalAfter = await odoo.journalBalance();
  const balances = await paypalClientFor(paypal).getBalances('USD');
  const paypalCents = toCents(balances.balances?.[0]?.total_balance.value ?? '0');
  const added = journalAfter.cents - journalBefore.cents;
  const agree = added === paypalCents;
  console.log(`\nThe books: Odoo's journal "${journalAfter.journal}" gained ${(added / 100).toFixed(2)} USD during the demo; PayPal's balance is ${(paypalCents / 100).toFixed(2)} USD: ${agree ? 'they agree to the cent.' : 'THEY DIFFER.'}`);
  if (!agree) exitCode = 1;
  console.log(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.`);
} finally {
  const exited = new Promise((r) => service.once('exit', r));
  service.kill('SIGTERM');
  await exited;
  await paypal.close();
  await odoo.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
