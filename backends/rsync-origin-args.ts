/**
 * rsync command lines for a pull origin, as argv arrays. What is always
 * passed, and why:
 *
 *   --copy-links      a symlink on the origin (latest.tar.gz -> v2.tar.gz) is
 *                     served as the file it points to, in listings and fetches
 *   --no-h            sizes as plain digits (the parser reads grouped ones too)
 *   --timeout=60      give up on a connection that stalls for a minute (exit 30)
 *   --no-motd         a daemon's greeting would land in the listing
 *   -t --chmod=u+rw   a fetched file keeps the origin's mtime (its validator)
 *                     and stays readable by stalk whatever the origin's mode
 *
 * The remote side expands wildcards in the file names it is asked for:
 * "q[1]" would fetch "q1". Each path component holding a wildcard character
 * is escaped for rsync's matcher; components without one are taken literally
 * by rsync, backslashes included, and are passed unchanged.
 *
 * rsync prints listing times in its own local time zone, so it runs with
 * TZ=UTC; a daemon password travels in RSYNC_PASSWORD, never in argv.
 */
import { childEnv, destinationArg, transportArgs, type Invocation } from './rsync-args.js'
import type { RsyncOriginSettings } from './rsync-origin.js'

const IO_TIMEOUT_S = 60

/** Lists one file (or the entry of a folder) without transferring it. */
export function listInvocation (s: RsyncOriginSettings, path: string, env: NodeJS.ProcessEnv): Invocation {
  return {
    argv: ['rsync', '--list-only', '--no-h', ...common(s, env), '--', sourceArg(s, path)],
    env: originEnv(s, env)
  }
}

/** Copies one file to exactly `destFile` (absolute): rsync writes a hidden temp file beside it and renames it. */
export function fetchInvocation (s: RsyncOriginSettings, path: string, destFile: string, env: NodeJS.ProcessEnv): Invocation {
  return {
    argv: ['rsync', '-t', '--chmod=u+rw', ...common(s, env), '--', sourceArg(s, path), destFile],
    env: originEnv(s, env)
  }
}

/** Lists only the top folder (module root, or "/" over ssh): login, module and remote rsync in one go. */
export function checkInvocation (s: RsyncOriginSettings, env: NodeJS.ProcessEnv): Invocation {
  // Both end in '/' ("host:/", "rsync://host/module/"), which lists the folder itself as ".".
  const root = remoteArg(s, s.remote.kind === 'ssh' ? '/' : '')
  return {
    argv: ['rsync', '--list-only', '--no-h', '--dirs', '--exclude=*', ...common(s, env), '--', root],
    env: originEnv(s, env)
  }
}

/** The origin as rsync names it, for messages and logs (holds no secret). */
export function remoteArg (s: RsyncOriginSettings, path: string): string {
  return destinationArg({ ...s.remote, path }, s)
}

/** The backend's name for logs: "ssh://user@host:2222", "rsync://host:873/module". */
export function originName (s: RsyncOriginSettings): string {
  const r = s.remote
  if (r.kind === 'rsync-daemon') return remoteArg(s, '').replace(/\/$/, '')
  const user = r.user ?? s.ssh.user
  const host = r.host.includes(':') ? `[${r.host}]` : r.host
  return `ssh://${user === undefined ? '' : `${user}@`}${host}${s.ssh.port === undefined ? '' : `:${s.ssh.port}`}`
}

/** The source argument, with wildcard characters escaped. */
export function sourceArg (s: RsyncOriginSettings, path: string): string {
  return remoteArg(s, escapeWildcards(path))
}

export function escapeWildcards (path: string): string {
  return path.split('/').map(c => /[*?[]/.test(c) ? c.replace(/[*?[\\]/g, '\\$&') : c).join('/')
}

function common (s: RsyncOriginSettings, env: NodeJS.ProcessEnv): string[] {
  return ['--copy-links', `--timeout=${IO_TIMEOUT_S}`, ...(s.remote.kind === 'rsync-daemon' ? ['--no-motd'] : []),
    ...transportArgs(s, { ...s.remote, path: '' }, env)]
}

function originEnv (s: RsyncOriginSettings, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...childEnv(env), TZ: 'UTC', ...(s.password === undefined ? {} : { RSYNC_PASSWORD: s.password }) }
}
