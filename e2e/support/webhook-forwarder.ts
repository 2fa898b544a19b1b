// PayPal delivers every event to the subscribed webhook; here every event the simulator emits goes
// to the service, signed as PayPal signs it (the harness's deliver), in emission order, one at a
// time, until stopped.
import type { PayPalSimulator } from '../../service/sim/paypal/index.ts';
import { waitFor, type Harness } from '../../service/test/support/service-harness.ts';

export interface WebhookForwarder {
  /** Resolves once every event emitted so far was delivered (and acknowledged with 200). */
  delivered(): Promise<void>;
  stop(): Promise<void>;
}

export function forwardWebhooks(paypal: PayPalSimulator, harness: Harness): WebhookForwarder {
  let forwarded = 0;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const failures: string[] = [];
  const forwardNew = async () => {
    const events = paypal.state.events;
    while (!stopped && forwarded < events.length) {
      const event = events[forwarded] as (typeof events)[number];
      const answer = await harness.deliver(event);
      if (answer.status !== 200) failures.push(`${event.event_type} ${event.id}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      forwarded++;
    }
  };
  const timer = setInterval(() => {
    running = running.then(forwardNew).catch((err: unknown) => void failures.push(String(err)));
  }, 50);
  return {
    async delivered() {
      const target = paypal.state.events.length;
      await waitFor(() => forwarded >= target || failures.length > 0, "the simulator's webhook events to reach the service");
      if (failures.length > 0) throw new Error(`webhook deliveries failed:\n${failures.join('\n')}`);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
