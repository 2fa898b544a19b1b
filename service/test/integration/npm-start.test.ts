// `npm start` as an operator runs it: the service refuses to start on bad configuration with one
// message naming every problem, starts with SQLite and the PayPal settings, and stops cleanly on
// SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureTestPki, testPkiDir } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import { serviceEnv } from '../support/service-harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const npmCli = process.env['npm_execpath'];

let sim: PayPalSimulator;
let dataDir: string;
before(async () => {
  sim = await startPayPalSimulator({ pki: await ensureTestPki(testPkiDir()) });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-start-'));
});
after(async () => {
  await sim.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `npm start` (or main.ts directly when npm is not known) with exactly `env`. */
function npmStart(env: Record<string, string>) {
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '' };
  const [cmd, args] = npmCli ? [process.execPath, [npmCli, 'start', '--silent']] : [process.execPath, ['service/src/main.ts']];
  // Its own process group, so that a signal reaches npm and the service as it does from a terminal.
  return spawn(cmd, args, { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

const running = new Set<number>();
after(() => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

test('a missing or malformed setting stops start-up with one message naming every problem', async () => {
  const proc = npmStart({ DATA_DIR: dataDir, PAYPAL_CLIENT_ID: 'id', PORT: 'x', ODOO_URL: 'https://odoo.example.com' });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise((r) => proc.once('exit', r));
  assert.notEqual(code, 0);
  assert.match(stderr, /The service cannot start: \d+ configuration problems/);
  for (const key of ['PORT', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY', 'BRIDGE_SECRET']) {
    assert.match(stderr, new RegExp(key), `${key} not named`);
  }
  assert.doesNotMatch(stderr, /PAYPAL_CLIENT_ID/);
  assert.equal(stderr.match(/cannot start/g)?.length, 1, 'one message, not one per problem');
});

test('with SQLite and the PayPal settings it starts, answers /readyz, and stops cleanly on SIGTERM', async () => {
  const env = serviceEnv(sim, await ensureTestPki(testPkiDir()), { dataDir });
  const proc = npmStart({ ...env, PORT: '0', LOG_LEVEL: 'info' });
  running.add(proc.pid!);
  let stdout = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started: ${stdout}`)), 30_000);
    proc.stdout.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('PayPal Bridge service started'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  assert.ok(fs.existsSync(path.join(dataDir, 'inbox.sqlite')));
  const exited = new Promise((r) => proc.once('exit', r));
  process.kill(-proc.pid!, 'SIGTERM'); // the whole group, as Ctrl-C or a process manager would
  await exited;
  running.delete(proc.pid!);
  await new Promise((r) => setTimeout(r, 200)); // the service's last lines
  assert.match(stdout, /"signal":"SIGTERM"/);
  assert.match(stdout, /stopped cleanly/);
  assert.ok(!stdout.includes(sim.clientSecret), 'a secret was logged');
});

test('with SQLite and only the PayPal settings it starts and takes webhooks in; Odoo-facing APIs say Odoo is not configured', async () => {
  const env = serviceEnv(sim, await ensureTestPki(testPkiDir()), { dataDir });
  for (const k of ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY', 'BRIDGE_SECRET']) delete env[k];
  const proc = npmStart({ ...env, PORT: '0', LOG_LEVEL: 'info' });
  running.add(proc.pid!);
  let stdout = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started: ${stdout}`)), 30_000);
    proc.stdout.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('PayPal Bridge service started'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
  assert.match(stdout, /Odoo is not configured/);
  const event = sim.buildEvent('PAYMENT.CAPTURE.COMPLETED', { id: 'CAP-INTAKE-ONLY', status: 'COMPLETED', amount: { currency_code: 'USD', value: '1.00' } });
  const signed = sim.signEvent(event, { webhookId: env['PAYPAL_WEBHOOK_ID']! });
  const delivered = await fetch(`http://127.0.0.1:${port}/webhooks/paypal`, { method: 'POST', headers: signed.headers, body: signed.body });
  assert.equal(delivered.status, 200);
  const checkout = await fetch(`http://127.0.0.1:${port}/v1/checkout/orders`, { method: 'POST', body: '{}' });
  assert.equal(checkout.status, 503);
  assert.equal(((await checkout.json()) as { error: string }).error, 'ODOO_NOT_CONFIGURED');
  const exited = new Promise((r) => proc.once('exit', r));
  process.kill(-proc.pid!, 'SIGTERM');
  await exited;
  running.delete(proc.pid!);
  // The event waits in the inbox, not dead: it is applied once Odoo is configured.
  const { openSqliteStore } = await import('../../src/inbox/sqlite-store.ts');
  const store = openSqliteStore({ dataDir });
  try {
    const stored = await store.get(event.id);
    assert.equal(stored?.status, 'pending');
    assert.equal(stored?.attempts, 0);
  } finally {
    await store.close();
  }
});
