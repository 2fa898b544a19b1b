// The errors the Odoo client throws. Callers branch on the class (or on `retryable`), never on
// message text. Odoo reports a failure inside a 200 answer, as
//   {jsonrpc, id, error: {code: 200, message: "Odoo Server Error",
//                         data: {name: "odoo.exceptions.AccessError", message, debug, arguments, context}}}
// where `data.name` is the Python class of the exception (`module.ClassName`). That name decides
// the class here:
// - AccessError / AccessDenied         -> OdooAccessError       final (rights do not change by waiting)
//   AccessDenied on a call              -> OdooAuthError         final (the API key is wrong or revoked)
// - MissingError                        -> OdooMissingError      final
// - ValidationError / UserError         -> OdooValidationError   final
// - psycopg2 serialization / lock / deadlock failures
//                                       -> OdooConcurrencyError  retryable
// - anything else Odoo answers (a KeyError in a module, a method that does not exist yet because
//   the module is being upgraded, a proxy's HTML error page)
//                                       -> OdooServerError       retryable: often a deploy in progress
// - no answer (connection refused, reset, timeout) or a gateway's 502/503/504
//                                       -> OdooUnavailableError  a DependencyUnavailableError ('odoo')
import { BridgeError, DependencyUnavailableError } from '../shared/errors.ts';

/** The `error.data` member of Odoo's JSON-RPC error answer. */
export interface OdooErrorData {
  name?: string;
  message?: string;
  debug?: string;
  arguments?: unknown[];
  context?: Record<string, unknown>;
}

/** Where an Odoo failure happened: the service, and for `object` calls the model and method. */
export interface OdooCallSite {
  /** e.g. 'payment.transaction.paypal_bridge_apply_payment', or 'common.authenticate'. */
  call: string;
}

export interface OdooErrorInit extends OdooCallSite {
  /** Odoo's `error.data.name`, e.g. 'odoo.exceptions.MissingError' ('' when Odoo sent none). */
  odooName: string;
  /** Odoo's `error.data.message` (or `error.message`). */
  odooMessage: string;
  /** The end of Odoo's traceback, for the logs. */
  debug?: string | undefined;
  cause?: unknown;
}

const DEBUG_EXCERPT_CHARS = 600;

/** The last lines of an Odoo traceback: where it failed and why, without the whole stack. */
export function debugExcerpt(debug: string | undefined): string | undefined {
  if (!debug) return undefined;
  const trimmed = debug.trim();
  if (trimmed.length <= DEBUG_EXCERPT_CHARS) return trimmed;
  return '…' + trimmed.slice(trimmed.length - DEBUG_EXCERPT_CHARS);
}

/** Every error Odoo itself answered with (as opposed to not answering). */
export class OdooError extends BridgeError {
  readonly call: string;
  readonly odooName: string;
  readonly odooMessage: string;
  readonly debug: string | undefined;

  constructor(init: OdooErrorInit, code: string, retryable: boolean, message?: string) {
    super(message ?? `Odoo ${init.call} failed: ${init.odooMessage || init.odooName || 'no message'}${init.odooName ? ` (${init.odooName})` : ''}`, {
      code,
      retryable,
      cause: init.cause,
      details: { call: init.call, odooName: init.odooName },
    });
    this.call = init.call;
    this.odooName = init.odooName;
    this.odooMessage = init.odooMessage;
    this.debug = debugExcerpt(init.debug);
  }
}

/** The caller may not do this (a missing group, a private method, a record rule). Final. */
export class OdooAccessError extends OdooError {
  constructor(init: OdooErrorInit, code = 'ODOO_ACCESS_DENIED', message?: string) {
    super(init, code, false, message);
  }
}

/**
 * Odoo refused our credentials: `common.authenticate` answered false, or a call was answered with
 * AccessDenied (the API key was revoked or the user archived). Final until the operator fixes
 * the configuration.
 */
export class OdooAuthError extends OdooAccessError {
  constructor(init: OdooErrorInit & { url: string; db: string; login: string }) {
    super(
      init,
      'ODOO_AUTH_FAILED',
      `Odoo at ${init.url} refused the login "${init.login}" on database "${init.db}" (${init.call}: ${init.odooMessage}). ` +
        'Check ODOO_DB (the database name), ODOO_LOGIN (the technical user\'s login, not its display name) and ODOO_API_KEY ' +
        '(an API key of that user, created in Preferences > Account Security; API keys are accepted for RPC; the key may have expired or been revoked).',
    );
  }
}

/** The record does not exist (an unknown reference, a deleted record). Final. */
export class OdooMissingError extends OdooError {
  constructor(init: OdooErrorInit) {
    super(init, 'ODOO_MISSING', false);
  }
}

