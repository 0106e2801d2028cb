/**
 * An sftp:// origin and its ssh options → the settings of the SftpBackend
 * that serves it, the key under which backends are shared (one backend, and
 * so one connection pool, per server and identity), and the remote path.
 *
 *   sftp://[user@]host[:port]/path
 *
 * The URL path is absolute and percent-decoded: sftp://h/srv/a%20b is
 * "/srv/a b". As in curl, a path starting with /~/ is relative to the login
 * (home) directory: sftp://h/~/notes.txt is "notes.txt", which the server
 * resolves from the user's home. A user or port in the URL beats ssh_user
 * and ssh_port. Options come from the file's section, then [global].
 */
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { BackendError } from '../src/errors.js'
import { resolveSftpSettings, serverLabel, type SftpSettings } from './sftp-settings.js'

export interface SftpOrigin {
  /** Origins with equal keys can share one SftpBackend: "root@h:22 key=/k known_hosts=/kh strict=yes". */
  readonly key: string
  readonly settings: SftpSettings
  /** The remote path: "/srv/file", or relative to the login directory for /~/ URLs. */
  readonly path: string
}

export interface SftpOriginContext {
  /** Relative ssh_key / ssh_known_hosts paths are resolved against this (the config file's folder). */
  readonly configDir?: string
  /** The origin names a folder (its path ends in '/'), served as a directory tree. */
  readonly folder?: boolean
}

type Options = ReadonlyMap<string, string>

export function parseSftpOrigin (given: string, options: Options, global?: Options, c: SftpOriginContext = {}): SftpOrigin {
  const url = parseUrl(given)
  const origin = redact(given)
  const opt = (key: string): string | undefined => nonEmpty(options.get(key)) ?? nonEmpty(global?.get(key))
  const identityFile = pathOption(opt, 'ssh_key', c)
  const knownHostsFile = pathOption(opt, 'ssh_known_hosts', c)
  const user = url.username === '' ? opt('ssh_user') : decode(url.username, origin)
  const port = url.port === '' ? portOption('ssh_port', opt('ssh_port')) : portOption('the URL port', url.port)
  const passphrase = opt('key_passphrase')
  const strict = strictOption(opt('strict_host_key_checking'))
  const settings: SftpSettings = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(port === undefined ? {} : { port }),
    ...(user === undefined ? {} : { user }),
    ...(identityFile === undefined ? {} : { identityFile }),
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(knownHostsFile === undefined ? {} : { knownHostsFile }),
    ...(strict === undefined ? {} : { strictHostKeyChecking: strict })
  }
  const path = c.folder === true ? folderPath(url.pathname, origin) : remotePath(url.pathname, origin)
  return { key: poolKey(settings), settings, path }
}

function poolKey (settings: SftpSettings): string {
  const r = resolveSftpSettings(settings)
  return `${serverLabel(r)} key=${r.identityFile ?? '(agent/default)'} known_hosts=${r.knownHostsFile} ` +
    `strict=${r.strictHostKeyChecking ? 'yes' : 'no'}`
}

function parseUrl (given: string): URL {
  const origin = redact(given)
  let url: URL
  try {
    url = new URL(given)
  } catch {
    throw invalid(`"${origin}" is not a valid sftp:// URL`)
  }
  if (url.protocol !== 'sftp:') throw invalid(`"${origin}" is not an sftp:// URL`)
  if (url.hostname === '') throw invalid(`"${origin}" has no host`)
  if (url.password !== '') throw invalid(`"${origin}": a password in the URL is not supported; use ssh_key or an ssh-agent`)
  if (url.search !== '' || url.hash !== '') throw invalid(`"${origin}": "?" and "#" are not allowed; write them as %3F and %23`)
  return url
}

function remotePath (pathname: string, origin: string): string {
  const path = decode(pathname, origin)
  if (path === '' || path === '/') throw invalid(`"${origin}" names no file (sftp://host/path/to/file)`)
  if (path.includes('\0')) throw invalid(`"${origin}": the path contains a NUL character`)
  if (path === '/~' || path === '/~/') return '.'
  return path.startsWith('/~/') ? path.slice(3) : path
}

/** A folder's path, ending in '/': "/" for the server's root, "" for the login folder (/~/). */
function folderPath (pathname: string, origin: string): string {
  const path = decode(pathname, origin)
  if (!path.endsWith('/')) throw invalid(`"${origin}": a folder origin ends in "/"`)
  if (path.includes('\0')) throw invalid(`"${origin}": the path contains a NUL character`)
  if (path === '/~/') return ''
  return path.startsWith('/~/') ? path.slice(3) : path
}

function decode (s: string, origin: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    throw invalid(`"${origin}": bad percent-encoding`)
  }
}

function pathOption (opt: (k: string) => string | undefined, key: string, c: SftpOriginContext): string | undefined {
  const v = opt(key)
  if (v === undefined) return undefined
  if (v === '~' || v.startsWith('~/')) return join(homedir(), v.slice(1))
  if (isAbsolute(v)) return v
  if (c.configDir === undefined) throw invalid(`${key}: "${v}" must be an absolute path`)
  return resolve(c.configDir, v)
}

function portOption (what: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN
  if (!(n >= 1 && n <= 65535)) throw invalid(`${what}: "${v}" is not a port number (1 to 65535)`)
  return n
}

const YES = new Set(['yes', 'true', 'on', '1'])
const NO = new Set(['no', 'false', 'off', '0'])

function strictOption (v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined
  const lower = v.toLowerCase()
  if (YES.has(lower)) return true
  if (NO.has(lower)) return false
  throw invalid(`strict_host_key_checking: "${v}" must be yes or no (no is unsafe: any host key is accepted)`)
}

/** The origin for messages: a password in it (refused anyway) is never repeated. */
function redact (origin: string): string {
  return origin.replace(/^([^:/]*:\/\/[^:@/]*):[^@/]*@/, '$1:***@')
}

function nonEmpty (v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}

function invalid (message: string): BackendError {
  return new BackendError('invalid', `sftp origin: ${message}`)
}
