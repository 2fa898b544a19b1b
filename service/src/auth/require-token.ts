// Express middleware: a valid bridge token of the given type(s) and scope, or 401/403.
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../http/api-errors.ts';
import { bearerToken, verifyToken, type TokenPayload, type TokenType } from './bridge-token.ts';

export interface TokenCheck {
  secret: string;
  db: string;
  types: readonly TokenType[];
  /** A scope the token must carry. */
  scope?: string;
  clock?: () => Date;
}

/** The verified token of the request (set by requireToken). */
export function tokenOf(res: Response): TokenPayload {
  const payload = res.locals['bridgeToken'] as TokenPayload | undefined;
  if (!payload) throw new Error('requireToken() must run before tokenOf()');
  return payload;
}

export function requireToken(check: TokenCheck) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const result = verifyToken(check.secret, bearerToken(req.headers.authorization), {
      types: check.types,
      db: check.db,
      ...(check.clock ? { now: check.clock() } : {}),
    });
    if (!result.ok) {
      next(new ApiError(401, 'TOKEN_INVALID', result.message));
      return;
    }
    if (check.scope && !result.payload.scp.includes(check.scope)) {
      next(new ApiError(403, 'TOKEN_SCOPE_MISSING', `this token does not allow "${check.scope}"`));
      return;
    }
    res.locals['bridgeToken'] = result.payload;
    next();
  };
}
