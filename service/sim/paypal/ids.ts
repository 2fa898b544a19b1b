// Identifiers shaped like PayPal's, so they pass the patterns of the OpenAPI documents and the
// checks our own code applies (order and capture ids: 17 upper-case letters and digits).
import { randomInt, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// PayPal account ids (`account_id`: ^[2-9A-HJ-NP-Z]{13}$) avoid 0, 1, I and O.
const ACCOUNT_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

function randomString(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Orders, captures, authorizations, refunds, webhooks: 17 characters. */
export function resourceId(): string {
  return randomString(17, UPPER_ALNUM);
}

export function accountId(): string {
  return randomString(13, ACCOUNT_ALPHABET);
}

export function eventId(): string {
  return `WH-${resourceId()}-${resourceId()}`;
}

export function disputeId(): string {
  return `PP-D-${randomInt(10_000, 1_000_000)}`;
}

export function debugId(): string {
  return randomString(13, '0123456789abcdef');
}

export function accessToken(): string {
  return `A21AA${randomString(92, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`;
}

export function appId(): string {
  return `APP-${resourceId()}`;
}

export function transmissionId(): string {
  return randomUUID();
}
