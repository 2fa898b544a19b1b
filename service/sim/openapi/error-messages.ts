// Turns ajv's error list into a few sentences a developer can act on. ajv reports every failed branch
// of an anyOf/oneOf separately (PayPal's 422 responses list ~100 alternatives), which drowns the one
// fact that matters; here each such group becomes one line naming the documented alternatives and
// the value that matched none of them.
import type { ErrorObject } from 'ajv';
import { isObject } from './spec-documents.ts';

export interface SchemaProblem {
  instancePath: string;
  keyword: string;
  message: string;
}

const MAX_PROBLEMS = 8;
const MAX_LISTED = 15;

function preview(value: unknown, max = 120): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function listOf(items: readonly unknown[]): string {
  const shown = items.slice(0, MAX_LISTED).map((i) => (typeof i === 'string' ? i : preview(i, 40)));
  return items.length > MAX_LISTED ? `${shown.join(', ')}, … (${items.length} in all)` : shown.join(', ');
}

function branchName(branch: unknown): string {
  if (!isObject(branch)) return preview(branch, 40);
  if (typeof branch['title'] === 'string') return branch['title'];
  if (typeof branch['$ref'] === 'string') return branch['$ref'].split('/').pop() ?? branch['$ref'];
  return preview(branch, 40);
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${listOf((params['allowedValues'] as unknown[]) ?? [])} (got ${preview(error.data)})`;
    case 'anyOf':
    case 'oneOf': {
      const branches = isObject(error.parentSchema) ? error.parentSchema[error.keyword] : undefined;
      const names = Array.isArray(branches) ? branches.map(branchName) : [];
      if (error.keyword === 'oneOf' && Array.isArray(params['passingSchemas'])) {
        return `matches more than one of the alternatives ${listOf(names)} (got ${preview(error.data)})`;
      }
      return `must match one of the documented alternatives: ${listOf(names)} (got ${preview(error.data)})`;
    }
    case 'required':
    case 'additionalProperties':
    case 'type':
      return `${error.message ?? error.keyword}${error.keyword === 'type' ? ` (got ${preview(error.data)})` : ''}`;
    default:
      return `${error.message ?? error.keyword} (got ${preview(error.data)})`;
  }
}

function within(instancePath: string, ancestor: string): boolean {
  return instancePath === ancestor || instancePath.startsWith(`${ancestor}/`);
}

export function describeSchemaErrors(errors: readonly ErrorObject[]): SchemaProblem[] {
  // ajv leaves the errors of every failed anyOf/oneOf alternative in the list, immediately before
  // the group's own error, all at or below the group's instance path. The group error says it all,
  // so those are dropped. (schemaPath cannot tell them apart: it restarts at every $ref.)
  const dropped = new Set<number>();
  errors.forEach((error, index) => {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') return;
    for (let i = index - 1; i >= 0; i--) {
      const earlier = errors[i];
      if (!earlier || !within(earlier.instancePath, error.instancePath)) break;
      dropped.add(i);
    }
  });
  // A failed `if` is reported by its then/else error.
  const useful = errors.filter((e, i) => !dropped.has(i) && e.keyword !== 'if');
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of useful) {
    const message = describe(error);
    const key = `${error.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ instancePath: error.instancePath, keyword: error.keyword, message });
  }
  if (problems.length > MAX_PROBLEMS) {
    const rest = problems.length - MAX_PROBLEMS;
    const head = problems.slice(0, MAX_PROBLEMS);
    const last = head[head.length - 1];
    if (last) last.message += ` (and ${rest} more problem${rest === 1 ? '' : 's'})`;
    return head;
  }
  return problems;
}
