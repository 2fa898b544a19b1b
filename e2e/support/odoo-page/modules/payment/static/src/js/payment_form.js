// Stand-in of Odoo 18's payment form widget (payment/static/src/js/payment_form.js), our own
// code. What it models, with Odoo 18's method names and signatures (the hooks providers override):
// - start: the context is the form's data-* attributes; a pre-selected option is expanded and the
//   submit button asked to enable itself (`_enableButton(false)`), else the flow is reset;
// - selecting an option: inputs shown, button disabled, `_expandInlineForm` (collapse the others,
//   reset the flow to redirect, `_prepareInlineForm(providerId, providerCode, paymentOptionId,
//   paymentMethodCode, flow)`, show the option's inline form), button asked to enable itself;
// - `_submitForm(ev)`: button disabled and UI blocked, the flow of the checked option, then
//   `_initiatePaymentFlow`: rpc(transactionRoute, _prepareTransactionRouteParams()) and the
//   processing values go to `_processRedirectFlow` / `_processDirectFlow` (empty) /
//   `_processTokenFlow`; an RPCError shows an error dialog, re-enables the button, and rejects;
// - `_enableButton(unblockUI = true)` / `_disableButton(blockUI = false)`: the bus events
//   enablePaymentButton / disablePaymentButton (the PaymentButton widget decides), UI (un)block;
// - `_hideInputs` / `_showInputs`: hidePaymentButton / showPaymentButton and the tokenize box.
// Not modelled: tokens and token deletion, validation mode, express checkout, tooltips.
import { Component } from "@odoo/owl";
import publicWidget from "@web/legacy/js/public/public_widget";
import { _t } from "@web/core/l10n/translation";
import { rpc, RPCError } from "@web/core/network/rpc";

