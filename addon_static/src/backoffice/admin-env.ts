// One admin API client per web client (its env's services): the client action and every
// transaction form share the session and its token. It fetches sessions with the raw `orm`
// service, not a component's protected one, whose calls never settle once that component is gone
// (a renewal started by a closed form would otherwise block every later request).
import { _t } from './odoo.ts';
import type { ORM } from '@web/core/orm_service';
import { AdminServiceError, createAdminApi, type AdminApi } from './admin-api.ts';
import { AdminSession } from './admin-session.ts';

const apis = new WeakMap<object, AdminApi>();

export function adminApiFor(env: { services: { orm: ORM } }): AdminApi {
  let api = apis.get(env.services);
  if (!api) {
    const orm = env.services.orm;
    api = createAdminApi(new AdminSession(() => orm.call('payment.provider', 'paypal_bridge_admin_session', [])));
    apis.set(env.services, api);
  }
  return api;
}

/** What went wrong, for a notification or an inline alert. */
export function errorText(err: unknown): string {
  if (err instanceof AdminServiceError) {
    const paypal = err.paypalName ? ` (PayPal: ${err.paypalName}${err.paypalDebugId ? `, debug id ${err.paypalDebugId}` : ''})` : '';
    const unknown = err.outcomeUnknown ? ` ${_t('The operation may still complete at PayPal; trying again is safe.')}` : '';
    return `${err.message}${paypal}${unknown}`;
  }
  // Odoo's RPCError: the server's message is in data.message (a UserError's text, an AccessError...).
  const data = (err as { data?: { message?: unknown } } | null)?.data;
  if (data && typeof data.message === 'string' && data.message) return data.message;
  return err instanceof Error ? err.message : String(err);
}
