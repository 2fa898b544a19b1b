// Where the Odoo 18.0 source comes from (ODOO_SOURCE), and what must be on the machine to run it.
//
// ODOO_SOURCE is either an Odoo 18.0 source tree (the folder holding `odoo-bin`, e.g. a git
// checkout of the 18.0 branch) or a .tar.gz of one. A tarball is unpacked once into the cache
// folder (outside the checkout) under a name derived from its content, so the next run reuses it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export class OdooSetupError extends Error {
  override name = 'OdooSetupError';
}

export interface OdooSource {
  /** The folder holding odoo-bin. */
  dir: string;
  odooBin: string;
  /** Odoo's addons folders, in the order Odoo should search them. */
  addonsPaths: string[];
  /** `odoo/release.py`'s version, e.g. "18.0". */
  version: string;
}

function findOdooBin(dir: string): string | undefined {
  if (fs.existsSync(path.join(dir, 'odoo-bin'))) return dir;
  // A tarball or a download often wraps the tree in one folder (odoo-18.0/, odoo/ …).
  const children = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const child of children) {
    if (fs.existsSync(path.join(dir, child.name, 'odoo-bin'))) return path.join(dir, child.name);
  }
  return undefined;
}

function fileDigest(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

function unpackTarball(tarball: string, cacheRoot: string, say: (line: string) => void): string {
  const target = path.join(cacheRoot, `source-${fileDigest(tarball).slice(0, 16)}`);
  if (fs.existsSync(path.join(target, '.complete'))) return target;
  say(`Unpacking ${path.basename(tarball)} into ${target} (once)…`);
  fs.rmSync(target, { recursive: true, force: true });
  const partial = `${target}.partial-${process.pid}`;
  fs.mkdirSync(partial, { recursive: true });
  const r = spawnSync('tar', ['xzf', tarball, '-C', partial], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw new OdooSetupError(`Could not unpack ${tarball}: ${(r.stderr || r.error?.message || `tar exited with ${r.status}`).trim()}`);
  }
  fs.writeFileSync(path.join(partial, '.complete'), `${tarball}\n`);
  fs.renameSync(partial, target);
  return target;
}

function readVersion(dir: string): string {
  const releasePy = path.join(dir, 'odoo', 'release.py');
  let text: string;
  try {
    text = fs.readFileSync(releasePy, 'utf8');
  } catch {
    throw new OdooSetupError(`${dir} has odoo-bin but no odoo/release.py: it is not an Odoo source tree.`);
  }
  const m = /^version_info\s*=\s*\(\s*(?:'saas~)?(\d+)'?\s*,\s*(\d+)/m.exec(text);
  if (!m) throw new OdooSetupError(`Cannot read the version in ${releasePy}.`);
  return `${m[1]}.${m[2]}`;
}

/** Resolves ODOO_SOURCE into a runnable tree. */
export function resolveOdooSource(source: string | undefined, cacheRoot: string, say: (line: string) => void): OdooSource {
  if (!source) {
    throw new OdooSetupError(
      'ODOO_SOURCE is not set. Point it at an Odoo 18.0 source tree (the folder holding odoo-bin, e.g. a checkout of the 18.0 branch of Odoo Community) or at a .tar.gz of one.',
    );
  }
  const resolved = path.resolve(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    throw new OdooSetupError(`ODOO_SOURCE=${source} does not exist.`);
  }
  const root = stat.isDirectory() ? resolved : /\.(tar\.gz|tgz)$/.test(resolved) ? unpackTarball(resolved, cacheRoot, say) : undefined;
  if (!root) throw new OdooSetupError(`ODOO_SOURCE=${source} is neither a folder nor a .tar.gz.`);
  const dir = findOdooBin(root);
  if (!dir) throw new OdooSetupError(`No odoo-bin in ${root} (nor in a folder directly below it): ODOO_SOURCE must be an Odoo source tree.`);
  const version = readVersion(dir);
  if (version !== '18.0') throw new OdooSetupError(`${dir} is Odoo ${version}; the bridge is built for Odoo 18.0.`);
  // Odoo's git layout keeps most modules in addons/ and the core ones in odoo/addons; some trees
  // (the trimmed tarball) hold all of them in odoo/addons.
  const core = path.join(dir, 'odoo', 'addons');
  const addons = path.join(dir, 'addons');
  const addonsPaths = fs.existsSync(path.join(core, 'website_sale')) ? [core] : [core, addons];
  if (!addonsPaths.some((p) => fs.existsSync(path.join(p, 'website_sale', '__manifest__.py')))) {
    throw new OdooSetupError(`${dir} has no website_sale module: the tree is incomplete.`);
  }
  return { dir, odooBin: path.join(dir, 'odoo-bin'), addonsPaths, version };
}

/** Python modules Odoo 18 imports at start or while installing a shop, and their Debian packages. */
const PYTHON_MODULES: Record<string, string> = {
  babel: 'python3-babel',
  dateutil: 'python3-dateutil',
  decorator: 'python3-decorator',
  docutils: 'python3-docutils',
  lxml: 'python3-lxml',
  PIL: 'python3-pil',
  psycopg2: 'python3-psycopg2',
  werkzeug: 'python3-werkzeug',
  jinja2: 'python3-jinja2',
  markupsafe: 'python3-markupsafe',
  passlib: 'python3-passlib',
  psutil: 'python3-psutil',
  reportlab: 'python3-reportlab',
  requests: 'python3-requests',
  OpenSSL: 'python3-openssl',
  asn1crypto: 'python3-asn1crypto',
  cryptography: 'python3-cryptography',
  idna: 'python3-idna',
  sass: 'python3-libsass',
  num2words: 'python3-num2words',
  openpyxl: 'python3-openpyxl',
  polib: 'python3-polib',
  PyPDF2: 'python3-pypdf2',
  rjsmin: 'python3-rjsmin',
  qrcode: 'python3-qrcode',
  stdnum: 'python3-stdnum',
  pytz: 'python3-tz',
  urllib3: 'python3-urllib3',
  vobject: 'python3-vobject',
  xlsxwriter: 'python3-xlsxwriter',
  xlrd: 'python3-xlrd',
  xlwt: 'python3-xlwt',
  zeep: 'python3-zeep',
  gevent: 'python3-gevent',
  freezegun: 'python3-freezegun',
};

export const PACKAGE_LIST_FILE = path.join(path.dirname(new URL(import.meta.url).pathname), 'debian-packages.txt');

/** Debian's Python: Odoo must not run on another python3 that happens to be first on the PATH. */
export const PYTHON = process.env['ODOO_PYTHON'] || '/usr/bin/python3';

/**
 * Everything missing for running Odoo 18 here, as one message naming what to install, or null.
 * Checked before any database is touched, so a user gets this instead of Odoo's traceback.
 */
export function missingPrerequisites(python = PYTHON, pathEnv = process.env['PATH'] ?? ''): string | null {
  const problems: string[] = [];
  const missingPackages: string[] = [];
  if (!fs.existsSync(python)) {
    problems.push(`no Python at ${python} (Debian's python3; set ODOO_PYTHON for another one)`);
  } else {
    const probe = [
      'import importlib.util, json',
      `mods = ${JSON.stringify(Object.keys(PYTHON_MODULES))}`,
      'print(json.dumps([m for m in mods if importlib.util.find_spec(m) is None]))',
    ].join('\n');
    const r = spawnSync(python, ['-c', probe], { encoding: 'utf8' });
    if (r.status !== 0) problems.push(`${python} could not run: ${(r.stderr || r.error?.message || '').trim()}`);
    else for (const m of JSON.parse(r.stdout) as string[]) missingPackages.push(PYTHON_MODULES[m] ?? m);
  }
  const which = spawnSync('sh', ['-c', 'command -v wkhtmltopdf'], { encoding: 'utf8', env: { ...process.env, PATH: pathEnv } });
  if (which.status !== 0) missingPackages.push('wkhtmltopdf');
  if (missingPackages.length > 0) {
    problems.push(
      `missing Debian packages: ${missingPackages.join(' ')}. Install everything Odoo needs with\n` +
        `    apt-get update && apt-get install -y $(grep -v '^#' ${path.relative(process.cwd(), PACKAGE_LIST_FILE)})`,
    );
  }
  return problems.length > 0 ? `Odoo 18 cannot run on this machine yet:\n  - ${problems.join('\n  - ')}` : null;
}
