import pino from 'pino'
import type { LogSettings } from '../config/types.js'
import type { Logger } from '../logger.js'
import { RotatingFile } from './rotating-file.js'
import { createSyslogStream } from './syslog-stream.js'

export type Verbosity = 'warn' | 'info' | 'debug'

export interface LoggerSetup {
  readonly log: Logger
  /** Flushes buffered lines (before exit). */
  flush(): void
}

/**
 * The daemon's logger: syslog when /dev/log exists, the [global] `log` file
 * (rotated by size), and stderr when running in the foreground.
 * Secrets never reach it: callers log destinations and argv built without them.
 */
export function createLogger (o: { settings: LogSettings; level: Verbosity; stderr: boolean; name: string }): LoggerSetup {
  const streams: pino.StreamEntry[] = []
  let file: RotatingFile | undefined
  if (o.settings.file !== undefined) {
    file = new RotatingFile(o.settings.file, o.settings.maxBytes, o.settings.keep)
    streams.push({ level: o.level, stream: file })
  }
  const syslog = createSyslogStream(o.name)
  if (syslog) streams.push({ level: o.level === 'debug' ? 'info' : o.level, stream: syslog })
  if (o.stderr) streams.push({ level: o.level, stream: process.stderr })
  const log = pino({ level: o.level, base: { pid: process.pid }, name: o.name }, pino.multistream(streams))
  return { log, flush: () => file?.flushSync() }
}
