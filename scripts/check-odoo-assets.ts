// The post-build check of the addon's JavaScript: rejects every construct that Odoo 18's asset
// transpiler (odoo/tools/js_transpiler.py, regular expressions anchored at line starts, no parser)
// would break, with the file, the line and what to do instead. See addon_static/README.md,
// "Odoo 18's asset transpiler", for how each construct fails in Odoo.
//
//   node scripts/check-odoo-assets.ts [file-or-folder …]   (default: the addon's static/src)
//
// scripts/build-addon.ts runs it on everything it writes and fails the build on any problem.
// This is our own lexer-based check, not Odoo's transpiler: it reads the code the way the
// transpiler's line-anchored rules will see it (strings, comments, template literals and regular
// expressions are told apart from code, so their text neither triggers nor hides a rule).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export type RuleId =
  | 'not-at-line-start'
  | 'several-statements-on-line'
  | 'minified-line'
  | 'export-as-default'
  | 'export-star-as'
  | 'dynamic-import'
  | 'import-meta'
  | 'top-level-await'
  | 'dollar-in-module-binding'
  | 'require-text'
  | 'statement-in-template-literal'
  | 'statement-in-comment'
  | 'export-several-declarators'
  | 'export-destructuring'
  | 'export-generator'
  | 'import-attributes'
  | 're-export-twice'
  | 'unsupported-export'
  | 'unreadable-javascript';

export interface AssetProblem {
  file: string;
  line: number;
  column: number;
  rule: RuleId;
  message: string;
}

/** Longer lines are taken for minified code (esbuild's readable output stays far below). */
export const MAX_LINE_LENGTH = 1000;

const WHY: Record<RuleId, string> = {
  'not-at-line-start':
    "Odoo 18's transpiler only rewrites import/export statements that begin a line; this one would stay an ES module statement inside a classic script and the whole asset bundle would fail to parse (SyntaxError), taking every module of the bundle down. Put each import/export statement at the start of its own line (do not minify).",
  'several-statements-on-line':
    "another statement follows an import/export statement on the same line, which is what minified code looks like; Odoo's line-based rewrite then mangles or misses it. Put each statement on its own line (do not minify).",
  'minified-line': `a line longer than ${MAX_LINE_LENGTH} characters looks minified; Odoo's transpiler needs one statement per line. Build with minify: false (Odoo minifies bundles itself in production).`,
  'export-as-default':
    'Odoo turns `export { x as default }` into `__exports.default` (a plain string key), not its default-export symbol, so `import X from` this module gives undefined (and `default` named inside braces on an import is the same mismatch). Use a named export, or a real `export default <expression>` statement.',
  'export-star-as': "`export * as ns from` is not understood by Odoo 18's transpiler and leaves a SyntaxError in the bundle. Import the namespace (`import * as ns from …`) and export it with `export { ns }`.",
  'dynamic-import':
    "dynamic `import()` is left as a native import: in the browser there is no import map, so a specifier like `@web/…` fails at run time. Use loadBundle/loadJS/LazyComponent from @web/core/assets, or a static import.",
  'import-meta': '`import.meta` only exists in ES modules; Odoo runs modules as classic functions, so this is a SyntaxError for the whole bundle.',
  'top-level-await':
    "Odoo wraps each module in a plain (non-async) function, so a top-level `await` is a SyntaxError for the whole bundle. Move it into an async function (e.g. a service's start, or onWillStart).",
  'dollar-in-module-binding':
    "Odoo 18.0's transpiler matches imported and exported names with \\w+, which has no `$` (fixed only in later 18.0 patches), so this binding is not rewritten. Rename it without `$`.",
  'require-text':
    "Odoo's transpiler takes any `require(\"…\")` text (even inside a string, or esbuild's CommonJS shim `__require`) for a module dependency; the module then waits forever for a module that does not exist and never starts. Remove the CommonJS code (bundle the package's ES module build) or the text.",
  'statement-in-template-literal':
    "a line inside a template literal (e.g. an inline xml template) starts with import/export: Odoo's line-based transpiler rewrites it as a real statement and adds a dependency, so the module never starts. Reword or indent the text so that the line does not start with import/export.",
  'statement-in-comment':
    "a line inside a block comment starts with import/export: Odoo's line-based transpiler rewrites it as a real statement and may add a dependency, so the module never starts. Reword the comment.",
  'export-several-declarators': "Odoo rewrites only the first name of `export let a = 0, b = 1`; the others are silently not exported. Export each declaration on its own statement.",
  'export-destructuring': '`export const { a } = …` / `export const [a] = …` is not understood by Odoo 18\'s transpiler (SyntaxError for the whole bundle). Declare the names, then `export { a, b }`.',
  'export-generator': "exported generator functions (`export function*`, `export async function*`) are not understood by Odoo 18's transpiler (SyntaxError for the whole bundle). Declare the generator, then `export { name }`.",
  'import-attributes': "import attributes (`with { type: \"json\" }` / `assert { … }`) are not understood by Odoo 18's transpiler (SyntaxError for the whole bundle). Inline the data instead.",
  're-export-twice': 'Odoo rewrites `export { a as x, a } from "…"` into `const { a, a } = require(…)`, a SyntaxError for the whole bundle. Import the binding once, then export it under both names.',
  'unreadable-javascript': 'the file could not be read as JavaScript, so nothing else could be checked; fix the build output before shipping it.',
  'unsupported-export': "this export form is not one Odoo 18's transpiler rewrites (export function/async function/class/const/let/var, export { … }, export { … } from, export * from, export default). Use one of those.",
};

