// Child process for the crash test: runs a reconciliation with the production code against the
// simulators of the parent process, and prints "page <n>" after each page it saved. The parent
// kills it with SIGKILL part-way through and resumes the run itself.
//
//   node reconcile-child.ts '<json>'   json: {paypal: {apiBase, clientId, clientSecret},
//                                             odoo: {url, db, login, apiKey}, store, from, to,
//                                             pageSize, staleAfterMs}
import { createOdooClient } from '../../src/odoo/json-rpc-client.ts';
import { createPayPalClient } from '../../src/paypal/index.ts';
import { createReconcileOdooApi } from '../../src/reconcile/odoo-reconcile-api.ts';
import { openReconcileStore } from '../../src/reconcile/open-store.ts';
import { runReconciliation } from '../../src/reconcile/runner.ts';
import { createLogger } from '../../src/shared/logger.ts';

interface ChildInput {
  paypal: { apiBase: string; clientId: string; clientSecret: string };
  odoo: { url: string; db: string; login: string; apiKey: string };
  store: { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };
  from: string;
  to: string;
  pageSize: number;
  staleAfterMs: number;
}

const input = JSON.parse(process.argv[2] ?? '') as ChildInput;
const logger = createLogger({ level: 'silent' });
const store = await openReconcileStore(input.store);
const paypal = createPayPalClient({ ...input.paypal, logger });
const odoo = createReconcileOdooApi(createOdooClient({ ...input.odoo, logger }));
const run = await runReconciliation(
  { store, paypal, odoo, logger },
  {
    from: new Date(input.from),
    to: new Date(input.to),
    pageSize: input.pageSize,
    staleAfterMs: input.staleAfterMs,
    afterPage: (page) => {
      process.stdout.write(`page ${page.pagesDone}\n`);
    },
  },
);
process.stdout.write(`done ${run.id}\n`);
await store.close();