/** Odoo refused the values (ValidationError, UserError). Final. */
export class OdooValidationError extends OdooError {
  constructor(init: OdooErrorInit) {
    super(init, 'ODOO_VALIDATION', false);
  }
}

/** Another transaction held the rows (serialization failure, lock not available, deadlock). Retryable. */
export class OdooConcurrencyError extends OdooError {
  constructor(init: OdooErrorInit) {
    super(init, 'ODOO_CONCURRENCY', true);
  }
}

/**
 * Any other failure Odoo (or a proxy in front of it) answered with. Retryable: an AttributeError
 * for a method that does not exist yet, or an HTML error page, is typically a deploy in progress.
 */
export class OdooServerError extends OdooError {
  /** HTTP status when the answer was not a JSON-RPC body. */
  readonly status: number | undefined;
  constructor(init: OdooErrorInit & { status?: number | undefined }, message?: string) {
    super(init, 'ODOO_SERVER_ERROR', true, message);
    this.status = init.status;
  }
}

export type OdooUnavailableReason = 'network' | 'timeout' | 'http_status';

/** Odoo could not be reached, did not answer in time, or a gateway said it is down. */
export class OdooUnavailableError extends DependencyUnavailableError {
  readonly call: string;
  readonly reason: OdooUnavailableReason;
  /** The gateway's status for reason 'http_status' (502, 503, 504). */
  readonly status: number | undefined;
  constructor(call: string, reason: OdooUnavailableReason, message: string, options: { cause?: unknown; status?: number } = {}) {
    super('odoo', message, { cause: options.cause });
    this.call = call;
    this.reason = reason;
    this.status = options.status;
  }
}

const ACCESS_NAMES = new Set(['odoo.exceptions.AccessError', 'odoo.exceptions.AccessDenied']);
const MISSING_NAMES = new Set(['odoo.exceptions.MissingError']);
const VALIDATION_NAMES = new Set(['odoo.exceptions.ValidationError', 'odoo.exceptions.UserError', 'odoo.exceptions.RedirectWarning']);
// psycopg2 reports the SQLSTATE class under several names depending on how it was raised.
const CONCURRENCY_NAMES = new Set([
  'psycopg2.errors.SerializationFailure',
  'psycopg2.errors.LockNotAvailable',
  'psycopg2.errors.DeadlockDetected',
  'psycopg2.extensions.TransactionRollbackError',
  'psycopg2.errors.TransactionRollback',
]);
const CONCURRENCY_MESSAGE = /could not serialize access|concurrent update|could not obtain lock|deadlock detected/i;

/** Maps Odoo's error answer to the matching class (see the table at the top of this file). */
export function odooErrorFromData(site: OdooCallSite, data: OdooErrorData | undefined, fallbackMessage: string): OdooError {
  const odooName = typeof data?.name === 'string' ? data.name : '';
  const odooMessage = typeof data?.message === 'string' && data.message !== '' ? data.message : fallbackMessage;
  const init: OdooErrorInit = { call: site.call, odooName, odooMessage, debug: typeof data?.debug === 'string' ? data.debug : undefined };
  if (ACCESS_NAMES.has(odooName)) return new OdooAccessError(init);
  if (MISSING_NAMES.has(odooName)) return new OdooMissingError(init);
  if (VALIDATION_NAMES.has(odooName)) return new OdooValidationError(init);
  if (CONCURRENCY_NAMES.has(odooName) || (odooName.startsWith('psycopg2.') && CONCURRENCY_MESSAGE.test(odooMessage))) {
    return new OdooConcurrencyError(init);
  }
  if (odooName === 'builtins.AttributeError' && /does not exist/.test(odooMessage)) {
    return new OdooServerError(
      init,
      `Odoo ${site.call} failed: ${odooMessage}. Is the paypal_bridge module installed and up to date on this database? ` +
        '(Retrying: this is normal while the module is being upgraded.)',
    );
  }
  return new OdooServerError(init);
}

export function isOdooError(err: unknown): err is OdooError {
  return err instanceof OdooError;
}

/**
 * Odoo answered, but not with what the module's contract promises (a missing key, a float where
 * a decimal string is due): the module and the service disagree on the contract version.
 * Retryable, like any bug: once a deploy aligns them, the event still applies.
 */
export class OdooResultError extends OdooError {
  readonly issues: string[];
  constructor(call: string, issues: string[]) {
    super(
      { call, odooName: '', odooMessage: issues.join('; ') },
      'ODOO_UNEXPECTED_RESULT',
      true,
      `Odoo ${call} answered a result that does not match the paypal_bridge contract (${issues.slice(0, 5).join('; ')}). ` +
        'Check that the paypal_bridge module on this database is the version this service expects.',
    );
    this.issues = issues;
  }
}
