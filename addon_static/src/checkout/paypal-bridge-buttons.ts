// The PayPal buttons of the bridge on Odoo's payment form: an OWL component that loads PayPal's
// SDK, renders one button per funding source PayPal says the buyer is eligible for, keeps them
// disabled while Odoo's form cannot be submitted, and shows what happened. The payment logic
// lives in CheckoutFlow.
import { Component, onMounted, onWillUnmount, status, useRef, useState, xml } from '@odoo/owl';
import type { OnInitActions, PayPalButtonsComponent, PayPalButtonStyle, FUNDING_SOURCE } from '@paypal/paypal-js';
import { CheckoutFlow, type FlowDeps } from './checkout-flow.ts';
import type { BridgeConfig } from './config.ts';
import { noFundingMessage, unavailableMessage, type Message, type MessageLevel } from './messages.ts';
import { FUNDING_SOURCES, loadPayPalSdk } from './paypal-sdk.ts';
import { createServiceClient } from './service-client.ts';
import { messageText } from './texts.ts';

/** What the payment form gives the buttons (see payment-form-patch.ts). */
export interface FormBinding extends Pick<FlowDeps, 'createTransaction' | 'releaseForm' | 'isReportedByOdoo'> {
  canSubmit(): boolean;
  // Calls `listener` whenever canSubmit() changes; returns the unsubscribe function.
  onSubmitStateChange(listener: (canSubmit: boolean) => void): () => void;
  // Leaves the page.
  redirect(url: string): void;
}

export interface PayPalBridgeButtonsProps {
  config: BridgeConfig;
  // Unique on the page; each funding source's button gets `${containerId}_${source}`.
  containerId: string;
  form: FormBinding;
}

type Phase = 'loading' | 'ready' | 'unavailable';

interface ButtonsState {
  phase: Phase;
  formReady: boolean;
  busy: boolean;
  message: { level: MessageLevel; text: string } | null;
}

const STYLES: Record<string, PayPalButtonStyle> = {
  paypal: { color: 'gold', label: 'paypal' },
  venmo: { color: 'blue' },
  paylater: { color: 'gold' },
  card: { color: 'black' },
};

export class PayPalBridgeButtons extends Component<PayPalBridgeButtonsProps> {
  static override template = xml`
    <div class="o_paypal_bridge" t-att-class="{ o_paypal_bridge_disabled: !enabled }"
         t-att-data-phase="state.phase" t-att-aria-busy="state.phase === 'loading' or state.busy ? 'true' : 'false'">
      <div t-if="state.phase === 'loading'" class="o_paypal_bridge_loading d-flex justify-content-center py-2">
        <div class="spinner-border" role="status"/>
      </div>
      <div t-ref="buttons" class="o_paypal_bridge_buttons" t-att-aria-disabled="enabled ? 'false' : 'true'"
           t-att-style="enabled ? '' : 'opacity: 0.5'"/>
      <div t-if="state.message" role="alert"
           t-att-class="'o_paypal_bridge_message alert mt-2 mb-0 alert-' + state.message.level"
           t-esc="state.message.text"/>
    </div>`;

  static override props = { config: Object, containerId: String, form: Object };

  state!: ButtonsState;
  private flow!: CheckoutFlow;
  private readonly initActions: OnInitActions[] = [];
  private readonly buttons: PayPalButtonsComponent[] = [];

  override setup(): void {
    const { form } = this.props;
    this.state = useState<ButtonsState>({ phase: 'loading', formReady: form.canSubmit(), busy: false, message: null });
    const slots = useRef('buttons');
    this.flow = new CheckoutFlow({
      createTransaction: form.createTransaction,
      releaseForm: form.releaseForm,
      isReportedByOdoo: form.isReportedByOdoo,
      canSubmit: () => form.canSubmit(),
      service: createServiceClient(),
      view: {
        setBusy: (busy) => {
          this.state.busy = busy;
          this.applyEnabled();
        },
        showMessage: (message) => this.showMessage(message),
        redirect: (url) => form.redirect(url),
      },
    });
    const unsubscribe = form.onSubmitStateChange((ready) => {
      this.state.formReady = ready;
      this.applyEnabled();
    });
    onMounted(() => {
      const el = slots.el;
      if (el) void this.renderButtons(el);
    });
    onWillUnmount(() => {
      unsubscribe();
      for (const buttons of this.buttons) void buttons.close().catch(() => undefined);
    });
  }

  // The buttons may start a payment: Odoo's form is ready and no payment is under way.
  get enabled(): boolean {
    return this.state.phase === 'ready' && this.state.formReady && !this.state.busy && !this.flow.isFinished;
  }

  private showMessage(message: Message | null): void {
    this.state.message = message ? { level: message.level, text: messageText(message) } : null;
  }

  private applyEnabled(): void {
    const enabled = this.enabled;
    for (const actions of this.initActions) void (enabled ? actions.enable() : actions.disable()).catch(() => undefined);
  }

  private async renderButtons(slots: HTMLElement): Promise<void> {
    let sdk;
    try {
      sdk = await loadPayPalSdk(this.props.config);
    } catch (err) {
      if (status(this) === 'destroyed') return;
      this.state.phase = 'unavailable';
      this.showMessage(unavailableMessage(err instanceof Error ? err.message : String(err)));
      return;
    }
    const rendered: string[] = [];
    for (const source of FUNDING_SOURCES) {
      if (status(this) === 'destroyed') return;
      const buttons = sdk.Buttons({
        fundingSource: source as FUNDING_SOURCE,
        style: { layout: 'vertical', shape: 'rect', height: 44, disableMaxWidth: true, ...STYLES[source] },
        onInit: (_data, actions) => {
          this.initActions.push(actions);
          void (this.enabled ? actions.enable() : actions.disable()).catch(() => undefined);
        },
        onClick: this.flow.onClick,
        createOrder: this.flow.createOrder,
        onApprove: this.flow.onApprove,
        onCancel: this.flow.onCancel,
        onError: this.flow.onError,
      });
      if (!buttons.isEligible()) continue;
      const slot = document.createElement('div');
      slot.id = `${this.props.containerId}_${source}`;
      slot.className = 'o_paypal_bridge_button mb-2';
      slot.dataset['fundingSource'] = source;
      slots.append(slot);
      try {
        await buttons.render(slot);
        this.buttons.push(buttons);
        rendered.push(source);
      } catch (err) {
        // One funding source failing to render must not take the others down.
        slot.remove();
        console.warn(`PayPal Bridge: the ${source} button could not be rendered`, err);
      }
    }
    if (status(this) === 'destroyed') return;
    if (rendered.length === 0) {
      this.state.phase = 'unavailable';
      this.showMessage(noFundingMessage());
      return;
    }
    this.state.phase = 'ready';
    this.applyEnabled();
  }
}
