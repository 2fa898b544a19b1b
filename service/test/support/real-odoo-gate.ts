// What a real-Odoo suite does when no Odoo is named (ODOO_URL unset). On a developer's machine it
// says plainly that it did not run and defines no test. In CI (CI=true) a real Odoo 18 is part of
// the build (.ci/run starts one with `npm run odoo -- start`), so its absence is one failing test
// that says so: a green CI never hides suites that silently did not run.
import { test } from 'node:test';

export function realOdooNotRun(suite: string): void {
  const message = `NOT RUN: ${suite} needs ODOO_URL and ODOO_DB naming an Odoo 18 with paypal_bridge installed (\`npm run odoo -- start\` starts one and prints both)`;
  if (process.env['CI'] === 'true') {
    test(`${suite}: a real Odoo 18 is running`, () => {
      throw new Error(`${message}. CI must start one (see .ci/run).`);
    });
    return;
  }
  console.log(message);
}
