// Odoo 18's payment state machine and post-processing, as the simulator runs them. Each rule cites
// the Odoo code it follows (odoo/addons/payment, account_payment, sale: models/payment_transaction.py).
import { abs } from './money.ts';
import { validationError } from './faults.ts';
import type { SimDatabase, SimTransaction, TxStateName } from './records.ts';

// payment/models/payment_transaction.py, _set_pending ... _set_error: the states each target may
// be reached from. Anything else is refused by _update_state (logged, nothing written), which is
// what makes every transition forward-only.
export const ALLOWED_SOURCE_STATES: Record<Exclude<TxStateName, 'draft'>, readonly TxStateName[]> = {
  pending: ['draft'],
  authorized: ['draft', 'pending'],
  done: ['draft', 'pending', 'authorized', 'error'],
  cancel: ['draft', 'pending', 'authorized'],
  error: ['draft', 'pending', 'authorized'],
};

export class PaymentFlow {
  private readonly db: SimDatabase;
  private readonly now: () => Date;

  constructor(db: SimDatabase, now: () => Date) {
    this.db = db;
    this.now = now;
  }

  /**
   * `_update_state`: moves the transaction when its state is an allowed source; returns whether it
   * moved. Same state or a wrong state: nothing is written.
   */
  private updateState(tx: SimTransaction, allowed: readonly TxStateName[], target: TxStateName, message: string | undefined): boolean {
    if (!allowed.includes(tx.state)) return false;
    tx.state = target;
    tx.state_message = message;
    tx.last_state_change = this.now();
    tx.is_post_processed = false; // "Reset to allow post-processing again for other states."
    return true;
  }

  /** `_set_<target>`: the transition with Odoo's allowed sources; `done`/`cancel` also settle the source. */
  setState(tx: SimTransaction, target: Exclude<TxStateName, 'draft'>, message?: string): boolean {
    if (target === 'authorized') this.checkAuthorizationSupported(tx);
    const moved = this.updateState(tx, ALLOWED_SOURCE_STATES[target], target, message);
    if (moved && (target === 'done' || target === 'cancel')) this.updateSourceTransactionState(tx);
    return moved;
  }

  /** `_check_state_authorized_supported`: `authorized` needs a provider that supports manual capture. */
  private checkAuthorizationSupported(tx: SimTransaction): void {
    const provider = this.db.provider(tx.provider_id);
    // payment_paypal has no manual capture; paypal_bridge adds it ('partial') when the bridge is enabled.
    if (!provider?.paypal_bridge_enabled) {
      throw validationError(`Transaction authorization is not supported by the following payment providers: ${provider?.name ?? 'PayPal'}`);
    }
  }

  /**
   * `_update_source_transaction_state`: once the done/cancelled children of the same operation add
   * up to the source's amount, an `authorized` source becomes `done` (partial captures + voids).
   */
  private updateSourceTransactionState(child: SimTransaction): void {
    if (child.source_transaction_id === undefined) return;
    const source = this.db.tx(child.source_transaction_id);
    if (!source) return;
    const processed = this.db
      .children(source)
      .filter((t) => (t.state === 'done' || t.state === 'cancel') && t.operation === child.operation)
      .reduce((sum, t) => sum + t.amount, 0n);
    if (processed === source.amount) {
      this.updateState(
        source,
        ['authorized'],
        'done',
        'This transaction has been confirmed following the processing of its partial capture and partial void transactions (PayPal).',
      );
    }
  }

  /**
   * `_post_process` with the overrides of sale and account_payment:
   * - pending: quotations in draft are marked sent;
   * - authorized / done: the single linked quotation is confirmed once the authorized + done
   *   transactions reach its total (`_check_amount_and_confirm_order`);
   * - done: a payment is created and posted (inbound for a positive amount, outbound for a refund),
   *   unless the transaction already has one or has settled children (partial captures carry
   *   their own payments);
   * - cancel: the transaction's payment is cancelled.
   */
  postProcess(tx: SimTransaction): void {
    if (tx.state === 'pending') {
      for (const order of this.orders(tx)) if (order.state === 'draft') order.state = 'sent';
    }
    if (tx.state === 'authorized' || tx.state === 'done') this.checkAmountAndConfirmOrder(tx);
    if (tx.state === 'done') {
      const settledChildren = this.db.children(tx).some((c) => c.state === 'done' || c.state === 'cancel');
      if (tx.operation !== 'validation' && tx.payment_id === undefined && !settledChildren) this.createPayment(tx);
      if (tx.payment_id !== undefined) {
        const payment = this.db.payment(tx.payment_id);
        const message = `The payment related to the transaction with reference ${tx.reference} has been posted: ${payment?.name ?? ''}`;
        for (const order of this.orders(tx.source_transaction_id === undefined ? tx : (this.db.tx(tx.source_transaction_id) ?? tx))) order.messages.push(message);
      }
    }
    if (tx.state === 'cancel' && tx.payment_id !== undefined) {
      const payment = this.db.payment(tx.payment_id);
      if (payment) payment.state = 'canceled';
    }
    tx.is_post_processed = true;
  }

