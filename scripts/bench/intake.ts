// Webhook intake under load, measured from a separate process on loopback: the service runs as a
// child process (SQLite, worker on), this process plays PayPal delivering signed events.
//
// - throughput: a closed loop of `concurrency` connections delivering as fast as acknowledged;
// - ack latency at fixed offered rates: an open loop that sends on schedule whatever the answers
//   do, latency measured from the scheduled send time (no coordinated omission).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../service/src/inbox/sqlite-store.ts';
import type { TestPki } from '../../service/sim/pki.ts';
import type { PayPalSimulator } from '../../service/sim/paypal/index.ts';
import { freePort, serviceEnv, TEST_WEBHOOK_ID } from '../../service/test/support/service-harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ThroughputFigures {
  events: number;
  concurrency: number;
  seconds: number;
  eventsPerSecond: number;
  non2xx: number;
  storedInInbox: number;
}

export interface LatencyFigures {
  offeredRate: number;
  seconds: number;
  sent: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
}

interface Signed {
  body: Buffer;
  headers: Record<string, string>;
}

export interface IntakeBench {
  throughput(events: number, concurrency: number, progress?: (done: number) => void): Promise<ThroughputFigures>;
  latency(rate: number, seconds: number): Promise<LatencyFigures>;
  close(): Promise<void>;
}

/** Signs `n` distinct events the way PayPal does (one RSA signature each). */
function signEvents(sim: PayPalSimulator, n: number, tag: string): Signed[] {
  const out: Signed[] = [];
  for (let i = 0; i < n; i++) {
    // An event type outside the catalogue: the worker stores it and marks it ignored, so the
    // benchmark measures intake and the store, not Odoo.
    const event = sim.buildEvent('PAYMENT.SALE.COMPLETED', {
      id: `BENCH-${tag}-${i}`,
      state: 'completed',
      amount: { total: '42.50', currency: 'USD' },
      custom: `S${String(i).padStart(6, '0')}-1`,
    });
    const signed = sim.signEvent(event, { webhookId: TEST_WEBHOOK_ID });
    out.push({ body: signed.body, headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])) });
  }
  return out;
}

function post(agent: http.Agent, port: number, e: Signed): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/webhooks/paypal', method: 'POST', agent, headers: { ...e.headers, 'content-length': String(e.body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(e.body);
  });
}

export async function startIntakeBench(sim: PayPalSimulator, pki: TestPki): Promise<IntakeBench> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bench-'));
  const port = await freePort();
  const env = { ...process.env, ...serviceEnv(sim, pki, { dataDir }), PORT: String(port), LOG_LEVEL: 'warn', ODOO_URL: 'http://127.0.0.1:9' };
  const nodeArgs = (process.env['BENCH_SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(root, 'service/src/main.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await waitReady(port, child);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let batch = 0;

  return {
    async throughput(events, concurrency, progress) {
      const signed = signEvents(sim, events, `t${batch++}`);
      let next = 0;
      let non2xx = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < signed.length) {
            const status = await post(agent, port, signed[next++]!);
            if (status !== 200) non2xx++;
            if (next % 5000 === 0) progress?.(next);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      return { events, concurrency, seconds: round(seconds, 2), eventsPerSecond: Math.round(events / seconds), non2xx, storedInInbox: await countStored(dataDir) };
    },

    async latency(rate, seconds) {
      const total = Math.round(rate * seconds);
      const signed = signEvents(sim, total, `l${batch++}`);
      const latencies: number[] = [];
      let non2xx = 0;
      const pending: Promise<void>[] = [];
      const start = performance.now() + 50;
      const interval = 1000 / rate;
      for (let i = 0; i < total; i++) {
        const due = start + i * interval;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        pending.push(
          post(agent, port, signed[i]!).then((status) => {
            latencies.push(performance.now() - due);
            if (status !== 200) non2xx++;
          }),
        );
      }
      await Promise.all(pending);
      latencies.sort((a, b) => a - b);
      const q = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!, 2);
      return { offeredRate: rate, seconds, sent: total, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: round(latencies.at(-1)!, 2), non2xx };
    },

    async close() {
      agent.destroy();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function countStored(dataDir: string): Promise<number> {
  const store = openSqliteStore({ dataDir });
  try {
    const stats = await store.stats();
    return Object.values(stats.byStatus).reduce((a, b) => a + b, 0);
  } finally {
    await store.close();
  }
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the service did not become ready');
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
