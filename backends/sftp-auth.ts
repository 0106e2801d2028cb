/**
 * Which credentials SftpBackend offers, in ssh's order: a configured key
 * alone (IdentitiesOnly), or else the ssh-agent and then the default keys
 * ~/.ssh/id_{ed25519,ecdsa,rsa}. Keys are read and decrypted here, before
 * connecting, so a missing file or a wrong passphrase is reported as such
 * rather than as a refused login.
 */
import { readFile } from 'node:fs/promises'
import ssh2, { type AnyAuthMethod, type ParsedKey } from 'ssh2'
import { BackendError, describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import type { ResolvedSftpSettings } from './sftp-settings.js'

export interface AuthPlan {
  /** For ssh2's authHandler, tried in order. */
  readonly methods: readonly AnyAuthMethod[]
  /** What was offered, for "authentication failed" messages: "key /k/id_ed25519". */
  readonly offered: string
}

export async function authPlan (s: ResolvedSftpSettings, log: Logger): Promise<AuthPlan> {
  if (s.identityFile !== undefined) {
    const key = await loadKey(s.identityFile, s.passphrase)
    return { methods: [{ type: 'publickey', username: s.user, key }], offered: `key ${s.identityFile}` }
  }
  const methods: AnyAuthMethod[] = []
  const offered: string[] = []
  if (s.agent !== undefined) {
    methods.push({ type: 'agent', username: s.user, agent: s.agent })
    offered.push(`ssh-agent ${s.agent}`)
  }
  for (const file of s.defaultIdentityFiles) {
    const key = await defaultKey(file, log)
    if (key === undefined) continue
    methods.push({ type: 'publickey', username: s.user, key })
    offered.push(`key ${file}`)
  }
  if (methods.length === 0) {
    throw new BackendError('forbidden', `authentication failed for ${s.user}@${s.host}: nothing to offer ` +
      `(no ssh_key configured, no ssh-agent in SSH_AUTH_SOCK, none of ${s.defaultIdentityFiles.join(', ')} usable)`)
  }
  return { methods, offered: offered.join(', ') }
}

/** The configured key; any problem with it is a config error, said plainly. */
async function loadKey (file: string, passphrase: string | undefined): Promise<ParsedKey> {
  let data: Buffer
  try {
    data = await readFile(file)
  } catch (err) {
    throw new BackendError('invalid', `cannot read ssh_key ${file}: ${describe(err)}`, { cause: err })
  }
  const key = parsePrivate(data, passphrase)
  if (key instanceof Error) {
    const hint = /encrypted|passphrase|decrypt/i.test(key.message)
      ? (passphrase === undefined ? ' (the key is encrypted: set key_passphrase)' : ' (is key_passphrase right?)')
      : ''
    throw new BackendError('invalid', `cannot use ssh_key ${file}: ${key.message}${hint}`, { cause: key })
  }
  return key
}

/** A default key that exists and needs no passphrase (ssh would prompt; a daemon cannot), else undefined. */
async function defaultKey (file: string, log: Logger): Promise<ParsedKey | undefined> {
  const data = await readFile(file).catch(() => undefined)
  if (data === undefined) return undefined
  const key = parsePrivate(data, undefined)
  if (key instanceof Error) {
    log.debug({ file, reason: key.message }, 'sftp: default key skipped')
    return undefined
  }
  return key
}

function parsePrivate (data: Buffer, passphrase: string | undefined): ParsedKey | Error {
  // ssh2 returns an array for OpenSSH's multi-key format; it only ever holds one key.
  const parsed: unknown = ssh2.utils.parseKey(data, passphrase)
  const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | Error | undefined
  if (key === undefined) return new Error('no key in the file')
  if (key instanceof Error) return key
  return key.isPrivateKey() ? key : new Error('this is a public key; ssh_key needs the private key file')
}
