/**
 * The push target for an `sftp://[user@]host[:port]/path` destination. The
 * URL is read by the sftp:// origin parser (sftp-origin.ts), so it means the
 * same in both modes (an absolute path; /~/ for the login folder; a user or
 * port in the URL beats ssh_user and ssh_port). The ssh keys come from the
 * target's ssh settings (ssh_user, ssh_port, ssh_key, ssh_known_hosts,
 * already absolute), the rest from its store keys (key_passphrase,
 * strict_host_key_checking). The store is sftp-store.ts (a pool of ssh
 * connections with the origin's host key checking and authentication), the
 * mirror engine remote-target.ts.
 */
import type { TargetConfig } from '../src/config/types.js'
import { BackendError, describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import { DEFAULT_UPLOAD_CONCURRENCY, RemoteTarget } from './remote-target.js'
import { parseSftpOrigin } from './sftp-origin.js'
import type { SftpSettings } from './sftp-settings.js'
import { SftpStore } from './sftp-store.js'
import { stateFileFor } from './target-state.js'

export interface SftpDestination {
  readonly settings: SftpSettings
  /** The remote folder: "/srv/mirror", or relative to the login folder ("mirror", "." for the login folder itself). */
  readonly dir: string
}

export interface SftpTargetOptions {
  readonly log: Logger
}

/** Throws BackendError('invalid') when the destination or its keys are not usable. */
export function createSftpTarget (cfg: TargetConfig, o: SftpTargetOptions): RemoteTarget {
  const destination = parseSftpDestination(cfg)
  const concurrency = cfg.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY
  return new RemoteTarget({
    label: cfg.label,
    store: new SftpStore({ destination, concurrency, log: o.log }),
    ...(cfg.stateDir === undefined ? {} : { stateFile: stateFileFor(cfg.stateDir, cfg.label) }),
    onConflict: cfg.onConflict ?? 'keep',
    concurrency,
    log: o.log
  })
}

/** Pure: no network. */
export function parseSftpDestination (cfg: TargetConfig): SftpDestination {
  const options = new Map<string, string>()
  const set = (key: string, v: string | number | undefined): void => { if (v !== undefined) options.set(key, String(v)) }
  set('ssh_user', cfg.ssh.user)
  set('ssh_port', cfg.ssh.port)
  set('ssh_key', cfg.ssh.identityFile)
  set('ssh_known_hosts', cfg.ssh.knownHostsFile)
  set('key_passphrase', cfg.storeOptions?.get('key_passphrase'))
  set('strict_host_key_checking', cfg.storeOptions?.get('strict_host_key_checking'))
  try {
    const o = parseSftpOrigin(cfg.destination, options)
    const dir = o.path.length > 1 ? o.path.replace(/\/+$/, '') : o.path
    return { settings: o.settings, dir }
  } catch (err) {
    const why = describe(err).replace(/^sftp origin: /, '').replace('sftp://host/path/to/file', 'sftp://host/path/to/folder')
    throw new BackendError('invalid', why, { cause: err })
  }
}
