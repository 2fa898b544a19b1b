// Stand-in of Odoo 18's useService (web/static/src/core/utils/hooks.js), our own code: the
// calling component's env.services[name], an error when it is missing; the asynchronous methods a
// service declares (`async` in its definition, as Odoo's orm does) are protected like Odoo's:
// once the component is destroyed, their promises never settle.
import { status, useComponent } from "@odoo/owl";

export const SERVICES_METADATA = {};

function protect(component, fn) {
    return function (...args) {
        if (status(component) === "destroyed") {
            return new Promise(() => {});
        }
        return Promise.resolve(fn.call(this, ...args)).then((result) =>
            status(component) === "destroyed" ? new Promise(() => {}) : result
        );
    };
}

export function useService(serviceName) {
    const component = useComponent();
    const { services } = component.env;
    if (!(serviceName in services)) {
        throw new Error(`Service ${serviceName} is not available`);
    }
    const service = services[serviceName];
    const methods = SERVICES_METADATA[serviceName];
    if (!methods) {
        return service;
    }
    const result = Object.create(service);
    for (const method of methods) {
        result[method] = protect(component, service[method]);
    }
    return result;
}