  private orders(tx: SimTransaction) {
    return tx.sale_order_ids.map((id) => this.db.order(id)).filter((o) => o !== undefined);
  }

  private checkAmountAndConfirmOrder(tx: SimTransaction): void {
    // "We only support the flow where exactly one quotation is linked to a transaction."
    if (tx.sale_order_ids.length !== 1) return;
    const order = this.db.order(tx.sale_order_ids[0] ?? 0);
    if (!order || (order.state !== 'draft' && order.state !== 'sent')) return;
    // sale.order.amount_paid: the authorized and done transactions linked to the order.
    const paid = this.db
      .orderTransactions(order)
      .filter((t) => t.state === 'authorized' || t.state === 'done')
      .reduce((sum, t) => sum + t.amount, 0n);
    if (paid >= order.amount_total) order.state = 'sale';
  }

  /** account_payment `_create_payment`: a posted payment of |amount|, linked both ways. */
  private createPayment(tx: SimTransaction): void {
    const partner = this.db.partner(tx.partner_id);
    const id = this.db.nextId('account.payment');
    const inbound = tx.amount > 0n;
    this.db.payments.push({
      id,
      // The PayPal provider's Bank journal numbers inbound and outbound payments alike.
      name: `PBNK1/${this.now().getUTCFullYear()}/${String(id).padStart(5, '0')}`,
      amount: abs(tx.amount),
      currency: tx.currency,
      payment_type: inbound ? 'inbound' : 'outbound',
      // account.payment.action_post in 18.0: 'in_process' until matched with a bank statement.
      state: 'in_process',
      memo: `${tx.reference} - ${partner?.name ?? ''} - ${tx.paypal_capture_id ?? tx.paypal_refund_id ?? ''}`,
      partner_id: tx.partner_id,
      payment_transaction_id: tx.id,
    });
    tx.payment_id = id;
  }

  /** `_compute_reference(prefix=...)`: the prefix itself, then prefix-1, prefix-2, ... */
  computeReference(prefix: string): string {
    if (!this.db.transactions.some((t) => t.reference === prefix)) return prefix;
    const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`);
    let max = 0;
    for (const t of this.db.transactions) {
      const m = pattern.exec(t.reference);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return `${prefix}-${max + 1}`;
  }

  /**
   * `_create_child_transaction(amount, is_refund)`: `R-<ref>` with the amount negated and operation
   * `refund` for a refund; `P-<ref>` with the source's operation for a partial capture or void.
   */
  createChild(source: SimTransaction, amount: bigint, isRefund: boolean): SimTransaction {
    const child: SimTransaction = {
      ...blankPayPalFields(),
      id: this.db.nextId('payment.transaction'),
      reference: this.computeReference(`${isRefund ? 'R' : 'P'}-${source.reference}`),
      provider_id: source.provider_id,
      amount: isRefund ? -amount : amount,
      currency: source.currency,
      state: 'draft',
      state_message: undefined,
      last_state_change: this.now(),
      operation: isRefund ? 'refund' : source.operation,
      source_transaction_id: source.id,
      partner_id: source.partner_id,
      // _create_child_transaction does not link the sales orders.
      sale_order_ids: [],
      payment_id: undefined,
      is_post_processed: false,
    };
    this.db.transactions.push(child);
    return child;
  }
}

export function blankPayPalFields(): Pick<
  SimTransaction,
  | 'provider_reference'
  | 'paypal_order_id'
  | 'paypal_capture_id'
  | 'paypal_authorization_id'
  | 'paypal_authorization_expiry'
  | 'paypal_refund_id'
  | 'paypal_refund_status'
  | 'paypal_payer_id'
  | 'paypal_payer_email'
  | 'paypal_fee'
  | 'paypal_net_amount'
  | 'paypal_status_detail'
  | 'paypal_needs_review'
  | 'paypal_review_reason'
  | 'paypal_last_event_id'
> {
  return {
    provider_reference: undefined,
    paypal_order_id: undefined,
    paypal_capture_id: undefined,
    paypal_authorization_id: undefined,
    paypal_authorization_expiry: undefined,
    paypal_refund_id: undefined,
    paypal_refund_status: 'none',
    paypal_payer_id: undefined,
    paypal_payer_email: undefined,
    paypal_fee: undefined,
    paypal_net_amount: undefined,
    paypal_status_detail: undefined,
    paypal_needs_review: false,
    paypal_review_reason: undefined,
    paypal_last_event_id: undefined,
  };
}
