// Whether Odoo's payment form may be submitted, read from Odoo's own submit button: its
// PaymentButton widget enables it only when its conditions hold (one payment option selected,
// website_sale's terms checkbox ticked, a delivery method ready, …) and the payment form
// disables it while it creates a transaction. Our PayPal buttons follow the same state, so they
// stay in step with every module that adds a condition, without knowing any of them.

export interface FormSubmitState {
  canSubmit(): boolean;
  stop(): void;
}

const SUBMIT_BUTTON = 'button[name="o_payment_submit_button"]';

export function watchSubmitState(root: Document, onChange: (canSubmit: boolean) => void): FormSubmitState {
  const buttons = () => [...root.querySelectorAll<HTMLButtonElement>(SUBMIT_BUTTON)];
  // Without a submit button (a form rendered with display_submit_button=False) nothing gates us.
  const canSubmit = () => {
    const found = buttons();
    return found.length === 0 || found.some((b) => !b.disabled);
  };
  let last = canSubmit();
  const observer = new MutationObserver(() => {
    const now = canSubmit();
    if (now !== last) {
      last = now;
      onChange(now);
    }
  });
  for (const button of buttons()) observer.observe(button, { attributes: true, attributeFilter: ['disabled'] });
  return { canSubmit, stop: () => observer.disconnect() };
}
