// The back office's credential for the service: an `admin` token Odoo issues to the logged-in
// PayPal manager (payment.provider.paypal_bridge_admin_session, 10 minutes). Fetched once and
// shared by every view of the page, renewed a minute before it expires, or at once when the
// service refused it (401: the secret was rotated, the clocks disagree...). One renewal at a time.

export interface AdminSessionInfo {
  token: string;
  /** The service as browsers reach it, without a trailing slash. */
  service_url: string;
  /** Unix seconds; the token is dead from then on. */
  expires_at: number;
  scopes: string[];
}

/** Renew this long before the token's expiry, so that no request carries a token about to die. */
export const RENEW_BEFORE_EXPIRY_MS = 60_000;

export function isAdminSessionInfo(value: unknown): value is AdminSessionInfo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['token'] === 'string' &&
    v['token'] !== '' &&
    typeof v['service_url'] === 'string' &&
    /^https?:\/\//.test(v['service_url']) &&
    typeof v['expires_at'] === 'number' &&
    Array.isArray(v['scopes']) &&
    v['scopes'].every((s) => typeof s === 'string')
  );
}

export class AdminSession {
  private readonly fetchSession: () => Promise<unknown>;
  private readonly now: () => number;
  private cached: AdminSessionInfo | null = null;
  private inFlight: Promise<AdminSessionInfo> | null = null;

  /** `fetchSession` asks Odoo for a new session; `now` is in milliseconds. */
  constructor(fetchSession: () => Promise<unknown>, now: () => number = Date.now) {
    this.fetchSession = fetchSession;
    this.now = now;
  }

  private fresh(info: AdminSessionInfo | null): info is AdminSessionInfo {
    return info !== null && info.expires_at * 1000 - this.now() > RENEW_BEFORE_EXPIRY_MS;
  }

  /** A session valid for at least another minute. */
  async current(): Promise<AdminSessionInfo> {
    if (this.fresh(this.cached)) return this.cached;
    if (!this.inFlight) {
      this.inFlight = (async () => {
        try {
          const info = await this.fetchSession();
          if (!isAdminSessionInfo(info)) throw new Error('Odoo answered the PayPal Bridge session request without a token and a service URL; update the paypal_bridge module.');
          this.cached = info;
          return info;
        } finally {
          this.inFlight = null;
        }
      })();
    }
    return this.inFlight;
  }

  /** The service refused `token`: forget it (unless a newer one replaced it meanwhile). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }
}
