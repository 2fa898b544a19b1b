// Two service processes on one PostgreSQL database (as behind a load balancer): deliveries are
// spread over both, both workers claim from the same inbox, and no event is processed twice.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureTestPki, testPkiDir } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { serviceEnv, TEST_WEBHOOK_ID } from '../support/service-harness.ts';

const EVENTS = 1000;
const here = path.dirname(fileURLToPath(import.meta.url));

let sim: PayPalSimulator;
let db: TestDatabase;
let sinkServer: http.Server;
let sinkUrl: string;
const calls = new Map<string, string[]>();
const children: ChildProcess[] = [];

before(async () => {
  sim = await startPayPalSimulator({ pki: await ensureTestPki(testPkiDir()) });
  db = await createTestDatabase('bridge_two');
  sinkServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { eventId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId: string };
      const list = calls.get(eventId) ?? [];
      list.push(String(req.headers['x-worker'] ?? ''));
      calls.set(eventId, list);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ applied: list.length === 1 }));
    });
  });
  await new Promise<void>((r) => sinkServer.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sinkServer.address() as AddressInfo).port}`;
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sim.close();
  await new Promise((r) => sinkServer.close(r));
  await db.drop();
});

async function startInstance(): Promise<{ url: string; proc: ChildProcess }> {
  const env = { ...serviceEnv(sim, await ensureTestPki(testPkiDir()), { databaseUrl: db.url }), LOG_LEVEL: 'warn', SINK_URL: sinkUrl };
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(here, '../support/sink-service.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(proc);
    let buffered = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((l) => l.includes('"ready":true'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, proc });
    });
    proc.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
}

test(`two service processes on one PostgreSQL database process ${EVENTS} events, none twice`, async () => {
  const [a, b] = await Promise.all([startInstance(), startInstance()]);
  const urls = [a.url, b.url];
  const events = Array.from({ length: EVENTS }, (_, i) =>
    sim.buildEvent('PAYMENT.CAPTURE.COMPLETED', { id: `CAP-TWO-${i}-${randomUUID().slice(0, 6)}`, status: 'COMPLETED' }),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (next < EVENTS) {
        const i = next++;
        const { body, headers } = sim.signEvent(events[i]!, { webhookId: TEST_WEBHOOK_ID });
        const response = await fetch(`${urls[i % 2]}/webhooks/paypal`, { method: 'POST', headers, body });
        assert.equal(response.status, 200, await response.text());
      }
    }),
  );
  const deadline = Date.now() + 60_000;
  while (calls.size < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(calls.size, EVENTS);
  const twice = [...calls].filter(([, list]) => list.length > 1);
  assert.deepEqual(twice, [], 'events processed more than once');
  const workers = new Set([...calls.values()].map((list) => list[0]));
  assert.deepEqual([...workers].sort(), [String(a.proc.pid), String(b.proc.pid)].sort(), 'both instances must have processed events');
});
