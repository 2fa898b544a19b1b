// The errors the PayPal client throws. Callers branch on the class and on a few predicates, never on
// message text:
// - PayPalApiError: PayPal answered with an error body (status, PayPal's name, issues, debug id).
//   Some 422 answers mean "this was already done" (ORDER_ALREADY_CAPTURED, PREVIOUSLY_VOIDED, ...);
//   the failure rules say such answers are reconciled by reading the resource, so they get
//   predicates of their own (isReconcileByReading and friends).
// - PayPalAuthError: PayPal refused our credentials; nothing will change until the operator fixes
//   the configuration.
// - PayPalUnavailableError: PayPal could not be reached (network, timeout) or the circuit breaker
//   is open; a DependencyUnavailableError, so the worker reschedules without spending an attempt.
// - PayPalResponseError: PayPal (or something in between) answered 2xx with a body we cannot use.
// - PayPalRequestError: the caller passed arguments PayPal would refuse; nothing was sent.
import { BridgeError, DependencyUnavailableError, FinalError } from '../shared/errors.ts';

/** One entry of PayPal's `details[]` in an error body. */
export interface PayPalErrorDetail {
  issue: string;
  field?: string;
  value?: string;
  location?: string;
  description?: string;
}

export interface PayPalApiErrorInit {
  operation: string;
  status: number;
  paypalName: string;
  paypalMessage: string;
  debugId?: string | undefined;
  issues?: string[];
  paypalDetails?: PayPalErrorDetail[];
  informationLink?: string | undefined;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  code?: string;
  message?: string;
  cause?: unknown;
}

export class PayPalApiError extends BridgeError {
  readonly operation: string;
  readonly status: number;
  /** PayPal's error `name`, e.g. UNPROCESSABLE_ENTITY (Error#name stays the class name). */
  readonly paypalName: string;
  /** PayPal's error `message`, as sent. */
  readonly paypalMessage: string;
  /** PayPal's `debug_id` (body or Paypal-Debug-Id header): quote it to PayPal support. */
  readonly debugId: string | undefined;
  /** `details[].issue`, e.g. ['ORDER_ALREADY_CAPTURED']. */
  readonly issues: string[];
  /** PayPal's `details[]` (BridgeError#details is taken by the log-friendly summary). */
  readonly paypalDetails: PayPalErrorDetail[];
  readonly informationLink: string | undefined;
  /** Set when PayPal sent Retry-After: how long it asked us to wait. */
  readonly retryAfterMs: number | undefined;

  constructor(init: PayPalApiErrorInit) {
    const issues = init.issues ?? [];
    super(init.message ?? describeApiError(init.operation, init.status, init.paypalName, issues, init.paypalMessage, init.debugId), {
      code: init.code ?? 'PAYPAL_API_ERROR',
      retryable: init.retryable,
      cause: init.cause,
      details: { operation: init.operation, status: init.status, paypalName: init.paypalName, debugId: init.debugId, issues },
    });
    this.operation = init.operation;
    this.status = init.status;
    this.paypalName = init.paypalName;
    this.paypalMessage = init.paypalMessage;
    this.debugId = init.debugId;
    this.issues = issues;
    this.paypalDetails = init.paypalDetails ?? [];
    this.informationLink = init.informationLink;
    this.retryAfterMs = init.retryAfterMs;
  }
}

function describeApiError(operation: string, status: number, name: string, issues: string[], message: string, debugId: string | undefined): string {
  const issuePart = issues.length ? ` [${issues.join(', ')}]` : '';
  const debugPart = debugId ? ` (PayPal debug_id ${debugId})` : '';
  return `PayPal ${operation} failed with HTTP ${status} ${name}${issuePart}: ${message}${debugPart}`;
}

/** PayPal refused the client credentials, or a freshly issued token. Not retryable. */
export class PayPalAuthError extends PayPalApiError {
  constructor(init: Omit<PayPalApiErrorInit, 'retryable' | 'code'>) {
    super({ ...init, retryable: false, code: 'PAYPAL_AUTH_FAILED' });
  }
}

export type PayPalUnavailableReason = 'network' | 'timeout' | 'circuit_open';

export class PayPalUnavailableError extends DependencyUnavailableError {
  readonly reason: PayPalUnavailableReason;
  readonly operation: string;
  constructor(operation: string, reason: PayPalUnavailableReason, message: string, options: { cause?: unknown } = {}) {
    super('paypal', message, options);
    this.operation = operation;
    this.reason = reason;
  }
}

export type PayPalResponseProblem = 'malformed_json' | 'unexpected_shape' | 'empty_body';

