// The paypal_bridge contract suite against a real Odoo 18 with the module installed, when one is
// named: ODOO_URL (e.g. http://127.0.0.1:8069) and ODOO_DB; ODOO_ADMIN_LOGIN / ODOO_ADMIN_PASSWORD
// (default admin / admin) make the fixtures; ODOO_LOGIN + ODOO_API_KEY name the technical user,
// otherwise a key is generated through the module's own action. Without ODOO_URL this file says
// so and defines no test.
import { odooBridgeContract } from './odoo-bridge.contract.ts';
import { createRealOdooTarget } from './real-odoo-target.ts';
import { realOdooNotRun } from '../support/real-odoo-gate.ts';

const url = process.env['ODOO_URL'];

if (!url) {
  realOdooNotRun('the real-Odoo contract suite');
} else {
  odooBridgeContract(`the real Odoo at ${url}`, async () => {
    const db = process.env['ODOO_DB'];
    if (!db) throw new Error('ODOO_URL is set but ODOO_DB is not: name the database that has paypal_bridge installed.');
    const apiKey = process.env['ODOO_API_KEY'];
    return createRealOdooTarget({
      url,
      db,
      adminLogin: process.env['ODOO_ADMIN_LOGIN'] || 'admin',
      adminPassword: process.env['ODOO_ADMIN_PASSWORD'] || 'admin',
      service: apiKey ? { login: process.env['ODOO_LOGIN'] || 'paypal-bridge-service', secret: apiKey } : undefined,
    });
  });
}
