// An acknowledged event survives kill -9 of the process that stored it (SQLite, WAL,
// synchronous=FULL): intake answers PayPal only after the batch committed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/inbox/sqlite-store.ts';

const child = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/inbox-writer-child.ts');

describe('inbox durability', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-crash-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged event when the writer is killed with SIGKILL', async () => {
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const acked: string[] = [];
    const killAfter = 500 + Math.floor(Math.random() * 1500);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    for await (const line of createInterface({ input: proc.stdout })) {
      const m = /^ack (\S+)$/.exec(line);
      if (m) acked.push(m[1]!);
      if (acked.length >= killAfter) {
        proc.kill('SIGKILL');
        break;
      }
    }
    assert.equal(await exited, 'SIGKILL', `the writer should have been killed, not have ended: ${stderr}`);
    assert.ok(acked.length >= killAfter);

    const store = openSqliteStore({ dataDir: dir });
    try {
      await store.migrate();
      for (const id of acked) {
        const e = await store.get(id);
        assert.ok(e, `acknowledged event ${id} was lost`);
        assert.equal(JSON.parse(e.rawBody.toString()).id, id);
      }
      const stats = await store.stats();
      assert.ok(stats.byStatus.pending >= acked.length);
    } finally {
      await store.close();
    }
  });
});
