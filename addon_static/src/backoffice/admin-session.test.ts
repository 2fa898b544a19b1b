import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdminSession, RENEW_BEFORE_EXPIRY_MS, type AdminSessionInfo } from './admin-session.ts';

function fakeOdoo(start = 1_000_000_000_000) {
  let now = start;
  let n = 0;
  const answers: unknown[] = [];
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    calls: () => n,
    queue: (...values: unknown[]) => answers.push(...values),
    fetch: async (): Promise<unknown> => {
      n += 1;
      await new Promise((r) => setTimeout(r, 1));
      if (answers.length) {
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return next;
      }
      return { token: `tok-${n}`, service_url: 'https://bridge.example.com', expires_at: Math.floor(now / 1000) + 600, scopes: ['read', 'refund'] } satisfies AdminSessionInfo;
    },
  };
}

describe('the admin session', () => {
  test('fetched once, shared, and renewed a minute before it expires', async () => {
    const odoo = fakeOdoo();
    const session = new AdminSession(odoo.fetch, odoo.now);
    const [a, b] = await Promise.all([session.current(), session.current()]);
    assert.equal(odoo.calls(), 1, 'concurrent callers share one request');
    assert.equal(a.token, 'tok-1');
    assert.equal(b.token, 'tok-1');
    assert.deepEqual(a.scopes, ['read', 'refund']);
    odoo.advance(600_000 - RENEW_BEFORE_EXPIRY_MS - 1000);
    assert.equal((await session.current()).token, 'tok-1', 'still more than a minute left');
    odoo.advance(2000);
    assert.equal((await session.current()).token, 'tok-2', 'renewed within the last minute');
    assert.equal(odoo.calls(), 2);
  });

  test('a refused token is forgotten once, even when several requests report it', async () => {
    const odoo = fakeOdoo();
    const session = new AdminSession(odoo.fetch, odoo.now);
    const first = await session.current();
    session.invalidate(first.token);
    const second = await session.current();
    assert.equal(second.token, 'tok-2');
    // A late 401 for the old token must not throw the new one away.
    session.invalidate(first.token);
    assert.equal((await session.current()).token, 'tok-2');
    assert.equal(odoo.calls(), 2);
  });

  test("Odoo's refusal reaches the caller, and the next call asks again", async () => {
    const odoo = fakeOdoo();
    odoo.queue(Object.assign(new Error('Only PayPal managers can use the PayPal Bridge back office.'), { data: { name: 'odoo.exceptions.AccessError' } }));
    const session = new AdminSession(odoo.fetch, odoo.now);
    await assert.rejects(session.current(), /Only PayPal managers/);
    assert.equal((await session.current()).token, 'tok-2');
  });

  test('an answer without a token or a service URL is an error that says to update the module', async () => {
    const odoo = fakeOdoo();
    for (const bad of [null, {}, { token: 'x', service_url: 'ftp://x', expires_at: 1, scopes: [] }, { token: '', service_url: 'https://x', expires_at: 1, scopes: [] }, { token: 'x', service_url: 'https://x', expires_at: '1', scopes: [] }]) {
      odoo.queue(bad);
      await assert.rejects(new AdminSession(odoo.fetch, odoo.now).current(), /update the paypal_bridge module/);
    }
  });
});
