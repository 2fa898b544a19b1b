import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { AssetBuildError, buildAddon, EXTERNAL_MODULES } from './build-addon.ts';
import { checkOdooAssetFiles } from './check-odoo-assets.ts';

function tempDir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A bundle folder `demo` with the given entry source, built into its own output folder. */
function writeEntry(root: string, source: string): void {
  fs.mkdirSync(path.join(root, 'src', 'demo'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src', 'demo', 'index.ts'), source);
}

describe('build-addon', () => {
  test('builds the checkout bundle into a module Odoo accepts: readable, ES2022, Odoo modules external, OWL not bundled', async (t) => {
    const out = tempDir(t, 'addon-build-');
    const [checkout] = await buildAddon({ outRoot: out });
    assert.ok(checkout);
    assert.equal(checkout.moduleName, '@paypal_bridge/checkout');
    assert.deepEqual(checkout.files, [path.join(out, 'checkout', 'index.js')]);
    const code = fs.readFileSync(path.join(out, 'checkout', 'index.js'), 'utf8');
    assert.deepEqual(checkOdooAssetFiles(checkout.files), []);
    for (const line of [
      'import { App } from "@odoo/owl";',
      'import paymentForm from "@payment/js/payment_form";',
      'import "@payment_paypal/js/payment_form";',
      'import { _t } from "@web/core/l10n/translation";',
    ]) {
      assert.ok(code.split('\n').includes(line), `keeps ${line}`);
    }
    assert.doesNotMatch(code, /class (ComponentNode|TemplateSet)\b|function blockDom/, 'OWL itself is not bundled');
    assert.match(code, /function loadScript\(/, '@paypal/paypal-js is bundled');
    assert.match(code, /_t\("You cancelled the payment at PayPal/, 'translatable literals stay _t("…") calls');
    assert.ok(checkout.bytesByOrigin['@paypal/paypal-js'] && checkout.bytesByOrigin['ours']);
    assert.ok(checkout.gzipBytes > 0 && checkout.gzipBytes < checkout.bytes);
    assert.ok(fs.existsSync(path.join(out, 'checkout', 'index.js.LEGAL.txt')), "bundled packages' license notices ship next to the asset");
  });

  test('builds the back-office bundle the same way, with one import per Odoo module so that _t keeps its name', async (t) => {
    const out = tempDir(t, 'addon-build-');
    const backoffice = (await buildAddon({ outRoot: out })).find((b) => b.name === 'backoffice');
    assert.ok(backoffice);
    assert.equal(backoffice.moduleName, '@paypal_bridge/backoffice');
    assert.equal(backoffice.odooBundle, 'web.assets_backend');
    assert.deepEqual(checkOdooAssetFiles(backoffice.files), []);
    const code = fs.readFileSync(path.join(out, 'backoffice', 'index.js'), 'utf8');
    const imports = code.split('\n').filter((l) => l.startsWith('import '));
    assert.equal(imports.filter((l) => l.includes('"@web/core/l10n/translation"')).length, 1);
    assert.ok(imports.includes('import { _t } from "@web/core/l10n/translation";'));
    assert.doesNotMatch(code, /\b_t\d+\(/, 'esbuild renamed no _t: Odoo extracts the terms from _t("…") calls');
    assert.match(code, /_t\("Refund through PayPal"\)/);
    assert.doesNotMatch(code, /class (ComponentNode|TemplateSet)\b|function blockDom/, 'OWL itself is not bundled');
    assert.deepEqual(Object.keys(backoffice.bytesByOrigin), ['ours'], 'no package is bundled (Chart.js comes from Odoo)');
  });

  test('the post-build check fails the build on a deliberately broken entry, and removes its output', async (t) => {
    const root = tempDir(t, 'addon-broken-');
    const out = path.join(root, 'out');
    // esbuild writes `export { x as default }` for an entry's default export: Odoo would lose it.
    writeEntry(root, 'const answer: number = 42;\nexport default answer;\n');
    const build = buildAddon({ sourceRoot: path.join(root, 'src'), outRoot: out, bundles: [{ name: 'demo', odooBundle: 'web.assets_frontend' }] });
    await assert.rejects(build, (err: unknown) => {
      assert.ok(err instanceof AssetBuildError);
      assert.deepEqual(err.problems.map((p) => p.rule), ['export-as-default']);
      assert.match(err.message, /demo bundle would break Odoo 18's asset transpiler/);
      assert.match(err.message, /demo[/\\]index\.js:\d+:\d+: \[export-as-default\]/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(out, 'demo')), false, 'nothing broken is left for Odoo to bundle');
  });

  test('a dynamic import of an Odoo module fails the build', async (t) => {
    const root = tempDir(t, 'addon-dynamic-');
    writeEntry(root, 'export async function later(): Promise<unknown> {\n  return import("@web/core/assets");\n}\n');
    await assert.rejects(
      buildAddon({ sourceRoot: path.join(root, 'src'), outRoot: path.join(root, 'out'), bundles: [{ name: 'demo', odooBundle: 'web.assets_frontend' }] }),
      (err: unknown) => err instanceof AssetBuildError && err.problems.some((p) => p.rule === 'dynamic-import'),
    );
  });

  test('an esbuild error names the file and fails the build', async (t) => {
    const root = tempDir(t, 'addon-esbuild-');
    writeEntry(root, 'import { nothing } from "./missing.ts";\nexport const x = nothing;\n');
    await assert.rejects(
      buildAddon({ sourceRoot: path.join(root, 'src'), outRoot: path.join(root, 'out'), bundles: [{ name: 'demo', odooBundle: 'web.assets_frontend' }] }),
      (err: unknown) => err instanceof AssetBuildError && /could not build the demo bundle/.test(err.message) && /missing\.ts/.test(err.message),
    );
  });

  test('Odoo modules stay external', () => {
    assert.ok(EXTERNAL_MODULES.includes('@odoo/owl'));
    for (const prefix of ['@web/*', '@payment/*', '@payment_paypal/*', '@website_sale/*', '@paypal_bridge/*']) assert.ok(EXTERNAL_MODULES.includes(prefix), prefix);
  });
});
