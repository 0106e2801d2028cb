/**
 * What a destination string names, by rsync's own rules, so that every string
 * the original stalk handed to rsync means the same thing here:
 *
 *   /srv/mirror, ./dir, /tmp/a:b, file:///srv   local (a ':' after a '/' is part of the path)
 *   host:/path, user@host:path, [::1]:/p, host:  remote over a shell (ssh); an empty path is
 *                                               the remote home folder, as rsync has it
 *   rsync://[user@]host[:port]/module[/path]    rsync daemon over TCP
 *   host::module[/path], user@host::module       the same, rsync's short form
 *   s3://…, sftp://…, any other scheme://       a URL, for the registry to accept or refuse
 *
 * A ':' before the first '/' makes a string remote, exactly as in rsync, so
 * "C:" is host "C" with the home folder, not a drive letter; and "a:b/c" is
 * host "a", path "b/c". Pure: no file system, no environment.
 */
import { fileURLToPath } from 'node:url'

export type Destination =
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'ssh'; readonly user?: string; readonly host: string; readonly path: string }
  | {
    readonly kind: 'rsync-daemon'; readonly user?: string; readonly host: string; readonly port?: number
    readonly module: string; readonly path: string
  }
  | { readonly kind: 'url'; readonly scheme: string }

/** A destination string that cannot mean anything; the message says why. */
export class DestinationSyntaxError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DestinationSyntaxError'
  }
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//

export function parseDestination (dest: string): Destination {
  const d = parse(dest)
  if (d.kind === 'ssh' || d.kind === 'rsync-daemon') {
    // ssh would take "-oProxyCommand=…" as a host for an option: refuse it outright.
    if (d.host.startsWith('-') || d.user?.startsWith('-') === true) {
      throw new DestinationSyntaxError(`"${dest}": a host or user name cannot start with "-"`)
    }
  }
  return d
}

function parse (dest: string): Destination {
  if (dest.trim() === '') throw new DestinationSyntaxError('the destination is empty')
  const scheme = SCHEME.exec(dest)?.[1]?.toLowerCase()
  if (scheme === 'rsync') return parseDaemonUrl(dest.slice('rsync://'.length))
  if (scheme === 'file') return local(fileUrlPath(dest))
  if (scheme !== undefined) return { kind: 'url', scheme }
  const spec = splitHostSpec(dest)
  if (spec === undefined) return local(dest)
  if (spec.rest.startsWith(':')) return daemon(spec.user, spec.host, undefined, spec.rest.slice(1))
  return { kind: 'ssh', ...optionalUser(spec.user), host: spec.host, path: spec.rest }
}

function local (path: string): Destination {
  // rsync takes "~" literally (no shell expands it), making a folder named "~" in its cwd.
  if (path.startsWith('~')) throw new DestinationSyntaxError(`"${path}": a local path starting with "~" is not expanded; write it absolute`)
  return { kind: 'local', path }
}

function fileUrlPath (url: string): string {
  try {
    return fileURLToPath(url)
  } catch (err) {
    throw new DestinationSyntaxError(`"${url}" is not a valid file:// URL (${(err as Error).message})`)
  }
}

interface HostSpec { user: string | undefined; host: string; rest: string }

/**
 * rsync's parse_hostspec: `[user@]host:rest` or `[user@][v6addr]:rest`, where
 * the part before the ':' has no '/'. Undefined means "not remote: a local path".
 */
function splitHostSpec (s: string): HostSpec | undefined {
  const first = /[:/[]/.exec(s)
  if (first === null || first[0] === '/') return undefined
  if (first[0] === '[') return splitBracketed(s, first.index)
  const colon = first.index
  const { user, host } = splitUser(s.slice(0, colon), s)
  return { user, host, rest: s.slice(colon + 1) }
}

function splitBracketed (s: string, bracket: number): HostSpec | undefined {
  const close = s.indexOf(']', bracket)
  const before = s.slice(0, bracket)
  // rsync accepts '[' only right at the host's start; anything else is a local name.
  if (close < 0 || s[close + 1] !== ':' || (before !== '' && !before.endsWith('@'))) return undefined
  const host = s.slice(bracket + 1, close)
  if (host === '' || host.includes('/')) return undefined
  const user = before === '' ? undefined : checkUser(before.slice(0, -1), s)
  return { user, host, rest: s.slice(close + 2) }
}

function splitUser (userHost: string, whole: string): { user: string | undefined; host: string } {
  const at = userHost.lastIndexOf('@')
  const host = userHost.slice(at + 1)
  if (host === '') throw new DestinationSyntaxError(`"${whole}": no host name before ':'`)
  return { user: at < 0 ? undefined : checkUser(userHost.slice(0, at), whole), host }
}

function checkUser (user: string, whole: string): string {
  if (user === '') throw new DestinationSyntaxError(`"${whole}": empty user name before '@'`)
  return user
}

function parseDaemonUrl (s: string): Destination {
  const slash = s.indexOf('/')
  const authority = slash < 0 ? s : s.slice(0, slash)
  const at = authority.lastIndexOf('@')
  const userInfo = at < 0 ? undefined : authority.slice(0, at)
  if (userInfo?.includes(':') === true) {
    throw new DestinationSyntaxError(`"rsync://${s}": a password does not belong in the URL; use password_file or RSYNC_PASSWORD`)
  }
  const user = userInfo === undefined ? undefined : checkUser(userInfo, `rsync://${s}`)
  const { host, port } = splitHostPort(authority.slice(at + 1), s)
  return daemon(user, host, port, slash < 0 ? '' : s.slice(slash + 1))
}

function splitHostPort (hostPort: string, whole: string): { host: string; port: number | undefined } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(hostPort)
  const host = m?.[1] ?? m?.[2]
  if (m === null || host === undefined) throw new DestinationSyntaxError(`"rsync://${whole}": bad host or port "${hostPort}"`)
  const port = m[3] === undefined ? undefined : Number(m[3])
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new DestinationSyntaxError(`"rsync://${whole}": port ${port} is out of range`)
  }
  return { host, port }
}

function daemon (user: string | undefined, host: string, port: number | undefined, modulePath: string): Destination {
  const slash = modulePath.indexOf('/')
  const module = slash < 0 ? modulePath : modulePath.slice(0, slash)
  if (module === '') throw new DestinationSyntaxError(`rsync daemon destination on ${host} names no module (rsync://host/module/path)`)
  return {
    kind: 'rsync-daemon', ...optionalUser(user), host, ...(port === undefined ? {} : { port }),
    module, path: slash < 0 ? '' : modulePath.slice(slash + 1)
  }
}

function optionalUser (user: string | undefined): { user?: string } {
  return user === undefined ? {} : { user }
}
