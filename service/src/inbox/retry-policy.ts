// When to try a failed event again: exponential backoff with "equal jitter".
//
//   ceiling(n) = min(capMs, baseMs × factor^(n − 1))      n = the attempt that just failed (1, 2, …)
//   delay(n)   = ceiling(n) / 2 + random() × ceiling(n) / 2
//
// Half of the delay is fixed, so delays really grow from one attempt to the next (a retry storm
// cannot collapse back to zero); the other half is random, so events that failed together (Odoo
// answered 500 to a burst) do not come back together.
//
// Defaults for event errors (base 2 s, factor 2, cap 15 min):
//
//   attempt   1     2     3     4      5      6      7       8          9          10 and later
//   delay     1–2s  2–4s  4–8s  8–16s  16–32s 32–64s 64–128s 2m8s–4m16s 4m16s–8m32s 7m30s–15m
//
// With WORKER_MAX_ATTEMPTS = 20 an event that keeps failing goes dead after 19 waits: between
// about 1 h 24 min and 2 h 47 min after its first attempt. A dependency outage does not use this
// schedule (it spends no attempts); see DEFAULT_OUTAGE_BACKOFF.

export interface RetryPolicy {
  /** Milliseconds to wait after attempt number `attempt` (1-based) failed. */
  nextDelay(attempt: number): number;
}

export interface BackoffOptions {
  baseMs?: number;
  factor?: number;
  capMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

export const DEFAULT_EVENT_BACKOFF = { baseMs: 2_000, factor: 2, capMs: 15 * 60_000 } as const;

/**
 * While Odoo or PayPal is down the worker pauses and probes with one event at a time, after
 * 0.5–1 s, 1–2 s, 2–4 s … up to 30–60 s between probes, for as long as the outage lasts.
 */
export const DEFAULT_OUTAGE_BACKOFF = { baseMs: 1_000, factor: 2, capMs: 60_000 } as const;

export function exponentialBackoff(options: BackoffOptions = {}): RetryPolicy {
  const baseMs = options.baseMs ?? DEFAULT_EVENT_BACKOFF.baseMs;
  const factor = options.factor ?? DEFAULT_EVENT_BACKOFF.factor;
  const capMs = options.capMs ?? DEFAULT_EVENT_BACKOFF.capMs;
  const random = options.random ?? Math.random;
  if (!(baseMs > 0) || !(factor >= 1) || !(capMs >= baseMs)) {
    throw new Error(`invalid backoff: baseMs must be > 0, factor ≥ 1 and capMs ≥ baseMs (got ${baseMs}, ${factor}, ${capMs})`);
  }
  return {
    nextDelay(attempt: number): number {
      const n = Math.max(1, Math.floor(attempt));
      // Capped before exponentiation can overflow: factor^(n-1) for a large n is Infinity.
      const ceiling = Math.min(capMs, baseMs * factor ** Math.min(n - 1, 1000));
      const half = ceiling / 2;
      return Math.round(half + random() * half);
    },
  };
}
