// The reconciliation end to end on SQLite (the embedded store).
import { reconcileSuite } from '../support/reconcile-suite.ts';

reconcileSuite('sqlite');
