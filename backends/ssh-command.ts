/**
 * The ssh command line for rsync's `-e` and for the preflight check, built
 * from a target's ssh settings. Three layers of parsing sit between a path in
 * the config and the file ssh opens, and each is handled here:
 *
 * 1. rsync splits the `-e` string itself (no shell): on spaces only, with '…'
 *    or "…" quoting and a doubled quote inside meaning one literal quote.
 * 2. ssh splits an `-o Key=Value` value like a config line: whitespace
 *    separates words (UserKnownHostsFile takes several), "…" quotes, '\'
 *    escapes '"' and '\'. A path with spaces must therefore be quoted.
 * 3. ssh expands %-tokens in IdentityFile and UserKnownHostsFile: '%' is '%%'.
 *
 * The identity goes in as `-o IdentityFile=…` rather than `-i`, because ssh
 * stats an `-i` path before expanding %% and would drop a path with a '%'.
 */
import type { SshSettings } from '../src/config/types.js'

/**
 * ssh keeps the first value it sees for an option. BatchMode comes first so
 * nothing can turn password prompts back on; these defaults come last so a
 * configured ssh_options entry of the same name wins.
 */
const DEFAULT_OPTIONS: readonly string[] = ['ConnectTimeout=10', 'ServerAliveInterval=15', 'ServerAliveCountMax=4']

/**
 * The ssh argv (program first) for these settings; no host, no remote
 * command, and no user: the user goes into the destination (user@host), where
 * a user written in the destination beats ssh_user.
 */
export function sshArgv (s: SshSettings): string[] {
  const argv = [s.command, '-o', 'BatchMode=yes']
  if (s.port !== undefined) argv.push('-p', String(s.port))
  if (s.identityFile !== undefined) {
    argv.push('-o', `IdentityFile=${sshConfigQuote(escapeTokens(s.identityFile))}`, '-o', 'IdentitiesOnly=yes')
  }
  if (s.knownHostsFile !== undefined) {
    argv.push('-o', `UserKnownHostsFile=${sshConfigQuote(escapeTokens(s.knownHostsFile))}`)
  }
  for (const o of s.options) argv.push('-o', o)
  for (const o of DEFAULT_OPTIONS) argv.push('-o', o)
  return argv
}

/** True when the config says anything about ssh beyond the defaults. */
export function sshConfigured (s: SshSettings): boolean {
  return s.command !== 'ssh' || s.port !== undefined || s.user !== undefined ||
    s.identityFile !== undefined || s.knownHostsFile !== undefined || s.options.length > 0
}

/** One string for rsync's `-e` that rsync splits back into exactly `argv`. */
export function rsyncRshString (argv: readonly string[]): string {
  return argv.map(a => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "''")}'`).join(' ')
}

/** rsync's own split of a `-e` / RSYNC_RSH string (main.c, do_cmd). */
export function splitRsyncRsh (cmd: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < cmd.length) {
    if (cmd[i] === ' ') { i++; continue }
    let word = ''
    let quote = ''
    for (; i < cmd.length && (cmd[i] !== ' ' || quote !== ''); i++) {
      const c = cmd[i] ?? ''
      if (c === "'" || c === '"') {
        if (quote === '') { quote = c; continue }
        if (c === quote && cmd[i + 1] !== quote) { quote = ''; continue }
        if (c === quote) i++
      }
      word += c
    }
    if (quote !== '') throw new Error(`missing trailing ${quote} in remote-shell command`)
    out.push(word)
  }
  return out
}

/** A value for an ssh `-o` option, quoted the way ssh's config parser reads it. */
function sshConfigQuote (value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
}

function escapeTokens (path: string): string {
  return path.replaceAll('%', '%%')
}

/** A word for a POSIX shell (the remote login shell that runs ssh's command). */
export function shellQuote (s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`
}
