import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bearerToken, issueToken, verifyToken } from './bridge-token.ts';

const SECRET = 'pbt1-test-vector-secret-0123456789abcdef';

/** The test vectors the Odoo module's Python tests also check (odoo_addon/README.md). */
function readVectors(): Array<{ payload: string; token: string }> {
  const readme = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../odoo_addon/README.md'), 'utf8');
  return [...readme.matchAll(/^\| `(\{.+\})` \| `(pbt1\.[^`]+)` \|$/gm)].map((m) => ({ payload: m[1]!, token: m[2]! }));
}

describe('bridge tokens', () => {
  const vectors = readVectors();

  test('the shared test vectors are found', () => {
    assert.equal(vectors.length, 3);
  });

  for (const v of vectors) {
    test(`issues and verifies exactly the token Odoo issues for ${v.payload.slice(0, 40)}…`, () => {
      const payload = JSON.parse(v.payload);
      assert.equal(issueToken(SECRET, payload), v.token);
      const result = verifyToken(SECRET, v.token, { types: ['checkout', 'server', 'admin'], now: new Date(payload.iat * 1000) });
      assert.deepEqual(result, { ok: true, payload });
    });
  }

  test('refuses expired, forged, tampered, wrong-type and wrong-database tokens', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const iat = Math.floor(now.getTime() / 1000);
    const token = issueToken(SECRET, { typ: 'checkout', sub: 4, db: 'odoo18', scp: ['checkout'], ref: 'S1-1', iat, exp: iat + 3600 });
    const check = (t: string | undefined, opts: Partial<Parameters<typeof verifyToken>[2]> = {}) => {
      const r = verifyToken(SECRET, t, { types: ['checkout'], db: 'odoo18', now, ...opts });
      return r.ok ? 'ok' : r.failure;
    };
    assert.equal(check(token), 'ok');
    assert.equal(check(token, { now: new Date((iat + 3600) * 1000) }), 'EXPIRED');
    assert.equal(check(issueToken('another-secret-another-secret-xxxxxx', JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()))), 'BAD_SIGNATURE');
    const [p, payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), ref: 'S2-1' })).toString('base64url');
    assert.equal(check(`${p}.${forged}.${sig}`), 'BAD_SIGNATURE');
    assert.equal(check(token, { types: ['admin'] }), 'WRONG_TYPE');
    assert.equal(check(token, { db: 'other' }), 'WRONG_DATABASE');
    assert.equal(check(undefined), 'MISSING');
    assert.equal(check('pbt1.abc'), 'MALFORMED');
    assert.equal(check(`pbt2.${payload}.${sig}`), 'MALFORMED');
  });

  test('reads bearer tokens', () => {
    assert.equal(bearerToken('Bearer pbt1.a.b'), 'pbt1.a.b');
    assert.equal(bearerToken('bearer  pbt1.a.b '), 'pbt1.a.b');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
});
