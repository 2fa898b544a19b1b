// The browser's side of the service's admin API (service/src/admin/admin-routes.ts), with the
// admin session's token. A 401 means the token was not accepted, so nothing was done: the
// session is renewed and the request sent once more. Errors keep the service's code and message
// (and PayPal's name and debug id when PayPal refused), and say whether the outcome is unknown
// (no answer: the operation may still have happened, so a retry must reuse its idempotency key).
import type { AdminSession } from './admin-session.ts';

export interface TimelineEntry {
  at: string;
  kind: string;
  outcome: string;
  summary: string;
  event_id: string | null;
}

export interface ActionAnswer {
  result: string;
  detail: string;
  refund_id?: string;
  refund_status?: string;
  capture_id?: string;
}

export interface DeadEvent {
  id: number;
  event_id: string;
  event_type: string;
  resource_id: string | null;
  status: string;
  attempts: number;
  deliveries: number;
  received_at: string;
  last_error: string | null;
}

export interface Health {
  now: string;
  store: string;
  queue: Record<string, number>;
  due: number;
  oldest_pending_at: string | null;
  last_webhook_at: string | null;
  webhook_silence_minutes: number;
  webhook_silence_alert: boolean;
  paypal_circuit: string;
  activity: { start: string; received: number; failed: number }[];
}

export class AdminServiceError extends Error {
  override name = 'AdminServiceError';
  /** HTTP status; 0 when no answer came back. */
  readonly status: number;
  /** The service's error code (AMOUNT_TOO_LARGE, TOKEN_INVALID, …), NETWORK or UNAVAILABLE. */
  readonly code: string;
  readonly paypalName: string | undefined;
  readonly paypalDebugId: string | undefined;

  constructor(status: number, code: string, message: string, paypal?: { name?: string; debugId?: string }) {
    super(message);
    this.status = status;
    this.code = code;
    this.paypalName = paypal?.name;
    this.paypalDebugId = paypal?.debugId;
  }

