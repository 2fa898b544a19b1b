import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, parseRetryAfter, resolveRetryOptions } from './retry-policy.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  it('reads an HTTP date relative to the clock, and a past date as 0', () => {
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now), 0);
  });

  it('ignores absent and unreadable values', () => {
    for (const value of [null, undefined, '', 'soon', '1.5', '-3']) assert.equal(parseRetryAfter(value, now), undefined, String(value));
  });
});

describe('backoffDelayMs', () => {
  const options = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });

  it('doubles per attempt within [step/2, step], capped at maxDelayMs', () => {
    const steps = [100, 200, 400, 800, 1000, 1000];
    steps.forEach((step, i) => {
      const nextAttempt = i + 2;
      assert.equal(backoffDelayMs(nextAttempt, options, () => 0), step / 2);
      assert.equal(backoffDelayMs(nextAttempt, options, () => 1), step);
    });
  });
});

describe('resolveRetryOptions', () => {
  it('fills defaults and refuses nonsense', () => {
    assert.deepEqual(resolveRetryOptions(), { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5000, maxRetryAfterMs: 60_000 });
    assert.throws(() => resolveRetryOptions({ maxAttempts: 0 }), RangeError);
    assert.throws(() => resolveRetryOptions({ baseDelayMs: -1 }), RangeError);
  });
});
