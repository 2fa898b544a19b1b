// Stand-in of website_sale 18.0's terms checkbox widget
// (website_sale/static/src/js/terms_and_conditions_checkbox.js), our own code: ticking or
// unticking it asks the submit button to enable itself or disables it.
import { Component } from "@odoo/owl";
import publicWidget from "@web/legacy/js/public/public_widget";

publicWidget.registry.TermsAndConditionsCheckbox = publicWidget.Widget.extend({
    selector: 'div[name="website_sale_terms_and_conditions_checkbox"]',
    events: {
        "change #website_sale_tc_checkbox": "_onClickTCCheckbox",
    },

    async start() {
        this.checkbox = this.el.querySelector("#website_sale_tc_checkbox");
        return this._super(...arguments);
    },

    _onClickTCCheckbox() {
        Component.env.bus.trigger(this.checkbox.checked ? "enablePaymentButton" : "disablePaymentButton");
    },
});

export default publicWidget.registry.TermsAndConditionsCheckbox;
