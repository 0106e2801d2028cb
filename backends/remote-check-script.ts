/**
 * The POSIX sh one-liner that the ssh preflight runs on the remote host. ssh
 * hands its command to the remote login shell as one string, so this is the
 * one place where a shell parses something of ours: every value in it is
 * quoted by shellQuote. Each failure prints a "stalk-check: " line and exits
 * with its own code, so the caller can tell it from an ssh failure (255).
 */
import { shellQuote } from './ssh-command.js'

export const SCRIPT_FAILURES: ReadonlyMap<number, string> = new Map([
  [90, 'rsync is not installed on the remote host'],
  [91, 'the destination folder is not writable'],
  [92, 'the destination folder does not exist and its parent is not a writable folder']
])

export function remoteCheckScript (path: string, o: { checkRsync: boolean }): string {
  const lines = [
    `p=${pathExpression(path)}`,
    ...(o.checkRsync
      ? ['if command -v rsync >/dev/null 2>&1; then :; else ' +
          "printf 'stalk-check: rsync is not installed on the remote host\\n' >&2; exit 90; fi"]
      : []),
    'if [ -d "$p" ]; then',
    '  if [ -w "$p" ] && [ -x "$p" ]; then :; else printf \'stalk-check: %s is not writable\\n\' "$p" >&2; exit 91; fi',
    'else',
    '  d=$(dirname -- "$p")',
    '  if [ -d "$d" ] && [ -w "$d" ]; then :; else ' +
      'printf \'stalk-check: %s does not exist, and its parent %s is not a writable folder (rsync creates only the last folder)\\n\' "$p" "$d" >&2; exit 92; fi',
    'fi'
  ]
  return lines.join('\n')
}

/**
 * The path as rsync's remote side sees it: empty is the login folder, and a
 * leading ~ or ~user and the slash after it stay unquoted so the shell
 * expands them (an assignment expands a tilde prefix; a quoted slash would
 * stop that).
 */
function pathExpression (path: string): string {
  if (path === '') return '.'
  const m = /^(~[\w.-]*)(\/.*)?$/.exec(path)
  if (m?.[1] !== undefined) return m[2] === undefined ? m[1] : `${m[1]}/${shellQuote(m[2].slice(1))}`
  return shellQuote(path)
}
