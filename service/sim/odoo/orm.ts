// What `object.execute_kw` reaches in the simulated Odoo besides the bridge's entry points: the
// method-name rules of odoo/service/model.py (get_public_method), model access rights
// (ir.model.access, with Odoo's exact AccessError text) and a small ORM (search, search_read,
// read, search_count, a few writes) so that tests can read state as an administrator would.
import { compileDomain } from './domain.ts';
import { accessError, messages, missingError, OdooFault } from './faults.ts';
import { INTERNAL_GROUP, INVOICING_GROUP, MANAGER_GROUP, readModel, SYSTEM_GROUP, type OdooRecord, type SimDatabase, type SimUser } from './records.ts';

// res.groups as Odoo names them in access errors: "<category>/<group>".
const GROUP_LABELS: Record<string, string> = {
  [SYSTEM_GROUP]: 'Administration/Settings',
  [INVOICING_GROUP]: 'Invoicing/Invoicing',
  'account.group_account_manager': 'Invoicing/Administrator',
  'account.group_account_readonly': 'Technical/Show Accounting Features - Readonly',
  'account.group_account_user': 'Technical/Show Full Accounting Features',
  'sales_team.group_sale_manager': 'Sales/Administrator',
  'sales_team.group_sale_salesman': 'Sales/User: Own Documents Only',
  'base.group_partner_manager': 'Extra Rights/Contact Creation',
  [INTERNAL_GROUP]: 'User types/Internal User',
  'base.group_portal': 'User types/Portal',
  'base.group_public': 'User types/Public',
  [MANAGER_GROUP]: 'PayPal Bridge/PayPal Manager',
};

type Mode = 'read' | 'write' | 'create';

interface ModelAccess {
  description: string;
  read: string[];
  write: string[];
  create: string[];
}

// The ir.model.access rows of an Odoo 18 database with sale, account_payment, website_sale and
// paypal_bridge installed (read from a real one: ir.model.access.group_names_with_access).
const ACCESS: Record<string, ModelAccess> = {
  'payment.transaction': { description: 'Payment Transaction', read: [SYSTEM_GROUP, INVOICING_GROUP], write: [SYSTEM_GROUP, INVOICING_GROUP], create: [SYSTEM_GROUP, INVOICING_GROUP] },
  'payment.provider': { description: 'Payment Provider', read: [SYSTEM_GROUP], write: [SYSTEM_GROUP], create: [SYSTEM_GROUP] },
  'sale.order': {
    description: 'Sales Order',
    read: [INVOICING_GROUP, 'sales_team.group_sale_manager', 'sales_team.group_sale_salesman', 'account.group_account_readonly', 'account.group_account_user', 'base.group_portal'],
    write: [INVOICING_GROUP, 'sales_team.group_sale_manager', 'sales_team.group_sale_salesman', 'account.group_account_user'],
    create: ['sales_team.group_sale_manager', 'sales_team.group_sale_salesman'],
  },
  'account.payment': { description: 'Payments', read: [INVOICING_GROUP, 'account.group_account_readonly'], write: [INVOICING_GROUP], create: [INVOICING_GROUP] },
  'res.partner': {
    description: 'Contact',
    read: ['base.group_partner_manager', 'account.group_account_manager', 'sales_team.group_sale_manager', 'sales_team.group_sale_salesman', INTERNAL_GROUP, 'base.group_portal', 'base.group_public'],
    write: ['base.group_partner_manager', 'sales_team.group_sale_manager'],
    create: ['base.group_partner_manager', 'sales_team.group_sale_manager'],
  },
  'res.users': { description: 'User', read: [INTERNAL_GROUP, 'base.group_portal', 'base.group_public'], write: [SYSTEM_GROUP], create: [SYSTEM_GROUP] },
  'mail.activity': { description: 'Activity', read: [INTERNAL_GROUP], write: [INTERNAL_GROUP], create: [INTERNAL_GROUP] },
  'paypal.dispute': { description: 'PayPal Dispute', read: [INVOICING_GROUP, MANAGER_GROUP], write: [MANAGER_GROUP], create: [MANAGER_GROUP] },
};

const ACCESS_HEADER: Record<Mode, string> = {
  read: "You are not allowed to access '%s' (%s) records.",
  write: "You are not allowed to modify '%s' (%s) records.",
  create: "You are not allowed to create '%s' (%s) records.",
};

/** ir.model.access.check: Odoo's AccessError text, groups listed in Odoo's order. */
export function checkModelAccess(user: SimUser, model: string, mode: Mode): void {
  const access = ACCESS[model];
  if (!access) return;
  const groups = access[mode];
  if (groups.some((g) => user.groups.has(g))) return;
  const header = ACCESS_HEADER[mode].replace('%s', access.description).replace('%s', model);
  const labels = groups.map((g) => GROUP_LABELS[g] ?? g).sort();
  const groupInfo = labels.length
    ? `This operation is allowed for the following groups:\n${labels.map((l) => `\t- ${l}`).join('\n')}`
    : 'No group currently allows this operation.';
  throw accessError(`${header}\n\n${groupInfo}\n\nContact your administrator to request access if necessary.`);
}

