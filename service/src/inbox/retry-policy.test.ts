import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exponentialBackoff } from './retry-policy.ts';

describe('exponentialBackoff', () => {
  it('doubles the ceiling per attempt, keeps half of it fixed, and caps it', () => {
    const low = exponentialBackoff({ baseMs: 2000, factor: 2, capMs: 900_000, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 2000, factor: 2, capMs: 900_000, random: () => 0.999999 });
    assert.deepEqual([1, 2, 3, 4, 10, 11, 50].map((n) => low.nextDelay(n)), [1000, 2000, 4000, 8000, 450_000, 450_000, 450_000]);
    assert.deepEqual([1, 2, 3, 9].map((n) => high.nextDelay(n)), [2000, 4000, 8000, 512_000]);
    assert.equal(high.nextDelay(10), 900_000);
  });

  it('stays within [ceiling/2, ceiling] with real randomness and grows strictly from one ceiling to the next', () => {
    const policy = exponentialBackoff({ baseMs: 100, factor: 3, capMs: 1_000_000 });
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = 100 * 3 ** (attempt - 1);
      for (let i = 0; i < 50; i++) {
        const d = policy.nextDelay(attempt);
        assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${attempt}: ${d} outside [${ceiling / 2}, ${ceiling}]`);
      }
    }
  });

  it('survives absurd attempt numbers', () => {
    const policy = exponentialBackoff({ random: () => 0.5 });
    assert.equal(policy.nextDelay(1_000_000), 675_000);
    assert.equal(policy.nextDelay(0), policy.nextDelay(1));
  });

  it('refuses a configuration that would not back off', () => {
    assert.throws(() => exponentialBackoff({ baseMs: 0 }), /baseMs/);
    assert.throws(() => exponentialBackoff({ factor: 0.5 }), /factor/);
    assert.throws(() => exponentialBackoff({ baseMs: 10, capMs: 5 }), /capMs/);
  });
});
