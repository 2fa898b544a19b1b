// The simulator's HTTP layer. Every API request goes through the same pipeline:
//   injected fault → bearer token → JSON body → OpenAPI request check → idempotent replay →
//   operation handler → OpenAPI response check → answer.
// Operations are found with the OpenAPI documents themselves (the validator's path matching), so a
// request the documents do not describe can never reach a handler.
import express from 'express';
import type { OpenApiValidator, Violation } from '../openapi/validator.ts';
import { getDispute, listDisputes } from './disputes.ts';
import { errorBody, PayPalApiError, standardError, type IssueDetail } from './errors.ts';
import type { FaultRegistry } from './faults.ts';
import { debugId } from './ids.ts';
import type { TokenIssuer } from './oauth.ts';
import { authorizeOrder, captureOrder, createOrder, getOrder } from './orders.ts';
import { captureAuthorization, getAuthorization, getCapture, getRefund, refundCapture, voidAuthorization } from './payments.ts';
import { getBalances, searchTransactions } from './reporting.ts';
import type { WebhookSigner } from './signing.ts';
import type { ApiAnswer, SimContext } from './state.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, verifyWebhookSignature } from './webhooks.ts';

export type ValidationMode = 'strict' | 'record' | 'off';

export interface RequestLogEntry {
  method: string;
  /** Path with query string. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON, the form fields of a token request, or undefined. */
  body: unknown;
  status: number;
  at: Date;
  /** The answer replayed an earlier one with the same PayPal-Request-Id. */
  idempotentReplay?: boolean;
  /** The answer was an injected fault. */
  fault?: boolean;
}

export interface ServerDeps {
  ctx: SimContext;
  validator: OpenApiValidator;
  mode: ValidationMode;
  tokens: TokenIssuer;
  signer: WebhookSigner;
  faults: FaultRegistry;
  violations: Violation[];
  requests: RequestLogEntry[];
  testRoutes: express.Router;
  /** Served before everything else: the stand-in JS SDK for browsers (js-sdk.ts). */
  browserRoutes?: express.Router;
}

interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** `Prefer: return=representation`; PayPal's default is return=minimal. */
  representation: boolean;
}

type Handler = (req: ApiRequest) => ApiAnswer;

function param(req: ApiRequest, name: string): string {
  return req.params[name] ?? '';
}

function handlers(ctx: SimContext, signer: WebhookSigner): Record<string, Handler> {
  return {
    'orders.create': (r) => createOrder(ctx, r.body, r.representation),
    'orders.get': (r) => getOrder(ctx, param(r, 'id')),
    'orders.capture': (r) => captureOrder(ctx, param(r, 'id'), r.representation),
    'orders.authorize': (r) => authorizeOrder(ctx, param(r, 'id'), r.representation),
    'authorizations.get': (r) => getAuthorization(ctx, param(r, 'authorization_id')),
    'authorizations.capture': (r) => captureAuthorization(ctx, param(r, 'authorization_id'), r.body, r.representation),
    'authorizations.void': (r) => voidAuthorization(ctx, param(r, 'authorization_id'), r.representation),
    'captures.get': (r) => getCapture(ctx, param(r, 'capture_id')),
    'captures.refund': (r) => refundCapture(ctx, param(r, 'capture_id'), r.body, r.representation),
    'refunds.get': (r) => getRefund(ctx, param(r, 'refund_id')),
    'webhooks.post': (r) => createWebhook(ctx, r.body),
    'webhooks.list': () => listWebhooks(ctx),
    'webhooks.get': (r) => getWebhook(ctx, param(r, 'webhook_id')),
    'webhooks.delete': (r) => deleteWebhook(ctx, param(r, 'webhook_id')),
    'verify-webhook-signature.post': (r) => verifyWebhookSignature(ctx, signer, r.body),
    'disputes.get': (r) => getDispute(ctx, param(r, 'id')),
    'disputes.list': (r) => listDisputes(ctx, r.query),
    'search.get': (r) => searchTransactions(ctx, r.query),
    'balances.get': (r) => getBalances(ctx, r.query),
  };
}

