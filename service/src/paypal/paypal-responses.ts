// Turning PayPal's HTTP answers into values or typed errors.
import { z } from 'zod';
import { PayPalApiError, PayPalResponseError, type PayPalErrorDetail } from './paypal-errors.ts';
import type { PayPalHttpResponse } from './paypal-http.ts';
import { errorBodySchema } from './schemas.ts';
import { parseRetryAfter } from './retry-policy.ts';

/** Statuses worth asking again (with the same PayPal-Request-Id): PayPal or a proxy hiccuped. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Parses a 2xx body against `schema`, or throws PayPalResponseError naming what is wrong. */
export function parseBody<S extends z.ZodType>(operation: string, response: PayPalHttpResponse, schema: S): z.infer<S> {
  const where = `PayPal answered ${operation} with HTTP ${response.status}`;
  const debugPart = response.debugId ? ` (PayPal debug_id ${response.debugId})` : ' (no PayPal debug id: the answer may come from a proxy)';
  if (response.text.trim() === '') {
    throw new PayPalResponseError({
      operation,
      status: response.status,
      debugId: response.debugId,
      problem: 'empty_body',
      message: `${where} but an empty body, where a JSON resource was expected${debugPart}.`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch (err) {
    const type = response.headers.get('content-type') ?? 'no content-type';
    throw new PayPalResponseError({
      operation,
      status: response.status,
      debugId: response.debugId,
      problem: 'malformed_json',
      message: `${where} but the body is not valid JSON (${type}, ${response.text.length} characters)${debugPart}.`,
      cause: err,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new PayPalResponseError({
      operation,
      status: response.status,
      debugId: response.debugId,
      problem: 'unexpected_shape',
      message:
        `${where} but the body lacks fields the bridge relies on: ${summarizeIssues(parsed.error)}${debugPart}. ` +
        'If PayPal introduced a new value, add it to service/src/paypal/schemas.ts.',
      cause: parsed.error,
    });
  }
  return parsed.data;
}

// Paths and messages only: zod's messages name expected types and allowed values, never the
// received value, so no payer data reaches the error message.
function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Builds the PayPalApiError for a non-2xx answer. Understands PayPal's REST error body
 * ({name, message, debug_id, details[]}), the OAuth shape ({error, error_description}), and bodies
 * that are neither (a proxy's HTML page), which still yield a usable error.
 */
export function apiErrorFromResponse(operation: string, response: PayPalHttpResponse, nowMs: number): PayPalApiError {
  let body: z.infer<typeof errorBodySchema> = {};
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(response.text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Not JSON: described from the status alone below.
  }
  const paypalDetails: PayPalErrorDetail[] = (body.details ?? []).flatMap((d) =>
    d.issue === undefined
      ? []
      : [
          {
            issue: d.issue,
            ...(d.field !== undefined ? { field: d.field } : {}),
            ...(d.value !== undefined ? { value: typeof d.value === 'string' ? d.value : JSON.stringify(d.value) } : {}),
            ...(d.location !== undefined ? { location: d.location } : {}),
            ...(d.description !== undefined ? { description: d.description } : {}),
          },
        ],
  );
  const isPayPalBody = body.name !== undefined || body.error !== undefined;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), nowMs);
  return new PayPalApiError({
    operation,
    status: response.status,
    paypalName: body.name ?? body.error ?? `HTTP_${response.status}`,
    paypalMessage:
      body.message ??
      body.error_description ??
      (isPayPalBody ? '(no message)' : `no PayPal error body (${response.headers.get('content-type') ?? 'no content-type'})`),
    debugId: body.debug_id ?? response.debugId,
    issues: paypalDetails.map((d) => d.issue),
    paypalDetails,
    informationLink: body.information_link,
    retryable: isRetryableStatus(response.status) || paypalDetails.some((d) => d.issue === 'PREVIOUS_REQUEST_IN_PROGRESS'),
    retryAfterMs,
  });
}
