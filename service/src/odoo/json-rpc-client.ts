// A client for Odoo 18's external API at POST {url}/jsonrpc (odoo/service: `common`, `object`).
//
// - Authentication: `common.authenticate(db, login, api_key, {})` answers the user id, or false.
//   The uid is cached for the client's life (one request in flight at a time); a call answered with
//   AccessDenied forgets it, so a key fixed in Odoo (same value) is picked up on the next call.
// - Calls: `object.execute_kw(db, uid, api_key, model, method, args, kwargs)`. Odoo leaves
//   `result` out of the answer when the method returned None; that is read as `null`.
// - Errors: see odoo-errors.ts. Only failures where Odoo gave no answer at all (connection refused
//   or reset, timeout) are retried here, with backoff; every answer Odoo gives, error or not, goes
//   back to the caller at once — the worker decides from `retryable`.
//
// Bodies are never logged: the API key travels inside them and results carry payer data.
import type { Logger } from '../shared/logger.ts';
import type { ServiceMetrics } from '../shared/metrics.ts';
import { OdooAuthError, OdooError, OdooServerError, OdooUnavailableError, odooErrorFromData, type OdooErrorData } from './odoo-errors.ts';

export interface OdooRetryOptions {
  /** Attempts per call, the first included. Default 3. */
  maxAttempts: number;
  /** First backoff step (doubled each retry, half of it jittered). Default 200 ms. */
  baseDelayMs: number;
}

export interface OdooClientOptions {
  /** Base URL of the Odoo server, e.g. https://erp.example.com (no /jsonrpc). */
  url: string;
  db: string;
  /** The technical user's login (not its display name). */
  login: string;
  /** An API key of that user (a password works too, but keys are what RPC should use). */
  apiKey: string;
  logger: Logger;
  metrics?: ServiceMetrics | undefined;
  /** Deadline per HTTP exchange. Default 30 s (posting a payment and confirming an order takes time). */
  timeoutMs?: number | undefined;
  retry?: Partial<OdooRetryOptions> | undefined;
  fetch?: typeof fetch | undefined;
  /** For tests: how backoff waits. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface OdooCallOptions {
  /**
   * Whether a timeout or a dropped connection may be retried. Default true; pass false for a
   * call that is not idempotent (a plain `create`), where the first attempt may have been applied.
   * A refused connection is always retried: nothing reached Odoo.
   */
  retry?: boolean;
}

export interface OdooVersion {
  server_version: string;
  server_version_info: unknown[];
  server_serie: string;
  protocol_version: number;
}

export interface OdooClient {
  readonly url: string;
  readonly db: string;
  readonly login: string;
  /** `object.execute_kw`; authenticates first when needed. A None result is `null`. */
  call<T = unknown>(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: OdooCallOptions): Promise<T>;
  /** The user id for login + key (cached after the first success). Throws OdooAuthError. */
  authenticate(): Promise<number>;
  /** `common.version` (no credentials needed). */
  version(): Promise<OdooVersion>;
  /** The cached uid, if authenticated. */
  readonly uid: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY: OdooRetryOptions = { maxAttempts: 3, baseDelayMs: 200 };

/** The error codes of a refused connection: the request never reached Odoo. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface JsonRpcAnswer {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: OdooErrorData };
}

export function createOdooClient(options: OdooClientOptions): OdooClient {
  const base = options.url.replace(/\/+$/, '');
  const endpoint = `${base}/jsonrpc`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retry: OdooRetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer (got ${retry.maxAttempts})`);
  }
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const logger = options.logger.child('odoo');
  const { metrics } = options;
  let nextId = 1;
  let cachedUid: number | undefined;
  let authInFlight: Promise<number> | undefined;

  function count(call: string, outcome: string): void {
    metrics?.odooRequests.inc({ call, outcome });
  }

  /** One POST to /jsonrpc; answers the parsed body or throws OdooUnavailableError/OdooServerError. */
  async function exchange(call: string, params: { service: string; method: string; args: unknown[] }, attempt: number): Promise<JsonRpcAnswer> {
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const id = nextId++;
    let status: number;
    let text: string;
    try {
      const response = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id, params }),
        signal: controller.signal,
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      const timedOut = controller.signal.aborted;
      const durationMs = Math.round(performance.now() - started);
      count(call, timedOut ? 'timeout' : 'network');
      logger.warn('odoo call failed', { call, outcome: timedOut ? 'timeout' : 'network', durationMs, attempt });
      const message = timedOut
        ? `Odoo did not answer ${call} within ${timeoutMs} ms (${endpoint})`
        : `Odoo could not be reached at ${endpoint} for ${call}: ${describeNetworkError(err)}. Check ODOO_URL and that Odoo is running.`;
      throw new OdooUnavailableError(call, timedOut ? 'timeout' : 'network', message, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    const durationMs = Math.round(performance.now() - started);
    if (status === 502 || status === 503 || status === 504) {
      count(call, `http_${status}`);
      logger.warn('odoo call failed', { call, outcome: `http_${status}`, durationMs, attempt });
      throw new OdooUnavailableError(call, 'http_status', `Odoo at ${base} answered HTTP ${status} to ${call}: it is down or restarting.`, { status });
    }
    let body: JsonRpcAnswer;
    try {
      body = JSON.parse(text) as JsonRpcAnswer;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('not a JSON object');
    } catch (err) {
      count(call, `http_${status}`);
      logger.warn('odoo call failed', { call, outcome: 'not_json_rpc', status, durationMs, attempt });
      const hint = status === 404 ? ' Check ODOO_URL: it must be the server\'s base URL (…/jsonrpc is added by the service).' : '';
      throw new OdooServerError(
        { call, odooName: '', odooMessage: `HTTP ${status}, not a JSON-RPC answer: ${text.slice(0, 200)}`, status, cause: err },
        `Odoo at ${endpoint} answered ${call} with HTTP ${status} and a body that is not JSON-RPC.${hint}`,
      );
    }
    const outcome = body.error ? (typeof body.error.data?.name === 'string' ? body.error.data.name : 'error') : 'ok';
    count(call, outcome);
    if (outcome === 'ok') logger.debug('odoo call', { call, durationMs, attempt });
    else logger.warn('odoo call failed', { call, outcome, durationMs, attempt, odooMessage: body.error?.data?.message });
    return body;
  }