export const SIMULATED_MODELS = new Set(Object.keys(ACCESS));

// Private methods that exist on the models (BaseModel's and the payment flow's): over RPC they
// are refused with AccessError. A private name that exists nowhere is an AttributeError, as in Odoo.
const KNOWN_PRIVATE = new Set([
  'init', '_auto_init', '_read', '_write', '_create', '_search', '_read_group', '_flush', '_compute_display_name',
  '_check_company', '_name_search', '_validate_fields', '_check_access', '_filtered_access', '_fetch_field',
  '_set_pending', '_set_authorized', '_set_done', '_set_canceled', '_set_error', '_update_state',
  '_update_source_transaction_state', '_post_process', '_cron_post_process', '_create_child_transaction',
  '_create_payment', '_send_refund_request', '_send_capture_request', '_send_void_request',
  '_send_payment_request', '_handle_notification_data', '_get_tx_from_notification_data',
  '_process_notification_data', '_compute_reference', '_compute_reference_prefix', '_log_received_message',
  '_log_sent_message', '_log_message_on_linked_documents', '_get_processing_values',
  '_get_specific_processing_values', '_check_amount_and_confirm_order', '_invoice_sale_orders',
  '_action_confirm', '_is_confirmation_amount_reached', '_paypal_make_request', '_compute_feature_support_fields',
]);

// Public methods that exist in Odoo but that the simulator does not model.
const UNMODELED_PUBLIC = new Set([
  'unlink', 'copy', 'name_search', 'fields_get', 'read_group', 'web_search_read', 'web_read', 'name_create',
  'action_refund', 'action_capture', 'action_void', 'action_view_refunds', 'action_confirm', 'action_cancel',
  'action_post', 'action_draft', 'message_post', 'activity_schedule', 'action_paypal_bridge_mark_reviewed',
  'action_paypal_bridge_generate_service_key',
]);

export const ORM_METHODS = new Set(['search', 'search_read', 'read', 'search_count', 'write', 'create']);

/** odoo/service/model.py get_public_method: what may be called, with Odoo's errors otherwise. */
export function checkMethodName(model: string, method: string, exists: (method: string) => boolean): void {
  const isPrivate = method.startsWith('_') || method === 'init';
  const known = exists(method) || KNOWN_PRIVATE.has(method) || method.startsWith('_paypal_bridge_') || UNMODELED_PUBLIC.has(method);
  if (!known) throw new OdooFault('builtins.AttributeError', messages.noSuchMethod(model, method));
  if (isPrivate) throw accessError(messages.privateMethod(model, method));
  if (UNMODELED_PUBLIC.has(method) && !exists(method)) {
    throw new OdooFault('builtins.NotImplementedError', `The Odoo simulator does not model ${model}.${method}; use its fixtures API or a real Odoo.`);
  }
}

interface Bound {
  ids: number[];
  rest: unknown[];
}

function bind(method: string, args: unknown[]): Bound {
  // call_kw: for methods that are not @api.model, args[0] is the list of record ids.
  if (method === 'read' || method === 'write') {
    const first = args[0];
    const ids = Array.isArray(first) ? first : typeof first === 'number' ? [first] : [];
    if (!ids.every((id) => typeof id === 'number')) throw new OdooFault('builtins.TypeError', `${method}() expects a list of ids`);
    return { ids: ids as number[], rest: args.slice(1) };
  }
  return { ids: [], rest: args };
}

function arg(rest: unknown[], kwargs: Record<string, unknown>, index: number, name: string): unknown {
  return kwargs[name] !== undefined ? kwargs[name] : rest[index];
}