publicWidget.registry.PaymentForm = publicWidget.Widget.extend({
    selector: "#o_payment_form",
    events: {
        'click [name="o_payment_radio"]': "_selectPaymentOption",
        'click [name="o_payment_submit_button"]': "_submitForm",
    },

    async start() {
        this.paymentContext = {};
        Object.assign(this.paymentContext, this.el.dataset);
        await this._super(...arguments);
        const checkedRadio = document.querySelector('input[name="o_payment_radio"]:checked');
        if (checkedRadio) {
            await this._expandInlineForm(checkedRadio);
            this._enableButton(false);
        } else {
            this._setPaymentFlow();
        }
    },

    async _selectPaymentOption(ev) {
        this._showInputs();
        this._disableButton();
        await this._expandInlineForm(ev.target);
        this._enableButton(false);
    },

    async _submitForm(ev) {
        ev.stopPropagation();
        ev.preventDefault();
        const checkedRadio = this.el.querySelector('input[name="o_payment_radio"]:checked');
        this._disableButton(true);
        const flow = (this.paymentContext.flow = this._getPaymentFlow(checkedRadio));
        const paymentOptionId = (this.paymentContext.paymentOptionId = this._getPaymentOptionId(checkedRadio));
        const providerCode = (this.paymentContext.providerCode = this._getProviderCode(checkedRadio));
        const pmCode = (this.paymentContext.paymentMethodCode = this._getPaymentMethodCode(checkedRadio));
        this.paymentContext.providerId = this._getProviderId(checkedRadio);
        this.paymentContext.paymentMethodId = paymentOptionId;
        this.paymentContext.tokenizationRequested = false;
        await this._initiatePaymentFlow(providerCode, paymentOptionId, pmCode, flow);
    },

    _enableButton(unblockUI = true) {
        Component.env.bus.trigger("enablePaymentButton");
        if (unblockUI) {
            this.call("ui", "unblock");
        }
    },

    _disableButton(blockUI = false) {
        Component.env.bus.trigger("disablePaymentButton");
        if (blockUI) {
            this.call("ui", "block");
        }
    },

    _showInputs() {
        this.el.querySelector('[name="o_payment_tokenize_container"]')?.classList.remove("d-none");
        Component.env.bus.trigger("showPaymentButton");
    },

    _hideInputs() {
        this.el.querySelector('[name="o_payment_tokenize_container"]')?.classList.add("d-none");
        Component.env.bus.trigger("hidePaymentButton");
    },

    async _expandInlineForm(radio) {
        this._collapseInlineForms();
        this._setPaymentFlow();
        await this._prepareInlineForm(
            this._getProviderId(radio),
            this._getProviderCode(radio),
            this._getPaymentOptionId(radio),
            this._getPaymentMethodCode(radio),
            this._getPaymentFlow(radio)
        );
        const inlineForm = this._getInlineForm(radio);
        if (inlineForm && inlineForm.children.length > 0) {
            inlineForm.classList.remove("d-none");
        }
    },

    async _prepareInlineForm(providerId, providerCode, paymentOptionId, paymentMethodCode, flow) {},

    _collapseInlineForms() {
        this.el.querySelectorAll('[name="o_payment_inline_form"]').forEach((form) => form.classList.add("d-none"));
    },

    _displayErrorDialog(title, errorMessage = "") {
        this.call("dialog", "add", null, { title, body: errorMessage || "" });
    },

    _setPaymentFlow(flow = "redirect") {
        this.paymentContext.flow = ["redirect", "direct", "token"].includes(flow) ? flow : "redirect";
    },

    async _initiatePaymentFlow(providerCode, paymentOptionId, paymentMethodCode, flow) {
        await rpc(this.paymentContext["transactionRoute"], this._prepareTransactionRouteParams())
            .then((processingValues) => {
                if (flow === "redirect") {
                    this._processRedirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues);
                } else if (flow === "direct") {
                    this._processDirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues);
                } else if (flow === "token") {
                    this._processTokenFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues);
                }
            })
            .catch((error) => {
                if (error instanceof RPCError) {
                    this._displayErrorDialog(_t("Payment processing failed"), error.data.message);
                    this._enableButton();
                }
                return Promise.reject(error);
            });
    },

    _prepareTransactionRouteParams() {
        return {
            provider_id: this.paymentContext.providerId,
            payment_method_id: this.paymentContext.paymentMethodId ?? null,
            token_id: null,
            amount: this.paymentContext["amount"] !== undefined ? parseFloat(this.paymentContext["amount"]) : null,
            flow: this.paymentContext["flow"],
            tokenization_requested: this.paymentContext["tokenizationRequested"],
            landing_route: this.paymentContext["landingRoute"],
            is_validation: this.paymentContext["mode"] === "validation",
            access_token: this.paymentContext["accessToken"],
            csrf_token: "stand-in-csrf-token",
        };
    },

    _processRedirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues) {
        const div = document.createElement("div");
        div.innerHTML = processingValues["redirect_form_html"];
        const redirectForm = div.querySelector("form");
        redirectForm.setAttribute("id", "o_payment_redirect_form");
        document.body.appendChild(redirectForm);
        redirectForm.submit();
    },

    _processDirectFlow(providerCode, paymentOptionId, paymentMethodCode, processingValues) {},

    _processTokenFlow() {
        window.location = "/payment/status";
    },

    _getInlineForm(radio) {
        return radio.closest('[name="o_payment_option"]')?.querySelector('[name="o_payment_inline_form"]');
    },

    _getPaymentFlow(radio) {
        if (radio.dataset["paymentOptionType"] === "token" || this.paymentContext.flow === "token") {
            return "token";
        }
        return this.paymentContext.flow === "redirect" ? "redirect" : "direct";
    },

    _getPaymentMethodCode(radio) {
        return radio.dataset["paymentMethodCode"];
    },

    _getPaymentOptionId(radio) {
        return Number(radio.dataset["paymentOptionId"]);
    },

    _getProviderId(radio) {
        return Number(radio.dataset["providerId"]);
    },

    _getProviderCode(radio) {
        return radio.dataset["providerCode"];
    },
});

export default publicWidget.registry.PaymentForm;
