// Stand-in of Odoo 18's dialog service (web/static/src/core/dialog/dialog_service.js), our own
// code: add(Component, props, {onClose}) mounts the component (with `close` added to its props)
// in its own container at the end of the body, with the web client's env; `close` (or the
// returned function) removes it once and calls onClose. body.modal-open while one is open.
import { mount } from "@odoo/owl";
import { getTemplate } from "@web/core/templates";
import { _t } from "@web/core/l10n/translation";

export const dialogService = {
    start(env) {
        let open = 0;
        function add(DialogClass, props, options = {}) {
            const container = document.createElement("div");
            container.className = "o_dialog_container";
            document.body.appendChild(container);
            document.body.classList.add("modal-open");
            open++;
            let app = null;
            let removed = false;
            const remove = () => {
                if (removed) {
                    return;
                }
                removed = true;
                open--;
                if (!open) {
                    document.body.classList.remove("modal-open");
                }
                const finish = () => {
                    app?.destroy();
                    container.remove();
                };
                // Mounting is asynchronous: a dialog closed before it was mounted is destroyed once it is.
                mounted.then(finish, finish);
                options.onClose?.();
            };
            const mounted = mount(DialogClass, container, { env, props: Object.assign({}, props, { close: remove }), getTemplate, translateFn: _t }).then((component) => {
                app = component.__owl__.app;
            });
            return remove;
        }
        return { add };
    },
};
