/**
 * The logging contract every module depends on (pino's shape, so a pino
 * logger satisfies it and tests can pass a silent or recording one).
 */
export interface LogFn {
  (msg: string): void
  (obj: Record<string, unknown>, msg?: string): void
}
export interface Logger {
  error: LogFn
  warn: LogFn
  info: LogFn
  debug: LogFn
  trace: LogFn
  child(bindings: Record<string, unknown>): Logger
}

const noop: LogFn = () => {}
/** A logger that drops everything: for tests and library use without logging. */
export const silentLogger: Logger = {
  error: noop, warn: noop, info: noop, debug: noop, trace: noop,
  child: () => silentLogger
}
