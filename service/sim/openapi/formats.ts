// The string formats PayPal's OpenAPI documents use. Most are PayPal-specific names
// (`ppaas_common_currency_code_v2`, `ppaas_date_time_v3`, …) whose meaning the documents give only in
// prose; each rule below states that meaning as a check. `uri`, `date-time` and `binary` come from
// ajv-formats. A format name not listed here is accepted as an annotation (see `ensureFormat`).
import type { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const RFC3339_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const PAYPAL_FORMATS: Record<string, RegExp | ((value: string) => boolean)> = {
  // ISO-4217 shape; whether PayPal supports the currency is business validation (422), not syntax.
  ppaas_common_currency_code_v2: /^[A-Z]{3}$/,
  // ISO-3166 alpha-2, plus PayPal's `C2` for China worldwide.
  ppaas_common_country_code_v2: /^([A-Z]{2}|C2)$/,
  ppaas_date_time_v3: (value) => RFC3339_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value.toUpperCase())),
  ppaas_date_notime_v2: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  ppaas_payer_id_v3: /^[2-9A-HJ-NP-Z]{13}$/,
  // The documents pin the exact grammar with a `pattern` next to these; the format only asks for an @.
  ppaas_common_email_address_v2: /^[^@\s]+@[^@\s]+$/,
  merchant_common_email_address_v2: /^[^@\s]+@[^@\s]+$/,
  ppaas_common_language_v3: /^[a-z]{2}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$/,
  ppaas_ip_address_v1: (value) => /^(\d{1,3}\.){3}\d{1,3}$/.test(value) || /^[0-9a-fA-F:]+$/.test(value),
  ppaas_common_percentage_v2: /^((-?\d+)|(-?(\d+)?[.]\d+))$/,
};

export function addPayPalFormats(ajv: Ajv): void {
  addFormats(ajv, ['uri', 'date-time', 'binary']);
  for (const [name, rule] of Object.entries(PAYPAL_FORMATS)) {
    ajv.addFormat(name, typeof rule === 'function' ? { type: 'string', validate: rule } : rule);
  }
}

/**
 * Makes an unknown format name an annotation instead of a compile error. The documents use a few
 * names that carry no checkable meaning (`payer_v1` on an object schema).
 */
export function ensureFormat(ajv: Ajv, name: string): void {
  if (!(name in ajv.formats)) ajv.addFormat(name, true);
}
