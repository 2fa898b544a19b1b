// Debian's Chromium driven by playwright-core (Playwright's own browser downloads cannot work
// without network). A browser suite runs only where /usr/bin/chromium exists: in CI its absence is
// a failure with the fix in the message; elsewhere the suite says plainly that it did not run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const NOT_RUN = `NOT RUN: browser tests need ${CHROMIUM_PATH} (apt-get install chromium)`;

export function chromiumInstalled(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

/**
 * Calls `define` (which registers the suite's tests) when Chromium is installed. Without it: in
 * CI (CI=true) one failing test says what to install; elsewhere a plain NOT RUN line, no test.
 */
export function browserSuite(name: string, define: () => void): void {
  if (chromiumInstalled()) {
    define();
    return;
  }
  if (process.env['CI'] === 'true') {
    test(`${name}: Chromium is installed`, () => {
      throw new Error(`${NOT_RUN}; CI must install it (see .ci/run).`);
    });
    return;
  }
  console.log(`${name}: ${NOT_RUN}`);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Where the real-Odoo suites write their screenshots: `.cache/screenshots/` on every run, and the
 * README's own `e2e/screenshots/` only when asked (`UPDATE_SCREENSHOTS=1 npm test -- real-odoo`),
 * so that a test run never rewrites tracked files.
 */
export const SCREENSHOT_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  ...(process.env['UPDATE_SCREENSHOTS'] === '1' ? ['screenshots'] : ['..', '.cache', 'screenshots']),
);
