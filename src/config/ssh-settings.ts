/**
 * The ssh keys of a push target and of a pull origin (ssh_command, ssh_port,
 * ssh_user, ssh_key, ssh_known_hosts, ssh_options), read one way for both, so
 * one ssh setup in [global] serves both modes. The caller's reader decides
 * where a key is looked up and how a bad value is reported: a StemError from
 * the config loader, a BackendError for an origin.
 */
import { parseWholeNumber } from './section-reader.js'
import { splitWords } from './split-words.js'
import type { SshSettings } from './types.js'

/** The reads the ssh keys need; an empty value counts as unset. */
export interface SshKeyReader {
  string (key: string): string | undefined
  /** The value made absolute against the config file's folder. */
  path (key: string): string | undefined
  /** The value through `parse`, which throws a RangeError for a bad one. */
  convert<T>(key: string, parse: (value: string) => T): T | undefined
}

export function readSshSettings (r: SshKeyReader): SshSettings {
  const port = r.convert('ssh_port', v => parseWholeNumber(v, 1, 65535))
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
