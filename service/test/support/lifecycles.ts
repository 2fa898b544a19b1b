// Payment lifecycles played at the PayPal simulator exactly as they happen for an Odoo
// transaction: an order created for it (custom_id = its reference, as the checkout API does), the
// buyer's approval, captures or authorizations, then whatever PayPal does later (a pending
// capture clearing or being denied, refunds made at PayPal, a reversal, a dispute). Each returns
// the webhook events PayPal emitted, in order.
import { createPayPalClient, stableRequestId, type PayPalClient } from '../../src/paypal/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { finishRequestId } from '../../src/sync/payment-sync.ts';
import type { PayPalSimulator, WebhookEvent } from '../../sim/paypal/index.ts';

export interface LifecycleContext {
  sim: PayPalSimulator;
  paypal: PayPalClient;
  reference: string;
  amount: string;
  currency: string;
  invoiceId: string;
}

export interface Lifecycle {
  name: string;
  /** Odoo's transaction is created with manual capture (authorize at checkout). */
  authorize?: boolean;
  play(ctx: LifecycleContext): Promise<void>;
}

export function paypalClientFor(sim: PayPalSimulator): PayPalClient {
  return createPayPalClient({
    apiBase: sim.apiBase,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    logger: createLogger({ level: 'silent' }),
  });
}

async function createOrder(ctx: LifecycleContext, intent: 'CAPTURE' | 'AUTHORIZE'): Promise<string> {
  const order = await ctx.paypal.createOrder(
    {
      intent,
      purchase_units: [
        { reference_id: ctx.reference, custom_id: ctx.reference, invoice_id: ctx.invoiceId, amount: { currency_code: ctx.currency, value: ctx.amount } },
      ],
    },
    { requestId: stableRequestId('odoo-tx', ctx.reference, 'create-order') },
  );
  return order.id;
}

/** Order created, approved with `approve` options, captured (as the browser would). Returns the capture id. */
async function checkout(ctx: LifecycleContext, approve: Parameters<PayPalSimulator['approveOrder']>[1] = {}): Promise<string> {
  const orderId = await createOrder(ctx, 'CAPTURE');
  await ctx.sim.approveOrder(orderId, approve);
  const order = await ctx.paypal.captureOrder(orderId, { requestId: finishRequestId(ctx.reference, orderId, 'CAPTURE') });
  const capture = order.purchase_units?.[0]?.payments?.captures?.[0];
  if (!capture) throw new Error(`order ${orderId} has no capture`);
  return capture.id;
}

async function authorize(ctx: LifecycleContext): Promise<string> {
  const orderId = await createOrder(ctx, 'AUTHORIZE');
  await ctx.sim.approveOrder(orderId);
  const order = await ctx.paypal.authorizeOrder(orderId, { requestId: finishRequestId(ctx.reference, orderId, 'AUTHORIZE') });
  const auth = order.purchase_units?.[0]?.payments?.authorizations?.[0];
  if (!auth) throw new Error(`order ${orderId} has no authorization`);
  return auth.id;
}

export const LIFECYCLES: Lifecycle[] = [
  { name: 'paid', play: async (ctx) => void (await checkout(ctx)) },
  {
    name: 'pending then completed',
    play: async (ctx) => {
      const captureId = await checkout(ctx, { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
      await ctx.sim.completePendingCapture(captureId);
    },
  },
  {
    name: 'pending then denied',
    play: async (ctx) => {
      const captureId = await checkout(ctx, { captureOutcome: 'PENDING', pendingReason: 'PENDING_REVIEW' });
      await ctx.sim.denyPendingCapture(captureId);
    },
  },
  { name: 'declined', play: async (ctx) => void (await checkout(ctx, { captureOutcome: 'DECLINED' })) },
  {
    name: 'two partial refunds at PayPal',
    play: async (ctx) => {
      const captureId = await checkout(ctx);
      await ctx.sim.refundFromDashboard(captureId, '10.00');
      await ctx.sim.refundFromDashboard(captureId, '5.50');
    },
  },
  {
    name: 'full refund at PayPal',
    play: async (ctx) => {
      const captureId = await checkout(ctx);
      await ctx.sim.refundFromDashboard(captureId);
    },
  },
  {
    name: 'reversal',
    play: async (ctx) => {
      const captureId = await checkout(ctx);
      await ctx.sim.reverseCapture(captureId);
    },
  },
  {
    name: 'dispute',
    play: async (ctx) => {
      const captureId = await checkout(ctx);
      const dispute = (await ctx.sim.createDispute(captureId, { reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' })) as { dispute_id: string };
      await ctx.sim.updateDispute(dispute.dispute_id, { status: 'WAITING_FOR_SELLER_RESPONSE' });
      await ctx.sim.resolveDispute(dispute.dispute_id, 'RESOLVED_SELLER_FAVOUR');
    },
  },
  {
    name: 'authorized then captured',
    authorize: true,
    play: async (ctx) => {
      const authId = await authorize(ctx);
      await ctx.paypal.captureAuthorization(authId, { finalCapture: true }, { requestId: stableRequestId('test', ctx.reference, 'capture-auth') });
    },
  },
  {
    name: 'authorized then voided',
    authorize: true,
    play: async (ctx) => {
      const authId = await authorize(ctx);
      await ctx.paypal.voidAuthorization(authId, { requestId: stableRequestId('test', ctx.reference, 'void') });
    },
  },
  {
    name: 'approval reversed',
    play: async (ctx) => {
      const orderId = await createOrder(ctx, 'CAPTURE');
      await ctx.sim.approveOrder(orderId);
      await ctx.sim.reverseApproval(orderId);
    },
  },
];

/** Plays a lifecycle and returns the events PayPal emitted for it. */
export async function playLifecycle(lifecycle: Lifecycle, ctx: LifecycleContext): Promise<WebhookEvent[]> {
  const before = ctx.sim.state.events.length;
  await lifecycle.play(ctx);
  return ctx.sim.state.events.slice(before);
}
