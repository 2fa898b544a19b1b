// Bridge tokens (`pbt1`): short-lived, HMAC-signed statements that Odoo issues and the service
// checks. Format (shared with odoo_addon/paypal_bridge/bridge_token.py; see odoo_addon/README.md):
//   pbt1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(secret, "pbt1." + payload))>
// The signature is checked, in constant time, on the bytes received, before the payload is
// decoded.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const TOKEN_PREFIX = 'pbt1';

export const TOKEN_TYPES = ['checkout', 'admin', 'server'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

const payloadSchema = z.object({
  typ: z.enum(TOKEN_TYPES),
  sub: z.number().int().nonnegative(),
  db: z.string().min(1),
  scp: z.array(z.string().min(1)),
  ref: z.string().min(1).optional(),
  iat: z.number().int(),
  exp: z.number().int(),
});

export type TokenPayload = z.infer<typeof payloadSchema>;

export type TokenFailure = 'MISSING' | 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED' | 'WRONG_TYPE' | 'WRONG_DATABASE';

export type TokenResult = { ok: true; payload: TokenPayload } | { ok: false; failure: TokenFailure; message: string };

function sign(secret: string, encodedPayload: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${TOKEN_PREFIX}.${encodedPayload}`, 'ascii').digest('base64url');
}

export function issueToken(secret: string, payload: TokenPayload): string {
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${TOKEN_PREFIX}.${encoded}.${sign(secret, encoded)}`;
}

export interface VerifyOptions {
  /** Accepted token types. */
  types: readonly TokenType[];
  /** The Odoo database the service serves (ODOO_DB): a token for another database is refused. */
  db?: string;
  now?: Date;
}

export function verifyToken(secret: string, token: string | undefined, options: VerifyOptions): TokenResult {
  if (!token) return { ok: false, failure: 'MISSING', message: 'no bridge token was sent' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX || !/^[A-Za-z0-9_-]+$/.test(parts[1]!) || !/^[A-Za-z0-9_-]+$/.test(parts[2]!)) {
    return { ok: false, failure: 'MALFORMED', message: 'the bridge token is malformed' };
  }
  const expected = Buffer.from(sign(secret, parts[1]!), 'utf8');
  const received = Buffer.from(parts[2]!, 'utf8');
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { ok: false, failure: 'BAD_SIGNATURE', message: 'the bridge token is not signed with this service\'s BRIDGE_SECRET' };
  }
  let payload: TokenPayload;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, failure: 'MALFORMED', message: 'the bridge token payload is not valid' };
    payload = parsed.data;
  } catch {
    return { ok: false, failure: 'MALFORMED', message: 'the bridge token payload is not JSON' };
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (!(now < payload.exp)) return { ok: false, failure: 'EXPIRED', message: 'the bridge token has expired' };
  if (!options.types.includes(payload.typ)) {
    return { ok: false, failure: 'WRONG_TYPE', message: `a ${payload.typ} token cannot be used here` };
  }
  if (options.db !== undefined && payload.db !== options.db) {
    return { ok: false, failure: 'WRONG_DATABASE', message: `the bridge token was issued by database "${payload.db}", not "${options.db}"` };
  }
  return { ok: true, payload };
}

/** Reads `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return m?.[1];
}
