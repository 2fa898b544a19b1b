// One real Odoo, one PayPal provider: test files that point that provider at their own service (its
// Service URL, its Bridge Secret) cannot run at the same time, and `npm test` runs two files at once.
// Such a file takes this lock for its whole run: an exclusive lock file in the system's temporary
// folder, naming the process that holds it; a lock left by a process that died is taken over.
// Within one process the lock is re-entrant (the contract target takes it, and so do the helpers
// built on it): it is released when the last holder releases it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REAL_ODOO_LOCK = path.join(os.tmpdir(), 'paypal-bridge-real-odoo-provider.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits until no other process holds the real Odoo's provider, then holds it; resolves with the
 * release function. `holder` says who holds it, for the message another file waits with.
 */
let held: { count: number; acquired: Promise<() => void> } | undefined;

export async function lockRealOdooProvider(holder: string, timeoutMs = 15 * 60_000): Promise<() => void> {
  if (!held) held = { count: 0, acquired: acquireFileLock(holder, timeoutMs) };
  const mine = held;
  mine.count += 1;
  let releaseFile: () => void;
  try {
    releaseFile = await mine.acquired;
  } catch (err) {
    if (held === mine && --mine.count === 0) held = undefined;
    throw err;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--mine.count === 0) {
      if (held === mine) held = undefined;
      releaseFile();
    }
  };
}

async function acquireFileLock(holder: string, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  const mine = `${process.pid} ${holder}`;
  for (;;) {
    try {
      fs.writeFileSync(REAL_ODOO_LOCK, mine, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let current = '';
      try {
        current = fs.readFileSync(REAL_ODOO_LOCK, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      const pid = Number(current.split(' ')[0]);
      if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
        fs.rmSync(REAL_ODOO_LOCK, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`The real Odoo's PayPal provider is still held by process ${current} after ${timeoutMs} ms (lock file ${REAL_ODOO_LOCK}).`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const release = () => {
    try {
      if (fs.readFileSync(REAL_ODOO_LOCK, 'utf8') === mine) fs.rmSync(REAL_ODOO_LOCK, { force: true });
    } catch {
      // Already gone.
    }
    process.off('exit', release);
  };
  process.on('exit', release);
  return release;
}
