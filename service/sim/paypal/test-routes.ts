// The simulator's test actions over HTTP, under /__sim, for browsers and other processes (the demo,
// the benchmarks, e2e tests). JSON in, JSON out. Not PayPal: these routes are neither authenticated
// nor checked against the OpenAPI documents.
//
//   POST /__sim/orders/:id/approve            {payer?, captureOutcome?, pendingReason?, instrumentDeclined?}
//   POST /__sim/orders/:id/reverse-approval
//   POST /__sim/captures/:id/complete | deny
//   POST /__sim/captures/:id/refund | reverse {amount?}
//   POST /__sim/captures/:id/disputes         {reason?, amount?, stage?, status?}
//   POST /__sim/disputes/:id/update           {status?, stage?, reason?, amount?, sellerResponseDueDate?}
//   POST /__sim/disputes/:id/resolve          {outcome}
//   POST /__sim/events/deliver                {event} or {eventType, resource, resourceType?, summary?, id?}
//   POST /__sim/events/sign                   {event | raw, webhookId, signer?, certUrl?, transmissionId?, transmissionTime?}
//   POST /__sim/faults                        {path | pathPattern, method?, status?, times?, retryAfterSeconds?, body?, delayMs?}
//   POST /__sim/faults/clear
//   POST /__sim/delivery/pause | resume | idle
//   GET  /__sim/state | violations | deliveries | requests
import express from 'express';
import type { SignerName } from '../pki.ts';
import { PayPalApiError } from './errors.ts';
import type { PayPalSimulator } from './index.ts';
import { authorizationJson, captureJson, disputeJson, orderJson, refundJson, webhookJson } from './representations.ts';
import type { SimContext, WebhookEvent } from './state.ts';

type Body = Record<string, unknown>;

function optionalString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`"${key}" must be a string.`);
  return value;
}

function requiredString(body: Body, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw new Error(`"${key}" is required.`);
  return value;
}

export function createTestRouter(sim: PayPalSimulator, ctx: SimContext): express.Router {
  const router = express.Router();

  // Wraps an action: its result as JSON; a missing resource is 404, a refused action 409.
  const action = (run: (params: Record<string, string>, body: Body) => unknown) => async (req: express.Request, res: express.Response) => {
    try {
      const result = await run(req.params as Record<string, string>, (req.body ?? {}) as Body);
      res.status(200).json(result ?? { ok: true });
    } catch (err) {
      const notFound = err instanceof PayPalApiError && err.status === 404;
      res.status(notFound ? 404 : 409).json({ error: (err as Error).message });
    }
  };

  router.post('/orders/:id/approve', action((p, b) => sim.approveOrder(p['id'] ?? '', b)));
  router.post('/orders/:id/reverse-approval', action((p) => sim.reverseApproval(p['id'] ?? '')));
  router.post('/captures/:id/complete', action((p) => sim.completePendingCapture(p['id'] ?? '')));
  router.post('/captures/:id/deny', action((p) => sim.denyPendingCapture(p['id'] ?? '')));
  router.post('/captures/:id/refund', action((p, b) => sim.refundFromDashboard(p['id'] ?? '', optionalString(b, 'amount'))));
  router.post('/captures/:id/reverse', action((p, b) => sim.reverseCapture(p['id'] ?? '', optionalString(b, 'amount'))));
  router.post('/captures/:id/disputes', action((p, b) => sim.createDispute(p['id'] ?? '', b)));
  router.post('/disputes/:id/update', action((p, b) => sim.updateDispute(p['id'] ?? '', b)));
  router.post('/disputes/:id/resolve', action((p, b) => sim.resolveDispute(p['id'] ?? '', requiredString(b, 'outcome') as Parameters<PayPalSimulator['resolveDispute']>[1])));

  router.post(
    '/events/deliver',
    action((_p, b) => {
      const resourceType = optionalString(b, 'resourceType');
      const summary = optionalString(b, 'summary');
      const id = optionalString(b, 'id');
      const event =
        (b['event'] as WebhookEvent | undefined) ??
        sim.buildEvent(requiredString(b, 'eventType'), (b['resource'] ?? {}) as object, {
          ...(resourceType !== undefined ? { resourceType } : {}),
          ...(summary !== undefined ? { summary } : {}),
          ...(id !== undefined ? { id } : {}),
        });
      sim.deliverEvent(event);
      return { event };
    }),
  );
  router.post(
    '/events/sign',
    action((_p, b) => {
      const input = b['raw'] !== undefined ? requiredString(b, 'raw') : (b['event'] as WebhookEvent | undefined);
      if (input === undefined) throw new Error('"event" or "raw" is required.');
      const signed = sim.signEvent(input, {
        webhookId: requiredString(b, 'webhookId'),
        ...(b['signer'] !== undefined ? { signer: requiredString(b, 'signer') as SignerName } : {}),
        ...(b['certUrl'] !== undefined ? { certUrl: requiredString(b, 'certUrl') } : {}),
        ...(b['transmissionId'] !== undefined ? { transmissionId: requiredString(b, 'transmissionId') } : {}),
        ...(b['transmissionTime'] !== undefined ? { transmissionTime: requiredString(b, 'transmissionTime') } : {}),
      });
      return { body: signed.body.toString('utf8'), headers: signed.headers };
    }),
  );

  router.post(
    '/faults',
    action((_p, b) => {
      const pattern = optionalString(b, 'pathPattern');
      const path = pattern !== undefined ? new RegExp(pattern) : requiredString(b, 'path');
      const { pathPattern: _ignored, ...rest } = b;
      sim.faults.add({ ...rest, path });
    }),
  );
  router.post('/faults/clear', action(() => sim.faults.clear()));
  router.post('/delivery/pause', action(() => sim.pauseDelivery()));
  router.post('/delivery/resume', action(() => sim.resumeDelivery()));
  router.post('/delivery/idle', action(() => sim.idle()));

  router.get('/state', (_req, res) => {
    const s = ctx.state;
    res.json({
      orders: [...s.orders.values()].map((o) => orderJson(ctx, o, 'full')),
      captures: [...s.captures.values()].map((c) => captureJson(ctx, c)),
      refunds: [...s.refunds.values()].map((r) => refundJson(ctx, r)),
      authorizations: [...s.authorizations.values()].map((a) => authorizationJson(ctx, a)),
      disputes: [...s.disputes.values()].map((d) => disputeJson(ctx, d)),
      webhooks: [...s.webhooks.values()].map((w) => webhookJson(ctx, w)),
      events: s.events,
    });
  });
  router.get('/violations', (_req, res) => void res.json(sim.violations));
  router.get('/deliveries', (_req, res) => void res.json(sim.deliveries));
  router.get('/requests', (_req, res) => void res.json(sim.requests));

  return router;
}
