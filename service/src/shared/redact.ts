// Masking of secrets and of payer personal data before anything is logged or shown.
// Secrets are removed entirely; personal data keeps just enough to recognise a record
// (the first letter and the domain of an e-mail, the last characters of an id).

const SECRET_KEYS = new Set([
  'authorization',
  'password',
  'secret',
  'client_secret',
  'clientsecret',
  'access_token',
  'accesstoken',
  'refresh_token',
  'api_key',
  'apikey',
  'token',
  'bridge_secret',
  'paypal_client_secret',
  'odoo_api_key',
  'cookie',
  'set-cookie',
  'paypal-transmission-sig',
  'x-bridge-token',
]);

const PII_KEYS = new Set([
  'email',
  'email_address',
  'payer_email',
  'given_name',
  'surname',
  'full_name',
  'name_full',
  'phone',
  'phone_number',
  'national_number',
  'address_line_1',
  'address_line_2',
  'postal_code',
  'birth_date',
  'tax_id',
]);

const SECRET_SUBSTRINGS = ['secret', 'password', 'api_key', 'apikey', 'token'];

function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  if (SECRET_KEYS.has(k)) return true;
  // keys like PAYPAL_CLIENT_SECRET or odooApiKey
  return SECRET_SUBSTRINGS.some((s) => k.includes(s)) && !k.endsWith('_id') && !k.endsWith('count');
}

export function maskEmail(value: string): string {
  const at = value.indexOf('@');
  if (at <= 0) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

function maskPii(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value === null || value === undefined ? value : '***';
  if (key.toLowerCase().includes('email')) return maskEmail(value);
  if (value.length <= 2) return '***';
  return `${value[0]}***`;
}

/** Returns a copy of `value` with secrets removed and payer personal data masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretKey(key)) out[key] = v === undefined || v === null || v === '' ? v : '[redacted]';
    else if (PII_KEYS.has(key.toLowerCase())) out[key] = maskPii(key, v);
    else if (key === 'name' && v !== null && typeof v === 'object') out[key] = redactName(v as Record<string, unknown>);
    else out[key] = redact(v, depth + 1);
  }
  return out;
}

function redactName(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[k] = typeof val === 'string' ? maskPii(k, val) : redact(val);
  return out;
}