// ---------------------------------------------------------------------------------------------
// Lexer

type TokenType = 'word' | 'number' | 'string' | 'template' | 'regex' | 'punct';

interface Token {
  type: TokenType;
  value: string;
  line: number;
  column: number;
  /** The first token of its line. */
  first: boolean;
}

interface LexResult {
  tokens: Token[];
  /** Lines (1-based) that begin inside a template literal's text, with that text. */
  templateLines: { line: number; text: string }[];
  /** Lines that begin inside a block comment, with that text. */
  commentLines: { line: number; text: string }[];
}

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
];

/** After these words a `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);

function isIdentifierStart(ch: string): boolean {
  return /[A-Za-z_$#\u0080-\uffff]/.test(ch);
}

function isIdentifierPart(ch: string): boolean {
  return /[\w$\u0080-\uffff]/.test(ch);
}

class LexError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

function lex(source: string): LexResult {
  const tokens: Token[] = [];
  const templateLines: { line: number; text: string }[] = [];
  const commentLines: { line: number; text: string }[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let lastLineWithToken = 0;
  // Brace depth of each `${` whose template text resumes at its closing brace.
  const templateResume: number[] = [];
  let braceDepth = 0;

  const column = (at: number) => at - lineStart + 1;
  const newline = (at: number) => {
    line += 1;
    lineStart = at + 1;
  };
  // A token is first on its line when nothing (no token, no comment) precedes it there: the
  // transpiler's rules match `^\s*import`. Multi-line tokens and comments count on their last line too.
  const push = (type: TokenType, value: string, startLine: number, startColumn: number) => {
    tokens.push({ type, value, line: startLine, column: startColumn, first: lastLineWithToken !== startLine });
    lastLineWithToken = line;
  };
  const restOfLine = (from: number, stopAt: (j: number) => boolean): string => {
    let j = from;
    while (j < source.length && source[j] !== '\n' && !stopAt(j)) j++;
    return source.slice(from, j);
  };

  /** Scans template text from `i` (just after ` or }) up to `${` or the closing backtick. */
  const scanTemplateText = (startLine: number, startColumn: number, start: number) => {
    while (i < source.length) {
      const ch = source[i];
      if (ch === '\\') {
        i += 2;
        if (source[i - 1] === '\n') {
          newline(i - 1);
          templateLines.push({ line, text: restOfLine(i, (j) => source[j] === '`' || (source[j] === '$' && source[j + 1] === '{')) });
        }
        continue;
      }
      if (ch === '`') {
        i++;
        push('template', source.slice(start, i), startLine, startColumn);
        return;
      }
      if (ch === '$' && source[i + 1] === '{') {
        i += 2;
        push('template', source.slice(start, i), startLine, startColumn);
        templateResume.push(braceDepth);
        braceDepth++;
        return;
      }
      if (ch === '\n') {
        newline(i);
        i++;
        templateLines.push({ line, text: restOfLine(i, (j) => source[j] === '`' || (source[j] === '$' && source[j + 1] === '{')) });
        continue;
      }
      i++;
    }
    throw new LexError('unterminated template literal', startLine, startColumn);
  };

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === 'number' || prev.type === 'string' || prev.type === 'regex') return false;
    if (prev.type === 'template') return prev.value.endsWith('${');
    if (prev.type === 'word') return REGEX_AFTER_WORDS.has(prev.value);
    return prev.value !== ')' && prev.value !== ']' && prev.value !== '}';
  };

  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '\n') {
      newline(i);
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const startLine = line;
    const startColumn = column(i);
    const start = i;
    if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && source[i + 1] === '*') {
      i += 2;
      while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) {
        if (source[i] === '\n') {
          newline(i);
          commentLines.push({ line, text: restOfLine(i + 1, (j) => source[j] === '*' && source[j + 1] === '/') });
        }
        i++;
      }
      if (i >= source.length) throw new LexError('unterminated block comment', startLine, startColumn);
      i += 2;
      lastLineWithToken = line;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i++;
      while (i < source.length && source[i] !== ch) {
        if (source[i] === '\\') {
          if (source[i + 1] === '\n') newline(i + 1);
          i++;
        } else if (source[i] === '\n') {
          throw new LexError('unterminated string literal', startLine, startColumn);
        }
        i++;
      }
      if (i >= source.length) throw new LexError('unterminated string literal', startLine, startColumn);
      i++;
      push('string', source.slice(start, i), startLine, startColumn);
      continue;
    }
    if (ch === '`') {
      i++;
      scanTemplateText(startLine, startColumn, start);
      continue;
    }
    if (ch === '}' && templateResume.length > 0 && templateResume[templateResume.length - 1] === braceDepth - 1) {
      templateResume.pop();
      braceDepth--;
      i++;
      scanTemplateText(startLine, startColumn, start);
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      i++;
      while (i < source.length && /[\w.]/.test(source[i] as string)) {
        // An exponent sign: 1e-7.
        if (/[eE]/.test(source[i] as string) && /[+-]/.test(source[i + 1] ?? '') && !/^0[xX]/.test(source.slice(start, i))) i++;
        i++;
      }
      push('number', source.slice(start, i), startLine, startColumn);
      continue;
    }
    if (isIdentifierStart(ch) || (ch === '\\' && source[i + 1] === 'u')) {
      i++;
      while (i < source.length && (isIdentifierPart(source[i] as string) || (source[i] === '\\' && source[i + 1] === 'u'))) i++;
      push('word', source.slice(start, i), startLine, startColumn);
      continue;
    }
    if (ch === '/' && regexAllowed()) {
      i++;
      let inClass = false;
      while (i < source.length) {
        const c = source[i];
        if (c === '\n') throw new LexError('unterminated regular expression', startLine, startColumn);
        if (c === '\\') i++;
        else if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
        i++;
      }
      i++;
      while (i < source.length && isIdentifierPart(source[i] as string)) i++;
      push('regex', source.slice(start, i), startLine, startColumn);
      continue;
    }
    const punct = PUNCTUATORS.find((p) => source.startsWith(p, i)) ?? ch;
    i += punct.length;
    if (punct === '{') braceDepth++;
    if (punct === '}') braceDepth--;
    push('punct', punct, startLine, startColumn);
  }
  if (templateResume.length > 0) throw new LexError('unterminated template literal substitution', line, column(i));
  return { tokens, templateLines, commentLines };
}