  /** No answer, or a proxy's error page or a server error: the operation may have happened. */
  get outcomeUnknown(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export interface AdminApi {
  readonly session: AdminSession;
  timeline(reference: string): Promise<{ reference: string; timeline: TimelineEntry[] }>;
  sync(reference: string): Promise<ActionAnswer>;
  capture(reference: string, amount: string | undefined, idempotencyKey: string): Promise<ActionAnswer>;
  voidAuthorization(reference: string, idempotencyKey: string): Promise<ActionAnswer>;
  refund(reference: string, amount: string, idempotencyKey: string): Promise<ActionAnswer>;
  deadEvents(limit?: number): Promise<DeadEvent[]>;
  replay(eventId: string): Promise<{ event_id: string; status: string }>;
  health(hours?: number): Promise<Health>;
  /** Any other admin endpoint answering JSON (`path` from /v1/admin/…, query included). */
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /**
   * A file the service serves (a CSV export), fetched with the token in the Authorization header:
   * never put the token in a URL, where logs and the browser's history would keep it.
   */
  download(path: string): Promise<Blob>;
}

export interface AdminApiOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** How long to wait for an answer (default 60 s: the service may itself retry PayPal). */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

function text(source: Json | undefined, key: string): string | undefined {
  const value = source?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function createAdminApi(session: AdminSession, options: AdminApiOptions = {}): AdminApi {
  async function send(method: 'GET' | 'POST', path: string, body: unknown, serviceUrl: string, token: string): Promise<Response> {
    try {
      return await (options.fetch ?? fetch)(`${serviceUrl}${path}`, {
        method,
        mode: 'cors',
        credentials: 'omit',
        headers: { Authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}) },
        ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (err) {
      throw new AdminServiceError(
        0,
        'NETWORK',
        `The PayPal Bridge service did not answer at ${serviceUrl} (${String(err)}). Check that it runs and that its BRIDGE_ALLOWED_ORIGINS lists ${globalThis.location?.origin ?? 'this Odoo'}.`,
      );
    }
  }

  async function authorized(method: 'GET' | 'POST', path: string, body: unknown): Promise<Response> {
    let info = await session.current();
    let response = await send(method, path, body, info.service_url, info.token);
    if (response.status === 401) {
      // Not accepted, so not executed: renew the session and try once more.
      session.invalidate(info.token);
      info = await session.current();
      response = await send(method, path, body, info.service_url, info.token);
    }
    return response;
  }

  /** The JSON object the service answered, or the error it reported. */
  async function readJson<T>(response: Response): Promise<T> {
    const status = response.status;
    const parsed: unknown = await response.json().catch(() => undefined);
    const json = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : undefined;
    if (!json) {
      throw new AdminServiceError(status, response.ok ? 'BAD_RESPONSE' : 'UNAVAILABLE', `The PayPal Bridge service answered HTTP ${status} without a JSON object.`);
    }
    if (!response.ok) {
      const paypal = typeof json['paypal'] === 'object' && json['paypal'] !== null ? (json['paypal'] as Json) : undefined;
      let message = text(json, 'message') ?? `HTTP ${status}`;
      if (status === 401) message += ". Check that the provider's Bridge Secret equals the service's BRIDGE_SECRET, that ODOO_DB names this database, and that both clocks are right.";
      const name = text(paypal, 'name');
      const debugId = text(paypal, 'debug_id');
      throw new AdminServiceError(status, text(json, 'error') ?? `HTTP_${status}`, message, paypal ? { ...(name ? { name } : {}), ...(debugId ? { debugId } : {}) } : undefined);
    }
    return json as T;
  }

  async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return readJson<T>(await authorized(method, path, body));
  }

  const tx = (reference: string, action: string) => `/v1/admin/transactions/${encodeURIComponent(reference)}/${action}`;

  return {
    session,
    timeline: (reference) => request('GET', tx(reference, 'timeline')),
    sync: (reference) => request('POST', tx(reference, 'sync'), {}),
    capture: (reference, amount, idempotencyKey) => request('POST', tx(reference, 'capture'), { ...(amount ? { amount } : {}), idempotency_key: idempotencyKey }),
    voidAuthorization: (reference, idempotencyKey) => request('POST', tx(reference, 'void'), { idempotency_key: idempotencyKey }),
    refund: (reference, amount, idempotencyKey) => request('POST', tx(reference, 'refund'), { amount, idempotency_key: idempotencyKey }),
    async deadEvents(limit = 50) {
      const answer = await request<{ events: DeadEvent[] }>('GET', `/v1/admin/events?status=dead&limit=${limit}`);
      return answer.events;
    },
    replay: (eventId) => request('POST', `/v1/admin/events/${encodeURIComponent(eventId)}/replay`, {}),
    health: (hours = 24) => request('GET', `/v1/admin/health?hours=${hours}`),
    call: (method, path, body) => request(method, path, body),
    async download(path) {
      const response = await authorized('GET', path, undefined);
      // Errors come as JSON, as for every other request.
      if (!response.ok) return readJson<never>(response);
      return response.blob();
    },
  };
}

/**
 * Idempotency keys per user action. The same action (same operation on the same transaction
 * with the same amount) keeps its key while its outcome is unknown, so that clicking again after
 * a timeout cannot refund twice; once the service answered, the next action gets a new key.
 */
export class ActionKeys {
  private readonly pending = new Map<string, string>();

  key(action: string): string {
    let key = this.pending.get(action);
    if (!key) {
      key = newIdempotencyKey();
      this.pending.set(action, key);
    }
    return key;
  }

  /** The service answered (done or refused): that action's key is spent. */
  settle(action: string): void {
    this.pending.delete(action);
  }
}

/** 32 random hex digits (crypto.getRandomValues works on plain-http Odoo too, unlike randomUUID). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
