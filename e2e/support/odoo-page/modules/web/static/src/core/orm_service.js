// Stand-in of Odoo 18's orm service (web/static/src/core/orm_service.js), our own code, with
// Odoo's signatures: call(model, method, args, kwargs) is one JSON-RPC request to
// /web/dataset/call_kw/<model>/<method> with {model, method, args, kwargs} where kwargs.context
// is user.context merged with the caller's; read(model, ids, fields) (no request for no id),
// search(model, domain, kwargs), searchRead(model, domain, fields, kwargs) = search_read with
// domain and fields as keyword arguments, searchCount(model, domain, kwargs) = search_count with
// the domain as first argument. Errors are the rpc stand-in's RPCError / ConnectionLostError.
// Its asynchronous methods are protected by useService, as Odoo declares them.
import { rpc } from "@web/core/network/rpc";
import { user } from "@web/core/user";
import { SERVICES_METADATA } from "@web/core/utils/hooks";

export class ORM {
    call(model, method, args = [], kwargs = {}) {
        const context = Object.assign({}, user.context, kwargs.context || {});
        return rpc(`/web/dataset/call_kw/${model}/${method}`, { model, method, args, kwargs: Object.assign({}, kwargs, { context }) });
    }
    read(model, ids, fields, kwargs = {}) {
        if (!ids.length) {
            return Promise.resolve([]);
        }
        return this.call(model, "read", [ids, fields], kwargs);
    }
    search(model, domain, kwargs = {}) {
        return this.call(model, "search", [domain], kwargs);
    }
    searchRead(model, domain, fields, kwargs = {}) {
        return this.call(model, "search_read", [], Object.assign({}, kwargs, { domain, fields }));
    }
    searchCount(model, domain, kwargs = {}) {
        return this.call(model, "search_count", [domain], kwargs);
    }
}

export const ormService = {
    async: ["call", "read", "search", "searchRead", "searchCount"],
    start() {
        return new ORM();
    },
};
SERVICES_METADATA.orm = ormService.async;
