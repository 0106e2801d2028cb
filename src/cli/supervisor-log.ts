/**
 * Where the supervisor writes: the same log file and syslog tag as the
 * daemon, in the daemon's line format, so a crash, the restart and a final
 * give-up read in order between the worker's own lines.
 */
import { appendFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import pino from 'pino'
import { loadConfig } from '../config/load-config.js'
import type { LogSettings } from '../config/types.js'
import { describe } from '../errors.js'
import { createSyslogStream } from '../log/syslog-stream.js'
import type { Logger } from '../logger.js'
import type { MountArgs } from './parse-args.js'

/**
 * The config is read again here rather than handed over: the supervisor is
 * started before the worker has read it, and by the time it needs a logger
 * (the worker's mount is live) the file is known to be valid.
 */
export async function supervisorLog (args: MountArgs): Promise<Logger> {
  let settings: LogSettings | undefined
  let unreadable: string | undefined
  try {
    settings = (await loadConfig(args.configFile, args.readOnly ? 'pull' : 'push')).log
  } catch (err) {
    unreadable = describe(err)
  }
  const streams: pino.StreamEntry[] = []
  if (settings?.file !== undefined) streams.push({ level: args.verbosity, stream: appendEachLine(settings.file) })
  const syslog = createSyslogStream('stalk')
  if (syslog) streams.push({ level: args.verbosity === 'debug' ? 'info' : args.verbosity, stream: syslog })
  const log = pino({ level: args.verbosity, base: { pid: process.pid, role: 'supervisor' }, name: 'stalk' }, pino.multistream(streams))
  if (unreadable !== undefined) log.warn({ err: unreadable }, 'cannot read the config again for its log settings; logging to syslog only')
  return log
}

/**
 * Opens, appends and closes per line. The worker rotates the file by size;
 * a descriptor kept open here would go on writing into the rotated copy.
 * The supervisor writes a few lines per crash, so the cost does not matter.
 */
function appendEachLine (file: string): Writable {
  return new Writable({
    decodeStrings: false,
    write (chunk: string | Buffer, _enc, cb) {
      try {
        appendFileSync(file, chunk, { mode: 0o640 })
        cb()
      } catch {
        // A log that cannot be written must not stop the supervision itself.
        cb()
      }
    }
  })
}
