// The paypal_bridge RPC contract (odoo_addon/README.md), as one suite that runs against any target
// speaking Odoo's /jsonrpc: the simulator (always) and a real Odoo 18 with the module (when
// ODOO_URL is set). The service side is the production client (createOdooClient +
// createBridgeApi) logged in as the technical user; what Odoo did is read back through an
// administrator's JSON-RPC connection, the way an accountant would see it.
//
// Each test makes its own sale order + transaction, and every PayPal id carries a per-run prefix:
// on a real database the unique indexes on capture and refund ids outlive the run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createBridgeApi, type ApplyState, type BridgeApi, type TxInfo, type TxState } from '../../src/odoo/bridge-api.ts';
import { createOdooClient, type OdooClient } from '../../src/odoo/json-rpc-client.ts';
import { OdooAccessError, OdooMissingError, OdooValidationError } from '../../src/odoo/odoo-errors.ts';
import { createLogger } from '../../src/shared/logger.ts';

export interface Credentials {
  login: string;
  /** A password or an API key. */
  secret: string;
}

export interface ContractFixtureInput {
  /** A decimal string in the company currency (USD on both targets). */
  amount: string;
  /** Sets the PayPal provider's "Capture Amount Manually" before creating the transaction. */
  captureManually?: boolean;
  /** Reuse this customer instead of creating a new one. */
  partnerId?: number;
}

export interface ContractFixture {
  reference: string;
  saleOrderId: number;
  txId: number;
  partnerId: number;
}

export interface ContractTarget {
  url: string;
  db: string;
  /** The technical user (group paypal_bridge.group_paypal_bridge_service). */
  service: Credentials;
  /** An internal user without the service group. */
  otherUser: Credentials;
  /** An administrator's connection, for reads. */
  admin: OdooClient;
  createSaleOrderWithTransaction(input: ContractFixtureInput): Promise<ContractFixture>;
  close(): Promise<void>;
}

const silent = createLogger({ level: 'silent' });

export function clientFor(target: Pick<ContractTarget, 'url' | 'db'>, who: Credentials): OdooClient {
  return createOdooClient({ url: target.url, db: target.db, login: who.login, apiKey: who.secret, logger: silent, timeoutMs: 60_000 });
}

// --- reads as the administrator -----------------------------------------------------------------

interface PaymentRow {
  id: number;
  amount: number;
  payment_type: string;
  state: string;
}

/** account.payment of a transaction. Odoo 18 has no "posted" state: a posted payment is in_process or paid. */
async function paymentsOf(admin: OdooClient, txId: number): Promise<PaymentRow[]> {
  return admin.call<PaymentRow[]>('account.payment', 'search_read', [[['payment_transaction_id', '=', txId]]], { fields: ['amount', 'payment_type', 'state'] });
}

const POSTED = ['in_process', 'paid'];

async function orderState(admin: OdooClient, orderId: number): Promise<string> {
  const [row] = await admin.call<{ state: string }[]>('sale.order', 'read', [[orderId]], { fields: ['state'] });
  assert.ok(row, `sale.order ${orderId} not found`);
  return row.state;
}

async function partnerPayer(admin: OdooClient, partnerId: number): Promise<string | false> {
  const [row] = await admin.call<{ paypal_payer_id: string | false }[]>('res.partner', 'read', [[partnerId]], { fields: ['paypal_payer_id'] });
  assert.ok(row, `res.partner ${partnerId} not found`);
  return row.paypal_payer_id;
}

interface DisputeRow {
  dispute_id: string;
  status: string | false;
  transaction_id: [number, string] | false;
  user_id: [number, string] | false;
}

async function readDispute(admin: OdooClient, id: number): Promise<DisputeRow> {
  const [row] = await admin.call<DisputeRow[]>('paypal.dispute', 'read', [[id]], { fields: ['dispute_id', 'status', 'transaction_id', 'user_id'] });
  assert.ok(row, `paypal.dispute ${id} not found`);
  return row;
}

async function activitiesOf(admin: OdooClient, model: string, id: number) {
  return admin.call<{ id: number; user_id: [number, string] | false; date_deadline: string; summary: string | false }[]>(
    'mail.activity',
    'search_read',
    [[['res_model', '=', model], ['res_id', '=', id]]],
    { fields: ['user_id', 'date_deadline', 'summary'] },
  );
}

async function salesperson(admin: OdooClient, orderId: number): Promise<number | false> {
  const [row] = await admin.call<{ user_id: [number, string] | false }[]>('sale.order', 'read', [[orderId]], { fields: ['user_id'] });
  return row?.user_id ? row.user_id[0] : false;
}

// --- the suite ----------------------------------------------------------------------------------

