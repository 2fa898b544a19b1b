// Kill -9 the service three times while 2,000 events stream in. PayPal (played here by the load
// loop) redelivers whatever was not acknowledged. At the end every acknowledged event must have
// been applied to the system of record exactly once, and nothing acknowledged may be missing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/inbox/sqlite-store.ts';
import { ensureTestPki, testPkiDir } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import { serviceEnv, TEST_WEBHOOK_ID } from '../support/service-harness.ts';

const EVENTS = 2000;
const KILLS = 3;
const CONCURRENCY = 16;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Sink {
  url: string;
  applied: Map<string, number>;
  calls: Map<string, number>;
  close(): Promise<void>;
}

/** The system of record: applies each event once, keyed by event id, and counts every call. */
async function startSink(): Promise<Sink> {
  const applied = new Map<string, number>();
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { eventId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId: string };
      calls.set(eventId, (calls.get(eventId) ?? 0) + 1);
      const first = !applied.has(eventId);
      if (first) applied.set(eventId, 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ applied: first }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    applied,
    calls,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

let sim: PayPalSimulator;
let sink: Sink;
let dataDir: string;
let child: ChildProcess | null = null;
let env: Record<string, string>;

before(async () => {
  const pki = await ensureTestPki(testPkiDir());
  sim = await startPayPalSimulator({ pki });
  sink = await startSink();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-crash-'));
  env = { ...serviceEnv(sim, pki, { dataDir }), PORT: String(await freePort()), LOG_LEVEL: 'warn', SINK_URL: sink.url };
});

after(async () => {
  child?.kill('SIGKILL');
  await sim.close();
  await sink.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startChild(): Promise<void> {
  const proc = spawn(process.execPath, [path.join(here, '../support/sink-service.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = proc;
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.includes('"ready":true')) {
        proc.stdout!.off('data', onData);
        proc.stdout!.resume();
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the service exited with ${code} before it was ready`)));
  });
}

async function killChild(): Promise<void> {
  const proc = child!;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
  child = null;
}

test(`${EVENTS} events, the service killed with SIGKILL ${KILLS} times: every acknowledged event is applied exactly once`, async (t) => {
  // Signed up front, like PayPal's queue: each event is redelivered (re-signed) until acknowledged.
  const events = Array.from({ length: EVENTS }, (_, i) =>
    sim.buildEvent('PAYMENT.CAPTURE.COMPLETED', {
      id: `CAP-CRASH-${i}-${randomUUID().slice(0, 8)}`,
      status: 'COMPLETED',
      amount: { currency_code: 'USD', value: '1.00' },
    }),
  );
  const url = `http://127.0.0.1:${env['PORT']}/webhooks/paypal`;
  const acked = new Set<string>();
  let deliveries = 0;
  let failedDeliveries = 0;

  await startChild();
  const killAt = Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * EVENTS) / (KILLS + 1)));
  let restarting: Promise<void> | null = null;

  async function deliverUntilAcked(index: number): Promise<void> {
    const event = events[index]!;
    for (;;) {
      if (restarting) await restarting;
      const { body, headers } = sim.signEvent(event, { webhookId: TEST_WEBHOOK_ID });
      deliveries++;
      try {
        const response = await fetch(url, { method: 'POST', headers, body });
        await response.arrayBuffer();
        if (response.status === 200) {
          acked.add(event.id);
          return;
        }
      } catch {
        // connection refused or reset: the process is down
      }
      failedDeliveries++;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  let next = 0;
  let kills = 0;
  async function lane(): Promise<void> {
    while (next < EVENTS) {
      const index = next++;
      await deliverUntilAcked(index);
      if (kills < KILLS && acked.size >= killAt[kills]! && !restarting) {
        kills++;
        restarting = (async () => {
          await killChild();
          await startChild();
        })();
        await restarting;
        restarting = null;
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  assert.equal(kills, KILLS);
  assert.equal(acked.size, EVENTS);

  // Every acknowledged event reaches the system of record.
  const deadline = Date.now() + 120_000;
  while (sink.applied.size < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const missing = [...acked].filter((id) => !sink.applied.has(id));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged events were never applied`);

  // Events whose processing a kill interrupted stay leased to the dead process until their lease
  // expires; the running service then takes them up again (their effect is already in the
  // system of record, so it answers "already applied"). Wait for the inbox to say every event is
  // done, then stop the service cleanly.
  const watcher = await openSqliteStore({ dataDir });
  try {
    const settled = Date.now() + 60_000;
    while ((await watcher.stats()).byStatus.done < EVENTS && Date.now() < settled) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await watcher.close();
  }
  const proc = child!;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
  child = null;

  const store = await openSqliteStore({ dataDir });
  try {
    const stats = await store.stats();
    assert.equal(stats.byStatus.done, EVENTS, `inbox: ${JSON.stringify(stats.byStatus)}`);
    for (const id of acked) {
      const row = await store.get(id);
      assert.equal(row?.status, 'done', `${id} is ${row?.status}`);
    }
  } finally {
    await store.close();
  }

  for (const [id, count] of sink.applied) assert.equal(count, 1, `${id} applied ${count} times`);
  // An event can be sent to the system of record again only if a kill struck between its effect
  // and its "done" mark: at most one batch of in-flight events per kill.
  const repeats = [...sink.calls.values()].reduce((sum, n) => sum + (n - 1), 0);
  assert.ok(repeats <= KILLS * 8, `${repeats} repeated calls`);
  t.diagnostic(`deliveries ${deliveries} (${failedDeliveries} refused while down), repeated effects absorbed ${repeats}`);
});
