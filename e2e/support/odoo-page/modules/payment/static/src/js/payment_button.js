// Stand-in of Odoo 18's submit button widget (payment/static/src/js/payment_button.js), our own
// code: on the bus events of the payment form it enables itself only when `_canSubmit()` (exactly
// one payment option selected; modules add conditions by overriding it), disables, hides or shows
// itself. Its `disabled` state is what "the form can be submitted" means on the page.
import publicWidget from "@web/legacy/js/public/public_widget";
import { Component } from "@odoo/owl";

publicWidget.registry.PaymentButton = publicWidget.Widget.extend({
    selector: '[name="o_payment_submit_button"]',

    async start() {
        await this._super(...arguments);
        this.paymentButton = this.el;
        this._enable();
        Component.env.bus.addEventListener("enablePaymentButton", () => this._enable());
        Component.env.bus.addEventListener("disablePaymentButton", () => this._disable());
        Component.env.bus.addEventListener("hidePaymentButton", () => this._hide());
        Component.env.bus.addEventListener("showPaymentButton", () => this._show());
    },

    _enable() {
        if (this._canSubmit()) {
            this._setEnabled();
        }
    },

    _canSubmit() {
        if (!document.querySelector("#o_payment_form")) {
            return true;
        }
        return document.querySelectorAll('input[name="o_payment_radio"]:checked').length === 1;
    },

    _setEnabled() {
        this.paymentButton.disabled = false;
    },

    _disable() {
        this.paymentButton.disabled = true;
    },

    _hide() {
        this.paymentButton.classList.add("d-none");
    },

    _show() {
        this.paymentButton.classList.remove("d-none");
    },
});

export default publicWidget.registry.PaymentButton;
