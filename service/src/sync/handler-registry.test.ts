import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE_EVENT_TYPES } from './event-catalogue.ts';
import { HandlerRegistry, type EventHandler } from './handler-registry.ts';

const done: EventHandler = async () => ({ status: 'done', outcome: 'applied' });

describe('HandlerRegistry', () => {
  it('dispatches by event type and lists what it handles, sorted', async () => {
    const other: EventHandler = async () => ({ status: 'ignored', outcome: 'not ours' });
    const registry = new HandlerRegistry().register('PAYMENT.CAPTURE.REFUNDED', other).register('PAYMENT.CAPTURE.COMPLETED', done);
    assert.equal(registry.get('PAYMENT.CAPTURE.COMPLETED'), done);
    assert.equal(registry.get('PAYMENT.CAPTURE.REFUNDED'), other);
    assert.equal(registry.get('PAYMENT.CAPTURE.DENIED'), undefined);
    assert.equal(registry.has('PAYMENT.CAPTURE.COMPLETED'), true);
    assert.equal(registry.has('PAYMENT.CAPTURE.DENIED'), false);
    assert.deepEqual(registry.types(), ['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.REFUNDED']);
  });

  it('refuses a second handler for one type', () => {
    const registry = new HandlerRegistry().register('PAYMENT.CAPTURE.COMPLETED', done);
    assert.throws(() => registry.register('PAYMENT.CAPTURE.COMPLETED', done), /already registered/);
  });

  it('refuses a type outside the catalogue unless told it is deliberate', () => {
    const registry = new HandlerRegistry();
    assert.throws(() => registry.register('PAYMENT.CAPTURE.COMPLETE', done), /not in the event catalogue/);
    registry.register('VAULT.PAYMENT-TOKEN.CREATED', done, { allowUncatalogued: true });
    assert.deepEqual(registry.types(), ['VAULT.PAYMENT-TOKEN.CREATED']);
  });

  it('accepts every catalogue type', () => {
    const registry = new HandlerRegistry();
    for (const type of CATALOGUE_EVENT_TYPES) registry.register(type, done);
    assert.equal(registry.types().length, 14);
  });

  it('refuses something that is not a function', () => {
    assert.throws(() => new HandlerRegistry().register('PAYMENT.CAPTURE.COMPLETED', {} as EventHandler), /must be a function/);
  });
});
