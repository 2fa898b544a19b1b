// Takes over Odoo's payment form for the PayPal provider when the bridge is enabled on it.
//
// The payment form template renders, in the PayPal option's inline form, a container carrying
// the bridge configuration (views/payment_form_templates.xml). For that option:
// - `_prepareInlineForm` mounts our buttons there instead of payment_paypal's (its `_super` is not
//   called, so Odoo's own PayPal button never renders: one set of buttons, never two);
// - `_processDirectFlow` hands the transaction's processing values to our buttons (payment_paypal's
//   implementation expects an order id that, under the bridge, Odoo no longer creates).
// Every other provider, and PayPal without the bridge, goes through `_super` untouched.
import { App } from '@odoo/owl';
import paymentForm, { type PaymentFormWidget, type PaymentFlow, type ProcessingValues } from '@payment/js/payment_form';
import '@payment_paypal/js/payment_form';
import { RPCError } from '@web/core/network/rpc';
import { getTemplate } from '@web/core/templates';
import { BridgeConfigError, checkoutValuesOf, parseBridgeConfig, type CheckoutValues } from './config.ts';
import { watchSubmitState } from './form-state.ts';
import { misconfiguredMessage } from './messages.ts';
import { PayPalBridgeButtons, type FormBinding } from './paypal-bridge-buttons.ts';
import { messageText, translate } from './texts.ts';

const CONTAINER = '[name="o_paypal_bridge_container"]';

/** Per-widget state, kept off the widget's own properties. */
interface BridgeSession {
  /** The processing values of the transaction the last submit created, set by _processDirectFlow. */
  values: CheckoutValues | null;
  /** Mounted buttons, by container: selecting the option again does not mount a second set. */
  mounted: WeakSet<HTMLElement>;
}

const sessions = new WeakMap<PaymentFormWidget, BridgeSession>();
let containerSequence = 0;

function sessionOf(form: PaymentFormWidget): BridgeSession {
  let session = sessions.get(form);
  if (!session) {
    session = { values: null, mounted: new WeakSet() };
    sessions.set(form, session);
  }
  return session;
}

/** The bridge container of the selected PayPal option, or null when the bridge is not in use. */
function bridgeContainerOf(form: PaymentFormWidget): HTMLElement | null {
  const radio = form.el.querySelector<HTMLInputElement>('input[name="o_payment_radio"]:checked');
  if (!radio) return null;
  return form._getInlineForm(radio)?.querySelector<HTMLElement>(CONTAINER) ?? null;
}

function formBinding(form: PaymentFormWidget, session: BridgeSession): FormBinding {
  const listeners = new Set<(canSubmit: boolean) => void>();
  const submitState = watchSubmitState(document, (canSubmit) => {
    for (const listener of listeners) listener(canSubmit);
  });
  return {
    async createTransaction() {
      session.values = null;
      // Odoo's own submit: it checks the form, blocks the UI, calls the transaction route and
      // hands the processing values to _processDirectFlow (below).
      await form._submitForm(new Event('PayPalBridgeClick', { cancelable: true }));
      const values = session.values;
      if (!values) throw new Error('Odoo created no PayPal Bridge transaction (no checkout token in its answer).');
      return values;
    },
    releaseForm: () => form._enableButton(),
    // The payment form shows Odoo's server errors in its own dialog.
    isReportedByOdoo: (error) => error instanceof RPCError,
    canSubmit: () => submitState.canSubmit(),
    onSubmitStateChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) submitState.stop();
      };
    },
    redirect: (url) => window.location.assign(url),
  };
}

function showConfigError(container: HTMLElement, error: BridgeConfigError): void {
  const alert = document.createElement('div');
  alert.className = 'alert alert-danger mb-0';
  alert.setAttribute('role', 'alert');
  alert.textContent = messageText(misconfiguredMessage(error.message));
  container.replaceChildren(alert);
  console.error(`PayPal Bridge: ${error.message}`);
}

paymentForm.include({
  async _prepareInlineForm(providerId: number, providerCode: string, paymentOptionId: number, paymentMethodCode: string, flow: PaymentFlow): Promise<void> {
    const container = providerCode === 'paypal' && flow !== 'token' ? bridgeContainerOf(this) : null;
    if (!container) {
      await this._super(providerId, providerCode, paymentOptionId, paymentMethodCode, flow);
      return;
    }
    // Our buttons replace Odoo's submit button for this option, as PayPal's own do.
    this._hideInputs();
    this._setPaymentFlow('direct');
    const session = sessionOf(this);
    if (session.mounted.has(container)) return;
    session.mounted.add(container);
    let config;
    try {
      config = parseBridgeConfig(container.dataset['paypalBridge']);
    } catch (err) {
      if (err instanceof BridgeConfigError) return showConfigError(container, err);
      throw err;
    }
    containerSequence += 1;
    container.id = `o_paypal_bridge_${paymentOptionId}_${containerSequence}`;
    const app = new App(PayPalBridgeButtons, {
      // Odoo's templates (its .xml files); OWL falls back to inline xml`` templates like ours.
      getTemplate: (name: string) => getTemplate(name) ?? undefined,
      translateFn: translate,
      props: { config, containerId: container.id, form: formBinding(this, session) },
    });
    await app.mount(container);
  },

  _processDirectFlow(providerCode: string, paymentOptionId: number, paymentMethodCode: string, processingValues: ProcessingValues): void {
    const values = providerCode === 'paypal' ? checkoutValuesOf(processingValues) : null;
    if (!values) {
      this._super(providerCode, paymentOptionId, paymentMethodCode, processingValues);
      return;
    }
    sessionOf(this).values = values;
  },
});