// ---------------------------------------------------------------------------------------------
// Rules

const isPunct = (t: Token | undefined, value: string): boolean => t?.type === 'punct' && t.value === value;
const isWord = (t: Token | undefined, value: string): boolean => t?.type === 'word' && t.value === value;

const CONTROL_KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with']);

/** Indexes of the `await` tokens outside every function body (top-level awaits). */
function topLevelAwaits(tokens: Token[]): number[] {
  const found: number[] = [];
  // Open brackets, each marked when it is a function body.
  const stack: { fn: boolean }[] = [];
  // For each open `(`: the index of the token before it, to tell `if (…) {` from `f(…) {`.
  const parenOpeners: number[] = [];
  // For each `)` index: the token before its `(`.
  const beforeParen = new Map<number, number>();
  // Arrow functions with an expression body: the bracket depth at which each body started; the
  // body ends with a `,` or `;` at that depth or when its enclosing bracket closes.
  const arrowBodies: number[] = [];
  const inFunction = () => arrowBodies.length > 0 || stack.some((s) => s.fn);
  const closeArrows = (depth: number) => {
    while (arrowBodies.length > 0 && (arrowBodies[arrowBodies.length - 1] as number) >= depth) arrowBodies.pop();
  };

  tokens.forEach((t, index) => {
    const prev = tokens[index - 1];
    if (t.type === 'template') {
      if (t.value.startsWith('}')) {
        stack.pop();
        closeArrows(stack.length + 1);
      }
      if (t.value.endsWith('${')) stack.push({ fn: false });
      return;
    }
    if (t.type === 'punct') {
      switch (t.value) {
        case '(':
          parenOpeners.push(index - 1);
          stack.push({ fn: false });
          return;
        case '[':
          stack.push({ fn: false });
          return;
        case '{': {
          let fn = isPunct(prev, '=>');
          if (isPunct(prev, ')')) {
            // `) {` opens a function body (function, method, getter), unless it follows a control
            // statement's condition: if/for/while/switch/catch/with (…) { and for await (…) {.
            const before = tokens[beforeParen.get(index - 1) ?? -1];
            const control = before?.type === 'word' && (CONTROL_KEYWORDS.has(before.value) || (before.value === 'await' && isWord(tokens[(beforeParen.get(index - 1) ?? 0) - 1], 'for')));
            fn = !control;
          }
          stack.push({ fn });
          return;
        }
        case ')':
          beforeParen.set(index, parenOpeners.pop() ?? -1);
          stack.pop();
          closeArrows(stack.length + 1);
          return;
        case ']':
        case '}':
          stack.pop();
          closeArrows(stack.length + 1);
          return;
        case ',':
        case ';':
          closeArrows(stack.length);
          return;
        case '=>':
          if (!isPunct(tokens[index + 1], '{')) arrowBodies.push(stack.length);
          return;
        default:
          return;
      }
    }
    if (isWord(t, 'await') && !isPunct(prev, '.') && !isPunct(prev, '?.') && !isPunct(tokens[index + 1], ':') && !inFunction()) found.push(index);
  });
  return found;
}

