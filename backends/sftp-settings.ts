/**
 * How SftpBackend reaches one sshd: the settings as configured, and the same
 * settings with ssh's defaults filled in (port 22, the local user name,
 * ~/.ssh/known_hosts, the agent from SSH_AUTH_SOCK). Defaults are resolved
 * once, at construction, so every connection of a backend uses the same ones.
 */
import { existsSync, statSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join } from 'node:path'

export interface SftpSettings {
  readonly host: string
  /** Default 22. */
  readonly port?: number
  /** Default: the local user name, as ssh does. */
  readonly user?: string
  /** Private key file; when given, only this key is offered (ssh's IdentitiesOnly). */
  readonly identityFile?: string
  /** For an encrypted identityFile. */
  readonly passphrase?: string
  /** ssh-agent socket; default SSH_AUTH_SOCK, used only when no identityFile is given. */
  readonly agent?: string
  /** Default ~/.ssh/known_hosts. */
  readonly knownHostsFile?: string
  /** Default true. false accepts any host key: unsafe, anyone on the path can impersonate the server. */
  readonly strictHostKeyChecking?: boolean
  /** Time for TCP connect + ssh handshake + authentication (default 20 s). */
  readonly readyTimeoutMs?: number
}

export interface ResolvedSftpSettings {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly identityFile: string | undefined
  readonly passphrase: string | undefined
  readonly agent: string | undefined
  readonly knownHostsFile: string
  readonly strictHostKeyChecking: boolean
  readonly readyTimeoutMs: number
  /** The keys ssh tries when no identityFile is configured and the agent has none that work. */
  readonly defaultIdentityFiles: readonly string[]
}

export const DEFAULT_READY_TIMEOUT_MS = 20_000
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa']

export function resolveSftpSettings (s: SftpSettings, env: NodeJS.ProcessEnv = process.env): ResolvedSftpSettings {
  const home = homedir()
  return {
    host: s.host,
    port: s.port ?? 22,
    user: s.user ?? userInfo().username,
    identityFile: s.identityFile,
    passphrase: s.passphrase,
    agent: s.identityFile === undefined ? usableSocket(s.agent ?? env['SSH_AUTH_SOCK']) : undefined,
    knownHostsFile: s.knownHostsFile ?? join(home, '.ssh', 'known_hosts'),
    strictHostKeyChecking: s.strictHostKeyChecking ?? true,
    readyTimeoutMs: s.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    defaultIdentityFiles: s.identityFile === undefined ? DEFAULT_KEYS.map(k => join(home, '.ssh', k)) : []
  }
}

/** "user@host:port", the way logs and messages name the server ("[::1]" for IPv6). */
export function serverLabel (s: ResolvedSftpSettings): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host
  return `${s.user}@${host}:${s.port}`
}

// A stale SSH_AUTH_SOCK (the agent is gone) is common in daemons started
// from a login shell; ignoring it beats failing every connection on it.
function usableSocket (path: string | undefined): string | undefined {
  if (path === undefined || path === '' || !existsSync(path)) return undefined
  try {
    return statSync(path).isSocket() ? path : undefined
  } catch {
    return undefined
  }
}
