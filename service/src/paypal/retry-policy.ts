// When to try a PayPal call again, and how long to wait first.

export interface RetryOptions {
  /** Total attempts per operation, the first included. Default 4. */
  maxAttempts?: number;
  /** First backoff step; doubles each attempt. Default 250 ms. */
  baseDelayMs?: number;
  /** Cap on one backoff step (before jitter). Default 5 s. */
  maxDelayMs?: number;
  /**
   * Longest Retry-After we wait for inside one call. A longer request is not slept through: the
   * error is thrown with `retryAfterMs` so the worker can reschedule the event instead. Default 60 s.
   */
  maxRetryAfterMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const resolved = {
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer (got ${resolved.maxAttempts})`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!(resolved[key] >= 0)) throw new RangeError(`retry.${key} must be >= 0 (got ${resolved[key]})`);
  }
  return resolved;
}

/**
 * Backoff before attempt `nextAttempt` (2 for the first retry): exponential, capped, with "equal
 * jitter" — half the step is fixed, half random — so that callers that failed together do not
 * retry together, while the wait still grows.
 */
export function backoffDelayMs(nextAttempt: number, options: ResolvedRetryOptions, random: () => number = Math.random): number {
  const exponent = Math.max(0, nextAttempt - 2);
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Parses a Retry-After header (RFC 9110: delay in seconds, or an HTTP date) into milliseconds from
 * `nowMs`. Returns undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its weekday or month; anything else (e.g. "1.5") is not a valid header.
  if (!/[A-Za-z]/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
