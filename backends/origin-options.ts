/**
 * Typed reads of a pull origin's options: the keys of its file section
 * (those from [DEFAULT] included), falling back to [global]. An empty value
 * counts as unset, as in the config loader. It is an SshKeyReader, so the ssh
 * keys are read as a push target's are (src/config/ssh-settings.ts).
 */
import { isAbsolute, resolve } from 'node:path'
import type { SshKeyReader } from '../src/config/ssh-settings.js'
import { BackendError } from '../src/errors.js'

export class OptionReader implements SshKeyReader {
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
