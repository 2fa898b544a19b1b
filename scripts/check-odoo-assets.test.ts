import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkOdooAssetFiles, checkOdooAssetSource, javascriptFiles, type RuleId } from './check-odoo-assets.ts';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'odoo-assets');

const RULES: RuleId[] = [
  'not-at-line-start',
  'several-statements-on-line',
  'minified-line',
  'export-as-default',
  'export-star-as',
  'dynamic-import',
  'import-meta',
  'top-level-await',
  'dollar-in-module-binding',
  'require-text',
  'statement-in-template-literal',
  'statement-in-comment',
  'export-several-declarators',
  'export-destructuring',
  'export-generator',
  'import-attributes',
  're-export-twice',
  'unsupported-export',
  'unreadable-javascript',
];

const rulesOf = (source: string) => checkOdooAssetSource(source, 'inline.js').map((p) => `${p.rule}@${p.line}`);

describe('check-odoo-assets', () => {
  test('every rule has a deliberately broken file that it rejects, and only for that rule', () => {
    assert.deepEqual(
      fs.readdirSync(path.join(fixtures, 'bad')).map((f) => f.replace(/\.js$/, '')).sort(),
      [...RULES].sort(),
      'one broken file per rule',
    );
    for (const rule of RULES) {
      const file = path.join(fixtures, 'bad', `${rule}.js`);
      const problems = checkOdooAssetFiles([file]);
      assert.deepEqual(
        problems.map((p) => p.rule),
        [rule],
        `${rule}.js: ${problems.map((p) => p.message).join(' | ')}`,
      );
      const [problem] = problems;
      assert.equal(problem?.file, file);
      assert.ok((problem?.line ?? 0) >= 1 && (problem?.column ?? 0) >= 1);
      assert.ok((problem?.message.length ?? 0) > 60, `${rule}: the message explains the failure and the fix`);
    }
  });

  test('accepts the good files: every import/export form Odoo rewrites, and look-alikes in strings, comments, regular expressions and templates', () => {
    const files = javascriptFiles(path.join(fixtures, 'good'));
    assert.ok(files.length >= 2);
    assert.deepEqual(checkOdooAssetFiles(files), []);
  });

  test('reports the line and column of the problem', () => {
    const problems = checkOdooAssetSource('import { a } from "@web/a";\n\nconst b = a; export { b };\n', 'x.js');
    assert.deepEqual(problems.map((p) => [p.rule, p.line, p.column]), [['not-at-line-start', 3, 14]]);
  });

  test('a statement after a multi-line template literal or a comment on the same line does not start its line', () => {
    assert.deepEqual(rulesOf('const t = `a\nb`; export { t };\n'), ['not-at-line-start@2']);
    assert.deepEqual(rulesOf('/* generated */ export const a = 1;\n'), ['not-at-line-start@1']);
    assert.deepEqual(rulesOf('/* generated */\nexport const a = 1;\n'), []);
  });

  test('top-level await is told from await inside functions, methods, arrows and class bodies', () => {
    assert.deepEqual(rulesOf('const f = async () => await g();\nconst h = async (x) => { await x; };\n'), []);
    assert.deepEqual(rulesOf('class A { async m() { if (x) { await y; } } }\n'), []);
    assert.deepEqual(rulesOf('if (ready) { await start(); }\n'), ['top-level-await@1']);
    assert.deepEqual(rulesOf('for await (const x of items) {}\n'), ['top-level-await@1']);
    assert.deepEqual(rulesOf('list.map(async (x) => await x), await done;\n'), ['top-level-await@1']);
    assert.deepEqual(rulesOf('const o = { await: 1 };\n'), []);
  });

  test('template literal lines are found after a line continuation and inside substitutions too', () => {
    assert.deepEqual(rulesOf('const t = `a\\\nexport { x }`;\n'), ['statement-in-template-literal@2']);
    assert.deepEqual(rulesOf('const t = `a ${`\nimport y from "z"`} b`;\n'), ['statement-in-template-literal@2']);
    assert.deepEqual(rulesOf('const t = `a ${f({\n  b: 1,\n})} c`;\nexport { t };\n'), []);
  });

  test('require text counts anywhere, as Odoo\'s dependency scan sees it', () => {
    assert.deepEqual(rulesOf('export const s = "require(\\"crypto\\")";\n'), ['require-text@1']);
    assert.deepEqual(rulesOf('export const required = 1;\n'), []);
  });

  test('several problems in one file are all reported, in line order', () => {
    const source = ['import { $x } from "@web/x"; export { y };', 'await z;', 'export * as ns from "@web/ns";', ''].join('\n');
    assert.deepEqual(rulesOf(source), ['dollar-in-module-binding@1', 'several-statements-on-line@1', 'not-at-line-start@1', 'top-level-await@2', 'export-star-as@3']);
  });
});
