// A throw-away PostgreSQL database per test file, on the server named by TEST_DATABASE_URL
// (scripts/test.ts sets it; default postgres://postgres@127.0.0.1:5432/postgres). Register
// `drop` with `after()` so the database goes away even when a test fails.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** URL of the new, empty database. */
  url: string;
  /** Drops the database, closing any connection still open on it. Safe to call twice. */
  drop(): Promise<void>;
}

export function testServerUrl(): string {
  return process.env['TEST_DATABASE_URL'] || DEFAULT_TEST_DATABASE_URL;
}

export async function createTestDatabase(prefix = 'bridge_test'): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  // Unique across parallel test processes and reruns; lower case so it needs no quoting.
  const name = `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`.toLowerCase();
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid test database name ${name}`);
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | null = null;
  return {
    url: url.toString(),
    drop() {
      dropped ??= admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return dropped;
    },
  };
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${serverUrl.replace(/\/\/[^@]*@/, '//***@')} (${(err as Error).message}). ` +
        'Start PostgreSQL or set TEST_DATABASE_URL to a server where this user may create databases.',
      { cause: err },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
