// Stand-in of website_sale 18.0's override of the payment form
// (website_sale/static/src/js/payment_form.js), our own code: the submit buttons live outside the
// form (in the order summary), so a click on any [name="o_payment_submit_button"] submits it.
import PaymentForm from "@payment/js/payment_form";

PaymentForm.include({
    async start() {
        document.querySelectorAll('[name="o_payment_submit_button"]').forEach((button) =>
            button.addEventListener("click", (ev) => this._submitForm(ev))
        );
        return await this._super(...arguments);
    },
});
