/**
 * Typed reads of a pull origin's options: the keys of its file section
 * (those from [DEFAULT] included), falling back to [global]. The keys and
 * their meaning match a push target's ssh settings (src/config/push-targets.ts),
 * so one ssh setup in [global] serves both modes. An empty value counts as
 * unset, as in the config loader.
 */
import { isAbsolute, resolve } from 'node:path'
import type { SshSettings } from '../src/config/types.js'
import { splitWords } from '../src/config/split-words.js'
import { BackendError } from '../src/errors.js'

export class OptionReader {
  constructor (
    private readonly own: ReadonlyMap<string, string>,
    private readonly global: ReadonlyMap<string, string>,
    /** Relative paths are taken from here: the config file's folder. */
    private readonly baseDir: string
  ) {}

  string (key: string): string | undefined {
    const own = this.own.get(key)
    if (own !== undefined && own !== '') return own
    const g = this.global.get(key)
    return g === undefined || g === '' ? undefined : g
  }

  path (key: string): string | undefined {
    const v = this.string(key)
    if (v === undefined) return undefined
    return isAbsolute(v) ? resolve(v) : resolve(this.baseDir, v)
  }

  integer (key: string, min: number, max: number): number | undefined {
    return this.convert(key, v => {
      const n = /^\d+$/.test(v) ? Number(v) : Number.NaN
      if (!(n >= min && n <= max)) throw new RangeError(`"${v}" is not a whole number from ${min} to ${max}`)
      return n
    })
  }

  /** Parses the value with `parse`; its RangeError becomes a BackendError 'invalid' naming the key. */
  convert<T>(key: string, parse: (value: string) => T): T | undefined {
    const v = this.string(key)
    if (v === undefined) return undefined
    try {
      return parse(v)
    } catch (err) {
      if (!(err instanceof RangeError)) throw err
      throw new BackendError('invalid', `${key}: ${err.message}`, { cause: err })
    }
  }
}

/** ssh_command, ssh_port, ssh_user, ssh_key, ssh_known_hosts, ssh_options. */
export function originSshSettings (r: OptionReader): SshSettings {
  const port = r.integer('ssh_port', 1, 65535)
  const user = r.string('ssh_user')
  const identityFile = r.path('ssh_key')
  const knownHostsFile = r.path('ssh_known_hosts')
  const options = r.convert('ssh_options', v => splitWords(v).map(o => {
    if (!/^[A-Za-z][A-Za-z0-9]*=/.test(o)) throw new RangeError(`"${o}" is not Key=Value (e.g. ConnectTimeout=10)`)
    return o
  })) ?? []
  return Object.freeze({
    command: r.string('ssh_command') ?? 'ssh',
    ...(port === undefined ? {} : { port }),
    ...(user === undefined ? {} : { user }),
    ...(identityFile === undefined ? {} : { identityFile }),
    ...(knownHostsFile === undefined ? {} : { knownHostsFile }),
    options: Object.freeze(options)
  })
}
