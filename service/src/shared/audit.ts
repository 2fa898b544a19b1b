// Writing to the audit trail from request handlers and the sync: an entry that cannot be written
// is logged and never fails the operation it describes (the operation happened; the trail is its
// record, not its condition).
import type { AuditEntry } from '../inbox/types.ts';
import type { Logger } from './logger.ts';

export type AuditSink = (entry: AuditEntry) => Promise<void>;

export type Auditor = (entry: Omit<AuditEntry, 'at'>) => Promise<void>;

export function createAuditor(sink: AuditSink | undefined, logger: Logger, clock: () => Date = () => new Date()): Auditor {
  return async (entry) => {
    if (!sink) return;
    try {
      await sink({ at: clock(), ...entry, subjects: [...new Set(entry.subjects.filter((s) => typeof s === 'string' && s.length > 0))] });
    } catch (err) {
      logger.warn('could not write the audit trail', { err, kind: entry.kind });
    }
  };
}
