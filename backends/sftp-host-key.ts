/**
 * Host key checking for SftpBackend, as OpenSSH does it with
 * StrictHostKeyChecking=yes: the key the server presents must be listed for
 * it in known_hosts, or the connection is refused before any credential is
 * sent. known_hosts is read at each connect, so an edit takes effect
 * without a restart.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { ServerHostKeyAlgorithm } from 'ssh2'
import { knownHostName, knownKeysFor, keyTypeOf, type KnownHostKey } from './sftp-known-hosts.js'
import type { ResolvedSftpSettings } from './sftp-settings.js'

export interface HostKeyCheck {
  /** For ssh2's hostVerifier: true accepts the server's key. */
  readonly verify: (key: Buffer) => boolean
  /** Host key algorithms, known ones first, so the server shows a key type known_hosts can vouch for. */
  readonly algorithms: ServerHostKeyAlgorithm[]
  /** Why verify refused, once it has; the connect error reports this instead of ssh2's "Host denied". */
  readonly refusal: () => string | undefined
}

// ssh2's default order (lib/protocol/constants.js), ssh-ed25519 first.
const DEFAULT_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
const ALGORITHMS_OF_TYPE: Readonly<Record<string, readonly ServerHostKeyAlgorithm[]>> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-dss': ['ssh-dss']
}

export async function hostKeyCheck (s: ResolvedSftpSettings): Promise<HostKeyCheck> {
  if (!s.strictHostKeyChecking) {
    return { verify: () => true, algorithms: [...DEFAULT_ALGORITHMS], refusal: () => undefined }
  }
  const name = knownHostName(s.host, s.port)
  const text = await readFile(s.knownHostsFile, 'utf8').catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw err
  })
  const own = knownKeysFor(text, name)
  // Also trust the port-22 entry of the same host: the same machine's key.
  const all = s.port === 22 ? own : [...own, ...knownKeysFor(text, knownHostName(s.host, 22))]
  let refusal: string | undefined
  const verify = (key: Buffer): boolean => {
    refusal = judge(key, own, all, name, s)
    return refusal === undefined
  }
  return { verify, algorithms: preferredAlgorithms(all), refusal: () => refusal }
}

/** undefined when `key` is trusted, else the refusal for the error message. */
function judge (key: Buffer, own: readonly KnownHostKey[], all: readonly KnownHostKey[], name: string,
  s: ResolvedSftpSettings): string | undefined {
  const type = keyTypeOf(key) ?? 'unknown-type'
  const offered = `${type} ${fingerprint(key)}`
  const same = all.filter(k => k.key.equals(key))
  const revoked = same.find(k => k.revoked)
  if (revoked !== undefined) {
    return `the host key of ${name} (${offered}) is marked @revoked in ${s.knownHostsFile}:${revoked.line}; refusing to connect`
  }
  if (same.length > 0) return undefined
  const other = own.find(k => !k.revoked && k.keyType === type)
  if (other !== undefined) {
    return `HOST KEY MISMATCH for ${name}: the server offered ${offered}, but ${s.knownHostsFile}:${other.line} ` +
      `lists a different ${type} key. Someone may be intercepting the connection, or the host key was changed; ` +
      'refusing to connect. If the change is expected, replace that line (ssh-keygen -R, then ssh-keyscan)'
  }
  const port = s.port === 22 ? '' : `-p ${s.port} `
  return `host key for ${name} is not in known_hosts (${s.knownHostsFile}): the server offered ${offered}. ` +
    `Check that fingerprint, then add the key (ssh-keyscan ${port}${s.host} >> ${s.knownHostsFile}), ` +
    'or set strict_host_key_checking = no (unsafe: any server is trusted)'
}

function preferredAlgorithms (known: readonly KnownHostKey[]): ServerHostKeyAlgorithm[] {
  const first = known.filter(k => !k.revoked).flatMap((k): readonly string[] => ALGORITHMS_OF_TYPE[k.keyType] ?? [k.keyType])
  return [...new Set([...first.filter(isAlgorithm), ...DEFAULT_ALGORITHMS])]
}

function isAlgorithm (a: string): a is ServerHostKeyAlgorithm {
  return (DEFAULT_ALGORITHMS as readonly string[]).includes(a) || a === 'ssh-dss'
}

/** OpenSSH's fingerprint format: "SHA256:" + unpadded base64 of the key blob's SHA-256. */
export function fingerprint (key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}
