// How the service's JSON APIs (checkout, operations, admin) answer failures:
// `{error, message, paypal?: {name, debug_id, issues: [{issue, description}]}}` with a status that
// tells the caller what to do (retry later, fix the request, sign in again).
import type { NextFunction, Request, Response } from 'express';
import { OdooAccessError, OdooMissingError, OdooValidationError } from '../odoo/odoo-errors.ts';
import { PayPalApiError } from '../paypal/paypal-errors.ts';
import { BridgeError, DependencyUnavailableError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export interface ApiErrorBody {
  error: string;
  message: string;
  paypal?: { name: string | undefined; debug_id: string | undefined; issues: { issue: string; description?: string }[] };
}

/** express.json's own refusals (http-errors with `expose`, a 4xx `status` and a `type` such as entity.parse.failed). */
function bodyParserRefusal(err: unknown): { status: number; type: string } | null {
  if (!(err instanceof Error)) return null;
  const e = err as Error & { status?: unknown; type?: unknown; expose?: unknown };
  if (e.expose !== true || typeof e.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status > 499) return null;
  return { status: e.status, type: e.type };
}

export function toApiError(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof ApiError) return { status: err.status, body: { error: err.code, message: err.message } };
  const refused = bodyParserRefusal(err);
  if (refused) {
    // The client's request cannot be read (malformed JSON, too large): its fault, not ours, and
    // sending it again unchanged will not help.
    const message =
      refused.type === 'entity.parse.failed' ? 'the body is not valid JSON' : refused.status === 413 ? 'the body is too large' : `the body cannot be read (${refused.type})`;
    return { status: refused.status, body: { error: refused.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message } };
  }
  if (err instanceof DependencyUnavailableError) {
    return { status: 503, body: { error: 'UNAVAILABLE', message: `${err.dependency === 'odoo' ? 'Odoo' : 'PayPal'} cannot be reached right now; try again in a moment` } };
  }
  if (err instanceof PayPalApiError) {
    const issues = (err.paypalDetails ?? []).map((d) => ({ issue: d.issue ?? 'UNKNOWN', ...(d.description ? { description: d.description } : {}) }));
    return {
      status: err.status === 422 || err.status === 400 ? 422 : 502,
      body: {
        error: 'PAYPAL_ERROR',
        message: `PayPal refused: ${err.paypalName ?? err.status}${err.paypalMessage ? ` — ${err.paypalMessage}` : ''}`,
        paypal: { name: err.paypalName, debug_id: err.debugId, issues },
      },
    };
  }
  if (err instanceof OdooMissingError) return { status: 404, body: { error: 'TRANSACTION_NOT_FOUND', message: err.message } };
  if (err instanceof OdooValidationError) return { status: 422, body: { error: 'ODOO_REFUSED', message: err.message } };
  if (err instanceof OdooAccessError) return { status: 502, body: { error: 'ODOO_ACCESS', message: 'the service is not allowed to do this in Odoo; check its technical user and API key' } };
  if (err instanceof BridgeError && !err.retryable) return { status: 422, body: { error: err.code, message: err.message } };
  return { status: 500, body: { error: 'INTERNAL', message: 'internal error; the operation may be retried safely' } };
}

/** Express error middleware for an API router. */
export function apiErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { status, body } = toApiError(err);
    if (status >= 500) logger.error('API request failed', { path: req.path, status, code: body.error, err });
    else logger.warn('API request refused', { path: req.path, status, code: body.error, reason: body.message });
    if (!res.headersSent) res.status(status).json(body);
  };
}
