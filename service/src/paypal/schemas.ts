// What we read from PayPal's answers, checked with zod. Objects are loose: PayPal adds optional
// fields over time, and unknown fields pass through untouched. The fields the bridge relies on are
// checked strictly: ids, status enums (from the official OpenAPI documents in
// service/sim/openapi/paypal-documents), and money as {currency_code, value} with the value a decimal string.
// Amounts stay strings end to end; nothing here turns them into floats.
//
// Status `reason`s are kept as plain strings: they are shown to people, and a new reason must not
// make a capture unreadable. A new *status* does fail the parse (PayPalResponseError): the bridge
// cannot act on a state it does not know, and the error says to update this file.
import { z } from 'zod';

/** PayPal's money value pattern (Orders v2 / Payments v2 `money.value`). */
export const MONEY_VALUE_PATTERN = /^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$/;
export const CURRENCY_CODE_PATTERN = /^[A-Z]{3}$/;

export const moneySchema = z.looseObject({
  currency_code: z.string().regex(CURRENCY_CODE_PATTERN, 'a three-letter ISO-4217 code'),
  value: z.string().max(32).regex(MONEY_VALUE_PATTERN, 'a decimal string such as "10.00"'),
});

const idSchema = z.string().min(1);
const linkSchema = z.looseObject({ href: z.string(), rel: z.string(), method: z.string().optional() });
const linksSchema = z.array(linkSchema).optional();
const statusDetailsSchema = z.looseObject({ reason: z.string().optional() }).optional();
const timestamps = { create_time: z.string().optional(), update_time: z.string().optional() };

export const ORDER_STATUSES = ['CREATED', 'SAVED', 'APPROVED', 'VOIDED', 'COMPLETED', 'PAYER_ACTION_REQUIRED'] as const;
export const ORDER_INTENTS = ['CAPTURE', 'AUTHORIZE'] as const;
export const CAPTURE_STATUSES = ['COMPLETED', 'DECLINED', 'PARTIALLY_REFUNDED', 'PENDING', 'REFUNDED', 'FAILED'] as const;
export const AUTHORIZATION_STATUSES = ['CREATED', 'CAPTURED', 'DENIED', 'PARTIALLY_CAPTURED', 'VOIDED', 'PENDING'] as const;
export const REFUND_STATUSES = ['CANCELLED', 'FAILED', 'PENDING', 'COMPLETED'] as const;
export const DISPUTE_STATUSES = [
  'OPEN',
  'WAITING_FOR_BUYER_RESPONSE',
  'WAITING_FOR_SELLER_RESPONSE',
  'UNDER_REVIEW',
  'RESOLVED',
  'OTHER',
] as const;
export const DISPUTE_LIFE_CYCLE_STAGES = ['INQUIRY', 'CHARGEBACK', 'PRE_ARBITRATION', 'ARBITRATION'] as const;
export const DISPUTE_OUTCOME_CODES = [
  'RESOLVED_BUYER_FAVOUR',
  'RESOLVED_SELLER_FAVOUR',
  'RESOLVED_WITH_PAYOUT',
  'CANCELED_BY_BUYER',
  'ACCEPTED',
  'DENIED',
  'NONE',
] as const;

export const relatedIdsSchema = z.looseObject({
  order_id: z.string().optional(),
  authorization_id: z.string().optional(),
  capture_id: z.string().optional(),
});
const supplementaryDataSchema = z.looseObject({ related_ids: relatedIdsSchema.optional() }).optional();

export const captureSchema = z.looseObject({
  id: idSchema,
  status: z.enum(CAPTURE_STATUSES),
  status_details: statusDetailsSchema,
  amount: moneySchema,
  invoice_id: z.string().optional(),
  custom_id: z.string().optional(),
  final_capture: z.boolean().optional(),
  seller_receivable_breakdown: z
    .looseObject({
      gross_amount: moneySchema,
      paypal_fee: moneySchema.optional(),
      net_amount: moneySchema.optional(),
      receivable_amount: moneySchema.optional(),
    })
    .optional(),
  supplementary_data: supplementaryDataSchema,
  links: linksSchema,
  ...timestamps,
});

export const authorizationSchema = z.looseObject({
  id: idSchema,
  status: z.enum(AUTHORIZATION_STATUSES),
  status_details: statusDetailsSchema,
  amount: moneySchema,
  invoice_id: z.string().optional(),
  custom_id: z.string().optional(),
  expiration_time: z.string().optional(),
  supplementary_data: supplementaryDataSchema,
  links: linksSchema,
  ...timestamps,
});