/** A plain ORM call by `user` on `model`. */
export function callOrm(db: SimDatabase, user: SimUser, model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const { ids, rest } = bind(method, args);
  switch (method) {
    case 'search_read': {
      checkModelAccess(user, model, 'read');
      const records = search(db, model, arg(rest, kwargs, 0, 'domain'), arg(rest, kwargs, 2, 'offset'), arg(rest, kwargs, 3, 'limit'), arg(rest, kwargs, 4, 'order'));
      return records.map((r) => project(model, r, arg(rest, kwargs, 1, 'fields')));
    }
    case 'search': {
      checkModelAccess(user, model, 'read');
      return search(db, model, arg(rest, kwargs, 0, 'domain'), arg(rest, kwargs, 1, 'offset'), arg(rest, kwargs, 2, 'limit'), arg(rest, kwargs, 3, 'order')).map((r) => r.id);
    }
    case 'search_count': {
      checkModelAccess(user, model, 'read');
      return search(db, model, arg(rest, kwargs, 0, 'domain'), 0, arg(rest, kwargs, 1, 'limit'), undefined).length;
    }
    case 'read': {
      checkModelAccess(user, model, 'read');
      const all = readModel(db, model) ?? [];
      const found = ids.map((id) => all.find((r) => r.id === id));
      const missing = ids.filter((_, i) => found[i] === undefined);
      if (missing.length > 0) {
        throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${missing.join(', ')},), User: ${user.id})`);
      }
      return found.map((r) => project(model, r as OdooRecord, arg(rest, kwargs, 0, 'fields')));
    }
    case 'write': {
      checkModelAccess(user, model, 'write');
      const vals = arg(rest, kwargs, 0, 'vals');
      if (!vals || typeof vals !== 'object' || Array.isArray(vals)) throw new OdooFault('builtins.TypeError', 'write() expects a dict of values');
      for (const id of ids) writeRecord(db, model, id, vals as Record<string, unknown>, user);
      return true;
    }
    case 'create': {
      checkModelAccess(user, model, 'create');
      const raw = arg(rest, kwargs, 0, 'vals_list');
      const list = Array.isArray(raw) ? raw : [raw];
      const created = list.map((vals) => createRecord(db, model, (vals ?? {}) as Record<string, unknown>));
      return Array.isArray(raw) ? created : created[0];
    }
    default:
      throw new OdooFault('builtins.AttributeError', messages.noSuchMethod(model, method));
  }
}

function search(db: SimDatabase, model: string, domain: unknown, offset: unknown, limit: unknown, order: unknown): OdooRecord[] {
  const matches = compileDomain(model, domain);
  let records = (readModel(db, model) ?? []).filter(matches);
  if (typeof order === 'string' && order.trim() !== '') {
    const [field = 'id', direction = 'asc'] = order.split(',')[0]?.trim().split(/\s+/) ?? [];
    const sign = direction.toLowerCase() === 'desc' ? -1 : 1;
    records = [...records].sort((a, b) => {
      const x = a[field] as string | number;
      const y = b[field] as string | number;
      return x < y ? -sign : x > y ? sign : 0;
    });
  }
  const start = typeof offset === 'number' ? offset : 0;
  const end = typeof limit === 'number' && limit > 0 ? start + limit : undefined;
  return records.slice(start, end);
}

function project(model: string, record: OdooRecord, fields: unknown): OdooRecord {
  if (!Array.isArray(fields) || fields.length === 0) return record;
  const out: OdooRecord = { id: record.id };
  for (const field of fields) {
    if (typeof field !== 'string' || !(field in record)) throw new OdooFault('builtins.ValueError', `Invalid field '${String(field)}' on model '${model}'`);
    out[field] = record[field] ?? false;
  }
  return out;
}

function notModeled(model: string, what: string): OdooFault {
  return new OdooFault('builtins.NotImplementedError', `The Odoo simulator does not model ${what} on ${model}; use its fixtures API or a real Odoo.`);
}

function writeRecord(db: SimDatabase, model: string, id: number, vals: Record<string, unknown>, user: SimUser): void {
  const m2oId = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
  if (model === 'payment.provider') {
    const provider = db.provider(id);
    if (!provider) throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: ${user.id})`);
    for (const [key, value] of Object.entries(vals)) {
      if (key === 'capture_manually' || key === 'paypal_bridge_enabled') provider[key] = Boolean(value);
      else if (key === 'paypal_bridge_dispute_user_id') provider.paypal_bridge_dispute_user_id = m2oId(value);
      else if (key === 'state' && (value === 'enabled' || value === 'test' || value === 'disabled')) provider.state = value;
      else throw notModeled(model, `writing '${key}'`);
    }
    return;
  }
  if (model === 'sale.order') {
    const order = db.order(id);
    if (!order) throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: ${user.id})`);
    for (const [key, value] of Object.entries(vals)) {
      if (key === 'user_id') order.user_id = m2oId(value);
      else throw notModeled(model, `writing '${key}'`);
    }
    return;
  }
  if (model === 'res.partner') {
    const partner = db.partner(id);
    if (!partner) throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: ${user.id})`);
    for (const [key, value] of Object.entries(vals)) {
      if (key === 'name' && typeof value === 'string') partner.name = value;
      else if (key === 'email') partner.email = typeof value === 'string' ? value : undefined;
      else throw notModeled(model, `writing '${key}'`);
    }
    return;
  }
  throw notModeled(model, 'write()');
}

function createRecord(db: SimDatabase, model: string, vals: Record<string, unknown>): number {
  if (model === 'res.partner') {
    const unknownKeys = Object.keys(vals).filter((k) => k !== 'name' && k !== 'email');
    if (unknownKeys.length > 0) throw notModeled(model, `creating with '${unknownKeys.join("', '")}'`);
    if (typeof vals['name'] !== 'string') throw new OdooFault('odoo.exceptions.ValidationError', 'The operation cannot be completed:\n- Create/update: a mandatory field is not set.');
    const id = db.nextId('res.partner');
    db.partners.push({ id, name: vals['name'], email: typeof vals['email'] === 'string' ? vals['email'] : undefined, paypal_payer_id: undefined });
    return id;
  }
  throw notModeled(model, 'create()');
}
