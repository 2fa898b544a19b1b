// The inbox worker on the SQLite store.
import { describe } from 'node:test';
import { createSqliteHarness } from '../support/inbox-harness.ts';
import { inboxWorkerSuite } from '../support/inbox-worker-suite.ts';

describe('inbox worker on SQLite', () => {
  inboxWorkerSuite(() => createSqliteHarness());
});
