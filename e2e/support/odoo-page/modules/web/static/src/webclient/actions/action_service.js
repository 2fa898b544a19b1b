// Stand-in of Odoo 18's action service (web/static/src/webclient/actions/action_service.js),
// our own code: doAction(action, options) resolves at once and records the request in
// window.__actions, so that tests can check which record a button asked Odoo to open. It does
// not render any view.
export const actionService = {
    start() {
        window.__actions = [];
        return {
            async doAction(action, options = {}) {
                window.__actions.push({ action, options });
                return true;
            },
        };
    },
};
