// The PayPal webhook events the bridge acts on (service/ARCHITECTURE.md, "What each PayPal event
// does in Odoo"), and the rule that groups the events of one payment so the worker never runs two
// of them at once.
// Anything not listed here is still stored and shown, as ignored.

export const EVENT_CATALOGUE = [
  { type: 'CHECKOUT.ORDER.APPROVED', description: 'Finishes the capture or authorization if the browser did not, with the same idempotency key.' },
  { type: 'CHECKOUT.ORDER.COMPLETED', description: 'Re-reads the order from PayPal and applies its capture to the transaction.' },
  { type: 'CHECKOUT.PAYMENT-APPROVAL.REVERSED', description: 'Cancels the transaction: the approval was reversed before any capture.' },
  { type: 'PAYMENT.AUTHORIZATION.CREATED', description: 'Marks the transaction authorized, with the authorization id and its expiry.' },
  { type: 'PAYMENT.AUTHORIZATION.VOIDED', description: 'Cancels the authorized transaction (voided, or expired after 29 days).' },
  { type: 'PAYMENT.CAPTURE.COMPLETED', description: 'Marks the transaction done with capture id, fee and net; Odoo posts the payment and confirms the order.' },
  { type: 'PAYMENT.CAPTURE.PENDING', description: 'Marks the transaction pending with PayPal\u2019s reason; UNILATERAL goes to error for manual review.' },
  { type: 'PAYMENT.CAPTURE.DENIED', description: 'Cancels the transaction: PayPal denied the capture.' },
  { type: 'PAYMENT.CAPTURE.DECLINED', description: 'Puts the transaction in error with the decline reason.' },
  { type: 'PAYMENT.CAPTURE.REFUNDED', description: 'Creates one refund transaction per PayPal refund id with that refund\u2019s own amount.' },
  { type: 'PAYMENT.CAPTURE.REVERSED', description: 'Books the reversal like a refund and flags it; the sale order stays confirmed.' },
  { type: 'CUSTOMER.DISPUTE.CREATED', description: 'Creates the dispute record and an activity for the responsible user.' },
  { type: 'CUSTOMER.DISPUTE.UPDATED', description: 'Updates the dispute\u2019s status, amount and seller response deadline.' },
  { type: 'CUSTOMER.DISPUTE.RESOLVED', description: 'Closes the dispute with PayPal\u2019s outcome.' },
] as const satisfies readonly { type: string; description: string }[];

export type CatalogueEventType = (typeof EVENT_CATALOGUE)[number]['type'];

export const CATALOGUE_EVENT_TYPES: readonly CatalogueEventType[] = EVENT_CATALOGUE.map((e) => e.type);

const TYPES = new Set<string>(CATALOGUE_EVENT_TYPES);

export function isCatalogueEventType(type: string): type is CatalogueEventType {
  return TYPES.has(type);
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function id(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return v === '' ? undefined : v;
}

/** The id after `/<collection>/` in the href of the resource's rel="up" link, if it has one. */
function upLinkId(resource: Json, collection: 'checkout/orders' | 'payments/captures'): string | undefined {
  const links = resource['links'];
  if (!Array.isArray(links)) return undefined;
  const pattern = new RegExp(`/v\\d+/${collection}/([^/?#]+)`);
  for (const link of links) {
    const l = obj(link);
    if (!l || l['rel'] !== 'up' || typeof l['href'] !== 'string') continue;
    const m = pattern.exec(l['href']);
    if (m?.[1]) {
      try {
        return id(decodeURIComponent(m[1]));
      } catch {
        return id(m[1]);
      }
    }
  }
  return undefined;
}

/**
 * Which payment an event belongs to, for the worker's "one event per payment at a time" rule:
 * 1. the PayPal order id, where PayPal gives it: `supplementary_data.related_ids.order_id`
 *    (captures, authorizations), the resource itself for checkout-order events, `order_id` for
 *    CHECKOUT.PAYMENT-APPROVAL.REVERSED, or a rel="up" link to the order;
 * 2. else the capture id, from a refund's (or reversal's) rel="up" link to its capture;
 * 3. else the capture id a dispute names (`disputed_transactions[0].seller_transaction_id`);
 * 4. else the resource's own id (`id`, or `dispute_id` for disputes);
 * null when the envelope names none of these.
 * A refund or dispute thus groups by capture id while its capture grouped by order id: PayPal does
 * not put the order id on refunds or disputes, and looking it up is the handler's business.
 */
export function partitionKeyOf(envelope: unknown): string | null {
  const env = obj(envelope);
  const resource = obj(env?.['resource']);
  if (!env || !resource) return null;
  const eventType = typeof env['event_type'] === 'string' ? env['event_type'] : '';
  const resourceType = typeof env['resource_type'] === 'string' ? env['resource_type'].toLowerCase() : '';
  const isOrder = resourceType === 'checkout-order' || eventType.startsWith('CHECKOUT.ORDER.');

  const orderId =
    id(obj(obj(resource['supplementary_data'])?.['related_ids'])?.['order_id']) ??
    (isOrder ? id(resource['id']) : undefined) ??
    id(resource['order_id']) ??
    upLinkId(resource, 'checkout/orders');
  if (orderId) return orderId;

  const captureId = upLinkId(resource, 'payments/captures');
  if (captureId) return captureId;

  const disputed = resource['disputed_transactions'];
  if (Array.isArray(disputed)) {
    const sellerTransaction = id(obj(disputed[0])?.['seller_transaction_id']);
    if (sellerTransaction) return sellerTransaction;
  }

  return id(resource['id']) ?? id(resource['dispute_id']) ?? null;
}
