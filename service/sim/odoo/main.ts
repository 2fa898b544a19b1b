// Runs the Odoo 18 simulator for the demo and for manual tries:
//   node service/sim/odoo/main.ts [--port 8069] [--host 127.0.0.1] [--db odoo18] [--api-key KEY] [--demo-order 10.00]
// Prints one JSON line with the URL and the credentials (ODOO_URL, ODOO_DB, ODOO_LOGIN,
// ODOO_API_KEY for the service; the admin's login for looking around), then serves until
// SIGINT/SIGTERM. --demo-order creates a quotation with a draft PayPal transaction of that amount.
import { parseArgs } from 'node:util';
import { startOdooSim } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8069' },
    host: { type: 'string', default: '127.0.0.1' },
    db: { type: 'string', default: 'odoo18' },
    'api-key': { type: 'string' },
    'demo-order': { type: 'string', multiple: true },
    currency: { type: 'string', default: 'USD' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number (got "${values.port}")`);
  process.exit(2);
}

const sim = await startOdooSim({ port, host: values.host, db: values.db, ...(values['api-key'] ? { serviceApiKey: values['api-key'] } : {}) });
const orders = (values['demo-order'] ?? []).map((amount) => sim.createSaleOrderWithTransaction({ amount, currency: values.currency }));

console.log(
  JSON.stringify({
    url: sim.url,
    db: sim.db,
    login: sim.service.login,
    apiKey: sim.service.password,
    env: { ODOO_URL: sim.url, ODOO_DB: sim.db, ODOO_LOGIN: sim.service.login, ODOO_API_KEY: sim.service.password },
    admin: { login: sim.admin.login, password: sim.admin.password },
    orders,
  }),
);

const stop = () => {
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
