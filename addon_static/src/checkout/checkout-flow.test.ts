import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CheckoutFlow, STATUS_URL, type FlowDeps } from './checkout-flow.ts';
import type { CheckoutValues } from './config.ts';
import type { Message } from './messages.ts';
import { CheckoutServiceError, type CaptureResult, type CheckoutService } from './service-client.ts';

/** A deferred promise, to hold a call open while the test does something else. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

class OdooError extends Error {}

/** Odoo's form, the service and the view, recording what the flow does with them. */
function harness(overrides: { createOrder?: CheckoutService['createOrder']; captureOrder?: CheckoutService['captureOrder']; canSubmit?: () => boolean; createTransaction?: () => Promise<CheckoutValues> } = {}) {
  let txCount = 0;
  const calls = { transactions: 0, createOrder: 0, captures: [] as string[], released: 0, redirects: [] as string[], restarts: 0 };
  const messages: (Message | null)[] = [];
  const busy: boolean[] = [];
  const service: CheckoutService = {
    createOrder:
      overrides.createOrder ??
      (async (values) => {
        calls.createOrder++;
        return { orderId: `ORDER-${values.reference}` };
      }),
    captureOrder:
      overrides.captureOrder ??
      (async (_values, orderId): Promise<CaptureResult> => {
        calls.captures.push(orderId);
        return { status: 'done', orderStatus: 'COMPLETED' };
      }),
  };
  const deps: FlowDeps = {
    createTransaction:
      overrides.createTransaction ??
      (async () => {
        calls.transactions++;
        txCount++;
        return { token: `token-${txCount}`, serviceUrl: 'https://bridge.example.com', reference: `S00001-${txCount}` };
      }),
    releaseForm: () => void calls.released++,
    canSubmit: overrides.canSubmit ?? (() => true),
    isReportedByOdoo: (error) => error instanceof OdooError,
    service,
    view: {
      setBusy: (b) => void busy.push(b),
      showMessage: (m) => void messages.push(m),
      redirect: (url) => void calls.redirects.push(url),
    },
  };
  const flow = new CheckoutFlow(deps);
  const actions = {
    resolve: async () => undefined,
    reject: async () => undefined,
    restart: async () => {
      calls.restarts++;
    },
  };
  const lastMessage = () => messages.at(-1) ?? null;
  return { flow, calls, messages, busy, actions, lastMessage };
}

