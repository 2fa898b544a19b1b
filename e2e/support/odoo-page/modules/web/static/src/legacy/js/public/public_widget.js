// Stand-in of Odoo 18's legacy public widgets (web/static/src/legacy/js/public/public_widget.js
// and the class system under it), our own code. What it models:
// - Widget.extend(props) makes a subclass; Class.include(props) patches a class in place; in a
//   method given to either, `this._super` is the implementation it replaces, for the synchronous
//   part of the call (as in Odoo, it is gone after an await);
// - `selector`: the elements a widget starts on; `events`: "type selector": "method" handlers
//   delegated from the widget's element (the handler gets the DOM event);
// - init(parent), start(), `this.el`, `this.call(service, method, ...args)` on Component.env.
// Not modelled: jQuery ($el, this.$), trigger_up, widget destruction, edit mode.
import { Component } from "@odoo/owl";

function withSuper(previous, fn) {
    return function (...args) {
        const saved = this._super;
        this._super = previous;
        try {
            return fn.apply(this, args);
        } finally {
            this._super = saved;
        }
    };
}

function include(Cls, props) {
    for (const [key, value] of Object.entries(props)) {
        const previous = Cls.prototype[key];
        Cls.prototype[key] = typeof value === "function" && typeof previous === "function" ? withSuper(previous, value) : value;
    }
}

function makeClass(Parent, props) {
    const Cls = class extends Parent {};
    include(Cls, props);
    Cls.extend = (childProps) => makeClass(Cls, childProps);
    Cls.include = (patch) => include(Cls, patch);
    return Cls;
}

class Root {
    constructor(parent) {
        this.init(parent);
    }
}

const Widget = makeClass(Root, {
    selector: null,
    events: {},
    init() {},
    async start() {},
    call(service, method, ...args) {
        return Component.env.services[service][method](...args);
    },
    bindService(service) {
        return Component.env.services[service];
    },
    async attachTo(el) {
        this.el = el;
        for (const [spec, method] of Object.entries(this.events || {})) {
            const [type, ...rest] = spec.split(" ");
            const selector = rest.join(" ");
            el.addEventListener(type, (ev) => {
                const target = selector ? ev.target.closest(selector) : el;
                if (target && el.contains(target)) {
                    this[method](ev);
                }
            });
        }
        await this.start();
    },
});

export const registry = {};

export default { Widget, registry };
