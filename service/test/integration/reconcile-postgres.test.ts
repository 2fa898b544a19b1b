// The reconciliation end to end on PostgreSQL.
import { reconcileSuite } from '../support/reconcile-suite.ts';

reconcileSuite('postgres');