interface Checker {
  tokens: Token[];
  report(rule: RuleId, line: number, column: number, what: string): void;
}

/** The index after the module specifier of an import/export starting at `index`, or -1. */
function specifierEnd(tokens: Token[], index: number): number {
  for (let j = index + 1; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (t.type === 'string') return j + 1;
    if (isPunct(t, ';')) return -1;
  }
  return -1;
}

/** Checks what follows a module specifier: import attributes, then another statement on the line. */
function checkStatementTail(c: Checker, statement: Token, after: number): void {
  const { tokens } = c;
  let j = after;
  const next = tokens[j];
  if (next && !next.first && (isWord(next, 'with') || isWord(next, 'assert')) && isPunct(tokens[j + 1], '{')) {
    c.report('import-attributes', next.line, next.column, `\`${next.value} { … }\` after a module specifier`);
    while (j < tokens.length && !isPunct(tokens[j], '}')) j++;
    j++;
  }
  if (isPunct(tokens[j], ';')) j++;
  const following = tokens[j];
  if (following && following.line === statement.line) {
    c.report('several-statements-on-line', following.line, following.column, `\`${following.value}\` follows an ${statement.value} statement on line ${statement.line}`);
  }
}

/** Reads `{ a, b as c }` from the `{` at `open`; returns the specifiers and the index after `}`. */
function readBraces(tokens: Token[], open: number): { specs: { local: Token; exported: Token }[]; end: number } {
  const specs: { local: Token; exported: Token }[] = [];
  let j = open + 1;
  while (j < tokens.length && !isPunct(tokens[j], '}')) {
    const local = tokens[j] as Token;
    if (local.type === 'word' || local.type === 'string') {
      let exported = local;
      if (isWord(tokens[j + 1], 'as') && tokens[j + 2]) {
        exported = tokens[j + 2] as Token;
        j += 2;
      }
      specs.push({ local, exported });
    }
    j++;
  }
  return { specs, end: j + 1 };
}

function checkDollar(c: Checker, name: Token | undefined, role: string): void {
  if (name && name.type === 'word' && name.value.includes('$')) c.report('dollar-in-module-binding', name.line, name.column, `${role} \`${name.value}\``);
}

