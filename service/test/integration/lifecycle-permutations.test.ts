// Order of arrival must not matter (service/ARCHITECTURE.md, "What each PayPal event does in
// Odoo"): for every payment lifecycle, applying its events in any order, with any of them delivered
// again, ends in exactly the Odoo state of the in-order stream. The events are the ones the PayPal
// simulator really emitted for the lifecycle; they go through the production handlers, the payment
// sync, the real Odoo client and the Odoo simulator (whose state machine is checked against a real
// Odoo 18 by the contract suite).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { InboxEvent } from '../../src/inbox/types.ts';
import { createBridgeApi, createOdooClient } from '../../src/odoo/index.ts';
import { isRetryable } from '../../src/shared/errors.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createEventHandlers } from '../../src/sync/event-handlers.ts';
import { createPaymentSync } from '../../src/sync/payment-sync.ts';
import type { HandlerRegistry } from '../../src/sync/handler-registry.ts';
import { startOdooSim, type OdooSim } from '../../sim/odoo/server.ts';
import { ensureTestPki, testPkiDir } from '../../sim/pki.ts';
import { startPayPalSimulator, type PayPalSimulator, type WebhookEvent } from '../../sim/paypal/index.ts';
import { LIFECYCLES, paypalClientFor, playLifecycle } from '../support/lifecycles.ts';

const RUNS = Number(process.env['LIFECYCLE_RUNS'] ?? 500);
const AMOUNT = '42.50';

let paypalSim: PayPalSimulator;
let odooSim: OdooSim;
let registry: HandlerRegistry;
const silent = createLogger({ level: 'silent' });

before(async () => {
  paypalSim = await startPayPalSimulator({ pki: await ensureTestPki(testPkiDir()), blockDuplicateInvoiceId: false });
  odooSim = await startOdooSim();
  const odoo = createBridgeApi(createOdooClient({ url: odooSim.url, db: odooSim.db, login: odooSim.service.login, apiKey: odooSim.service.password, logger: silent }));
  const sync = createPaymentSync({ paypal: paypalClientFor(paypalSim), odoo, logger: silent });
  // No head start for the browser: these events are replayed long after the fact.
  registry = createEventHandlers(sync, { browserHeadStartMs: 0 });
});

after(async () => {
  await paypalSim.close();
  await odooSim.close();
});

function freshOdoo(reference: string, captureManually: boolean): void {
  odooSim.reset();
  odooSim.createSaleOrderWithTransaction({ amount: AMOUNT, currency: 'USD', reference, captureManually });
}

/** Runs the events through the handlers like the worker: a retryable failure goes to the back of the queue. */
async function apply(events: readonly WebhookEvent[]): Promise<void> {
  const queue = events.map((e) => ({ e, attempts: 0 }));
  while (queue.length > 0) {
    const item = queue.shift()!;
    const handler = registry.get(item.e.event_type);
    if (!handler) continue;
    try {
      await handler({
        event: { eventId: item.e.id, eventType: item.e.event_type } as InboxEvent,
        envelope: JSON.parse(JSON.stringify(item.e)),
        log: silent,
        signal: new AbortController().signal,
        attempt: item.attempts + 1,
      });
    } catch (err) {
      if (!isRetryable(err) || item.attempts >= 5) throw err;
      item.attempts++;
      queue.push(item);
    }
  }
}

/** Odoo's state with what legitimately depends on order removed (record ids, generated names, times). */
function odooState() {
  const s = odooSim.state();
  const refOf = (t: { reference: string; source_reference: string | null }) => t.source_reference ?? t.reference;
  const txKey = (t: { reference: string; paypal_refund_id: string | null; paypal_capture_id: string | null; operation: string }) =>
    t.operation === 'refund' ? `refund:${t.paypal_refund_id}` : t.paypal_capture_id && t.reference.startsWith('P-') ? `capture:${t.paypal_capture_id}` : t.reference;
  return {
    transactions: s.transactions
      .map((t) => ({
        key: txKey(t),
        source: t.source_reference ? refOf(t) : null,
        state: t.state,
        operation: t.operation,
        amount: t.amount,
        currency: t.currency,
        has_payment: t.payment_id !== null,
        paypal_order_id: t.paypal_order_id,
        paypal_capture_id: t.paypal_capture_id,
        paypal_authorization_id: t.paypal_authorization_id,
        paypal_refund_id: t.paypal_refund_id,
        paypal_refund_status: t.paypal_refund_status,
        paypal_payer_id: t.paypal_payer_id,
        paypal_status_detail: t.paypal_status_detail,
        paypal_needs_review: t.paypal_needs_review,
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    payments: s.payments.map((p) => `${p.payment_type} ${p.amount} ${p.currency} ${p.state}`).sort(),
    orders: s.orders.map((o) => `${o.name} ${o.state}`),
    disputes: s.disputes.map((d) => ({ dispute_id: d.dispute_id, status: d.status, reason: d.reason, stage: d.stage, amount: d.amount, outcome: d.outcome, due: d.seller_response_due_date })),
    activities: s.activities.map((a) => JSON.stringify({ ...a, id: undefined, create_date: undefined })).sort(),
    payers: s.partners.map((p) => p.paypal_payer_id).filter(Boolean),
  };
}

describe(`every lifecycle, ${RUNS} random interleavings with duplicates each`, () => {
  LIFECYCLES.forEach((lifecycle, index) => {
    test(lifecycle.name, async (t) => {
      const reference = `PT${index + 1}-1`;
      freshOdoo(reference, Boolean(lifecycle.authorize));
      const events = await playLifecycle(lifecycle, {
        sim: paypalSim,
        paypal: paypalClientFor(paypalSim),
        reference,
        amount: AMOUNT,
        currency: 'USD',
        invoiceId: `SO-${reference}`,
      });
      assert.ok(events.length >= 2, `${lifecycle.name}: the simulator emitted ${events.length} events`);

      await apply(events);
      const expected = odooState();
      assert.ok(expected.transactions.some((tx) => tx.key === reference && tx.state !== 'draft'), `${lifecycle.name}: the in-order stream changed nothing: ${JSON.stringify(expected)}`);

      const indices = events.map((_, i) => i);
      const interleaving = fc
        .array(fc.nat({ max: events.length - 1 }), { maxLength: events.length })
        .chain((duplicates) => {
          const all = [...indices, ...duplicates];
          return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
        });
      await fc.assert(
        fc.asyncProperty(interleaving, async (order) => {
          freshOdoo(reference, Boolean(lifecycle.authorize));
          await apply(order.map((i) => events[i]!));
          assert.deepEqual(odooState(), expected);
        }),
        { numRuns: RUNS },
      );
      t.diagnostic(`${events.map((e) => e.event_type).join(', ')} → ${expected.transactions.map((tx) => `${tx.key}:${tx.state}`).join(', ')}`);
    });
  });
});
