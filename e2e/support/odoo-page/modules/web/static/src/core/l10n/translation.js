// Stand-in of Odoo 18's _t (web/static/src/core/l10n/translation.js), our own code: no
// translation is loaded, so a term is itself; "%s" placeholders are filled in order.
export function _t(term, ...values) {
    let index = 0;
    return values.length === 0 ? term : term.replace(/%s/g, () => String(values[index++] ?? ""));
}
