// A circuit breaker for one dependency. While the dependency is down, callers fail at once instead
// of each waiting for timeouts and retries; after a cool-down one probe call is let through, and its
// outcome decides whether traffic resumes.
//
//   closed --(failureThreshold consecutive failures)--> open
//   open --(cooldownMs elapsed)--> half-open: exactly one probe runs, other calls fail fast
//   half-open --(probe succeeds)--> closed;  --(probe fails)--> open again for another cool-down
//
// Which errors count as failures is the caller's call (`isFailure`): a dependency that answers
// "no" (a 4xx) is up, and such answers count as successes.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Time the circuit stays open before a probe is allowed. Default 30 s. */
  cooldownMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /** Whether an error thrown by the wrapped call means the dependency is failing. Default: every error. */
  isFailure?: (err: unknown) => boolean;
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

/** Thrown by run() when the circuit refuses a call; the call was not made. */
export class CircuitOpenError extends Error {
  /** Time left before a probe is allowed (0 while a probe is running). */
  readonly retryInMs: number;
  readonly consecutiveFailures: number;
  constructor(retryInMs: number, consecutiveFailures: number) {
    super(
      retryInMs > 0
        ? `circuit open after ${consecutiveFailures} consecutive failures; next probe in ${Math.ceil(retryInMs / 1000)} s`
        : `circuit half-open after ${consecutiveFailures} consecutive failures; a probe call is running`,
    );
    this.name = 'CircuitOpenError';
    this.retryInMs = retryInMs;
    this.consecutiveFailures = consecutiveFailures;
  }
}

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly isFailure: (err: unknown) => boolean;
  private readonly onStateChange: ((state: CircuitState, previous: CircuitState) => void) | undefined;

  private current: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be a positive integer (got ${this.failureThreshold})`);
    }
    if (!(this.cooldownMs >= 0)) throw new RangeError(`cooldownMs must be >= 0 (got ${this.cooldownMs})`);
    this.now = options.now ?? Date.now;
    this.isFailure = options.isFailure ?? (() => true);
    this.onStateChange = options.onStateChange;
  }

  /** The current state; an open circuit whose cool-down is over reports 'half-open'. */
  state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldownMs) this.transition('half-open');
    return this.current;
  }

  /** Runs `fn` unless the circuit refuses it (CircuitOpenError), and records the outcome. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state();
    let isProbe = false;
    if (state === 'open' || (state === 'half-open' && this.probeInFlight)) {
      const retryInMs = state === 'open' ? Math.max(0, this.openedAt + this.cooldownMs - this.now()) : 0;
      throw new CircuitOpenError(retryInMs, this.consecutiveFailures);
    }
    if (state === 'half-open') {
      this.probeInFlight = true;
      isProbe = true;
    }
    try {
      const result = await fn();
      this.recordSuccess(isProbe);
      return result;
    } catch (err) {
      if (this.isFailure(err)) this.recordFailure(isProbe);
      else this.recordSuccess(isProbe);
      throw err;
    } finally {
      if (isProbe) this.probeInFlight = false;
    }
  }

  private recordSuccess(isProbe: boolean): void {
    // A call that started before the circuit opened proves little; only the probe closes it.
    if (this.current === 'closed') this.consecutiveFailures = 0;
    else if (isProbe) {
      this.consecutiveFailures = 0;
      this.transition('closed');
    }
  }

  private recordFailure(isProbe: boolean): void {
    this.consecutiveFailures += 1;
    if (isProbe || (this.current === 'closed' && this.consecutiveFailures >= this.failureThreshold)) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(next: CircuitState): void {
    if (next === this.current) return;
    const previous = this.current;
    this.current = next;
    this.onStateChange?.(next, previous);
  }
}
