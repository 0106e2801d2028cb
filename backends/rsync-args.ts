/**
 * rsync command lines for a target, as argv arrays (no shell ever parses
 * them). What stalk always passes, and why:
 *
 *   -aH --delete        an exact mirror: permissions, times, symlinks, owners
 *                       (mapped by name, rsync's default; add --numeric-ids in
 *                       rsync_options for hosts that share uids but not names),
 *                       hard links as hard links, stale files removed.
 *   --modify-window=-1  compare mtimes to the nanosecond: rsync's default
 *                       (whole seconds) misses a same-size rewrite made within
 *                       the second of the previous sync, and stalk syncs
 *                       while apps are still writing (max_wait). A destination
 *                       file system without sub-second times then re-checks
 *                       every file each round; `--modify-window=-1` in
 *                       rsync_options undoes this (the later option wins).
 *
 * Not passed: --partial-dir / --delay-updates. rsync already writes each file
 * to a temporary name beside it and renames it into place, so no file is ever
 * half-written under its final name; on abort the temporary file is removed.
 * Whoever wants the whole tree switched at once can add --delay-updates.
 *
 * Remote shell: with ssh settings in the config, stalk builds `-e` itself
 * (BatchMode, timeouts, key, known_hosts). With none, an RSYNC_RSH in stalk's
 * environment is honoured unchanged (e.g. "ssh -F /etc/stalk/ssh_config"),
 * because then it is the only statement of how to reach the host.
 */
import { resolve } from 'node:path'
import type { TargetConfig } from '../src/config/types.js'
import type { Destination } from './parse-destination.js'
import { rsyncRshString, splitRsyncRsh, sshArgv, sshConfigured } from './ssh-command.js'

export type RsyncDestination = Exclude<Destination, { kind: 'url' }>

/** The part of a target's config that says how to reach the remote; a pull origin has the same. */
export type TransportConfig = Pick<TargetConfig, 'ssh' | 'passwordFile'>

export interface Invocation {
  readonly argv: readonly string[]
  readonly env: NodeJS.ProcessEnv
}

/** rsync gives up on a daemon that does not answer after this many seconds. */
const DAEMON_CONNECT_TIMEOUT_S = 10

export function mirrorInvocation (cfg: TargetConfig, d: RsyncDestination, root: string, env: NodeJS.ProcessEnv): Invocation {
  return {
    argv: ['rsync', '-aH', '--delete', '--modify-window=-1', ...transportArgs(cfg, d, env), ...cfg.rsyncOptions,
      '--', withSlash(root), destinationArg(d, cfg)],
    env: childEnv(env)
  }
}

/** A dry run that sends an empty folder: proves the connection, the login and a writable module. */
export function dryRunInvocation (cfg: TargetConfig, d: RsyncDestination, emptyDir: string, env: NodeJS.ProcessEnv): Invocation {
  return {
    argv: ['rsync', '--dry-run', '--dirs', ...transportArgs(cfg, d, env), ...cfg.rsyncOptions,
      '--', withSlash(emptyDir), withSlash(destinationArg(d, cfg))],
    env: childEnv(env)
  }
}

/** Lists one folder of a daemon module (`sub` relative to the module). */
export function listInvocation (cfg: TargetConfig, d: RsyncDestination & { kind: 'rsync-daemon' }, sub: string,
  env: NodeJS.ProcessEnv): Invocation {
  return {
    argv: ['rsync', '--list-only', '--dirs', ...transportArgs(cfg, d, env), '--',
      withSlash(destinationArg({ ...d, path: sub }, cfg))],
    env: childEnv(env)
  }
}

/** The remote-shell argv for a `host:/path` target, as rsync will run it. */
export function remoteShellArgv (cfg: TransportConfig, env: NodeJS.ProcessEnv): string[] {
  const fromEnv = envRsh(cfg, env)
  return fromEnv === undefined ? sshArgv(cfg.ssh) : splitRsyncRsh(fromEnv)
}

/** The destination as rsync's last argument. */
export function destinationArg (d: RsyncDestination, cfg: TransportConfig): string {
  switch (d.kind) {
    case 'local': return resolve(d.path)
    case 'ssh': {
      const user = d.user ?? cfg.ssh.user
      return `${user === undefined ? '' : `${user}@`}${hostPart(d.host)}:${d.path}`
    }
    case 'rsync-daemon': {
      const port = d.port === undefined ? '' : `:${d.port}`
      return `rsync://${d.user === undefined ? '' : `${d.user}@`}${hostPart(d.host)}${port}/${d.module}/${d.path}`
    }
  }
}

/** How rsync reaches `d`: the ssh command (`-e`), or a daemon's connect timeout and password file. */
export function transportArgs (cfg: TransportConfig, d: RsyncDestination, env: NodeJS.ProcessEnv): string[] {
  if (d.kind === 'ssh') {
    return envRsh(cfg, env) === undefined ? ['-e', rsyncRshString(sshArgv(cfg.ssh))] : []
  }
  if (d.kind === 'rsync-daemon') {
    const pw = cfg.passwordFile === undefined ? [] : [`--password-file=${cfg.passwordFile}`]
    return [`--contimeout=${DAEMON_CONNECT_TIMEOUT_S}`, ...pw]
  }
  return []
}

function envRsh (cfg: TransportConfig, env: NodeJS.ProcessEnv): string | undefined {
  const rsh = env['RSYNC_RSH']
  return rsh === undefined || rsh.trim() === '' || sshConfigured(cfg.ssh) ? undefined : rsh
}

/** ssh can never prompt (no tty, BatchMode); this also keeps an askpass helper from popping up. */
export function childEnv (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, SSH_ASKPASS_REQUIRE: 'never' }
}

function hostPart (host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

function withSlash (p: string): string {
  return p.endsWith('/') ? p : `${p}/`
}
