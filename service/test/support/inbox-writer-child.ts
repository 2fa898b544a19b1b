// Child process for the crash test: stores events through the intake batcher as fast as it can
// and prints "ack <event id>" for each one only after its submit() resolved, which is when the
// webhook route would answer PayPal 200. The parent kills it with SIGKILL at a random moment.
import { createIntakeBatcher } from '../../src/inbox/intake-batcher.ts';
import { openSqliteStore } from '../../src/inbox/sqlite-store.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: inbox-writer-child.ts <data dir>');
const store = openSqliteStore({ dataDir });
await store.migrate();
const batcher = createIntakeBatcher(store, { maxBatch: 64 });
let n = 0;
for (;;) {
  const batch = Array.from({ length: 32 }, () => {
    const eventId = `WH-CRASH-${++n}`;
    return batcher
      .submit({
        eventId,
        eventType: 'PAYMENT.CAPTURE.COMPLETED',
        resourceType: 'capture',
        resourceId: `CAP-${n}`,
        partitionKey: null,
        rawBody: Buffer.from(JSON.stringify({ id: eventId, n })),
        headers: {},
        receivedAt: new Date(),
      })
      .then(() => process.stdout.write(`ack ${eventId}\n`));
  });
  await Promise.all(batch);
}
