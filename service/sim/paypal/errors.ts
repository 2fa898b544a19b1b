// PayPal's error responses: `{name, message, debug_id, details[{issue, description, field, value,
// location}], links}`. The name and message are fixed per status by the OpenAPI documents; an
// issue's description is taken from the document when it pins one, so the simulator's errors
// validate against the same documents as everything else it sends.

export interface IssueDetail {
  issue: string;
  description?: string;
  field?: string;
  value?: string;
  location?: 'body' | 'path' | 'query';
}

const STANDARD: Record<number, { name: string; message: string }> = {
  400: { name: 'INVALID_REQUEST', message: 'Request is not well-formed, syntactically incorrect, or violates schema.' },
  401: { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to missing authorization header, or invalid authentication credentials.' },
  403: { name: 'NOT_AUTHORIZED', message: 'Authorization failed due to insufficient permissions.' },
  404: { name: 'RESOURCE_NOT_FOUND', message: 'The specified resource does not exist.' },
  409: { name: 'RESOURCE_CONFLICT', message: 'The server has detected a conflict while processing this request.' },
  415: { name: 'UNSUPPORTED_MEDIA_TYPE', message: "The server does not support the request payload's media type." },
  422: { name: 'UNPROCESSABLE_ENTITY', message: 'The requested action could not be performed, semantically incorrect, or failed business validation.' },
  // Not in the OpenAPI documents; PayPal's rate-limiting guide gives this body.
  429: { name: 'RATE_LIMIT_REACHED', message: 'Too many requests. Blocked due to rate limiting.' },
  500: { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred.' },
  503: { name: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable.' },
};

export function standardError(status: number): { name: string; message: string } {
  return STANDARD[status] ?? { name: 'INTERNAL_SERVER_ERROR', message: `HTTP ${status}` };
}

/** A PayPal API error raised by the simulator's domain code and turned into a response by the server. */
export class PayPalApiError extends Error {
  readonly status: number;
  readonly errorName: string;
  /** The message PayPal sends for this status (the Error's own message also names the issues). */
  readonly paypalMessage: string;
  readonly details: IssueDetail[];

  constructor(status: number, details: IssueDetail[] = [], override?: { name: string; message: string }) {
    const standard = override ?? standardError(status);
    super(`${standard.name}: ${details.map((d) => d.issue).join(', ') || standard.message}`);
    this.status = status;
    this.errorName = standard.name;
    this.paypalMessage = standard.message;
    this.details = details;
  }
}

export function unprocessable(issue: string, detail: Omit<IssueDetail, 'issue'> = {}): PayPalApiError {
  return new PayPalApiError(422, [{ issue, ...detail }]);
}

export function resourceNotFound(field: string, value: string): PayPalApiError {
  return new PayPalApiError(404, [{ issue: 'INVALID_RESOURCE_ID', field, value, location: 'path', description: 'Specified resource ID does not exist. Please check the resource ID and try again.' }]);
}

/** Which API's documentation an error links to, like PayPal's `information_link`. */
function docsSection(path: string): string {
  if (path.startsWith('/v2/checkout/orders')) return 'orders/v2';
  if (path.startsWith('/v2/payments')) return 'payments/v2';
  if (path.startsWith('/v1/customer/disputes')) return 'customer-disputes/v1';
  if (path.startsWith('/v1/notifications')) return 'webhooks/v1';
  return 'overview';
}

/**
 * The response body for an error. `documented` maps the issues the OpenAPI document lists for this
 * response to the description it pins (see OpenApiValidator.documentedIssues).
 */
export function errorBody(
  error: PayPalApiError,
  context: { path: string; debugId: string; documented: Map<string, string | undefined> | null },
): Record<string, unknown> {
  const details = error.details.map((d) => {
    const pinned = context.documented?.get(d.issue);
    return { ...d, ...(pinned !== undefined ? { description: pinned } : {}) };
  });
  const anchor = details[0]?.issue ?? error.errorName;
  return {
    name: error.errorName,
    message: error.paypalMessage,
    debug_id: context.debugId,
    ...(details.length > 0 ? { details } : {}),
    links: [{ href: `https://developer.paypal.com/docs/api/${docsSection(context.path)}/#error-${anchor}`, rel: 'information_link', method: 'GET' }],
  };
}
