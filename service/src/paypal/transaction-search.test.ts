// searchTransactions against the PayPal simulator, which checks every request against PayPal's
// Transaction Search document and answers as PayPal does.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { startPayPalSimulator, type PayPalSimulator } from '../../sim/paypal/index.ts';
import { createMemoryLogger } from '../shared/logger.ts';
import { createPayPalClient, type PayPalClient } from './paypal-client.ts';
import { PayPalApiError, PayPalRequestError } from './paypal-errors.ts';
import { isReportingDataUnavailable } from './transaction-search.ts';

async function setup(t: TestContext, delaySeconds = 0): Promise<{ sim: PayPalSimulator; client: PayPalClient; sleeps: number[] }> {
  const sim = await startPayPalSimulator({ reportingDelaySeconds: delaySeconds });
  t.after(() => sim.close());
  const sleeps: number[] = [];
  const client = createPayPalClient({
    apiBase: sim.apiBase,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    logger: createMemoryLogger('error'),
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { sim, client, sleeps };
}

const october = { startDate: new Date('2026-10-01T00:00:00Z'), endDate: new Date('2026-10-31T23:59:59Z') };

describe('searchTransactions', () => {
  test('sends the documented query and reads every page', async (t) => {
    const { sim, client } = await setup(t);
    sim.reporting.seedRecords(750, { from: october.startDate, to: new Date('2026-11-01T00:00:00Z') });
    const first = await client.searchTransactions({ ...october, fields: 'transaction_info,payer_info' });
    assert.equal(first.total_items, 750);
    assert.equal(first.total_pages, 2);
    assert.equal(first.transaction_details?.length, 500);
    const second = await client.searchTransactions({ ...october, page: 2 });
    assert.equal(second.transaction_details?.length, 250);
    assert.ok(second.last_refreshed_datetime);

    const request = sim.requests.find((r) => r.path.startsWith('/v1/reporting/transactions'));
    assert.ok(request);
    const query = new URL(request.path, sim.apiBase).searchParams;
    assert.deepEqual(Object.fromEntries(query), {
      start_date: '2026-10-01T00:00:00Z',
      end_date: '2026-10-31T23:59:59Z',
      fields: 'transaction_info,payer_info',
      balance_affecting_records_only: 'Y',
      page_size: '500',
      page: '1',
    });
    assert.deepEqual(sim.violations, [], 'requests and answers match the document');
  });

  test('refuses what PayPal would refuse before sending anything', async (t) => {
    const { sim, client } = await setup(t);
    await assert.rejects(client.searchTransactions({ startDate: new Date('2026-10-01T00:00:00Z'), endDate: new Date('2026-11-01T00:00:01Z') }), (err) => {
      assert.ok(err instanceof PayPalRequestError);
      assert.match(err.message, /31-day maximum; split the range/);
      return true;
    });
    await assert.rejects(client.searchTransactions({ ...october, pageSize: 501 }), PayPalRequestError);
    await assert.rejects(client.searchTransactions({ ...october, page: 0 }), PayPalRequestError);
    await assert.rejects(client.searchTransactions({ startDate: october.endDate, endDate: october.startDate }), PayPalRequestError);
    assert.equal(sim.requests.filter((r) => r.path.startsWith('/v1/reporting')).length, 0);
  });

  test('"Data for the given start date is not available." is recognisable', async (t) => {
    const { client } = await setup(t, 6 * 3600);
    const now = Date.now();
    const err = await client.searchTransactions({ startDate: new Date(now - 3600_000), endDate: new Date(now) }).catch((e: unknown) => e);
    assert.ok(err instanceof PayPalApiError);
    assert.equal(err.status, 400);
    assert.equal(isReportingDataUnavailable(err), true);
    const other = new PayPalApiError({ operation: 'search.get', status: 400, paypalName: 'INVALID_REQUEST', paypalMessage: 'Request is not well-formed', retryable: false });
    assert.equal(isReportingDataUnavailable(other), false);
    // The wording PayPal itself uses: in the message, not in details.
    const live = new PayPalApiError({ operation: 'search.get', status: 400, paypalName: 'INVALID_REQUEST', paypalMessage: 'Data for the given start date is not available.', retryable: false });
    assert.equal(isReportingDataUnavailable(live), true);
  });

  test('429 and 503 are retried, honouring Retry-After', async (t) => {
    const { sim, client, sleeps } = await setup(t);
    sim.faults.add({ path: '/v1/reporting/transactions', status: 429, retryAfterSeconds: 2 });
    sim.faults.add({ path: '/v1/reporting/transactions', status: 503 });
    const page = await client.searchTransactions(october);
    assert.equal(page.total_items, 0);
    assert.equal(sleeps.length, 2);
    assert.ok((sleeps[0] ?? 0) >= 2000, 'waited at least what Retry-After asked');
  });
});