export function odooBridgeContract(label: string, setup: () => Promise<ContractTarget>): void {
  const run = randomBytes(4).toString('hex').toUpperCase();
  let counter = 0;
  /** A PayPal-like id unique to this run: capture and refund ids are unique in Odoo for ever. */
  const pid = (kind: string) => `${kind}${run}${String(++counter).padStart(4, '0')}`;

  let target: ContractTarget;
  let service: OdooClient;
  let api: BridgeApi;
  let admin: OdooClient;

  const fixture = (amount = '10.00', extra: Omit<ContractFixtureInput, 'amount'> = {}) => target.createSaleOrderWithTransaction({ amount, ...extra });

  /** A transaction paid in full: done with a capture. */
  async function paid(amount = '10.00') {
    const f = await fixture(amount);
    const captureId = pid('CAP');
    const applied = await api.applyPayment(f.reference, 'done', { capture_id: captureId, amount, currency: 'USD' });
    assert.equal(applied.tx.state, 'done');
    return { ...f, captureId };
  }

  describe(`paypal_bridge RPC contract against ${label}`, () => {
    before(async () => {
      target = await setup();
      service = clientFor(target, target.service);
      api = createBridgeApi(service);
      admin = target.admin;
    });
    after(async () => {
      await target?.close();
    });

    test('ping answers the module version, the technical user, the database and the company currency', async () => {
      const ping = await api.ping();
      assert.equal(ping.ok, true);
      assert.match(ping.module_version, /^18\.0\./);
      assert.equal(ping.uid, service.uid);
      assert.equal(ping.db, target.db);
      assert.equal(ping.company_currency, 'USD');
    });

    test('find matches by reference, order id, authorization id, capture id and refund id; false when nothing matches', async () => {
      const f = await fixture('10.00', { captureManually: true });
      const orderId = pid('ORD');
      const authorizationId = pid('AUT');
      const authorized = await api.applyPayment(f.reference, 'authorized', {
        paypal_order_id: orderId,
        authorization_id: authorizationId,
        authorization_expiry: '2030-01-31T12:00:00Z',
      });
      assert.equal(authorized.result, 'applied');
      assert.equal(authorized.tx.state, 'authorized');
      assert.equal(authorized.tx.paypal_authorization_expiry, '2030-01-31T12:00:00Z');
      assert.equal((await api.find({ reference: f.reference }))?.id, f.txId);
      assert.equal((await api.find({ paypal_order_id: orderId }))?.id, f.txId);
      assert.equal((await api.find({ authorization_id: authorizationId }))?.id, f.txId);

      const captureId = pid('CAP');
      const captured = await api.registerCapture({ sourceReference: f.reference, captureId, amount: '10.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(captured.result, 'applied');
      assert.equal(captured.tx.id, f.txId, 'a full capture is booked on the transaction itself');
      assert.equal((await api.find({ capture_id: captureId }))?.id, f.txId);

      const refundId = pid('REF');
      const refund = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '2.00', currency: 'USD', status: 'COMPLETED' });
      const found = await api.find({ refund_id: refundId });
      assert.equal(found?.id, refund.tx.id);
      assert.equal(found?.operation, 'refund');
      assert.equal(found?.source_reference, f.reference);

      // The capture id wins over a reference that names another transaction.
      const other = await fixture();
      assert.equal((await api.find({ capture_id: captureId, reference: other.reference }))?.id, f.txId);
      assert.equal(await api.find({ reference: `NO-SUCH-${run}` }), null);
      assert.equal(await api.find({ capture_id: pid('CAP') }), null);
    });

    test('find without any criterion is a ValidationError', async () => {
      await assert.rejects(service.call('payment.transaction', 'paypal_bridge_find', [], {}), OdooValidationError);
    });

    test('done posts an inbound payment, confirms the sale order and stores PayPal\'s values; applying it again changes nothing', async () => {
      const f = await fixture('10.00');
      const captureId = pid('CAP');
      const first = await api.applyPayment(f.reference, 'done', {
        paypal_order_id: pid('ORD'),
        capture_id: captureId,
        amount: '10.00',
        currency: 'USD',
        fee: '0.64',
        net: '9.36',
        event_id: pid('WH'),
      });
      assert.equal(first.result, 'applied');
      const tx: TxInfo = first.tx;
      assert.equal(tx.state, 'done');
      assert.equal(tx.amount, '10.00');
      assert.equal(tx.currency, 'USD');
      assert.equal(tx.paypal_capture_id, captureId);
      assert.equal(tx.paypal_fee, '0.64');
      assert.equal(tx.paypal_net_amount, '9.36');
      assert.equal(tx.captured_amount, '10.00');
      assert.equal(tx.is_post_processed, true);
      assert.deepEqual(tx.sale_order_ids, [f.saleOrderId]);
      assert.equal(tx.paypal_needs_review, false);
      assert.ok(tx.payment_id, 'the transaction is linked to its payment');

      const payments = await paymentsOf(admin, f.txId);
      assert.equal(payments.length, 1);
      assert.equal(payments[0]?.id, tx.payment_id);
      assert.equal(payments[0]?.payment_type, 'inbound');
      assert.equal(payments[0]?.amount, 10);
      assert.ok(POSTED.includes(payments[0]?.state ?? ''), `payment state ${payments[0]?.state} is not posted`);
      assert.equal(await orderState(admin, f.saleOrderId), 'sale');

      const again = await api.applyPayment(f.reference, 'done', { capture_id: captureId, amount: '10.00', currency: 'USD', fee: '0.64', net: '9.36' });
      assert.equal(again.result, 'unchanged');
      assert.equal((await paymentsOf(admin, f.txId)).length, 1);
    });

    test('pending keeps PayPal\'s reason and marks the quotation sent; done then clears the reason and confirms', async () => {
      const f = await fixture();
      const pending = await api.applyPayment(f.reference, 'pending', { paypal_order_id: pid('ORD'), status_detail: 'PENDING_REVIEW' });
      assert.equal(pending.result, 'applied');
      assert.equal(pending.tx.state, 'pending');
      assert.equal(pending.tx.paypal_status_detail, 'PENDING_REVIEW');
      assert.equal(await orderState(admin, f.saleOrderId), 'sent');
      assert.equal((await paymentsOf(admin, f.txId)).length, 0);

      const done = await api.applyPayment(f.reference, 'done', { capture_id: pid('CAP'), amount: '10.00', currency: 'USD' });
      assert.equal(done.result, 'applied');
      assert.equal(done.tx.state, 'done');
      assert.equal(done.tx.paypal_status_detail, null);
      assert.equal(await orderState(admin, f.saleOrderId), 'sale');
      assert.equal((await paymentsOf(admin, f.txId)).length, 1);
    });

    test('states only move forward: pending, cancel or error after done change nothing', async () => {
      const f = await paid();
      for (const state of ['pending', 'cancel', 'error', 'authorized'] as const) {
        const answer = await api.applyPayment(f.reference, state, {});
        assert.equal(answer.result, 'unchanged', `${state} after done`);
        assert.equal(answer.tx.state, 'done');
      }
      const payments = await paymentsOf(admin, f.txId);
      assert.equal(payments.length, 1);
      assert.ok(POSTED.includes(payments[0]?.state ?? ''), 'the payment was not cancelled');
      assert.equal(await orderState(admin, f.saleOrderId), 'sale');
    });

    test("every transition follows Odoo's allowed-state table (_set_pending ... _set_error)", async () => {
      // odoo/addons/payment/models/payment_transaction.py (18.0): the source states each setter accepts.
      const allowed: Record<ApplyState, TxState[]> = {
        pending: ['draft'],
        authorized: ['draft', 'pending'],
        done: ['draft', 'pending', 'authorized', 'error'],
        cancel: ['draft', 'pending', 'authorized'],
        error: ['draft', 'pending', 'authorized'],
      };
      const sources: TxState[] = ['draft', 'pending', 'authorized', 'done', 'cancel', 'error'];
      const targets: ApplyState[] = ['pending', 'authorized', 'done', 'cancel', 'error'];
      for (const source of sources) {
        for (const targetState of targets) {
          const f = await fixture();
          if (source !== 'draft') assert.equal((await api.applyPayment(f.reference, source, {})).tx.state, source);
          const answer = await api.applyPayment(f.reference, targetState, {});
          const moves = allowed[targetState].includes(source);
          assert.equal(answer.tx.state, moves ? targetState : source, `${source} -> ${targetState}`);
          if (moves) assert.equal(answer.result, 'applied', `${source} -> ${targetState}`);
          else if (source === 'cancel' && targetState === 'done') {
            // PayPal charged a customer whose payment Odoo had cancelled: flagged, state kept.
            assert.equal(answer.result, 'applied', 'cancel -> done flags the transaction');
            assert.equal(answer.tx.paypal_needs_review, true);
            assert.match(answer.tx.paypal_review_reason ?? '', /customer was charged/);
          } else if (targetState !== 'error') assert.equal(answer.result, 'unchanged', `${source} -> ${targetState}`);
        }
      }
    });

    test('cancel of a pending payment cancels the transaction and books nothing', async () => {
      const f = await fixture();
      await api.applyPayment(f.reference, 'pending', { status_detail: 'PENDING_REVIEW' });
      const cancelled = await api.applyPayment(f.reference, 'cancel', { message: 'CHECKOUT.PAYMENT-APPROVAL.REVERSED' });
      assert.equal(cancelled.result, 'applied');
      assert.equal(cancelled.tx.state, 'cancel');
      assert.equal((await paymentsOf(admin, f.txId)).length, 0);
      const late = await api.applyPayment(f.reference, 'pending', {});
      assert.equal(late.result, 'unchanged');
      assert.equal(late.tx.state, 'cancel');
    });

    test('an amount or currency that differs from Odoo\'s is flagged for review and the state does not move', async () => {
      const f = await fixture('10.00');
      const wrongAmount = await api.applyPayment(f.reference, 'done', { capture_id: pid('CAP'), amount: '12.00', currency: 'USD' });
      assert.equal(wrongAmount.result, 'mismatch');
      assert.equal(wrongAmount.tx.state, 'draft');
      assert.equal(wrongAmount.tx.paypal_needs_review, true);
      assert.match(wrongAmount.tx.paypal_review_reason ?? '', /12\.00/);
      assert.equal(wrongAmount.tx.paypal_capture_id, null, 'nothing of the mismatching capture is stored');

      const wrongCurrency = await api.applyPayment(f.reference, 'done', { capture_id: pid('CAP'), amount: '10.00', currency: 'EUR' });
      assert.equal(wrongCurrency.result, 'mismatch');
      assert.equal(wrongCurrency.tx.state, 'draft');
      assert.match(wrongCurrency.tx.paypal_review_reason ?? '', /EUR/);
      assert.equal((await paymentsOf(admin, f.txId)).length, 0);
      assert.equal(await orderState(admin, f.saleOrderId), 'draft');
    });

    test('a capture id already booked on another transaction is a conflict, flagged, and books nothing', async () => {
      const first = await paid();
      const second = await fixture();
      const answer = await api.applyPayment(second.reference, 'done', { capture_id: first.captureId, amount: '10.00', currency: 'USD' });
      assert.equal(answer.result, 'conflict');
      assert.equal(answer.tx.id, second.txId);
      assert.equal(answer.tx.state, 'draft');
      assert.equal(answer.tx.paypal_needs_review, true);
      assert.match(answer.tx.paypal_review_reason ?? '', new RegExp(first.captureId));
      assert.equal((await paymentsOf(admin, second.txId)).length, 0);
      assert.equal((await api.find({ capture_id: first.captureId }))?.id, first.txId);
    });

    test('error (UNILATERAL) flags the transaction; a later completed capture still settles it', async () => {
      const f = await fixture();
      const failed = await api.applyPayment(f.reference, 'error', { status_detail: 'UNILATERAL', message: 'The payee has no PayPal account' });
      assert.equal(failed.result, 'applied');
      assert.equal(failed.tx.state, 'error');
      assert.equal(failed.tx.paypal_status_detail, 'UNILATERAL');
      assert.equal(failed.tx.paypal_needs_review, true);
      const again = await api.applyPayment(f.reference, 'error', { status_detail: 'UNILATERAL', message: 'The payee has no PayPal account' });
      assert.equal(again.result, 'unchanged');
      const done = await api.applyPayment(f.reference, 'done', { capture_id: pid('CAP'), amount: '10.00', currency: 'USD' });
      assert.equal(done.result, 'applied', "Odoo's _set_done accepts error as a source state");
      assert.equal(done.tx.state, 'done');
    });

    test('the payer id is stored on the customer once and never overwritten', async () => {
      const f = await fixture();
      const payer1 = pid('PAYER');
      await api.applyPayment(f.reference, 'done', { capture_id: pid('CAP'), amount: '10.00', currency: 'USD', payer_id: payer1, payer_email: 'buyer@example.com' });
      assert.equal(await partnerPayer(admin, f.partnerId), payer1);

      const g = await fixture('5.00', { partnerId: f.partnerId });
      const payer2 = pid('PAYER');
      const second = await api.applyPayment(g.reference, 'done', { capture_id: pid('CAP'), amount: '5.00', currency: 'USD', payer_id: payer2 });
      assert.equal(second.tx.paypal_payer_id, payer2, 'the transaction keeps its own payer');
      assert.equal(await partnerPayer(admin, f.partnerId), payer1, 'the customer keeps the first payer');
    });

    test('a refund id registered twice books one refund transaction with that refund\'s own amount', async () => {
      const f = await paid('10.00');
      const refundId = pid('REF');
      const first = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '3.00', currency: 'USD', status: 'COMPLETED', values: { capture_id: f.captureId } });
      assert.equal(first.result, 'applied');
      assert.equal(first.tx.operation, 'refund');
      assert.equal(first.tx.amount, '3.00', 'the refund transaction carries the refund amount, positive on the wire');
      assert.equal(first.tx.state, 'done');
      assert.equal(first.tx.paypal_refund_id, refundId);
      assert.equal(first.tx.source_reference, f.reference);
      assert.equal(first.tx.reference, `R-${f.reference}`);
      const refundPayments = await paymentsOf(admin, first.tx.id);
      assert.equal(refundPayments.length, 1);
      assert.equal(refundPayments[0]?.payment_type, 'outbound');
      assert.equal(refundPayments[0]?.amount, 3);
      assert.ok(POSTED.includes(refundPayments[0]?.state ?? ''));

      const second = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '3.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(second.result, 'unchanged');
      assert.equal(second.tx.id, first.tx.id);

      const source = await api.find({ reference: f.reference });
      assert.ok(source);
      assert.equal(source.children.filter((c) => c.operation === 'refund').length, 1);
      assert.equal(source.refunded_amount, '3.00');
      assert.equal(source.paypal_refund_status, 'partially_refunded');
      assert.equal(await orderState(admin, f.saleOrderId), 'sale');
    });

    test('two refunds are two transactions; together they refund the payment fully', async () => {
      const f = await paid('10.00');
      const a = await api.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '3.00', currency: 'USD', status: 'COMPLETED' });
      const b = await api.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '7.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(a.result, 'applied');
      assert.equal(b.result, 'applied');
      assert.notEqual(a.tx.id, b.tx.id);
      assert.equal(b.tx.amount, '7.00');
      assert.equal(b.tx.reference, `R-${f.reference}-1`, "Odoo's _compute_reference numbers the second child");
      const source = await api.find({ reference: f.reference });
      assert.equal(source?.refunded_amount, '10.00');
      assert.equal(source?.paypal_refund_status, 'refunded');
      assert.deepEqual(source?.children.map((c) => c.amount).sort(), ['3.00', '7.00']);
    });

    test('a pending refund moves forward to done; a failed one is cancelled and does not count', async () => {
      const f = await paid('10.00');
      const refundId = pid('REF');
      const pending = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '4.00', currency: 'USD', status: 'PENDING' });
      assert.equal(pending.tx.state, 'pending');
      const done = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '4.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(done.result, 'applied');
      assert.equal(done.tx.state, 'done');
      const backwards = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '4.00', currency: 'USD', status: 'FAILED' });
      assert.equal(backwards.result, 'unchanged');
      assert.equal(backwards.tx.state, 'done');

      const failedId = pid('REF');
      const failed = await api.registerRefund({ sourceReference: f.reference, refundId: failedId, amount: '6.00', currency: 'USD', status: 'FAILED' });
      assert.equal(failed.tx.state, 'cancel');
      assert.equal((await paymentsOf(admin, failed.tx.id)).length, 0);
      const source = await api.find({ reference: f.reference });
      assert.equal(source?.refunded_amount, '4.00');
      assert.equal(source?.paypal_refund_status, 'partially_refunded');
    });

    test('a refund larger than what is left, or in another currency, is flagged and books nothing', async () => {
      const f = await paid('10.00');
      await api.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '8.00', currency: 'USD', status: 'COMPLETED' });
      const over = await api.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '5.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(over.result, 'mismatch');
      assert.equal(over.tx.id, f.txId);
      assert.equal(over.tx.paypal_needs_review, true);
      assert.match(over.tx.paypal_review_reason ?? '', /2\.00/, 'the reason names what is left to refund');
      const otherCurrency = await api.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '1.00', currency: 'EUR', status: 'COMPLETED' });
      assert.equal(otherCurrency.result, 'mismatch');
      const source = await api.find({ reference: f.reference });
      assert.equal(source?.children.length, 1);
      assert.equal(source?.refunded_amount, '8.00');
    });

    test('a reversal is booked like a refund, flags the source, and the sale order stays confirmed', async () => {
      const f = await paid('10.00');
      const reversalId = pid('REV');
      const reversed = await api.registerRefund({
        sourceReference: f.reference,
        refundId: reversalId,
        amount: '10.00',
        currency: 'USD',
        status: 'COMPLETED',
        kind: 'reversal',
        values: { reason: 'BUYER_COMPLAINT' },
      });
      assert.equal(reversed.result, 'applied');
      assert.equal(reversed.tx.operation, 'refund');
      assert.equal(reversed.tx.state, 'done');
      const source = await api.find({ reference: f.reference });
      assert.equal(source?.paypal_needs_review, true);
      assert.match(source?.paypal_review_reason ?? '', /BUYER_COMPLAINT/);
      assert.equal(source?.paypal_refund_status, 'refunded');
      assert.equal(await orderState(admin, f.saleOrderId), 'sale');
      const again = await api.registerRefund({ sourceReference: f.reference, refundId: reversalId, amount: '10.00', currency: 'USD', status: 'COMPLETED', kind: 'reversal', values: { reason: 'BUYER_COMPLAINT' } });
      assert.equal(again.result, 'unchanged');
    });

    test('a refund before its capture is booked is refused as missing (the service waits or fetches the capture)', async () => {
      const f = await fixture();
      await assert.rejects(
        api.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '1.00', currency: 'USD', status: 'COMPLETED' }),
        OdooMissingError,
      );
    });

    test('partial captures of an authorization become child transactions; the last one settles the source', async () => {
      const f = await fixture('10.00', { captureManually: true });
      await api.applyPayment(f.reference, 'authorized', { authorization_id: pid('AUT') });
      assert.equal(await orderState(admin, f.saleOrderId), 'sale', 'Odoo confirms the order on authorization');

      const firstId = pid('CAP');
      const first = await api.registerCapture({ sourceReference: f.reference, captureId: firstId, amount: '4.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(first.result, 'applied');
      assert.notEqual(first.tx.id, f.txId);
      assert.equal(first.tx.reference, `P-${f.reference}`);
      assert.equal(first.tx.amount, '4.00');
      assert.equal(first.tx.state, 'done');
      assert.equal(first.tx.paypal_capture_id, firstId);
      assert.equal((await api.find({ reference: f.reference }))?.state, 'authorized');
      assert.equal((await api.find({ reference: f.reference }))?.captured_amount, '4.00');

      const repeat = await api.registerCapture({ sourceReference: f.reference, captureId: firstId, amount: '4.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(repeat.result, 'unchanged');
      assert.equal(repeat.tx.id, first.tx.id);

      const tooMuch = await api.registerCapture({ sourceReference: f.reference, captureId: pid('CAP'), amount: '7.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(tooMuch.result, 'mismatch');

      const last = await api.registerCapture({ sourceReference: f.reference, captureId: pid('CAP'), amount: '6.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(last.result, 'applied');
      assert.equal(last.tx.reference, `P-${f.reference}-1`);
      const source = await api.find({ reference: f.reference });
      assert.equal(source?.state, 'done', "Odoo's _update_source_transaction_state settles the source");
      assert.equal(source?.captured_amount, '10.00');
      assert.equal(source?.children.length, 2);
      const childPayments = await paymentsOf(admin, first.tx.id);
      assert.equal(childPayments.length, 1);
      assert.equal(childPayments[0]?.amount, 4);
      assert.equal((await paymentsOf(admin, f.txId)).length, 0, 'the source gets no payment of its own');

      // A refund of one capture goes to that capture's transaction.
      const refund = await api.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '1.00', currency: 'USD', status: 'COMPLETED', values: { capture_id: firstId } });
      assert.equal(refund.tx.source_reference, first.tx.reference);
    });

    test('apply_payment done with a new capture id on an authorized transaction books a capture (full, or partial with its amount)', async () => {
      const full = await fixture('10.00', { captureManually: true });
      await api.applyPayment(full.reference, 'authorized', { authorization_id: pid('AUT') });
      const captureId = pid('CAP');
      const captured = await api.applyPayment(full.reference, 'done', { capture_id: captureId });
      assert.equal(captured.result, 'applied');
      assert.equal(captured.tx.state, 'done', 'without amount the capture takes what is left: the whole authorization');
      assert.equal(captured.tx.paypal_capture_id, captureId);
      assert.equal((await paymentsOf(admin, full.txId)).length, 1);

      const partial = await fixture('10.00', { captureManually: true });
      await api.applyPayment(partial.reference, 'authorized', { authorization_id: pid('AUT') });
      const part = await api.applyPayment(partial.reference, 'done', { capture_id: pid('CAP'), amount: '3.00', currency: 'USD' });
      assert.equal(part.result, 'applied');
      assert.equal(part.tx.state, 'authorized', 'the source stays authorized after a partial capture');
      assert.equal(part.tx.children.length, 1);
      assert.equal(part.tx.children[0]?.amount, '3.00');
      assert.equal(part.tx.children[0]?.state, 'done');
      assert.equal(part.tx.captured_amount, '3.00');
    });

    test('cancel of a partly captured authorization voids what is left; Odoo then settles the source', async () => {
      const f = await fixture('10.00', { captureManually: true });
      await api.applyPayment(f.reference, 'authorized', { authorization_id: pid('AUT') });
      await api.registerCapture({ sourceReference: f.reference, captureId: pid('CAP'), amount: '4.00', currency: 'USD', status: 'COMPLETED' });
      const voided = await api.applyPayment(f.reference, 'cancel', { message: 'PAYMENT.AUTHORIZATION.VOIDED' });
      assert.equal(voided.result, 'applied');
      assert.equal(voided.tx.state, 'done', 'confirmed captures + voids cover the amount: _update_source_transaction_state');
      assert.equal(voided.tx.captured_amount, '4.00');
      const voidChild = voided.tx.children.find((c) => c.state === 'cancel');
      assert.equal(voidChild?.amount, '6.00');
      assert.equal((await paymentsOf(admin, f.txId)).length, 0, 'the void books no payment');
    });

    test('a known refund id whose amount now differs is flagged as a mismatch', async () => {
      const f = await paid('10.00');
      const refundId = pid('REF');
      const booked = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '3.00', currency: 'USD', status: 'PENDING' });
      const changed = await api.registerRefund({ sourceReference: f.reference, refundId, amount: '4.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(changed.result, 'mismatch');
      assert.equal(changed.tx.id, booked.tx.id);
      assert.equal(changed.tx.state, 'pending', 'nothing moved');
      assert.equal((await api.find({ reference: f.reference }))?.paypal_needs_review, true);
    });

    test('a capture id booked on an unrelated transaction is a conflict for register_capture', async () => {
      const first = await paid();
      const f = await fixture('10.00', { captureManually: true });
      await api.applyPayment(f.reference, 'authorized', { authorization_id: pid('AUT') });
      const answer = await api.registerCapture({ sourceReference: f.reference, captureId: first.captureId, amount: '10.00', currency: 'USD', status: 'COMPLETED' });
      assert.equal(answer.result, 'conflict');
      assert.equal(answer.tx.id, f.txId);
      assert.equal(answer.tx.state, 'authorized');
      assert.equal(answer.tx.paypal_needs_review, true);
    });

    test('flag_review flags once per reason', async () => {
      const f = await fixture();
      const first = await api.flagReview(f.reference, 'Reconciliation: PayPal shows a fee Odoo does not');
      assert.equal(first.result, 'applied');
      assert.equal(first.tx.paypal_needs_review, true);
      const again = await api.flagReview(f.reference, 'Reconciliation: PayPal shows a fee Odoo does not');
      assert.equal(again.result, 'unchanged');
      const other = await api.flagReview(f.reference, 'Second reason');
      assert.equal(other.result, 'applied');
      assert.match(other.tx.paypal_review_reason ?? '', /fee Odoo does not[\s\S]*Second reason/);
    });

    test('disputes: created with an activity for the salesperson, updated, stale updates ignored, new deadline rescheduled', async () => {
      const f = await paid('10.00');
      const disputeId = pid('PP-D-');
      const created = await api.upsertDispute({
        dispute_id: disputeId,
        status: 'WAITING_FOR_SELLER_RESPONSE',
        reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
        stage: 'INQUIRY',
        amount: '10.00',
        currency: 'USD',
        seller_response_due_date: '2030-02-10T23:59:59Z',
        capture_id: f.captureId,
        update_time: '2030-01-01T10:00:00Z',
        event_id: pid('WH'),
      });
      assert.equal(created.result, 'created');
      assert.equal(created.dispute_id, disputeId);
      let dispute = await readDispute(admin, created.id);
      assert.equal(dispute.status, 'WAITING_FOR_SELLER_RESPONSE');
      assert.ok(dispute.transaction_id);
      assert.equal(dispute.transaction_id[0], f.txId);
      const responsible = await salesperson(admin, f.saleOrderId);
      assert.ok(responsible, 'the fixture order has a salesperson');
      assert.ok(dispute.user_id);
      assert.equal(dispute.user_id[0], responsible);
      let activities = await activitiesOf(admin, 'paypal.dispute', created.id);
      assert.equal(activities.length, 1);
      assert.equal(activities[0]?.date_deadline, '2030-02-10');
      assert.ok(activities[0]?.user_id);
      assert.equal(activities[0]?.user_id[0], responsible);

      const updated = await api.upsertDispute({ dispute_id: disputeId, status: 'UNDER_REVIEW', update_time: '2030-01-03T10:00:00Z' });
      assert.equal(updated.result, 'updated');
      assert.equal(updated.id, created.id);
      assert.equal((await readDispute(admin, created.id)).status, 'UNDER_REVIEW');

      const stale = await api.upsertDispute({ dispute_id: disputeId, status: 'WAITING_FOR_SELLER_RESPONSE', update_time: '2030-01-02T10:00:00Z' });
      assert.equal(stale.result, 'unchanged');
      const same = await api.upsertDispute({ dispute_id: disputeId, status: 'UNDER_REVIEW', update_time: '2030-01-03T10:00:00Z' });
      assert.equal(same.result, 'unchanged', 'the same data again changes nothing');
      const sameSecond = await api.upsertDispute({ dispute_id: disputeId, status: 'WAITING_FOR_SELLER_RESPONSE', update_time: '2030-01-03T10:00:00Z' });
      assert.equal(sameSecond.result, 'updated', 'a second change within the same second (PayPal times have whole seconds) is applied');
      await api.upsertDispute({ dispute_id: disputeId, status: 'UNDER_REVIEW', update_time: '2030-01-03T10:00:00Z' });
      dispute = await readDispute(admin, created.id);
      assert.equal(dispute.status, 'UNDER_REVIEW');

      const rescheduled = await api.upsertDispute({
        dispute_id: disputeId,
        status: 'WAITING_FOR_SELLER_RESPONSE',
        seller_response_due_date: '2030-02-20T23:59:59Z',
        update_time: '2030-01-05T10:00:00Z',
      });
      assert.equal(rescheduled.result, 'updated');
      activities = await activitiesOf(admin, 'paypal.dispute', created.id);
      assert.equal(activities.length, 1, 'the open to-do is rescheduled, not duplicated');
      assert.equal(activities[0]?.date_deadline, '2030-02-20');

      const resolved = await api.upsertDispute({ dispute_id: disputeId, status: 'RESOLVED', outcome: 'RESOLVED_SELLER_FAVOUR', update_time: '2030-01-09T10:00:00Z' });
      assert.equal(resolved.result, 'updated');
      assert.equal((await activitiesOf(admin, 'paypal.dispute', created.id)).length, 0, 'the to-do is done once the dispute is resolved');
    });

    test('a dispute without dispute_id, or with an unknown key, is a ValidationError', async () => {
      await assert.rejects(service.call('payment.transaction', 'paypal_bridge_upsert_dispute', [], { values: { status: 'OPEN' } }), OdooValidationError);
      await assert.rejects(service.call('payment.transaction', 'paypal_bridge_upsert_dispute', [], { values: { dispute_id: pid('PP-D-'), colour: 'red' } }), OdooValidationError);
    });

    test('bad arguments: unknown reference is MissingError; bad state, unknown key or argument, float amount are ValidationError', async () => {
      await assert.rejects(api.applyPayment(`NO-SUCH-${run}`, 'done', {}), OdooMissingError);
      await assert.rejects(
        service.call('payment.transaction', 'paypal_bridge_apply_payment', [], { reference: `NO-SUCH-${run}`, state: 'paid' }),
        OdooValidationError,
        'arguments are checked before the reference is looked up',
      );
      await assert.rejects(service.call('payment.transaction', 'paypal_bridge_find', [], { reference: 'x', colour: 'red' }), (err: unknown) => {
        assert.ok(err instanceof OdooValidationError, String(err));
        assert.match(err.odooMessage, /colour/);
        return true;
      });
      const f = await fixture();
      await assert.rejects(service.call('payment.transaction', 'paypal_bridge_apply_payment', [], { reference: f.reference, state: 'paid', values: {} }), OdooValidationError);
      await assert.rejects(service.call('payment.transaction', 'paypal_bridge_apply_payment', [], { reference: f.reference, state: 'done', values: { colour: 'red' } }), OdooValidationError);
      await assert.rejects(service.call('payment.transaction', 'paypal_bridge_apply_payment', [], { reference: f.reference, state: 'done', values: { amount: 10 } }), OdooValidationError);
      const untouched = await api.find({ reference: f.reference });
      assert.equal(untouched?.state, 'draft');
      assert.equal(untouched?.paypal_needs_review, false);
      const p = await paid();
      for (const [status, amount] of [['DONE', '1.00'], ['COMPLETED', '1.001'], ['COMPLETED', '-1.00']]) {
        await assert.rejects(
          service.call('payment.transaction', 'paypal_bridge_register_refund', [], { source_reference: p.reference, refund_id: pid('REF'), amount, currency: 'USD', status }),
          OdooValidationError,
          `refund of ${amount} with status ${status}`,
        );
      }
      assert.equal((await api.find({ reference: p.reference }))?.children.length, 0);
    });

    test('private methods are refused with Odoo\'s own AccessError', async () => {
      for (const method of ['_set_done', '_post_process', '_create_child_transaction']) {
        await assert.rejects(service.call('payment.transaction', method, [[1]], {}), (err: unknown) => {
          assert.ok(err instanceof OdooAccessError, `${method}: ${String(err)}`);
          assert.equal(err.odooName, 'odoo.exceptions.AccessError');
          assert.equal(err.odooMessage, `Private methods (such as 'payment.transaction.${method}') cannot be called remotely.`);
          return true;
        });
      }
    });

    test('a user without the service group is refused by every entry point', async () => {
      const other = createBridgeApi(clientFor(target, target.otherUser));
      const f = await fixture();
      const calls: [string, () => Promise<unknown>][] = [
        ['ping', () => other.ping()],
        ['find', () => other.find({ reference: f.reference })],
        ['apply_payment', () => other.applyPayment(f.reference, 'done', {})],
        ['register_capture', () => other.registerCapture({ sourceReference: f.reference, captureId: pid('CAP'), amount: '10.00', currency: 'USD', status: 'COMPLETED' })],
        ['register_refund', () => other.registerRefund({ sourceReference: f.reference, refundId: pid('REF'), amount: '1.00', currency: 'USD', status: 'COMPLETED' })],
        ['upsert_dispute', () => other.upsertDispute({ dispute_id: pid('PP-D-') })],
        ['flag_review', () => other.flagReview(f.reference, 'x')],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (err: unknown) => {
          assert.ok(err instanceof OdooAccessError, `${name}: ${String(err)}`);
          assert.equal(err.odooName, 'odoo.exceptions.AccessError');
          return true;
        });
      }
      assert.equal((await api.find({ reference: f.reference }))?.state, 'draft');
    });

    test('the technical user may not use the plain ORM on transactions, orders or payments', async () => {
      const f = await fixture();
      const refusals: [string, () => Promise<unknown>, RegExp][] = [
        ['payment.transaction search_read', () => service.call('payment.transaction', 'search_read', [[['id', '=', f.txId]]], { fields: ['state'] }), /^You are not allowed to access 'Payment Transaction' \(payment\.transaction\) records\./],
        ['payment.transaction write', () => service.call('payment.transaction', 'write', [[f.txId], { state: 'done' }]), /^You are not allowed to (access|modify) 'Payment Transaction' \(payment\.transaction\) records\./],
        ['sale.order read', () => service.call('sale.order', 'read', [[f.saleOrderId]], { fields: ['state'] }), /^You are not allowed to access 'Sales Order' \(sale\.order\) records\./],
        ['sale.order create', () => service.call('sale.order', 'create', [{ partner_id: f.partnerId }], {}, { retry: false }), /^You are not allowed to create 'Sales Order' \(sale\.order\) records\./],
        ['account.payment search_read', () => service.call('account.payment', 'search_read', [[]], { fields: ['amount'] }), /^You are not allowed to access 'Payments' \(account\.payment\) records\./],
      ];
      for (const [name, call, message] of refusals) {
        await assert.rejects(call(), (err: unknown) => {
          assert.ok(err instanceof OdooAccessError, `${name}: ${String(err)}`);
          assert.match(err.odooMessage, message, name);
          assert.match(err.odooMessage, /Contact your administrator to request access if necessary\.$/, name);
          return true;
        });
      }
      assert.equal((await api.find({ reference: f.reference }))?.state, 'draft');
    });
  });
}
