// `npm run bench`: the performance budgets of DESIGN.md, measured. Prints a table and writes the
// figures to bench-results/bench.json. Run it on an otherwise idle machine; figures from a loaded
// machine are not comparable.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestPki } from '../service/sim/pki.ts';
import { startPayPalSimulator } from '../service/sim/paypal/index.ts';
import { startIntakeBench } from './bench/intake.ts';
import { benchVerification } from './bench/verification.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const want = (name: string) => only.length === 0 || only.includes(name);

interface Row {
  measure: string;
  figure: string;
  budget: string;
  ok: boolean | null;
}
const rows: Row[] = [];
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
};
const log = (msg: string) => process.stderr.write(`${msg}\n`);

// The simulator's TLS certificate and the service's trust of it come from the test PKI, exactly as
// in the tests (npm test sets NODE_EXTRA_CA_CERTS the same way).
const pki = await ensureTestPki(path.join(root, '.cache', 'test-pki'));
if (process.env['NODE_EXTRA_CA_CERTS'] !== pki.rootCert) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.rootCert } });
  process.exit(r.status ?? 1);
}

if (want('verification')) {
  log('signature verification (cached certificate)…');
  const v = await benchVerification(pki);
  results['verification'] = v;
  rows.push({ measure: 'signature verification, median', figure: `${v.medianMicros} µs`, budget: '≤ 50 µs', ok: v.medianMicros <= 50 });
  rows.push({ measure: 'signature verification, p99', figure: `${v.p99Micros} µs`, budget: '—', ok: null });
}

if (want('intake')) {
  const sim = await startPayPalSimulator({ pki, validate: 'off' });
  const intake = await startIntakeBench(sim, pki);
  try {
    log('intake throughput (closed loop, 64 connections)…');
    await intake.throughput(2000, 64); // warm-up
    const t = await intake.throughput(20_000, 64, (n) => log(`  ${n} events`));
    results['intakeThroughput'] = t;
    rows.push({ measure: 'intake throughput (verified, stored, acked)', figure: `${t.eventsPerSecond} events/s`, budget: '≥ 3,000 events/s', ok: t.eventsPerSecond >= 3000 && t.non2xx === 0 });
    const latencies = [];
    for (const rate of [1000, 2000]) {
      log(`ack latency at ${rate} events/s (open loop, 10 s)…`);
      const l = await intake.latency(rate, 10);
      latencies.push(l);
      rows.push({ measure: `ack latency at ${rate}/s, p50 / p99`, figure: `${l.p50Ms} / ${l.p99Ms} ms`, budget: rate === 1000 ? 'p99 ≤ 10 ms' : '—', ok: rate === 1000 ? l.p99Ms <= 10 && l.non2xx === 0 : null });
    }
    results['ackLatency'] = latencies;
  } finally {
    await intake.close();
    await sim.close();
  }
}

const width = (k: keyof Row) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const [w1, w2, w3] = [width('measure'), width('figure'), width('budget')];
console.log(`\n${'measure'.padEnd(w1)}  ${'figure'.padEnd(w2)}  ${'budget'.padEnd(w3)}  verdict`);
console.log(`${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ${'-'.repeat(w3)}  -------`);
for (const r of rows) console.log(`${r.measure.padEnd(w1)}  ${r.figure.padEnd(w2)}  ${r.budget.padEnd(w3)}  ${r.ok === null ? '' : r.ok ? 'within' : 'OVER'}`);
fs.mkdirSync(path.join(root, 'bench-results'), { recursive: true });
const file = path.join(root, 'bench-results', 'bench.json');
fs.writeFileSync(file, JSON.stringify({ ...results, table: rows }, null, 2) + '\n');
console.log(`\nfigures written to ${path.relative(root, file)}`);
