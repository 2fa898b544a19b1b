// Stand-in of payment_paypal 18.0's override of the payment form
// (payment_paypal/static/src/js/payment_form.js), our own code. What it models:
// - for the PayPal provider, `_prepareInlineForm` hides the inputs, sets the direct flow and
//   renders Odoo's own PayPal button into #o_paypal_enabled_button (Odoo loads PayPal's SDK as
//   window.paypal from www.paypal.com; the page has no network, so a marked element stands for
//   that button: the tests check it never appears under the bridge);
// - `_processDirectFlow` for PayPal stores the order id the server created in
//   `this.paypalData[paymentOptionId]`, which only its own `_prepareInlineForm` creates (a
//   TypeError otherwise, as in Odoo);
// - `_expandInlineForm` hides PayPal's button container for other providers and calls `_super`
//   without awaiting it, as Odoo 18.0 does.
import paymentForm from "@payment/js/payment_form";

paymentForm.include({
    async _expandInlineForm(radio) {
        if (this._getProviderCode(radio) !== "paypal") {
            document.getElementById("o_paypal_button_container")?.classList.add("d-none");
        }
        this._super(...arguments);
    },

    async _prepareInlineForm(providerId, providerCode, paymentOptionId, paymentMethodCode, flow) {
        if (providerCode !== "paypal") {
            this._super(...arguments);
            return;
        }
        this._hideInputs();
        this._setPaymentFlow("direct");
        this.paypalData ??= {};
        this.paypalData[paymentOptionId] ??= {};
        const container = document.getElementById("o_paypal_enabled_button");
        if (container && !container.querySelector(".o_odoo_own_paypal_button")) {
            const button = document.createElement("div");
            button.className = "o_odoo_own_paypal_button";
            button.textContent = "PayPal (Odoo's own button)";
            container.append(button);
        }
        document.getElementById("o_paypal_button_container")?.classList.remove("d-none");
        this.selectedOptionId = paymentOptionId;
    },

    _processDirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues) {
        if (providerCode !== "paypal") {
            this._super(...arguments);
            return;
        }
        this.paypalData[paymentOptionId].paypalOrderId = processingValues["order_id"];
        this.paypalData[paymentOptionId].paypalTxRef = processingValues["reference"];
    },
});
