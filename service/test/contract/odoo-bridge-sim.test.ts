// The paypal_bridge contract suite against the Odoo simulator (service/sim/odoo): runs everywhere.
import { startOdooSim } from '../../sim/odoo/server.ts';
import { clientFor, odooBridgeContract, type ContractTarget } from './odoo-bridge.contract.ts';

odooBridgeContract('the Odoo simulator', async (): Promise<ContractTarget> => {
  const sim = await startOdooSim();
  const target = { url: sim.url, db: sim.db };
  return {
    ...target,
    service: { login: sim.service.login, secret: sim.service.password },
    otherUser: { login: sim.internalUser.login, secret: sim.internalUser.password },
    admin: clientFor(target, { login: sim.admin.login, secret: sim.admin.password }),
    createSaleOrderWithTransaction: async (input) => sim.createSaleOrderWithTransaction({ ...input, currency: 'USD' }),
    close: () => sim.close(),
  };
});
