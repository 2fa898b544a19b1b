// Loading PayPal's OpenAPI 3.0 documents and turning their schemas into JSON Schema that ajv can
// compile, once for requests and once for responses.
//
// OpenAPI 3.0 schemas are "an extended subset" of JSON Schema draft 5/7. The differences handled here:
// - `$ref` points into the same document (`#/components/schemas/x`). Each document's schemas are
//   registered with ajv under one URI per direction, and every local `$ref` is rewritten to that URI,
//   so a schema compiled on its own still resolves its references.
// - `nullable: true` means the value may also be null.
// - `readOnly` properties are sent by the server only: a request must not be required to carry them.
//   `writeOnly` properties are sent by the client only: a response must not be required to carry
//   them. Required lists are filtered per direction, also when the property is declared in another
//   branch of the same `allOf`.
// - `discriminator`, `example`, `deprecated`, `externalDocs`, `xml` and `x-*` extensions are
//   annotations; they are dropped.
// - Responses additionally get `paypalMoneyPrecision` on every money object (see currencies.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';

export type JsonObject = { [key: string]: unknown };
export type Direction = 'request' | 'response';

export interface SpecDocument {
  /** File name without `.json`, e.g. `payments_payment_v2`. */
  name: string;
  file: string;
  raw: JsonObject;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function loadSpecDocuments(dir: string): SpecDocument[] {
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    throw new Error(`Cannot read the PayPal OpenAPI documents in ${dir}: ${(err as Error).message}. The project carries them in service/sim/openapi/paypal-documents/.`);
  }
  if (files.length === 0) throw new Error(`No OpenAPI documents (*.json) in ${dir}.`);
  return files.map((file) => {
    const full = path.join(dir, file);
    const raw: unknown = JSON.parse(fs.readFileSync(full, 'utf8'));
    if (!isObject(raw) || typeof raw['openapi'] !== 'string' || !raw['openapi'].startsWith('3.0') || !isObject(raw['paths'])) {
      throw new Error(`${full} is not an OpenAPI 3.0 document (expected "openapi": "3.0.x" and "paths").`);
    }
    return { name: file.replace(/\.json$/, ''), file: full, raw };
  });
}

/** The URI under which a document's transformed components are registered with ajv. */
export function documentUri(doc: string, direction: Direction): string {
  return `https://paypal-openapi.invalid/${doc}/${direction}.json`;
}

/** Follows a local `$ref` (`#/a/b`) inside `raw`. */
export function resolvePointer(raw: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`Only same-document references are supported, got "${ref}".`);
  let node: unknown = raw;
  for (const part of ref.slice(2).split('/')) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !(key in node)) throw new Error(`Unresolvable reference "${ref}".`);
    node = node[key];
  }
  return node;
}

/** Follows `$ref` chains of OpenAPI objects (parameters, request bodies, responses). */
export function deref(raw: JsonObject, value: unknown): unknown {
  let node = value;
  for (let hops = 0; isObject(node) && typeof node['$ref'] === 'string'; hops++) {
    if (hops > 20) throw new Error(`Reference cycle at ${String(node['$ref'])}.`);
    node = resolvePointer(raw, node['$ref']);
  }
  return node;
}

const ANNOTATIONS = new Set(['discriminator', 'example', 'examples', 'deprecated', 'externalDocs', 'xml', 'nullable', 'readOnly', 'writeOnly']);

export interface TransformContext {
  doc: SpecDocument;
  direction: Direction;
  /** Called for every `format` name met, so unknown ones can be registered as annotations. */
  onFormat(name: string): void;
}

/** Whether the schema (or what its `$ref` chain points to) carries `flag: true`. */
function hasFlag(raw: JsonObject, schema: unknown, flag: 'readOnly' | 'writeOnly'): boolean {
  let node = schema;
  for (let hops = 0; isObject(node) && hops < 20; hops++) {
    if (node[flag] === true) return true;
    if (typeof node['$ref'] !== 'string') return false;
    node = resolvePointer(raw, node['$ref']);
  }
  return false;
}

