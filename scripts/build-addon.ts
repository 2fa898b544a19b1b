// `npm run build`: compiles the addon's browser code (addon_static/src/<bundle>/index.ts) with
// esbuild into odoo_addon/paypal_bridge/static/src/<bundle>/index.js, as ES modules that Odoo 18's
// asset transpiler turns into `odoo.define("@paypal_bridge/<bundle>", …)` modules, then runs the
// post-build check (scripts/check-odoo-assets.ts) on what it wrote and fails on any problem.
// Settings: addon_static/README.md, "Odoo 18's asset transpiler" (readable output, ES2022, Odoo's
// modules external, OWL never bundled).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { checkOdooAssetFiles, formatProblems, javascriptFiles, type AssetProblem } from './check-odoo-assets.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Bundle {
  /** Folder under addon_static/src and under the addon's static/src. */
  name: string;
  /** The Odoo asset bundle the manifest puts it in (for the report). */
  odooBundle: string;
}

/** A bundle is built when its addon_static/src/<name>/index.ts exists. */
export const BUNDLES: readonly Bundle[] = [
  { name: 'checkout', odooBundle: 'web.assets_frontend' },
  { name: 'backoffice', odooBundle: 'web.assets_backend' },
];

/** Odoo's own modules, resolved by its module loader at run time; OWL must never be bundled. */
export const EXTERNAL_MODULES = ['@odoo/owl', '@web/*', '@payment/*', '@payment_paypal/*', '@website_sale/*', '@paypal_bridge/*'];

export const ADDON_NAME = 'paypal_bridge';

export interface BuildOptions {
  /** Where the bundle folders' sources are (default addon_static/src). */
  sourceRoot?: string;
  /** The addon's static/src (default odoo_addon/paypal_bridge/static/src). */
  outRoot?: string;
  /** tsconfig for esbuild (default addon_static/tsconfig.json). */
  tsconfig?: string;
  bundles?: readonly Bundle[];
}

export interface BuiltBundle {
  name: string;
  odooBundle: string;
  /** The Odoo module name of the entry, e.g. @paypal_bridge/checkout. */
  moduleName: string;
  files: string[];
  bytes: number;
  gzipBytes: number;
  /** Output bytes per input package or folder ("ours" for addon_static), before compression. */
  bytesByOrigin: Record<string, number>;
}

export class AssetBuildError extends Error {
  override name = 'AssetBuildError';
  readonly problems: AssetProblem[];

  constructor(message: string, problems: AssetProblem[] = []) {
    super(message);
    this.problems = problems;
  }
}

function originOf(input: string): string {
  const normalized = input.split(path.sep).join('/');
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(normalized);
  return match ? (match[1] as string) : 'ours';
}

/** Builds every bundle that has an entry, checks the output, and reports sizes. */
export async function buildAddon(options: BuildOptions = {}): Promise<BuiltBundle[]> {
  const sourceRoot = options.sourceRoot ?? path.join(root, 'addon_static', 'src');
  const outRoot = options.outRoot ?? path.join(root, 'odoo_addon', ADDON_NAME, 'static', 'src');
  const tsconfig = options.tsconfig ?? path.join(root, 'addon_static', 'tsconfig.json');
  const built: BuiltBundle[] = [];

  for (const bundle of options.bundles ?? BUNDLES) {
    const entry = path.join(sourceRoot, bundle.name, 'index.ts');
    const outDir = path.join(outRoot, bundle.name);
    // The output folder is generated: stale files would be bundled by the manifest's glob.
    fs.rmSync(outDir, { recursive: true, force: true });
    if (!fs.existsSync(entry)) continue;

    let result: esbuild.BuildResult<{ metafile: true }>;
    try {
      result = await esbuild.build({
        entryPoints: [{ in: entry, out: path.join(bundle.name, 'index') }],
        outdir: outRoot,
        bundle: true,
        format: 'esm',
        target: 'es2022',
        platform: 'browser',
        minify: false,
        sourcemap: false,
        charset: 'utf8',
        // License notices of bundled packages go to index.js.LEGAL.txt next to the asset (not bundled by Odoo).
        legalComments: 'linked',
        supported: { 'top-level-await': false },
        external: EXTERNAL_MODULES,
        tsconfig,
        metafile: true,
        logLevel: 'silent',
        banner: { js: `// Built from addon_static/src/${bundle.name} by scripts/build-addon.ts (npm run build); do not edit.` },
      });
    } catch (err) {
      const failure = err as esbuild.BuildFailure;
      const details = failure.errors
        ? (await esbuild.formatMessages(failure.errors, { kind: 'error', color: false })).join('\n')
        : String(err);
      throw new AssetBuildError(`esbuild could not build the ${bundle.name} bundle:\n${details}`);
    }
    if (result.warnings.length > 0) {
      const warnings = await esbuild.formatMessages(result.warnings, { kind: 'warning', color: false });
      throw new AssetBuildError(`esbuild warned while building the ${bundle.name} bundle (treated as errors):\n${warnings.join('\n')}`);
    }

    const files = javascriptFiles(outDir);
    const problems = checkOdooAssetFiles(files);
    if (problems.length > 0) {
      // Never leave an asset behind that would break Odoo's bundle.
      fs.rmSync(outDir, { recursive: true, force: true });
      throw new AssetBuildError(
        `The ${bundle.name} bundle would break Odoo 18's asset transpiler (its output was removed):\n${formatProblems(problems, root)}`,
        problems,
      );
    }

    const bytesByOrigin: Record<string, number> = {};
    for (const output of Object.values(result.metafile.outputs)) {
      for (const [input, info] of Object.entries(output.inputs)) {
        const origin = originOf(input);
        bytesByOrigin[origin] = (bytesByOrigin[origin] ?? 0) + info.bytesInOutput;
      }
    }
    const contents = files.map((f) => fs.readFileSync(f));
    built.push({
      name: bundle.name,
      odooBundle: bundle.odooBundle,
      moduleName: `@${ADDON_NAME}/${bundle.name}`,
      files,
      bytes: contents.reduce((n, c) => n + c.length, 0),
      gzipBytes: contents.reduce((n, c) => n + gzipSync(c).length, 0),
      bytesByOrigin,
    });
  }
  return built;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function formatBuildReport(bundles: readonly BuiltBundle[]): string {
  if (bundles.length === 0) return 'build-addon: no bundle has an entry (addon_static/src/<bundle>/index.ts).';
  return bundles
    .map((b) => {
      const origins = Object.entries(b.bytesByOrigin)
        .sort((x, y) => y[1] - x[1])
        .map(([origin, bytes]) => `${origin} ${kb(bytes)}`)
        .join(', ');
      return `build-addon: ${b.moduleName} → ${b.files.map((f) => path.relative(root, f)).join(', ')} (${b.odooBundle}): ${kb(b.bytes)}, ${kb(b.gzipBytes)} gzip [${origins}]; Odoo transpiler check passed`;
    })
    .join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const bundles = await buildAddon();
    process.stdout.write(`${formatBuildReport(bundles)}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof AssetBuildError ? err.message : String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  }
}
