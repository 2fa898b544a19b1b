// OAuth 2.0 client credentials for PayPal's REST API. PayPal asks integrators to reuse a token for
// its whole life (typically ~9 h) rather than fetch one per call, so the token is cached and
// refreshed shortly before it expires; concurrent callers share one refresh. The secret and the
// token appear only in request headers, which are never logged.
//
// A token request is a single HTTP exchange: retrying it (network errors, 5xx) is done by the
// client's retry loop, which treats "get a token, then call" as one attempt.
import type { Logger } from '../shared/logger.ts';
import { PayPalApiError, PayPalAuthError, PayPalResponseError } from './paypal-errors.ts';
import type { PayPalHttp } from './paypal-http.ts';
import { apiErrorFromResponse, isRetryableStatus, parseBody } from './paypal-responses.ts';
import { accessTokenResponseSchema } from './schemas.ts';

const TOKEN_PATH = '/v1/oauth2/token';
const MAX_EARLY_REFRESH_MS = 5 * 60_000;

/**
 * When to stop using a token issued at `issuedAtMs` for `expiresInSeconds`: 5 minutes before it
 * expires, or — for tokens shorter than 50 minutes — once 90% of its life has passed, so a short
 * token is still used for most of its life.
 */
export function tokenRefreshAt(issuedAtMs: number, expiresInSeconds: number): number {
  const lifeMs = expiresInSeconds * 1000;
  return issuedAtMs + lifeMs - Math.min(MAX_EARLY_REFRESH_MS, lifeMs * 0.1);
}

export interface AccessTokenProvider {
  /** A valid access token: the cached one, or a fresh one (one request however many callers wait). */
  getToken(attempt: number): Promise<string>;
  /** Forgets `token` if it is still the cached one (after PayPal answered 401 to it). */
  invalidate(token: string): void;
}

export interface AccessTokenProviderOptions {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  send: PayPalHttp;
  now: () => number;
  logger: Logger;
}

interface CachedToken {
  token: string;
  refreshAtMs: number;
  expiresAtMs: number;
}

export function createAccessTokenProvider(options: AccessTokenProviderOptions): AccessTokenProvider {
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
  let cached: CachedToken | undefined;
  let inFlight: Promise<string> | undefined;

  async function requestToken(attempt: number): Promise<string> {
    const issuedAt = options.now();
    const response = await options.send({
      operation: 'oauth.token',
      method: 'POST',
      path: TOKEN_PATH,
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
      attempt,
    });
    if (response.status < 200 || response.status > 299) {
      const error = apiErrorFromResponse('oauth.token', response, options.now());
      if (isRetryableStatus(response.status)) throw error;
      throw authError(error, options.apiBase);
    }
    const body = parseBody('oauth.token', response, accessTokenResponseSchema);
    cached = {
      token: body.access_token,
      refreshAtMs: tokenRefreshAt(issuedAt, body.expires_in),
      expiresAtMs: issuedAt + body.expires_in * 1000,
    };
    return body.access_token;
  }

  async function refresh(attempt: number): Promise<string> {
    const previous = cached;
    try {
      return await requestToken(attempt);
    } catch (err) {
      // The early-refresh window exists for this: if PayPal cannot issue a new token right now, the
      // current one is still good until it actually expires. Refused credentials are not a hiccup.
      const transient = !(err instanceof PayPalAuthError) && !(err instanceof PayPalResponseError && !err.retryable);
      if (transient && previous && options.now() < previous.expiresAtMs) {
        options.logger.warn('paypal token refresh failed; using the current token until it expires', {
          err,
          expiresInMs: previous.expiresAtMs - options.now(),
        });
        return previous.token;
      }
      throw err;
    }
  }

  return {
    getToken(attempt) {
      if (cached && options.now() < cached.refreshAtMs) return Promise.resolve(cached.token);
      inFlight ??= refresh(attempt).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

function authError(error: PayPalApiError, apiBase: string): PayPalAuthError {
  let host = apiBase;
  try {
    host = new URL(apiBase).hostname;
  } catch {
    // Keep the raw value in the message.
  }
  const environment = /sandbox/i.test(host) ? 'sandbox' : /(^|\.)paypal\.com$/i.test(host) ? 'live' : 'neither sandbox nor live';
  return new PayPalAuthError({
    operation: error.operation,
    status: error.status,
    paypalName: error.paypalName,
    paypalMessage: error.paypalMessage,
    debugId: error.debugId,
    issues: error.issues,
    paypalDetails: error.paypalDetails,
    message:
      `PayPal refused the client credentials (HTTP ${error.status} ${error.paypalName}: ${error.paypalMessage})` +
      `${error.debugId ? ` (PayPal debug_id ${error.debugId})` : ''}. ` +
      `Check PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET, and that PAYPAL_API_BASE (${apiBase}, ${environment}) ` +
      'is the environment the REST app was created in: sandbox credentials only work with https://api-m.sandbox.paypal.com, ' +
      'live credentials only with https://api-m.paypal.com.',
  });
}