export const refundSchema = z.looseObject({
  id: idSchema,
  status: z.enum(REFUND_STATUSES),
  status_details: statusDetailsSchema,
  amount: moneySchema,
  invoice_id: z.string().optional(),
  custom_id: z.string().optional(),
  note_to_payer: z.string().optional(),
  seller_payable_breakdown: z
    .looseObject({
      gross_amount: moneySchema.optional(),
      paypal_fee: moneySchema.optional(),
      net_amount: moneySchema.optional(),
      /** Cumulative over all refunds of the capture, not this refund's amount. */
      total_refunded_amount: moneySchema.optional(),
    })
    .optional(),
  links: linksSchema,
  ...timestamps,
});

export const purchaseUnitSchema = z.looseObject({
  reference_id: z.string().optional(),
  amount: moneySchema.optional(),
  custom_id: z.string().optional(),
  invoice_id: z.string().optional(),
  payments: z
    .looseObject({
      authorizations: z.array(authorizationSchema).optional(),
      captures: z.array(captureSchema).optional(),
      refunds: z.array(refundSchema).optional(),
    })
    .optional(),
});

export const payerSchema = z.looseObject({
  payer_id: z.string().optional(),
  email_address: z.string().optional(),
});

export const orderSchema = z.looseObject({
  id: idSchema,
  status: z.enum(ORDER_STATUSES),
  intent: z.enum(ORDER_INTENTS).optional(),
  payer: payerSchema.optional(),
  purchase_units: z.array(purchaseUnitSchema).optional(),
  links: linksSchema,
  ...timestamps,
});

export const webhookSchema = z.looseObject({
  id: idSchema,
  url: z.string(),
  event_types: z.array(z.looseObject({ name: z.string() })),
  links: linksSchema,
});

export const webhookListSchema = z.looseObject({ webhooks: z.array(webhookSchema).optional() });

export const verifyWebhookSignatureResponseSchema = z.looseObject({
  verification_status: z.enum(['SUCCESS', 'FAILURE']),
});

export const disputeSchema = z.looseObject({
  dispute_id: idSchema,
  status: z.enum(DISPUTE_STATUSES),
  reason: z.string().optional(),
  dispute_amount: moneySchema.optional(),
  dispute_life_cycle_stage: z.enum(DISPUTE_LIFE_CYCLE_STAGES).optional(),
  seller_response_due_date: z.string().optional(),
  disputed_transactions: z
    .array(
      z.looseObject({
        seller_transaction_id: z.string().optional(),
        invoice_number: z.string().optional(),
        custom: z.string().optional(),
        gross_amount: moneySchema.optional(),
      }),
    )
    .optional(),
  dispute_outcome: z
    .looseObject({
      outcome_code: z.enum(DISPUTE_OUTCOME_CODES).optional(),
      amount_refunded: moneySchema.optional(),
    })
    .optional(),
  links: linksSchema,
  ...timestamps,
});

/** The OAuth 2.0 client-credentials answer. */
export const accessTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
});

/** PayPal's error body (REST shape) — parsed leniently, every field optional. */
export const errorBodySchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  debug_id: z.string().optional(),
  information_link: z.string().optional(),
  details: z
    .array(
      z.looseObject({
        issue: z.string().optional(),
        field: z.string().optional(),
        value: z.unknown().optional(),
        location: z.string().optional(),
        description: z.string().optional(),
      }),
    )
    .optional(),
  // The OAuth endpoint answers in OAuth's shape instead.
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export type Money = z.infer<typeof moneySchema>;
export type PayPalOrder = z.infer<typeof orderSchema>;
export type PayPalPurchaseUnit = z.infer<typeof purchaseUnitSchema>;
export type PayPalCapture = z.infer<typeof captureSchema>;
export type PayPalAuthorization = z.infer<typeof authorizationSchema>;
export type PayPalRefund = z.infer<typeof refundSchema>;
export type PayPalWebhook = z.infer<typeof webhookSchema>;
export type PayPalDispute = z.infer<typeof disputeSchema>;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type CaptureStatus = (typeof CAPTURE_STATUSES)[number];
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];
export type RefundStatus = (typeof REFUND_STATUSES)[number];
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
