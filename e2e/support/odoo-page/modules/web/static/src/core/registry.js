// Stand-in of Odoo 18's registry (web/static/src/core/registry.js), our own code: named
// categories of key → value entries, ordered by `sequence` (default 50); adding a key twice
// without `force` is an error, as in Odoo; get() of an unknown key without a default throws.
class Registry {
    constructor(name) {
        this.name = name;
        this.content = {};
        this.subRegistries = {};
    }
    add(key, value, { force, sequence } = {}) {
        if (!force && key in this.content) {
            throw new Error(`Cannot add key "${key}" in the "${this.name}" registry: it already exists`);
        }
        this.content[key] = [sequence ?? 50, value];
        return this;
    }
    get(key, defaultValue) {
        if (arguments.length < 2 && !(key in this.content)) {
            throw new Error(`Cannot find key "${key}" in the "${this.name}" registry`);
        }
        return key in this.content ? this.content[key][1] : defaultValue;
    }
    contains(key) {
        return key in this.content;
    }
    getAll() {
        return Object.values(this.content).sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    }
    category(name) {
        if (!(name in this.subRegistries)) {
            this.subRegistries[name] = new Registry(name);
        }
        return this.subRegistries[name];
    }
}

export const registry = new Registry("root");