/** Properties declared by a schema, including those of its `allOf` branches. */
function collectProperties(raw: JsonObject, schema: unknown, into = new Map<string, unknown>(), seen = new Set<unknown>()): Map<string, unknown> {
  const node = deref(raw, schema);
  if (!isObject(node) || seen.has(node)) return into;
  seen.add(node);
  if (isObject(node['properties'])) {
    for (const [name, prop] of Object.entries(node['properties'])) if (!into.has(name)) into.set(name, prop);
  }
  if (Array.isArray(node['allOf'])) for (const branch of node['allOf']) collectProperties(raw, branch, into, seen);
  return into;
}

function isMoneyShape(schema: JsonObject): boolean {
  const props = schema['properties'];
  const required = schema['required'];
  return isObject(props) && 'currency_code' in props && 'value' in props && Array.isArray(required) && required.includes('currency_code') && required.includes('value');
}

/**
 * Returns a JSON Schema copy of an OpenAPI schema for one direction. `siblingProperties` are the
 * properties declared elsewhere in the enclosing `allOf`, so that a `required` list in one branch
 * can see that a property of another branch is read-only.
 */
export function transformSchema(schema: unknown, ctx: TransformContext, siblingProperties?: Map<string, unknown>): unknown {
  if (!isObject(schema)) return schema;
  const raw = ctx.doc.raw;
  const out: JsonObject = {};
  const ownProperties = Array.isArray(schema['allOf']) || siblingProperties ? collectProperties(raw, schema) : undefined;
  if (ownProperties && siblingProperties) for (const [k, v] of siblingProperties) if (!ownProperties.has(k)) ownProperties.set(k, v);

  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    switch (key) {
      case '$ref':
        out[key] = typeof value === 'string' && value.startsWith('#') ? documentUri(ctx.doc.name, ctx.direction) + value : value;
        break;
      case 'properties':
      case 'patternProperties':
        out[key] = isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, transformSchema(v, ctx)])) : value;
        break;
      case 'allOf':
        out[key] = Array.isArray(value) ? value.map((v) => transformSchema(v, ctx, ownProperties)) : value;
        break;
      case 'anyOf':
      case 'oneOf':
        out[key] = Array.isArray(value) ? value.map((v) => transformSchema(v, ctx)) : value;
        break;
      case 'items':
      case 'not':
      case 'additionalProperties':
        out[key] = isObject(value) ? transformSchema(value, ctx) : value;
        break;
      case 'required': {
        if (!Array.isArray(value)) break;
        const hidden = ctx.direction === 'request' ? 'readOnly' : 'writeOnly';
        const props = ownProperties ?? (isObject(schema['properties']) ? new Map(Object.entries(schema['properties'])) : new Map<string, unknown>());
        const kept = value.filter((name) => typeof name !== 'string' || !props.has(name) || !hasFlag(raw, props.get(name), hidden));
        if (kept.length > 0) out[key] = kept;
        break;
      }
      case 'format':
        if (typeof value === 'string') ctx.onFormat(value);
        out[key] = value;
        break;
      default:
        out[key] = value;
    }
  }

  if (ctx.direction === 'response' && isMoneyShape(schema)) out['paypalMoneyPrecision'] = true;

  if (schema['nullable'] === true) {
    if (typeof out['type'] === 'string' && !('$ref' in out)) {
      out['type'] = [out['type'], 'null'];
      if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

/** All component schemas of a document, transformed, wrapped so ajv can register them under one URI. */
export function transformedComponents(ctx: TransformContext): JsonObject {
  const components = ctx.doc.raw['components'];
  const schemas = isObject(components) && isObject(components['schemas']) ? components['schemas'] : {};
  return {
    $id: documentUri(ctx.doc.name, ctx.direction),
    components: { schemas: Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, transformSchema(s, ctx)])) },
  };
}
