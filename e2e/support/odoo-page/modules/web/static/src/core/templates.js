// Stand-in of Odoo 18's template registry (web/static/src/core/templates.js), our own code: the
// page has no .xml templates, so every name is unknown (null), as in Odoo for names it lacks; OWL
// then uses its own inline (xml``) templates.
export function getTemplate(_name) {
    return null;
}
