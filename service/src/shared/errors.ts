// Error vocabulary shared by every adapter. Expected failures carry a stable `code` and say whether
// trying again can help (`retryable`); the worker reads `retryable` to choose between a reschedule
// and the dead state. Anything that is not a BridgeError is a bug and is treated as retryable, so
// that a deploy that fixes it can still apply the event.

export interface BridgeErrorOptions {
  code: string;
  retryable: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class BridgeError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: BridgeErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable;
    this.details = options.details;
  }
}

/** A failure that will not go away by itself: bad data, a refused operation, a mismatch. */
export class FinalError extends BridgeError {
  constructor(message: string, code = 'FINAL', options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { code, retryable: false, ...options });
  }
}

/** A failure that may pass: a timeout, a 5xx, a lock conflict. */
export class RetryableError extends BridgeError {
  constructor(message: string, code = 'RETRYABLE', options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { code, retryable: true, ...options });
  }
}

/**
 * A dependency (Odoo, PayPal) is down as a whole. The event is not at fault: the worker
 * reschedules it without spending one of its attempts, so that an outage of any length ends with
 * every event applied rather than dead.
 */
export class DependencyUnavailableError extends BridgeError {
  readonly dependency: string;
  constructor(dependency: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'DEPENDENCY_UNAVAILABLE', retryable: true, ...options });
    this.dependency = dependency;
  }
}

/**
 * Not now, but not a failure either: the event must wait until `notBefore` (for instance, a
 * CHECKOUT.ORDER.APPROVED event gives the shopper's browser a head start to capture the order
 * itself). The worker reschedules it then, without spending an attempt.
 */
export class DeferredError extends BridgeError {
  readonly notBefore: Date;
  constructor(message: string, notBefore: Date) {
    super(message, { code: 'DEFERRED', retryable: true });
    this.notBefore = notBefore;
  }
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof BridgeError) return err.retryable;
  return true;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function assertUnreachable(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