function checkImport(c: Checker, index: number): void {
  const { tokens } = c;
  const t = tokens[index] as Token;
  const next = tokens[index + 1];
  if (isPunct(next, '(')) return c.report('dynamic-import', t.line, t.column, '`import(`');
  if (isPunct(next, '.')) return c.report('import-meta', t.line, t.column, '`import.meta`');
  if (!t.first) c.report('not-at-line-start', t.line, t.column, '`import` statement');
  const end = specifierEnd(tokens, index);
  for (let j = index + 1; j < (end < 0 ? tokens.length : end - 1); j++) {
    const tok = tokens[j] as Token;
    if (isPunct(tok, '{')) {
      const { specs } = readBraces(tokens, j);
      for (const spec of specs) {
        if (spec.local.value === 'default') c.report('export-as-default', spec.local.line, spec.local.column, '`default` imported by name');
        checkDollar(c, spec.exported, 'imported binding');
        if (spec.local !== spec.exported) checkDollar(c, spec.local, 'imported name');
      }
      break;
    }
    if (tok.type === 'word' && tok.value !== 'from' && tok.value !== 'as') checkDollar(c, tok, 'imported binding');
  }
  if (end > 0) checkStatementTail(c, t, end);
}

function checkExport(c: Checker, index: number): void {
  const { tokens } = c;
  const t = tokens[index] as Token;
  if (!t.first) c.report('not-at-line-start', t.line, t.column, '`export` statement');
  const next = tokens[index + 1];
  if (!next) return;
  if (isWord(next, 'default')) {
    const after = tokens[index + 2];
    const fn = isWord(after, 'async') ? index + 3 : index + 2;
    if (isWord(tokens[fn], 'function') && isPunct(tokens[fn + 1], '*')) c.report('export-generator', t.line, t.column, '`export default function*`');
    return;
  }
  if (isPunct(next, '*') || isPunct(next, '**')) {
    if (isWord(tokens[index + 2], 'as')) return c.report('export-star-as', t.line, t.column, '`export * as`');
    const end = specifierEnd(tokens, index);
    if (end > 0) checkStatementTail(c, t, end);
    return;
  }
  if (isPunct(next, '{')) {
    const { specs, end } = readBraces(tokens, index + 1);
    const reExport = isWord(tokens[end], 'from');
    const seen = new Set<string>();
    for (const spec of specs) {
      if (spec.exported.value === 'default' || spec.local.value === 'default') c.report('export-as-default', spec.exported.line, spec.exported.column, `\`${spec.local.value}${spec.local === spec.exported ? '' : ` as ${spec.exported.value}`}\``);
      checkDollar(c, spec.local, 'exported binding');
      if (spec.local !== spec.exported) checkDollar(c, spec.exported, 'exported name');
      if (reExport) {
        if (seen.has(spec.local.value)) c.report('re-export-twice', spec.local.line, spec.local.column, `\`${spec.local.value}\` re-exported twice`);
        seen.add(spec.local.value);
      }
    }
    if (reExport) {
      const after = specifierEnd(tokens, end - 1);
      if (after > 0) checkStatementTail(c, t, after);
    } else {
      checkStatementTail(c, t, end);
    }
    return;
  }
  if (isWord(next, 'const') || isWord(next, 'let') || isWord(next, 'var')) {
    const name = tokens[index + 2];
    if (isPunct(name, '{') || isPunct(name, '[')) return c.report('export-destructuring', t.line, t.column, `\`export ${next.value} ${name?.value ?? ''} … =\``);
    checkDollar(c, name, 'exported name');
    // A comma at the declaration's own level means a second declarator.
    let depth = 0;
    for (let j = index + 3; j < tokens.length; j++) {
      const tok = tokens[j] as Token;
      if (tok.type === 'punct' && ['(', '[', '{'].includes(tok.value)) depth++;
      else if (tok.type === 'punct' && [')', ']', '}'].includes(tok.value)) depth--;
      else if (tok.type === 'template' && tok.value.endsWith('${') && !tok.value.startsWith('}')) depth++;
      else if (tok.type === 'template' && tok.value.startsWith('}') && !tok.value.endsWith('${')) depth--;
      if (depth < 0 || (depth === 0 && isPunct(tok, ';'))) break;
      if (depth === 0 && tok.first && (isWord(tok, 'export') || isWord(tok, 'import'))) break;
      if (depth === 0 && isPunct(tok, ',')) {
        c.report('export-several-declarators', tok.line, tok.column, `a second declarator in \`export ${next.value}\``);
        break;
      }
    }
    return;
  }
  const fnIndex = isWord(next, 'async') ? index + 2 : index + 1;
  if (isWord(tokens[fnIndex], 'function')) {
    if (isPunct(tokens[fnIndex + 1], '*')) return c.report('export-generator', t.line, t.column, `\`export ${isWord(next, 'async') ? 'async ' : ''}function*\``);
    checkDollar(c, tokens[fnIndex + 1], 'exported name');
    return;
  }
  if (isWord(next, 'class')) {
    checkDollar(c, tokens[index + 2], 'exported name');
    return;
  }
  c.report('unsupported-export', t.line, t.column, `\`export ${next.value}\``);
}

