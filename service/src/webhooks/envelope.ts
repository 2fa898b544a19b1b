// The part of PayPal's webhook envelope that intake needs. The resource itself is checked by the
// event's handler; intake only needs the event id (idempotency key), the type (dispatch) and what
// groups the events of one payment.
import { z } from 'zod';

const envelopeSchema = z.looseObject({
  id: z.string().trim().min(1, 'id is empty').max(255, 'id is longer than 255 characters'),
  event_type: z
    .string()
    .trim()
    .min(1, 'event_type is empty')
    .max(128)
    .regex(/^[A-Z0-9_.-]+$/, 'event_type is not an upper-case dotted name'),
  resource_type: z.string().max(128).nullish(),
  create_time: z.string().max(64).nullish(),
  resource: z.looseObject({ id: z.string().max(255).nullish(), dispute_id: z.string().max(255).nullish() }).nullish(),
});

export type WebhookEnvelope = z.infer<typeof envelopeSchema>;

export type EnvelopeResult = { ok: true; envelope: WebhookEnvelope; json: unknown } | { ok: false; code: 'MALFORMED_JSON' | 'BAD_ENVELOPE'; message: string };

export function parseEnvelope(rawBody: Buffer): EnvelopeResult {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch (err) {
    return { ok: false, code: 'MALFORMED_JSON', message: `the body is not valid JSON: ${(err as Error).message}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, code: 'BAD_ENVELOPE', message: 'the body is not a JSON object' };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    return { ok: false, code: 'BAD_ENVELOPE', message: `not a PayPal webhook event: ${problems.join('; ')}` };
  }
  return { ok: true, envelope: parsed.data, json };
}
