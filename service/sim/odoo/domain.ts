// Odoo search domains, the subset the tests use: prefix '&', '|', '!' (implicit '&' between
// terms) and leaves [field, operator, value] with =, !=, in, not in, ilike, not ilike, like,
// <, <=, >, >=, evaluated on records in `read` format (a many2one compares by its id; an x2many
// matches when any of its ids does, like Odoo's SQL joins).
import { OdooFault, validationError } from './faults.ts';
import type { OdooRecord } from './records.ts';

type Leaf = [string, string, unknown];
type Node = { op: '&' | '|'; left: Node; right: Node } | { op: '!'; node: Node } | { leaf: Leaf };

const OPERATORS = new Set(['=', '!=', 'in', 'not in', 'ilike', 'not ilike', 'like', '<', '<=', '>', '>=']);

export function compileDomain(model: string, domain: unknown): (record: OdooRecord) => boolean {
  if (domain === undefined || domain === null || domain === false) return () => true;
  if (!Array.isArray(domain)) throw validationError(`Invalid domain: ${JSON.stringify(domain)}`);
  if (domain.length === 0) return () => true;
  const items = [...domain];
  const nodes: Node[] = [];
  // Parse from the end, as Odoo's normalize_domain does, so that arity is explicit.
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item === '&' || item === '|') {
      const left = nodes.pop();
      const right = nodes.pop();
      if (!left || !right) throw validationError(`Invalid domain: '${item}' needs two terms`);
      nodes.push({ op: item, left, right });
    } else if (item === '!') {
      const node = nodes.pop();
      if (!node) throw validationError("Invalid domain: '!' needs a term");
      nodes.push({ op: '!', node });
    } else if (Array.isArray(item) && item.length === 3 && typeof item[0] === 'string' && typeof item[1] === 'string') {
      if (!OPERATORS.has(item[1])) throw validationError(`Invalid leaf ${JSON.stringify(item)}: the simulator supports ${[...OPERATORS].join(', ')}`);
      nodes.push({ leaf: [item[0], item[1], item[2]] });
    } else {
      throw validationError(`Invalid leaf ${JSON.stringify(item)}`);
    }
  }
  // Whatever is left is joined by implicit '&'.
  const root = nodes.reduceRight<Node | undefined>((acc, node) => (acc ? { op: '&', left: node, right: acc } : node), undefined);
  if (!root) return () => true;
  return (record) => evaluate(model, root, record);
}

function evaluate(model: string, node: Node, record: OdooRecord): boolean {
  if ('leaf' in node) return matchLeaf(model, node.leaf, record);
  if (node.op === '!') return !evaluate(model, node.node, record);
  if (node.op === '&') return evaluate(model, node.left, record) && evaluate(model, node.right, record);
  return evaluate(model, node.left, record) || evaluate(model, node.right, record);
}

/** The comparable values of a field: a many2one gives its id, an x2many each of its ids. */
function valuesOf(raw: unknown): unknown[] {
  if (Array.isArray(raw)) {
    if (raw.length === 2 && typeof raw[0] === 'number' && typeof raw[1] === 'string') return [raw[0]];
    return raw.length === 0 ? [false] : raw;
  }
  return [raw];
}

function matchLeaf(model: string, [field, operator, value]: Leaf, record: OdooRecord): boolean {
  if (!(field in record)) throw new OdooFault('builtins.ValueError', `Invalid field ${model}.${field} in leaf ${JSON.stringify([field, operator, value])}`);
  const values = valuesOf(record[field]);
  const test = (v: unknown): boolean => {
    switch (operator) {
      case '=':
        return equal(v, value);
      case '!=':
        return !equal(v, value);
      case 'in':
        return Array.isArray(value) && value.some((x) => equal(v, x));
      case 'not in':
        return !(Array.isArray(value) && value.some((x) => equal(v, x)));
      case 'ilike':
        return typeof v === 'string' && v.toLowerCase().includes(String(value).toLowerCase());
      case 'not ilike':
        return !(typeof v === 'string' && v.toLowerCase().includes(String(value).toLowerCase()));
      case 'like':
        return typeof v === 'string' && v.includes(String(value));
      default:
        return compare(v, value, operator);
    }
  };
  // Negative operators hold when no value matches the positive one (Odoo's x2many semantics).
  if (operator === '!=' || operator === 'not in' || operator === 'not ilike') return values.every(test);
  return values.some(test);
}

function equal(a: unknown, b: unknown): boolean {
  if ((a === false || a === null) && (b === false || b === null)) return true;
  return a === b;
}

function compare(a: unknown, b: unknown, operator: string): boolean {
  if (a === false || a === null || b === false || b === null) return false;
  if (typeof a !== typeof b) return false;
  const x = a as number | string;
  const y = b as number | string;
  if (operator === '<') return x < y;
  if (operator === '<=') return x <= y;
  if (operator === '>') return x > y;
  return x >= y;
}
