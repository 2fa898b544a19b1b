// The payment itself, independent of OWL and of the DOM: the callbacks handed to PayPal's
// buttons, with the guards that make a payment happen once whatever the shopper (or the SDK)
// does: a second click while an order is being created gets the same order; a second approval of
// an order gets the same capture; nothing runs after the payment succeeded.
//
//   click → onClick (refused while Odoo's form cannot be submitted)
//         → createOrder: Odoo creates the transaction (its own form submit), the service creates
//           the PayPal order for it → PayPal's window
//         → onApprove: the service captures (or authorizes) → /payment/status
//           INSTRUMENT_DECLINED → back to PayPal's window (actions.restart())
//         → onCancel / onError: a message, Odoo's form released, ready for another try
import type { CheckoutValues } from './config.ts';
import {
  cancelledMessage,
  captureFailedMessage,
  foreignOrderMessage,
  formIncompleteMessage,
  outcomePendingMessage,
  redirectingMessage,
  serviceErrorMessage,
  startFailedMessage,
  unexpectedErrorMessage,
  type Message,
} from './messages.ts';
import { CheckoutServiceError, type CheckoutService } from './service-client.ts';

export const STATUS_URL = '/payment/status';

/** The subset of PayPal's button actions the flow uses (see @paypal/paypal-js's types). */
export interface ClickActions {
  resolve(): Promise<void>;
  reject(): Promise<void>;
}

export interface ApproveActions {
  restart(): unknown;
}

export interface FlowView {
  // true while an order is created or captured: the buttons must not start another payment.
  setBusy(busy: boolean): void;
  showMessage(message: Message | null): void;
  // Leaves the page (Odoo's status page polls the transaction from there).
  redirect(url: string): void;
}

export interface FlowDeps {
  /**
   * Runs Odoo's own form submit for the selected payment option: Odoo checks the form, creates
   * the transaction and answers its processing values. Rejects when Odoo refused (Odoo then shows
   * its own error dialog: see `isReportedByOdoo`).
   */
  createTransaction(): Promise<CheckoutValues>;
  // Releases Odoo's form after a failed or cancelled attempt (its submit state, the UI block).
  releaseForm(): void;
  // Whether Odoo's form may be submitted now (e.g. the terms are accepted).
  canSubmit(): boolean;
  // Errors Odoo already showed to the shopper (its RPC errors), so that we do not repeat them.
  isReportedByOdoo(error: unknown): boolean;
  service: CheckoutService;
  view: FlowView;
}

function detailOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.message || undefined;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message || undefined;
  return typeof error === 'string' && error !== '' ? error : undefined;
}

export class CheckoutFlow {
  private readonly deps: FlowDeps;
  // The order of the attempt in progress; every click until the attempt ends gets this one.
  private order: Promise<string> | null = null;
  private values: CheckoutValues | null = null;
  // The PayPal order of the attempt in progress, once the service created it.
  private orderId: string | null = null;
  // Orders of attempts that ended without payment: a late approval of one is ignored.
  private readonly endedOrders = new Set<string>();
  // The capture of each approved order, while it runs (and for good once the payment succeeded).
  private readonly captures = new Map<string, Promise<void>>();
  private finished = false;
  // The attempt failed and the shopper was told why: the SDK's onError that follows (PayPal
  // reports a rejected createOrder there, possibly as another error object) adds nothing.
  private failureShown = false;

  constructor(deps: FlowDeps) {
    this.deps = deps;
  }

  // Once the payment succeeded nothing can start again (the page is being left).
  get isFinished(): boolean {
    return this.finished;
  }

  readonly onClick = (_data: unknown, actions: ClickActions): Promise<void> => {
    if (this.finished) return actions.reject();
    if (!this.deps.canSubmit()) {
      this.deps.view.showMessage(formIncompleteMessage());
      return actions.reject();
    }
    return actions.resolve();
  };

  readonly createOrder = (): Promise<string> => {
    if (this.finished) return Promise.reject(new Error('This payment is complete already.'));
    if (!this.order) {
      const attempt = this.startAttempt();
      this.order = attempt;
      attempt.catch(() => {
        if (this.order === attempt) this.order = null;
      });
    }
    return this.order;
  };

