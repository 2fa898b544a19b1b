import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { startPayPalSimulator, type PayPalSimulator, type PayPalSimulatorOptions } from './index.ts';
import { orderRequest, simClient, type SimClient } from './test-support.ts';

async function setup(t: TestContext, options: PayPalSimulatorOptions = {}): Promise<{ sim: PayPalSimulator; client: SimClient }> {
  const sim = await startPayPalSimulator(options);
  t.after(() => sim.close());
  return { sim, client: simClient(sim) };
}

async function capturedPayment(sim: PayPalSimulator, client: SimClient, value: string, customId: string): Promise<string> {
  const created = await client.call('POST', '/v2/checkout/orders', orderRequest(value, 'USD', 'CAPTURE', { custom_id: customId }));
  await sim.approveOrder(created.body.id);
  const captured = await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`);
  return captured.body.purchase_units[0].payments.captures[0].id as string;
}

function search(client: SimClient, params: Record<string, string>) {
  return client.call('GET', `/v1/reporting/transactions?${new URLSearchParams(params)}`);
}

const hourAgo = () => new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('Transaction Search over the payments the simulator has seen', () => {
  test('captures (T0006, fee negative), refunds (T1107, fee given back), reversals and dispute holds', async (t) => {
    const { sim, client } = await setup(t);
    const paid = await capturedPayment(sim, client, '100.00', 'REF-PAID');
    const refunded = await capturedPayment(sim, client, '50.00', 'REF-REFUNDED');
    const disputed = await capturedPayment(sim, client, '20.00', 'REF-DISPUTED');
    const refund = await sim.refundFromDashboard(refunded, '10.00');
    const dispute = await sim.createDispute(disputed);
    await sim.resolveDispute(String(dispute['dispute_id']), 'RESOLVED_BUYER_FAVOUR');

    const answer = await search(client, { start_date: hourAgo(), end_date: inAnHour(), fields: 'all', page_size: '500' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const infos = (answer.body.transaction_details as { transaction_info: Record<string, any> }[]).map((d) => d.transaction_info);
    const byId = new Map(infos.map((i) => [`${i['transaction_id']}/${i['transaction_event_code']}`, i]));

    const capture = byId.get(`${paid}/T0006`);
    assert.ok(capture, 'the capture is reported');
    assert.deepEqual(capture['transaction_amount'], { currency_code: 'USD', value: '100.00' });
    assert.deepEqual(capture['fee_amount'], { currency_code: 'USD', value: '-3.98' }, '3.49 % + 0.49');
    assert.equal(capture['transaction_status'], 'S');
    assert.equal(capture['custom_field'], 'REF-PAID');
    assert.equal(capture['paypal_reference_id_type'], 'ODR');

    const refundInfo = byId.get(`${String(refund['id'])}/T1107`);
    assert.ok(refundInfo, 'the refund is reported');
    assert.deepEqual(refundInfo['transaction_amount'], { currency_code: 'USD', value: '-10.00' });
    assert.equal(refundInfo['paypal_reference_id'], refunded, 'a refund names the capture it refunds');
    assert.equal(Number(refundInfo['fee_amount'].value) > 0, true, 'the refunded share of the fee comes back');

    const reversal = infos.find((i) => i['transaction_event_code'] === 'T1201');
    assert.ok(reversal, 'a dispute lost is a chargeback');
    assert.equal(reversal['paypal_reference_id'], disputed);
    assert.deepEqual(reversal['transaction_amount'], { currency_code: 'USD', value: '-20.00' });
    const hold = infos.find((i) => i['transaction_event_code'] === 'T1110');
    const release = infos.find((i) => i['transaction_event_code'] === 'T1111');
    assert.deepEqual([hold?.['transaction_amount'].value, release?.['transaction_amount'].value], ['-20.00', '20.00']);
    assert.equal(byId.get(`${disputed}/T0006`)?.['transaction_status'], 'V', 'a fully reversed capture reads V');

    assert.equal(answer.body.total_items, infos.length);
    assert.ok(answer.body.last_refreshed_datetime);
    assert.deepEqual(sim.violations, [], 'every answer matches the Transaction Search document');
  });

  test('balances are what the reported records that moved money add up to, per currency', async (t) => {
    const { sim, client } = await setup(t);
    const empty = await client.call('GET', '/v1/reporting/balances');
    assert.equal(empty.status, 200, JSON.stringify(empty.body));
    assert.deepEqual(empty.body.balances, []);
    await capturedPayment(sim, client, '100.00', 'BAL-1');
    const refunded = await capturedPayment(sim, client, '50.00', 'BAL-2');
    await sim.refundFromDashboard(refunded, '10.00');
    const answer = await search(client, { start_date: hourAgo(), end_date: inAnHour(), fields: 'all', page_size: '500' });
    const infos = (answer.body.transaction_details as { transaction_info: Record<string, any> }[]).map((d) => d.transaction_info);
    const cents = infos.reduce((sum, i) => sum + Math.round(Number(i['transaction_amount'].value) * 100) + Math.round(Number(i['fee_amount']?.value ?? 0) * 100), 0);
    const balances = await client.call('GET', '/v1/reporting/balances?currency_code=USD');
    assert.equal(balances.status, 200);
    assert.deepEqual(balances.body.balances, [
      { currency: 'USD', primary: true, total_balance: { currency_code: 'USD', value: (cents / 100).toFixed(2) }, available_balance: { currency_code: 'USD', value: (cents / 100).toFixed(2) }, withheld_balance: { currency_code: 'USD', value: '0.00' } },
    ]);
    assert.equal((await client.call('GET', '/v1/reporting/balances?currency_code=EUR')).body.balances.length, 0);
    assert.deepEqual(sim.violations, [], 'every answer matches the Transaction Search document');
  });

  test('pending captures carry no fee yet; filters by type, status and id', async (t) => {
    const { sim, client } = await setup(t);
    const created = await client.call('POST', '/v2/checkout/orders', orderRequest('30.00'));
    await sim.approveOrder(created.body.id, { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
    const captured = await client.call('POST', `/v2/checkout/orders/${created.body.id}/capture`);
    const captureId = captured.body.purchase_units[0].payments.captures[0].id as string;
    await capturedPayment(sim, client, '40.00', 'OTHER');

    const pending = await search(client, { start_date: hourAgo(), end_date: inAnHour(), transaction_status: 'P' });
    const infos = pending.body.transaction_details.map((d: { transaction_info: unknown }) => d.transaction_info);
    assert.equal(infos.length, 1);
    assert.equal(infos[0].transaction_id, captureId);
    assert.equal(infos[0].fee_amount, undefined);
    const byId = await search(client, { start_date: hourAgo(), end_date: inAnHour(), transaction_id: captureId });
    assert.equal(byId.body.total_items, 1);
    const refunds = await search(client, { start_date: hourAgo(), end_date: inAnHour(), transaction_type: 'T1107' });
    assert.equal(refunds.body.total_items, 0);
    assert.equal(refunds.body.transaction_details, undefined, 'an empty page carries no transaction_details (minItems 1)');
    assert.deepEqual(sim.violations, []);
  });
});

describe('PayPal rules', () => {
  test('more than 31 days is 400 "Date range is greater than 31 days"; exactly 31 days is fine', async (t) => {
    const { client, sim } = await setup(t);
    const tooLong = await search(client, { start_date: '2026-01-01T00:00:00Z', end_date: '2026-02-01T00:00:01Z' });
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.name, 'INVALID_REQUEST');
    assert.equal(tooLong.body.details[0].issue, 'Date range is greater than 31 days');
    assert.equal(tooLong.body.details[0].field, 'end_date');
    const exactly = await search(client, { start_date: '2026-01-01T00:00:00Z', end_date: '2026-02-01T00:00:00Z' });
    assert.equal(exactly.status, 200);
    assert.deepEqual(sim.violations, []);
  });

  test('page_size over 500 and page 0 are refused by the document', async (t) => {
    const { client } = await setup(t);
    assert.equal((await search(client, { start_date: hourAgo(), end_date: inAnHour(), page_size: '501' })).status, 400);
    assert.equal((await search(client, { start_date: hourAgo(), end_date: inAnHour(), page: '0' })).status, 400);
    assert.equal((await search(client, { start_date: 'yesterday', end_date: inAnHour() })).status, 400);
  });

  test('data stops at last_refreshed_datetime; a start after it is "Data for the given start date is not available."', async (t) => {
    const { sim, client } = await setup(t, { reportingDelaySeconds: 3 * 3600 });
    await capturedPayment(sim, client, '10.00', 'TOO-RECENT');
    const refreshed = sim.reporting.lastRefreshed();
    assert.ok(Date.now() - refreshed.getTime() >= 3 * 3600_000 - 1000);

    const recent = await search(client, { start_date: new Date(refreshed.getTime() - 3600_000).toISOString(), end_date: inAnHour() });
    assert.equal(recent.status, 200);
    assert.equal(recent.body.total_items, 0, 'the capture of a minute ago is not in the report yet');
    assert.equal(Date.parse(recent.body.end_date), refreshed.getTime(), 'end_date says where the data ends');

    const future = await search(client, { start_date: hourAgo(), end_date: inAnHour() });
    assert.equal(future.status, 400);
    assert.equal(future.body.details[0].issue, 'Data for the given start date is not available.');

    sim.reporting.setDelaySeconds(0);
    assert.equal((await search(client, { start_date: hourAgo(), end_date: inAnHour() })).body.total_items, 1);
    assert.deepEqual(sim.violations, []);
  });
});

describe('seeding for tests and benchmarks', () => {
  test('seedRecords adds exactly n records, captures with their refunds, paged in date order', async (t) => {
    const { sim, client } = await setup(t);
    const from = new Date('2026-10-01T00:00:00Z');
    const to = new Date('2026-11-01T00:00:00Z');
    const payments = sim.reporting.seedRecords(1203, { from, to, refundEvery: 4 });
    const refunds = payments.filter((p) => p.refund).length;
    assert.equal(payments.length + refunds, 1203);

    const seen: string[] = [];
    let last = '';
    for (let page = 1; page <= 3; page++) {
      const answer = await search(client, { start_date: '2026-10-01T00:00:00Z', end_date: '2026-10-31T23:59:59Z', page_size: '500', page: String(page) });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.total_items, 1203);
      assert.equal(answer.body.total_pages, 3);
      for (const d of answer.body.transaction_details) {
        const info = d.transaction_info;
        assert.ok(info.transaction_initiation_date >= last, 'records come in date order');
        last = info.transaction_initiation_date;
        seen.push(`${info.transaction_id}/${info.transaction_event_code}`);
      }
    }
    assert.equal(new Set(seen).size, 1203, 'every record once over the pages');
    const first = payments[0];
    assert.ok(first);
    assert.ok(seen.includes(`${first.captureId}/T0006`));
    const beyond = await search(client, { start_date: '2026-10-01T00:00:00Z', end_date: '2026-10-31T23:59:59Z', page_size: '500', page: '4' });
    assert.equal(beyond.body.transaction_details, undefined);
    assert.deepEqual(sim.violations, []);
  });

  test('addRecords plants any record, and both ends of the range are inclusive', async (t) => {
    const { sim, client } = await setup(t);
    const at = Date.parse('2026-10-05T12:00:00Z');
    sim.reporting.addRecords([
      { transactionId: 'PLANTED0000000001', eventCode: 'T0006', status: 'S', currency: 'EUR', amountMinor: 1234n, feeMinor: -56n, customField: 'X-1', initiatedMs: at, updatedMs: at, balanceAffecting: true },
    ]);
    const edge = await search(client, { start_date: '2026-10-05T12:00:00Z', end_date: '2026-10-05T12:00:00Z' });
    assert.equal(edge.body.total_items, 1);
    assert.deepEqual(edge.body.transaction_details[0].transaction_info.transaction_amount, { currency_code: 'EUR', value: '12.34' });
    assert.equal((await search(client, { start_date: '2026-10-05T12:00:01Z', end_date: '2026-10-06T00:00:00Z' })).body.total_items, 0);
    assert.deepEqual(sim.violations, []);
  });
});
