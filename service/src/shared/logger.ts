// Structured JSON logging. Every line is one JSON object on stdout. Context that belongs to a unit
// of work (the PayPal event id, its type, the inbox attempt, the Odoo record) is carried by
// AsyncLocalStorage so that every line written while handling an event names that event, without
// threading a logger through every call.
import { AsyncLocalStorage } from 'node:async_hooks';
import { redact } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
export const LOG_LEVELS = Object.keys(LEVEL_RANK) as LogLevel[];

export type LogFields = Record<string, unknown>;

/** Fields every line of a unit of work carries. */
export interface LogContext {
  paypalEventId?: string;
  eventType?: string;
  inboxAttempt?: number;
  odooModel?: string;
  odooId?: number;
  requestId?: string;
  [key: string]: unknown;
}

const contextStorage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to the log context of every line it writes (also asynchronously). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  const parent = contextStorage.getStore();
  return contextStorage.run(parent ? { ...parent, ...fields } : fields, fn);
}

export function currentLogContext(): LogContext | undefined {
  return contextStorage.getStore();
}

export type LogSink = (line: string) => void;

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  isEnabled(level: LogLevel): boolean;
  child(component: string, fields?: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  component?: string;
  fields?: LogFields;
  clock?: () => Date;
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
};

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? stdoutSink;
  const clock = options.clock ?? (() => new Date());
  const base: LogFields = { ...(options.fields ?? {}) };
  if (options.component) base['component'] = options.component;
  const threshold = LEVEL_RANK[level];

  function write(lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void {
    if (LEVEL_RANK[lvl] < threshold) return;
    const ctx = contextStorage.getStore();
    const record: LogFields = { time: clock().toISOString(), level: lvl, msg, ...base, ...ctx, ...fields };
    const err = record['err'];
    if (err instanceof Error) record['err'] = serializeError(err);
    let line: string;
    try {
      line = JSON.stringify(redact(record));
    } catch {
      line = JSON.stringify({ time: record['time'], level: lvl, msg, logError: 'unserializable log fields' });
    }
    sink(line);
  }

  return {
    level,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    isEnabled: (lvl) => LEVEL_RANK[lvl] >= threshold,
    child(component, fields) {
      return createLogger({
        level,
        sink,
        clock,
        fields: { ...base, ...(fields ?? {}), component },
      });
    },
  };
}

export function serializeError(err: unknown): LogFields {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: LogFields = { name: err.name, message: err.message };
  for (const key of ['code', 'status', 'debugId', 'issues', 'retryable'] as const) {
    const value = (err as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  if (err.stack) out['stack'] = err.stack.split('\n').slice(0, 8).join('\n');
  if (err.cause !== undefined) out['cause'] = serializeError(err.cause);
  return out;
}

/** A logger that keeps its lines in memory: for tests that assert on what was logged. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({ level, sink: (line) => lines.push(JSON.parse(line) as LogFields) });
  return Object.assign(logger, { lines });
}
