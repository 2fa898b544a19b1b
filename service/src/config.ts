// The service's configuration: the only place that reads process.env. Parsed once at start-up;
// every problem is listed in one message and the service refuses to start on any of them.
import * as path from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './shared/logger.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

const httpUrl = (what: string, opts: { httpsUnlessLoopback?: boolean } = {}) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .transform((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${what} must be an absolute URL (got "${value}")` });
        return z.NEVER;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        ctx.addIssue({ code: 'custom', message: `${what} must use http or https (got "${url.protocol}")` });
        return z.NEVER;
      }
      if (opts.httpsUnlessLoopback && url.protocol === 'http:' && !isLoopback(url)) {
        ctx.addIssue({ code: 'custom', message: `${what} must use https (plain http is accepted only on localhost)` });
        return z.NEVER;
      }
      return value.replace(/\/+$/, '');
    });

const required = (what: string, min = 1) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(min, min > 1 ? `${what} must be at least ${min} characters` : `${what} is required`);

const intInRange = (what: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (!/^\d+$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${what} must be a whole number (got "${value}")` });
        return z.NEVER;
      }
      const n = Number(value);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${what} must be between ${min} and ${max} (got ${n})` });
        return z.NEVER;
      }
      return n;
    });

const bool = (what: string, fallback: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const v = value.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${what} must be true or false (got "${value}")` });
      return z.NEVER;
    });

const HOST_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

const envSchema = z.object({
  PORT: intInRange('PORT', 0, 65535, 8070),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      if (!/^postgres(ql)?:\/\//.test(value)) {
        ctx.addIssue({ code: 'custom', message: 'DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for SQLite)' });
        return z.NEVER;
      }
      return value;
    }),
  DATA_DIR: z.string().trim().optional().transform((v) => path.resolve(v === undefined || v === '' ? './data' : v)),
  PAYPAL_API_BASE: httpUrl('PAYPAL_API_BASE', { httpsUnlessLoopback: true })
    .optional()
    .transform((v) => v ?? 'https://api-m.sandbox.paypal.com'),
  PAYPAL_CLIENT_ID: required('PAYPAL_CLIENT_ID'),
  PAYPAL_CLIENT_SECRET: required('PAYPAL_CLIENT_SECRET'),
  PAYPAL_WEBHOOK_ID: required('PAYPAL_WEBHOOK_ID'),
  PAYPAL_CERT_HOSTS: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      const raw = value === undefined || value === '' ? 'api.paypal.com,api.sandbox.paypal.com' : value;
      const hosts = raw
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== '');
      const bad = hosts.filter((h) => !HOST_RE.test(h));
      if (hosts.length === 0 || bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `PAYPAL_CERT_HOSTS must be a comma-separated list of host names (optionally host:port)${bad.length ? `; not a host name: ${bad.join(', ')}` : ''}`,
        });
        return z.NEVER;
      }
      return hosts;
    }),
  PAYPAL_CERT_INTERMEDIATES: z.string().trim().optional().transform((v) => (v ? path.resolve(v) : undefined)),
  PAYPAL_VERIFY_FALLBACK: bool('PAYPAL_VERIFY_FALLBACK', false),
  // The technical user's API key travels with every call: https, unless Odoo is on this machine.
  ODOO_URL: httpUrl('ODOO_URL', { httpsUnlessLoopback: true }).optional(),
  ODOO_DB: required('ODOO_DB').optional(),
  ODOO_LOGIN: required('ODOO_LOGIN').optional(),
  ODOO_API_KEY: required('ODOO_API_KEY').optional(),
  BRIDGE_SECRET: required('BRIDGE_SECRET', 32).optional(),
  BRIDGE_ALLOWED_ORIGINS: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return undefined;
      const origins: string[] = [];
      for (const raw of value.split(',').map((o) => o.trim()).filter((o) => o !== '')) {
        try {
          const url = new URL(raw);
          if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== raw.replace(/\/$/, '')) throw new Error('not an origin');
          origins.push(url.origin);
        } catch {
          ctx.addIssue({ code: 'custom', message: `BRIDGE_ALLOWED_ORIGINS must list origins such as https://shop.example.com (got "${raw}")` });
          return z.NEVER;
        }
      }
      return origins;
    }),
  LOG_LEVEL: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return 'info' as LogLevel;
      const v = value.toLowerCase();
      if ((LOG_LEVELS as string[]).includes(v)) return v as LogLevel;
      ctx.addIssue({ code: 'custom', message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value}")` });
      return z.NEVER;
    }),
  WEBHOOK_MAX_BODY_BYTES: intInRange('WEBHOOK_MAX_BODY_BYTES', 1024, 16 * 1024 * 1024, 1024 * 1024),
  WORKER_CONCURRENCY: intInRange('WORKER_CONCURRENCY', 1, 64, 4),
  WORKER_MAX_ATTEMPTS: intInRange('WORKER_MAX_ATTEMPTS', 1, 1000, 20),
  WEBHOOK_SILENCE_MINUTES: intInRange('WEBHOOK_SILENCE_MINUTES', 1, 60 * 24 * 30, 120),
  RECONCILE_HOUR_UTC: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return 6;
      if (value.toLowerCase() === 'off') return null;
      if (!/^\d{1,2}$/.test(value) || Number(value) > 23) {
        ctx.addIssue({ code: 'custom', message: `RECONCILE_HOUR_UTC must be an hour from 0 to 23, or off (got "${value}")` });
        return z.NEVER;
      }
      return Number(value);
    }),
  RECONCILE_AUTO_REPAIR: bool('RECONCILE_AUTO_REPAIR', false),
  RECONCILE_BOOK_LEDGER: bool('RECONCILE_BOOK_LEDGER', true),
});

