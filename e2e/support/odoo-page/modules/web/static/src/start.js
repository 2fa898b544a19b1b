// Stand-in of Odoo 18's web client start-up (web/static/src/start.js, env.js), our own code:
// the env (`services`: orm, notification, dialog, action, each started as Odoo starts services)
// and what the page shows, read from <body data-*>:
// - data-page="action": the client action registered under data-action-tag in the "actions"
//   registry, mounted with the props Odoo's action service gives it (action, actionId,
//   updateActionState, className);
// - data-page="form": the view widget registered under data-widget in "view_widgets", mounted
//   as Odoo's form renders a <widget/>: props {record, readonly}. The record stands in for the
//   form's Record of Odoo's relational model: reactive, with resId, resModel, data (the fields the
//   widget declares: `state`, and `write_date`, which the Odoo simulator does not have, so it
//   carries last_state_change, which changes whenever the transaction does) and load(), which
//   re-reads them through the orm service. No other part of the form is rendered.
// OWL's App gets getTemplate and translateFn as Odoo's does. Resolves once mounted.
import { EventBus, mount, reactive } from "@odoo/owl";
import { getTemplate } from "@web/core/templates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { ormService } from "@web/core/orm_service";
import { notificationService } from "@web/core/notifications/notification_service";
import { dialogService } from "@web/core/dialog/dialog_service";
import { actionService } from "@web/webclient/actions/action_service";

export function makeEnv() {
    const env = { bus: new EventBus(), services: {} };
    env.services.orm = ormService.start(env);
    env.services.notification = notificationService.start(env);
    env.services.dialog = dialogService.start(env);
    env.services.action = actionService.start(env);
    return env;
}

function formRecord(env, resId) {
    window.__recordLoads = 0;
    return reactive({
        resId,
        resModel: "payment.transaction",
        data: {},
        async load() {
            const [values] = await env.services.orm.read("payment.transaction", [resId], ["state", "last_state_change"]);
            this.data = { state: values.state, write_date: values.last_state_change };
            window.__recordLoads++;
        },
    });
}

export async function startWebClient() {
    const env = makeEnv();
    const { page, actionTag, widget, resId } = document.body.dataset;
    const target = document.querySelector(".o_action_manager");
    const config = { env, getTemplate, translateFn: _t };
    if (page === "action") {
        const ClientAction = registry.category("actions").get(actionTag);
        const action = { id: 1, type: "ir.actions.client", tag: actionTag, name: "PayPal", path: "paypal", context: {}, params: {} };
        await mount(ClientAction, target, { ...config, props: { action, actionId: action.id, updateActionState: () => {}, className: "o_action" } });
    } else if (page === "form") {
        const { component } = registry.category("view_widgets").get(widget);
        const record = formRecord(env, Number(resId));
        await record.load();
        window.__formRecord = record;
        await mount(component, target, { ...config, props: { record, readonly: false } });
    } else {
        throw new Error(`unknown page ${page}`);
    }
    return env;
}
