// The reconciliation contract against the Odoo simulator: runs everywhere.
import { setFeeAccount } from '../../sim/odoo/reconcile.ts';
import { startOdooSim } from '../../sim/odoo/server.ts';
import { clientFor } from './odoo-bridge.contract.ts';
import { odooReconcileContract } from './odoo-reconcile.contract.ts';

odooReconcileContract('the Odoo simulator', async () => {
  const sim = await startOdooSim();
  const target = { url: sim.url, db: sim.db };
  return {
    ...target,
    service: { login: sim.service.login, secret: sim.service.password },
    otherUser: { login: sim.internalUser.login, secret: sim.internalUser.password },
    admin: clientFor(target, { login: sim.admin.login, secret: sim.admin.password }),
    createSaleOrderWithTransaction: async (input) => sim.createSaleOrderWithTransaction({ ...input, currency: 'USD' }),
    setFeeAccount: async (configured) => setFeeAccount(sim.database, configured),
    async changePayment(paymentId, action) {
      const payment = sim.database.payment(paymentId);
      if (!payment) throw new Error(`no account.payment ${paymentId}`);
      payment.state = action === 'draft' ? 'draft' : 'canceled';
    },
    close: () => sim.close(),
  };
});
