// Runs the PayPal simulator as a process, for the demo stack and the benchmarks.
//
//   node service/sim/paypal/main.ts [--port 0] [--http-port 0] [--host 127.0.0.1]
//        [--client-id sim-client-id] [--client-secret sim-client-secret] [--pki-dir .cache/test-pki]
//        [--validate strict|record|off] [--token-ttl 32400]
//
// Each flag can also come from the environment: PAYPAL_SIM_PORT, PAYPAL_SIM_HTTP_PORT,
// PAYPAL_SIM_HOST, PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, TEST_PKI_DIR, PAYPAL_SIM_VALIDATE,
// PAYPAL_SIM_TOKEN_TTL. Once listening it prints one JSON line on stdout: its URLs, credentials and
// the PKI files a client needs (NODE_EXTRA_CA_CERTS=rootCert; the service carries
// intermediateCert). It stops on SIGTERM or SIGINT, listing on stderr any OpenAPI violation seen.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTestPki } from '../pki.ts';
import { startPayPalSimulator, type ValidationMode } from './index.ts';

function fail(message: string): never {
  process.stderr.write(`paypal-sim: ${message}\n`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`${name} must be a non-negative integer, got "${value}".`);
  return n;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'http-port': { type: 'string' },
    host: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'pki-dir': { type: 'string' },
    validate: { type: 'string' },
    'token-ttl': { type: 'string' },
  },
  strict: true,
});
const env = process.env;

const validate = values.validate ?? env['PAYPAL_SIM_VALIDATE'] ?? 'strict';
if (validate !== 'strict' && validate !== 'record' && validate !== 'off') fail(`--validate must be strict, record or off, got "${validate}".`);

const pki = await ensureTestPki(path.resolve(values['pki-dir'] ?? env['TEST_PKI_DIR'] ?? '.cache/test-pki'));
const sim = await startPayPalSimulator({
  pki,
  port: integer('--port', values.port ?? env['PAYPAL_SIM_PORT'], 0),
  httpPort: integer('--http-port', values['http-port'] ?? env['PAYPAL_SIM_HTTP_PORT'], 0),
  host: values.host ?? env['PAYPAL_SIM_HOST'] ?? '127.0.0.1',
  clientId: values['client-id'] ?? env['PAYPAL_CLIENT_ID'] ?? 'sim-client-id',
  clientSecret: values['client-secret'] ?? env['PAYPAL_CLIENT_SECRET'] ?? 'sim-client-secret',
  tokenTtlSeconds: integer('--token-ttl', values['token-ttl'] ?? env['PAYPAL_SIM_TOKEN_TTL'], 32400),
  validate: validate as ValidationMode,
});

process.stdout.write(
  `${JSON.stringify({
    apiBase: sim.apiBase,
    httpBase: sim.httpBase,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    certUrl: sim.certUrl(),
    rootCert: pki.rootCert,
    intermediateCert: pki.intermediateCert,
    pid: process.pid,
  })}\n`,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await sim.close();
  if (sim.violations.length > 0) {
    process.stderr.write(`paypal-sim: ${sim.violations.length} OpenAPI violation(s):\n${sim.violations.map((v) => `  ${v.message}`).join('\n')}\n`);
  }
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
