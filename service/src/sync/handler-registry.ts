// One handler per PayPal event type. The registry drives the worker's dispatch and, through
// types(), the list of event types the webhook subscription needs.
import type { InboxEvent } from '../inbox/types.ts';
import type { Logger } from '../shared/logger.ts';
import { EVENT_CATALOGUE, isCatalogueEventType } from './event-catalogue.ts';

export interface HandlerContext {
  /** The stored event (raw body, ids, attempt count…). */
  event: InboxEvent;
  /** The parsed JSON body: the webhook envelope as PayPal sent it. */
  envelope: unknown;
  /** Lines written here (or anywhere during the run) carry the event id, type and attempt. */
  log: Logger;
  /** Aborted when the worker stops, loses the lease or the handler overruns its time. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface HandlerOutcome {
  status: 'done' | 'ignored';
  /** What was done, for people: "payment applied", "already applied; no change", why it was ignored. */
  outcome: string;
}

/**
 * Applies one event. Must be idempotent (an event can run again after a crash) and throw
 * RetryableError / FinalError / DependencyUnavailableError (shared/errors.ts) to say what failed.
 */
export type EventHandler = (ctx: HandlerContext) => Promise<HandlerOutcome>;

export class HandlerRegistry {
  private readonly handlers = new Map<string, EventHandler>();

  /**
   * Adds the handler for `type`. Refuses a second handler for one type, and a type outside the
   * catalogue (a typo would otherwise silently leave the real type unhandled) unless
   * `allowUncatalogued` says it is deliberate.
   */
  register(type: string, handler: EventHandler, options: { allowUncatalogued?: boolean } = {}): this {
    if (typeof handler !== 'function') throw new TypeError(`The handler for ${type} must be a function`);
    if (this.handlers.has(type)) throw new Error(`A handler for ${type} is already registered; each event type has exactly one handler`);
    if (!isCatalogueEventType(type) && !options.allowUncatalogued) {
      throw new Error(
        `${type} is not in the event catalogue (service/src/sync/event-catalogue.ts). Add it there, or register with { allowUncatalogued: true }. ` +
          `Known types: ${EVENT_CATALOGUE.map((e) => e.type).join(', ')}`,
      );
    }
    this.handlers.set(type, handler);
    return this;
  }

  get(type: string): EventHandler | undefined {
    return this.handlers.get(type);
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  /** Registered types, sorted. */
  types(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