function flatHeaders(req: express.Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The first issue of `preferred` the response documents (any, when it lists none). */
function pickIssue(documented: Map<string, string | undefined> | null, preferred: string[]): string {
  if (!documented) return preferred[0] ?? 'INVALID_PARAMETER_SYNTAX';
  return preferred.find((i) => documented.has(i)) ?? [...documented.keys()][0] ?? preferred[0] ?? 'INVALID_PARAMETER_SYNTAX';
}

function issueForViolation(v: Violation, documented: Map<string, string | undefined> | null): IssueDetail {
  const byKeyword: Record<string, string> = { required: 'MISSING_REQUIRED_PARAMETER', maxLength: 'INVALID_STRING_LENGTH', minLength: 'INVALID_STRING_LENGTH', enum: 'INVALID_PARAMETER_VALUE' };
  const first = (v.keyword && byKeyword[v.keyword]) ?? 'INVALID_PARAMETER_SYNTAX';
  const detail: IssueDetail = {
    issue: pickIssue(documented, [first, 'INVALID_PARAMETER_SYNTAX', 'INVALID_PARAMETER_VALUE', 'MISSING_REQUIRED_PARAMETER']),
    description: v.message,
  };
  if (v.instancePath) detail.field = v.instancePath;
  if (v.location === 'body' || v.location === 'path' || v.location === 'query') detail.location = v.location;
  return detail;
}

export function createApp(deps: ServerDeps): express.Express {
  const { ctx, validator, mode, tokens, faults, violations, requests } = deps;
  const operationHandlers = handlers(ctx, deps.signer);
  const idempotent = new Map<string, ApiAnswer>();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  function record(found: Violation[]): void {
    if (found.length > 0) violations.push(...found);
  }

  /** The debug id of this request: in the Paypal-Debug-Id header and in error bodies, as PayPal does. */
  function debugIdOf(res: express.Response): string {
    const locals = res.locals as { debugId?: string };
    locals.debugId ??= debugId();
    return locals.debugId;
  }

  function send(res: express.Response, entry: RequestLogEntry, status: number, body: unknown, headers: Record<string, string> = {}): void {
    entry.status = status;
    res.status(status).set({ 'Paypal-Debug-Id': debugIdOf(res), ...headers });
    if (body === undefined) res.end();
    else res.type('application/json').send(JSON.stringify(body));
  }

  function logEntry(req: express.Request, body: unknown): RequestLogEntry {
    const entry: RequestLogEntry = { method: req.method, path: req.originalUrl, headers: flatHeaders(req), body, status: 0, at: ctx.now() };
    requests.push(entry);
    return entry;
  }

  if (deps.browserRoutes) app.use(deps.browserRoutes);
  app.use('/__sim', express.json({ limit: '2mb' }), deps.testRoutes);

  app.use(express.raw({ type: () => true, limit: '2mb' }));

  // Injected faults apply to everything PayPal serves, token and certificate endpoints included.
  app.use(async (req, res, next) => {
    const pathname = req.path;
    const fault = faults.take(req.method, pathname);
    if (!fault) return next();
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.status === undefined) return next();
    const entry = logEntry(req, undefined);
    entry.fault = true;
    const standard = standardError(fault.status);
    const body = fault.body ?? { name: standard.name, message: standard.message, debug_id: debugIdOf(res), links: [{ href: 'https://developer.paypal.com/api/rest/reference/rate-limiting/', rel: 'information_link', method: 'GET' }] };
    send(res, entry, fault.status, body, fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {});
  });

  app.post('/v1/oauth2/token', (req, res) => {
    const form = new URLSearchParams(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    const entry = logEntry(req, Object.fromEntries(form));
    const answer = tokens.issue(req.get('authorization'), form);
    send(res, entry, answer.status, answer.body);
  });

  // PayPal serves the signing certificate alone (no chain), as PEM.
  app.get('/v1/notifications/certs/:certId', (req, res) => {
    const entry = logEntry(req, undefined);
    const pem = deps.signer.certificatePem(req.params['certId'] ?? '');
    entry.status = pem ? 200 : 404;
    if (pem) res.status(200).type('application/x-pem-file').send(pem);
    else res.status(404).type('text/plain').send('No such certificate.');
  });

  app.use((req, res) => {
    const fullPath = req.originalUrl;
    const pathname = req.path;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const entry = logEntry(req, undefined);
    const headers = entry.headers;
    const fail = (error: PayPalApiError, validate: boolean) => {
      const body = errorBody(error, { path: pathname, debugId: debugIdOf(res), documented: validator.documentedIssues(req.method, fullPath, error.status) });
      if (validate && mode !== 'off') record(validator.validateResponse({ method: req.method, path: fullPath, status: error.status, body }));
      send(res, entry, error.status, body);
    };

    const operation = validator.findOperation(req.method, fullPath);
    if (!tokens.accepts(headers['authorization'])) return fail(new PayPalApiError(401), operation !== null);

    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        const documented = validator.documentedIssues(req.method, fullPath, 400);
        return fail(new PayPalApiError(400, [{ issue: pickIssue(documented, ['MALFORMED_REQUEST_JSON', 'INVALID_PARAMETER_SYNTAX']), location: 'body', description: 'The request JSON is not well formed.' }]), operation !== null);
      }
    }
    entry.body = body;

    if (!operation) {
      if (mode !== 'off') record(validator.validateRequest({ method: req.method, path: fullPath, headers, body }));
      return fail(new PayPalApiError(404, [{ issue: 'INVALID_RESOURCE_ID', description: `${req.method} ${pathname} is not an operation of PayPal's REST APIs.` }]), false);
    }

    if (mode !== 'off') {
      const found = validator.validateRequest({ method: req.method, path: fullPath, headers, body, ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}) });
      record(found);
      if (mode === 'strict' && found.length > 0) {
        const documented = validator.documentedIssues(req.method, fullPath, 400);
        return fail(new PayPalApiError(400, found.slice(0, 10).map((v) => issueForViolation(v, documented))), true);
      }
    }

    const handler = operationHandlers[operation.operationId];
    if (!handler) {
      entry.status = 501;
      res.status(501).json({ name: 'NOT_IMPLEMENTED_IN_SIMULATOR', message: `The PayPal simulator does not implement ${operation.operationId} (${req.method} ${operation.pathTemplate}). Add it in service/sim/paypal/server.ts if the bridge needs it.` });
      return;
    }

    const requestId = operation.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'paypal-request-id') ? headers['paypal-request-id'] : undefined;
    const idempotencyKey = requestId ? `${req.method} ${pathname} ${requestId}` : undefined;
    let answer: ApiAnswer;
    const replay = idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
    if (replay) {
      // The same request id answers the first result again, with no second effect. Operations that
      // document "200 for an idempotent request" (Orders) answer 200 instead of 201.
      entry.idempotentReplay = true;
      answer = { ...replay, status: replay.status === 201 && operation.responses.includes('200') ? 200 : replay.status };
    } else {
      try {
        answer = handler({ params: operation.params, query: new URLSearchParams(fullPath.split('?')[1] ?? ''), body, representation: /return=representation/i.test(headers['prefer'] ?? '') });
      } catch (err) {
        if (err instanceof PayPalApiError) return fail(err, true);
        record([{ where: 'response', operation: operation.operationId, location: 'body', message: `simulator bug in ${operation.operationId}: ${(err as Error).stack ?? String(err)}` }]);
        return fail(new PayPalApiError(500), true);
      }
      // Only successes are kept: a request that failed may be retried with the same id and succeed.
      if (idempotencyKey && answer.status >= 200 && answer.status < 300) idempotent.set(idempotencyKey, answer);
    }
    if (mode !== 'off') record(validator.validateResponse({ method: req.method, path: fullPath, status: answer.status, body: answer.body }));
    send(res, entry, answer.status, answer.body);
  });

  return app;
}
