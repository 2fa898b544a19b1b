// Webhook event envelopes as PayPal sends them (Webhooks v1 `event`):
// `{id: "WH-…", event_version: "1.0", create_time, resource_type, resource_version, event_type,
// summary, resource, links}`.
import { eventId } from './ids.ts';
import type { Link, WebhookEvent } from './state.ts';

export interface BuildEventOptions {
  resourceType?: string;
  summary?: string;
  id?: string;
  /** Defaults to the simulator's clock. */
  createTime?: Date;
}

/** PayPal's `resource_type` and `resource_version` per event family. */
export function resourceTypeOf(eventType: string): { type: string; version: string } {
  if (eventType.startsWith('CHECKOUT.')) return { type: 'checkout-order', version: '2.0' };
  if (eventType === 'PAYMENT.CAPTURE.REFUNDED' || eventType === 'PAYMENT.CAPTURE.REVERSED') return { type: 'refund', version: '2.0' };
  if (eventType.startsWith('PAYMENT.CAPTURE.')) return { type: 'capture', version: '2.0' };
  if (eventType.startsWith('PAYMENT.AUTHORIZATION.')) return { type: 'authorization', version: '2.0' };
  if (eventType.startsWith('CUSTOMER.DISPUTE.')) return { type: 'dispute', version: '1.0' };
  return { type: 'unknown', version: '1.0' };
}

function amountText(resource: Record<string, unknown>): string {
  const amount = (resource['amount'] ?? resource['dispute_amount']) as { value?: unknown; currency_code?: unknown } | undefined;
  return amount && typeof amount.value === 'string' ? `${amount.value} ${String(amount.currency_code)}` : '';
}

function defaultSummary(eventType: string, resource: Record<string, unknown>): string {
  const amount = amountText(resource);
  switch (eventType) {
    case 'CHECKOUT.ORDER.APPROVED':
      return 'An order has been approved by buyer';
    case 'CHECKOUT.ORDER.COMPLETED':
      return 'Checkout Order Completed';
    case 'CHECKOUT.PAYMENT-APPROVAL.REVERSED':
      return 'A payment approval has been reversed';
    case 'PAYMENT.CAPTURE.COMPLETED':
      return `Payment completed for ${amount}`;
    case 'PAYMENT.CAPTURE.PENDING':
      return `Payment pending for ${amount}`;
    case 'PAYMENT.CAPTURE.DENIED':
      return `Payment denied for ${amount}`;
    case 'PAYMENT.CAPTURE.DECLINED':
      return `Payment declined for ${amount}`;
    case 'PAYMENT.CAPTURE.REFUNDED':
      return `A ${amount} capture payment was refunded`;
    case 'PAYMENT.CAPTURE.REVERSED':
      return `A ${amount} capture payment was reversed`;
    case 'PAYMENT.AUTHORIZATION.CREATED':
      return `Payment authorization created for ${amount}`;
    case 'PAYMENT.AUTHORIZATION.VOIDED':
      return 'A payment authorization was voided';
    case 'CUSTOMER.DISPUTE.CREATED':
      return `A new dispute opened with Case # ${String(resource['dispute_id'])}`;
    case 'CUSTOMER.DISPUTE.UPDATED':
      return `A dispute was updated with Case # ${String(resource['dispute_id'])}`;
    case 'CUSTOMER.DISPUTE.RESOLVED':
      return `A dispute was resolved with Case # ${String(resource['dispute_id'])}`;
    default:
      return eventType;
  }
}

export function buildEvent(apiBase: string, now: Date, eventType: string, resource: Record<string, unknown>, options: BuildEventOptions = {}): WebhookEvent {
  const id = options.id ?? eventId();
  const kind = resourceTypeOf(eventType);
  const links: Link[] = [
    { href: `${apiBase}/v1/notifications/webhooks-events/${id}`, rel: 'self', method: 'GET' },
    { href: `${apiBase}/v1/notifications/webhooks-events/${id}/resend`, rel: 'resend', method: 'POST' },
  ];
  return {
    id,
    event_version: '1.0',
    create_time: (options.createTime ?? now).toISOString(),
    resource_type: options.resourceType ?? kind.type,
    resource_version: kind.version,
    event_type: eventType,
    summary: options.summary ?? defaultSummary(eventType, resource),
    resource,
    links,
  };
}

/**
 * The OpenAPI component schema an event's resource follows, or undefined when PayPal documents none
 * (CHECKOUT.PAYMENT-APPROVAL.REVERSED carries a small ad-hoc object).
 */
export function resourceSchemaOf(eventType: string): { doc: string; schema: string } | undefined {
  if (eventType === 'CHECKOUT.ORDER.APPROVED' || eventType === 'CHECKOUT.ORDER.COMPLETED') return { doc: 'checkout_orders_v2', schema: 'order' };
  if (eventType === 'PAYMENT.CAPTURE.REFUNDED' || eventType === 'PAYMENT.CAPTURE.REVERSED') return { doc: 'payments_payment_v2', schema: 'refund' };
  if (eventType.startsWith('PAYMENT.CAPTURE.')) return { doc: 'payments_payment_v2', schema: 'capture-2' };
  if (eventType.startsWith('PAYMENT.AUTHORIZATION.')) return { doc: 'payments_payment_v2', schema: 'authorization-2' };
  if (eventType.startsWith('CUSTOMER.DISPUTE.')) return { doc: 'customer_disputes_v1', schema: 'dispute' };
  return undefined;
}

/** The JSON bytes an event is sent with: compact, like PayPal's. */
export function serializeEvent(event: WebhookEvent): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}
