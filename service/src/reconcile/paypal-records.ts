// A Transaction Search `transaction_detail` turned into the record the reconciliation keeps.
import type { TransactionInfo } from '../paypal/transaction-search.ts';
import { classifyEventCode } from './event-codes.ts';
import type { PayPalRecord } from './types.ts';
import { parsePayPalDate } from './windows.ts';

/** Why a PayPal line cannot be used; the pull reports these instead of guessing. */
export class UnreadableRecordError extends Error {
  constructor(transactionId: string, problem: string) {
    super(`PayPal transaction ${transactionId}: ${problem}`);
    this.name = 'UnreadableRecordError';
  }
}

export function toPayPalRecord(info: TransactionInfo): PayPalRecord {
  const id = info.transaction_id;
  const eventCode = info.transaction_event_code;
  if (!eventCode) throw new UnreadableRecordError(id, 'no transaction_event_code');
  const money = info.transaction_amount;
  if (!money) throw new UnreadableRecordError(id, 'no transaction_amount');
  const initiated = parsePayPalDate(info.transaction_initiation_date);
  const updated = parsePayPalDate(info.transaction_updated_date) ?? initiated;
  if (!initiated || !updated) throw new UnreadableRecordError(id, `unreadable dates (${info.transaction_initiation_date ?? 'none'})`);
  const fee = info.fee_amount;
  return {
    transactionId: id,
    eventCode,
    kind: classifyEventCode(eventCode, money.value),
    status: info.transaction_status ?? '',
    currency: money.currency_code,
    amount: money.value,
    fee: fee ? fee.value : null,
    referenceId: info.paypal_reference_id ?? null,
    invoiceId: info.invoice_id ?? null,
    customField: info.custom_field ?? null,
    initiatedAt: initiated,
    updatedAt: updated,
  };
}

/** The record's key in the store: PayPal's transaction id is not unique on its own. */
export function recordKey(record: Pick<PayPalRecord, 'transactionId' | 'eventCode'>): string {
  return `${record.transactionId}/${record.eventCode}`;
}