export interface Config {
  readonly port: number;
  readonly store: { readonly kind: 'sqlite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly paypal: {
    readonly apiBase: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly webhookId: string;
    readonly certHosts: readonly string[];
    readonly extraIntermediatesFile: string | undefined;
    readonly verifyFallback: boolean;
  };
  /**
   * Null when none of ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY and BRIDGE_SECRET is set: the
   * service then only takes PayPal's webhooks in (verified and stored), and they wait in the inbox
   * until Odoo is configured. Set one of them and all five are required.
   */
  readonly odoo: { readonly url: string; readonly db: string; readonly login: string; readonly apiKey: string; readonly bridgeSecret: string } | null;
  /** Origins whose pages may call the checkout and admin APIs (the Odoo website and back office). */
  readonly allowedOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly webhookMaxBodyBytes: number;
  readonly worker: { readonly concurrency: number; readonly maxAttempts: number };
  /** The back office warns when no webhook has arrived for longer than this. */
  readonly webhookSilenceMinutes: number;
  /** The daily reconciliation of the previous day: at this hour (UTC), or null when off; and whether it applies the certain repairs. */
  readonly reconcile: { readonly hourUtc: number | null; readonly autoRepair: boolean; readonly bookLedger: boolean };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `The service cannot start: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee "Configuration" in README.md.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment. Throws ConfigError naming every problem at once. */
const ODOO_KEYS = ['ODOO_URL', 'ODOO_DB', 'ODOO_LOGIN', 'ODOO_API_KEY', 'BRIDGE_SECRET'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty value counts as unset, so that `ODOO_URL=` does not half-configure Odoo.
  const given = ODOO_KEYS.filter((k) => (env[k] ?? '').trim() !== '');
  const cleaned: NodeJS.ProcessEnv = { ...env };
  for (const k of ODOO_KEYS) if (!given.includes(k)) delete cleaned[k];
  const result = envSchema.safeParse(cleaned);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const key = issue.path.join('.');
        return issue.message.includes(key) ? issue.message : `${key}: ${issue.message}`;
      });
  if (given.length > 0 && given.length < ODOO_KEYS.length) {
    for (const k of ODOO_KEYS) if (!given.includes(k)) problems.push(`${k} is required (the Odoo settings go together: ${ODOO_KEYS.join(', ')})`);
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const e = result.data;
  const odoo =
    e.ODOO_URL && e.ODOO_DB && e.ODOO_LOGIN && e.ODOO_API_KEY && e.BRIDGE_SECRET
      ? { url: e.ODOO_URL, db: e.ODOO_DB, login: e.ODOO_LOGIN, apiKey: e.ODOO_API_KEY, bridgeSecret: e.BRIDGE_SECRET }
      : null;
  return deepFreeze({
    port: e.PORT,
    store: e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'sqlite', dataDir: e.DATA_DIR },
    paypal: {
      apiBase: e.PAYPAL_API_BASE,
      clientId: e.PAYPAL_CLIENT_ID,
      clientSecret: e.PAYPAL_CLIENT_SECRET,
      webhookId: e.PAYPAL_WEBHOOK_ID,
      certHosts: e.PAYPAL_CERT_HOSTS,
      extraIntermediatesFile: e.PAYPAL_CERT_INTERMEDIATES,
      verifyFallback: e.PAYPAL_VERIFY_FALLBACK,
    },
    odoo,
    allowedOrigins: e.BRIDGE_ALLOWED_ORIGINS ?? (odoo ? [new URL(odoo.url).origin] : []),
    logLevel: e.LOG_LEVEL,
    webhookMaxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
    worker: { concurrency: e.WORKER_CONCURRENCY, maxAttempts: e.WORKER_MAX_ATTEMPTS },
    webhookSilenceMinutes: e.WEBHOOK_SILENCE_MINUTES,
    reconcile: { hourUtc: e.RECONCILE_HOUR_UTC, autoRepair: e.RECONCILE_AUTO_REPAIR, bookLedger: e.RECONCILE_BOOK_LEDGER },
  } satisfies Config);
}

/**
 * Only the store settings (DATABASE_URL, DATA_DIR), for tools that need nothing else, such as the
 * replay script. Same rules and messages as loadConfig.
 */
export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): Config['store'] {
  const result = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true }).safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => i.message));
  const e = result.data;
  return e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'sqlite', dataDir: e.DATA_DIR };
}

/** Only PayPal's API settings, for tools such as the webhook registration script. */
export function loadPayPalApiConfig(env: NodeJS.ProcessEnv = process.env): Pick<Config['paypal'], 'apiBase' | 'clientId' | 'clientSecret'> {
  const result = envSchema.pick({ PAYPAL_API_BASE: true, PAYPAL_CLIENT_ID: true, PAYPAL_CLIENT_SECRET: true }).safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => i.message));
  return { apiBase: result.data.PAYPAL_API_BASE, clientId: result.data.PAYPAL_CLIENT_ID, clientSecret: result.data.PAYPAL_CLIENT_SECRET };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
