/**
 * The Node API's logger: the embedding program's own Logger taken as is,
 * or stalk's logger (pino JSON lines to stderr, plus the config's `log`
 * file and syslog, exactly as the daemon logs) at the level given.
 */
import type { LogSettings } from '../config/types.js'
import { createLogger, type LoggerSetup, type Verbosity } from '../log/create-logger.js'
import type { Logger } from '../logger.js'

const LEVELS: readonly string[] = ['warn', 'info', 'debug']

export function apiLogger (given: Logger | Verbosity | undefined, settings: LogSettings, name: string): LoggerSetup {
  if (typeof given === 'object') return { log: given, flush: () => {} }
  const level = given ?? 'warn'
  if (!LEVELS.includes(level)) throw new TypeError(`log: "${String(level)}" is neither a Logger nor one of ${LEVELS.join(', ')}`)
  return createLogger({ settings, level, stderr: true, name })
}