describe('CheckoutFlow', () => {
  test('pays: one Odoo transaction, one PayPal order, one capture, then the status page', async () => {
    const h = harness();
    const orderId = await h.flow.createOrder();
    assert.equal(orderId, 'ORDER-S00001-1');
    await h.flow.onApprove({ orderID: orderId }, h.actions);
    assert.deepEqual(h.calls.captures, [orderId]);
    assert.deepEqual(h.calls.redirects, [STATUS_URL]);
    assert.equal(h.lastMessage()?.id, 'REDIRECTING');
    assert.equal(h.flow.isFinished, true);
  });

  test('clicks while an order is being created get that same order: one transaction, one order', async () => {
    const gate = deferred<void>();
    let created = 0;
    const h = harness({
      createOrder: async (values) => {
        created++;
        await gate.promise;
        return { orderId: `ORDER-${values.reference}` };
      },
    });
    const first = h.flow.createOrder();
    const second = h.flow.createOrder();
    gate.resolve();
    assert.equal(await first, await second);
    assert.equal(h.flow.createOrder() instanceof Promise, true);
    assert.equal(await h.flow.createOrder(), await first, 'a click after creation, before approval, still gets the same order');
    assert.equal(h.calls.transactions, 1);
    assert.equal(created, 1);
  });

  test('approvals of the same order while it is captured, or after, get that same capture', async () => {
    const gate = deferred<CaptureResult>();
    let captures = 0;
    const h = harness({
      captureOrder: async () => {
        captures++;
        return gate.promise;
      },
    });
    const orderId = await h.flow.createOrder();
    const a = h.flow.onApprove({ orderID: orderId }, h.actions);
    const b = h.flow.onApprove({ orderID: orderId }, h.actions);
    gate.resolve({ status: 'done', orderStatus: 'COMPLETED' });
    await Promise.all([a, b]);
    await h.flow.onApprove({ orderID: orderId }, h.actions);
    assert.equal(captures, 1);
    assert.deepEqual(h.calls.redirects, [STATUS_URL]);
    await assert.rejects(h.flow.createOrder(), /complete already/);
  });

  test("refuses to start while Odoo's form cannot be submitted, and says why", async () => {
    let ready = false;
    const h = harness({ canSubmit: () => ready });
    let rejected = 0;
    await h.flow.onClick({}, { resolve: async () => undefined, reject: async () => void rejected++ });
    assert.equal(rejected, 1);
    assert.equal(h.lastMessage()?.id, 'FORM_INCOMPLETE');
    ready = true;
    let resolved = 0;
    await h.flow.onClick({}, { resolve: async () => void resolved++, reject: async () => void rejected++ });
    assert.deepEqual([resolved, rejected], [1, 1]);
  });

  test('INSTRUMENT_DECLINED sends the buyer back to PayPal; the next approval of the same order is captured', async () => {
    let attempts = 0;
    const h = harness({
      captureOrder: async () => {
        attempts++;
        if (attempts === 1) throw new CheckoutServiceError(422, 'INSTRUMENT_DECLINED', 'choose another funding source');
        return { status: 'done', orderStatus: 'COMPLETED' };
      },
    });
    const orderId = await h.flow.createOrder();
    await h.flow.onApprove({ orderID: orderId }, h.actions);
    assert.equal(h.calls.restarts, 1);
    assert.equal(h.lastMessage()?.id, 'INSTRUMENT_DECLINED');
    assert.equal(h.calls.redirects.length, 0);
    await h.flow.onApprove({ orderID: orderId }, h.actions);
    assert.equal(attempts, 2);
    assert.deepEqual(h.calls.redirects, [STATUS_URL]);
  });

  test('cancel: a message, the form released, and the next click starts a new transaction', async () => {
    const h = harness();
    const first = await h.flow.createOrder();
    h.flow.onCancel();
    assert.equal(h.lastMessage()?.id, 'CANCELLED_BY_BUYER');
    assert.equal(h.calls.released, 1);
    assert.equal(h.busy.at(-1), false);
    const second = await h.flow.createOrder();
    assert.notEqual(second, first);
    assert.equal(h.calls.transactions, 2);
    await h.flow.onApprove({ orderID: first }, h.actions);
    assert.deepEqual(h.calls.captures, [], 'a late approval of the cancelled attempt is not captured');
  });

  test('a refused transaction (Odoo shows its own dialog) adds no message of ours, even when the SDK reports it', async () => {
    const h = harness({ createTransaction: async () => Promise.reject(new OdooError('The cart has been updated. Please refresh the page.')) });
    const error = await h.flow.createOrder().catch((e: unknown) => e);
    assert.ok(error instanceof OdooError);
    h.flow.onError(error);
    assert.deepEqual(h.messages, [null]);
    assert.ok(h.calls.released >= 1);
  });

  test("a service refusal while creating the order shows its message; the SDK's onError does not replace it", async () => {
    const h = harness({ createOrder: async () => Promise.reject(new CheckoutServiceError(401, 'TOKEN_INVALID', 'expired')) });
    await assert.rejects(h.flow.createOrder(), CheckoutServiceError);
    assert.equal(h.lastMessage()?.id, 'SESSION_EXPIRED');
    h.flow.onError(new Error('Error: expired'));
    assert.equal(h.lastMessage()?.id, 'SESSION_EXPIRED');
    h.flow.onError(new Error('the popup crashed'));
    assert.equal(h.lastMessage()?.id, 'PAYPAL_REPORTED_ERROR', 'a later, unrelated error is shown');
  });

  test('no answer from the service after approval: the webhook path finishes the order, so the shopper goes to the status page', async () => {
    const h = harness({ captureOrder: async () => Promise.reject(new CheckoutServiceError(0, 'NETWORK', 'unreachable')) });
    const orderId = await h.flow.createOrder();
    await h.flow.onApprove({ orderID: orderId }, h.actions);
    assert.equal(h.lastMessage()?.id, 'OUTCOME_PENDING');
    assert.deepEqual(h.calls.redirects, [STATUS_URL]);
  });

  test('a refused capture (amount changed at PayPal) ends the attempt with its message; nothing redirects', async () => {
    const h = harness({ captureOrder: async () => Promise.reject(new CheckoutServiceError(409, 'AMOUNT_MISMATCH', 'differs')) });
    const orderId = await h.flow.createOrder();
    await h.flow.onApprove({ orderID: orderId }, h.actions);
    assert.equal(h.lastMessage()?.id, 'AMOUNT_MISMATCH');
    assert.deepEqual(h.calls.redirects, []);
    assert.equal(h.flow.isFinished, false);
    assert.notEqual(await h.flow.createOrder(), orderId, 'a new attempt is possible');
  });

  test('PayPal answering error or cancel for the capture ends the attempt with that reason', async () => {
    const h = harness({ captureOrder: async () => ({ status: 'error', orderStatus: 'COMPLETED', message: 'DECLINED' }) });
    const orderId = await h.flow.createOrder();
    await h.flow.onApprove({ orderID: orderId }, h.actions);
    assert.deepEqual(h.lastMessage(), { level: 'danger', id: 'CAPTURE_REFUSED', detail: 'DECLINED' });
    assert.deepEqual(h.calls.redirects, []);
  });

  test('an approval of an order this page did not create is never captured', async () => {
    const h = harness();
    await h.flow.createOrder();
    await h.flow.onApprove({ orderID: 'SOMEONE-ELSES-ORDER' }, h.actions);
    assert.deepEqual(h.calls.captures, []);
    assert.equal(h.lastMessage()?.id, 'FOREIGN_ORDER');
  });
});
