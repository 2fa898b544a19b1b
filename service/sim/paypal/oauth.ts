// OAuth 2.0 client credentials, as PayPal's `POST /v1/oauth2/token`: HTTP Basic with the REST app's
// client id and secret, form body `grant_type=client_credentials`. The answer's shape and its
// errors (`{error, error_description}`) are OAuth's, not the REST error shape.
import { timingSafeEqual } from 'node:crypto';
import { accessToken, appId } from './ids.ts';

// What a REST app with the features the bridge uses is granted.
const SCOPES = [
  'https://uri.paypal.com/services/payments/payment/authcapture',
  'https://uri.paypal.com/services/payments/refund',
  'https://uri.paypal.com/services/payments/orders/read',
  'https://uri.paypal.com/services/applications/webhooks',
  'https://uri.paypal.com/services/applications/verify-webhook-signature',
  'https://uri.paypal.com/services/disputes/read-seller',
  'https://uri.paypal.com/services/disputes/update-seller',
  'https://uri.paypal.com/services/reporting/search/read',
  'openid',
];

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class TokenIssuer {
  private readonly tokens = new Map<string, number>(); // token -> expiry (ms since epoch)
  private readonly appId = appId();
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;

  constructor(options: { clientId: string; clientSecret: string; ttlSeconds: number; now: () => Date }) {
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.ttlSeconds = options.ttlSeconds;
    this.now = options.now;
  }

  private credentialsMatch(authorization: string | undefined): boolean {
    const m = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (!m?.[1]) return false;
    const given = Buffer.from(Buffer.from(m[1], 'base64').toString('utf8'));
    const expected = Buffer.from(`${this.clientId}:${this.clientSecret}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  issue(authorization: string | undefined, form: URLSearchParams): TokenAnswer {
    if (!this.credentialsMatch(authorization)) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
    }
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: grant ? `Grant Type ${grant} is not supported` : 'Grant Type is NULL' } };
    }
    const token = accessToken();
    const now = this.now();
    this.tokens.set(token, now.getTime() + this.ttlSeconds * 1000);
    return {
      status: 200,
      body: {
        scope: SCOPES.join(' '),
        access_token: token,
        token_type: 'Bearer',
        app_id: this.appId,
        expires_in: this.ttlSeconds,
        nonce: `${now.toISOString().replace(/\.\d{3}Z$/, 'Z')}${token.slice(-43)}`,
      },
    };
  }

  /** Whether an `Authorization: Bearer …` header carries a token this simulator issued and that is still valid. */
  accepts(authorization: string | undefined): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const expiry = m?.[1] ? this.tokens.get(m[1]) : undefined;
    return expiry !== undefined && this.now().getTime() < expiry;
  }
}
