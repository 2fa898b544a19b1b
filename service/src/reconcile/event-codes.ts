// PayPal's transaction event codes (T-codes) in Transaction Search, sorted into what the
// reconciliation does with them. Source: PayPal's "Transaction event codes" reference, as quoted by
// its Transaction Search documentation; the same labels are used by OCA's PayPal statement import.
//
//   capture          money received for a payment; matched to the Odoo transaction holding the capture
//   refund           T1107 "Payment refund, initiated by merchant"; matched to the Odoo refund transaction
//   reversal         T1106 "Payment reversal, initiated by PayPal", T1201 "Chargeback"; booked in Odoo
//                    like a refund (PAYMENT.CAPTURE.REVERSED), matched the same way
//   dispute_hold     T1110 "Hold for dispute investigation": money set aside inside PayPal, nothing to
//                    book in Odoo (the dispute itself reaches Odoo through CUSTOMER.DISPUTE.* events)
//   dispute_release  T1111 "Cancellation of hold for dispute resolution"
//   fee              T01xx, PayPal fees not tied to one payment (chargeback fee, monthly fees, …)
//   other            transfers, withdrawals, currency conversions, holds, payments the merchant sent…
//
// Payment codes are a capture only when money came in: the same codes with a negative amount are
// payments the account sent (a subscription it paid, a MassPay), not sales.
import { isNegative, isZero } from '../shared/decimal.ts';

export type RecordKind = 'capture' | 'refund' | 'reversal' | 'dispute_hold' | 'dispute_release' | 'fee' | 'other';
export const RECORD_KINDS: readonly RecordKind[] = ['capture', 'refund', 'reversal', 'dispute_hold', 'dispute_release', 'fee', 'other'];

/** Codes under which a buyer's payment reaches the merchant (website, Checkout APIs, cards, …). */
const PAYMENT_CODES = new Set([
  'T0003', // pre-approved payment (billing agreement)
  'T0004', // eBay auction payment
  'T0005', // direct payment API (cards)
  'T0006', // PayPal Checkout APIs (Orders v2, Express Checkout)
  'T0007', // website payments standard
  'T0011', // mobile payment
  'T0012', // virtual terminal
  'T0013', // donation
  'T0018', // PayPal Here
]);

export const EVENT_CODE_LABELS: Readonly<Record<string, string>> = {
  T0006: 'PayPal Checkout APIs',
  T1106: 'Payment reversal, initiated by PayPal',
  T1107: 'Payment refund, initiated by merchant',
  T1110: 'Hold for dispute investigation',
  T1111: 'Cancellation of hold for dispute resolution',
  T1201: 'Chargeback',
};

export function classifyEventCode(code: string, amount: string): RecordKind {
  if (PAYMENT_CODES.has(code)) return !isNegative(amount) && !isZero(amount) ? 'capture' : 'other';
  switch (code) {
    case 'T1107':
      return 'refund';
    case 'T1106':
    case 'T1201':
      return 'reversal';
    case 'T1110':
      return 'dispute_hold';
    case 'T1111':
      return 'dispute_release';
    default:
      return /^T01\d\d$/.test(code) ? 'fee' : 'other';
  }
}
