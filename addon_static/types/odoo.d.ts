// What our browser code imports from Odoo 18's own JavaScript modules, typed to what they export
// (read from Odoo 18.0's sources: web/static/src/core/l10n/translation.js, core/templates.js,
// core/network/rpc.js, payment/static/src/js/payment_form.js, payment_paypal/static/src/js/
// payment_form.js). Only what we use is declared; these modules exist only inside Odoo's asset
// bundles, so scripts/build-addon.ts keeps them external.

declare module '@web/core/l10n/translation' {
  /**
   * Translates `term` (positional `%s` or named `%(name)s` placeholders are filled from `values`).
   * Before the translations are loaded it returns a lazy `String` object that translates when
   * converted; Odoo's public pages load them before any widget starts, and we only call `_t` in
   * event handlers, so callers may treat the result as a string.
   * Keep calls as `_t("literal")`: Odoo extracts the literals for translation under that name.
   */
  export function _t(term: string, ...values: unknown[]): string;
}

declare module '@web/core/templates' {
  /** The parsed XML of a template registered from the bundle's .xml files; null when unknown. */
  export function getTemplate(name: string): Element | null;
}

declare module '@web/core/network/rpc' {
  /** An error answered by the Odoo server (JSON-RPC `error`), e.g. a UserError or ValidationError. */
  export class RPCError extends Error {
    type: string;
    code: number | null;
    exceptionName: string | null;
    subType: string | null;
    data: { name?: string; message?: string; debug?: string; arguments?: unknown[]; context?: Record<string, unknown> } | null;
  }
  /** The Odoo server could not be reached or answered something that is not JSON. */
  export class ConnectionLostError extends Error {
    url: string;
  }
}

declare module '@payment/js/payment_form' {
  export type PaymentFlow = 'redirect' | 'direct' | 'token';

  /**
   * The processing values the transaction route answers (payment.transaction
   * `_get_processing_values`): Odoo's generic keys, plus what the provider adds.
   */
  export type ProcessingValues = Record<string, unknown> & { provider_code?: string; reference?: string };

  /** The payment form (publicWidget.registry.PaymentForm, a legacy public widget on #o_payment_form). */
  export interface PaymentFormWidget {
    /** The <form id="o_payment_form"> element. */
    el: HTMLElement;
    /** The form's data-* attributes plus the state of the current payment attempt. */
    paymentContext: Record<string, unknown>;
    /** In a method passed to include(): the implementation it overrides, bound to `this`. Call it before any await. */
    _super(...args: unknown[]): unknown;
    _submitForm(ev: Event): Promise<void>;
    /** Asks the submit button to enable itself (it checks its own conditions, e.g. the terms checkbox); also unblocks the UI by default. */
    _enableButton(unblockUI?: boolean): void;
    _disableButton(blockUI?: boolean): void;
    _hideInputs(): void;
    _showInputs(): void;
    _setPaymentFlow(flow?: PaymentFlow): void;
    _getInlineForm(radio: HTMLElement): HTMLElement | null | undefined;
    _displayErrorDialog(title: string, errorMessage?: string): void;
    _prepareInlineForm(providerId: number, providerCode: string, paymentOptionId: number, paymentMethodCode: string, flow: PaymentFlow): Promise<void>;
    _processDirectFlow(providerCode: string, paymentOptionId: number, paymentMethodCode: string, processingValues: ProcessingValues): void;
  }

  export interface PaymentFormClass {
    /**
     * Patches the widget class in place (Odoo's Class.include): each function replaces the
     * existing method and can reach it as `this._super`. Pass ordinary functions, not arrows.
     */
    include<T extends object>(overrides: T & ThisType<PaymentFormWidget & T>): void;
  }

  const PaymentForm: PaymentFormClass;
  export default PaymentForm;
}

// payment_paypal's override of the payment form; imported for its side effect only, so that our
// include() runs after it and our methods can decline to call its implementation.
declare module '@payment_paypal/js/payment_form' {}

