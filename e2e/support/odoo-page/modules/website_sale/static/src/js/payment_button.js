// Stand-in of website_sale 18.0's override of the submit button widget
// (website_sale/static/src/js/payment_button.js), our own code: the form can be submitted only
// when the "terms and conditions" checkbox, if the page has one, is ticked.
import paymentButton from "@payment/js/payment_button";

paymentButton.include({
    _canSubmit() {
        return this._super(...arguments) && this._isTCCheckboxReady();
    },

    _isTCCheckboxReady() {
        const checkbox = document.querySelector("#website_sale_tc_checkbox");
        return !checkbox || checkbox.checked;
    },
});
