// PayPal transactions written straight into the Odoo simulator's records (done payments with a
// capture and an order id, one shared customer, one minute apart, amounts 10.00, 10.01, …): list
// fillers for the back-office browser tests and its benchmark. Reference `<prefix>-00042`,
// capture id `<prefix>CAP00000042`, order id `<prefix>ORD00000042`.
import { blankPayPalFields } from '../../service/sim/odoo/payment-flow.ts';
import type { SimDatabase } from '../../service/sim/odoo/records.ts';

export function seedPayPalTransactions(db: SimDatabase, count: number, prefix: string): void {
  const provider = db.paypalProvider();
  const partnerId = db.nextId('res.partner');
  db.partners.push({ id: partnerId, name: `${prefix} Customer`, email: `${prefix.toLowerCase()}@example.com`, paypal_payer_id: undefined });
  const start = Date.now() - count * 60_000;
  const width = Math.max(5, String(count - 1).length);
  for (let i = 0; i < count; i++) {
    const captureId = seededCaptureId(prefix, i);
    db.transactions.push({
      ...blankPayPalFields(),
      id: db.nextId('payment.transaction'),
      reference: `${prefix}-${String(i).padStart(width, '0')}`,
      provider_id: provider.id,
      amount: BigInt(1000 + i),
      currency: 'USD',
      state: 'done',
      state_message: undefined,
      last_state_change: new Date(start + i * 60_000),
      operation: 'online_direct',
      source_transaction_id: undefined,
      partner_id: partnerId,
      sale_order_ids: [],
      payment_id: undefined,
      is_post_processed: true,
      provider_reference: captureId,
      paypal_capture_id: captureId,
      paypal_order_id: `${prefix}ORD${String(i).padStart(8, '0')}`,
    });
  }
}

export function seededCaptureId(prefix: string, index: number): string {
  return `${prefix}CAP${String(index).padStart(8, '0')}`;
}
