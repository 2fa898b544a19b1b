// scripts/register-webhook.ts against the PayPal simulator, as an operator runs it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CATALOGUE_EVENT_TYPES } from '../../src/sync/event-catalogue.ts';
import { ensureTestPki, testPkiDir } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/register-webhook.ts');
let sim: PayPalSimulator;
before(async () => {
  sim = await startPayPalSimulator({ pki: await ensureTestPki(testPkiDir()) });
});
after(async () => {
  await sim.close();
});

/** Runs the script as a child process (asynchronously: the simulator answers from this process). */
function run(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '', PAYPAL_API_BASE: sim.apiBase, PAYPAL_CLIENT_ID: sim.clientId, PAYPAL_CLIENT_SECRET: sim.clientSecret, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

test('usage and configuration errors are clear', async () => {
  const noUrl = await run([]);
  assert.equal(noUrl.status, 2);
  assert.match(noUrl.stderr, /--url is required/);
  const http = await run(['--url', 'http://bridge.example.com/webhooks/paypal']);
  assert.equal(http.status, 2);
  assert.match(http.stderr, /only delivers webhooks to https/);
  const noSecret = await run(['--url', 'https://bridge.example.com/webhooks/paypal'], { PAYPAL_CLIENT_SECRET: '' });
  assert.equal(noSecret.status, 2);
  assert.match(noSecret.stderr, /PAYPAL_CLIENT_SECRET is required/);
});

test('subscribes every catalogue event type once, then reports the existing subscription', async () => {
  const url = 'https://bridge.example.com/webhooks/paypal';
  const dry = await run(['--url', url, '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /Would subscribe/);
  assert.equal(sim.state.webhooks.size, 0);

  const first = await run(['--url', url]);
  assert.equal(first.status, 0, first.stderr);
  const id = /PAYPAL_WEBHOOK_ID=(\S+)/.exec(first.stdout)?.[1];
  assert.ok(id, first.stdout);
  const hook = sim.state.webhooks.get(id);
  assert.ok(hook);
  assert.deepEqual([...hook.eventTypes].sort(), [...CATALOGUE_EVENT_TYPES].sort());

  const second = await run(['--url', url]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`exists: ${id}`));
  assert.match(second.stdout, /subscribed to every event type/);
  assert.equal(sim.state.webhooks.size, 1);
});