/** Every problem of one file's source; `file` is only used in the reports. */
export function checkOdooAssetSource(source: string, file: string): AssetProblem[] {
  const problems: AssetProblem[] = [];
  const report = (rule: RuleId, line: number, column: number, what: string) => {
    problems.push({ file, line, column, rule, message: `${what}: ${WHY[rule]}` });
  };

  const lines = source.split('\n');
  lines.forEach((text, n) => {
    if (text.length > MAX_LINE_LENGTH) report('minified-line', n + 1, MAX_LINE_LENGTH + 1, `line of ${text.length} characters`);
    const requireText = /(?:__)?require\s*\(/.exec(text);
    if (requireText) report('require-text', n + 1, requireText.index + 1, `\`${requireText[0]}\``);
  });

  let lexed: LexResult;
  try {
    lexed = lex(source);
  } catch (err) {
    if (err instanceof LexError) {
      report('unreadable-javascript', err.line, err.column, err.message);
      return problems;
    }
    throw err;
  }

  for (const { line, text } of lexed.templateLines) {
    const m = /^\s*(import|export)\b/.exec(text);
    if (m) report('statement-in-template-literal', line, (m.index ?? 0) + m[0].length - (m[1] ?? '').length + 1, `template literal line starting with \`${m[1]}\``);
  }
  for (const { line, text } of lexed.commentLines) {
    const m = /^\s*(import|export)\b/.exec(text);
    if (m) report('statement-in-comment', line, m[0].length - (m[1] ?? '').length + 1, `comment line starting with \`${m[1]}\``);
  }

  const { tokens } = lexed;
  const checker: Checker = { tokens, report };
  tokens.forEach((t, index) => {
    if (t.type !== 'word' || (t.value !== 'import' && t.value !== 'export')) return;
    const prev = tokens[index - 1];
    // A property (`x.import`), an object key (`{ export: 1 }`), or a method named export
    // (`export() {`, which Odoo's rules, needing `export` + space or brace, leave alone).
    if (isPunct(prev, '.') || isPunct(prev, '?.') || isPunct(tokens[index + 1], ':')) return;
    if (t.value === 'export' && isPunct(tokens[index + 1], '(')) return;
    if (t.value === 'import') checkImport(checker, index);
    else checkExport(checker, index);
  });
  for (const index of topLevelAwaits(tokens)) {
    const t = tokens[index] as Token;
    report('top-level-await', t.line, t.column, '`await` outside any function');
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The .js files under `target` (a file or a folder), sorted. */
export function javascriptFiles(target: string): string[] {
  if (!fs.statSync(target).isDirectory()) return [target];
  return fs
    .readdirSync(target, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.js'))
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

export function checkOdooAssetFiles(files: readonly string[]): AssetProblem[] {
  return files.flatMap((file) => checkOdooAssetSource(fs.readFileSync(file, 'utf8'), file));
}

export function formatProblems(problems: readonly AssetProblem[], relativeTo = process.cwd()): string {
  return problems.map((p) => `${path.relative(relativeTo, p.file) || p.file}:${p.line}:${p.column}: [${p.rule}] ${p.message}`).join('\n');
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_TARGET = path.join(root, 'odoo_addon', 'paypal_bridge', 'static', 'src');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const targets = process.argv.slice(2);
  const files = (targets.length > 0 ? targets : [DEFAULT_TARGET]).flatMap((t) => {
    if (!fs.existsSync(t)) {
      process.stderr.write(`check-odoo-assets: ${t} does not exist (run npm run build first).\n`);
      process.exit(2);
    }
    return javascriptFiles(t);
  });
  const problems = checkOdooAssetFiles(files);
  if (problems.length > 0) {
    process.stderr.write(`${formatProblems(problems)}\n\n${problems.length} problem(s) in the addon's JavaScript would break Odoo 18's asset transpiler.\n`);
    process.exit(1);
  }
  process.stdout.write(`check-odoo-assets: ${files.length} file(s), no problem.\n`);
}