// --- The back office (web.assets_backend): web/static/src/core/registry.js, core/utils/hooks.js,
// core/orm_service.js, core/notifications/notification_service.js, core/dialog/dialog_service.js,
// webclient/actions/action_service.js, core/confirmation_dialog/confirmation_dialog.js,
// core/assets.js, core/user.js, views/widgets/standard_widget_props.js (Odoo 18.0).

declare module '@web/core/registry' {
  export interface RegistryCategory<T = unknown> {
    add(key: string, value: T, options?: { sequence?: number; force?: boolean }): RegistryCategory<T>;
    get(key: string, defaultValue?: T): T;
    contains(key: string): boolean;
  }
  export const registry: { category<T = unknown>(name: string): RegistryCategory<T> };
}

declare module '@web/core/orm_service' {
  /** A domain in Odoo's list form, e.g. ['|', ['a', '=', 1], ['b', 'ilike', 'x']]. */
  export type DomainList = readonly (string | readonly [string, string, unknown])[];
  export interface OrmKwargs {
    offset?: number;
    limit?: number;
    order?: string;
    context?: Record<string, unknown>;
  }
  /** The `orm` service: each call is one `/web/dataset/call_kw/<model>/<method>` JSON-RPC request (user.context merged in); a server error rejects with an RPCError. */
  export interface ORM {
    call<T = unknown>(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<T>;
    read<T = Record<string, unknown>>(model: string, ids: number[], fields: string[], kwargs?: OrmKwargs): Promise<T[]>;
    searchRead<T = Record<string, unknown>>(model: string, domain: DomainList, fields: string[], kwargs?: OrmKwargs): Promise<T[]>;
    searchCount(model: string, domain: DomainList, kwargs?: OrmKwargs): Promise<number>;
  }
}

declare module '@web/core/utils/hooks' {
  import type { ORM } from '@web/core/orm_service';

  export interface NotificationOptions {
    title?: string;
    type?: 'warning' | 'danger' | 'success' | 'info';
    sticky?: boolean;
    autocloseDelay?: number;
  }
  export interface NotificationService {
    /** Shows a notification; returns the function that closes it. */
    add(message: string, options?: NotificationOptions): () => void;
  }
  export interface DialogService {
    /** Opens `component` in a dialog with `props` (plus `close`); returns the function that closes it. */
    add(component: unknown, props: Record<string, unknown>, options?: { onClose?: () => void }): () => void;
  }
  export interface ActionService {
    doAction(action: Record<string, unknown> | string | number, options?: Record<string, unknown>): Promise<unknown>;
  }
  export interface Services {
    orm: ORM;
    notification: NotificationService;
    dialog: DialogService;
    action: ActionService;
  }
  /**
   * The service for the calling component. Its asynchronous methods are protected: once the
   * component is destroyed, their promises never settle (nothing runs on a dead component).
   */
  export function useService<K extends keyof Services>(name: K): Services[K];
}

declare module '@web/core/confirmation_dialog/confirmation_dialog' {
  import type { Component } from '@odoo/owl';
  /**
   * Odoo's confirmation dialog (dialog.add(ConfirmationDialog, props)): `body` as text, the
   * confirm button runs `confirm` (awaited, buttons disabled meanwhile; the dialog closes unless
   * it returns false), the cancel button (shown when `cancel` is given) runs `cancel`.
   */
  export class ConfirmationDialog extends Component {}
}

declare module '@web/core/assets' {
  /** Loads an asset bundle's files (e.g. "web.chartjs_lib", which defines the global Chart) once. */
  export function loadBundle(bundleName: string): Promise<void>;
}

declare module '@web/core/user' {
  export const user: {
    readonly userId: number;
    readonly context: Record<string, unknown>;
    /** e.g. "en-US". */
    readonly lang: string;
    readonly tz: string;
    hasGroup(group: string): Promise<boolean>;
  };
}

// Chart.js 4.4.1 as Odoo 18 ships it: web.chartjs_lib defines the global `Chart` (UMD build).
declare const Chart: typeof import('chart.js').Chart;
