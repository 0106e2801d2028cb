/**
 * A Logger that keeps every call, for tests that assert what was logged
 * (a warning was given, an argv was logged, a secret was not).
 */
import type { LogFn, Logger } from '../../src/logger.js'

export interface LogRecord {
  readonly level: 'error' | 'warn' | 'info' | 'debug' | 'trace'
  readonly msg: string
  readonly obj: Record<string, unknown>
}

export function recordingLogger (records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const fn = (level: LogRecord['level']): LogFn =>
    (a: string | Record<string, unknown>, msg?: string) => {
      records.push(typeof a === 'string' ? { level, msg: a, obj: bindings } : { level, msg: msg ?? '', obj: { ...bindings, ...a } })
    }
  return {
    records,
    error: fn('error'), warn: fn('warn'), info: fn('info'), debug: fn('debug'), trace: fn('trace'),
    child: (b: Record<string, unknown>) => recordingLogger(records, { ...bindings, ...b })
  }
}
