// Stand-in of Odoo 18's ConfirmationDialog (web/static/src/core/confirmation_dialog/), our own
// code: Odoo's Dialog markup (.o_dialog > .modal > .modal-dialog > .modal-content with
// header.modal-header, main.modal-body, footer.modal-footer), the body as pre-wrapped text, the
// confirm button (confirmClass, default btn-primary) and a cancel button when `cancel` is given;
// execButton's rules: buttons disabled while the callback runs, the dialog closes afterwards
// unless it returned false, and closes then rethrows when it threw; the close button dismisses.
import { Component, useRef, xml } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";

export class ConfirmationDialog extends Component {
    static template = xml`
        <div class="o_dialog">
            <div role="dialog" class="modal d-block" tabindex="-1" t-ref="modal">
                <div class="modal-dialog modal-dialog-centered modal-md">
                    <div class="modal-content">
                        <header class="modal-header">
                            <h4 class="modal-title text-break flex-grow-1" t-esc="props.title"/>
                            <button type="button" class="btn-close" aria-label="Close" tabindex="-1" t-on-click="_dismiss"/>
                        </header>
                        <main class="modal-body">
                            <p class="text-prewrap" t-esc="props.body"/>
                        </main>
                        <footer class="modal-footer">
                            <button class="btn" t-att-class="props.confirmClass" t-on-click="_confirm" t-esc="props.confirmLabel"/>
                            <button t-if="props.cancel" class="btn btn-secondary" t-on-click="_cancel" t-esc="props.cancelLabel"/>
                        </footer>
                    </div>
                </div>
            </div>
        </div>`;
    static props = {
        close: Function,
        title: { optional: true },
        body: { type: String, optional: true },
        confirm: { type: Function, optional: true },
        confirmLabel: { type: String, optional: true },
        confirmClass: { type: String, optional: true },
        cancel: { type: Function, optional: true },
        cancelLabel: { type: String, optional: true },
        dismiss: { type: Function, optional: true },
    };
    static defaultProps = {
        confirmLabel: _t("Ok"),
        cancelLabel: _t("Cancel"),
        confirmClass: "btn-primary",
        title: _t("Confirmation"),
    };

    setup() {
        this.modal = useRef("modal");
        this.isProcess = false;
    }
    _cancel() {
        return this.execButton(this.props.cancel);
    }
    _confirm() {
        return this.execButton(this.props.confirm);
    }
    _dismiss() {
        return this.execButton(this.props.dismiss || this.props.cancel);
    }
    setButtonsDisabled(disabled) {
        this.isProcess = disabled;
        for (const button of this.modal.el?.querySelectorAll(".modal-footer button") || []) {
            button.disabled = disabled;
        }
    }
    async execButton(callback) {
        if (this.isProcess) {
            return;
        }
        this.setButtonsDisabled(true);
        if (callback) {
            let shouldClose;
            try {
                shouldClose = await callback();
            } catch (e) {
                this.props.close();
                throw e;
            }
            if (shouldClose === false) {
                this.setButtonsDisabled(false);
                return;
            }
        }
        this.props.close();
    }
}
