// Stand-in of Odoo 18's user (web/static/src/core/user.js), our own code: read from the page's
// session info (odoo.__session_info__, as Odoo's @web/session is): id, context (lang, tz, uid),
// the BCP 47 language, the time zone, and hasGroup() answered from the groups the page names
// (Odoo asks the server through res.users.has_group; the page server knows the same groups).
const info = window.odoo.__session_info__;

export const user = {
    userId: info.uid,
    get context() {
        return Object.assign({}, info.user_context, { uid: info.uid });
    },
    lang: (info.user_context.lang || "en_US").replace("_", "-"),
    tz: info.user_context.tz,
    async hasGroup(group) {
        return info.groups.includes(group);
    },
};
