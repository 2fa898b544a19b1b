// `npm run bench`: the performance budgets of service/ARCHITECTURE.md ("Budgets"), measured. Prints
// a table and writes the figures to bench-results/bench.json. Run it on an otherwise idle machine;
// figures from a loaded machine are not comparable.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestPki } from '../service/sim/pki.ts';
import { startPayPalSimulator } from '../service/sim/paypal/index.ts';
import { runBackofficeBench } from './bench-backoffice.ts';
import { runReconcileBench } from './bench-reconcile.ts';
import { buildAddon } from './build-addon.ts';
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

if (want('assets')) {
  log('addon assets (npm run build)…');
  const bundles = await buildAddon();
  results['assets'] = bundles.map((b) => ({ bundle: b.name, odooBundle: b.odooBundle, bytes: b.bytes, gzipBytes: b.gzipBytes, bytesByOrigin: b.bytesByOrigin }));
  const budget: Record<string, number> = { checkout: 10 * 1024, backoffice: 40 * 1024 };
  for (const b of bundles) {
    const limit = budget[b.name];
    rows.push({
      measure: `${b.name} asset, gzip (PayPal's SDK aside)`,
      figure: `${(b.gzipBytes / 1024).toFixed(1)} KB`,
      budget: limit ? `≤ ${limit / 1024} KB` : '—',
      ok: limit ? b.gzipBytes <= limit : null,
    });
  }
}

if (want('backoffice')) {
  log('back office: list and capture-id search over 10,000 transactions…');
  const b = await runBackofficeBench({ transactions: 10_000, log });
  results['backoffice'] = b;
  const where = b.target === 'real-odoo' ? 'real Odoo' : 'Odoo simulator';
  rows.push({ measure: `back office, open the list (${b.transactions.toLocaleString('en')} tx, ${where}), median`, figure: `${b.openList.medianMs} ms`, budget: '≤ 300 ms', ok: b.openList.medianMs <= 300 });
  rows.push({ measure: `back office, search by capture id (${where}), median`, figure: `${b.searchCaptureId.medianMs} ms`, budget: '≤ 300 ms', ok: b.searchCaptureId.medianMs <= 300 });
}

if (want('reconcile')) {
  for (const store of ['sqlite', 'postgres'] as const) {
    const r = await runReconcileBench({ store, log });
    results[`reconcile_${store}`] = r;
    rows.push({ measure: `reconcile ${r.records.toLocaleString('en')} PayPal records (${store}), time`, figure: `${r.seconds.toFixed(1)} s`, budget: '≤ 20 s', ok: r.seconds <= 20 });
    rows.push({ measure: `reconcile ${r.records.toLocaleString('en')} PayPal records (${store}), peak RSS`, figure: `${Math.round(r.peakRssMb)} MB`, budget: '≤ 300 MB', ok: r.peakRssMb <= 300 });
  }
}

const width = (k: keyof Row) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const [w1, w2, w3] = [width('measure'), width('figure'), width('budget')];
console.log(`\n${'measure'.padEnd(w1)}  ${'figure'.padEnd(w2)}  ${'budget'.padEnd(w3)}  verdict`);
console.log(`${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ${'-'.repeat(w3)}  -------`);
for (const r of rows) console.log(`${r.measure.padEnd(w1)}  ${r.figure.padEnd(w2)}  ${r.budget.padEnd(w3)}  ${r.ok === null ? '' : r.ok ? 'within' : 'OVER'}`);
fs.mkdirSync(path.join(root, 'bench-results'), { recursive: true });
const file = path.join(root, 'bench-results', 'bench.json');
// A partial run (npm run bench -- intake) updates its sections and keeps the others.
let previous: Record<string, unknown> = {};
try {
  previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
} catch {
  // first run
}
const previousRows = Array.isArray(previous['table']) ? (previous['table'] as Row[]) : [];
const table = [...previousRows.filter((p) => !rows.some((r) => r.measure === p.measure)), ...rows];
fs.writeFileSync(file, JSON.stringify({ ...previous, ...results, table }, null, 2) + '\n');
console.log(`\nfigures written to ${path.relative(root, file)}`);