  private async startAttempt(): Promise<string> {
    const { deps } = this;
    this.failureShown = false;
    deps.view.showMessage(null);
    deps.view.setBusy(true);
    let values: CheckoutValues;
    try {
      values = await deps.createTransaction();
    } catch (err) {
      if (!deps.isReportedByOdoo(err)) deps.view.showMessage(startFailedMessage(detailOf(err)));
      this.failAttempt();
      throw err;
    }
    try {
      const created = await deps.service.createOrder(values);
      this.values = values;
      this.orderId = created.orderId;
      return created.orderId;
    } catch (err) {
      deps.view.showMessage(err instanceof CheckoutServiceError ? serviceErrorMessage(err) : startFailedMessage(detailOf(err)));
      this.failAttempt();
      throw err;
    }
  }

  readonly onApprove = (data: { orderID: string }, actions: ApproveActions): Promise<void> => {
    const orderId = data.orderID;
    const running = this.captures.get(orderId);
    if (running) return running;
    const capture: Promise<void> = this.capture(orderId, actions).then((keep) => {
      // A finished payment keeps its capture: a late second approval gets the same answer.
      if (!keep && this.captures.get(orderId) === capture) this.captures.delete(orderId);
    });
    this.captures.set(orderId, capture);
    return capture;
  };

  // Captures (or authorizes) an approved order; true when the payment went through.
  private async capture(orderId: string, actions: ApproveActions): Promise<boolean> {
    const { deps } = this;
    const values = this.values;
    if (this.endedOrders.has(orderId)) return false;
    if (!values || this.orderId !== orderId) {
      // Not the order of this page's attempt in progress: never capture it.
      deps.view.showMessage(foreignOrderMessage());
      return false;
    }
    deps.view.setBusy(true);
    try {
      const result = await deps.service.captureOrder(values, orderId);
      if (result.status === 'done' || result.status === 'pending' || result.status === 'authorized') {
        this.succeed(redirectingMessage());
        return true;
      }
      deps.view.showMessage(captureFailedMessage(result.status, result.message));
      this.endAttempt();
      return false;
    } catch (err) {
      if (err instanceof CheckoutServiceError && err.code === 'INSTRUMENT_DECLINED') {
        // The buyer picks another funding source in PayPal's window; the approval that follows
        // comes back to onApprove for the same order, so its capture must be free to run.
        this.captures.delete(orderId);
        deps.view.showMessage(serviceErrorMessage(err));
        await actions.restart();
        return false;
      }
      if (err instanceof CheckoutServiceError && (err.code === 'NETWORK' || err.code === 'UNAVAILABLE')) {
        // The order is approved at PayPal; whether the capture ran is unknown. The service
        // finishes it from PayPal's CHECKOUT.ORDER.APPROVED webhook, with the same idempotency
        // key, so the status page will show the outcome.
        this.succeed(outcomePendingMessage());
        return true;
      }
      deps.view.showMessage(err instanceof CheckoutServiceError ? serviceErrorMessage(err) : unexpectedErrorMessage(detailOf(err)));
      this.endAttempt();
      return false;
    }
  }

  readonly onCancel = (): void => {
    if (this.finished) return;
    this.deps.view.showMessage(cancelledMessage());
    this.endAttempt();
  };

  readonly onError = (error: unknown): void => {
    if (this.finished) return;
    if (!this.failureShown && !this.deps.isReportedByOdoo(error)) this.deps.view.showMessage(unexpectedErrorMessage(detailOf(error)));
    this.endAttempt();
  };

  private succeed(message: Message): void {
    this.finished = true;
    this.deps.view.showMessage(message);
    this.deps.view.redirect(STATUS_URL);
  }

  // The attempt is over without payment: the next click starts a new transaction.
  private endAttempt(): void {
    if (this.orderId !== null) this.endedOrders.add(this.orderId);
    this.failureShown = false;
    this.order = null;
    this.orderId = null;
    this.values = null;
    this.deps.releaseForm();
    this.deps.view.setBusy(false);
  }

  // createOrder failed after telling the shopper why: release the form, keep the message.
  private failAttempt(): void {
    this.failureShown = true;
    this.deps.releaseForm();
    this.deps.view.setBusy(false);
  }
}
