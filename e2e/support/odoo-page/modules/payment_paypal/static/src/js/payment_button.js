// Stand-in of payment_paypal 18.0's override of the submit button widget
// (payment_paypal/static/src/js/payment_button.js), our own code: PayPal's button container is a
// second [name="o_payment_submit_button"] element (data-is-paypal); for it, enabling and disabling
// swap its enabled and disabled buttons, and hiding or showing does nothing.
import paymentButton from "@payment/js/payment_button";

paymentButton.include({
    _setEnabled() {
        if (!this.paymentButton.dataset.isPaypal) {
            this._super();
            return;
        }
        document.getElementById("o_paypal_disabled_button").classList.add("d-none");
        document.getElementById("o_paypal_enabled_button").classList.remove("d-none");
    },

    _disable() {
        if (!this.paymentButton.dataset.isPaypal) {
            this._super();
            return;
        }
        document.getElementById("o_paypal_disabled_button").classList.remove("d-none");
        document.getElementById("o_paypal_enabled_button").classList.add("d-none");
    },

    _hide() {
        if (!this.paymentButton.dataset.isPaypal) {
            this._super();
        }
    },

    _show() {
        if (!this.paymentButton.dataset.isPaypal) {
            this._super();
        }
    },
});
