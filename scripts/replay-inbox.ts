// Re-queues inbox events for the worker: every dead event (default), every ignored one, or the
// events named by id (done ones included, e.g. after fixing a handler). Shows what it will do
// first; --dry-run stops there.
//
//   npm run replay -- [--event-id WH-… ...] [--status dead|ignored] [--dry-run]
//
// Needs only the store settings (DATABASE_URL, or DATA_DIR for SQLite): a replay never talks to
// PayPal or Odoo, so it runs where their credentials are not set. The running service picks the
// events up at its next poll.
//
// Exit codes: 0 done (also when there was nothing to do), 1 a failure or a named event id that
// is not in the inbox, 2 wrong usage.
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadStoreConfig } from '../service/src/config.ts';
import { openStore } from '../service/src/inbox/open-store.ts';
import type { AuditEntry, InboxEvent, InboxStore } from '../service/src/inbox/types.ts';

const USAGE = `Usage: npm run replay -- [--event-id WH-… ...] [--status dead|ignored] [--dry-run]

  --event-id ID   re-queue this event (repeatable); dead, ignored and done events qualify
  --status S      dead (default) or ignored: re-queue every event in that state
                  (with --event-id: only the named events in that state)
  --dry-run       show what would be re-queued, change nothing
  --help          this text

Store: DATABASE_URL (PostgreSQL) or DATA_DIR (SQLite, default ./data).`;

class UsageError extends Error {}

interface Options {
  eventIds: string[] | undefined;
  status: 'dead' | 'ignored' | undefined;
  dryRun: boolean;
}

function parseOptions(argv: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'event-id': { type: 'string', multiple: true },
        status: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const status = values.status;
  if (status !== undefined && status !== 'dead' && status !== 'ignored') throw new UsageError(`--status must be dead or ignored (got "${status}")`);
  const eventIds = values['event-id']?.map((id) => id.trim());
  if (eventIds?.some((id) => id === '')) throw new UsageError('--event-id needs an event id (WH-…)');
  return { eventIds: eventIds ? [...new Set(eventIds)] : undefined, status, dryRun: values['dry-run'] };
}

/** What the selector will re-queue (the same rules as InboxStore.replay), and what it leaves alone. */
async function preview(store: InboxStore, options: Options): Promise<{ selected: InboxEvent[]; notes: string[]; missing: string[] }> {
  const selected: InboxEvent[] = [];
  const notes: string[] = [];
  const missing: string[] = [];
  if (options.eventIds) {
    for (const id of options.eventIds) {
      const e = await store.get(id);
      if (!e) missing.push(id);
      else if (e.status === 'pending' || e.status === 'processing') notes.push(`${id} is already ${e.status}; left alone`);
      else if (options.status && e.status !== options.status) notes.push(`${id} is ${e.status}, not ${options.status}; left alone`);
      else selected.push(e);
    }
    return { selected, notes, missing };
  }
  const status = options.status ?? 'dead';
  let beforeId: number | undefined;
  for (;;) {
    const page = await store.list({ status, limit: 1000, ...(beforeId === undefined ? {} : { beforeId }) });
    selected.push(...page);
    if (page.length < 1000) break;
    beforeId = page[page.length - 1]!.id;
  }
  selected.reverse(); // oldest first, as the worker will take them
  return { selected, notes, missing };
}

function describeEvent(e: InboxEvent): string {
  const why = e.status === 'dead' ? `last error: ${e.lastError ?? '(none recorded)'}` : `outcome: ${e.outcome ?? '(none recorded)'}`;
  return `  ${e.eventId}  ${e.eventType}  ${e.status}, ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}  ${why}`;
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadStoreConfig(process.env);
  const store = await openStore(config);
  try {
    const where = config.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `SQLite in ${config.dataDir}`;
    const { selected, notes, missing } = await preview(store, options);
    const what = options.eventIds ? 'named' : (options.status ?? 'dead');
    console.log(`Inbox: ${where}`);
    console.log(selected.length === 0 ? `No ${what} events to re-queue.` : `${options.dryRun ? 'Would re-queue' : 'Re-queuing'} ${selected.length} ${what} event${selected.length === 1 ? '' : 's'}:`);
    for (const e of selected) console.log(describeEvent(e));
    for (const note of notes) console.log(`  note: ${note}`);
    for (const id of missing) console.error(`  not found: ${id} is not in the inbox (check the id)`);

    if (options.dryRun) {
      console.log('Dry run: nothing was changed.');
    } else if (selected.length > 0) {
      const now = new Date();
      const replayed = await store.replay({
        ...(options.eventIds ? { eventIds: selected.map((e) => e.eventId) } : {}),
        ...(options.status ? { status: options.status } : {}),
        now,
      });
      const byId = new Map(selected.map((e) => [e.eventId, e]));
      const user = safeUserName();
      const entries: AuditEntry[] = replayed.map((id) => {
        const e = byId.get(id);
        return {
          at: now,
          kind: 'inbox.replay',
          subjects: [id, e?.resourceId, e?.partitionKey].filter((s): s is string => typeof s === 'string'),
          eventId: id,
          outcome: 'info',
          summary: `re-queued by scripts/replay-inbox.ts${user ? ` (run by ${user})` : ''}; it was ${e?.status ?? 'not previewed'}`,
          detail: { previousStatus: e?.status ?? null, previousAttempts: e?.attempts ?? null, lastError: e?.lastError ?? null },
        };
      });
      for (let i = 0; i < entries.length; i += 500) await store.appendAudit(entries.slice(i, i + 500));
      console.log(`Re-queued ${replayed.length} event${replayed.length === 1 ? '' : 's'}; the worker picks them up at its next poll.`);
      if (replayed.length !== selected.length) {
        console.log(`${selected.length - replayed.length} of the events shown changed state meanwhile and were left alone.`);
      }
    }
    return missing.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

function safeUserName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (err instanceof ConfigError) {
    console.error(err.message);
    process.exitCode = 1;
  } else {
    console.error(`Replay failed: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
