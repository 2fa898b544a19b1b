// Stand-in of Odoo 18's public root (web/static/src/legacy/js/public/public_root.js), our own
// code: sets Component.env (an event bus and the services the payment form calls) and starts
// every registered public widget on the elements its selector matches, all at once.
// Services modelled: ui.block()/unblock() (a full-page overlay that intercepts clicks, counted
// like Odoo's), dialog.add(Component, {title, body}) (a visible [role=dialog] box with the title
// and body; the component itself is not rendered).
import { Component, EventBus } from "@odoo/owl";
import publicWidget from "@web/legacy/js/public/public_widget";

function makeUiService() {
    let blockCount = 0;
    let overlay = null;
    return {
        block() {
            blockCount++;
            if (!overlay) {
                overlay = document.createElement("div");
                overlay.className = "o_blockUI";
                document.body.append(overlay);
            }
        },
        unblock() {
            blockCount = Math.max(0, blockCount - 1);
            if (blockCount === 0 && overlay) {
                overlay.remove();
                overlay = null;
            }
        },
        get isBlocked() {
            return blockCount > 0;
        },
    };
}

const dialogService = {
    add(_component, props) {
        const dialog = document.createElement("div");
        dialog.className = "o_dialog";
        dialog.setAttribute("role", "dialog");
        const title = document.createElement("h4");
        title.textContent = String(props.title ?? "");
        const body = document.createElement("p");
        body.textContent = String(props.body ?? "");
        dialog.append(title, body);
        document.body.append(dialog);
        return () => dialog.remove();
    },
};

export async function startPublicRoot() {
    Component.env = { bus: new EventBus(), services: { ui: makeUiService(), dialog: dialogService } };
    const starts = [];
    for (const Widget of Object.values(publicWidget.registry)) {
        for (const el of document.querySelectorAll(Widget.prototype.selector)) {
            starts.push(new Widget(null).attachTo(el));
        }
    }
    await Promise.all(starts);
}
