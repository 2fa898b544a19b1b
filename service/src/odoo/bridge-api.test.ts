import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBridgeApi } from './bridge-api.ts';
import { OdooResultError } from './odoo-errors.ts';
import { startOdooHarness, type RpcReply } from './test-server.ts';

/** A TxInfo as the module's Python writes it: False for empty values, amounts as strings. */
function pythonTxInfo(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 42,
    reference: 'S00042',
    state: 'done',
    operation: 'online_redirect',
    amount: '10.00',
    currency: 'USD',
    provider_code: 'paypal',
    bridge_enabled: true,
    capture_manually: false,
    partner_id: 9,
    partner_name: 'Azure Interior',
    sale_order_ids: [17],
    sale_order_names: ['S00017'],
    invoice_ids: [],
    payment_id: 5,
    is_post_processed: true,
    source_reference: false,
    paypal_order_id: '5O190127TN364715T',
    paypal_capture_id: '3C679366HH908993F',
    paypal_authorization_id: false,
    paypal_authorization_expiry: false,
    paypal_refund_id: false,
    paypal_refund_status: 'none',
    paypal_payer_id: false,
    paypal_fee: '0.64',
    paypal_net_amount: '9.36',
    paypal_status_detail: false,
    paypal_needs_review: false,
    paypal_review_reason: false,
    refunded_amount: '0.00',
    captured_amount: '10.00',
    children: [{ reference: 'R-S00042', operation: 'refund', state: 'done', amount: '3.00', paypal_capture_id: false, paypal_refund_id: '1JU08902781691411' }],
    ...overrides,
  };
}

async function withApi(reply: (index: number) => RpcReply, fn: (api: ReturnType<typeof createBridgeApi>, requests: () => unknown[][]) => Promise<void>): Promise<void> {
  const harness = await startOdooHarness((_r, i) => reply(i));
  try {
    await fn(createBridgeApi(harness.client), () => harness.server.objectRequests().map((r) => r.args));
  } finally {
    await harness.close();
  }
}

describe('createBridgeApi', () => {
  test('applyPayment sends the keyword arguments of the contract and parses the TxInfo (False → null)', async () => {
    await withApi(
      () => ({ result: { result: 'applied', tx: pythonTxInfo() } }),
      async (api, requests) => {
        const answer = await api.applyPayment('S00042', 'done', { capture_id: '3C679366HH908993F', amount: '10.00', currency: 'USD', fee: undefined });
        assert.equal(answer.result, 'applied');
        assert.equal(answer.tx.paypal_capture_id, '3C679366HH908993F');
        assert.equal(answer.tx.source_reference, null);
        assert.equal(answer.tx.paypal_payer_id, null);
        assert.equal(answer.tx.payment_id, 5);
        assert.equal(answer.tx.children[0]?.paypal_capture_id, null);
        const [args] = requests();
        assert.deepEqual(args?.slice(3), [
          'payment.transaction',
          'paypal_bridge_apply_payment',
          [],
          { reference: 'S00042', state: 'done', values: { capture_id: '3C679366HH908993F', amount: '10.00', currency: 'USD' } },
        ]);
      },
    );
  });

  test('registerCapture, registerRefund, upsertDispute, flagReview and ping call their entry points with the contract\'s names', async () => {
    const replies: RpcReply[] = [
      { result: { result: 'applied', tx: pythonTxInfo() } },
      { result: { result: 'applied', tx: pythonTxInfo({ operation: 'refund', amount: '3.00' }) } },
      { result: { result: 'created', dispute_id: 'PP-D-1', id: 3 } },
      { result: { result: 'unchanged', tx: pythonTxInfo() } },
      { result: { ok: true, module_version: '18.0.1.0.0', uid: 7, db: 'testdb', company_currency: 'USD' } },
    ];
    await withApi(
      (i) => replies[i] ?? {},
      async (api, requests) => {
        await api.registerCapture({ sourceReference: 'S1', captureId: 'C1', amount: '4.00', currency: 'USD', status: 'COMPLETED', values: { fee: '0.20' } });
        const refund = await api.registerRefund({ sourceReference: 'S1', refundId: 'R1', amount: '3.00', currency: 'USD', status: 'COMPLETED' });
        assert.equal(refund.tx.operation, 'refund');
        assert.deepEqual(await api.upsertDispute({ dispute_id: 'PP-D-1', status: 'OPEN' }), { result: 'created', dispute_id: 'PP-D-1', id: 3 });
        assert.equal((await api.flagReview('S1', 'why')).result, 'unchanged');
        assert.equal((await api.ping()).uid, 7);
        const sent = requests().map((args) => [args[4], args[6]]);
        assert.deepEqual(sent, [
          ['paypal_bridge_register_capture', { source_reference: 'S1', capture_id: 'C1', amount: '4.00', currency: 'USD', status: 'COMPLETED', values: { fee: '0.20' } }],
          ['paypal_bridge_register_refund', { source_reference: 'S1', refund_id: 'R1', amount: '3.00', currency: 'USD', status: 'COMPLETED', kind: 'refund', values: {} }],
          ['paypal_bridge_upsert_dispute', { values: { dispute_id: 'PP-D-1', status: 'OPEN' } }],
          ['paypal_bridge_flag_review', { reference: 'S1', reason: 'why' }],
          ['paypal_bridge_ping', {}],
        ]);
      },
    );
  });

  test('find answers null for false, and sends only the criteria given', async () => {
    await withApi(
      () => ({ result: false }),
      async (api, requests) => {
        assert.equal(await api.find({ capture_id: 'C1', reference: undefined }), null);
        assert.deepEqual(requests()[0]?.[6], { capture_id: 'C1' });
      },
    );
  });

  test('find without criteria throws before calling Odoo', async () => {
    await withApi(
      () => ({ result: false }),
      async (api, requests) => {
        await assert.rejects(api.find({}), TypeError);
        assert.equal(requests().length, 0);
      },
    );
  });

  test('a float amount, a negative amount or an unknown state breaks the contract: OdooResultError, retryable', async () => {
    const broken = [pythonTxInfo({ amount: 10 }), pythonTxInfo({ refunded_amount: '-3.00' }), pythonTxInfo({ state: 'paid' })];
    for (const tx of broken) {
      await withApi(
        () => ({ result: { result: 'applied', tx } }),
        async (api) => {
          await assert.rejects(api.applyPayment('S1', 'done'), (err: unknown) => {
            assert.ok(err instanceof OdooResultError);
            assert.equal(err.retryable, true);
            assert.equal(err.call, 'payment.transaction.paypal_bridge_apply_payment');
            assert.match(err.message, /paypal_bridge module/);
            assert.ok(err.issues.length > 0);
            return true;
          });
        },
      );
    }
  });

  test('an unknown result kind is refused too', async () => {
    await withApi(
      () => ({ result: { result: 'flagged', tx: pythonTxInfo() } }),
      async (api) => {
        await assert.rejects(api.flagReview('S1', 'r'), OdooResultError);
      },
    );
  });
});