  /** exchange() with retries for the failures where Odoo never answered. */
  async function send(call: string, params: { service: string; method: string; args: unknown[] }, mayRetry: boolean): Promise<JsonRpcAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await exchange(call, params, attempt);
      } catch (err) {
        const retryable = err instanceof OdooUnavailableError && err.reason !== 'http_status' && (mayRetry || wasNotSent(err));
        if (!retryable || attempt >= retry.maxAttempts) throw err;
        const step = retry.baseDelayMs * 2 ** (attempt - 1);
        await sleep(Math.round(step / 2 + Math.random() * (step / 2)));
      }
    }
  }

  function unwrap<T>(call: string, answer: JsonRpcAnswer): T {
    if (answer.error) {
      const message = typeof answer.error.message === 'string' ? answer.error.message : 'Odoo error';
      throw odooErrorFromData({ call }, answer.error.data, message);
    }
    // Odoo omits `result` when the method returned None.
    return (answer.result === undefined ? null : answer.result) as T;
  }

  async function doAuthenticate(): Promise<number> {
    const call = 'common.authenticate';
    const answer = await send(call, { service: 'common', method: 'authenticate', args: [options.db, options.login, options.apiKey, {}] }, true);
    let uid: unknown;
    try {
      uid = unwrap<unknown>(call, answer);
    } catch (err) {
      // A database that does not exist is not answered with false but with psycopg2's
      // OperationalError: a configuration problem, not a passing one.
      if (err instanceof OdooError && (!err.retryable || /database "[^"]*" does not exist/.test(err.odooMessage))) {
        throw authError(call, err.odooMessage, err);
      }
      throw err;
    }
    if (typeof uid !== 'number' || !Number.isInteger(uid) || uid <= 0) {
      throw authError(call, 'authenticate answered false');
    }
    cachedUid = uid;
    logger.info('odoo authenticated', { db: options.db, login: options.login, uid });
    return uid;
  }

  function authError(call: string, odooMessage: string, cause?: unknown): OdooAuthError {
    return new OdooAuthError({ call, odooName: 'odoo.exceptions.AccessDenied', odooMessage, url: base, db: options.db, login: options.login, cause });
  }

  function authenticate(): Promise<number> {
    if (cachedUid !== undefined) return Promise.resolve(cachedUid);
    authInFlight ??= doAuthenticate().finally(() => {
      authInFlight = undefined;
    });
    return authInFlight;
  }

  return {
    url: base,
    db: options.db,
    login: options.login,
    get uid() {
      return cachedUid;
    },
    authenticate,
    async version() {
      return unwrap<OdooVersion>('common.version', await send('common.version', { service: 'common', method: 'version', args: [] }, true));
    },
    async call<T>(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, callOptions: OdooCallOptions = {}): Promise<T> {
      const uid = await authenticate();
      const call = `${model}.${method}`;
      const answer = await send(
        call,
        { service: 'object', method: 'execute_kw', args: [options.db, uid, options.apiKey, model, method, args, kwargs] },
        callOptions.retry ?? true,
      );
      if (answer.error?.data?.name === 'odoo.exceptions.AccessDenied') {
        // The key was accepted once and is refused now: revoked, expired, or the user archived.
        cachedUid = undefined;
        throw authError(call, typeof answer.error.data.message === 'string' ? answer.error.data.message : 'Access Denied');
      }
      return unwrap<T>(call, answer);
    },
  };
}

function wasNotSent(err: OdooUnavailableError): boolean {
  return err.reason === 'network' && NOT_SENT_CODES.has(networkErrorCode(err.cause) ?? '');
}

function networkErrorCode(err: unknown): string | undefined {
  // undici reports "fetch failed" and puts the reason (ECONNREFUSED, ...) in `cause`.
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
  }
  return err.message;
}
