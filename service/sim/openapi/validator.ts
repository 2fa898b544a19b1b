// Validates HTTP requests and responses against PayPal's official OpenAPI 3.0 documents.
//
// Used by the PayPal simulator on every request it receives and every response it sends, and by
// tests that check what our own PayPal client sends. Schemas are compiled lazily, once per
// operation/direction/status, and cached: the first call for an operation costs a compile, later
// calls only run the compiled function.
//
// Beyond what the documents say literally, money values in responses are held to PayPal's currency
// precision (two decimals, none for HUF/JPY/TWD): the documents defer that rule to a prose page, and a
// simulator that sends "12.345 USD" must be caught. In requests the same mistake is PayPal's business
// error 422 DECIMAL_PRECISION, so it is left to the simulator to answer it.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { moneyPrecisionProblem } from './currencies.ts';
import { describeSchemaErrors } from './error-messages.ts';
import { addPayPalFormats, ensureFormat } from './formats.ts';
import { applySpecErrata } from './spec-errata.ts';
import {
  deref,
  documentUri,
  isObject,
  loadSpecDocuments,
  resolvePointer,
  transformedComponents,
  transformSchema,
  type Direction,
  type JsonObject,
  type SpecDocument,
} from './spec-documents.ts';

export interface Violation {
  where: 'request' | 'response';
  /** operationId, or `METHOD /path` when no operation matches. */
  operation: string;
  message: string;
  /** JSON pointer inside the body or parameter group the problem is about. */
  instancePath?: string;
  /** What part of the message is wrong. */
  location?: 'operation' | 'path' | 'query' | 'header' | 'body' | 'status';
  /** The JSON Schema keyword that failed (`required`, `enum`, `pattern`, …), when one did. */
  keyword?: string;
}

export interface RequestToValidate {
  method: string;
  /** Path, optionally with a query string. */
  path: string;
  headers?: Record<string, string | undefined>;
  /** Parsed JSON body; undefined when the request has none. */
  body?: unknown;
  /** Defaults to application/json. Bodies of other media types (multipart) are not checked. */
  contentType?: string;
}

export interface ResponseToValidate {
  method: string;
  path: string;
  status: number;
  /** Parsed JSON body; undefined when the response has none. */
  body?: unknown;
}

export interface OperationParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
}

export interface OperationMatch {
  operationId: string;
  pathTemplate: string;
  /** Document name, e.g. `checkout_orders_v2`. */
  doc: string;
  method: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
  parameters: OperationParameter[];
  /** Documented response status keys (`200`, `4XX`, `default`, …). */
  responses: string[];
}

export interface OpenApiValidator {
  validateRequest(request: RequestToValidate): Violation[];
  validateResponse(response: ResponseToValidate): Violation[];
  findOperation(method: string, path: string): OperationMatch | null;
  /**
   * Validates a value against a named component schema, e.g. a webhook resource against
   * (`payments_payment_v2`, `capture-2`). Uses the response direction: this is data PayPal sends.
   */
  validateSchema(doc: string, schemaName: string, value: unknown): Violation[];
  /**
   * The `details[].issue` values the document lists for an operation's error response, each with
   * the description the document pins (undefined when any text is allowed). Null when the response
   * lists no issues (any issue name is then acceptable).
   */
  documentedIssues(method: string, path: string, status: number): Map<string, string | undefined> | null;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** PayPal's OpenAPI documents, vendored beside this file (see paypal-documents/README.md). */
export function defaultSpecDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'paypal-documents');
}

interface Operation {
  doc: SpecDocument;
  method: string;
  template: string;
  operationId: string;
  raw: JsonObject;
  matcher: RegExp;
  paramNames: string[];
  literalSegments: number;
  parameters: JsonObject[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileTemplate(template: string): { matcher: RegExp; paramNames: string[]; literalSegments: number } {
  const paramNames: string[] = [];
  let literalSegments = 0;
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) {
        if (segment) literalSegments++;
        return escapeRegExp(segment);
      }
      return segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const param = /^\{([^}]+)\}$/.exec(part);
          if (!param?.[1]) return escapeRegExp(part);
          paramNames.push(param[1]);
          return '([^/]+)';
        })
        .join('');
    })
    .join('/');
  return { matcher: new RegExp(`^${source}/?$`), paramNames, literalSegments };
}

