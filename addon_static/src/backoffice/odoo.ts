// Every binding the back office takes from Odoo's own modules, imported here once, so that the
// bundle has one import per module and keeps Odoo's names: Odoo extracts translatable terms from
// `_t("…")` calls, which esbuild would otherwise rename (`_t2`, `_t3`…) file by file.
export { Component, onMounted, onWillStart, onWillUnmount, onWillUpdateProps, useExternalListener, useRef, useState, xml } from '@odoo/owl';
export { loadBundle } from '@web/core/assets';
export { ConfirmationDialog } from '@web/core/confirmation_dialog/confirmation_dialog';
export { _t } from '@web/core/l10n/translation';
export { registry } from '@web/core/registry';
export { user } from '@web/core/user';
export { useService } from '@web/core/utils/hooks';
