// The reconciliation contract against a real Odoo 18 with paypal_bridge installed, when ODOO_URL
// (and ODOO_DB) name one; see odoo-bridge-real.test.ts for the other variables. The PayPal
// provider's fee account is set to an expense account of its company for the run, and put back.
// Then the reconciliation end to end against the same Odoo, after the contract and with the same
// target (one technical-user key, one reset of the contract user's password).
import { realOdooReconciliation } from '../support/reconcile-real-odoo.ts';
import { odooReconcileContract, type ReconcileContractTarget } from './odoo-reconcile.contract.ts';
import { createRealOdooTarget } from './real-odoo-target.ts';
import { realOdooNotRun } from '../support/real-odoo-gate.ts';

const url = process.env['ODOO_URL'];

async function realTarget(odooUrl: string): Promise<ReconcileContractTarget> {
  const db = process.env['ODOO_DB'];
  if (!db) throw new Error('ODOO_URL is set but ODOO_DB is not: name the database that has paypal_bridge installed.');
  const apiKey = process.env['ODOO_API_KEY'];
  const target = await createRealOdooTarget({
    url: odooUrl,
    db,
    adminLogin: process.env['ODOO_ADMIN_LOGIN'] || 'admin',
    adminPassword: process.env['ODOO_ADMIN_PASSWORD'] || 'admin',
    service: apiKey ? { login: process.env['ODOO_LOGIN'] || 'paypal-bridge-service', secret: apiKey } : undefined,
  });
  const [provider] = await target.admin.call<{ id: number; company_id: [number, string]; paypal_bridge_fee_account_id: [number, string] | false }[]>(
    'payment.provider',
    'search_read',
    [[['code', '=', 'paypal']]],
    { fields: ['company_id', 'paypal_bridge_fee_account_id'], limit: 1 },
  );
  if (!provider) throw new Error(`No PayPal provider on ${odooUrl}`);
  const original = provider.paypal_bridge_fee_account_id ? provider.paypal_bridge_fee_account_id[0] : false;
  const [expense] = await target.admin.call<{ id: number }[]>(
    'account.account',
    'search_read',
    [[['account_type', '=', 'expense'], ['deprecated', '=', false], ['company_ids', 'in', [provider.company_id[0]]]]],
    { fields: ['id'], limit: 1, order: 'id' },
  );
  if (!expense) throw new Error(`No expense account in the PayPal provider's company on ${odooUrl}: the fee tests need one.`);
  const setFee = (account: number | false) => target.admin.call('payment.provider', 'write', [[provider.id], { paypal_bridge_fee_account_id: account }]);
  return {
    ...target,
    setFeeAccount: async (configured) => void (await setFee(configured ? expense.id : false)),
    async changePayment(paymentId, action) {
      await target.admin.call('account.payment', action === 'draft' ? 'action_draft' : 'action_cancel', [[paymentId]]);
    },
    async close() {
      await setFee(original);
      await target.close();
    },
  };
}

if (!url) {
  realOdooNotRun('the real-Odoo reconciliation suite');
} else {
  let shared: Promise<ReconcileContractTarget> | undefined;
  const target = () => (shared ??= realTarget(url));
  // The end-to-end suite closes the target once it is done.
  odooReconcileContract(`the real Odoo at ${url}`, async () => ({ ...(await target()), close: async () => undefined }));
  realOdooReconciliation(url, target);
}
