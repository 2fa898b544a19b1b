// The browser tests' model of Odoo 18's transpiler (support/odoo-transpile.ts) behaves as
// addon_static/README.md ("Odoo 18's asset transpiler") says Odoo's does, failure modes included,
// and the page's stand-in markup matches the addon's real QWeb template.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as vm from 'node:vm';
import { moduleNameOf, odooBundle, transpileOdooModule } from './support/odoo-transpile.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a bundle with a minimal odoo.define and returns the started modules' exports. */
function run(files: { url: string; source: string }[], external: Record<string, unknown> = {}): Map<string, Record<string | symbol, unknown>> {
  const modules = new Map<string, Record<string | symbol, unknown>>(Object.entries(external) as [string, Record<string | symbol, unknown>][]);
  const pending: { name: string; deps: string[]; factory: (req: (n: string) => unknown) => Record<string | symbol, unknown> }[] = [];
  const define = (name: string, deps: string[], factory: (typeof pending)[number]['factory']) => {
    pending.push({ name, deps, factory });
    for (let progress = true; progress; ) {
      progress = false;
      for (const m of pending.filter((p) => !modules.has(p.name) && p.deps.every((d) => modules.has(d)))) {
        modules.set(m.name, m.factory((n) => modules.get(n)));
        progress = true;
      }
    }
  };
  vm.runInNewContext(odooBundle(files), { odoo: { define } });
  return modules;
}

describe("the browser tests' model of Odoo's transpiler", () => {
  test('names modules as Odoo does', () => {
    assert.equal(moduleNameOf('/paypal_bridge/static/src/checkout/index.js'), '@paypal_bridge/checkout');
    assert.equal(moduleNameOf('/payment/static/src/js/payment_form.js'), '@payment/js/payment_form');
    assert.equal(moduleNameOf('/my_addon/static/src/index.js'), '@my_addon');
    assert.equal(moduleNameOf('/my_addon/static/tests/foo.test.js'), '@my_addon/../tests/foo.test');
  });

  test('rewrites imports and exports into require() and __exports, with the dependencies', () => {
    const modules = run(
      [
        { url: '/a/static/src/lib.js', source: 'export const one = 1;\nexport function two() {\n    return 2;\n}\nexport class Three {}\nexport default { four: 4 };\n' },
        {
          url: '/a/static/src/main.js',
          source: 'import lib, { one, two as deux } from "./lib";\nimport * as all from "@a/lib";\nimport "@a/lib";\nconst sum = one + deux() + lib.four;\nexport { sum, all as namespace };\n',
        },
      ],
      {},
    );
    assert.deepEqual(transpileOdooModule('import { x } from "./y";\nimport z from "@web/z";\n', '/a/static/src/b/c.js').dependencies, ['@a/b/y', '@web/z']);
    const main = modules.get('@a/main');
    assert.equal(main?.['sum'], 7);
    assert.equal((main?.['namespace'] as Record<string, unknown>)['one'], 1);
  });

  test('keeps Odoo\'s failure modes: `export { x as default }` is a string key, so a default import gets undefined', () => {
    const modules = run([
      { url: '/a/static/src/entry.js', source: 'const x = 1;\nexport { x as default };\n' },
      { url: '/a/static/src/user.js', source: 'import x from "@a/entry";\nexport const seen = x;\n' },
    ]);
    assert.equal(modules.get('@a/entry')?.['default'], 1);
    assert.equal(modules.get('@a/user')?.['seen'], undefined);
  });

  test('keeps Odoo\'s failure modes: any require("…") text is a dependency, so the module never starts', () => {
    const source = 'export const text = \'require("crypto")\';\n';
    assert.deepEqual(transpileOdooModule(source, '/a/static/src/x.js').dependencies, ['crypto']);
    assert.equal(run([{ url: '/a/static/src/x.js', source }]).has('@a/x'), false);
  });

  test('keeps Odoo\'s failure modes: a statement that does not start its line is left as it is (a SyntaxError in a script)', () => {
    const { code } = transpileOdooModule('const a = 1; export { a };\n', '/a/static/src/x.js');
    assert.match(code, /const a = 1; export \{ a \};/);
    assert.throws(() => new vm.Script(code), SyntaxError);
  });

  test("the page's container carries what the addon's QWeb template renders", () => {
    const template = fs.readFileSync(path.join(root, 'odoo_addon', 'paypal_bridge', 'views', 'payment_form_templates.xml'), 'utf8');
    const page = fs.readFileSync(path.join(root, 'e2e', 'support', 'shop-server.ts'), 'utf8');
    assert.match(template, /inherit_id="payment\.method_form"/);
    assert.match(template, /xpath expr="\/\/div\[@name='o_payment_inline_form'\]" position="inside"/);
    for (const fragment of ['name="o_paypal_bridge_container"', 'class="o_paypal_bridge_container mt-2"']) {
      assert.ok(template.includes(fragment), `template: ${fragment}`);
      assert.ok(page.includes(fragment), `page: ${fragment}`);
    }
    for (const key of ['client_id', 'currency', 'intent', 'sdk_url']) {
      assert.match(template, new RegExp(`'${key}':`), `template renders ${key}`);
      assert.match(page, new RegExp(`${key}:`), `page renders ${key}`);
    }
    assert.match(template, /t-att-data-paypal-bridge="json\.dumps\(/);
    assert.match(page, /data-paypal-bridge="\$\{escapeAttr\(JSON\.stringify\(config\)\)\}"/);
  });
});
