// `npm run odoo`'s checks before it touches a database: where the Odoo source is, and what the
// machine lacks. The commands themselves run against a real Odoo in CI (.ci/run).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { missingPrerequisites, OdooSetupError, resolveOdooSource } from './odoo-source.ts';

const quiet = (): void => undefined;

function fakeTree(root: string, release: string, modules: string[] = ['website_sale']): string {
  const dir = path.join(root, 'odoo-18.0');
  fs.mkdirSync(path.join(dir, 'odoo'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'odoo-bin'), '#!/usr/bin/env python3\n');
  fs.writeFileSync(path.join(dir, 'odoo', 'release.py'), release);
  for (const m of modules) {
    fs.mkdirSync(path.join(dir, 'odoo', 'addons', m), { recursive: true });
    fs.writeFileSync(path.join(dir, 'odoo', 'addons', m, '__manifest__.py'), '{}\n');
  }
  return dir;
}

const RELEASE_18 = "RELEASE_LEVELS = []\nversion_info = (18, 0, 0, FINAL, 0, '')\n";

describe('npm run odoo: the Odoo source', () => {
  test('ODOO_SOURCE unset, missing, or neither a folder nor a tarball: a clear error', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'odoo-src-'));
    assert.throws(() => resolveOdooSource(undefined, cache, quiet), (e: unknown) => e instanceof OdooSetupError && /ODOO_SOURCE is not set/.test(e.message));
    assert.throws(() => resolveOdooSource(path.join(cache, 'nope'), cache, quiet), /does not exist/);
    const file = path.join(cache, 'odoo.zip');
    fs.writeFileSync(file, 'x');
    assert.throws(() => resolveOdooSource(file, cache, quiet), /neither a folder nor a \.tar\.gz/);
    assert.throws(() => resolveOdooSource(cache, cache, quiet), /No odoo-bin/);
  });

  test('a tree one folder down is found; another major version is refused', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'odoo-src-'));
    const dir = fakeTree(root, RELEASE_18);
    const source = resolveOdooSource(root, root, quiet);
    assert.equal(source.dir, dir);
    assert.equal(source.version, '18.0');
    assert.deepEqual(source.addonsPaths, [path.join(dir, 'odoo', 'addons')]);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'odoo-src-'));
    fakeTree(other, "version_info = (17, 0, 0, FINAL, 0, '')\n");
    assert.throws(() => resolveOdooSource(other, other, quiet), /is Odoo 17\.0; the bridge is built for Odoo 18\.0/);
  });

  test("git's layout (modules in addons/) adds that folder; a tree without website_sale is refused", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'odoo-src-'));
    const dir = fakeTree(root, RELEASE_18, ['base']);
    assert.throws(() => resolveOdooSource(dir, root, quiet), /no website_sale module/);
    fs.mkdirSync(path.join(dir, 'addons', 'website_sale'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'addons', 'website_sale', '__manifest__.py'), '{}\n');
    assert.deepEqual(resolveOdooSource(dir, root, quiet).addonsPaths, [path.join(dir, 'odoo', 'addons'), path.join(dir, 'addons')]);
  });

  test('a tarball is unpacked once into the cache, under a name of its content', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'odoo-src-'));
    fakeTree(root, RELEASE_18);
    const tarball = path.join(os.tmpdir(), `odoo-${process.pid}-${Date.now()}.tar.gz`);
    assert.equal(spawnSync('tar', ['czf', tarball, '-C', root, 'odoo-18.0']).status, 0);
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'odoo-cache-'));
    const said: string[] = [];
    const first = resolveOdooSource(tarball, cache, (l) => said.push(l));
    assert.ok(first.dir.startsWith(cache));
    assert.equal(said.length, 1);
    const second = resolveOdooSource(tarball, cache, (l) => said.push(l));
    assert.equal(second.dir, first.dir);
    assert.equal(said.length, 1, 'the second resolve reuses the unpacked tree');
  });
});

describe('npm run odoo: what the machine lacks', () => {
  test('no Python: named, with the variable to set', () => {
    const message = missingPrerequisites('/nonexistent/python3');
    assert.match(message ?? '', /no Python at \/nonexistent\/python3 .*ODOO_PYTHON/);
  });

  test('a Python without Odoo\'s modules and no wkhtmltopdf: the Debian packages to install', () => {
    // A Python that sees none of Odoo's modules: Debian's, started without its site folders.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'odoo-py-'));
    const wrapper = path.join(dir, 'python3');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${process.env['ODOO_PYTHON'] || '/usr/bin/python3'} -S -I "$@"\n`, { mode: 0o755 });
    if (!fs.existsSync(process.env['ODOO_PYTHON'] || '/usr/bin/python3')) {
      assert.match(missingPrerequisites(wrapper) ?? '', /could not run/);
      return;
    }
    const message = missingPrerequisites(wrapper, dir) ?? '';
    assert.match(message, /missing Debian packages: .*python3-lxml/);
    assert.match(message, /python3-psycopg2/);
    assert.match(message, /wkhtmltopdf/);
    assert.match(message, /apt-get install -y \$\(grep -v '\^#' .*debian-packages\.txt\)/);
  });
});
