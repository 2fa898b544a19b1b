import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdminServiceError, createAdminApi } from './admin-api.ts';
import { AdminSession } from './admin-session.ts';
import { createReconcileApi } from './reconcile-api.ts';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A service answering from a script: one Response per request, in order. */
function fakeService(answers: (() => Response)[]) {
  const sent: Sent[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), method: init?.method ?? 'GET', headers: init?.headers as Record<string, string>, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const next = answers.shift();
    if (!next) throw new TypeError('Failed to fetch');
    return next();
  }) as typeof fetch;
  return { sent, fetch: fetchFn };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const csv = (text: string) => () => new Response(text, { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' } });

function api(answers: (() => Response)[]) {
  let n = 0;
  const session = new AdminSession(async () => ({ token: `tok-${++n}`, service_url: 'https://bridge.example.com', expires_at: Math.floor(Date.now() / 1000) + 600, scopes: [] }));
  const service = fakeService(answers);
  return { service, reconcile: createReconcileApi(createAdminApi(session, { fetch: service.fetch })) };
}

describe('the reconciliation API client', () => {
  test('runs, a start with the UTC day bounds, a filtered page of discrepancies, a repair', async () => {
    const { service, reconcile } = api([
      json(200, { runs: [{ id: 3 }] }),
      json(202, { run: { id: 4 } }),
      json(200, { run: { id: 4 }, discrepancies: [{ id: 9 }], next_after: 9 }),
      json(200, { run: { id: 4 }, discrepancies: [], next_after: null }),
      json(200, { attempted: true, discrepancy: { id: 9, status: 'repaired' } }),
    ]);
    assert.deepEqual(await reconcile.runs(), [{ id: 3 }]);
    assert.deepEqual(await reconcile.start('2026-10-01', '2026-11-01'), { id: 4 });
    assert.equal((await reconcile.discrepancies(4, { status: 'open', kind: 'fee_missing', limit: 200 })).next_after, 9);
    await reconcile.discrepancies(4, { status: '', kind: '', after: 9 });
    assert.equal((await reconcile.repair(9)).discrepancy.status, 'repaired');
    assert.deepEqual(
      service.sent.map((s) => [s.method, s.url, s.body]),
      [
        ['GET', 'https://bridge.example.com/v1/admin/reconcile/runs?limit=20', undefined],
        ['POST', 'https://bridge.example.com/v1/admin/reconcile/runs', { from: '2026-10-01', to: '2026-11-01' }],
        ['GET', 'https://bridge.example.com/v1/admin/reconcile/runs/4/discrepancies?status=open&kind=fee_missing&limit=200', undefined],
        ['GET', 'https://bridge.example.com/v1/admin/reconcile/runs/4/discrepancies?after=9', undefined],
        ['POST', 'https://bridge.example.com/v1/admin/reconcile/discrepancies/9/repair', {}],
      ],
    );
  });

  test('the CSV comes with the token in the Authorization header, never in the URL; a refused token is renewed once', async () => {
    const { service, reconcile } = api([json(401, { error: 'TOKEN_INVALID', message: 'token signature is invalid' }), csv('run_id,discrepancy_id\r\n4,9\r\n')]);
    const blob = await reconcile.csv(4);
    assert.equal(await blob.text(), 'run_id,discrepancy_id\r\n4,9\r\n');
    assert.deepEqual(service.sent.map((s) => s.url), ['https://bridge.example.com/v1/admin/reconcile/runs/4/csv', 'https://bridge.example.com/v1/admin/reconcile/runs/4/csv']);
    assert.deepEqual(service.sent.map((s) => s.headers['Authorization']), ['Bearer tok-1', 'Bearer tok-2']);
    assert.ok(service.sent.every((s) => !s.url.includes('tok-')));
  });

  test("a CSV the service refuses is the service's error, not a file", async () => {
    const { reconcile } = api([json(404, { error: 'RUN_NOT_FOUND', message: 'no reconciliation run 77' })]);
    const err = await reconcile.csv(77).catch((e: unknown) => e);
    assert.ok(err instanceof AdminServiceError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'RUN_NOT_FOUND');
    assert.equal(err.message, 'no reconciliation run 77');
  });

  test('a repair refused for a missing scope keeps the code', async () => {
    const { reconcile } = api([json(403, { error: 'TOKEN_SCOPE_MISSING', message: 'this token lacks the sync scope' })]);
    const err = await reconcile.repair(1).catch((e: unknown) => e);
    assert.ok(err instanceof AdminServiceError);
    assert.equal(err.code, 'TOKEN_SCOPE_MISSING');
    assert.equal(err.outcomeUnknown, false);
  });
});
