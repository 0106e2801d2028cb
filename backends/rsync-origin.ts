/**
 * What an rsync pull origin names, split into the remote a backend serves
 * (one per ssh login or daemon module, shared by every file there) and the
 * file's path on it:
 *
 *   host:/srv/f, user@host:/srv/f, host:rel/f  over ssh; a relative path is under the login's home
 *   rsync://[user@]host[:port]/module/dir/f     an rsync daemon; the path is inside the module
 *   host::module/dir/f                          the same, rsync's short form
 *
 * The string is read by parseDestination, rsync's own rules, so an origin
 * means what it means to rsync. Settings come from the file's section, then
 * from [global] (see RSYNC_ORIGIN_KEYS).
 */
import { createHmac, randomBytes } from 'node:crypto'
import { readSshSettings } from '../src/config/ssh-settings.js'
import type { SshSettings } from '../src/config/types.js'
import { BackendError, describe } from '../src/errors.js'
import { parseDestination, type Destination } from './parse-destination.js'
import { OptionReader } from './origin-options.js'

/** The remote one backend serves: an ssh login or a daemon module. */
export type RsyncRemote =
  | { readonly kind: 'ssh'; readonly user?: string; readonly host: string }
  | { readonly kind: 'rsync-daemon'; readonly user?: string; readonly host: string; readonly port?: number; readonly module: string }

export interface RsyncOriginSettings {
  readonly remote: RsyncRemote
  /** For ssh remotes; ignored by daemons. */
  readonly ssh: SshSettings
  /** A daemon's password file (mode 600), handed to rsync as --password-file. */
  readonly passwordFile?: string
  /** A daemon's password, handed to rsync as RSYNC_PASSWORD in its environment. */
  readonly password?: string
}

export interface RsyncOrigin {
  /** Equal for origins one backend can serve; holds no secret. */
  readonly key: string
  readonly settings: RsyncOriginSettings
  /** The file on the remote: "/srv/f" or "rel/f" over ssh, "dir/f" inside a daemon module; a folder's ends in '/' (or is ''). */
  readonly path: string
}

/** Keys an rsync origin reads, in its file section or in [global]. */
export const RSYNC_ORIGIN_KEYS: ReadonlySet<string> = new Set([
  'ssh_command', 'ssh_port', 'ssh_user', 'ssh_key', 'ssh_known_hosts', 'ssh_options', 'password', 'password_file'
])

/**
 * Splits `origin` and reads its settings from `options` (the file section's
 * keys), falling back to `global`; relative key and password file paths are
 * taken from `baseDir` (the config file's folder). `folder`: the origin
 * names a folder (host:/srv/dir/, rsync://host/module/), served as a
 * directory tree. Throws BackendError 'invalid' naming the origin or the key.
 */
export function parseRsyncOrigin (origin: string, options: ReadonlyMap<string, string>,
  global: ReadonlyMap<string, string> = new Map(), baseDir: string = process.cwd(), folder = false): RsyncOrigin {
  const d = destinationOf(origin)
  if (folder && d.path !== '' && !d.path.endsWith('/')) {
    throw new BackendError('invalid', `origin "${origin}": a folder origin ends in "/"`)
  }
  if (!folder && (d.path === '' || d.path.endsWith('/'))) {
    throw new BackendError('invalid', `origin "${origin}" names no file (e.g. host:/srv/file or rsync://host/module/file)`)
  }
  const r = new OptionReader(options, global, baseDir)
  const settings: RsyncOriginSettings = d.kind === 'ssh'
    ? { remote: { kind: 'ssh', ...user(d.user), host: d.host }, ssh: readSshSettings(r) }
    : {
        remote: { kind: 'rsync-daemon', ...user(d.user), host: d.host, ...(d.port === undefined ? {} : { port: d.port }), module: d.module },
        // ssh is not involved; defaults keep ssh_* keys meant for other files out of the key.
        ssh: { command: 'ssh', options: [] },
        ...daemonAuth(r)
      }
  return { key: keyOf(settings), settings, path: d.path }
}

function user (u: string | undefined): { user?: string } {
  return u === undefined ? {} : { user: u }
}

function destinationOf (origin: string): Exclude<Destination, { kind: 'url' | 'local' }> {
  let d: Destination
  try {
    d = parseDestination(origin)
  } catch (err) {
    throw new BackendError('invalid', `origin "${origin}": ${describe(err)}`, { cause: err })
  }
  if (d.kind === 'local') {
    throw new BackendError('invalid', `origin "${origin}" is a local path; an rsync origin is host:/path or rsync://host/module/path`)
  }
  if (d.kind === 'url') {
    throw new BackendError('invalid', `origin "${origin}" is a ${d.scheme}:// URL, not an rsync origin (host:/path or rsync://host/module/path)`)
  }
  return d
}

/**
 * A password already read by the config loader (from `password`,
 * `password_file` or STALK_<SECTION>_PASSWORD) goes through the environment;
 * a password_file only in [global] is left to rsync, which also refuses one
 * that others can read.
 */
function daemonAuth (r: OptionReader): { password?: string; passwordFile?: string } {
  const password = r.string('password')
  if (password !== undefined) return { password }
  const passwordFile = r.path('password_file')
  return passwordFile === undefined ? {} : { passwordFile }
}

/** A per-process secret: the key tells passwords apart without holding anything that could be guessed offline. */
const KEY_SALT = randomBytes(32)

function keyOf (s: RsyncOriginSettings): string {
  const { password, ...rest } = s
  const pw = password === undefined ? undefined : createHmac('sha256', KEY_SALT).update(password).digest('hex').slice(0, 16)
  return `rsync:${JSON.stringify({ ...rest, ...(pw === undefined ? {} : { pw }) })}`
}
