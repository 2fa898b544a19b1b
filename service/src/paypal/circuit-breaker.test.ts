import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker.ts';

class Down extends Error {}
class Refused extends Error {}

function setup(threshold = 3, cooldownMs = 1000) {
  let nowMs = 1_000_000;
  const changes: Array<[CircuitState, CircuitState]> = [];
  const breaker = new CircuitBreaker({
    failureThreshold: threshold,
    cooldownMs,
    now: () => nowMs,
    isFailure: (err) => err instanceof Down,
    onStateChange: (state, previous) => changes.push([state, previous]),
  });
  let calls = 0;
  const fail = () => breaker.run(async () => {
    calls += 1;
    throw new Down('down');
  });
  const succeed = () => breaker.run(async () => {
    calls += 1;
    return 'ok';
  });
  return {
    breaker,
    changes,
    fail,
    succeed,
    calls: () => calls,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures and then fails fast without calling', async () => {
    const b = setup(3);
    for (let i = 0; i < 2; i++) await assert.rejects(b.fail(), Down);
    assert.equal(b.breaker.state(), 'closed');
    await assert.rejects(b.fail(), Down);
    assert.equal(b.breaker.state(), 'open');
    assert.deepEqual(b.changes, [['open', 'closed']]);

    const before = b.calls();
    await assert.rejects(b.succeed(), (err: unknown) => {
      assert.ok(err instanceof CircuitOpenError);
      assert.equal(err.retryInMs, 1000);
      assert.equal(err.consecutiveFailures, 3);
      return true;
    });
    assert.equal(b.calls(), before, 'an open circuit must not run the call');
  });

  it('a success or a non-failure error resets the consecutive count', async () => {
    const b = setup(3);
    await assert.rejects(b.fail(), Down);
    await assert.rejects(b.fail(), Down);
    await b.succeed();
    await assert.rejects(b.fail(), Down);
    await assert.rejects(b.fail(), Down);
    await assert.rejects(
      b.breaker.run(async () => {
        throw new Refused('a 4xx: the dependency is up');
      }),
      Refused,
    );
    await assert.rejects(b.fail(), Down);
    await assert.rejects(b.fail(), Down);
    assert.equal(b.breaker.state(), 'closed');
  });

  it('half-opens after the cool-down, lets exactly one probe through, and closes on its success', async () => {
    const b = setup(2, 1000);
    await assert.rejects(b.fail(), Down);
    await assert.rejects(b.fail(), Down);
    b.advance(999);
    assert.equal(b.breaker.state(), 'open');
    b.advance(1);
    assert.equal(b.breaker.state(), 'half-open');

    let releaseProbe!: () => void;
    const probe = b.breaker.run(
      () =>
        new Promise<string>((resolve) => {
          releaseProbe = () => resolve('probe ok');
        }),
    );
    const callsBefore = b.calls();
    await assert.rejects(b.succeed(), (err: unknown) => err instanceof CircuitOpenError && err.retryInMs === 0);
    assert.equal(b.calls(), callsBefore, 'a second call during the probe must fail fast');
    releaseProbe();
    assert.equal(await probe, 'probe ok');
    assert.equal(b.breaker.state(), 'closed');
    assert.equal(await b.succeed(), 'ok');
    assert.deepEqual(b.changes, [
      ['open', 'closed'],
      ['half-open', 'open'],
      ['closed', 'half-open'],
    ]);
  });

  it('a failed probe opens the circuit for another cool-down', async () => {
    const b = setup(2, 1000);
    await assert.rejects(b.fail(), Down);
    await assert.rejects(b.fail(), Down);
    b.advance(1000);
    await assert.rejects(b.fail(), Down);
    assert.equal(b.breaker.state(), 'open');
    b.advance(500);
    await assert.rejects(b.succeed(), (err: unknown) => err instanceof CircuitOpenError && err.retryInMs === 500);
    b.advance(500);
    assert.equal(await b.succeed(), 'ok');
    assert.equal(b.breaker.state(), 'closed');
  });

  it('a probe that ends in a non-failure error (the dependency answered) closes the circuit', async () => {
    const b = setup(1, 10);
    await assert.rejects(b.fail(), Down);
    b.advance(10);
    await assert.rejects(
      b.breaker.run(async () => {
        throw new Refused('422');
      }),
      Refused,
    );
    assert.equal(b.breaker.state(), 'closed');
  });

  it('a late success from a call started before the circuit opened does not close it', async () => {
    const b = setup(1, 1000);
    let finishSlow!: () => void;
    const slow = b.breaker.run(
      () =>
        new Promise<string>((resolve) => {
          finishSlow = () => resolve('late');
        }),
    );
    await assert.rejects(b.fail(), Down);
    assert.equal(b.breaker.state(), 'open');
    finishSlow();
    assert.equal(await slow, 'late');
    assert.equal(b.breaker.state(), 'open');
  });

  it('rejects nonsensical settings', () => {
    assert.throws(() => new CircuitBreaker({ failureThreshold: 0 }), RangeError);
    assert.throws(() => new CircuitBreaker({ cooldownMs: -1 }), RangeError);
  });
});
