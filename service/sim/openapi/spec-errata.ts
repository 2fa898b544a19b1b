// Known defects in PayPal's published OpenAPI documents (snapshot of 2024-02), corrected before the
// documents are used. Each entry says what PayPal's live API does that the document contradicts.
// An entry whose target no longer exists fails loudly, so an updated document is re-examined
// instead of silently patched.
import { isObject, resolvePointer, type JsonObject, type SpecDocument } from './spec-documents.ts';

interface Erratum {
  doc: string;
  /** Local JSON pointer to the object the fix changes. */
  target: string;
  why: string;
  fix(target: JsonObject): void;
}

export const SPEC_ERRATA: readonly Erratum[] = [
  {
    doc: 'notifications_webhooks_v1',
    target: '#/components/schemas/verify_webhook_signature/properties/transmission_sig',
    why:
      'The signature is base64 (RFC 4648), whose alphabet includes "+" and "/". The published pattern ' +
      '`^(?!\\d+$)\\w+\\S+` demands a word character first and so rejects about 1 in 32 genuine ' +
      'PAYPAL-TRANSMISSION-SIG values.',
    fix(target) {
      target['pattern'] = '^[A-Za-z0-9+/]+={0,2}$';
    },
  },
  {
    doc: 'checkout_orders_v2',
    target: '#/components/schemas/orders.capture-422/properties/details/items',
    why:
      'Capturing an order created with intent AUTHORIZE answers 422 ACTION_DOES_NOT_MATCH_INTENT (the ' +
      'authorize operation documents the mirror case), but the capture operation does not list the issue.',
    fix(target) {
      const branches = target['anyOf'];
      if (!Array.isArray(branches)) throw new Error('expected anyOf');
      branches.push({
        title: 'ACTION_DOES_NOT_MATCH_INTENT',
        properties: { issue: { type: 'string', enum: ['ACTION_DOES_NOT_MATCH_INTENT'] }, description: { type: 'string' } },
      });
    },
  },
];

export function applySpecErrata(docs: SpecDocument[]): void {
  for (const erratum of SPEC_ERRATA) {
    const doc = docs.find((d) => d.name === erratum.doc);
    if (!doc) continue; // a test may load a subset of the documents
    let target: unknown;
    try {
      target = resolvePointer(doc.raw, erratum.target);
    } catch {
      target = undefined;
    }
    if (!isObject(target)) {
      throw new Error(`Spec erratum for ${erratum.doc} ${erratum.target} no longer applies: the target is gone. Re-check the updated document and remove or adapt the erratum in service/sim/openapi/spec-errata.ts.`);
    }
    erratum.fix(target);
  }
}