/** A 2xx answer whose body is not JSON or lacks what we rely on. */
export class PayPalResponseError extends BridgeError {
  readonly operation: string;
  readonly status: number;
  readonly debugId: string | undefined;
  readonly problem: PayPalResponseProblem;
  constructor(init: { operation: string; status: number; debugId: string | undefined; problem: PayPalResponseProblem; message: string; cause?: unknown }) {
    super(init.message, {
      code: 'PAYPAL_UNEXPECTED_RESPONSE',
      // A body that is not JSON is typically cut off or replaced by a proxy: asking again (with the
      // same PayPal-Request-Id) can succeed. A well-formed body of the wrong shape will not change.
      retryable: init.problem !== 'unexpected_shape',
      cause: init.cause,
      details: { operation: init.operation, status: init.status, debugId: init.debugId, problem: init.problem },
    });
    this.operation = init.operation;
    this.status = init.status;
    this.debugId = init.debugId;
    this.problem = init.problem;
  }
}

/** Arguments PayPal would refuse (bad PayPal-Request-Id, id, amount): nothing was sent. */
export class PayPalRequestError extends FinalError {
  constructor(message: string) {
    super(message, 'PAYPAL_INVALID_REQUEST_ARGUMENT');
  }
}

// --- predicates ----------------------------------------------------------------------------------

export function isPayPalApiError(err: unknown): err is PayPalApiError {
  return err instanceof PayPalApiError;
}

/** True when PayPal named `issue` in `details[].issue` (or as the error name, as some v1 APIs do). */
export function hasIssue(err: unknown, issue: string): boolean {
  return err instanceof PayPalApiError && (err.issues.includes(issue) || err.paypalName === issue);
}

function hasAnyIssue(err: unknown, issues: readonly string[]): boolean {
  return issues.some((issue) => hasIssue(err, issue));
}

/** The order or authorization has already been captured (by us earlier, or at PayPal). */
export const ALREADY_CAPTURED_ISSUES = [
  'ORDER_ALREADY_CAPTURED',
  'ORDER_ALREADY_COMPLETED',
  'AUTHORIZATION_ALREADY_CAPTURED',
  'PREVIOUSLY_CAPTURED',
] as const;
export const ALREADY_AUTHORIZED_ISSUES = ['ORDER_ALREADY_AUTHORIZED'] as const;
export const ALREADY_VOIDED_ISSUES = ['PREVIOUSLY_VOIDED', 'AUTHORIZATION_VOIDED'] as const;
export const ALREADY_REFUNDED_ISSUES = ['CAPTURE_FULLY_REFUNDED'] as const;

/**
 * Answers that mean "the state you asked for (or a later one) is already there": the caller reads
 * the resource and applies what it finds instead of failing (service/ARCHITECTURE.md, "Failure
 * rules").
 */
export const RECONCILE_BY_READING_ISSUES: readonly string[] = [
  ...ALREADY_CAPTURED_ISSUES,
  ...ALREADY_AUTHORIZED_ISSUES,
  ...ALREADY_VOIDED_ISSUES,
  ...ALREADY_REFUNDED_ISSUES,
];

export function isAlreadyCaptured(err: unknown): boolean {
  return hasAnyIssue(err, ALREADY_CAPTURED_ISSUES);
}

export function isAlreadyAuthorized(err: unknown): boolean {
  return hasAnyIssue(err, ALREADY_AUTHORIZED_ISSUES);
}

export function isAlreadyVoided(err: unknown): boolean {
  return hasAnyIssue(err, ALREADY_VOIDED_ISSUES);
}

export function isAlreadyRefunded(err: unknown): boolean {
  return hasAnyIssue(err, ALREADY_REFUNDED_ISSUES);
}

/** Any "already done" answer: read the resource and reconcile instead of failing. */
export function isReconcileByReading(err: unknown): boolean {
  return hasAnyIssue(err, RECONCILE_BY_READING_ISSUES);
}

/** 409 PREVIOUS_REQUEST_IN_PROGRESS: the same operation is still running at PayPal. */
export function isPreviousRequestInProgress(err: unknown): boolean {
  return hasIssue(err, 'PREVIOUS_REQUEST_IN_PROGRESS');
}

/** The payer's funding source was declined: the checkout must let them choose another. */
export function isInstrumentDeclined(err: unknown): boolean {
  return hasIssue(err, 'INSTRUMENT_DECLINED');
}

export function isNotFound(err: unknown): boolean {
  return err instanceof PayPalApiError && (err.status === 404 || err.paypalName === 'RESOURCE_NOT_FOUND');
}
