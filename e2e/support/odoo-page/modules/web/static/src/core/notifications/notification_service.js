// Stand-in of Odoo 18's notification service (web/static/src/core/notifications/), our own
// code: add(message, {title, type, sticky, autocloseDelay}) shows Odoo's markup (.o_notification
// with .o_notification_bar.bg-<type>, .o_notification_title, .o_notification_content and a close
// button) in the notification manager, closes it after autocloseDelay (default 4000 ms) unless
// sticky, and returns the close function. Every notification is also kept in
// window.__notifications ({message, title, type}) so that tests need not race the auto-close.
export const notificationService = {
    start() {
        const manager = document.createElement("div");
        manager.className = "o_notification_manager";
        document.body.appendChild(manager);
        window.__notifications = [];
        function add(message, options = {}) {
            const type = options.type || "warning";
            window.__notifications.push({ message: String(message), title: options.title ? String(options.title) : "", type });
            const el = document.createElement("div");
            el.className = "o_notification d-flex mb-2";
            el.setAttribute("role", "alert");
            el.dataset.type = type;
            const bar = document.createElement("span");
            bar.className = `o_notification_bar bg-${type}`;
            const body = document.createElement("div");
            if (options.title) {
                const title = document.createElement("h5");
                title.className = "o_notification_title";
                title.textContent = String(options.title);
                body.appendChild(title);
            }
            const content = document.createElement("div");
            content.className = "o_notification_content";
            content.textContent = String(message);
            const close = document.createElement("button");
            close.type = "button";
            close.className = "o_notification_close btn-close";
            close.setAttribute("aria-label", "Close");
            body.append(content, close);
            el.append(bar, body);
            manager.appendChild(el);
            let closed = false;
            const closeFn = () => {
                if (!closed) {
                    closed = true;
                    el.remove();
                }
            };
            close.addEventListener("click", closeFn);
            if (!options.sticky) {
                setTimeout(closeFn, options.autocloseDelay ?? 4000);
            }
            return closeFn;
        }
        return { add };
    },
};
