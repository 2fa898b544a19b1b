// One handler per PayPal event type of the catalogue (service/ARCHITECTURE.md, "What each PayPal
// event does in Odoo"). Each parses its resource (a resource that is not what the event type
// promises is a final error: replaying it cannot help) and hands it to the payment sync.
import { z } from 'zod';
import { authorizationSchema, captureSchema, disputeSchema, refundSchema } from '../paypal/schemas.ts';
import { DeferredError, FinalError } from '../shared/errors.ts';
import { HandlerRegistry, type EventHandler, type HandlerOutcome } from './handler-registry.ts';
import type { CaptureEventKind } from './paypal-facts.ts';
import { BROWSER_HEAD_START_MS, type PaymentSync, type SyncResult } from './payment-sync.ts';

const envelopeSchema = z.looseObject({
  id: z.string(),
  event_type: z.string(),
  create_time: z.string().optional(),
  resource: z.record(z.string(), z.unknown()),
});

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(resource)'}: ${i.message}`);
  throw new FinalError(`the event's resource is not a valid ${what}: ${problems.join('; ')}`, 'BAD_RESOURCE');
}

function outcomeOf(result: SyncResult): HandlerOutcome {
  if (result.outcome === 'not_found') return { status: 'ignored', outcome: result.detail };
  return { status: 'done', outcome: result.detail };
}

type Apply = (resource: Record<string, unknown>, eventId: string, envelope: z.infer<typeof envelopeSchema>) => Promise<SyncResult>;

function handler(apply: Apply): EventHandler {
  return async ({ envelope }) => {
    const e = parse(envelopeSchema, envelope, 'webhook envelope');
    return outcomeOf(await apply(e.resource, e.id, e));
  };
}

const orderRef = z.looseObject({ id: z.string().min(1) });
const approvalReversedSchema = z.looseObject({ order_id: z.string().optional(), id: z.string().optional() });

export interface EventHandlerOptions {
  clock?: () => Date;
  /** How long the browser may take to capture an approved order itself. */
  browserHeadStartMs?: number;
}

export function createEventHandlers(sync: PaymentSync, options: EventHandlerOptions = {}): HandlerRegistry {
  const clock = options.clock ?? (() => new Date());
  const headStart = options.browserHeadStartMs ?? BROWSER_HEAD_START_MS;
  const registry = new HandlerRegistry();

  const capture = (event: CaptureEventKind): Apply => async (resource, eventId) =>
    sync.applyCapture(parse(captureSchema, resource, 'capture'), { event, eventId });

  registry.register(
    'CHECKOUT.ORDER.APPROVED',
    handler(async (resource, eventId, envelope) => {
      const order = parse(orderRef, resource, 'order');
      // The shopper's browser captures approved orders itself; give it a head start so the two
      // paths do not race (they share one PayPal-Request-Id, so a race would still capture once).
      const created = envelope.create_time ? Date.parse(envelope.create_time) : NaN;
      if (Number.isFinite(created) && clock().getTime() < created + headStart) {
        throw new DeferredError('giving the shopper\'s browser time to capture the order itself', new Date(created + headStart));
      }
      const result = await sync.finishOrder(order.id, { eventId });
      if (result.outcome === 'declined') return { ...result, outcome: 'unchanged' };
      return result;
    }),
  );
  registry.register(
    'CHECKOUT.ORDER.COMPLETED',
    handler(async (resource, eventId) => sync.syncOrder(parse(orderRef, resource, 'order').id, { eventId })),
  );
  registry.register(
    'CHECKOUT.PAYMENT-APPROVAL.REVERSED',
    handler(async (resource, eventId) => {
      const r = parse(approvalReversedSchema, resource, 'approval reversal');
      const orderId = r.order_id ?? r.id;
      if (!orderId) throw new FinalError('the approval reversal names no order', 'BAD_RESOURCE');
      return sync.reverseApproval(orderId, { eventId });
    }),
  );
  const authorization: Apply = async (resource, eventId) => sync.applyAuthorization(parse(authorizationSchema, resource, 'authorization'), { eventId });
  registry.register('PAYMENT.AUTHORIZATION.CREATED', handler(authorization));
  registry.register('PAYMENT.AUTHORIZATION.VOIDED', handler(authorization));
  registry.register('PAYMENT.CAPTURE.COMPLETED', handler(capture('COMPLETED')));
  registry.register('PAYMENT.CAPTURE.PENDING', handler(capture('PENDING')));
  registry.register('PAYMENT.CAPTURE.DENIED', handler(capture('DENIED')));
  registry.register('PAYMENT.CAPTURE.DECLINED', handler(capture('DECLINED')));
  registry.register(
    'PAYMENT.CAPTURE.REFUNDED',
    handler(async (resource, eventId) => {
      const refund = parse(refundSchema, resource, 'refund');
      return sync.syncRefund(refund.id, { kind: 'refund', resource: refund, eventId });
    }),
  );
  registry.register(
    'PAYMENT.CAPTURE.REVERSED',
    handler(async (resource, eventId) => {
      const reversal = parse(refundSchema, resource, 'reversal');
      return sync.syncRefund(reversal.id, { kind: 'reversal', resource: reversal, eventId });
    }),
  );
  const dispute: Apply = async (resource, eventId) => {
    const d = parse(disputeSchema, resource, 'dispute');
    return sync.syncDispute(d.dispute_id, { resource: d, eventId });
  };
  registry.register('CUSTOMER.DISPUTE.CREATED', handler(dispute));
  registry.register('CUSTOMER.DISPUTE.UPDATED', handler(dispute));
  registry.register('CUSTOMER.DISPUTE.RESOLVED', handler(dispute));
  return registry;
}
