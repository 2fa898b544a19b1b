// A model of what Odoo 18 does to a JavaScript file of an asset bundle before the browser sees it
// (odoo/tools/js_transpiler.py, as addon_static/README.md, "Odoo 18's asset transpiler", describes
// it): line-anchored regular expressions rewrite import/export statements into `require()` calls
// and `__exports` assignments, and the file becomes
//   odoo.define("<module name>", [<dependencies>], function (require) { … return __exports; });
// Our own code, written from that description (not Odoo's): the browser tests run the built
// assets through it so that they execute in the form Odoo would produce, failure modes included
// (`export { x as default }` becomes a string key; a `require("…")` text anywhere becomes a
// dependency; a statement that does not start a line is left alone and breaks the bundle).

/** `/paypal_bridge/static/src/checkout/index.js` → `@paypal_bridge/checkout` (url_to_module_path). */
export function moduleNameOf(url: string): string {
  const m = /^\/([^/]+)\/static\/(src|tests|lib)\/(.+?)(?:\.js)?$/.exec(url);
  if (!m) throw new Error(`${url} is not an addon static file`);
  const [, addon, folder, rest] = m as unknown as [string, string, string, string];
  const inner = rest.replace(/(^|\/)index$/, '');
  const prefix = folder === 'src' ? `@${addon}` : `@${addon}/../${folder}`;
  return inner === '' ? prefix : `${prefix}/${inner}`;
}

/** A relative specifier of the module at `url` → the module name it designates. */
function resolveSpecifier(specifier: string, url: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = url.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') base.pop();
    else if (part !== '.') base.push(part);
  }
  return moduleNameOf(base.join('/'));
}

/** `a, b as c` → `a, b: c` (the destructuring Odoo writes for named imports). */
function destructure(specifiers: string): string {
  return specifiers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.replace(/^(\S+)\s+as\s+(\S+)$/, '$1: $2'))
    .join(', ');
}

/** `a, b as c` (an export list) → `a, c: b`. */
function exportObject(specifiers: string): string {
  return specifiers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(\S+)\s+as\s+(\S+)$/.exec(s);
      return m ? `${m[2]}: ${m[1]}` : s;
    })
    .join(', ');
}

export interface TranspiledModule {
  name: string;
  dependencies: string[];
  code: string;
}

/** Rewrites one file served at `url` the way Odoo's transpiler would. */
export function transpileOdooModule(source: string, url: string): TranspiledModule {
  const name = moduleNameOf(url);
  const req = (specifier: string) => `require("${resolveSpecifier(specifier, url)}")`;
  let code = source;
  const rules: [RegExp, (...groups: string[]) => string][] = [
    [/^(\s*)import\s+([\w$]+)\s*,\s*\{([^}]*)\}\s*from\s*(["'])([^"']+)\4;?/gm, (_m, sp, def, named, _q, spec) => `${sp}const ${def} = ${req(spec as string)}[Symbol.for("default")]; const { ${destructure(named as string)} } = ${req(spec as string)};`],
    [/^(\s*)import\s+([\w$]+)\s*,\s*\*\s*as\s+([\w$]+)\s+from\s*(["'])([^"']+)\4;?/gm, (_m, sp, def, ns, _q, spec) => `${sp}const ${ns} = ${req(spec as string)}; const ${def} = ${ns}[Symbol.for("default")];`],
    [/^(\s*)import\s*\{([^}]*)\}\s*from\s*(["'])([^"']+)\3;?/gm, (_m, sp, named, _q, spec) => `${sp}const { ${destructure(named as string)} } = ${req(spec as string)};`],
    [/^(\s*)import\s+\*\s*as\s+(\w+)\s+from\s*(["'])([^"']+)\3;?/gm, (_m, sp, ns, _q, spec) => `${sp}const ${ns} = ${req(spec as string)};`],
    [/^(\s*)import\s+(\w+)\s+from\s*(["'])([^"']+)\3;?/gm, (_m, sp, def, _q, spec) => `${sp}const ${def} = ${req(spec as string)}[Symbol.for("default")];`],
    [/^(\s*)import\s*(["'])([^"']+)\2;?/gm, (_m, sp, _q, spec) => `${sp}${req(spec as string)};`],
    [/^(\s*)export\s*\{([^}]*)\}\s*from\s*(["'])([^"']+)\3;?/gm, (_m, sp, named, _q, spec) => {
      const locals = (named as string).split(',').map((s) => s.trim()).filter(Boolean).map((s) => s.split(/\s+as\s+/)[0] as string);
      return `${sp}{ const { ${locals.join(', ')} } = ${req(spec as string)}; Object.assign(__exports, { ${exportObject(named as string)} }); }`;
    }],
    [/^(\s*)export\s*\*\s*from\s*(["'])([^"']+)\2;?/gm, (_m, sp, _q, spec) => `${sp}Object.assign(__exports, ${req(spec as string)});`],
    [/^(\s*)export\s*\{([^}]*)\}\s*;?/gm, (_m, sp, named) => `${sp}Object.assign(__exports, { ${exportObject(named as string)} });`],
    [/^(\s*)export\s+default\s+(async\s+)?(function|class)\s+(\w+)/gm, (_m, sp, asyncKw, kind, id) => `${sp}const ${id} = __exports[Symbol.for("default")] = ${asyncKw ?? ''}${kind} ${id}`],
    [/^(\s*)export\s+default\s+/gm, (_m, sp) => `${sp}__exports[Symbol.for("default")] = `],
    [/^(\s*)export\s+(async\s+)?function\s+(\w+)/gm, (_m, sp, asyncKw, id) => `${sp}__exports.${id} = ${id}; ${asyncKw ?? ''}function ${id}`],
    [/^(\s*)export\s+class\s+(\w+)/gm, (_m, sp, id) => `${sp}const ${id} = __exports.${id} = class ${id}`],
    [/^(\s*)export\s+(const|let|var)\s+(\w+)\s*=/gm, (_m, sp, kind, id) => `${sp}${kind} ${id} = __exports.${id} =`],
  ];
  for (const [pattern, replace] of rules) code = code.replace(pattern, replace as (substring: string, ...args: unknown[]) => string);

  // Every `require("…")` text on a line not starting with a comment is a dependency (the
  // transpiler's RELATIVE_REQUIRE_RE does not know strings or comments either).
  const dependencies = new Set<string>();
  for (const m of code.matchAll(/^[^/*\n]*?require\((["'`])([^"'`]*)\1\)/gm)) dependencies.add(m[2] as string);

  const wrapped = `odoo.define(${JSON.stringify(name)}, ${JSON.stringify([...dependencies])}, function (require) {\n'use strict';\nlet __exports = {};\n${code}\nreturn __exports;\n});\n`;
  return { name, dependencies: [...dependencies], code: wrapped };
}

/** Odoo's bundle: the transpiled files joined as its minifier joins them. */
export function odooBundle(files: readonly { url: string; source: string }[]): string {
  return files.map((f) => `/* ${f.url} */\n${transpileOdooModule(f.source, f.url).code}`).join(';\n');
}
