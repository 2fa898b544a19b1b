// The inbox store contract on SQLite (a temp file per test).
import { describe } from 'node:test';
import { inboxStoreConformance } from '../support/inbox-conformance.ts';
import { createSqliteHarness } from '../support/inbox-harness.ts';

describe('SQLite inbox store', () => {
  inboxStoreConformance(() => createSqliteHarness());
});