function splitPath(fullPath: string): { pathname: string; query: URLSearchParams } {
  const q = fullPath.indexOf('?');
  return q < 0 ? { pathname: fullPath, query: new URLSearchParams() } : { pathname: fullPath.slice(0, q), query: new URLSearchParams(fullPath.slice(q + 1)) };
}

function isJsonMediaType(type: string): boolean {
  const base = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return base === 'application/json' || base.endsWith('+json');
}

function jsonSchemaOf(content: unknown): unknown {
  if (!isObject(content)) return undefined;
  for (const [type, media] of Object.entries(content)) {
    if (isJsonMediaType(type) && isObject(media)) return media['schema'];
  }
  return undefined;
}

function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === '' || (isObject(body) && Object.keys(body).length === 0);
}

/** Turns a query/path/header string into the type its schema declares, as a server would. */
function coerceParameter(value: string, schema: unknown, raw: JsonObject): unknown {
  const resolved = deref(raw, schema);
  const type = isObject(resolved) ? resolved['type'] : undefined;
  if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  if (type === 'array') return value.split(',');
  return value;
}

export function createOpenApiValidator(specDir: string = defaultSpecDir()): OpenApiValidator {
  const docs = loadSpecDocuments(specDir);
  applySpecErrata(docs);

  // Without the `u` flag: several of PayPal's patterns (the e-mail grammar) are valid ECMA-262 regular
  // expressions only in non-unicode mode.
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: true, unicodeRegExp: false });
  addPayPalFormats(ajv);
  ajv.addKeyword({
    keyword: 'paypalMoneyPrecision',
    type: 'object',
    schemaType: 'boolean',
    errors: true,
    validate: function moneyPrecision(this: unknown, enabled: boolean, data: unknown): boolean {
      const self = moneyPrecision as unknown as { errors?: Partial<ErrorObject>[] };
      self.errors = [];
      if (!enabled || !isObject(data)) return true;
      const currency = data['currency_code'];
      const value = data['value'];
      if (typeof currency !== 'string' || typeof value !== 'string') return true; // `required`/`type` report these
      const problem = moneyPrecisionProblem(currency, value);
      if (!problem) return true;
      self.errors = [{ keyword: 'paypalMoneyPrecision', message: `must use PayPal's currency precision: ${problem}`, params: {} }];
      return false;
    },
  });

  const operations: Operation[] = [];
  for (const doc of docs) {
    for (const [template, item] of Object.entries(doc.raw['paths'] as JsonObject)) {
      if (!isObject(item)) continue;
      const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!isObject(op)) continue;
        const own = Array.isArray(op['parameters']) ? op['parameters'] : [];
        const merged = new Map<string, JsonObject>();
        for (const p of [...shared, ...own]) {
          const param = deref(doc.raw, p);
          if (isObject(param)) merged.set(`${String(param['in'])}:${String(param['name'])}`, param);
        }
        operations.push({
          doc,
          method: method.toUpperCase(),
          template,
          operationId: typeof op['operationId'] === 'string' ? op['operationId'] : `${method.toUpperCase()} ${template}`,
          raw: op,
          ...compileTemplate(template),
          parameters: [...merged.values()],
        });
      }
    }
  }
  // Prefer the most specific template when several match (`/webhooks-lookup` before `/{id}`).
  operations.sort((a, b) => b.literalSegments - a.literalSegments);

  const registered = new Set<string>();
  const compiled = new Map<string, ValidateFunction>();

  function transformContext(doc: SpecDocument, direction: Direction) {
    return { doc, direction, onFormat: (name: string) => ensureFormat(ajv, name) };
  }

  function ensureRegistered(doc: SpecDocument, direction: Direction): void {
    const uri = documentUri(doc.name, direction);
    if (registered.has(uri)) return;
    ajv.addSchema(transformedComponents(transformContext(doc, direction)));
    registered.add(uri);
  }

  function validatorFor(key: string, doc: SpecDocument, direction: Direction, schema: unknown): ValidateFunction {
    let fn = compiled.get(key);
    if (!fn) {
      ensureRegistered(doc, direction);
      const transformed = transformSchema(schema, transformContext(doc, direction));
      fn = ajv.compile(isObject(transformed) ? transformed : { not: {} });
      compiled.set(key, fn);
    }
    return fn;
  }

  function match(method: string, fullPath: string): { op: Operation; params: Record<string, string> } | { pathExists: string[] } {
    const { pathname } = splitPath(fullPath);
    const upper = method.toUpperCase();
    const otherMethods: string[] = [];
    for (const op of operations) {
      const m = op.matcher.exec(pathname);
      if (!m) continue;
      if (op.method !== upper) {
        otherMethods.push(op.method);
        continue;
      }
      const params: Record<string, string> = {};
      op.paramNames.forEach((name, i) => {
        const value = m[i + 1] ?? '';
        try {
          params[name] = decodeURIComponent(value);
        } catch {
          params[name] = value;
        }
      });
      return { op, params };
    }
    return { pathExists: otherMethods };
  }

  function noSuchOperation(where: 'request' | 'response', method: string, fullPath: string, otherMethods: string[]): Violation {
    const { pathname } = splitPath(fullPath);
    const hint = otherMethods.length > 0 ? ` (the path exists with ${[...new Set(otherMethods)].join(', ')})` : '';
    return {
      where,
      operation: `${method.toUpperCase()} ${pathname}`,
      location: 'operation',
      message: `no such operation in PayPal's OpenAPI documents: ${method.toUpperCase()} ${pathname}${hint}`,
    };
  }

  function schemaViolations(fn: ValidateFunction, value: unknown, base: Omit<Violation, 'message'>, label: string): Violation[] {
    if (fn(value)) return [];
    return describeSchemaErrors(fn.errors ?? []).map((p) => ({
      ...base,
      instancePath: p.instancePath,
      keyword: p.keyword,
      message: `${base.operation}: ${label}${p.instancePath ? ` ${p.instancePath}` : ''} ${p.message}`,
    }));
  }

  function validateParameters(op: Operation, params: Record<string, string>, query: URLSearchParams, headers: Record<string, string | undefined>): Violation[] {
    const violations: Violation[] = [];
    const lowerHeaders = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    for (const param of op.parameters) {
      const name = String(param['name']);
      const location = param['in'];
      let value: string | undefined;
      if (location === 'path') value = params[name];
      else if (location === 'query') value = query.get(name) ?? undefined;
      else if (location === 'header') value = lowerHeaders.get(name.toLowerCase());
      else continue;
      const where = location as 'path' | 'query' | 'header';
      if (value === undefined) {
        if (param['required'] === true) {
          violations.push({ where: 'request', operation: op.operationId, location: where, keyword: 'required', instancePath: `/${name}`, message: `${op.operationId}: required ${where} parameter "${name}" is missing` });
        }
        continue;
      }
      if (param['schema'] === undefined) continue;
      const fn = validatorFor(`${op.doc.name}|${op.method} ${op.template}|param|${where}:${name}`, op.doc, 'request', param['schema']);
      violations.push(...schemaViolations(fn, coerceParameter(value, param['schema'], op.doc.raw), { where: 'request', operation: op.operationId, location: where }, `${where} parameter "${name}"`).map((v) => ({ ...v, instancePath: `/${name}${v.instancePath ?? ''}` })));
    }
    return violations;
  }

  function responseFor(op: Operation, status: number): { key: string; response: JsonObject } | null {
    const responses = isObject(op.raw['responses']) ? op.raw['responses'] : {};
    const candidates = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'];
    for (const key of candidates) {
      if (key in responses) {
        const response = deref(op.doc.raw, responses[key]);
        return isObject(response) ? { key, response } : null;
      }
    }
    return null;
  }

  return {
    findOperation(method, fullPath) {
      const found = match(method, fullPath);
      if (!('op' in found)) return null;
      const { op, params } = found;
      return {
        operationId: op.operationId,
        pathTemplate: op.template,
        doc: op.doc.name,
        method: op.method,
        params,
        parameters: op.parameters.map((p) => ({ name: String(p['name']), in: p['in'] as OperationParameter['in'], required: p['required'] === true })),
        responses: Object.keys(isObject(op.raw['responses']) ? op.raw['responses'] : {}),
      };
    },

    validateRequest(request) {
      const found = match(request.method, request.path);
      if (!('op' in found)) return [noSuchOperation('request', request.method, request.path, found.pathExists)];
      const { op, params } = found;
      const { query } = splitPath(request.path);
      const violations = validateParameters(op, params, query, request.headers ?? {});

      const requestBody = deref(op.doc.raw, op.raw['requestBody']);
      const contentType = request.contentType ?? 'application/json';
      if (!isObject(requestBody)) {
        if (!isEmptyBody(request.body)) {
          violations.push({ where: 'request', operation: op.operationId, location: 'body', message: `${op.operationId}: this operation takes no request body, got ${JSON.stringify(request.body)?.slice(0, 120)}` });
        }
        return violations;
      }
      if (request.body === undefined || request.body === '') {
        if (requestBody['required'] === true) {
          violations.push({ where: 'request', operation: op.operationId, location: 'body', keyword: 'required', message: `${op.operationId}: a JSON request body is required` });
        }
        return violations;
      }
      if (!isJsonMediaType(contentType)) return violations;
      const schema = jsonSchemaOf(requestBody['content']);
      if (schema === undefined) return violations;
      const fn = validatorFor(`${op.doc.name}|${op.method} ${op.template}|request-body`, op.doc, 'request', schema);
      violations.push(...schemaViolations(fn, request.body, { where: 'request', operation: op.operationId, location: 'body' }, 'request body'));
      return violations;
    },

    validateResponse(response) {
      const found = match(response.method, response.path);
      if (!('op' in found)) return [noSuchOperation('response', response.method, response.path, found.pathExists)];
      const { op } = found;
      const documented = responseFor(op, response.status);
      if (!documented) {
        const listed = Object.keys(isObject(op.raw['responses']) ? op.raw['responses'] : {}).join(', ');
        return [{ where: 'response', operation: op.operationId, location: 'status', message: `${op.operationId}: status ${response.status} is not documented (documented: ${listed})` }];
      }
      const schema = jsonSchemaOf(documented.response['content']);
      if (schema === undefined) {
        if (response.body === undefined || response.body === '') return [];
        return [{ where: 'response', operation: op.operationId, location: 'body', message: `${op.operationId}: status ${response.status} is documented without a body, but one was sent: ${JSON.stringify(response.body)?.slice(0, 120)}` }];
      }
      if (response.body === undefined || response.body === '') {
        return [{ where: 'response', operation: op.operationId, location: 'body', message: `${op.operationId}: status ${response.status} must carry a JSON body` }];
      }
      const fn = validatorFor(`${op.doc.name}|${op.method} ${op.template}|response|${documented.key}`, op.doc, 'response', schema);
      return schemaViolations(fn, response.body, { where: 'response', operation: op.operationId, location: 'body' }, `${response.status} response body`);
    },

    validateSchema(docName, schemaName, value) {
      const doc = docs.find((d) => d.name === docName);
      if (!doc) throw new Error(`No OpenAPI document named ${docName}; loaded: ${docs.map((d) => d.name).join(', ')}.`);
      const ref = `#/components/schemas/${schemaName}`;
      resolvePointer(doc.raw, ref); // throws a clear error for a wrong schema name
      const fn = validatorFor(`${doc.name}|schema|${schemaName}`, doc, 'response', { $ref: ref });
      return schemaViolations(fn, value, { where: 'response', operation: `${docName}#${schemaName}`, location: 'body' }, schemaName);
    },

    documentedIssues(method, fullPath, status) {
      const found = match(method, fullPath);
      if (!('op' in found)) return null;
      const documented = responseFor(found.op, status);
      if (!documented) return null;
      const raw = found.op.doc.raw;
      const schema = deref(raw, jsonSchemaOf(documented.response['content']));
      const parts = isObject(schema) && Array.isArray(schema['allOf']) ? schema['allOf'].map((p) => deref(raw, p)) : [schema];
      let issues: Map<string, string | undefined> | null = null;
      for (const part of parts) {
        if (!isObject(part) || !isObject(part['properties'])) continue;
        const details = part['properties']['details'];
        const items = isObject(details) ? deref(raw, details['items']) : undefined;
        const branches = isObject(items) ? items['anyOf'] : undefined;
        if (!Array.isArray(branches)) continue;
        issues ??= new Map();
        for (const branch of branches) {
          if (!isObject(branch) || !isObject(branch['properties'])) continue;
          const issue = branch['properties']['issue'];
          const description = branch['properties']['description'];
          const name = isObject(issue) && Array.isArray(issue['enum']) ? issue['enum'][0] : undefined;
          const text = isObject(description) && Array.isArray(description['enum']) ? description['enum'][0] : undefined;
          if (typeof name === 'string') issues.set(name, typeof text === 'string' ? text : undefined);
        }
      }
      return issues;
    },
  };
}
