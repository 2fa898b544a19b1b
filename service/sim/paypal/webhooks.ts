// Webhooks Management v1: subscriptions (create, list, show, delete) and the postback signature
// check. PayPal allows 10 webhooks per REST app and one subscription per URL; `*` subscribes to
// every event type.
import { PayPalApiError, resourceNotFound } from './errors.ts';
import { resourceId } from './ids.ts';
import { asObject, stringField } from './input.ts';
import { webhookJson } from './representations.ts';
import type { WebhookSigner } from './signing.ts';
import type { ApiAnswer, SimContext, WebhookEvent, WebhookRecord } from './state.ts';

const MAX_WEBHOOKS = 10;

function validationError(field: string, issue: string): PayPalApiError {
  return new PayPalApiError(400, [{ field, issue, location: 'body' }], { name: 'VALIDATION_ERROR', message: 'Invalid request - see details' });
}

export function createWebhook(ctx: SimContext, bodyIn: unknown): ApiAnswer {
  const body = asObject(bodyIn);
  const url = stringField(body, 'url');
  if (url === undefined) throw validationError('url', 'Required field is missing.');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw validationError('url', 'Invalid URL.');
  }
  // Live PayPal insists on https; the simulator also accepts http so tests need no TLS receiver.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw validationError('url', 'URL must use http or https.');
  const types = Array.isArray(body?.['event_types']) ? (body['event_types'] as unknown[]).map((t) => stringField(asObject(t), 'name')) : [];
  if (types.length === 0 || types.some((t) => t === undefined || t === '')) throw validationError('event_types', 'At least one event type name is required.');
  const existing = [...ctx.state.webhooks.values()];
  if (existing.some((w) => w.url === url)) throw new PayPalApiError(400, [], { name: 'WEBHOOK_URL_ALREADY_EXISTS', message: 'Webhook URL already exists' });
  if (existing.length >= MAX_WEBHOOKS) throw new PayPalApiError(400, [], { name: 'WEBHOOK_NUMBER_LIMIT_EXCEEDED', message: 'Maximum number of webhooks exceeded' });
  const webhook: WebhookRecord = { id: resourceId(), url, eventTypes: types as string[] };
  ctx.state.webhooks.set(webhook.id, webhook);
  return { status: 201, body: webhookJson(ctx, webhook) };
}

export function listWebhooks(ctx: SimContext): ApiAnswer {
  return { status: 200, body: { webhooks: [...ctx.state.webhooks.values()].map((w) => webhookJson(ctx, w)) } };
}

function findWebhook(ctx: SimContext, id: string): WebhookRecord {
  const webhook = ctx.state.webhooks.get(id);
  if (!webhook) throw resourceNotFound('webhook_id', id);
  return webhook;
}

export function getWebhook(ctx: SimContext, id: string): ApiAnswer {
  return { status: 200, body: webhookJson(ctx, findWebhook(ctx, id)) };
}

export function deleteWebhook(ctx: SimContext, id: string): ApiAnswer {
  findWebhook(ctx, id);
  ctx.state.webhooks.delete(id);
  return { status: 204 };
}

export function subscribers(ctx: SimContext, eventType: string): WebhookRecord[] {
  return [...ctx.state.webhooks.values()].filter((w) => w.eventTypes.includes('*') || w.eventTypes.includes(eventType));
}

/**
 * `POST /v1/notifications/verify-webhook-signature`. The signature is recomputed over the bytes the
 * event was originally sent with (looked up by event id), as PayPal does; an event the simulator
 * never sent is checked over its compact JSON serialization.
 */
export function verifyWebhookSignature(ctx: SimContext, signer: WebhookSigner, bodyIn: unknown): ApiAnswer {
  const body = asObject(bodyIn) ?? {};
  const event = asObject(body['webhook_event']) as WebhookEvent | undefined;
  const original = event?.id !== undefined ? ctx.state.eventBodies.get(event.id) : undefined;
  const bytes = original ?? Buffer.from(JSON.stringify(event ?? {}), 'utf8');
  const ok = signer.verify({
    authAlgo: stringField(body, 'auth_algo') ?? '',
    certUrl: stringField(body, 'cert_url') ?? '',
    transmissionId: stringField(body, 'transmission_id') ?? '',
    transmissionTime: stringField(body, 'transmission_time') ?? '',
    transmissionSig: stringField(body, 'transmission_sig') ?? '',
    webhookId: stringField(body, 'webhook_id') ?? '',
    body: bytes,
  });
  return { status: 200, body: { verification_status: ok ? 'SUCCESS' : 'FAILURE' } };
}
